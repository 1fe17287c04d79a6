//! Design-validation snapshots of routing: every node's `ip route`, `route -n` and
//! `calicoctl node status` for every scenario under snapshots/scenarios.

use std::path::{Path, PathBuf};

use calisim::input::read_scenario;
use sim_core::render::{links, routes, status};
use sim_core::state::{self, ClusterState};

fn scenarios() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots/scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("snapshots/scenarios exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("labs/default/scenario.yaml"));
    files.sort();
    files
}

fn compute(path: &Path) -> ClusterState {
    let files = read_scenario(Some(path)).expect("scenario readable");
    let (cluster, _) = state::load(&files).unwrap_or_else(|d| panic!("{}:\n{d}", path.display()));
    state::compute(cluster)
}

fn views(s: &ClusterState) -> String {
    let mut out = String::new();
    for (i, dp) in s.dataplane.iter().enumerate() {
        let address = &s.node_addresses[i];
        out.push_str(&format!(
            "#### node {}: address {}\n",
            dp.name,
            address
                .address
                .map_or("none".to_string(), |a| a.to_string())
        ));
        out.push_str(&format!("# {}\n", address.reason));
        out.push_str(&format!("$ ip route\n{}", routes::ip_route(dp)));
        out.push_str(&format!("$ route -n\n{}", routes::route_n(dp)));
        out.push_str(&format!("$ ip addr\n{}", links::ip_addr(dp)));
        out.push_str(&format!(
            "$ calicoctl node status\n{}",
            status::node_status(s, i)
        ));
        for sess in s.bgp.sessions_of(i).filter(|x| !x.state.established) {
            out.push_str(&format!(
                "# {} down: {}\n",
                sess.peering.protocol_name(),
                sess.state.why.as_deref().unwrap_or("")
            ));
        }
        out.push('\n');
    }
    out
}

#[test]
fn routing_snapshots() {
    for path in scenarios() {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name");
        let name = if name == "scenario" { "default" } else { name };
        let s = compute(&path);
        insta::with_settings!({
            snapshot_path => "../snapshots/routes",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(&path).display().to_string(),
        }, {
            insta::assert_snapshot!(name, views(&s));
        });
    }
}
