//! calisim's browser lab: sim-core compiled to WebAssembly.
//!
//! The page calls three functions, each taking and returning JSON text, so the interface
//! is plain data that native tests exercise the same way: [`simulate`] computes a scenario
//! and returns its diagram (or its errors, with lines), [`trace`] walks one packet,
//! [`node_panel`] shows one node's tables. Everything runs in the browser; the server only
//! hands out files.

pub mod layout;
pub mod panels;
pub mod session;
pub mod trace_view;

use std::cell::RefCell;

use serde::Serialize;
use wasm_bindgen::prelude::wasm_bindgen;

pub use session::Session;

thread_local! {
    /// The last scenario that computed: a broken edit keeps it on screen.
    static CURRENT: RefCell<Option<Session>> = const { RefCell::new(None) };
}

/// Computes `yaml` (shown as `file` in diagnostics) and makes it current when it computes.
/// Returns `{"ok": true, "view": {...}}` or `{"ok": false, "errors": [...]}`.
#[wasm_bindgen]
pub fn simulate(file: &str, yaml: &str) -> String {
    match Session::load(file, yaml) {
        Ok(session) => {
            let out = json(&serde_json::json!({ "ok": true, "view": session.view() }));
            CURRENT.with(|c| *c.borrow_mut() = Some(session));
            out
        }
        Err(errors) => json(&serde_json::json!({ "ok": false, "errors": errors })),
    }
}

/// Walks one packet through the current scenario. `request` is
/// `{"from", "to", "proto"?, "port"?, "size"?, "df"?}`; returns `{"ok": true, "trace"}`
/// or `{"ok": false, "error"}`.
#[wasm_bindgen]
pub fn trace(request: &str) -> String {
    let result = serde_json::from_str::<trace_view::TraceRequest>(request)
        .map_err(|e| format!("bad trace request: {e}"))
        .and_then(|r| with_current(|s| s.trace(&r)));
    reply(result.map(|t| serde_json::json!({ "trace": t })))
}

/// The node's panels: `ip route`, `ip addr`, `calicoctl node status`, IPAM blocks.
#[wasm_bindgen]
pub fn node_panel(node: &str) -> String {
    reply(with_current(|s| s.node_panel(node)).map(|p| serde_json::json!({ "panel": p })))
}

fn with_current<T>(f: impl FnOnce(&Session) -> Result<T, String>) -> Result<T, String> {
    CURRENT.with(|c| match c.borrow().as_ref() {
        Some(s) => f(s),
        None => Err("no scenario has been computed yet".into()),
    })
}

fn reply(result: Result<serde_json::Value, String>) -> String {
    match result {
        Ok(serde_json::Value::Object(mut map)) => {
            map.insert("ok".into(), true.into());
            json(&map)
        }
        Ok(other) => json(&other),
        Err(error) => json(&serde_json::json!({ "ok": false, "error": error })),
    }
}

fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| format!("{{\"ok\":false,\"error\":\"{e}\"}}"))
}

#[cfg(test)]
mod tests;
