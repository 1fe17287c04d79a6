//! Each node's kernel routes: connected and default routes, pod /32s, BIRD's blackholes and
//! learned routes, Felix's VXLAN routes; and each pod's own two routes.

use core::net::{IpAddr, Ipv4Addr};

use ipnetwork::{IpNetwork, Ipv4Network};
use serde::Serialize;

use crate::bgp::{BgpState, Speaker};
use crate::ipam::IpamState;
use crate::model::{CalicoVersion, Cluster, EncapMode, NodeId, PodId, PoolId};
use crate::mtu::{self, EnabledEncaps, TunnelMtus};
use crate::naming;

use super::links::{host_veth, NodeLinks};
use super::{FdbEntry, Mtus, Neighbour, NodeDataplane, PodNetwork};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum RouteKind {
    Unicast,
    Blackhole,
}

/// Who installed a route, as `ip route` shows it (`proto bird`, `proto 80`, none for boot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Proto {
    Boot,
    Kernel,
    Bird,
    /// Felix's own protocol number (dataplanedefs.DefaultRouteProto).
    Felix,
}

/// The BGP neighbour a route was learned from (a compact [`Speaker`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LearnedFrom {
    Node(u32),
    Router(u32),
}

impl From<Speaker> for LearnedFrom {
    fn from(s: Speaker) -> Self {
        match s {
            Speaker::Node(n) => LearnedFrom::Node(n as u32),
            Speaker::Router(r) => LearnedFrom::Router(r as u32),
        }
    }
}

/// Why a route is there: who installed it and what for. Kept as small data (a large
/// cluster has millions of routes); [`RouteReason::describe`] says it in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "source", rename_all = "camelCase")]
pub enum RouteReason {
    /// The kernel's route for a NIC's own network.
    Connected { network: u32 },
    /// The default route through the default NIC's gateway.
    DefaultGateway { network: u32 },
    /// The CNI plugin's route to a pod on this node.
    LocalPod { pod: u32 },
    /// BIRD's static blackhole for one of this node's blocks.
    OwnBlockBird,
    /// Felix's blackhole for one of this node's VXLAN blocks.
    OwnBlockFelix,
    /// Learned by BIRD over BGP: a block (or a borrowed /32) of `origin`, via `encap`.
    Bird {
        origin: u32,
        learned_from: LearnedFrom,
        borrowed: bool,
        ipip: bool,
    },
    /// Felix's route to another node's VXLAN block (`direct`: CrossSubnet, same subnet).
    FelixVxlan { origin: u32, direct: bool },
    /// Felix's route to another node's IPIP block (v3.33+: Felix owns IPIP cluster routes).
    FelixIpip { origin: u32, direct: bool },
    /// In a pod: the default route through 169.254.1.1.
    PodDefault,
    /// In a pod: 169.254.1.1 is on-link.
    PodGateway,
}

impl RouteReason {
    pub fn describe(&self, cluster: &Cluster) -> String {
        let node = |n: u32| cluster.nodes[n as usize].name.as_str();
        match *self {
            RouteReason::Connected { network } => format!(
                "connected: this NIC is on network {}",
                cluster.networks[network as usize].name
            ),
            RouteReason::DefaultGateway { network } => format!(
                "default route through network {}'s gateway",
                cluster.networks[network as usize].name
            ),
            RouteReason::LocalPod { pod } => format!(
                "pod {} on this node (CNI plugin)",
                cluster.pods[pod as usize].key()
            ),
            RouteReason::OwnBlockBird => {
                "BIRD: this node's own block (static blackhole, announced to peers)".into()
            }
            RouteReason::OwnBlockFelix => {
                "Felix: this node's own VXLAN block; addresses not in use go nowhere".into()
            }
            RouteReason::Bird {
                origin,
                learned_from,
                borrowed,
                ipip,
            } => {
                let what = if borrowed {
                    "an address borrowed by"
                } else {
                    "the block of"
                };
                let from = match learned_from {
                    LearnedFrom::Node(n) => format!("node {}", cluster.nodes[n as usize].name),
                    LearnedFrom::Router(r) => {
                        format!("router {}", cluster.routers[r as usize].name)
                    }
                };
                let how = if ipip {
                    "IPIP pool: through tunl0"
                } else {
                    "no encapsulation: routed on the underlay"
                };
                format!("BIRD: {what} {} learned from {from}; {how}", node(origin))
            }
            RouteReason::FelixVxlan {
                origin,
                direct: true,
            } => {
                format!(
                    "Felix: {}'s VXLAN block, same subnet (CrossSubnet): no encapsulation",
                    node(origin)
                )
            }
            RouteReason::FelixVxlan {
                origin,
                direct: false,
            } => format!("Felix: {}'s VXLAN block, through its VTEP", node(origin)),
            RouteReason::FelixIpip {
                origin,
                direct: true,
            } => format!(
                "Felix: {}'s IPIP block, same subnet (CrossSubnet): no encapsulation",
                node(origin)
            ),
            RouteReason::FelixIpip {
                origin,
                direct: false,
            } => {
                format!("Felix: {}'s IPIP block, through tunl0", node(origin))
            }
            RouteReason::PodDefault => {
                "CNI: everything through the host (proxy ARP answers for 169.254.1.1)".into()
            }
            RouteReason::PodGateway => "CNI: the fake gateway is on-link".into(),
        }
    }
}

/// One kernel route. `oif` is the ifindex of the output device in the same namespace
/// (as the kernel stores it); the renderers turn it into the device name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    pub dst: Ipv4Network,
    pub kind: RouteKind,
    pub via: Option<Ipv4Addr>,
    pub oif: Option<u32>,
    pub proto: Proto,
    pub scope_link: bool,
    pub onlink: bool,
    pub src: Option<Ipv4Addr>,
    pub reason: RouteReason,
}

impl Route {
    fn new(dst: Ipv4Network, reason: RouteReason) -> Self {
        Self {
            dst,
            kind: RouteKind::Unicast,
            via: None,
            oif: None,
            proto: Proto::Boot,
            scope_link: false,
            onlink: false,
            src: None,
            reason,
        }
    }

    fn via(mut self, gw: Ipv4Addr, oif: u32) -> Self {
        self.via = Some(gw);
        self.oif = Some(oif);
        self
    }

    fn dev(mut self, oif: u32) -> Self {
        self.oif = Some(oif);
        self.scope_link = true;
        self
    }

    fn proto(mut self, proto: Proto) -> Self {
        self.proto = proto;
        self
    }

    fn onlink(mut self) -> Self {
        self.onlink = true;
        self
    }
}

fn v4(ip: IpAddr) -> Option<Ipv4Addr> {
    match ip {
        IpAddr::V4(v) => Some(v),
        IpAddr::V6(_) => None,
    }
}

fn v4net(net: &IpNetwork) -> Option<Ipv4Network> {
    match net {
        IpNetwork::V4(v) => Some(*v),
        IpNetwork::V6(_) => None,
    }
}

/// A prefix a node announces: one of its blocks, or a borrowed address it hosts.
#[derive(Debug, Clone, Copy)]
pub(super) struct Announced {
    pub prefix: Ipv4Network,
    pub pool: PoolId,
}

/// Per node: its blocks (not /32 blocks), then /32s of pods using addresses from others' blocks.
pub(super) fn announced(cluster: &Cluster, ipam: &IpamState) -> Vec<Vec<Announced>> {
    let mut out: Vec<Vec<Announced>> = vec![Vec::new(); cluster.nodes.len()];
    for (node, blocks) in ipam.node_blocks.iter().enumerate() {
        for &b in blocks {
            let block = &ipam.blocks[b];
            if let Some(prefix) = v4net(&block.cidr).filter(|p| p.prefix() < 32) {
                out[node].push(Announced {
                    prefix,
                    pool: block.pool,
                });
            }
        }
    }
    for block in &ipam.blocks {
        for (ip, a) in block.allocations() {
            let (Some(ip), crate::ipam::Owner::Pod(_)) = (v4(ip), a.owner) else {
                continue;
            };
            if block.affinity != Some(a.node) || block.cidr.prefix() == 32 {
                out[a.node].push(Announced {
                    prefix: Ipv4Network::new(ip, 32).expect("valid"),
                    pool: block.pool,
                });
            }
        }
    }
    out
}

/// The encapsulation that carries a pool's traffic between two nodes.
fn is_vxlan(cluster: &Cluster, pool: PoolId) -> bool {
    cluster.pools[pool].vxlan_mode.is_enabled()
}

/// Does the local node's subnet (from its Calico address) contain `ip`? (Felix nodeInOurSubnet.)
fn same_subnet(local: Option<Ipv4Network>, ip: Ipv4Addr) -> bool {
    local.is_some_and(|l| l.contains(ip))
}

/// Computes the dataplane of every node.
pub fn compute(
    cluster: &Cluster,
    ipam: &IpamState,
    bgp: &BgpState,
    node_address: &[Option<Ipv4Network>],
) -> Vec<NodeDataplane> {
    let announced = announced(cluster, ipam);
    let enabled = EnabledEncaps {
        ipip: cluster
            .pools
            .iter()
            .any(|p| !p.disabled && p.ipip_mode.is_enabled()),
        vxlan: cluster
            .pools
            .iter()
            .any(|p| !p.disabled && p.cidr.is_ipv4() && p.vxlan_mode.is_enabled()),
        ..EnabledEncaps::default()
    };
    let mut pods_on: Vec<Vec<(PodId, Ipv4Addr)>> = vec![Vec::new(); cluster.nodes.len()];
    for (id, pod) in cluster.pods.iter().enumerate() {
        if let Some(ip) = ipam.pod_address(id).and_then(v4) {
            pods_on[pod.node].push((id, ip));
        }
    }
    (0..cluster.nodes.len())
        .map(|node| {
            let ctx = NodeCtx {
                cluster,
                ipam,
                bgp,
                node_address,
                announced: &announced,
                node,
            };
            ctx.build(&pods_on[node], &enabled)
        })
        .collect()
}

struct NodeCtx<'a> {
    cluster: &'a Cluster,
    ipam: &'a IpamState,
    bgp: &'a BgpState,
    node_address: &'a [Option<Ipv4Network>],
    announced: &'a [Vec<Announced>],
    node: NodeId,
}

/// The ifindexes routes point at: NIC i is `i + 2` (lo is 1), then the tunnel devices.
struct Devices {
    tunl0: Option<u32>,
    vxlan: Option<u32>,
}

fn nic_ifindex(i: usize) -> u32 {
    i as u32 + 2
}

impl NodeCtx<'_> {
    fn build(&self, local_pods: &[(PodId, Ipv4Addr)], enabled: &EnabledEncaps) -> NodeDataplane {
        let cluster = self.cluster;
        let n = &cluster.nodes[self.node];
        let mtu = self.mtus(enabled);
        // In a pod's namespace: lo is 1, tunl0 2 when the ipip module is loaded, then eth0.
        let eth0_ifindex = if enabled.ipip { 3 } else { 2 };
        let tunnels = &self.ipam.tunnels[self.node];
        let links = NodeLinks::build(
            cluster,
            self.node,
            tunnels,
            &mtu,
            self.node_address[self.node],
            local_pods,
            eth0_ifindex,
        )
        .links;
        let find = |name: &str| links.iter().find(|l| l.name == name).map(|l| l.ifindex);
        let devices = Devices {
            tunl0: find("tunl0"),
            vxlan: find("vxlan.calico"),
        };

        let rib_len = self
            .bgp
            .rib
            .index_of(Speaker::Node(self.node))
            .map_or(0, |i| self.bgp.rib.entries[i].len());
        let mut routes = Vec::with_capacity(
            rib_len + 2 * local_pods.len() + self.announced[self.node].len() + 8,
        );
        routes.extend(self.host_routes());
        let mut pods = Vec::new();
        for &(pod, ip) in local_pods {
            let veth = host_veth(cluster, pod);
            let ifindex = find(&veth).expect("every local pod has a veth");
            routes.push(
                Route::new(
                    Ipv4Network::new(ip, 32).expect("valid"),
                    RouteReason::LocalPod { pod: pod as u32 },
                )
                .dev(ifindex),
            );
            pods.push(PodNetwork {
                pod,
                address: ip,
                eth0_ifindex,
                mtu: mtu.pod,
                host_veth: veth,
                host_veth_ifindex: ifindex,
                routes: pod_routes(eth0_ifindex),
            });
        }
        routes.extend(self.blackholes());
        self.bird_routes(&devices, &mut routes);
        let (vxlan_routes, neighbours, fdb) = self.felix_vxlan(&devices);
        routes.extend(vxlan_routes);
        self.felix_ipip(&devices, &mut routes);
        NodeDataplane {
            node: self.node,
            name: n.name.clone(),
            address: self.node_address[self.node],
            links,
            routes: sort_routes(routes),
            neighbours,
            fdb,
            pods,
            mtu,
        }
    }

    fn mtus(&self, enabled: &EnabledEncaps) -> Mtus {
        let n = &self.cluster.nodes[self.node];
        let nics: Vec<(&str, u32)> = n
            .interfaces
            .iter()
            .map(|f| (f.name.as_str(), f.mtu))
            .collect();
        let host = mtu::host_mtu(&nics);
        let overrides = self.cluster.felix.mtus(self.node);
        let v3_16 = self.cluster.calico_version < CalicoVersion::parse("v3.17").expect("valid");
        let tunnels = if v3_16 {
            TunnelMtus::v3_16(&overrides)
        } else {
            TunnelMtus::auto(host, &overrides)
        };
        // The pod's veth MTU is the CNI config's: veth_mtu when set; else v3.17+ takes Felix's
        // computed MTU, and v3.16 manifests shipped 1440 (1410 in calico-vxlan.yaml).
        let pod = match self.cluster.cni_mtu {
            Some(m) => m,
            None if v3_16 => {
                if enabled.vxlan {
                    1410
                } else {
                    1440
                }
            }
            None => mtu::pod_mtu(host, &tunnels, enabled),
        };
        Mtus {
            host,
            ipip: tunnels.ipip,
            vxlan: tunnels.vxlan,
            pod,
        }
    }

    /// Connected routes of each NIC and the default route through the default NIC's gateway.
    fn host_routes(&self) -> Vec<Route> {
        let cluster = self.cluster;
        let n = &cluster.nodes[self.node];
        let mut out = Vec::new();
        for (i, f) in n.interfaces.iter().enumerate() {
            let net = &cluster.networks[f.network];
            let mut r = Route::new(
                net.cidr,
                RouteReason::Connected {
                    network: f.network as u32,
                },
            )
            .dev(nic_ifindex(i))
            .proto(Proto::Kernel);
            r.src = Some(f.address);
            out.push(r);
        }
        if let Some((nic, gw)) = cluster.default_gateway(n) {
            let default = Ipv4Network::new(Ipv4Addr::UNSPECIFIED, 0).expect("valid");
            let network = n.interfaces[nic].network as u32;
            out.push(
                Route::new(default, RouteReason::DefaultGateway { network })
                    .via(gw, nic_ifindex(nic)),
            );
        }
        out
    }

    /// BIRD's static blackhole per local block (IPIP and unencapsulated pools); Felix's for
    /// VXLAN pools from v3.20 (none before: calico-semantics §2.3).
    fn blackholes(&self) -> Vec<Route> {
        let bird = self.bgp.bird_address[self.node].is_some();
        let felix_vxlan_blackholes =
            self.cluster.calico_version >= CalicoVersion::parse("v3.20").expect("valid");
        let mut out = Vec::new();
        for a in self.announced[self.node]
            .iter()
            .filter(|a| a.prefix.prefix() < 32)
        {
            let (proto, reason) = if is_vxlan(self.cluster, a.pool) {
                if !felix_vxlan_blackholes || self.ipam.tunnels[self.node].vxlan.is_none() {
                    continue;
                }
                (Proto::Felix, RouteReason::OwnBlockFelix)
            } else if self.felix_owns_ipip() && self.cluster.pools[a.pool].ipip_mode.is_enabled() {
                if self.ipam.tunnels[self.node].ipip.is_none() {
                    continue;
                }
                (Proto::Felix, RouteReason::OwnBlockFelix)
            } else {
                if !bird {
                    continue;
                }
                (Proto::Bird, RouteReason::OwnBlockBird)
            };
            let mut r = Route::new(a.prefix, reason).proto(proto);
            r.kind = RouteKind::Blackhole;
            out.push(r);
        }
        out
    }

    /// Routes BIRD learned over BGP for IPIP and unencapsulated pools.
    fn bird_routes(&self, devices: &Devices, out: &mut Vec<Route>) {
        if self.bgp.bird_address[self.node].is_none() {
            return;
        }
        let cluster = self.cluster;
        let local = self.node_address[self.node];
        for (origin, path) in self.bgp.node_rib(self.node) {
            let Speaker::Node(o) = origin else { continue };
            if o == self.node {
                continue;
            }
            let Some(learned_from) = path
                .from
                .map(|f| LearnedFrom::from(self.bgp.rib.speakers[f as usize]))
            else {
                continue;
            };
            for a in &self.announced[o] {
                let pool = &cluster.pools[a.pool];
                let felix_owned = pool.vxlan_mode.is_enabled()
                    || (self.felix_owns_ipip() && pool.ipip_mode.is_enabled());
                if felix_owned || pool.disable_bgp_export {
                    continue;
                }
                let nh = path.next_hop;
                let ipip = match pool.ipip_mode {
                    EncapMode::Always => true,
                    EncapMode::CrossSubnet => !same_subnet(local, nh),
                    EncapMode::Never => false,
                };
                let reason = RouteReason::Bird {
                    origin: o as u32,
                    learned_from,
                    borrowed: a.prefix.prefix() == 32,
                    ipip,
                };
                let route = match (ipip, devices.tunl0) {
                    (true, Some(tunl0)) => Route::new(a.prefix, reason)
                        .via(nh, tunl0)
                        .proto(Proto::Bird)
                        .onlink(),
                    // BIRD cannot install a route through a tunl0 this node does not have.
                    (true, None) => continue,
                    (false, _) => match self.resolve_next_hop(nh) {
                        Some((gw, oif)) => {
                            Route::new(a.prefix, reason).via(gw, oif).proto(Proto::Bird)
                        }
                        None => continue,
                    },
                };
                out.push(route);
            }
        }
    }

    /// BIRD's `gateway recursive`: the next hop itself when on a connected network, else
    /// the gateway of the route toward it.
    fn resolve_next_hop(&self, nh: Ipv4Addr) -> Option<(Ipv4Addr, u32)> {
        let n = &self.cluster.nodes[self.node];
        match self.cluster.connected_nic(n, nh) {
            Some(nic) => Some((nh, nic_ifindex(nic))),
            None => self
                .cluster
                .default_gateway(n)
                .map(|(nic, gw)| (gw, nic_ifindex(nic))),
        }
    }

    /// From v3.33 Felix programs IPIP cluster routes itself (`programClusterRoutes:
    /// EnabledIPIPOnly` by default); v3.31–v3.32 default to `Disabled` (BIRD, as in v3.28).
    fn felix_owns_ipip(&self) -> bool {
        self.cluster.calico_version >= CalicoVersion::parse("v3.33").expect("valid")
    }

    /// The NIC holding this node's Calico address: where unencapsulated CrossSubnet
    /// traffic and the tunnels' outer packets leave.
    fn parent_ifindex(&self) -> Option<u32> {
        let local = self.node_address[self.node]?;
        let nics = &self.cluster.nodes[self.node].interfaces;
        nics.iter()
            .position(|f| f.address == local.ip())
            .map(nic_ifindex)
    }

    /// Felix's IPIP routes (v3.33+) toward every other node, from the datastore.
    fn felix_ipip(&self, devices: &Devices, out: &mut Vec<Route>) {
        let (true, Some(tunl0)) = (self.felix_owns_ipip(), devices.tunl0) else {
            return;
        };
        let cluster = self.cluster;
        let local = self.node_address[self.node];
        let parent = self.parent_ifindex();
        for o in (0..cluster.nodes.len()).filter(|&o| o != self.node) {
            let Some(remote) = self.node_address[o] else {
                continue;
            };
            for a in self.announced[o]
                .iter()
                .filter(|a| cluster.pools[a.pool].ipip_mode.is_enabled())
            {
                let direct = cluster.pools[a.pool].ipip_mode == EncapMode::CrossSubnet
                    && same_subnet(local, remote.ip());
                let reason = RouteReason::FelixIpip {
                    origin: o as u32,
                    direct,
                };
                let route = match (parent, direct) {
                    (Some(parent), true) => Route::new(a.prefix, reason).via(remote.ip(), parent),
                    _ => Route::new(a.prefix, reason).via(remote.ip(), tunl0),
                };
                out.push(route.proto(Proto::Felix).onlink());
            }
        }
    }

    /// Felix's VXLAN routes, ARP and FDB entries toward every other node with a VTEP.
    fn felix_vxlan(&self, devices: &Devices) -> (Vec<Route>, Vec<Neighbour>, Vec<FdbEntry>) {
        let (mut routes, mut neighbours, mut fdb) = (Vec::new(), Vec::new(), Vec::new());
        let cluster = self.cluster;
        let Some(vxlan_dev) = devices.vxlan else {
            return (routes, neighbours, fdb);
        };
        let local = self.node_address[self.node];
        let parent = self.parent_ifindex();
        for o in 0..cluster.nodes.len() {
            let (Some(vtep), Some(remote)) = (
                self.ipam.tunnels[o].vxlan.and_then(v4),
                self.node_address[o],
            ) else {
                continue;
            };
            if o == self.node {
                continue;
            }
            let mac = naming::format_mac(&naming::vxlan_mac(&cluster.nodes[o].name));
            neighbours.push(Neighbour {
                ip: vtep,
                mac: mac.clone(),
                dev: "vxlan.calico".into(),
            });
            fdb.push(FdbEntry {
                mac,
                dst: remote.ip(),
                dev: "vxlan.calico".into(),
            });
            for a in self.announced[o]
                .iter()
                .filter(|a| is_vxlan(cluster, a.pool))
            {
                let direct = cluster.pools[a.pool].vxlan_mode == EncapMode::CrossSubnet
                    && same_subnet(local, remote.ip());
                let reason = RouteReason::FelixVxlan {
                    origin: o as u32,
                    direct,
                };
                let route = match (parent, direct) {
                    (Some(parent), true) => Route::new(a.prefix, reason)
                        .via(remote.ip(), parent)
                        .proto(Proto::Felix)
                        .onlink(),
                    _ => Route::new(a.prefix, reason).via(vtep, vxlan_dev).onlink(),
                };
                routes.push(route);
            }
        }
        (routes, neighbours, fdb)
    }
}

/// The pod's routes: 169.254.1.1 on-link, and the default route through it.
fn pod_routes(eth0: u32) -> Vec<Route> {
    let gw = Ipv4Addr::new(169, 254, 1, 1);
    vec![
        Route::new(
            Ipv4Network::new(Ipv4Addr::UNSPECIFIED, 0).expect("valid"),
            RouteReason::PodDefault,
        )
        .via(gw, eth0),
        Route::new(
            Ipv4Network::new(gw, 32).expect("valid"),
            RouteReason::PodGateway,
        )
        .dev(eth0),
    ]
}

/// The kernel's dump order (fib trie: by address; routes to the same address longest prefix
/// first, as measured on a real namespace: a pod's /32 before its block's blackhole when it
/// holds the block's first address); one route per prefix, the first writer winning as the
/// kernel refuses a duplicate.
fn sort_routes(mut routes: Vec<Route>) -> Vec<Route> {
    let key =
        |r: &Route| (u64::from(u32::from(r.dst.network())) << 8) | u64::from(32 - r.dst.prefix());
    routes.sort_by_cached_key(|r| (key(r) << 8) | u64::from(writer_rank(&r.reason)));
    routes.dedup_by_key(|r| key(r));
    routes
}

/// Which writer got a prefix first when two would install it: the kernel's own routes,
/// then the CNI plugin's, then BIRD's blackholes, BIRD's learned routes, Felix's.
fn writer_rank(reason: &RouteReason) -> u8 {
    match reason {
        RouteReason::Connected { .. } | RouteReason::DefaultGateway { .. } => 0,
        RouteReason::LocalPod { .. } | RouteReason::PodDefault | RouteReason::PodGateway => 1,
        RouteReason::OwnBlockBird | RouteReason::OwnBlockFelix => 2,
        RouteReason::Bird { .. } => 3,
        RouteReason::FelixVxlan { .. } | RouteReason::FelixIpip { .. } => 4,
    }
}
