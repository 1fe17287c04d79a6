//! The kernel plan: the computed cluster as the namespaces, devices, addresses, sysctls,
//! routes, neighbours and nftables rules a Linux host needs to build it for real.
//!
//! Pure data, computed here and snapshot-tested; `lab-netns` only executes it. Every
//! namespace carries the lab's prefix; inside node and pod namespaces every device has the
//! name Calico gives it, and the routes are the dataplane's own, so `ip route` in a node
//! namespace prints what `calisim routes NODE` prints.
//!
//! Underlay: one namespace per network holding a bridge (`br0`); node NICs, router legs and
//! external hosts plug into it through veth pairs. Cloud rules become bridge-family nftables
//! rules in the network namespace (Azure drops IP protocol 4; AWS's source/destination
//! check drops frames whose addresses are not the instance's own).

use core::net::Ipv4Addr;
use std::collections::BTreeMap;

use ipnetwork::Ipv4Network;
use serde::Serialize;

use crate::dataplane::{LinkKind, Proto, RouteKind};
use crate::graph::{Place, PlaceKind};
use crate::model::{Cloud, NetworkId};
use crate::state::ClusterState;
use crate::underlay::Host;

mod kube_proxy;
mod policy;

/// Linux route protocol numbers (`/etc/iproute2/rt_protos`).
pub const RTPROT_KERNEL: u8 = 2;
pub const RTPROT_BOOT: u8 = 3;
pub const RTPROT_STATIC: u8 = 4;
pub const RTPROT_BIRD: u8 = 12;
/// Felix's own (`dataplanedefs.DefaultRouteProto`).
pub const RTPROT_FELIX: u8 = 80;

/// Everything to build, in build order: namespaces first, then the veth pairs between them,
/// then each namespace's contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KernelPlan {
    /// Every namespace name starts with it (`csim-<lab>-`).
    pub prefix: String,
    pub namespaces: Vec<NetnsPlan>,
    pub veths: Vec<VethPlan>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetnsPlan {
    pub name: String,
    pub place: Place,
    /// Bridges to create (network namespaces: `br0`).
    pub bridges: Vec<String>,
    pub vxlan: Option<VxlanPlan>,
    /// `tunl0` (needs the kernel's ipip module).
    pub ipip: Option<IpipPlan>,
    pub addresses: Vec<AddressPlan>,
    /// `(key, value)` under /proc/sys, e.g. `("net.ipv4.ip_forward", "1")`; device keys
    /// name devices that exist once the veths and tunnels are built.
    pub sysctls: Vec<(String, String)>,
    pub routes: Vec<RoutePlan>,
    pub neighbours: Vec<NeighbourPlan>,
    pub fdb: Vec<FdbPlan>,
    /// An `nft -f` ruleset to load, if any.
    pub nftables: Option<String>,
}

/// A veth pair; `a` and `b` may live in different namespaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VethPlan {
    pub a: VethEnd,
    pub b: VethEnd,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VethEnd {
    pub netns: String,
    pub name: String,
    pub mac: Option<String>,
    pub mtu: u32,
    /// The bridge to enslave this end to.
    pub master: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VxlanPlan {
    pub name: String,
    pub vni: u32,
    pub port: u16,
    pub local: Ipv4Addr,
    pub parent: String,
    pub mac: Option<String>,
    pub mtu: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpipPlan {
    pub name: String,
    pub mtu: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddressPlan {
    pub dev: String,
    pub address: Ipv4Network,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoutePlan {
    pub dst: Ipv4Network,
    pub blackhole: bool,
    pub via: Option<Ipv4Addr>,
    pub dev: Option<String>,
    pub onlink: bool,
    pub scope_link: bool,
    pub protocol: u8,
    pub src: Option<Ipv4Addr>,
}

impl RoutePlan {
    fn new(dst: Ipv4Network) -> Self {
        Self {
            dst,
            blackhole: false,
            via: None,
            dev: None,
            onlink: false,
            scope_link: false,
            protocol: RTPROT_BOOT,
            src: None,
        }
    }
}

/// A permanent ARP entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NeighbourPlan {
    pub dev: String,
    pub ip: Ipv4Addr,
    pub mac: String,
}

/// A permanent bridge FDB entry (`bridge fdb add MAC dev DEV dst IP self permanent`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FdbPlan {
    pub dev: String,
    pub mac: String,
    pub dst: Ipv4Addr,
}

impl KernelPlan {
    /// The namespace that materialises a place.
    pub fn netns_of(&self, place: &Place) -> Option<&NetnsPlan> {
        self.namespaces.iter().find(|n| n.place == *place)
    }
}

/// The namespace name for a place of lab `prefix` (`/` in pod keys becomes `.`).
pub fn netns_name(prefix: &str, place: &Place) -> String {
    let kind = match place.kind {
        PlaceKind::Pod => "pod",
        PlaceKind::Node => "node",
        PlaceKind::Network => "net",
        PlaceKind::Router => "rtr",
        PlaceKind::External => "ext",
    };
    format!("{prefix}{kind}-{}", place.name.replace('/', "."))
}

/// The plan for lab `lab` (its namespaces are named `csim-<lab>-…`).
pub fn plan(state: &ClusterState, lab: &str) -> KernelPlan {
    Planner::new(state, format!("csim-{lab}-")).build()
}

struct Planner<'s> {
    state: &'s ClusterState,
    prefix: String,
    namespaces: Vec<NetnsPlan>,
    veths: Vec<VethPlan>,
    /// Per network: the bridge ports handed out so far.
    ports: Vec<usize>,
    /// Per network: (bridge port, addresses behind it) for the AWS check.
    port_owners: Vec<Vec<(String, Vec<Ipv4Addr>)>>,
}

fn place(kind: PlaceKind, name: &str) -> Place {
    Place {
        kind,
        name: name.to_owned(),
    }
}

fn empty_ns(name: String, place: Place) -> NetnsPlan {
    NetnsPlan {
        name,
        place,
        bridges: Vec::new(),
        vxlan: None,
        ipip: None,
        addresses: Vec::new(),
        sysctls: Vec::new(),
        routes: Vec::new(),
        neighbours: Vec::new(),
        fdb: Vec::new(),
        nftables: None,
    }
}

fn sysctl(key: &str, value: &str) -> (String, String) {
    (key.to_owned(), value.to_owned())
}

impl<'s> Planner<'s> {
    fn new(state: &'s ClusterState, prefix: String) -> Self {
        let networks = state.cluster.networks.len();
        Self {
            state,
            prefix,
            namespaces: Vec::new(),
            veths: Vec::new(),
            ports: vec![0; networks],
            port_owners: vec![Vec::new(); networks],
        }
    }

    fn add_ns(&mut self, p: Place) -> usize {
        let name = netns_name(&self.prefix, &p);
        self.namespaces.push(empty_ns(name, p));
        self.namespaces.len() - 1
    }

    /// A veth from `dev` in namespace `ns` to a new port of network `net`'s bridge.
    fn plug(
        &mut self,
        ns: usize,
        dev: &str,
        mac: Option<String>,
        mtu: u32,
        net: NetworkId,
        owns: Vec<Ipv4Addr>,
    ) {
        let port = format!("p{}", self.ports[net]);
        self.ports[net] += 1;
        self.port_owners[net].push((port.clone(), owns));
        let bridge_ns = netns_name(
            &self.prefix,
            &place(PlaceKind::Network, &self.state.cluster.networks[net].name),
        );
        self.veths.push(VethPlan {
            a: VethEnd {
                netns: self.namespaces[ns].name.clone(),
                name: dev.to_owned(),
                mac,
                mtu,
                master: None,
            },
            b: VethEnd {
                netns: bridge_ns,
                name: port,
                mac: None,
                mtu,
                master: Some("br0".into()),
            },
        });
    }

    fn build(mut self) -> KernelPlan {
        let c = &self.state.cluster;
        let net_ns: Vec<usize> = c
            .networks
            .iter()
            .map(|n| {
                let i = self.add_ns(place(PlaceKind::Network, &n.name));
                self.namespaces[i].bridges.push("br0".into());
                i
            })
            .collect();
        self.routers();
        self.externals();
        self.nodes();
        for (net, &ns) in net_ns.iter().enumerate() {
            self.namespaces[ns].nftables = self.cloud_rules(net);
        }
        KernelPlan {
            prefix: self.prefix,
            namespaces: self.namespaces,
            veths: self.veths,
        }
    }

    fn routers(&mut self) {
        let state = self.state;
        let c = &state.cluster;
        for (r, router) in c.routers.iter().enumerate() {
            let ns = self.add_ns(place(PlaceKind::Router, &router.name));
            self.namespaces[ns]
                .sysctls
                .push(sysctl("net.ipv4.ip_forward", "1"));
            for (i, &n) in router.networks.iter().enumerate() {
                let dev = format!("eth{i}");
                let net = &c.networks[n];
                let own = net
                    .gateway
                    .filter(|gw| state.underlay.host_on(n, *gw) == Some(Host::Router(r)));
                self.plug(ns, &dev, None, net.mtu, n, own.into_iter().collect());
                match own {
                    Some(gw) => self.namespaces[ns].addresses.push(AddressPlan {
                        dev: dev.clone(),
                        address: Ipv4Network::new(gw, net.cidr.prefix()).expect("valid"),
                    }),
                    None => {
                        let mut route = RoutePlan::new(net.cidr);
                        route.dev = Some(dev.clone());
                        route.scope_link = true;
                        route.protocol = RTPROT_STATIC;
                        self.namespaces[ns].routes.push(route);
                    }
                }
            }
            let routes = self.router_routes(r);
            self.namespaces[ns].routes.extend(routes);
        }
    }

    /// A router's static routes: the fabric's other networks through the router that joins
    /// them, and the pod prefixes the fabric learned over BGP toward their next hops.
    fn router_routes(&self, r: usize) -> Vec<RoutePlan> {
        let state = self.state;
        let c = &state.cluster;
        let mine = &c.routers[r].networks;
        // The address of a router on a network it shares with `r`, for reaching what it joins.
        let gateway_of = |other: usize| -> Option<(Ipv4Addr, usize)> {
            c.routers[other].networks.iter().find_map(|n| {
                let i = mine.iter().position(|m| m == n)?;
                let gw = c.networks[*n].gateway?;
                (state.underlay.host_on(*n, gw) == Some(Host::Router(other))).then_some((gw, i))
            })
        };
        let mut out = Vec::new();
        for (other, router) in c.routers.iter().enumerate() {
            if other == r {
                continue;
            }
            let Some((gw, i)) = gateway_of(other) else {
                continue;
            };
            for &n in router.networks.iter().filter(|n| !mine.contains(n)) {
                let mut route = RoutePlan::new(c.networks[n].cidr);
                route.via = Some(gw);
                route.dev = Some(format!("eth{i}"));
                route.protocol = RTPROT_STATIC;
                out.push(route);
            }
        }
        let mut learned: BTreeMap<(u32, u8), Ipv4Addr> = BTreeMap::new();
        for table in &state.routers {
            for rt in &table.routes {
                learned
                    .entry((u32::from(rt.dst.network()), rt.dst.prefix()))
                    .or_insert(rt.via);
            }
        }
        for ((net, len), via) in learned {
            let dev = mine
                .iter()
                .position(|&n| c.networks[n].cidr.contains(via))
                .map(|i| format!("eth{i}"));
            let Some(dev) = dev else { continue };
            let mut route =
                RoutePlan::new(Ipv4Network::new(Ipv4Addr::from(net), len).expect("valid"));
            route.via = Some(via);
            route.dev = Some(dev);
            route.protocol = RTPROT_BIRD;
            out.push(route);
        }
        out.sort_by_key(|r| (u32::from(r.dst.network()), r.dst.prefix()));
        out.dedup_by_key(|r| r.dst);
        out
    }

    fn externals(&mut self) {
        let state = self.state;
        let c = &state.cluster;
        for (e, ext) in c.externals.iter().enumerate() {
            let ns = self.add_ns(place(PlaceKind::External, &ext.name));
            let Some(n) = ext.network else { continue };
            let net = &c.networks[n];
            if net.cidr.contains(ext.address) {
                self.plug(ns, "eth0", None, net.mtu, n, vec![ext.address]);
                let plan = &mut self.namespaces[ns];
                plan.addresses.push(AddressPlan {
                    dev: "eth0".into(),
                    address: Ipv4Network::new(ext.address, net.cidr.prefix()).expect("valid"),
                });
                if let Some(gw) = net.gateway {
                    let mut route =
                        RoutePlan::new(Ipv4Network::new(Ipv4Addr::UNSPECIFIED, 0).expect("valid"));
                    route.via = Some(gw);
                    route.dev = Some("eth0".into());
                    plan.routes.push(route);
                }
                continue;
            }
            // Beyond the network's gateway: a point-to-point veth from that router.
            let Some(Host::Router(r)) = net.gateway.and_then(|gw| state.underlay.host_on(n, gw))
            else {
                continue;
            };
            let rname = netns_name(&self.prefix, &place(PlaceKind::Router, &c.routers[r].name));
            let leg = format!("x{e}");
            self.veths.push(VethPlan {
                a: VethEnd {
                    netns: self.namespaces[ns].name.clone(),
                    name: "eth0".into(),
                    mac: None,
                    mtu: net.mtu,
                    master: None,
                },
                b: VethEnd {
                    netns: rname.clone(),
                    name: leg.clone(),
                    mac: None,
                    mtu: net.mtu,
                    master: None,
                },
            });
            let plan = &mut self.namespaces[ns];
            plan.addresses.push(AddressPlan {
                dev: "eth0".into(),
                address: Ipv4Network::new(ext.address, 32).expect("valid"),
            });
            let mut default =
                RoutePlan::new(Ipv4Network::new(Ipv4Addr::UNSPECIFIED, 0).expect("valid"));
            default.dev = Some("eth0".into());
            default.scope_link = true;
            plan.routes.push(default);
            let router = self
                .namespaces
                .iter_mut()
                .find(|x| x.name == rname)
                .expect("routers are planned first");
            let mut host = RoutePlan::new(Ipv4Network::new(ext.address, 32).expect("valid"));
            host.dev = Some(leg.clone());
            host.scope_link = true;
            host.protocol = RTPROT_STATIC;
            router.routes.push(host);
            // Proxy ARP answers after a random delay of up to 0.8 s unless told not to.
            router.sysctls.extend([
                sysctl(&format!("net.ipv4.conf.{leg}.proxy_arp"), "1"),
                sysctl(&format!("net.ipv4.neigh.{leg}.proxy_delay"), "0"),
            ]);
        }
    }

    fn nodes(&mut self) {
        let state = self.state;
        let c = &state.cluster;
        // Felix's policy, per node, from the same engine the walker asks.
        let eps = crate::policy::endpoints::Endpoints::new(state);
        let universe: Vec<_> = (0..state.cluster.pods.len())
            .filter_map(|p| eps.workload(p))
            .collect();
        for dp in &state.dataplane {
            let ns = self.add_ns(place(PlaceKind::Node, &dp.name));
            let node_addresses: Vec<Ipv4Addr> = dp
                .links
                .iter()
                .skip(1)
                .flat_map(|l| l.addresses.iter().map(|a| a.ip()))
                .collect();
            self.namespaces[ns]
                .sysctls
                .push(sysctl("net.ipv4.ip_forward", "1"));
            for link in &dp.links {
                match &link.kind {
                    LinkKind::Loopback | LinkKind::HostVeth { .. } => {}
                    LinkKind::Nic { network } => {
                        self.plug(
                            ns,
                            &link.name,
                            link.mac.clone(),
                            link.mtu,
                            *network,
                            node_addresses.clone(),
                        );
                    }
                    LinkKind::Ipip => {
                        self.namespaces[ns].ipip = Some(IpipPlan {
                            name: link.name.clone(),
                            mtu: link.mtu,
                        });
                    }
                    LinkKind::Vxlan {
                        vni,
                        port,
                        local,
                        parent,
                    } => {
                        self.namespaces[ns].vxlan = Some(VxlanPlan {
                            name: link.name.clone(),
                            vni: *vni,
                            port: *port,
                            local: *local,
                            parent: parent.clone(),
                            mac: link.mac.clone(),
                            mtu: link.mtu,
                        });
                    }
                }
                if !matches!(link.kind, LinkKind::Loopback) {
                    for a in &link.addresses {
                        self.namespaces[ns].addresses.push(AddressPlan {
                            dev: link.name.clone(),
                            address: *a,
                        });
                    }
                }
            }
            for p in &dp.pods {
                let pod = &c.pods[p.pod];
                let pns = self.add_ns(place(PlaceKind::Pod, &pod.key()));
                self.veths.push(VethPlan {
                    a: VethEnd {
                        netns: self.namespaces[ns].name.clone(),
                        name: p.host_veth.clone(),
                        mac: Some(crate::naming::format_mac(&crate::naming::HOST_VETH_MAC)),
                        mtu: p.mtu,
                        master: None,
                    },
                    b: VethEnd {
                        netns: self.namespaces[pns].name.clone(),
                        name: "eth0".into(),
                        mac: None,
                        mtu: p.mtu,
                        master: None,
                    },
                });
                let veth = &p.host_veth;
                self.namespaces[ns].sysctls.extend([
                    sysctl(&format!("net.ipv4.conf.{veth}.proxy_arp"), "1"),
                    sysctl(&format!("net.ipv4.neigh.{veth}.proxy_delay"), "0"),
                    sysctl(&format!("net.ipv4.conf.{veth}.forwarding"), "1"),
                ]);
                let pod_plan = &mut self.namespaces[pns];
                pod_plan.addresses.push(AddressPlan {
                    dev: "eth0".into(),
                    address: Ipv4Network::new(p.address, 32).expect("valid"),
                });
                pod_plan.routes = route_plans(&p.routes, &|_| "eth0".to_owned());
            }
            let names = |i: u32| dp.links[i as usize - 1].name.clone();
            self.namespaces[ns].routes = route_plans(&dp.routes, &names);
            self.namespaces[ns].neighbours = dp
                .neighbours
                .iter()
                .map(|n| NeighbourPlan {
                    dev: n.dev.clone(),
                    ip: n.ip,
                    mac: n.mac.clone(),
                })
                .collect();
            self.namespaces[ns].fdb = dp
                .fdb
                .iter()
                .map(|f| FdbPlan {
                    dev: f.dev.clone(),
                    mac: f.mac.clone(),
                    dst: f.dst,
                })
                .collect();
            let rules: Vec<String> = [
                nat_outgoing(state),
                kube_proxy::table(state),
                policy::node_policy(state, &eps, &universe, dp.node),
            ]
            .into_iter()
            .flatten()
            .collect();
            self.namespaces[ns].nftables = (!rules.is_empty()).then(|| rules.concat());
        }
    }

    /// Bridge-family rules for the cloud's own filtering on this network.
    fn cloud_rules(&self, net: NetworkId) -> Option<String> {
        let c = &self.state.cluster;
        let mut rules = Vec::new();
        match c.cloud {
            Cloud::Azure => rules.push(
                "ip protocol 4 drop comment \"Azure carries only TCP, UDP and ICMP\"".to_string(),
            ),
            Cloud::Aws if c.src_dst_check => {
                for (port, owns) in &self.port_owners[net] {
                    let nodes = c
                        .nodes
                        .iter()
                        .any(|n| n.interfaces.iter().any(|f| owns.contains(&f.address)));
                    if !nodes || owns.is_empty() {
                        continue;
                    }
                    let set = owns
                        .iter()
                        .map(Ipv4Addr::to_string)
                        .collect::<Vec<_>>()
                        .join(", ");
                    rules.push(format!("iifname \"{port}\" ether type ip ip saddr != {{ {set} }} drop comment \"AWS source/destination check\""));
                    rules.push(format!("oifname \"{port}\" ether type ip ip daddr != {{ {set} }} drop comment \"AWS source/destination check\""));
                }
            }
            _ => {}
        }
        if rules.is_empty() {
            return None;
        }
        let body: String = rules.iter().map(|r| format!("    {r}\n")).collect();
        Some(format!(
            "table bridge calisim {{\n  chain forward {{\n    type filter hook forward priority 0; policy accept;\n{body}  }}\n}}\n"
        ))
    }
}

/// Calico's NAT outgoing as nftables (calico-semantics §4): source in a natOutgoing pool,
/// destination outside every pool (disabled pools included) ⇒ MASQUERADE.
fn nat_outgoing(state: &ClusterState) -> Option<String> {
    let v4: Vec<(Ipv4Network, bool)> = state
        .cluster
        .pools
        .iter()
        .filter_map(|p| match p.cidr {
            ipnetwork::IpNetwork::V4(c) => Some((c, p.nat_outgoing)),
            ipnetwork::IpNetwork::V6(_) => None,
        })
        .collect();
    let masq: Vec<String> = v4
        .iter()
        .filter(|(_, nat)| *nat)
        .map(|(c, _)| c.to_string())
        .collect();
    if masq.is_empty() {
        return None;
    }
    let all: Vec<String> = v4.iter().map(|(c, _)| c.to_string()).collect();
    Some(format!(
        "table ip calisim {{\n  set all-ipam-pools {{\n    type ipv4_addr\n    flags interval\n    elements = {{ {} }}\n  }}\n  set masq-ipam-pools {{\n    type ipv4_addr\n    flags interval\n    elements = {{ {} }}\n  }}\n  chain nat-outgoing {{\n    type nat hook postrouting priority srcnat; policy accept;\n    ip saddr @masq-ipam-pools ip daddr != @all-ipam-pools masquerade\n  }}\n}}\n",
        all.join(", "),
        masq.join(", ")
    ))
}

/// The dataplane's routes as the kernel is to receive them (connected routes come with
/// the addresses and are left out).
/// Directly connected routes come first: the kernel refuses a gateway it cannot reach yet.
fn route_plans(
    routes: &[crate::dataplane::Route],
    dev_name: &dyn Fn(u32) -> String,
) -> Vec<RoutePlan> {
    let mut out: Vec<RoutePlan> = routes
        .iter()
        .filter(|r| r.proto != Proto::Kernel)
        .map(|r| RoutePlan {
            dst: r.dst,
            blackhole: r.kind == RouteKind::Blackhole,
            via: r.via,
            dev: r.oif.map(dev_name),
            onlink: r.onlink,
            scope_link: r.scope_link,
            protocol: match r.proto {
                Proto::Boot => RTPROT_BOOT,
                Proto::Kernel => RTPROT_KERNEL,
                Proto::Bird => RTPROT_BIRD,
                Proto::Felix => RTPROT_FELIX,
            },
            src: r.src,
        })
        .collect();
    out.sort_by_key(|r| r.via.is_some() && !r.onlink);
    out
}
