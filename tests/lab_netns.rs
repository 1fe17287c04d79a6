//! `calisim lab` end to end, as a user runs it (root only; CI runs as root): inside a node
//! namespace `ip route` prints what `calisim routes` prints, the exit codes of probe and
//! diff, Ctrl-C during `lab up`, and the refusal of IPIP on a kernel without the module.
//! The library's own end-to-end tests are in lab-netns/tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use lab_netns::{features, netns};

fn calisim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_calisim"))
        .args(args)
        .output()
        .expect("calisim runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn needs_root(test: &str) -> bool {
    if features::is_root() {
        return true;
    }
    eprintln!("skipped: needs root ({test} builds network namespaces)");
    false
}

fn path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// `calisim lab down NAME` when the test ends, however it ends.
struct Guard(&'static str);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = lab_netns::lab::remove(self.0);
    }
}

fn up(name: &'static str, scenario: &Path) -> Guard {
    let guard = Guard(name);
    let out = calisim(&[
        "lab",
        "up",
        scenario.to_str().expect("utf-8"),
        "--name",
        name,
    ]);
    assert!(out.status.success(), "lab up {name}: {}", stderr(&out));
    assert!(
        stdout(&out).starts_with(&format!("lab {name} is up: ")),
        "{}",
        stdout(&out)
    );
    guard
}

fn assert_gone(name: &str) {
    let prefix = lab_netns::lab::prefix(name);
    let left: Vec<String> = netns::list()
        .expect("/run/netns is readable")
        .into_iter()
        .filter(|n| n.starts_with(&prefix))
        .collect();
    assert!(left.is_empty(), "lab {name} left {left:?}");
}

/// iproute2 6.1 ends each `ip route` line with a space; the lines are otherwise compared
/// character for character.
fn lines(text: &str) -> Vec<String> {
    text.lines().map(|l| l.trim_end().to_owned()).collect()
}

#[test]
fn ip_route_in_a_lab_prints_what_calisim_routes_prints() {
    if !needs_root("ip_route_in_a_lab") {
        return;
    }
    for (name, scenario) in [
        ("c-routes1", path("snapshots/scenarios/one-l2-vxlan.yaml")),
        (
            "c-routes2",
            path("lab-netns/tests/scenarios/two-racks-vxlan-crosssubnet.yaml"),
        ),
        (
            "c-routes3",
            path("lab-netns/tests/scenarios/egress-nat-vxlan.yaml"),
        ),
    ] {
        let s = scenario.to_str().expect("utf-8");
        let _guard = up(name, &scenario);
        let state = {
            let files = calisim::input::read_scenario(Some(&scenario)).expect("readable");
            sim_core::state::compute(sim_core::state::load(&files).expect("loads").0)
        };
        let mut targets: Vec<String> = state.cluster.nodes.iter().map(|n| n.name.clone()).collect();
        targets.extend(state.cluster.pods.iter().map(|p| p.key()));
        for target in &targets {
            let kernel = calisim(&["lab", "exec", name, target, "--", "ip", "route"]);
            assert!(kernel.status.success(), "{target}: {}", stderr(&kernel));
            let simulated = lines(&stdout(&calisim(&["routes", target, s])));
            let kernel = lines(&stdout(&kernel));
            assert_eq!(
                kernel, simulated,
                "{s} {target}: `ip route` in the lab (left) against `calisim routes` (right)"
            );
        }
        let down = calisim(&["lab", "down", name]);
        assert!(down.status.success(), "{}", stderr(&down));
        assert_gone(name);
    }
}

#[test]
fn probe_and_diff_exit_codes() {
    if !needs_root("probe_and_diff") {
        return;
    }
    let scenario = path("lab-netns/tests/scenarios/egress-nat-vxlan.yaml");
    let _guard = up("c-codes", &scenario);
    let probe = |from: &str| {
        calisim(&[
            "lab",
            "probe",
            "c-codes",
            "--from",
            from,
            "--to",
            "ext:internet",
            "--proto",
            "icmp",
        ])
    };
    let masq = probe("default/masq-1");
    assert_eq!(masq.status.code(), Some(0), "{}", stdout(&masq));
    assert!(
        stdout(&masq).contains("kernel:    delivered"),
        "{}",
        stdout(&masq)
    );
    let routed = probe("default/routed-1");
    assert_eq!(routed.status.code(), Some(1), "{}", stdout(&routed));
    assert!(
        stdout(&routed).contains("simulator: dropped"),
        "{}",
        stdout(&routed)
    );

    let diff = calisim(&["lab", "diff", "c-codes", "--json"]);
    assert_eq!(diff.status.code(), Some(0), "{}", stdout(&diff));
    let report: serde_json::Value = serde_json::from_slice(&diff.stdout).expect("JSON");
    assert_eq!(report["pairs"], 9);
    assert_eq!(report["disagreements"].as_array().map(Vec::len), Some(0));

    let status = calisim(&["lab", "status", "--json"]);
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).expect("JSON");
    let ours = status["labs"]
        .as_array()
        .and_then(|labs| labs.iter().find(|l| l["name"] == "c-codes"))
        .expect("status lists the lab");
    assert_eq!(ours["state"], "up");
    assert_eq!(ours["present"], ours["namespaces"]);

    let missing = calisim(&[
        "lab",
        "probe",
        "no-such-lab",
        "--from",
        "a/b",
        "--to",
        "c/d",
    ]);
    assert_eq!(missing.status.code(), Some(2), "{}", stderr(&missing));
    let down = calisim(&["lab", "down", "c-codes"]);
    assert!(down.status.success(), "{}", stderr(&down));
    assert_gone("c-codes");
}

#[test]
fn ctrl_c_during_lab_up_leaves_nothing_behind() {
    if !needs_root("ctrl_c_during_lab_up") {
        return;
    }
    let _guard = Guard("c-sigint");
    // 10 nodes and 100 pods: a build long enough to interrupt.
    let generated = calisim(&["gen", "--nodes", "10", "--pods", "100"]);
    let mut text = stdout(&generated);
    text += "---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: default-ipv4-ippool}\nspec: {cidr: 10.244.0.0/16, ipipMode: Never, vxlanMode: Always}\n";
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("big.yaml");
    std::fs::write(&file, text).expect("written");
    let child = Command::new(env!("CARGO_BIN_EXE_calisim"))
        .args([
            "lab",
            "up",
            file.to_str().expect("utf-8"),
            "--name",
            "c-sigint",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("calisim starts");
    // Interrupt once the build has started making namespaces.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !netns::list()
        .expect("/run/netns is readable")
        .iter()
        .any(|n| n.starts_with("csim-c-sigint-"))
    {
        assert!(Instant::now() < deadline, "the build never started");
        std::thread::sleep(Duration::from_millis(1));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(kill.success());
    let out = child.wait_with_output().expect("calisim ends");
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(stderr(&out).contains("interrupted"), "{}", stderr(&out));
    assert_gone("c-sigint");
    assert!(!lab_netns::record::dir("c-sigint").exists());
}

#[test]
fn lab_up_refuses_ipip_naming_the_module() {
    if !needs_root("lab_up_refuses_ipip") {
        return;
    }
    if features::ipip_supported() {
        eprintln!("skipped: this kernel has the ipip module, so IPIP labs build");
        return;
    }
    let _guard = Guard("c-ipip");
    let scenario = path("snapshots/scenarios/one-l2-ipip.yaml");
    let out = calisim(&[
        "lab",
        "up",
        scenario.to_str().expect("utf-8"),
        "--name",
        "c-ipip",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("`ipip` kernel module"),
        "{}",
        stderr(&out)
    );
    assert_gone("c-ipip");
}

#[test]
fn lab_names_are_checked() {
    for bad in ["Upper", "under_score", "seventeen-chars-x", ""] {
        let out = calisim(&["lab", "up", "--name", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", stderr(&out));
    }
}

/// Every exercise opens on namespaces when the kernel has what its plan needs (here: all
/// but the IPIP ones, which are refused naming the module), and the kernel agrees with the
/// simulator on every pod pair of its starting scenario.
#[test]
fn every_exercise_opens_on_namespaces() {
    if !needs_root("every_exercise_opens_on_namespaces") {
        return;
    }
    let ipip = features::ipip_supported();
    for lab in calisim::catalogue::all().expect("the catalogue loads") {
        let state = calisim::exercises::compute(lab.start().unwrap()).expect("loads");
        let plan = sim_core::plan::plan(&state, "x");
        let needs_ipip = plan.namespaces.iter().any(|n| n.ipip.is_some());
        let number = lab.number.to_string();
        let name: &'static str = Box::leak(format!("ex{}", lab.number).into_boxed_str());
        if needs_ipip && !ipip {
            let o = calisim(&["lab", "up", &number, "--name", name]);
            assert!(!o.status.success(), "{}: IPIP must be refused", lab.path());
            assert!(
                stderr(&o).contains("ipip"),
                "{}: {}",
                lab.path(),
                stderr(&o)
            );
            assert_gone(name);
            continue;
        }
        let guard = Guard(name);
        let o = calisim(&["lab", "up", &number, "--name", name]);
        assert!(o.status.success(), "{}: {}", lab.path(), stderr(&o));
        let diff = calisim(&["lab", "diff", name]);
        assert!(
            diff.status.success(),
            "{}: the kernel disagrees with the simulator:\n{}",
            lab.path(),
            stdout(&diff)
        );
        drop(guard);
        assert_gone(name);
    }
}

/// Network policy on namespaces: Felix's chains as nftables, compiled from the engine the
/// walker asks; the kernel agrees with the simulator on every pair, on both ports.
#[test]
fn policy_is_enforced_by_the_kernel_as_felix_would() {
    if !needs_root("policy_is_enforced_by_the_kernel_as_felix_would") {
        return;
    }
    let _guard = up(
        "c-policy",
        &path("snapshots/scenarios/policy-default-deny.yaml"),
    );
    for port in ["80", "5432"] {
        let diff = calisim(&["lab", "diff", "c-policy", "--port", port]);
        let out = stdout(&diff);
        assert!(diff.status.success(), "port {port}:\n{out}");
        assert!(
            out.contains("both dropped") && !out.contains("both dropped 0"),
            "some pairs must be denied: {out}"
        );
    }
}

/// Services on namespaces: kube-proxy's DNAT in nftables sends a cluster IP and a node port
/// to the endpoint the simulator picks; an empty service is refused. Kernel and simulator
/// agree on each probe (exit 0 delivered, 1 dropped, both sides the same).
#[test]
fn services_are_natted_by_the_kernel_as_kube_proxy_would() {
    if !needs_root("services_are_natted_by_the_kernel_as_kube_proxy_would") {
        return;
    }
    let _guard = up("c-svc", &path("snapshots/scenarios/services.yaml"));
    for (from, to, port, code) in [
        ("default/client", "svc:default/web", "80", 0),
        ("ext:laptop", "node:node-2", "30080", 0),
        ("default/client", "svc:default/nothing", "80", 1),
    ] {
        let o = calisim(&[
            "lab", "probe", "c-svc", "--from", from, "--to", to, "--port", port,
        ]);
        let out = stdout(&o);
        assert_eq!(o.status.code(), Some(code), "{from} → {to}:{port}\n{out}");
        assert!(!out.contains("disagree"), "{out}");
    }
}
