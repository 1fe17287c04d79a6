//! BGP as BIRD runs it under calico-node: peerings, sessions, and who learns which routes.
//!
//! Layer 3 (model → **state**). Inputs are each node's BGP address (from `addressing`)
//! and the underlay (for TCP 179); outputs are plain data the dataplane and the renderers
//! read. Nothing here programs a route: `dataplane` turns best paths into kernel routes.

pub mod peerings;
pub mod rib;
pub mod sessions;

use core::net::Ipv4Addr;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Backend, Cluster, NodeId};
use crate::underlay::{Host, Underlay};
pub use peerings::{PeerKind, Peering};
pub use rib::{Path, Rib, RibEntry, Speaker};
pub use sessions::{Session, SessionState};

/// The whole BGP picture of the cluster.
#[derive(Debug, Clone, Serialize)]
pub struct BgpState {
    /// Per node: the AS it runs.
    pub as_numbers: Vec<u32>,
    /// Per node: its BIRD address (None: no BIRD, or no address).
    pub bird_address: Vec<Option<Ipv4Addr>>,
    /// Every configured peering of every node, with its outcome (by node, then protocol name).
    pub sessions: Vec<Session>,
    #[serde(skip)]
    pub rib: Rib,
}

impl BgpState {
    pub fn sessions_of(&self, node: NodeId) -> impl Iterator<Item = &Session> {
        self.sessions.iter().filter(move |s| s.node == node)
    }

    /// The best paths a node holds, with the origin speaker of each.
    pub fn node_rib(&self, node: NodeId) -> impl Iterator<Item = (Speaker, &Path)> {
        let index = self.rib.index_of(Speaker::Node(node));
        index
            .into_iter()
            .flat_map(move |i| self.rib.entries[i].iter())
            .map(move |e| (self.rib.speakers[e.origin as usize], self.rib.path(e)))
    }
}

/// The AS each node runs: its Node resource, else its `node.<name>` BGPConfiguration, else global.
pub fn as_numbers(cluster: &Cluster) -> Vec<u32> {
    (0..cluster.nodes.len())
        .map(|n| {
            cluster.nodes[n]
                .bgp
                .as_number
                .or_else(|| cluster.bgp_node_overrides.get(&n).map(|c| c.as_number))
                .unwrap_or(cluster.bgp.as_number)
        })
        .collect()
}

/// Computes peerings, sessions and route propagation.
pub fn compute(
    cluster: &Cluster,
    node_address: &[Option<Ipv4Addr>],
    underlay: &Underlay,
) -> BgpState {
    let as_numbers = as_numbers(cluster);
    let bird_address: Vec<Option<Ipv4Addr>> = node_address
        .iter()
        .map(|a| {
            if cluster.backend == Backend::Bird {
                *a
            } else {
                None
            }
        })
        .collect();
    let peerings = peerings::peerings(&peerings::NodeFacts {
        cluster,
        address: &bird_address,
        as_number: &as_numbers,
    });
    let sessions = sessions::sessions(&sessions::SessionFacts {
        cluster,
        by_peer_ip: sessions::index_by_peer_ip(&peerings),
        underlay,
        address: &bird_address,
        as_number: &as_numbers,
        peerings: &peerings,
    });
    let rib = propagate(cluster, &bird_address, &as_numbers, &sessions);
    BgpState {
        as_numbers,
        bird_address,
        sessions,
        rib,
    }
}

/// Builds the speaker graph from Established sessions and propagates every node's routes.
fn propagate(
    cluster: &Cluster,
    address: &[Option<Ipv4Addr>],
    as_numbers: &[u32],
    sessions: &[Session],
) -> Rib {
    let nodes = cluster.nodes.len();
    let mut speakers: Vec<Speaker> = (0..nodes).map(Speaker::Node).collect();
    let mut addr: Vec<Ipv4Addr> = address
        .iter()
        .map(|a| a.unwrap_or(Ipv4Addr::UNSPECIFIED))
        .collect();
    let mut asn: Vec<u32> = as_numbers.to_vec();
    let mut router_index: BTreeMap<usize, usize> = BTreeMap::new();
    let mut adjacency: Vec<Vec<rib::Adjacency>> = vec![Vec::new(); nodes];
    let mut seen = std::collections::BTreeSet::new();
    for s in sessions.iter().filter(|s| s.state.established) {
        let peer = match s.peer {
            Some(Host::Node(p)) => p,
            Some(Host::Router(r)) => *router_index.entry(r).or_insert_with(|| {
                speakers.push(Speaker::Router(r));
                addr.push(s.peering.peer_ip);
                asn.push(
                    cluster.routers[r]
                        .as_number
                        .expect("an Established router speaks BGP"),
                );
                adjacency.push(Vec::new());
                speakers.len() - 1
            }),
            _ => continue,
        };
        let ibgp = asn[s.node] == asn[peer];
        if seen.insert((s.node, peer)) {
            adjacency[s.node].push(rib::Adjacency {
                peer,
                ibgp,
                peer_is_client: s.peering.rr_client,
            });
        }
        // A router has no configuration of its own in the scenario: it mirrors the node's session.
        if matches!(s.peer, Some(Host::Router(_))) && seen.insert((peer, s.node)) {
            adjacency[peer].push(rib::Adjacency {
                peer: s.node,
                ibgp,
                peer_is_client: false,
            });
        }
    }
    let origins: Vec<usize> = (0..nodes).filter(|n| address[*n].is_some()).collect();
    let topo = rib::Topology {
        speakers,
        address: addr,
        as_number: asn,
        adjacency,
    };
    rib::propagate(&topo, &origins)
}
