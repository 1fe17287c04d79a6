//! The `calisim` command line: reads files, calls sim-core, prints. No engine logic here.

pub mod diff_cmd;
pub mod git;
pub mod input;
