//! Design lints: what an experienced Calico engineer would flag in a review, each with
//! its id, the resource, and the fix. They read the computed state; none changes it.
//!
//! (The pool-outside-podSubnet check is part of validation: the operator refuses such a
//! pool, and a manifest install gets a warning there.)

use crate::diag::Diagnostic;
use crate::model::{Cloud, EncapMode, InstallKind, IpPool};
use crate::state::ClusterState;

/// Typha is recommended above 50 nodes (calico-typha.yaml); a full mesh above ~100.
const TYPHA_NODES: usize = 50;
const MESH_NODES: usize = 100;

/// Every lint id, as `Expectations` documents may name them (`lints.absent`).
pub const IDS: &[&str] = &[
    "bgp-session-down",
    "full-mesh-too-large",
    "ipip-on-azure",
    "mtu-too-large",
    "multi-nic-wrong-address",
    "nat-outgoing-off-no-route-back",
    "no-encap-with-aws-src-dst-check",
    "node-address-missing",
    "pool-overlaps-network",
    "too-few-blocks",
    "typha-missing",
];

/// What `calisim check` (and the browser's Findings tab) reports about a computed
/// cluster: every lint, then each IPAM allocation failure as an error.
pub fn findings(s: &ClusterState) -> Vec<Diagnostic> {
    let mut out = lints(s);
    out.extend(s.ipam.failures.iter().map(|failure| {
        Diagnostic::error(failure.to_string()).resource(format!("IPAM[{}]", failure.owner))
    }));
    out
}

/// Every lint, in a fixed order, so output is deterministic.
pub fn lints(s: &ClusterState) -> Vec<Diagnostic> {
    let checks: [fn(&ClusterState) -> Vec<Diagnostic>; 11] = [
        node_without_address,
        bgp_session_down,
        ipip_on_azure,
        unencapsulated_on_aws,
        typha_missing,
        mesh_too_large,
        multi_nic_address,
        mtu_too_large,
        too_few_blocks,
        pool_overlaps_network,
        nat_outgoing_off,
    ];
    checks.iter().flat_map(|check| check(s)).collect()
}

/// calico-node could not find the node's address: it would not start there.
fn node_without_address(s: &ClusterState) -> Vec<Diagnostic> {
    if s.cluster.backend == crate::model::Backend::None {
        return Vec::new();
    }
    s.node_addresses
        .iter()
        .enumerate()
        .filter(|(_, a)| a.address.is_none())
        .map(|(i, a)| {
            Diagnostic::warning(format!("calico-node on {} has no IPv4 address: {}", s.cluster.nodes[i].name, a.reason))
                .lint("node-address-missing")
                .resource(format!("Node[{}]", s.cluster.nodes[i].name))
                .hint("set IP_AUTODETECTION_METHOD to a method that matches this node, or spec.bgp.ipv4Address in its Node resource")
        })
        .collect()
}

/// Every configured BGP session that does not come up, with BIRD's view and the reason.
fn bgp_session_down(s: &ClusterState) -> Vec<Diagnostic> {
    s.bgp
        .sessions
        .iter()
        .filter(|x| !x.state.established)
        .map(|x| {
            let node = &s.cluster.nodes[x.node].name;
            Diagnostic::warning(format!(
                "BGP session {} on {node} is not Established ({} {}): {}",
                x.peering.protocol_name(),
                x.state.state,
                x.state.info,
                x.state.why.as_deref().unwrap_or("")
            ))
            .lint("bgp-session-down")
            .resource(format!("Node[{node}]"))
        })
        .collect()
}

fn pool_label(p: &IpPool) -> String {
    format!("IPPool[{}]", p.name)
}

fn enabled_v4(s: &ClusterState) -> impl Iterator<Item = &IpPool> {
    s.cluster
        .pools
        .iter()
        .filter(|p| !p.disabled && p.cidr.is_ipv4())
}

fn ipip_on_azure(s: &ClusterState) -> Vec<Diagnostic> {
    if s.cluster.cloud != Cloud::Azure {
        return Vec::new();
    }
    enabled_v4(s)
        .filter(|p| p.ipip_mode.is_enabled())
        .map(|p| {
            Diagnostic::warning("IPIP on Azure: Azure's network drops IP-in-IP (protocol 4), so pods on different nodes cannot talk")
                .lint("ipip-on-azure")
                .resource(pool_label(p))
                .field("spec.ipipMode")
                .hint("use VXLAN (vxlanMode: Always, ipipMode: Never)")
        })
        .collect()
}

fn unencapsulated_on_aws(s: &ClusterState) -> Vec<Diagnostic> {
    if s.cluster.cloud != Cloud::Aws || !s.cluster.src_dst_check {
        return Vec::new();
    }
    enabled_v4(s)
        .filter(|p| p.ipip_mode != EncapMode::Always && p.vxlan_mode != EncapMode::Always)
        .map(|p| {
            Diagnostic::warning("unencapsulated pod traffic on AWS with the source/destination check on: EC2 drops packets whose addresses are not the instance's own")
                .lint("no-encap-with-aws-src-dst-check")
                .resource(pool_label(p))
                .hint("disable the source/destination check on the instances (srcDstCheck: false), or encapsulate always (ipipMode or vxlanMode: Always)")
        })
        .collect()
}

fn typha_missing(s: &ClusterState) -> Vec<Diagnostic> {
    let nodes = s.cluster.nodes.len();
    match s.cluster.install {
        InstallKind::Manifest { typha: false } if nodes > TYPHA_NODES => vec![Diagnostic::warning(
            format!("{nodes} nodes without Typha: every calico-node watches the API server itself"),
        )
        .lint("typha-missing")
        .resource("DaemonSet[calico-node]")
        .hint("install with calico-typha.yaml (recommended above 50 nodes, essential above 100)")],
        _ => Vec::new(),
    }
}

fn mesh_too_large(s: &ClusterState) -> Vec<Diagnostic> {
    let speakers = s.bgp.bird_address.iter().flatten().count();
    if !s.cluster.bgp.node_to_node_mesh || speakers <= MESH_NODES {
        return Vec::new();
    }
    vec![Diagnostic::warning(format!(
        "a full node-to-node mesh of {speakers} nodes: {} BGP sessions",
        speakers * (speakers - 1) / 2
    ))
    .lint("full-mesh-too-large")
    .resource("BGPConfiguration[default]")
    .field("spec.nodeToNodeMeshEnabled")
    .hint("use route reflectors: set nodeToNodeMeshEnabled: false and peer every node with a few reflectors")]
}

/// Multi-NIC nodes whose Calico address is on a network that not every node is on.
fn multi_nic_address(s: &ClusterState) -> Vec<Diagnostic> {
    let cluster = &s.cluster;
    let on = |node: &crate::model::Node, n: usize| node.interfaces.iter().any(|f| f.network == n);
    let shared: Vec<usize> = (0..cluster.networks.len())
        .filter(|&n| cluster.nodes.iter().all(|node| on(node, n)))
        .collect();
    let mut out = Vec::new();
    for (i, node) in cluster.nodes.iter().enumerate() {
        let Some(a) = s.node_addresses[i].address else {
            continue;
        };
        let Some(f) = node.interfaces.iter().find(|f| f.address == a.ip()) else {
            continue;
        };
        if node.interfaces.len() < 2 || shared.contains(&f.network) {
            continue;
        }
        let net = &cluster.networks[f.network];
        let fix = match shared.first() {
            Some(&n) => format!("set IP_AUTODETECTION_METHOD=cidr={} (or interface=...), or the Node's spec.bgp.ipv4Address", cluster.networks[n].cidr),
            None => "choose the NIC with IP_AUTODETECTION_METHOD (interface=, cidr=) or the Node's spec.bgp.ipv4Address".into(),
        };
        out.push(
            Diagnostic::warning(format!(
                "calico-node on {} registered {a} ({}, network {}), which not every node is on: BGP sessions and tunnels to it may not get through",
                node.name, f.name, net.name
            ))
            .lint("multi-nic-wrong-address")
            .resource(format!("Node[{}]", node.name))
            .field("spec.bgp.ipv4Address")
            .hint(fix),
        );
    }
    out
}

fn mtu_too_large(s: &ClusterState) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for dp in &s.dataplane {
        let host = dp.mtu.host;
        let checks = [
            (
                "tunl0",
                dp.mtu.ipip,
                20,
                s.ipam.tunnels[dp.node].ipip.is_some(),
            ),
            (
                "vxlan.calico",
                dp.mtu.vxlan,
                50,
                s.ipam.tunnels[dp.node].vxlan.is_some(),
            ),
        ];
        for (device, mtu, overhead, present) in checks {
            if present && mtu + overhead > host {
                out.push(
                    Diagnostic::warning(format!(
                        "{device} MTU {mtu} on {} plus its {overhead}-byte header exceeds the host MTU {host}: large packets are dropped or fragmented",
                        dp.name
                    ))
                    .lint("mtu-too-large")
                    .resource(format!("Node[{}]", dp.name))
                    .hint(format!("leave the MTU to Felix (0 / unset) or set it to at most {}", host - overhead)),
                );
            }
        }
    }
    out
}

fn too_few_blocks(s: &ClusterState) -> Vec<Diagnostic> {
    enabled_v4(s)
        .filter_map(|p| {
            let selected = s.cluster.nodes.iter().filter(|n| p.node_selector.matches(&n.labels)).count();
            let blocks = 1u128 << (p.block_size - p.cidr.prefix());
            (blocks < selected as u128).then(|| {
                Diagnostic::warning(format!(
                    "{} has {blocks} blocks of /{} for {selected} nodes: some nodes get no block of their own and borrow addresses",
                    p.cidr, p.block_size
                ))
                .lint("too-few-blocks")
                .resource(pool_label(p))
                .field("spec.blockSize")
                .hint("use a larger pool or a larger blockSize number (smaller blocks)")
            })
        })
        .collect()
}

fn pool_overlaps_network(s: &ClusterState) -> Vec<Diagnostic> {
    let cluster = &s.cluster;
    let mut out = Vec::new();
    for p in &cluster.pools {
        let services = cluster
            .kubeadm
            .iter()
            .flat_map(|k| k.service_subnets.iter());
        for svc in services.filter(|svc| crate::model::overlaps_networks(svc, &p.cidr)) {
            out.push(
                Diagnostic::warning(format!("{} overlaps the service network {svc}", p.cidr))
                    .lint("pool-overlaps-network")
                    .resource(pool_label(p))
                    .field("spec.cidr")
                    .hint("pods and Services must not share addresses: choose a pool outside serviceSubnet"),
            );
        }
        for net in cluster
            .networks
            .iter()
            .filter(|n| crate::model::overlaps_networks(&ipnetwork::IpNetwork::V4(n.cidr), &p.cidr))
        {
            out.push(
                Diagnostic::warning(format!("{} overlaps the node network {} ({})", p.cidr, net.name, net.cidr))
                    .lint("pool-overlaps-network")
                    .resource(pool_label(p))
                    .field("spec.cidr")
                    .hint("pod addresses must not collide with host addresses: choose a pool outside the node networks"),
            );
        }
    }
    out
}

/// Pods egressing to external hosts without NAT need someone to route replies back.
fn nat_outgoing_off(s: &ClusterState) -> Vec<Diagnostic> {
    if s.cluster.externals.is_empty() {
        return Vec::new();
    }
    let routers_learn_pods = s
        .bgp
        .rib
        .speakers
        .iter()
        .any(|sp| matches!(sp, crate::bgp::Speaker::Router(_)));
    if routers_learn_pods {
        return Vec::new();
    }
    enabled_v4(s)
        .filter(|p| !p.nat_outgoing)
        .map(|p| {
            Diagnostic::warning(format!(
                "natOutgoing is off for {} but no router learns pod routes: external hosts cannot send replies back to pod addresses",
                p.cidr
            ))
            .lint("nat-outgoing-off-no-route-back")
            .resource(pool_label(p))
            .field("spec.natOutgoing")
            .hint("set natOutgoing: true, or peer the fabric routers with BGP so they learn the pod routes")
        })
        .collect()
}

#[cfg(test)]
mod ids_tests {
    /// `IDS` lists exactly the ids the lints raise (Expectations documents are checked
    /// against it).
    #[test]
    fn ids_match_the_lints() {
        let source = include_str!("lint.rs");
        let mut raised: Vec<&str> = source
            .split(".lint(\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .collect();
        raised.sort_unstable();
        raised.dedup();
        assert_eq!(raised, super::IDS);
    }
}
