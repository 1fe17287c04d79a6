//! The `calisim` command line: reads files, calls sim-core, prints. No engine logic here.

pub mod catalogue;
pub mod exercises;
pub mod input;
pub mod junit;
