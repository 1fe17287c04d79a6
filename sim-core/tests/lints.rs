//! Each design lint fires on a scenario that has the problem and stays quiet on its fix.

use std::fmt::Write;

use sim_core::scenario::SourceFile;
use sim_core::state;

/// A small cluster: `nodes` nodes on one LAN plus whatever the test adds.
struct Spec<'a> {
    cloud: &'a str,
    nodes: usize,
    extra_spec: &'a str,
    docs: &'a str,
}

impl Default for Spec<'_> {
    fn default() -> Self {
        Spec {
            cloud: "none",
            nodes: 3,
            extra_spec: "",
            docs: "",
        }
    }
}

fn lint_ids(spec: &Spec<'_>) -> Vec<String> {
    let mut y = format!(
        "apiVersion: calisim.dev/v1alpha1\nkind: Cluster\nmetadata: {{name: t}}\nspec:\n  cloud: {}\n{}  networks:\n    - {{name: lan, cidr: 10.0.0.0/16, gateway: 10.0.0.1}}\n    - {{name: storage, cidr: 172.30.0.0/24}}\n  routers: [{{name: gw, networks: [lan]}}]\n  nodes:\n",
        spec.cloud, spec.extra_spec
    );
    for i in 0..spec.nodes {
        writeln!(
            y,
            "    - {{name: n{i}, interfaces: [{{name: eth0, network: lan, address: 10.0.{}.{}}}]}}",
            i / 200,
            i % 200 + 10
        )
        .unwrap();
    }
    y.push_str(spec.docs);
    let (cluster, _) =
        state::load(&[SourceFile::new("t.yaml", y)]).unwrap_or_else(|d| panic!("{d}"));
    let s = state::compute(cluster);
    sim_core::lint::lints(&s)
        .into_iter()
        .filter_map(|d| d.lint)
        .collect()
}

fn pool(extra: &str) -> String {
    format!("---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {{name: p}}\nspec: {{cidr: 10.244.0.0/16, {extra}}}\n")
}

fn assert_fires(id: &str, bad: &Spec<'_>, good: &Spec<'_>) {
    assert!(
        lint_ids(bad).iter().any(|l| l == id),
        "{id} should fire: {:?}",
        lint_ids(bad)
    );
    assert!(
        !lint_ids(good).iter().any(|l| l == id),
        "{id} should not fire: {:?}",
        lint_ids(good)
    );
}

#[test]
fn ipip_on_azure() {
    let ipip = pool("ipipMode: Always");
    let vxlan = pool("vxlanMode: Always");
    assert_fires(
        "ipip-on-azure",
        &Spec {
            cloud: "azure",
            docs: &ipip,
            ..Spec::default()
        },
        &Spec {
            cloud: "azure",
            docs: &vxlan,
            ..Spec::default()
        },
    );
}

#[test]
fn unencapsulated_pods_on_aws_with_the_source_destination_check() {
    let never = pool("ipipMode: Never");
    assert_fires(
        "no-encap-with-aws-src-dst-check",
        &Spec {
            cloud: "aws",
            docs: &never,
            ..Spec::default()
        },
        &Spec {
            cloud: "aws",
            extra_spec: "  srcDstCheck: false\n",
            docs: &never,
            ..Spec::default()
        },
    );
}

#[test]
fn typha_missing_in_a_large_manifest_install() {
    let manifest = |typha: &str| {
        format!("---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: calico-node, namespace: kube-system}}\nspec:\n  template:\n    spec:\n      containers:\n        - name: calico-node\n          image: docker.io/calico/node:v3.28.2\n          env:\n            - {{name: CALICO_IPV4POOL_CIDR, value: 10.244.0.0/16}}\n            - {{name: FELIX_TYPHAK8SSERVICENAME, value: {typha}}}\n")
    };
    let (without, with) = (manifest("none"), manifest("calico-typha"));
    assert_fires(
        "typha-missing",
        &Spec {
            nodes: 60,
            docs: &without,
            ..Spec::default()
        },
        &Spec {
            nodes: 60,
            docs: &with,
            ..Spec::default()
        },
    );
}

#[test]
fn full_mesh_too_large() {
    let rr = "---\napiVersion: projectcalico.org/v3\nkind: BGPConfiguration\nmetadata: {name: default}\nspec: {nodeToNodeMeshEnabled: false}\n";
    assert_fires(
        "full-mesh-too-large",
        &Spec {
            nodes: 101,
            ..Spec::default()
        },
        &Spec {
            nodes: 101,
            docs: rr,
            ..Spec::default()
        },
    );
}

/// Lint ids for two nodes: `a` on the LAN and a storage network (eth1, higher ifindex),
/// `b` on the LAN only, a router on the LAN, with the given autodetection method.
fn two_nic_lints(method: &str) -> Vec<String> {
    let text = format!("apiVersion: calisim.dev/v1alpha1\nkind: Cluster\nmetadata: {{name: t}}\nspec:\n  calico: {{ipAutodetectionMethod: \"{method}\"}}\n  networks:\n    - {{name: lan, cidr: 10.0.0.0/16, gateway: 10.0.0.1}}\n    - {{name: storage, cidr: 172.30.0.0/24}}\n  routers: [{{name: gw, networks: [lan]}}]\n  nodes:\n    - name: a\n      interfaces: [{{name: eth0, network: lan, address: 10.0.0.10}}, {{name: eth1, network: storage, address: 172.30.0.10}}]\n    - {{name: b, interfaces: [{{name: eth0, network: lan, address: 10.0.0.11}}]}}\n");
    let (c, _) = state::load(&[SourceFile::new("t.yaml", text)]).unwrap_or_else(|d| panic!("{d}"));
    sim_core::lint::lints(&state::compute(c))
        .into_iter()
        .filter_map(|d| d.lint)
        .collect()
}

fn has(ids: &[String], id: &str) -> bool {
    ids.iter().any(|i| i == id)
}

#[test]
fn multi_nic_node_on_the_wrong_network() {
    // first-found picks a's storage NIC, which b is not on.
    assert!(has(
        &two_nic_lints("first-found"),
        "multi-nic-wrong-address"
    ));
    assert!(!has(
        &two_nic_lints("cidr=10.0.0.0/16"),
        "multi-nic-wrong-address"
    ));
}

#[test]
fn mtu_larger_than_the_underlay_allows() {
    let ipip = pool("ipipMode: Always");
    let felix = |mtu: u32| {
        format!("{ipip}---\napiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {{name: default}}\nspec: {{ipipMTU: {mtu}}}\n")
    };
    let (too_big, fine) = (felix(1500), felix(1480));
    assert_fires(
        "mtu-too-large",
        &Spec {
            docs: &too_big,
            ..Spec::default()
        },
        &Spec {
            docs: &fine,
            ..Spec::default()
        },
    );
}

#[test]
fn fewer_blocks_than_nodes() {
    let small = "---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec: {cidr: 10.244.0.0/25, blockSize: 26}\n";
    let enough = "---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec: {cidr: 10.244.0.0/24, blockSize: 26}\n";
    assert_fires(
        "too-few-blocks",
        &Spec {
            docs: small,
            ..Spec::default()
        },
        &Spec {
            docs: enough,
            ..Spec::default()
        },
    );
}

#[test]
fn pools_overlapping_services_or_nodes() {
    let over_nodes = "---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec: {cidr: 10.0.128.0/17}\n";
    let elsewhere = pool("ipipMode: Always");
    assert_fires(
        "pool-overlaps-network",
        &Spec {
            docs: over_nodes,
            ..Spec::default()
        },
        &Spec {
            docs: &elsewhere,
            ..Spec::default()
        },
    );
    let services = Spec {
        extra_spec: "  kubeadm: {podSubnet: 10.96.0.0/12, serviceSubnet: 10.96.0.0/12}\n",
        ..Spec::default()
    };
    assert!(lint_ids(&services).contains(&"pool-overlaps-network".to_string()));
}

#[test]
fn nat_outgoing_off_without_a_route_back() {
    let external = "  externals: [{name: internet, address: 203.0.113.10, network: lan}]\n";
    let off = pool("natOutgoing: false");
    let on = pool("natOutgoing: true");
    assert_fires(
        "nat-outgoing-off-no-route-back",
        &Spec {
            extra_spec: external,
            docs: &off,
            ..Spec::default()
        },
        &Spec {
            extra_spec: external,
            docs: &on,
            ..Spec::default()
        },
    );
}

#[test]
fn bgp_sessions_down_and_nodes_without_an_address() {
    // first-found puts a on the storage network, which b cannot reach.
    assert!(has(&two_nic_lints("first-found"), "bgp-session-down"));
    assert!(!has(&two_nic_lints("cidr=10.0.0.0/16"), "bgp-session-down"));
    assert!(has(
        &two_nic_lints("interface=wlan.*"),
        "node-address-missing"
    ));
    assert!(!has(&two_nic_lints("first-found"), "node-address-missing"));
}
