//! Every validation error path, with its exact message and location.

use sim_core::diag::Diagnostics;
use sim_core::model::{Cluster, EncapMode};
use sim_core::scenario::SourceFile;
use sim_core::state;

const CLUSTER: &str = "apiVersion: calisim.dev/v1alpha1
kind: Cluster
metadata: {name: t}
spec:
  kubeadm: {podSubnet: 10.0.0.0/16}
  networks:
    - {name: lan, cidr: 192.168.1.0/24}
  nodes:
    - {name: n1, interfaces: [{name: eth0, network: lan, address: 192.168.1.11}]}
    - {name: n2, interfaces: [{name: eth0, network: lan, address: 192.168.1.12}]}
  pods:
    - {name: a, node: n1}
";

fn load(text: &str) -> Result<Cluster, Diagnostics> {
    state::load(&[SourceFile::new("t.yaml", text)]).map(|(c, _)| c)
}

fn errors(text: &str) -> Vec<String> {
    match load(text) {
        Ok(_) => panic!("expected errors"),
        Err(d) => d.errors().map(|e| e.to_string()).collect(),
    }
}

fn with_docs(extra: &str) -> String {
    format!("{CLUSTER}---\n{extra}")
}

#[test]
fn a_valid_scenario_gets_calicos_default_pool_from_kubeadm() {
    let c = load(CLUSTER).expect("valid");
    assert_eq!(c.pools.len(), 1);
    let p = &c.pools[0];
    assert_eq!(p.name, "default-ipv4-ippool");
    assert_eq!(p.cidr.to_string(), "10.0.0.0/16");
    assert_eq!(
        (p.block_size, p.ipip_mode, p.vxlan_mode, p.nat_outgoing),
        (26, EncapMode::Always, EncapMode::Never, true)
    );
}

#[test]
fn without_kubeadm_the_default_pool_is_192_168_0_0_16() {
    let c = load(
        &CLUSTER
            .replace("  kubeadm: {podSubnet: 10.0.0.0/16}\n", "")
            .replace("192.168.1", "10.1.1"),
    )
    .expect("valid");
    assert_eq!(c.pools[0].cidr.to_string(), "192.168.0.0/16");
}

#[test]
fn the_default_pool_avoids_host_networks_in_192_168() {
    let c = load(&CLUSTER.replace("  kubeadm: {podSubnet: 10.0.0.0/16}\n", "")).expect("valid");
    assert_eq!(c.pools[0].cidr.to_string(), "172.16.0.0/16");
}

#[test]
fn unknown_node_names_the_pod_field_and_lists_nodes() {
    let e = errors(&CLUSTER.replace("{name: a, node: n1}", "{name: a, node: n9}"));
    assert_eq!(e, ["error: t.yaml:12 (document 1): Cluster[t].spec.pods[0].node: unknown node `n9`\n  hint: nodes defined: n1, n2"]);
}

#[test]
fn unknown_network_and_address_outside_cidr() {
    let text = CLUSTER
        .replace(
            "network: lan, address: 192.168.1.11",
            "network: wan, address: 192.168.1.11",
        )
        .replace("address: 192.168.1.12", "address: 192.168.2.12");
    let e = errors(&text);
    assert_eq!(
        e,
        [
            "error: t.yaml:9 (document 1): Cluster[t].spec.nodes[0].interfaces[0].network: unknown network `wan`\n  hint: networks defined: lan",
            "error: t.yaml:10 (document 1): Cluster[t].spec.nodes[1].interfaces[0].address: 192.168.2.12 is outside network `lan` (192.168.1.0/24)",
        ]
    );
}

#[test]
fn duplicate_names_are_reported() {
    let text = CLUSTER
        .replace("{name: n2,", "{name: n1,")
        .replace("address: 192.168.1.12", "address: 192.168.1.13");
    let e = errors(&text);
    assert_eq!(e, ["error: t.yaml:10 (document 1): Cluster[t].spec.nodes[1].name: duplicate node name `n1` (also node 0)"]);
}

#[test]
fn duplicate_resources_name_the_first_one() {
    let pool = "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec: {cidr: 10.0.0.0/24}\n";
    let e = errors(&with_docs(&format!(
        "{pool}---\n{}",
        pool.replace("10.0.0.0/24", "10.0.1.0/24")
    )));
    assert_eq!(e, ["error: t.yaml:21 (document 3): IPPool[p].metadata.name: duplicate name: already defined at t.yaml:14 (document 2)"]);
}

#[test]
fn pool_rules_use_calicos_messages() {
    let pools = [
        ("10.0.0.0/24", "blockSize: 19", "spec.blockSize: IPv4 block size must be between 20 and 32"),
        ("10.0.0.0/24", "blockSize: 33", "spec.blockSize: IPv4 block size must be between 20 and 32"),
        ("10.0.0.0/28", "blockSize: 26", "spec.cidr: IP pool size is too small for use with Calico IPAM. It must be equal to or greater than the block size."),
        ("10.0.0.1/24", "blockSize: 26", "spec.cidr: IPPool CIDR is not strictly masked: `10.0.0.1/24` (did you mean 10.0.0.0/24?)"),
        ("10.0.0.0/24", "ipipMode: Always, vxlanMode: Always", "spec: Cannot enable both VXLAN and IPIP on the same IPPool"),
        ("10.0.0.0/24", "ipipMode: always", "spec.ipipMode: `always` is not one of Never, Always, CrossSubnet"),
        ("10.0.0.0/24", "nodeSelector: \"zone ==\"", "spec.nodeSelector: invalid selector `zone ==`"),
        ("fd00::/64", "blockSize: 100", "spec.blockSize: IPv6 block size must be between 116 and 128"),
        ("not-a-cidr", "blockSize: 26", "spec.cidr: `not-a-cidr` is not a CIDR"),
    ];
    for (cidr, extra, expected) in pools {
        let doc = format!("apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {{name: p}}\nspec: {{cidr: \"{cidr}\", {extra}}}\n");
        let e = errors(&with_docs(&doc));
        assert!(
            e.iter().any(
                |m| m.starts_with("error: t.yaml:17 (document 2): IPPool[p].")
                    && m.contains(expected)
            ),
            "{cidr} {extra}: expected `{expected}` in {e:#?}"
        );
    }
}

#[test]
fn overlapping_pools_and_pools_outside_pod_subnet() {
    let docs = "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: a}\nspec: {cidr: 10.0.0.0/16}\n---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: b}\nspec: {cidr: 10.0.128.0/17}\n---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: c}\nspec: {cidr: 172.20.0.0/16}\n";
    let e = errors(&with_docs(docs));
    assert_eq!(
        e,
        ["error: t.yaml:22 (document 3): IPPool[b].spec.cidr: 10.0.128.0/17 overlaps with IPPool[a] (10.0.0.0/16)"]
    );
    // Only the operator compares pools with kubeadm; an IPPool resource outside the
    // podSubnet is accepted by Calico, so it is a warning, not a refusal.
    let outside = "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: c}\nspec: {cidr: 172.20.0.0/16}\n";
    let files = [sim_core::scenario::SourceFile::new(
        "t.yaml",
        with_docs(outside),
    )];
    let (_, diags) = sim_core::state::load(&files).expect("loads");
    let w: Vec<String> = diags.warnings().map(|d| d.to_string()).collect();
    assert!(
        w.iter().any(|m| m.contains("IPPool[c].spec.cidr: IPPool 172.20.0.0/16 is not within kubeadm's pod network CIDR(s) [10.0.0.0/16]")),
        "{w:#?}"
    );
}

#[test]
fn several_errors_in_several_documents_are_reported_together() {
    let docs = "apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: rr}\nspec: {node: n7, peerIP: 10.1.2.3:x}\n---\napiVersion: projectcalico.org/v3\nkind: Node\nmetadata: {name: ghost}\nspec: {bgp: {ipv4Address: 1.2.3}}\n";
    let e = errors(&with_docs(docs));
    assert_eq!(
        e,
        [
            "error: t.yaml:17 (document 2): BGPPeer[rr].spec.node: unknown node `n7`",
            "error: t.yaml:17 (document 2): BGPPeer[rr].spec.peerIP: `10.1.2.3:x` is not an IP address or IP:port",
            "error: t.yaml:21 (document 3): Node[ghost].metadata.name: no node `ghost` in the Cluster's spec.nodes",
        ]
    );
}

#[test]
fn missing_or_repeated_cluster_document() {
    let e = errors("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n");
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with("error: no `calisim.dev/v1alpha1 Cluster` document"),
        "{e:?}"
    );
    let e = errors(&format!(
        "{CLUSTER}---\n{}",
        CLUSTER.replace("name: t}", "name: u}")
    ));
    assert_eq!(e, ["error: t.yaml:14 (document 2): Cluster[u]: a scenario has exactly one Cluster document; the first is at t.yaml:1 (document 1)"]);
}

#[test]
fn pod_documents_need_a_node_and_valid_annotations() {
    let pods = "apiVersion: v1\nkind: Pod\nmetadata: {name: p1}\nspec: {containers: [{name: c}]}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p2\n  annotations: {cni.projectcalico.org/ipAddrs: '[\"10.0.0.5\", \"10.0.0.6\"]', cni.projectcalico.org/ipv4pools: 'pool-a'}\nspec: {nodeName: n1}\n";
    let e = errors(&with_docs(pods));
    assert_eq!(e.len(), 3, "{e:#?}");
    assert_eq!(e[0], "error: t.yaml:17 (document 2): Pod[p1].spec.nodeName: a pod must name its node (spec.nodeName): calisim does not schedule");
    assert!(e[1].starts_with("error: t.yaml:23 (document 3): Pod[p2].metadata.annotations.\"cni.projectcalico.org/ipv4pools\": must be a JSON list of strings"), "{}", e[1]);
    assert_eq!(e[2], "error: t.yaml:23 (document 3): Pod[p2].metadata.annotations.\"cni.projectcalico.org/ipAddrs\": cannot have more than one IPv4 address for \"cni.projectcalico.org/ipAddrs\" annotation");
}

#[test]
fn calico_node_resource_overrides_the_bgp_address() {
    let node = "apiVersion: projectcalico.org/v3\nkind: Node\nmetadata: {name: n2, labels: {zone: b}}\nspec:\n  bgp: {ipv4Address: 192.168.1.12, asNumber: 64600, routeReflectorClusterID: 244.0.0.1}\n";
    let c = load(&with_docs(node)).expect("valid");
    let n2 = &c.nodes[1];
    assert_eq!(
        n2.bgp.ipv4_address.map(|a| a.to_string()).as_deref(),
        Some("192.168.1.12/24")
    );
    assert_eq!(n2.bgp.as_number, Some(64600));
    assert_eq!(n2.labels.get("zone"), Some("b"));
}

#[test]
fn bgp_configuration_defaults_and_overrides() {
    let c = load(CLUSTER).expect("valid");
    assert_eq!((c.bgp.as_number, c.bgp.node_to_node_mesh), (64512, true));
    let conf = "apiVersion: projectcalico.org/v3\nkind: BGPConfiguration\nmetadata: {name: default}\nspec: {asNumber: \"1.10\", nodeToNodeMeshEnabled: false}\n";
    let c = load(&with_docs(conf)).expect("valid");
    assert_eq!((c.bgp.as_number, c.bgp.node_to_node_mesh), (65546, false));
}
