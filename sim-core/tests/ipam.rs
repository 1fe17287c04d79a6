//! Calico IPAM behaviour: block choice, ordinals, tunnels first, borrowing, limits, annotations.

use std::fmt::Write;

use sim_core::ipam::block_order::BlockOrder;
use sim_core::scenario::SourceFile;
use sim_core::state::{self, ClusterState};

/// A cluster of `nodes` on one network, with `pods` given as (name, node) and extra documents.
fn scenario(nodes: &[&str], pods: &[(&str, &str)], extra_docs: &str) -> String {
    let mut y = String::from(
        "apiVersion: calisim.dev/v1alpha1\nkind: Cluster\nmetadata: {name: t}\nspec:\n  networks: [{name: lan, cidr: 192.168.49.0/24}]\n  nodes:\n",
    );
    for (i, n) in nodes.iter().enumerate() {
        writeln!(y, "    - {{name: {n}, interfaces: [{{name: eth0, network: lan, address: 192.168.49.{}}}]}}", i + 2).unwrap();
    }
    if !pods.is_empty() {
        y.push_str("  pods:\n");
    }
    for (p, n) in pods {
        writeln!(y, "    - {{name: {p}, node: {n}}}").unwrap();
    }
    if !extra_docs.is_empty() {
        y.push_str("---\n");
        y.push_str(extra_docs);
    }
    y
}

fn pool(name: &str, cidr: &str, ipip: &str) -> String {
    format!("apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {{name: {name}}}\nspec: {{cidr: {cidr}, ipipMode: {ipip}}}\n")
}

fn compute(text: &str) -> ClusterState {
    let (cluster, _) = state::load(&[SourceFile::new("t.yaml", text)])
        .unwrap_or_else(|d| panic!("invalid scenario:\n{d}"));
    state::compute(cluster)
}

fn pod_ip(s: &ClusterState, key: &str) -> Option<String> {
    let id = s
        .cluster
        .pods
        .iter()
        .position(|p| p.key() == key)
        .expect("pod exists");
    s.ipam.pod_address(id).map(|ip| ip.to_string())
}

fn tunl0(s: &ClusterState, node: &str) -> Option<String> {
    let id = s.cluster.node_by_name(node).expect("node exists");
    s.ipam.tunnels[id].ipip.map(|ip| ip.to_string())
}

const MINIKUBE: [&str; 3] = ["minikube", "minikube-m02", "minikube-m03"];

#[test]
fn tunnels_take_the_first_address_of_each_nodes_first_block_then_pods_follow() {
    let pods = [
        ("web-1", "minikube-m02"),
        ("web-2", "minikube-m03"),
        ("api-1", "minikube-m02"),
        ("debug", "minikube"),
    ];
    let s = compute(&scenario(
        &MINIKUBE,
        &pods,
        &pool("default-ipv4-ippool", "10.244.0.0/16", "Always"),
    ));
    // The blocks real minikube clusters get (../shared/vectors/ipam_block_selection.json).
    assert_eq!(tunl0(&s, "minikube").as_deref(), Some("10.244.120.64"));
    assert_eq!(tunl0(&s, "minikube-m02").as_deref(), Some("10.244.205.192"));
    assert_eq!(tunl0(&s, "minikube-m03").as_deref(), Some("10.244.151.0"));
    assert_eq!(
        pod_ip(&s, "default/web-1").as_deref(),
        Some("10.244.205.193")
    );
    assert_eq!(pod_ip(&s, "default/web-2").as_deref(), Some("10.244.151.1"));
    assert_eq!(
        pod_ip(&s, "default/api-1").as_deref(),
        Some("10.244.205.194")
    );
    assert_eq!(
        pod_ip(&s, "default/debug").as_deref(),
        Some("10.244.120.65")
    );
    assert!(s.ipam.failures.is_empty());
}

#[test]
fn no_tunnel_address_without_an_encapsulating_pool() {
    let s = compute(&scenario(
        &["minikube"],
        &[("a", "minikube")],
        &pool("p", "10.244.0.0/16", "Never"),
    ));
    assert_eq!(tunl0(&s, "minikube"), None);
    assert_eq!(pod_ip(&s, "default/a").as_deref(), Some("10.244.120.64"));
}

#[test]
fn vxlan_pools_give_the_vxlan_tunnel_address() {
    let doc = "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec: {cidr: 10.244.0.0/16, vxlanMode: CrossSubnet}\n";
    let s = compute(&scenario(&["minikube"], &[], doc));
    assert_eq!(
        s.ipam.tunnels[0].vxlan.map(|i| i.to_string()).as_deref(),
        Some("10.244.120.64")
    );
    assert_eq!(s.ipam.tunnels[0].ipip, None);
}

#[test]
fn a_full_block_makes_the_node_claim_its_next_candidate() {
    let pods: Vec<(String, &str)> = (0..64).map(|i| (format!("p{i}"), "minikube")).collect();
    let pods: Vec<(&str, &str)> = pods.iter().map(|(p, n)| (p.as_str(), *n)).collect();
    let s = compute(&scenario(
        &["minikube"],
        &pods,
        &pool("p", "10.244.0.0/16", "Always"),
    ));
    // tunl0 .64 plus 63 pods fill 10.244.120.64/26; the 64th pod opens the second candidate.
    assert_eq!(pod_ip(&s, "default/p62").as_deref(), Some("10.244.120.127"));
    assert_eq!(pod_ip(&s, "default/p63").as_deref(), Some("10.244.120.128"));
    let blocks: Vec<String> = s.ipam.node_blocks[0]
        .iter()
        .map(|b| s.ipam.blocks[*b].cidr.to_string())
        .collect();
    // Affine blocks are kept in datastore order: by resource name, so ".128" sorts before ".64".
    assert_eq!(blocks, ["10.244.120.128/26", "10.244.120.64/26"]);
}

#[test]
fn the_per_host_block_limit_stops_claiming_without_borrowing() {
    let pods: Vec<(String, &str)> = (0..3).map(|i| (format!("p{i}"), "n1")).collect();
    let pods: Vec<(&str, &str)> = pods.iter().map(|(p, n)| (p.as_str(), *n)).collect();
    let docs = format!(
        "{}---\napiVersion: projectcalico.org/v3\nkind: IPAMConfiguration\nmetadata: {{name: default}}\nspec: {{maxBlocksPerHost: 1, strictAffinity: true}}\n",
        pool("p", "10.0.0.0/24", "Never").replace("ipipMode: Never", "ipipMode: Never, blockSize: 31")
    );
    let s = compute(&scenario(&["n1"], &pods, &docs));
    assert!(pod_ip(&s, "default/p1").is_some());
    assert_eq!(pod_ip(&s, "default/p2"), None);
    assert_eq!(
        s.ipam.failures[0].to_string(),
        "default/p2 on node n1: no IP address: cannot allocate new block due to per host block limit: Need to allocate an IPAM block but could not - limit of 1 blocks reached for this node"
    );
}

/// Two /26 blocks, three nodes: the third node has nothing left to claim.
fn two_blocks_three_nodes(extra: &str) -> ClusterState {
    let pods = [("a", "n1"), ("b", "n2"), ("c", "n3")];
    compute(&scenario(
        &["n1", "n2", "n3"],
        &pods,
        &format!("{}{extra}", pool("p", "10.0.0.0/25", "Never")),
    ))
}

#[test]
fn with_no_block_left_a_node_borrows_in_its_candidate_order() {
    let s = two_blocks_three_nodes("");
    let first_existing = BlockOrder::for_host("n3", 2)
        .next()
        .expect("two candidates");
    let expected_block = ["10.0.0.0", "10.0.0.64"][first_existing as usize];
    let ip = pod_ip(&s, "default/c").expect("borrowed");
    let block_of = |ip: &str| {
        if ip.rsplit('.').next().unwrap().parse::<u8>().unwrap() < 64 {
            "10.0.0.0"
        } else {
            "10.0.0.64"
        }
    };
    assert_eq!(block_of(&ip), expected_block);
    let borrowed = sim_core::render::ipam_show::borrowed(&s);
    assert_eq!(borrowed.len(), 1);
    assert_eq!(
        (
            borrowed[0].borrowing_node.as_str(),
            borrowed[0].allocated_to.as_str()
        ),
        ("n3", "default/c")
    );
    assert_eq!(borrowed[0].ip, ip);
}

#[test]
fn strict_affinity_forbids_borrowing() {
    let s = two_blocks_three_nodes(
        "---\napiVersion: projectcalico.org/v3\nkind: IPAMConfiguration\nmetadata: {name: default}\nspec: {strictAffinity: true}\n",
    );
    assert_eq!(pod_ip(&s, "default/c"), None);
    assert_eq!(
        s.ipam.failures[0].to_string(),
        "default/c on node n3: no IP address: No more free affine blocks and strict affinity enabled"
    );
}

#[test]
fn an_exhausted_pool_names_the_pod_the_node_and_the_pool() {
    let pods: Vec<(String, &str)> = (0..65).map(|i| (format!("web-{i}"), "node-3")).collect();
    let pods: Vec<(&str, &str)> = pods.iter().map(|(p, n)| (p.as_str(), *n)).collect();
    let s = compute(&scenario(
        &["node-3"],
        &pods,
        &pool("p", "10.0.0.0/26", "Never"),
    ));
    assert_eq!(s.ipam.failures.len(), 1);
    assert_eq!(
        s.ipam.failures[0].to_string(),
        "default/web-64 on node node-3: no IP address: No IPs available in pools: [10.0.0.0/26]"
    );
}

#[test]
fn reserved_addresses_are_never_handed_out() {
    let docs = format!(
        "{}---\napiVersion: projectcalico.org/v3\nkind: IPReservation\nmetadata: {{name: r}}\nspec: {{reservedCIDRs: [10.244.120.64/30, 10.244.120.69]}}\n",
        pool("p", "10.244.0.0/16", "Always")
    );
    let s = compute(&scenario(&["minikube"], &[("a", "minikube")], &docs));
    assert_eq!(tunl0(&s, "minikube").as_deref(), Some("10.244.120.68"));
    assert_eq!(pod_ip(&s, "default/a").as_deref(), Some("10.244.120.70"));
}

#[test]
fn annotations_and_node_selectors_choose_the_pool() {
    let docs = format!(
        "{}---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {{name: zone-b}}\nspec: {{cidr: 10.2.0.0/16, nodeSelector: zone == 'b'}}\n---\napiVersion: projectcalico.org/v3\nkind: Node\nmetadata: {{name: n2, labels: {{zone: b}}}}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: pinned\n  annotations: {{cni.projectcalico.org/ipv4pools: '[\"zone-b\"]'}}\nspec: {{nodeName: n1}}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: fixed\n  annotations: {{cni.projectcalico.org/ipAddrs: '[\"10.1.7.7\"]'}}\nspec: {{nodeName: n1}}\n",
        pool("a-pool", "10.1.0.0/16", "Never")
    );
    let s = compute(&scenario(
        &["n1", "n2"],
        &[("on-n1", "n1"), ("on-n2", "n2")],
        &docs,
    ));
    let in_net =
        |ip: Option<String>, prefix: &str| ip.map(|i| i.starts_with(prefix)).unwrap_or(false);
    assert!(
        in_net(pod_ip(&s, "default/on-n1"), "10.1."),
        "n1 is not selected by zone-b"
    );
    // Both pools select n2; pools are tried in name order, so a-pool comes first.
    assert!(in_net(pod_ip(&s, "default/on-n2"), "10.1."));
    assert!(
        in_net(pod_ip(&s, "default/pinned"), "10.2."),
        "the annotation bypasses the node selector"
    );
    assert_eq!(pod_ip(&s, "default/fixed").as_deref(), Some("10.1.7.7"));
}

#[test]
fn a_fixed_address_cannot_be_taken_twice_or_lie_outside_pools() {
    let docs = format!(
        "{}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: x1\n  annotations: {{cni.projectcalico.org/ipAddrs: '[\"10.1.0.5\"]'}}\nspec: {{nodeName: n1}}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: x1b\n  annotations: {{cni.projectcalico.org/ipAddrs: '[\"10.1.0.5\"]'}}\nspec: {{nodeName: n1}}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: x2\n  annotations: {{cni.projectcalico.org/ipAddrs: '[\"172.31.0.1\"]'}}\nspec: {{nodeName: n1}}\n",
        pool("p", "10.1.0.0/16", "Never")
    );
    // Pod documents are created in namespace/name order: x1 takes 10.1.0.5 before x1b asks.
    let s = compute(&scenario(&["n1"], &[], &docs));
    let failures: Vec<String> = s.ipam.failures.iter().map(|f| f.to_string()).collect();
    assert_eq!(
        failures,
        [
            "default/x1b on node n1: no IP address: Address already assigned in block: 10.1.0.5",
            "default/x2 on node n1: no IP address: The provided IP address 172.31.0.1 is not in a configured pool",
        ]
    );
}

#[test]
fn a_pool_named_by_annotation_must_exist() {
    let docs = format!(
        "{}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  annotations: {{cni.projectcalico.org/ipv4pools: '[\"nope\"]'}}\nspec: {{nodeName: n1}}\n",
        pool("p", "10.1.0.0/16", "Never")
    );
    let s = compute(&scenario(&["n1"], &[], &docs));
    assert_eq!(
        s.ipam.failures[0].to_string(),
        "default/x on node n1: no IP address: the given pool (nope) does not exist, or is not enabled"
    );
}

#[test]
fn document_order_does_not_change_the_result() {
    let docs = [
        pool("b", "10.2.0.0/16", "Never"),
        pool("a", "10.1.0.0/16", "Always"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: z, namespace: x}\nspec: {nodeName: n2}\n"
            .to_string(),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: y, namespace: x}\nspec: {nodeName: n1}\n"
            .to_string(),
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n".to_string(),
    ];
    let render = |order: &[usize]| {
        let extra: Vec<&str> = order.iter().map(|i| docs[*i].as_str()).collect();
        let s = compute(&scenario(
            &["n1", "n2"],
            &[("a", "n1")],
            &extra.join("---\n"),
        ));
        let pools = sim_core::render::ipam_show::utilisation(&s);
        let ips: Vec<Option<String>> = s
            .cluster
            .pods
            .iter()
            .map(|p| pod_ip(&s, &p.key()))
            .collect();
        (
            sim_core::render::ipam_show::render_utilisation(&pools, true),
            ips,
        )
    };
    let first = render(&[0, 1, 2, 3, 4]);
    for order in [[4, 3, 2, 1, 0], [2, 0, 4, 1, 3], [1, 4, 0, 3, 2]] {
        assert_eq!(render(&order), first, "order {order:?}");
    }
}
