//! `calisim diff` on the classic design changes: each case is a pair of scenarios under
//! snapshots/diff/<case>/ and its report is an insta snapshot (snapshots/diff/<case>.snap).

mod common;

use std::path::{Path, PathBuf};

use sim_core::diff::{self, render, ClusterDiff, ProbeSpec};

fn case_dir(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("snapshots/diff")
        .join(case)
}

fn run(case: &str) -> ClusterDiff {
    let dir = case_dir(case);
    let before = common::compute(&dir.join("before.yaml"));
    let after = common::compute(&dir.join("after.yaml"));
    diff::diff(&before, &after, &ProbeSpec::defaults())
}

/// The report as `calisim diff snapshots/diff/CASE/before.yaml snapshots/diff/CASE/after.yaml` prints it.
fn snapshot(case: &str, markdown: bool) -> ClusterDiff {
    let d = run(case);
    let (before, after) = (
        format!("snapshots/diff/{case}/before.yaml"),
        format!("snapshots/diff/{case}/after.yaml"),
    );
    let (name, text, format) = if markdown {
        (
            format!("{case}-markdown"),
            render::markdown(&d, &before, &after),
            " --format markdown",
        )
    } else {
        (case.to_string(), render::text(&d, &before, &after), "")
    };
    insta::with_settings!({
        snapshot_path => "../snapshots/diff",
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => format!("calisim diff {before} {after}{format}"),
    }, {
        insta::assert_snapshot!(name, text);
    });
    d
}

#[test]
fn a_new_default_deny_policy() {
    let d = snapshot("default-deny", false);
    snapshot("default-deny", true);
    let denied: Vec<String> = d
        .reachability
        .newly_denied
        .iter()
        .map(|c| format!("{} → {} {}", c.from, c.to, c.probe))
        .collect();
    assert_eq!(
        denied,
        [
            "default/debug → backend/api-1 tcp/80",
            "default/debug → backend/api-1 tcp/8080",
            "frontend/web-1 → backend/api-1 tcp/80",
        ],
        "the frontend keeps the API's named port"
    );
    assert!(d.reachability.newly_allowed.is_empty());
    for c in &d.reachability.newly_denied {
        assert!(c.before.starts_with("delivered ("), "{}", c.before);
        assert!(
            c.after.starts_with("denied by policy: default deny"),
            "{}",
            c.after
        );
    }
    assert!(d.routes.is_empty() && d.sessions.is_empty() && d.ipam.is_empty());
}

#[test]
fn switching_ipip_to_vxlan() {
    let d = snapshot("ipip-to-vxlan", false);
    assert!(d.reachability.is_empty());
    assert_eq!(d.paths.len(), 1);
    let p = &d.paths[0];
    assert_eq!(
        (p.before.encapsulation, p.after.encapsulation),
        ("ipip", "vxlan")
    );
    assert_eq!(
        p.pairs.len(),
        4,
        "every pair across the two workers, both ways"
    );
    assert_eq!(d.routes.len(), 3, "every node's routes");
    assert!(d
        .routes
        .iter()
        .all(|n| n.added.iter().all(|l| !l.contains("tunl0"))));
    assert_eq!(
        d.ipam.tunnels.len(),
        6,
        "tunl0 addresses go, VTEP addresses come"
    );
}

#[test]
fn enabling_crosssubnet_across_two_racks() {
    let d = snapshot("crosssubnet-two-racks", false);
    assert_eq!(d.paths.len(), 1);
    let p = &d.paths[0];
    assert_eq!(
        (p.before.encapsulation, p.after.encapsulation),
        ("ipip", "direct")
    );
    let pairs: Vec<(&str, &str)> = p
        .pairs
        .iter()
        .map(|x| (x.from.as_str(), x.to.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("default/web-a1", "default/web-a2"),
            ("default/web-a2", "default/web-a1")
        ],
        "within rack a only; across racks IPIP stays"
    );
}

#[test]
fn disabling_the_mesh_without_route_reflectors() {
    let d = snapshot("mesh-off-no-reflectors", false);
    snapshot("mesh-off-no-reflectors", true);
    assert_eq!(d.sessions.len(), 6, "3 nodes × 2 mesh peers");
    assert!(d
        .sessions
        .iter()
        .all(|s| s.before.as_ref().is_some_and(|v| v.info == "Established") && s.after.is_none()));
    assert!(d
        .routes
        .iter()
        .all(|n| n.added.is_empty() && !n.removed.is_empty()));
    assert_eq!(d.reachability.newly_denied.len(), 2);
    for c in &d.reachability.newly_denied {
        assert!(
            c.after.contains("the node-to-node mesh is off"),
            "{}",
            c.after
        );
    }
}

#[test]
fn changing_the_block_size() {
    let d = snapshot("block-size", false);
    assert_eq!(d.ipam.pods.len(), 3);
    assert!(d.ipam.pods.iter().all(|c| {
        let prefix = |a: &Option<diff::PodAddress>| a.and_then(|a| a.block).map(|b| b.prefix());
        prefix(&c.before) == Some(26) && prefix(&c.after) == Some(25)
    }));
    let lints: Vec<&str> = d.lints.new.iter().map(|f| f.lint.as_str()).collect();
    assert_eq!(lints, ["too-few-blocks"]);
    assert!(d.reachability.is_empty(), "borrowed addresses still route");
}

#[test]
fn adding_a_pool_with_a_node_selector() {
    let d = snapshot("pool-node-selector", false);
    let moved: Vec<String> = d
        .ipam
        .pods
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                c.pod,
                c.after.expect("an address").block.expect("a block")
            )
        })
        .collect();
    assert_eq!(moved, ["backend/api-b1 10.49.80.128/26"]);
    assert_eq!(d.ipam.tunnels.len(), 1, "b1's VTEP moves to the new pool");
    assert!(d.reachability.is_empty() && d.paths.is_empty());
}

#[test]
fn json_names_every_section() {
    let v = serde_json::to_value(run("mesh-off-no-reflectors")).expect("serialises");
    for key in [
        "probes",
        "pods",
        "nodes",
        "reachability",
        "paths",
        "routes",
        "sessions",
        "ipam",
        "lints",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let denied = &v["reachability"]["newly_denied"][0];
    for key in ["from", "to", "probe", "before", "after"] {
        assert!(denied.get(key).is_some(), "pair change missing {key}");
    }
    assert_eq!(v["sessions"][0]["before"]["info"], "Established");
    assert!(v["sessions"][0]["after"].is_null());
}
