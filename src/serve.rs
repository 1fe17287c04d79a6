//! `calisim serve`: hands the browser lab its files on 127.0.0.1. No simulation happens
//! here: the page runs sim-core as WebAssembly; the server only gives it the page, the
//! wasm bundle (built by `cargo xtask web`), the scenario it was started with and the labs.

use std::path::{Path, PathBuf};

use serde::Serialize;
use sim_core::scenario::SourceFile;

use crate::catalogue;

/// The page, embedded in the binary.
const INDEX_HTML: &str = include_str!("../web-viz/static/index.html");
const APP_JS: &str = include_str!("../web-viz/static/app.js");
const DIAGRAM_JS: &str = include_str!("../web-viz/static/diagram.js");
const PANELS_JS: &str = include_str!("../web-viz/static/panels.js");
const STYLE_CSS: &str = include_str!("../web-viz/static/style.css");

/// Where `cargo xtask web` writes the bundle in this checkout.
pub fn default_bundle_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("web-viz/dist/pkg")
}

/// Why the page cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "the browser bundle is not built: {path} is missing ({source}).\n  \
         Build it with `cargo xtask web` (sim-core to wasm32 and its JS bindings; needs \
         `rustup target add wasm32-unknown-unknown`), or run ./scripts/serve.sh which does both"
    )]
    NoBundle {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot listen on 127.0.0.1:{port}: {message}")]
    Bind { port: u16, message: String },
    #[error("{0}")]
    Labs(String),
}

/// The wasm module and its JS glue.
pub struct Bundle {
    glue: Vec<u8>,
    wasm: Vec<u8>,
}

impl Bundle {
    pub fn load(dir: &Path) -> Result<Bundle, ServeError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|source| ServeError::NoBundle {
                path: path.display().to_string(),
                source,
            })
        };
        Ok(Bundle {
            glue: read("web_viz.js")?,
            wasm: read("web_viz_bg.wasm")?,
        })
    }
}

/// The scenario the page opens with.
#[derive(Debug, Clone, Serialize)]
pub struct Start {
    pub name: String,
    pub yaml: String,
}

impl Start {
    /// One editable text from the scenario's files (a directory's files joined as
    /// documents, each headed by its name).
    pub fn from_files(files: &[SourceFile]) -> Start {
        if let [only] = files {
            return Start {
                name: only.name.clone(),
                yaml: only.text.clone(),
            };
        }
        let yaml = files
            .iter()
            .map(|f| format!("# {}\n{}", f.name, f.text.trim_end()))
            .collect::<Vec<_>>()
            .join("\n---\n");
        let name = files
            .first()
            .map(|f| format!("{} (+{} files)", f.name, files.len() - 1))
            .unwrap_or_default();
        Start { name, yaml }
    }
}

/// One exercise as the lab menu offers it.
#[derive(Debug, Serialize)]
struct LabEntry {
    number: u32,
    slug: String,
    title: String,
    /// The student's task text (`README.md`).
    readme: String,
    /// The same, rendered from Markdown for the Task tab.
    readme_html: String,
    scenario: Start,
    solution: Start,
}

/// A lab's Markdown as HTML for the page. HTML written in the Markdown is shown as text,
/// never run: the page puts this into the document as it is.
fn task_html(markdown: &str) -> String {
    use pulldown_cmark::{html, Event, Parser};
    let events = Parser::new(markdown).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

/// Everything the server hands out, computed once.
pub struct Site {
    bundle: Bundle,
    start_json: String,
    labs_json: String,
}

impl Site {
    pub fn new(bundle: Bundle, start: &Start) -> Result<Site, ServeError> {
        let mut labs = Vec::new();
        for lab in catalogue::all().map_err(ServeError::Labs)? {
            labs.push(LabEntry {
                number: lab.number,
                title: lab.spec.title.clone(),
                readme: lab.readme.clone(),
                readme_html: task_html(&lab.readme),
                scenario: Start::from_files(&lab.start().map_err(ServeError::Labs)?),
                solution: Start::from_files(&lab.solution().map_err(ServeError::Labs)?),
                slug: lab.slug,
            });
        }
        Ok(Site {
            bundle,
            start_json: serde_json::to_string(start).expect("plain data"),
            labs_json: serde_json::to_string(&labs).expect("plain data"),
        })
    }

    /// The response to `GET path`: status, content type, body.
    pub fn respond(&self, path: &str) -> (u16, &'static str, &[u8]) {
        let path = path.split(['?', '#']).next().unwrap_or("/");
        match path {
            "/" | "/index.html" => (200, "text/html; charset=utf-8", INDEX_HTML.as_bytes()),
            "/app.js" => (200, JS, APP_JS.as_bytes()),
            "/diagram.js" => (200, JS, DIAGRAM_JS.as_bytes()),
            "/panels.js" => (200, JS, PANELS_JS.as_bytes()),
            "/style.css" => (200, "text/css; charset=utf-8", STYLE_CSS.as_bytes()),
            "/pkg/web_viz.js" => (200, JS, &self.bundle.glue),
            "/pkg/web_viz_bg.wasm" => (200, "application/wasm", &self.bundle.wasm),
            "/api/start.json" => (200, JSON, self.start_json.as_bytes()),
            "/api/labs.json" => (200, JSON, self.labs_json.as_bytes()),
            _ => (404, "text/plain; charset=utf-8", b"not found\n"),
        }
    }
}

const JS: &str = "text/javascript; charset=utf-8";
const JSON: &str = "application/json";

/// Listens on 127.0.0.1 only (port 0: any free port).
pub fn bind(port: u16) -> Result<tiny_http::Server, ServeError> {
    tiny_http::Server::http(("127.0.0.1", port)).map_err(|e| ServeError::Bind {
        port,
        message: e.to_string(),
    })
}

/// The port the server got (useful with port 0).
pub fn port_of(server: &tiny_http::Server) -> u16 {
    server.server_addr().to_ip().map_or(0, |a| a.port())
}

/// Answers requests until the process ends.
pub fn run(server: &tiny_http::Server, site: &Site) {
    for request in server.incoming_requests() {
        answer(site, request);
    }
}

/// Answers one request (GET and HEAD only).
pub fn answer(site: &Site, request: tiny_http::Request) {
    use tiny_http::Method;
    let (status, content_type, body) = match request.method() {
        Method::Get | Method::Head => site.respond(request.url()),
        _ => (405, "text/plain; charset=utf-8", &b"only GET\n"[..]),
    };
    let response = tiny_http::Response::from_data(body.to_vec())
        .with_status_code(status)
        .with_header(header("Content-Type", content_type))
        .with_header(header("Cache-Control", "no-cache"));
    // A client that went away is no concern of the server's.
    let _ = request.respond(response);
}

fn header(name: &str, value: &str) -> tiny_http::Header {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("ASCII header")
}

#[cfg(test)]
mod tests {
    use super::task_html;

    #[test]
    fn task_text_renders_markdown_and_shows_html_as_text() {
        let html = task_html(
            "# Lab 1\n\nRun `calisim check`:\n\n1. look\n2. <script>alert(1)</script> fix\n",
        );
        assert!(html.contains("<h1>Lab 1</h1>"), "{html}");
        assert!(html.contains("<code>calisim check</code>"), "{html}");
        assert_eq!(html.matches("<li>").count(), 2, "{html}");
        assert!(!html.contains("<script>"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
    }
}
