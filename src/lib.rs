//! The `calisim` command line: reads files, calls sim-core, prints. No engine logic here.

pub mod catalogue;
pub mod diff_cmd;
pub mod exercises;
pub mod git;
pub mod input;
pub mod junit;
pub mod serve;
