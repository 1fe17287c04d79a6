//! What Felix and BIRD program on each node, as plain data: links, addresses, routes,
//! VXLAN neighbour and FDB entries, and each pod's side of its veth.
//!
//! Layer 3 (model → **state**), the single source the walker, the renderers and
//! lab-netns read. Route shapes follow calico-semantics §2.3 (v3.28): BIRD programs IPIP
//! and unencapsulated routes it learned over BGP (`proto bird`); Felix programs VXLAN
//! routes from the datastore whatever BGP does (`proto 80` blackholes, VTEP routes).

mod links;
pub mod routers;
mod routes;

use core::net::Ipv4Addr;

use ipnetwork::Ipv4Network;
use serde::Serialize;

use crate::model::{NodeId, PodId};
pub use links::{Link, LinkKind, VXLAN_PORT, VXLAN_VNI};
pub use routers::{RouterRoute, RouterTable};
pub use routes::{LearnedFrom, Proto, Route, RouteKind, RouteReason};

/// A permanent ARP entry Felix writes for a remote VTEP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Neighbour {
    pub ip: Ipv4Addr,
    pub mac: String,
    pub dev: String,
}

/// A permanent bridge FDB entry on vxlan.calico: remote VTEP MAC → remote node IP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FdbEntry {
    pub mac: String,
    pub dst: Ipv4Addr,
    pub dev: String,
}

/// The pod's side of its veth: `eth0` with a /32 and a default route via 169.254.1.1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PodNetwork {
    pub pod: PodId,
    pub address: Ipv4Addr,
    pub eth0_ifindex: u32,
    pub mtu: u32,
    /// The host side, `caliXXXXXXXXXXX`.
    pub host_veth: String,
    pub host_veth_ifindex: u32,
    pub routes: Vec<Route>,
}

/// The MTUs Felix chose for this node (calico-semantics §2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Mtus {
    pub host: u32,
    pub ipip: u32,
    pub vxlan: u32,
    pub pod: u32,
}

impl NodeDataplane {
    /// The name of the link with this ifindex in the node's namespace.
    pub fn link_name(&self, ifindex: u32) -> Option<&str> {
        self.links
            .iter()
            .find(|l| l.ifindex == ifindex)
            .map(|l| l.name.as_str())
    }
}

/// Everything calico-node programs on one node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeDataplane {
    pub node: NodeId,
    pub name: String,
    /// The node's Calico address (`spec.bgp.ipv4Address`), when it has one.
    pub address: Option<Ipv4Network>,
    pub links: Vec<Link>,
    /// The main routing table, in the order `ip route` prints it.
    pub routes: Vec<Route>,
    pub neighbours: Vec<Neighbour>,
    pub fdb: Vec<FdbEntry>,
    pub pods: Vec<PodNetwork>,
    pub mtu: Mtus,
}

pub use routes::compute;
