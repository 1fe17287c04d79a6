//! Whether each configured peering comes up, and why not, in words a student understands.
//!
//! A session is Established only when both ends are configured for each other with the
//! right AS numbers and ports, at least one end actively connects, the local source
//! address is really on the node, and TCP 179 gets through the underlay both ways.

use core::net::Ipv4Addr;

use serde::Serialize;

use crate::model::{Cluster, NodeId};
use crate::underlay::{Host, Underlay};

use super::peerings::{PeerKind, Peering};

/// A BIRD-like session state, as `calicoctl node status` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionState {
    pub established: bool,
    /// BIRD protocol state: `up`, `start`, `passive`.
    pub state: &'static str,
    /// BGP state and extra information, e.g. `Established`, `Active Socket: Connection refused`.
    pub info: &'static str,
    /// Why it is not Established (None when it is).
    pub why: Option<String>,
}

impl SessionState {
    fn up() -> Self {
        Self {
            established: true,
            state: "up",
            info: "Established",
            why: None,
        }
    }

    fn down(state: &'static str, info: &'static str, why: String) -> Self {
        Self {
            established: false,
            state,
            info,
            why: Some(why),
        }
    }
}

/// One configured peering with its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Session {
    pub node: NodeId,
    pub peering: Peering,
    /// The speaker at the peer address, if any host holds it.
    #[serde(skip)]
    pub peer: Option<Host>,
    pub state: SessionState,
}

/// What the session rules need to know about the cluster.
pub struct SessionFacts<'a> {
    pub cluster: &'a Cluster,
    /// Per node: its peerings by peer address, to find the other end's configuration.
    pub by_peer_ip: Vec<std::collections::HashMap<Ipv4Addr, usize>>,
    pub underlay: &'a Underlay,
    pub address: &'a [Option<Ipv4Addr>],
    pub as_number: &'a [u32],
    pub peerings: &'a [Vec<Peering>],
}

impl SessionFacts<'_> {
    fn listen_port(&self, n: NodeId) -> u16 {
        self.cluster
            .bgp_node_overrides
            .get(&n)
            .map_or(self.cluster.bgp.listen_port, |c| c.listen_port)
    }

    /// The host answering at `ip`: a node holding it on a NIC, a router (gateway), an external.
    fn host_at(&self, ip: Ipv4Addr) -> Option<Host> {
        (0..self.cluster.networks.len()).find_map(|n| self.underlay.host_on(n, ip))
    }
}

/// Indexes each node's peerings by peer address.
pub fn index_by_peer_ip(
    peerings: &[Vec<Peering>],
) -> Vec<std::collections::HashMap<Ipv4Addr, usize>> {
    peerings
        .iter()
        .map(|list| {
            list.iter()
                .enumerate()
                .map(|(i, p)| (p.peer_ip, i))
                .rev()
                .collect()
        })
        .collect()
}

/// Decides every configured peering of every node.
pub fn sessions(f: &SessionFacts<'_>) -> Vec<Session> {
    let mut out = Vec::with_capacity(f.peerings.iter().map(Vec::len).sum());
    for (node, list) in f.peerings.iter().enumerate() {
        for p in list {
            let peer = f.host_at(p.peer_ip);
            let state = decide(f, node, p, peer);
            out.push(Session {
                node,
                peering: p.clone(),
                peer,
                state,
            });
        }
    }
    out
}

fn decide(f: &SessionFacts<'_>, node: NodeId, p: &Peering, peer: Option<Host>) -> SessionState {
    let cluster = f.cluster;
    let name = &cluster.nodes[node].name;
    let my_ip = f.address[node].expect("only nodes with an address have peerings");
    if !cluster.nodes[node]
        .interfaces
        .iter()
        .any(|i| i.address == my_ip)
    {
        return SessionState::down(
            "start",
            "Idle Socket: Cannot assign requested address",
            format!("{my_ip} (this node's BGP address) is on no interface of {name}, so BIRD cannot use it as its source address"),
        );
    }
    let Some(peer) = peer else {
        let why = match f.underlay.deliver(cluster, node, p.peer_ip) {
            Err(why) => why,
            Ok(_) => format!("nothing answers at {}", p.peer_ip),
        };
        return SessionState::down("start", "Active Socket: Connection timed out", why);
    };
    if let Err(why) = f.underlay.two_way(cluster, node, my_ip, peer, p.peer_ip) {
        return SessionState::down(
            "start",
            "Active Socket: Connection timed out",
            format!(
                "TCP 179 from {my_ip} to {} does not get through: {why}",
                p.peer_ip
            ),
        );
    }
    match peer {
        Host::Router(r) => router_end(f, r, p),
        Host::External(e) => SessionState::down(
            "start",
            "Active Socket: Connection refused",
            format!(
                "{} is external host {}, which runs no BGP",
                p.peer_ip, cluster.externals[e].name
            ),
        ),
        Host::Node(other) => node_end(f, node, my_ip, other, p),
    }
}

fn router_end(f: &SessionFacts<'_>, r: usize, p: &Peering) -> SessionState {
    let router = &f.cluster.routers[r];
    match router.as_number {
        None => SessionState::down(
            "start",
            "Active Socket: Connection refused",
            format!(
                "router {} has no asNumber: it does not speak BGP",
                router.name
            ),
        ),
        Some(asn) if asn != p.peer_as => SessionState::down(
            "start",
            "Active BGP Error: Bad peer AS",
            format!(
                "this node expects AS {} at {}, but router {} runs AS {asn}",
                p.peer_as, p.peer_ip, router.name
            ),
        ),
        Some(_) => SessionState::up(),
    }
}

fn node_end(
    f: &SessionFacts<'_>,
    node: NodeId,
    my_ip: Ipv4Addr,
    other: NodeId,
    p: &Peering,
) -> SessionState {
    let cluster = f.cluster;
    let other_name = &cluster.nodes[other].name;
    if f.address[other].is_none() {
        return SessionState::down(
            "start",
            "Active Socket: Connection refused",
            format!("node {other_name} runs no BIRD (no BGP address, or the networking backend is not bird)"),
        );
    }
    let port = p.peer_port.unwrap_or(179);
    if port != f.listen_port(other) {
        return SessionState::down(
            "start",
            "Active Socket: Connection refused",
            format!(
                "node {other_name} listens on port {}, not {port}",
                f.listen_port(other)
            ),
        );
    }
    let Some(back) = f.by_peer_ip[other]
        .get(&my_ip)
        .map(|&i| &f.peerings[other][i])
    else {
        let theirs = f.address[other].map(|a| a.to_string()).unwrap_or_default();
        return SessionState::down(
            "start",
            "Active Socket: Connection refused",
            format!(
                "node {other_name} ({theirs}) has no peering configured for {my_ip}, so its BIRD refuses the connection{}",
                if p.kind == PeerKind::Mesh { " (is its BGP address the one this node expects?)" } else { "" }
            ),
        );
    };
    if p.peer_as != f.as_number[other] {
        return SessionState::down(
            "start",
            "Active BGP Error: Bad peer AS",
            format!(
                "this node expects AS {} for {other_name}, which runs AS {}",
                p.peer_as, f.as_number[other]
            ),
        );
    }
    if back.peer_as != f.as_number[node] {
        return SessionState::down(
            "start",
            "Active BGP Error: Bad peer AS",
            format!(
                "{other_name} expects AS {} for this node, which runs AS {}",
                back.peer_as, f.as_number[node]
            ),
        );
    }
    if p.passive && back.passive {
        return SessionState::down(
            "passive",
            "Passive",
            "both ends are passive: nobody opens the TCP connection".into(),
        );
    }
    SessionState::up()
}
