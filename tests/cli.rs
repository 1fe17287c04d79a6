//! The command line as users and graders drive it: outputs and exit codes (interfaces.md §2).

use std::process::{Command, Output};

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

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("temp file written");
    path.display().to_string()
}

const BAD: &str = "apiVersion: calisim.dev/v1alpha1\nkind: Cluster\nmetadata: {name: bad}\nspec:\n  networks: [{name: lan, cidr: 10.0.0.0/24}]\n  nodes: [{name: n1, interfaces: [{name: eth0, network: lan, address: 10.0.1.5}]}]\n  pods: [{name: p, node: n2}]\n";

#[test]
fn with_no_scenario_the_embedded_default_is_used() {
    let o = calisim(&["ipam", "show", "--show-blocks"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("| Block    | 10.244.120.64/26  |        64 | 2 (3%)     | 62 (97%)     |"),
        "{out}"
    );
}

#[test]
fn check_exits_0_when_clean_1_on_errors_2_on_usage() {
    let o = calisim(&["check"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("ok: cluster minikube (3 nodes, 5 pods, 1 pools, Calico v3.28.0)")
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let bad = write(&dir, "bad.yaml", BAD);
    let o = calisim(&["check", &bad]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("Cluster[bad].spec.nodes[0].interfaces[0].address: 10.0.1.5 is outside network `lan` (10.0.0.0/24)"), "{err}");
    assert!(
        err.contains("Cluster[bad].spec.pods[0].node: unknown node `n2`"),
        "{err}"
    );
    assert!(err.contains("2 error(s), 0 warning(s)"), "{err}");

    let o = calisim(&["check", "/nonexistent/scenario.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read /nonexistent/scenario.yaml"));

    let o = calisim(&["check", "--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn other_commands_refuse_invalid_input_with_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = write(&dir, "bad.yaml", BAD);
    let o = calisim(&["ipam", "show", &bad]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty(), "nothing half-computed is printed");
    assert!(stderr(&o).contains("nothing was computed"));
}

#[test]
fn json_output_is_machine_readable() {
    let o = calisim(&["ipam", "show", "-o", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("valid JSON");
    assert_eq!(v[0]["cidr"], "10.244.0.0/16");
    assert_eq!(v[0]["ipsInUse"], 8);
    assert_eq!(v[0]["blocks"][0]["affinity"], "minikube");
    let o = calisim(&["check", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("valid JSON");
    assert_eq!(v["ok"], true);
}

#[test]
fn a_directory_is_read_in_name_order_and_gen_output_loads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let generated = calisim(&[
        "gen",
        "--nodes",
        "4",
        "--pods",
        "10",
        "--pool-cidr",
        "10.50.0.0/16",
    ]);
    assert_eq!(generated.status.code(), Some(0));
    let text = stdout(&generated);
    let (cluster, pool) = text
        .split_once("---\n")
        .expect("gen writes a pool document");
    write(&dir, "10-cluster.yaml", cluster);
    write(&dir, "20-pool.yml", pool);
    write(&dir, "notes.txt", "not a scenario");
    let o = calisim(&["check", &dir.path().display().to_string()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("(4 nodes, 10 pods, 1 pools"),
        "{}",
        stdout(&o)
    );
    let o = calisim(&["ipam", "show", &dir.path().display().to_string()]);
    assert!(
        stdout(&o).contains("| IP Pool  | 10.50.0.0/16 |     65536 | 14 (0%)    |"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn unsupported_kinds_are_reported_not_misread() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/labs/default/scenario.yaml"
    ))
    .expect("default scenario");
    let path = write(
        &dir,
        "s.yaml",
        &format!("{good}---\napiVersion: projectcalico.org/v3\nkind: HostEndpoint\nmetadata: {{name: eth0}}\nspec: {{node: minikube, interfaceName: eth0}}\n"),
    );
    let o = calisim(&["check", &path]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("HostEndpoint[eth0]: projectcalico.org/v3 HostEndpoint is recognised but not yet supported by calisim; ignored"), "{}", stderr(&o));
}

#[test]
fn routes_addr_and_node_status_of_the_default_cluster() {
    let o = calisim(&["routes", "minikube"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("10.244.151.0/26 via 192.168.49.4 dev tunl0 proto bird onlink\n"),
        "{}",
        stdout(&o)
    );
    let o = calisim(&["routes", "minikube", "--style", "route-n"]);
    assert!(
        stdout(&o).contains(
            "10.244.120.64   0.0.0.0         255.255.255.192 U     0      0        0 *\n"
        ),
        "{}",
        stdout(&o)
    );
    let o = calisim(&["routes", "default/web-1"]);
    assert_eq!(
        stdout(&o),
        "default via 169.254.1.1 dev eth0\n169.254.1.1 dev eth0 scope link\n"
    );
    let o = calisim(&["addr", "default/web-1"]);
    assert!(
        stdout(&o).contains("inet 10.244.205.193/32 scope global eth0"),
        "{}",
        stdout(&o)
    );
    let o = calisim(&["node", "status", "minikube"]);
    assert!(
        stdout(&o)
            .contains("| 192.168.49.3 | node-to-node mesh | up    | 00:00:00 | Established |"),
        "{}",
        stdout(&o)
    );
    let o = calisim(&["routes", "nosuchnode"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(
        "no node `nosuchnode` in the scenario; nodes: minikube, minikube-m02, minikube-m03"
    ));
}

#[test]
fn a_real_manifest_changes_the_cluster() {
    let manifest = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/fixtures/manifests/calico-v3.28.2/calico-vxlan.yaml"
    );
    assert!(
        std::path::Path::new(manifest).exists(),
        "../shared is missing: expected {manifest}"
    );
    let o = calisim(&["routes", "minikube", "--manifest", manifest]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("blackhole 10.244.120.64/26 proto 80\n"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains("10.244.151.0/26 via 192.168.49.4 dev eth0 proto 80 onlink\n"),
        "{}",
        stdout(&o)
    );
    let o = calisim(&["check", "--manifest", manifest]);
    assert!(stdout(&o).contains("Calico v3.28.2"), "{}", stdout(&o));
}

#[test]
fn get_lists_pools_and_nodes_as_calicoctl_does() {
    let o = calisim(&["get", "ippools", "-o", "wide"]);
    assert_eq!(
        stdout(&o),
        "NAME                  CIDR            NAT    IPIPMODE   VXLANMODE   DISABLED   SELECTOR\ndefault-ipv4-ippool   10.244.0.0/16   true   Always     Never       false      all()\n"
    );
    let o = calisim(&["get", "nodes", "-o", "wide"]);
    assert!(
        stdout(&o).contains("minikube-m02   (64512)   192.168.49.3/24"),
        "{}",
        stdout(&o)
    );
    let o = calisim(&["get", "node", "minikube-m03", "-o", "yaml"]);
    assert!(
        stdout(&o).contains("    ipv4IPIPTunnelAddr: 10.244.151.0\n"),
        "{}",
        stdout(&o)
    );
    let o = calisim(&["get", "nodes", "-o", "yaml"]);
    assert_eq!(o.status.code(), Some(2));
    let scenario = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/snapshots/scenarios/two-racks-never-tor.yaml"
    );
    let o = calisim(&["get", "bgppeers", scenario]);
    assert_eq!(
        stdout(&o),
        "NAME         PEERIP         NODE          ASN\nrack-a-tor   192.168.61.1   rack == 'a'   65001\nrack-b-tor   192.168.62.1   rack == 'b'   65001\n"
    );
    let scenario = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/snapshots/scenarios/route-reflectors-20.yaml"
    );
    let o = calisim(&["get", "bgpconfig", scenario]);
    assert_eq!(stdout(&o), "NAME      LOGSEVERITY   MESHENABLED   ASNUMBER\ndefault                 false         64512\n");
}

#[test]
fn cni_config_is_valid_json_with_the_node_and_mtu() {
    let o = calisim(&["cni-config", "minikube-m02"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("valid JSON");
    assert_eq!(v["plugins"][0]["nodename"], "minikube-m02");
    assert_eq!(v["plugins"][0]["mtu"], 0);
    assert_eq!(v["plugins"][0]["ipam"]["type"], "calico-ipam");
    assert_eq!(v["plugins"][1]["type"], "portmap");
    let manifest = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/fixtures/manifests/tmax-install-cni-5.0/calico.yaml"
    );
    let o = calisim(&["cni-config", "minikube", "--manifest", manifest]);
    let v: serde_json::Value =
        serde_json::from_str(&stdout(&o)).expect("valid JSON from the manifest's template");
    assert_eq!(v["plugins"][0]["mtu"], 1440);
}

#[test]
fn network_policies_list_as_calicoctl_does() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policies = write(
        &dir,
        "policies.yaml",
        "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: allow-busybox, namespace: shop}\nspec: {order: 50, selector: app == 'porter'}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: default-deny, namespace: shop}\nspec: {podSelector: {}}\n---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: default-app-policy}\nspec: {order: 100}\n",
    );
    let o = calisim(&[
        "get",
        "networkpolicy",
        "-A",
        "-o",
        "wide",
        "--manifest",
        &policies,
    ]);
    assert_eq!(
        stdout(&o),
        "NAMESPACE   NAME                       ORDER   SELECTOR\nshop        allow-busybox              50      app == 'porter'\nshop        knp.default.default-deny   1000    projectcalico.org/orchestrator == 'k8s'\n"
    );
    let o = calisim(&[
        "get",
        "globalnetworkpolicy",
        "-o",
        "wide",
        "--manifest",
        &policies,
    ]);
    assert_eq!(
        stdout(&o),
        "NAME                 ORDER   SELECTOR\ndefault-app-policy   100     \n"
    );
    let o = calisim(&["get", "networkpolicy", "--manifest", &policies]);
    assert_eq!(stdout(&o), "NAME\n", "the default namespace has none");
}

#[test]
fn ipam_show_ip_says_who_holds_an_address() {
    let o = calisim(&["ipam", "show", "--ip", "10.244.205.193"]);
    assert_eq!(stdout(&o), "IP 10.244.205.193 is in use\nAttributes:\n  pod: web-1\n  namespace: default\n  node: minikube-m02\n");
    let o = calisim(&["ipam", "show", "--ip", "10.244.120.64"]);
    assert_eq!(
        stdout(&o),
        "IP 10.244.120.64 is in use\nAttributes:\n  node: minikube\n  type: ipipTunnelAddress\n"
    );
    let o = calisim(&["ipam", "show", "--ip", "192.168.1.2"]);
    assert_eq!(stdout(&o), "IP 192.168.1.2 is not currently assigned\n");
}

#[test]
fn matrix_and_explain_apply_network_policy() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = write(
        &dir,
        "netpol.yaml",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: db-from-api, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress:\n    - from: [{podSelector: {matchLabels: {app: api}}}]\n      ports: [{port: 5432}]\n",
    );
    let o = calisim(&["matrix", "--port", "5432", "--manifest", &policy]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "-\tdefault/web-1\tdefault/web-2\tshop/api-1\tshop/db-1\tdefault/debug\n\
         default/web-1\t.\t.\t.\tX\t.\n\
         default/web-2\t.\t.\t.\tX\t.\n\
         shop/api-1\t.\t.\t.\t.\t.\n\
         shop/db-1\t.\t.\t.\t.\t.\n\
         default/debug\t.\t.\t.\tX\t.\n"
    );
    let o = calisim(&["matrix", "--port", "5432", "--json", "--manifest", &policy]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("valid JSON");
    assert_eq!(v["pods"][3], "shop/db-1");
    assert_eq!(v["allowed"][0][3], false);
    assert_eq!(v["allowed"][2][3], true);
    let o = calisim(&[
        "policy",
        "explain",
        "--from",
        "shop/api-1",
        "--to",
        "shop/db-1",
        "--port",
        "5432",
        "--manifest",
        &policy,
    ]);
    assert!(stdout(&o).contains("ingress at the destination: allow — policy shop/knp.default.db-from-api ingress rule 0 allows"), "{}", stdout(&o));
    let o = calisim(&[
        "policy",
        "explain",
        "--from",
        "shop/api-1",
        "--to",
        "shop/db-1",
        "--port",
        "5433",
        "--manifest",
        &policy,
    ]);
    assert!(
        stdout(&o).starts_with("shop/api-1 -> shop/db-1: denied"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn trace_exits_0_delivered_1_dropped_2_unknown_endpoint() {
    let root = env!("CARGO_MANIFEST_DIR");
    let ipip = format!("{root}/snapshots/scenarios/one-l2-ipip.yaml");
    let azure = format!("{root}/snapshots/scenarios/azure-ipip.yaml");
    let ok = calisim(&[
        "trace",
        &ipip,
        "--from",
        "default/web-1",
        "--to",
        "default/web-2",
    ]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert!(
        stdout(&ok).contains("verdict: delivered"),
        "{}",
        stdout(&ok)
    );
    let dropped = calisim(&[
        "trace",
        &azure,
        "--from",
        "default/web-1",
        "--to",
        "default/web-2",
        "--json",
    ]);
    assert_eq!(dropped.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&dropped.stdout).expect("JSON");
    assert_eq!(v["verdict"], "dropped");
    assert!(v["reason"].as_str().unwrap().contains("IP protocol 4"));
    let unknown = calisim(&[
        "trace",
        &ipip,
        "--from",
        "default/nope",
        "--to",
        "default/web-2",
    ]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("no pod \"nope\""),
        "{}",
        stderr(&unknown)
    );
    // Addresses and host names work as endpoints too.
    let by_ip = calisim(&[
        "trace",
        &ipip,
        "--from",
        "node:k8s-worker1",
        "--to",
        "192.168.56.12",
    ]);
    assert_eq!(by_ip.status.code(), Some(0), "{}", stdout(&by_ip));
}

#[test]
fn graph_is_json_with_places_devices_and_links() {
    let o = calisim(&["graph"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let vertices = v["vertices"].as_array().unwrap();
    assert!(vertices
        .iter()
        .any(|x| x["device"] == "tunl0" && x["place"]["name"] == "minikube"));
    assert!(v["edges"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e[2] == "veth"));
    assert!(v["edges"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e[2] == "ipipTunnel"));
}

#[test]
fn validate_checks_expectations_and_writes_junit() {
    let root = env!("CARGO_MANIFEST_DIR");
    let design = std::fs::read_to_string(format!(
        "{root}/snapshots/scenarios/policy-default-deny.yaml"
    ))
    .expect("design readable");
    let dir = tempfile::tempdir().unwrap();
    let ok = write(&dir, "ok.yaml", &design);
    let junit = dir.path().join("report.xml");
    let o = calisim(&["validate", &ok, "--junit", junit.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    assert!(
        xml.contains("tests=\"7\"") && xml.contains("failures=\"0\""),
        "{xml}"
    );

    // The debug pod promised to reach the database: policy says otherwise.
    let broken = design.replace(
        "{from: default/debug, to: shop/db-1, proto: tcp, port: 5432, expect: deny}",
        "{from: default/debug, to: shop/db-1, proto: tcp, port: 5432, expect: allow}",
    );
    let bad = write(&dir, "bad.yaml", &broken);
    let o = calisim(&["validate", &bad]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("FAIL  reachability: default/debug → shop/db-1 tcp/5432: allow"),
        "{out}"
    );
    assert!(
        out.contains("the connection fails: dropped: denied by policy"),
        "{out}"
    );

    // A promise about a pod that does not exist is an input error naming the field.
    let typo = design.replace(
        "{from: shop/web-1, to: ext:metadata",
        "{from: shop/web-9, to: ext:metadata",
    );
    let typo = write(&dir, "typo.yaml", &typo);
    let o = calisim(&["validate", &typo]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("spec.reachability[3].from") && err.contains("no pod \"web-9\""),
        "{err}"
    );
}

#[test]
fn services_are_checked_as_the_api_server_checks_them() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = "apiVersion: calisim.dev/v1alpha1\nkind: Cluster\nmetadata: {name: s}\nspec:\n  kubeadm: {podSubnet: 10.244.0.0/16, serviceSubnet: 10.96.0.0/12}\n  networks: [{name: lan, cidr: 10.0.0.0/24}]\n  nodes: [{name: n1, interfaces: [{name: eth0, network: lan, address: 10.0.0.5}]}]\n";
    let svc = |name: &str, spec: &str| {
        format!("---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}}}\nspec:\n{spec}")
    };
    let bad = format!(
        "{cluster}{}{}{}",
        svc(
            "outside",
            "  clusterIP: 192.168.1.1\n  ports: [{port: 80}]\n"
        ),
        svc(
            "np",
            "  type: NodePort\n  ports: [{port: 80, nodePort: 80}]\n"
        ),
        svc("two", "  ports: [{port: 80}, {port: 81}]\n"),
    );
    let path = write(&dir, "bad.yaml", &bad);
    let o = calisim(&["check", &path]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    for needle in [
        "Service[default/outside]",
        "spec.clusterIP",
        "outside the service subnet 10.96.0.0/12",
        "spec.ports[0].nodePort",
        "outside 30000–32767",
        "spec.ports[1].name",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
    // Without clusterIP, addresses are handed out in namespace/name order from .100,
    // skipping the ones taken explicitly.
    let ok = format!(
        "{cluster}{}{}",
        svc("b", "  ports: [{port: 80}]\n"),
        svc("a", "  clusterIP: 10.96.0.100\n  ports: [{port: 80}]\n"),
    );
    let path = write(&dir, "ok.yaml", &ok);
    let o = calisim(&["trace", &path, "--from", "node:n1", "--to", "svc:default/b"]);
    let out = stdout(&o) + &stderr(&o);
    assert!(out.contains("10.96.0.101"), "{out}");
    assert!(out.contains("service default/b has no endpoints"), "{out}");
}

#[test]
fn tiers_need_calico_3_29_and_policies_need_their_tier() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = |version: &str| {
        format!("apiVersion: calisim.dev/v1alpha1\nkind: Cluster\nmetadata: {{name: t}}\nspec:\n  calico: {{version: {version}}}\n  networks: [{{name: lan, cidr: 10.0.0.0/24}}]\n  nodes: [{{name: n1, interfaces: [{{name: eth0, network: lan, address: 10.0.0.5}}]}}]\n")
    };
    let tier = "---\napiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: security}\nspec: {order: 100}\n";
    let policy = "---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: security.block}\nspec: {tier: security, selector: all(), types: [Ingress]}\n";
    let old = write(
        &dir,
        "old.yaml",
        &format!("{}{tier}{policy}", cluster("v3.28.0")),
    );
    let o = calisim(&["check", &old]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("Tier resources need Calico v3.29"),
        "{}",
        stderr(&o)
    );
    let new = write(
        &dir,
        "new.yaml",
        &format!("{}{tier}{policy}", cluster("v3.29.0")),
    );
    let o = calisim(&["check", &new]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let missing = write(
        &dir,
        "missing.yaml",
        &format!("{}{policy}", cluster("v3.29.0")),
    );
    let o = calisim(&["check", &missing]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("spec.tier") && stderr(&o).contains("does not exist"),
        "{}",
        stderr(&o)
    );
}

fn diff_case(case: &str) -> (String, String) {
    let dir = format!("{}/snapshots/diff/{case}", env!("CARGO_MANIFEST_DIR"));
    (format!("{dir}/before.yaml"), format!("{dir}/after.yaml"))
}

#[test]
fn diff_of_a_scenario_with_itself_reports_nothing_and_exits_0() {
    let (before, _) = diff_case("default-deny");
    let o = calisim(&["diff", &before, &before]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o)
            .contains("no changes to reachability, paths, routes, BGP sessions, IPAM or lints"),
        "{}",
        stdout(&o)
    );
    let o = calisim(&["diff", &before, &before, "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["reachability"]["newly_denied"], serde_json::json!([]));
    let o = calisim(&["diff", &before, &before, "--format", "markdown"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("No network changes"));
}

#[test]
fn diff_exit_code_follows_fail_on() {
    let (before, after) = diff_case("default-deny");
    let run = |extra: &[&str]| {
        let mut args = vec!["diff", &before, &after];
        args.extend_from_slice(extra);
        calisim(&args).status.code()
    };
    assert_eq!(run(&[]), Some(1), "default --fail-on any");
    assert_eq!(run(&["--fail-on", "reachability"]), Some(1));
    assert_eq!(
        run(&["--fail-on", "routes,lints"]),
        Some(0),
        "a policy changes no route"
    );
    assert_eq!(
        run(&["--fail-on", "sessions", "--fail-on", "reachability"]),
        Some(1)
    );
}

#[test]
fn diff_probes_follow_proto_and_port() {
    let (before, after) = diff_case("default-deny");
    let o = calisim(&[
        "diff", &before, &after, "--proto", "udp", "--port", "53", "--proto", "tcp", "--port",
        "8080",
    ]);
    let out = stdout(&o);
    assert!(out.contains("probes: udp/53, tcp/8080"), "{out}");
    assert!(
        out.contains("default/debug → backend/api-1 tcp/8080"),
        "{out}"
    );
    assert!(
        !out.contains("tcp/80\n"),
        "only the probes asked for: {out}"
    );
}

#[test]
fn diff_refuses_bad_input_with_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = write(&dir, "bad.yaml", BAD);
    let (before, _) = diff_case("default-deny");
    let o = calisim(&["diff", &before, &bad]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty(), "nothing half-computed is printed");
    assert!(
        stderr(&o).contains("nothing was computed"),
        "{}",
        stderr(&o)
    );
    let o = calisim(&["diff", &before, "/nonexistent/after.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    let o = calisim(&["diff", &before]);
    assert_eq!(o.status.code(), Some(2), "one scenario needs --git");
}

/// Runs git in `dir` with a fixed identity; panics with git's words on failure.
fn git(dir: &std::path::Path, args: &[&str]) {
    let o = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=calisim",
            "-c",
            "user.email=calisim@example.com",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
}

#[test]
fn diff_reads_git_revisions() {
    let (before, after) = diff_case("default-deny");
    let repo = tempfile::tempdir().expect("temp dir");
    git(repo.path(), &["init", "-q"]);
    // A file scenario and a directory scenario, committed before and after the change.
    let scenario_dir = repo.path().join("cluster");
    std::fs::create_dir(&scenario_dir).expect("dir");
    let copy = |from: &str| {
        let text = std::fs::read_to_string(from).expect("case readable");
        std::fs::write(repo.path().join("shop.yaml"), &text).expect("written");
        let (topology, rest) = text.split_once("\n---\n").expect("several documents");
        std::fs::write(scenario_dir.join("00-cluster.yaml"), topology).expect("written");
        std::fs::write(scenario_dir.join("10-resources.yml"), rest).expect("written");
    };
    copy(&before);
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-qm", "before"]);
    copy(&after);
    let file = repo.path().join("shop.yaml").display().to_string();
    let dir = scenario_dir.display().to_string();

    // REV alone: that revision against the working tree.
    for path in [&file, &dir] {
        let o = calisim(&["diff", "--git", "HEAD", path]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let out = stdout(&o);
        assert!(out.contains("3 pairs newly denied"), "{out}");
        assert!(
            out.starts_with(&format!("calisim diff HEAD:{path} → {path}")),
            "{out}"
        );
    }
    git(repo.path(), &["commit", "-qam", "after"]);
    let o = calisim(&["diff", "--git", "HEAD~1..HEAD", &dir]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("3 pairs newly denied"));
    let o = calisim(&["diff", "--git", "HEAD", &dir]);
    assert_eq!(o.status.code(), Some(0), "HEAD is the working tree now");
    let o = Command::new(env!("CARGO_BIN_EXE_calisim"))
        .args(["diff", "--git", "HEAD~1..HEAD", "."])
        .current_dir(&scenario_dir)
        .output()
        .expect("calisim runs");
    assert_eq!(o.status.code(), Some(1), "PATH `.`: {}", stderr(&o));
    assert!(
        stdout(&o).starts_with("calisim diff HEAD~1:. → HEAD:."),
        "{}",
        stdout(&o)
    );
    let o = calisim(&["diff", "--git", "no-such-rev", &file]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("git cat-file"), "{}", stderr(&o));
}
