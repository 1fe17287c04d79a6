//! `calisim lab exec`: a command run inside a lab namespace, spawned from a thread that has
//! entered it (the child starts in that thread's network namespace), with the caller's
//! standard input, output and error.

use std::process::{Command, ExitStatus};

use crate::error::{Error, Result};
use crate::netns;

pub fn exec(ns: &str, argv: &[String]) -> Result<ExitStatus> {
    let Some((program, args)) = argv.split_first() else {
        return Err(Error::Usage("exec needs a command after --".into()));
    };
    netns::run_in(ns, || {
        Command::new(program)
            .args(args)
            .status()
            .map_err(|e| Error::op(ns, None, format!("run {program}"), e))
    })?
}
