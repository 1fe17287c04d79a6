//! nftables rulesets loaded with `nft -f -` from a thread inside the namespace (a child
//! process starts in the network namespace of the thread that spawns it).

use std::io::Write;
use std::process::{Command, Stdio};

use crate::error::{Cause, Error, Result};
use crate::netns;

/// Loads `ruleset` (nft's text syntax) into namespace `ns`.
pub(crate) fn load(ns: &str, ruleset: &str) -> Result<()> {
    netns::run_in(ns, || {
        let mut child = Command::new("nft")
            .args(["-f", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                let hint = if e.kind() == std::io::ErrorKind::NotFound {
                    " (install the `nftables` package)"
                } else {
                    ""
                };
                Error::op(ns, None, format!("run nft{hint}"), e)
            })?;
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let written = stdin.write_all(ruleset.as_bytes());
        drop(stdin);
        let output = child
            .wait_with_output()
            .map_err(|e| Error::op(ns, None, "run nft", e))?;
        written.map_err(|e| Error::op(ns, None, "send the ruleset to nft", e))?;
        if output.status.success() {
            Ok(())
        } else {
            let message = String::from_utf8_lossy(&output.stderr).trim().to_owned();
            Err(Error::op(
                ns,
                None,
                "load the nftables ruleset",
                Cause::Message(message),
            ))
        }
    })?
}
