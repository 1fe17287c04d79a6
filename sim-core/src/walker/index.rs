//! Lookups the walk needs per hop, built once per state: longest-prefix match over each
//! node's routing table, who holds an address, each node's VXLAN neighbours and FDB.
//! Keys are addresses and short strings we build ourselves: Fx hashing, not SipHash.

use core::net::{IpAddr, Ipv4Addr};

use rustc_hash::FxHashMap as HashMap;

use ipnetwork::{IpNetwork, Ipv4Network};

use crate::dataplane::{NodeDataplane, Route};
use crate::model::{NodeId, PodId};
use crate::state::ClusterState;

/// Longest-prefix match over one routing table: one hash map per prefix length present,
/// longest first (a few lookups whatever the table's size).
#[derive(Debug, Default)]
pub struct RouteIndex {
    by_len: Vec<(u8, HashMap<u32, u32>)>,
}

fn mask(len: u8) -> u32 {
    if len == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(len))
    }
}

impl RouteIndex {
    pub fn new(routes: &[Route]) -> Self {
        let mut by_len: Vec<(u8, HashMap<u32, u32>)> = Vec::new();
        for (i, r) in routes.iter().enumerate() {
            let len = r.dst.prefix();
            let key = u32::from(r.dst.network()) & mask(len);
            let slot = match by_len.iter().position(|(l, _)| *l == len) {
                Some(s) => s,
                None => {
                    by_len.push((len, HashMap::default()));
                    by_len.len() - 1
                }
            };
            by_len[slot].1.entry(key).or_insert(i as u32);
        }
        by_len.sort_by_key(|(len, _)| core::cmp::Reverse(*len));
        Self { by_len }
    }

    /// The index of the most specific route holding `ip`.
    pub fn lookup(&self, ip: Ipv4Addr) -> Option<usize> {
        let ip = u32::from(ip);
        self.by_len
            .iter()
            .find_map(|(len, m)| m.get(&(ip & mask(*len))).map(|&i| i as usize))
    }
}

/// Who holds an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Pod(PodId),
    /// A node's NIC or tunnel address.
    Node(NodeId),
    External(usize),
    /// A router's address on a network (its gateway address).
    Router(usize),
}

/// A pool as NAT sees it.
#[derive(Debug, Clone, Copy)]
pub struct PoolNet {
    pub cidr: Ipv4Network,
    pub nat_outgoing: bool,
    pub pool: usize,
}

#[derive(Debug)]
pub struct Index {
    pub routes: Vec<RouteIndex>,
    pub owners: HashMap<Ipv4Addr, Owner>,
    /// Per pod: (node, index into that node's `pods`).
    pub pod_net: Vec<Option<(NodeId, usize)>>,
    /// Per pod: `namespace/name`, made once rather than on every walk.
    pub pod_keys: Vec<String>,
    /// Per node: VXLAN neighbour IP → MAC.
    pub neighbours: Vec<HashMap<Ipv4Addr, String>>,
    /// Per node: VXLAN FDB MAC → remote node IP.
    pub fdb: Vec<HashMap<String, Ipv4Addr>>,
    /// Every IPv4 pool (disabled ones too: Felix's all-ipam-pools set holds them).
    pub pools: Vec<PoolNet>,
}

impl Index {
    pub fn new(state: &ClusterState) -> Self {
        let cluster = &state.cluster;
        let mut owners = HashMap::default();
        for (r, router) in cluster.routers.iter().enumerate() {
            for &n in &router.networks {
                if let Some(gw) = cluster.networks[n].gateway {
                    owners.entry(gw).or_insert(Owner::Router(r));
                }
            }
        }
        for (e, ext) in cluster.externals.iter().enumerate() {
            owners.insert(ext.address, Owner::External(e));
        }
        let mut pod_net = vec![None; cluster.pods.len()];
        for dp in &state.dataplane {
            for link in &dp.links {
                if link.name == "lo" {
                    continue;
                }
                for a in &link.addresses {
                    owners.insert(a.ip(), Owner::Node(dp.node));
                }
            }
            for (i, p) in dp.pods.iter().enumerate() {
                owners.insert(p.address, Owner::Pod(p.pod));
                pod_net[p.pod] = Some((dp.node, i));
            }
        }
        let pools = cluster
            .pools
            .iter()
            .enumerate()
            .filter_map(|(i, p)| match p.cidr {
                IpNetwork::V4(cidr) => Some(PoolNet {
                    cidr,
                    nat_outgoing: p.nat_outgoing,
                    pool: i,
                }),
                IpNetwork::V6(_) => None,
            })
            .collect();
        Self {
            routes: state
                .dataplane
                .iter()
                .map(|dp| RouteIndex::new(&dp.routes))
                .collect(),
            owners,
            pod_net,
            pod_keys: cluster.pods.iter().map(|p| p.key()).collect(),
            neighbours: state.dataplane.iter().map(neighbours).collect(),
            fdb: state
                .dataplane
                .iter()
                .map(|dp| dp.fdb.iter().map(|f| (f.mac.clone(), f.dst)).collect())
                .collect(),
            pools,
        }
    }

    pub fn owner(&self, ip: Ipv4Addr) -> Option<Owner> {
        self.owners.get(&ip).copied()
    }

    /// The pool holding `ip` (any pool, enabled or not).
    pub fn pool_of(&self, ip: Ipv4Addr) -> Option<&PoolNet> {
        self.pools
            .iter()
            .filter(|p| p.cidr.contains(ip))
            .max_by_key(|p| p.cidr.prefix())
    }

    pub fn in_any_pool(&self, ip: Ipv4Addr) -> bool {
        self.pools.iter().any(|p| p.cidr.contains(ip))
    }

    pub fn in_masq_pool(&self, ip: Ipv4Addr) -> bool {
        self.pools
            .iter()
            .any(|p| p.nat_outgoing && p.cidr.contains(ip))
    }
}

fn neighbours(dp: &NodeDataplane) -> HashMap<Ipv4Addr, String> {
    dp.neighbours
        .iter()
        .map(|n| (n.ip, n.mac.clone()))
        .collect()
}

/// The IPv4 address of an `IpAddr`, if it is one.
pub fn v4(ip: IpAddr) -> Option<Ipv4Addr> {
    match ip {
        IpAddr::V4(v) => Some(v),
        IpAddr::V6(_) => None,
    }
}
