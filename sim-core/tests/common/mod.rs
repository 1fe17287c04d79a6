//! Shared by sim-core's integration tests: the design-validation scenarios.

use std::path::PathBuf;

use sim_core::scenario::SourceFile;
use sim_core::state::{self, ClusterState};

/// Every scenario under snapshots/scenarios, in name order.
pub fn scenario_paths() -> Vec<PathBuf> {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../snapshots/scenarios"
    ));
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("snapshots/scenarios exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 8,
        "expected the scenarios in {}",
        dir.display()
    );
    paths
}

/// Loads and computes one scenario text, panicking with its diagnostics if invalid.
pub fn compute(name: &str, text: String) -> ClusterState {
    let (c, _) =
        state::load(&[SourceFile::new(name, text)]).unwrap_or_else(|d| panic!("{name}:\n{d}"));
    state::compute(c)
}
