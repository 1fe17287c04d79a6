//! Shared by the snapshot tests: the design-validation scenarios and loading them.
#![allow(dead_code)] // each test binary uses its own part of these helpers

use std::path::{Path, PathBuf};

use calisim::input::read_scenario;
use sim_core::state::{self, ClusterState};

/// Every scenario under snapshots/scenarios, plus the embedded default cluster.
pub fn scenarios() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("snapshots/scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("snapshots/scenarios exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    assert!(!files.is_empty(), "no scenarios in {}", dir.display());
    files.push(root.join("labs/default/scenario.yaml"));
    files.sort();
    files
}

/// The snapshot name of a scenario file (`default` for the embedded cluster).
pub fn snapshot_name(path: &Path) -> &str {
    match path
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("utf-8 name")
    {
        "scenario" => "default",
        name => name,
    }
}

pub fn compute(path: &Path) -> ClusterState {
    let files = read_scenario(Some(path)).expect("scenario readable");
    let (cluster, _) = state::load(&files).unwrap_or_else(|d| panic!("{}:\n{d}", path.display()));
    state::compute(cluster)
}

/// The path shown in a snapshot's header.
pub fn relative(path: &Path) -> String {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .display()
        .to_string()
}
