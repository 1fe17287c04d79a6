//! What the fabric routers learn over BGP: the pod prefixes of the nodes they peer with
//! (directly or through other speakers), each toward its BGP next hop.
//!
//! A router with no Established session knows no pod address: unencapsulated pod traffic
//! that reaches it has nowhere to go. Its own networks it always routes (the underlay).

use core::net::Ipv4Addr;

use ipnetwork::Ipv4Network;
use serde::Serialize;

use crate::bgp::{BgpState, Speaker};
use crate::ipam::IpamState;
use crate::model::{Cluster, NodeId};

use super::routes::announced;

/// A pod prefix a router learned, and where it sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RouterRoute {
    pub dst: Ipv4Network,
    pub via: Ipv4Addr,
    /// The node that originates the prefix.
    pub origin: NodeId,
}

/// One router's BGP-learned routes, by prefix.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RouterTable {
    pub routes: Vec<RouterRoute>,
}

impl RouterTable {
    /// The longest prefix holding `ip`.
    pub fn lookup(&self, ip: Ipv4Addr) -> Option<&RouterRoute> {
        self.routes
            .iter()
            .filter(|r| r.dst.contains(ip))
            .max_by_key(|r| r.dst.prefix())
    }
}

/// One table per router of the scenario (empty for routers that speak no BGP).
pub fn compute(cluster: &Cluster, ipam: &IpamState, bgp: &BgpState) -> Vec<RouterTable> {
    let announced = announced(cluster, ipam);
    (0..cluster.routers.len())
        .map(|r| {
            let Some(i) = bgp.rib.index_of(Speaker::Router(r)) else {
                return RouterTable::default();
            };
            let mut routes = Vec::new();
            for e in &bgp.rib.entries[i] {
                let Speaker::Node(origin) = bgp.rib.speakers[e.origin as usize] else {
                    continue;
                };
                let via = bgp.rib.path(e).next_hop;
                routes.extend(
                    announced[origin]
                        .iter()
                        .filter(|a| !cluster.pools[a.pool].disable_bgp_export)
                        .map(|a| RouterRoute {
                            dst: a.prefix,
                            via,
                            origin,
                        }),
                );
            }
            routes.sort_by_key(|r| (u32::from(r.dst.network()), r.dst.prefix()));
            RouterTable { routes }
        })
        .collect()
}
