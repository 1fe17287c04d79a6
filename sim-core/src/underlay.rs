//! The underlay: whether one host address can reach another over the scenario's L2
//! networks and routers, and why not when it cannot.
//!
//! Hosts route as an unconfigured Linux host does: connected networks first, else the
//! default route through the gateway of the default-route NIC. Routers forward between
//! every network of the fabric they are joined to (the fabric's own routing is assumed
//! converged); they know nothing of pod addresses unless BGP tells them (see `bgp`).

use core::net::Ipv4Addr;
use std::collections::{BTreeMap, VecDeque};

use crate::model::{Cluster, NetworkId, NodeId};

/// Who answers for an address on a network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    Node(NodeId),
    Router(usize),
    External(usize),
}

/// Addresses per network, and which networks each router's fabric reaches.
#[derive(Debug, Clone)]
pub struct Underlay {
    /// Per network: address → the host holding it.
    hosts: Vec<BTreeMap<Ipv4Addr, Host>>,
    /// Per router: the networks its fabric (routers joined through shared networks) reaches.
    fabric: Vec<Vec<NetworkId>>,
    /// Externals beyond a network's gateway (not inside its CIDR): (address, network, external).
    beyond: Vec<(Ipv4Addr, NetworkId, usize)>,
}

impl Underlay {
    pub fn new(cluster: &Cluster) -> Self {
        let mut hosts = vec![BTreeMap::new(); cluster.networks.len()];
        for (id, node) in cluster.nodes.iter().enumerate() {
            for f in &node.interfaces {
                hosts[f.network].insert(f.address, Host::Node(id));
            }
        }
        for (r, router) in cluster.routers.iter().enumerate() {
            for &n in &router.networks {
                if let Some(gw) = cluster.networks[n].gateway {
                    hosts[n].entry(gw).or_insert(Host::Router(r));
                }
            }
        }
        let mut beyond = Vec::new();
        for (e, ext) in cluster.externals.iter().enumerate() {
            match ext.network {
                Some(n) if cluster.networks[n].cidr.contains(ext.address) => {
                    hosts[n].insert(ext.address, Host::External(e));
                }
                Some(n) => beyond.push((ext.address, n, e)),
                None => {}
            }
        }
        let fabric = (0..cluster.routers.len())
            .map(|r| fabric_networks(cluster, r))
            .collect();
        Self {
            hosts,
            fabric,
            beyond,
        }
    }

    /// The host holding `ip` on network `n`, if any.
    pub fn host_on(&self, n: NetworkId, ip: Ipv4Addr) -> Option<Host> {
        self.hosts[n].get(&ip).copied()
    }

    /// Where a packet from `node` to `dst` ends up, following host and router routes.
    /// Err carries the reason in words.
    pub fn deliver(&self, cluster: &Cluster, node: NodeId, dst: Ipv4Addr) -> Result<Host, String> {
        let n = &cluster.nodes[node];
        if n.interfaces.iter().any(|f| f.address == dst) {
            return Ok(Host::Node(node));
        }
        if let Some(f) = cluster.connected_nic(n, dst).map(|i| &n.interfaces[i]) {
            let net = &cluster.networks[f.network];
            return self.host_on(f.network, dst).ok_or_else(|| {
                format!(
                    "nobody on network {} ({}) holds {dst}: ARP gets no answer",
                    net.name, net.cidr
                )
            });
        }
        let Some(nic) = n.interfaces.get(n.default_route) else {
            return Err(format!("node {} has no interfaces", n.name));
        };
        let net = &cluster.networks[nic.network];
        let Some(gw) = net.gateway else {
            return Err(format!(
                "node {} has no route to {dst}: {dst} is on none of its networks and network {} has no gateway",
                n.name,
                net.name
            ));
        };
        match self.host_on(nic.network, gw) {
            Some(Host::Router(r)) => self.route_through(cluster, r, dst).map_err(|why| {
                format!(
                    "node {} sends {dst} to its gateway {gw} (router {}), but {why}",
                    n.name, cluster.routers[r].name
                )
            }),
            _ => Err(format!(
                "node {}'s default gateway {gw} on network {} is not a router of the scenario",
                n.name, net.name
            )),
        }
    }

    /// Forwarding inside a router's fabric toward `dst`.
    pub fn route_through(
        &self,
        cluster: &Cluster,
        router: usize,
        dst: Ipv4Addr,
    ) -> Result<Host, String> {
        let reach = &self.fabric[router];
        if let Some(&n) = reach
            .iter()
            .find(|&&n| cluster.networks[n].cidr.contains(dst))
        {
            let net = &cluster.networks[n];
            return self.host_on(n, dst).ok_or_else(|| {
                format!("nobody on network {} ({}) holds {dst}", net.name, net.cidr)
            });
        }
        if let Some(&(_, _, e)) = self
            .beyond
            .iter()
            .find(|(ip, n, _)| *ip == dst && reach.contains(n))
        {
            return Ok(Host::External(e));
        }
        Err(format!(
            "the fabric of router {} has no route to {dst}",
            cluster.routers[router].name
        ))
    }

    /// Can `a` (sending from `a_ip`) and `b` (at `b_ip`) exchange packets both ways?
    pub fn two_way(
        &self,
        cluster: &Cluster,
        a: NodeId,
        a_ip: Ipv4Addr,
        b: Host,
        b_ip: Ipv4Addr,
    ) -> Result<(), String> {
        match self.deliver(cluster, a, b_ip)? {
            h if h == b => {}
            other => {
                return Err(format!(
                    "{b_ip} is answered by {} instead",
                    self.describe(cluster, other)
                ))
            }
        }
        let back = match b {
            Host::Node(bn) => self.deliver(cluster, bn, a_ip),
            Host::Router(r) => self.route_through(cluster, r, a_ip),
            Host::External(_) => Ok(Host::Node(a)),
        };
        match back {
            Ok(Host::Node(n)) if n == a => Ok(()),
            Ok(other) => Err(format!(
                "replies to {a_ip} reach {} instead",
                self.describe(cluster, other)
            )),
            Err(why) => Err(format!("replies to {a_ip} are lost: {why}")),
        }
    }

    pub fn describe(&self, cluster: &Cluster, h: Host) -> String {
        match h {
            Host::Node(n) => format!("node {}", cluster.nodes[n].name),
            Host::Router(r) => format!("router {}", cluster.routers[r].name),
            Host::External(e) => format!("external {}", cluster.externals[e].name),
        }
    }
}

/// Networks reachable from a router through routers that share networks with it.
fn fabric_networks(cluster: &Cluster, start: usize) -> Vec<NetworkId> {
    let mut seen_routers = vec![false; cluster.routers.len()];
    let mut networks = vec![false; cluster.networks.len()];
    let mut queue = VecDeque::from([start]);
    seen_routers[start] = true;
    while let Some(r) = queue.pop_front() {
        for &n in &cluster.routers[r].networks {
            networks[n] = true;
            for (other, router) in cluster.routers.iter().enumerate() {
                if !seen_routers[other] && router.networks.contains(&n) {
                    seen_routers[other] = true;
                    queue.push_back(other);
                }
            }
        }
    }
    networks
        .iter()
        .enumerate()
        .filter(|(_, on)| **on)
        .map(|(n, _)| n)
        .collect()
}
