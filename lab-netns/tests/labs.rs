//! End to end on real namespaces (root only; CI runs as root): each scenario is built,
//! every pod pair is probed and compared with the simulator (zero disagreements), the lab
//! is torn down, and no namespace with its prefix may remain. Every lab sits in a guard
//! whose Drop tears it down, so a test failing midway leaves nothing behind either. Lab
//! names differ per test: tests run in parallel.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use lab_netns::compare::probe_endpoints;
use lab_netns::diff::{diff, DiffOptions};
use lab_netns::probe::{Proto, TIMEOUT};
use lab_netns::{features, netns, Error, Lab, UpOptions};
use sim_core::scenario::SourceFile;
use sim_core::state::ClusterState;

/// Root builds labs; anyone else gets a clear line and no lab.
fn needs_root(test: &str) -> bool {
    if features::is_root() {
        return true;
    }
    eprintln!("skipped: needs root ({test} builds network namespaces)");
    false
}

fn scenario(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn load(path: &Path) -> (Vec<SourceFile>, ClusterState) {
    let text = std::fs::read_to_string(path).expect("the scenario exists");
    let files = vec![SourceFile::new(path.display().to_string(), text)];
    let (cluster, _) = sim_core::state::load(&files).expect("the scenario loads");
    (files, sim_core::state::compute(cluster))
}

/// A lab that is torn down when the guard goes, however the test ends.
struct Guard(String);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = lab_netns::lab::remove(&self.0);
    }
}

fn up_with(
    name: &str,
    path: &Path,
    options: &UpOptions,
) -> (Guard, Result<Lab, Error>, ClusterState) {
    let guard = Guard(name.to_owned());
    let (files, state) = load(path);
    let plan = sim_core::plan::plan(&state, name);
    let lab = lab_netns::up(name, &plan, &files, &state.cluster.name, options)
        .and_then(|_| Lab::open(name));
    (guard, lab, state)
}

fn up(name: &str, path: &Path) -> (Guard, Lab, ClusterState) {
    let (guard, lab, state) = up_with(name, path, &UpOptions::default());
    (guard, lab.expect("the lab builds"), state)
}

/// Nothing of lab `name` is left: no namespace with its prefix, no record.
fn assert_gone(name: &str) {
    let prefix = lab_netns::lab::prefix(name);
    let left: Vec<String> = netns::list()
        .expect("/run/netns is readable")
        .into_iter()
        .filter(|n| n.starts_with(&prefix))
        .collect();
    assert!(
        left.is_empty(),
        "lab {name} left namespaces behind: {left:?}"
    );
    assert!(
        !lab_netns::record::dir(name).exists(),
        "lab {name} left its record behind"
    );
}

/// Builds, diffs (zero disagreements), tears down, checks nothing is left.
fn diff_clean(name: &str, path: &Path) -> lab_netns::diff::DiffReport {
    let (guard, lab, state) = up(name, path);
    let report = diff(&lab, &state, &DiffOptions::default()).expect("the diff runs");
    let shown: Vec<String> = report
        .disagreements
        .iter()
        .map(|d| format!("{} -> {}: kernel {:?}\n{}", d.from, d.to, d.kernel, d.trace))
        .collect();
    assert!(
        report.disagreements.is_empty(),
        "{name}: the kernel and the simulator disagree:\n{}",
        shown.join("\n")
    );
    let pods = state.cluster.pods.len();
    assert_eq!(report.pairs, pods * pods, "{name}: every ordered pair");
    lab_netns::down(name).expect("the lab comes down");
    drop(guard);
    assert_gone(name);
    report
}

#[test]
fn vxlan_across_nodes_agrees_with_the_simulator() {
    if !needs_root("vxlan_across_nodes") {
        return;
    }
    let report = diff_clean(
        "t-vxlan",
        &scenario("../snapshots/scenarios/one-l2-vxlan.yaml"),
    );
    assert_eq!(report.delivered, 9, "VXLAN carries every pair");
}

#[test]
fn never_on_one_l2_agrees_with_the_simulator() {
    if !needs_root("never_on_one_l2") {
        return;
    }
    let report = diff_clean(
        "t-never",
        &scenario("../snapshots/scenarios/one-l2-never.yaml"),
    );
    assert_eq!(report.delivered, 9, "BIRD's direct routes carry every pair");
}

#[test]
fn vxlan_crosssubnet_across_a_router_agrees_with_the_simulator() {
    if !needs_root("vxlan_crosssubnet") {
        return;
    }
    let path = scenario("tests/scenarios/two-racks-vxlan-crosssubnet.yaml");
    let (_guard, lab, state) = up("t-xsub", &path);
    // Same rack: straight out of the NIC; across racks: vxlan.calico, through the router.
    let a1 = lab.target("a1").expect("node a1");
    let route = |dev: &str| {
        let routes = std::process::Command::new("ip")
            .args(["netns", "exec", &a1, "ip", "route"])
            .output()
            .expect("ip runs");
        String::from_utf8_lossy(&routes.stdout)
            .lines()
            .any(|l| l.contains(dev) && l.contains("onlink"))
    };
    assert!(route("dev ens160 proto 80"), "a same-rack route by the NIC");
    assert!(route("dev vxlan.calico"), "an other-rack route by VXLAN");
    let report = diff(&lab, &state, &DiffOptions::default()).expect("the diff runs");
    assert!(
        report.disagreements.is_empty(),
        "{:#?}",
        report.disagreements
    );
    assert_eq!(report.delivered, 9);
    drop(_guard);
    assert_gone("t-xsub");
}

#[test]
fn nat_outgoing_reaches_an_external_host_and_routed_pods_lose_the_reply() {
    if !needs_root("nat_outgoing") {
        return;
    }
    let path = scenario("tests/scenarios/egress-nat-vxlan.yaml");
    let (guard, lab, state) = up("t-nat", &path);
    for proto in [Proto::Tcp, Proto::Udp, Proto::Icmp] {
        for (pod, expected) in [("masq-1", true), ("masq-2", true), ("routed-1", false)] {
            let from = format!("default/{pod}");
            let c = probe_endpoints(&lab, &state, &from, "ext:internet", proto, 80, TIMEOUT)
                .expect("the probe runs");
            assert_eq!(
                c.kernel.delivered, expected,
                "{from} -> ext:internet {proto:?}: kernel {:?}",
                c.kernel
            );
            assert_eq!(
                c.simulator.delivered, expected,
                "{from} -> ext:internet {proto:?}: simulator {:?}",
                c.simulator
            );
        }
    }
    let report = diff(&lab, &state, &DiffOptions::default()).expect("the diff runs");
    assert!(
        report.disagreements.is_empty(),
        "{:#?}",
        report.disagreements
    );
    drop(guard);
    assert_gone("t-nat");
}

#[test]
fn same_node_pods_talk_over_every_protocol() {
    if !needs_root("same_node") {
        return;
    }
    let path = scenario("../snapshots/scenarios/one-l2-never.yaml");
    let (guard, lab, state) = up("t-same", &path);
    // web-2 and db-1 both run on k8s-worker2.
    for (from, to) in [
        ("default/web-2", "default/db-1"),
        ("default/db-1", "default/web-2"),
    ] {
        for proto in [Proto::Tcp, Proto::Udp, Proto::Icmp] {
            let c = probe_endpoints(&lab, &state, from, to, proto, 8080, TIMEOUT)
                .expect("the probe runs");
            assert!(
                c.kernel.delivered,
                "{from} -> {to} {proto:?}: {:?}",
                c.kernel
            );
            assert!(c.simulator.delivered, "{from} -> {to} {proto:?}");
            assert!(
                !c.trace.passes_through("lan"),
                "same node: the simulator never leaves k8s-worker2"
            );
        }
    }
    drop(guard);
    assert_gone("t-same");
}

#[test]
fn bgp_down_drops_in_the_kernel_as_in_the_simulator() {
    if !needs_root("bgp_down") {
        return;
    }
    let report = diff_clean(
        "t-bgp",
        &scenario("tests/scenarios/multi-nic-wrong-address-never.yaml"),
    );
    // web-3 on k8s-3 has no route to the others' blocks, nor they to its.
    assert_eq!(report.dropped, 4, "{report:#?}");
    assert_eq!(report.delivered, 5);
}

#[test]
fn a_test_failing_midway_leaves_nothing_behind() {
    if !needs_root("failing_midway") {
        return;
    }
    let path = scenario("../snapshots/scenarios/one-l2-never.yaml");
    let failed = std::panic::catch_unwind(|| {
        let (_guard, _lab, _state) = up("t-midway", &path);
        panic!("a failure halfway through a test");
    });
    assert!(failed.is_err());
    assert_gone("t-midway");
}

#[test]
fn a_failing_build_is_rolled_back() {
    if !needs_root("failing_build") {
        return;
    }
    let path = scenario("../snapshots/scenarios/one-l2-vxlan.yaml");
    let (files, state) = load(&path);
    let mut plan = sim_core::plan::plan(&state, "t-rollback");
    // A route through a device that does not exist: the build fails at the routes step,
    // after namespaces, veths, tunnels and addresses were made.
    let last = plan.namespaces.last_mut().expect("namespaces");
    let mut bad = last.routes.first().cloned().expect("a pod route");
    bad.dev = Some("missing0".into());
    last.routes.push(bad);
    let broken = last.name.clone();
    let err = lab_netns::up("t-rollback", &plan, &files, "x", &UpOptions::default())
        .expect_err("the build fails");
    let text = err.to_string();
    assert!(
        text.contains("missing0"),
        "the error names the device: {text}"
    );
    assert!(
        text.contains(&broken),
        "the error names the namespace: {text}"
    );
    assert_gone("t-rollback");
}

#[test]
fn a_cancelled_build_is_rolled_back() {
    if !needs_root("cancelled_build") {
        return;
    }
    let cancel = AtomicBool::new(false);
    let progress = |p: lab_netns::Progress| {
        if p.phase == "veths" {
            cancel.store(true, Ordering::SeqCst);
        }
    };
    let options = UpOptions {
        cancel: Some(&cancel),
        progress: Some(&progress),
    };
    let path = scenario("../snapshots/scenarios/one-l2-vxlan.yaml");
    let (_guard, lab, _) = up_with("t-cancel", &path, &options);
    assert!(matches!(lab, Err(Error::Interrupted { .. })), "interrupted");
    assert_gone("t-cancel");
}

#[test]
fn a_crashed_lab_of_the_same_name_is_replaced() {
    if !needs_root("crashed_lab") {
        return;
    }
    // What a crash halfway through `lab up` leaves: a namespace, no record.
    netns::delete("csim-t-stale-node-k8s-gone").expect("no stray from an earlier run");
    netns::create("csim-t-stale-node-k8s-gone").expect("a stray namespace");
    let path = scenario("../snapshots/scenarios/one-l2-never.yaml");
    let (guard, _lab, _) = up("t-stale", &path);
    assert!(!netns::exists("csim-t-stale-node-k8s-gone"));
    drop(guard);
    assert_gone("t-stale");
}

#[test]
fn ipip_lab_agrees_with_the_simulator_when_the_kernel_has_ipip() {
    if !needs_root("ipip_lab") {
        return;
    }
    if !features::ipip_supported() {
        eprintln!("skipped: this kernel has no ipip module (`ip link add type ipip` fails in a scratch namespace)");
        return;
    }
    diff_clean(
        "t-ipip",
        &scenario("../snapshots/scenarios/one-l2-ipip.yaml"),
    );
}

#[test]
fn ipip_plans_are_refused_naming_the_module_when_the_kernel_lacks_it() {
    if !needs_root("ipip_refused") {
        return;
    }
    if features::ipip_supported() {
        eprintln!("skipped: this kernel has the ipip module, so IPIP labs build");
        return;
    }
    let path = scenario("../snapshots/scenarios/one-l2-ipip.yaml");
    let (_guard, lab, _) = up_with("t-noipip", &path, &UpOptions::default());
    let err = lab.err().expect("refused");
    assert!(matches!(err, Error::Unsupported(_)), "{err}");
    assert!(err.to_string().contains("`ipip` kernel module"), "{err}");
    assert_gone("t-noipip");
}
