//! Which BGP peerings BIRD is configured with on each node (confd's bird.cfg template).
//!
//! Mesh: every other non-route-reflector node with an address (not on route reflectors).
//! BGPPeer: global ones on every node, node-specific ones on the selected nodes, each
//! `peerIP` or every node matched by `peerSelector`; reverse peerings are added on Calico
//! peers so both ends are configured. A node-specific peering to an IP that already has a
//! global one is dropped. Names are BIRD's protocol names (`Mesh_10_0_0_2`).

use core::net::Ipv4Addr;
use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::model::{BgpPeer, Cluster, NodeId};

/// The three kinds calicoctl shows in PEER TYPE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum PeerKind {
    Mesh,
    Global,
    NodeSpecific,
}

impl PeerKind {
    fn prefix(self) -> &'static str {
        match self {
            PeerKind::Mesh => "Mesh",
            PeerKind::Global => "Global",
            PeerKind::NodeSpecific => "Node",
        }
    }
}

/// One `protocol bgp` block in a node's BIRD configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Peering {
    pub kind: PeerKind,
    pub peer_ip: Ipv4Addr,
    pub peer_port: Option<u16>,
    /// `neighbor … as N`: the AS this node expects the peer to have.
    pub peer_as: u32,
    /// The node behind `peer_ip`, when it is a Calico node.
    pub peer_node: Option<NodeId>,
    /// This node is a route reflector and the peer is its client (`rr client`).
    pub rr_client: bool,
    /// `passive on`: this end waits for the peer to connect (mesh: the higher IP initiates).
    pub passive: bool,
    pub keep_original_next_hop: bool,
}

impl Peering {
    /// BIRD's protocol name, which calicoctl parses back into PEER ADDRESS and PEER TYPE.
    pub fn protocol_name(&self) -> String {
        let ip = self.peer_ip.to_string().replace('.', "_");
        match self.peer_port {
            Some(port) => format!("{}_{ip}_port_{port}", self.kind.prefix()),
            None => format!("{}_{ip}", self.kind.prefix()),
        }
    }
}

impl fmt::Display for PeerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PeerKind::Mesh => "node-to-node mesh",
            PeerKind::Global => "global",
            PeerKind::NodeSpecific => "node specific",
        })
    }
}

/// Everything the peering rules need about each node.
pub struct NodeFacts<'a> {
    pub cluster: &'a Cluster,
    /// Each node's BGP address (None: calico-node found none, or no BIRD runs).
    pub address: &'a [Option<Ipv4Addr>],
    pub as_number: &'a [u32],
}

impl NodeFacts<'_> {
    fn is_rr(&self, n: NodeId) -> bool {
        self.cluster.nodes[n]
            .bgp
            .route_reflector_cluster_id
            .is_some()
    }

    fn node_with_address(&self, ip: Ipv4Addr) -> Option<NodeId> {
        self.address.iter().position(|a| *a == Some(ip))
    }

    /// `rr client` applies when this node is an RR and the iBGP peer has another cluster ID.
    fn rr_client(&self, local: NodeId, peer: Option<NodeId>, peer_as: u32) -> bool {
        let Some(mine) = self.cluster.nodes[local].bgp.route_reflector_cluster_id else {
            return false;
        };
        let theirs = peer.and_then(|p| self.cluster.nodes[p].bgp.route_reflector_cluster_id);
        peer_as == self.as_number[local] && theirs != Some(mine)
    }
}

/// Peerings per node, in bird.cfg order.
pub fn peerings(facts: &NodeFacts<'_>) -> Vec<Vec<Peering>> {
    let cluster = facts.cluster;
    let mut out: Vec<BTreeMap<(PeerKindOrder, Ipv4Addr), Peering>> =
        vec![BTreeMap::new(); cluster.nodes.len()];
    let add =
        |local: NodeId, p: Peering, out: &mut Vec<BTreeMap<(PeerKindOrder, Ipv4Addr), Peering>>| {
            if facts.address[local] == Some(p.peer_ip) {
                return; // a node never peers with itself
            }
            out[local]
                .entry((PeerKindOrder(p.kind), p.peer_ip))
                .or_insert(p);
        };

    // What each BGPPeer points at does not depend on the node it is configured on.
    let peer_targets: Vec<_> = cluster
        .bgp_peers
        .iter()
        .map(|p| targets(p, facts))
        .collect();
    // BIRD's template compares addresses as strings (`passive on` when the peer's is greater).
    let text: Vec<Option<String>> = facts
        .address
        .iter()
        .map(|a| a.map(|ip| ip.to_string()))
        .collect();
    for local in 0..cluster.nodes.len() {
        let Some(my_ip) = facts.address[local] else {
            continue;
        };
        if cluster.bgp.node_to_node_mesh && !facts.is_rr(local) {
            for (peer, addr) in facts.address.iter().enumerate() {
                let Some(ip) = *addr else { continue };
                if peer == local || facts.is_rr(peer) {
                    continue;
                }
                let p = Peering {
                    kind: PeerKind::Mesh,
                    peer_ip: ip,
                    peer_port: None,
                    peer_as: facts.as_number[peer],
                    peer_node: Some(peer),
                    rr_client: false,
                    passive: text[peer] > text[local],
                    keep_original_next_hop: false,
                };
                add(local, p, &mut out);
            }
        }
        for (bgp_peer, targets) in cluster.bgp_peers.iter().zip(&peer_targets) {
            if !selects_local(bgp_peer, cluster, local) {
                continue;
            }
            let kind = if bgp_peer.node.is_none() && bgp_peer.node_selector.is_none() {
                PeerKind::Global
            } else {
                PeerKind::NodeSpecific
            };
            for &(peer_ip, peer_as, peer_node) in targets {
                let p = Peering {
                    kind,
                    peer_ip,
                    peer_port: bgp_peer.peer_port,
                    peer_as,
                    peer_node,
                    rr_client: facts.rr_client(local, peer_node, peer_as),
                    passive: false,
                    keep_original_next_hop: bgp_peer.keep_original_next_hop,
                };
                add(local, p.clone(), &mut out);
                // The reverse peering on a Calico peer, so that both ends are configured.
                if let Some(remote) = peer_node {
                    let reverse = Peering {
                        kind: PeerKind::NodeSpecific,
                        peer_ip: my_ip,
                        peer_port: None,
                        peer_as: facts.as_number[local],
                        peer_node: Some(local),
                        rr_client: facts.rr_client(remote, Some(local), facts.as_number[local]),
                        passive: false,
                        keep_original_next_hop: false,
                    };
                    add(remote, reverse, &mut out);
                }
            }
        }
    }
    let mut by_name: Vec<usize> = (0..cluster.nodes.len()).collect();
    by_name.sort_by(|a, b| cluster.nodes[*a].name.cmp(&cluster.nodes[*b].name));
    let mut name_rank = vec![0u32; by_name.len()];
    for (rank, n) in by_name.into_iter().enumerate() {
        name_rank[n] = rank as u32;
    }
    // A node-specific peering to an IP that also has a global one is dropped.
    out.into_iter()
        .map(|m| {
            let globals: Vec<Ipv4Addr> = m
                .values()
                .filter(|p| p.kind == PeerKind::Global)
                .map(|p| p.peer_ip)
                .collect();
            let mut list: Vec<Peering> = m
                .into_values()
                .filter(|p| p.kind != PeerKind::NodeSpecific || !globals.contains(&p.peer_ip))
                .collect();
            list.sort_by_cached_key(|p| bird_order_key(p, &name_rank));
            list.shrink_to_fit();
            list
        })
        .collect()
}

/// The order of `protocol bgp` blocks in bird.cfg (so of `calicoctl node status` rows):
/// mesh peers by host name (confd lists /host in key order), then global peers, then
/// node-specific ones, each by address as text (their confd keys).
fn bird_order_key(p: &Peering, name_rank: &[u32]) -> (PeerKind, u32, String) {
    match (p.kind, p.peer_node) {
        (PeerKind::Mesh, Some(n)) => (p.kind, name_rank[n], String::new()),
        _ => (p.kind, 0, p.peer_ip.to_string()),
    }
}

/// Orders peerings of one node; mesh and BGPPeer peerings to one IP may coexist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct PeerKindOrder(PeerKind);

fn selects_local(p: &BgpPeer, cluster: &Cluster, local: NodeId) -> bool {
    match (&p.node, &p.node_selector) {
        (Some(n), _) => *n == local,
        (None, Some(sel)) => sel.matches(&cluster.nodes[local].labels),
        (None, None) => true,
    }
}

/// The (IP, AS, node) a BGPPeer points at: its peerIP, or every node its peerSelector matches.
fn targets(p: &BgpPeer, facts: &NodeFacts<'_>) -> Vec<(Ipv4Addr, u32, Option<NodeId>)> {
    let cluster = facts.cluster;
    if let Some(sel) = &p.peer_selector {
        return (0..cluster.nodes.len())
            .filter(|n| sel.matches(&cluster.nodes[*n].labels))
            .filter_map(|n| facts.address[n].map(|ip| (ip, facts.as_number[n], Some(n))))
            .collect();
    }
    let Some(core::net::IpAddr::V4(ip)) = p.peer_ip else {
        return Vec::new();
    };
    let node = facts.node_with_address(ip);
    let default_as = node.map_or(cluster.bgp.as_number, |n| facts.as_number[n]);
    vec![(ip, p.as_number.unwrap_or(default_as), node)]
}
