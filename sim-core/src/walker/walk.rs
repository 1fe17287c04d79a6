//! The walk itself: a small state machine over places (pod, node, wire, router, external).
//!
//! Inside a node the order is the kernel's: PREROUTING (conntrack, kube-proxy DNAT) →
//! routing decision → filter (Felix: the source workload's egress chain, the destination
//! workload's ingress chain) → POSTROUTING (Calico's NAT outgoing) → the egress device
//! (encapsulation, MTU). Words are only built when recording (`record`), so a matrix walks
//! millions of pairs without formatting a string.

use core::net::Ipv4Addr;

use crate::dataplane::{LinkKind, NodeDataplane, Route, RouteKind};
use crate::graph::PlaceKind;
use crate::model::{Cloud, NetworkId, NodeId, PodId};
use crate::policy::eval::{Packet, Peer};
use crate::policy::model::{PolicyType, Protocol};
use crate::render::routes::ip_route_line;
use crate::underlay::Host;

use super::explain::missing_pod_route;
use super::index::Owner;
use super::kube_proxy;
use super::path::{PathFolder, PathSignature};
use super::{Action, Encap, Endpoint, Hop, Outer, PacketView, Probe, Trace, Verdict, Walker};
use crate::dataplane::{VXLAN_PORT, VXLAN_VNI};

/// The packet as it travels.
#[derive(Debug, Clone, Copy)]
struct Pkt {
    src: Ipv4Addr,
    dst: Ipv4Addr,
    proto: Protocol,
    sport: Option<u16>,
    dport: Option<u16>,
    size: u32,
    df: bool,
    outer: Option<Outer>,
}

impl Pkt {
    fn view(&self) -> PacketView {
        PacketView {
            src: self.src,
            dst: self.dst,
            proto: self.proto,
            sport: self.sport,
            dport: self.dport,
            size: self.size,
            outer: self.outer,
        }
    }

    /// The header the underlay sees.
    fn wire(&self) -> (Ipv4Addr, Ipv4Addr, u32) {
        match self.outer {
            Some(o) => (o.src, o.dst, o.size),
            None => (self.src, self.dst, self.size),
        }
    }
}

/// How a packet came into a node's namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    /// From a local pod, through its caliX.
    Veth(PodId),
    /// From the network, through the NIC at this index.
    Nic(usize),
    /// Sent by the host itself.
    Local,
}

/// Where the packet is.
#[derive(Debug, Clone, Copy)]
enum Loc {
    PodSend(PodId),
    NodeSend(NodeId),
    ExternalSend(usize),
    NodeRecv(NodeId, Via),
    /// On an L2 network, addressed (by ARP) to `next`.
    Wire {
        net: NetworkId,
        next: Ipv4Addr,
        from: Host,
    },
    Router(usize),
}

/// The places a packet entered from the wire, on the stack (no allocation per walk: the
/// matrix walks a million of them). The walk stops long before it fills up.
#[derive(Debug, Clone, Copy)]
struct Visited {
    len: usize,
    places: [(PlaceKind, usize); 70],
}

impl Default for Visited {
    fn default() -> Self {
        Self {
            len: 0,
            places: [(PlaceKind::Node, 0); 70],
        }
    }
}

impl Visited {
    fn push(&mut self, p: (PlaceKind, usize)) {
        if self.len < self.places.len() {
            self.places[self.len] = p;
            self.len += 1;
        }
    }

    fn as_slice(&self) -> &[(PlaceKind, usize)] {
        &self.places[..self.len]
    }
}

/// A NAT a node applied, for the reply to undo (conntrack).
#[derive(Debug, Clone, Copy)]
enum Nat {
    Masquerade {
        node: NodeId,
        from: Ipv4Addr,
        to: Ipv4Addr,
    },
    /// kube-proxy's DNAT of a service address and port to an endpoint's.
    Dnat {
        node: NodeId,
        from: (Ipv4Addr, Option<u16>),
        to: (Ipv4Addr, Option<u16>),
    },
}

enum End {
    Delivered,
    Dropped(String),
}

/// The whole walk: the forward packet and, when it is delivered (and `with_reply`), the reply.
pub(super) fn trace(w: &Walker, probe: &Probe, with_reply: bool) -> Trace {
    let mut walk = Walk::new(w, probe, true, false);
    let end = walk.run(start(probe.from));
    let state = w.state;
    let delivered = matches!(end, End::Delivered);
    let mut trace = walk.finish(probe.from.name(state), probe.to.name(state), probe, end);
    if with_reply && delivered && probe.from != probe.to {
        let mut reply = Walk::new(w, probe, true, true);
        reply.pkt = Pkt {
            src: walk.pkt.dst,
            dst: walk.pkt.src,
            sport: walk.pkt.dport,
            dport: None,
            outer: None,
            ..walk.pkt
        };
        reply.nats = walk.nats.clone();
        let end = reply.run(start(walk.arrived.unwrap_or(probe.to)));
        let end = match end {
            End::Delivered if reply.pkt.dst != walk.origin_src => End::Dropped(format!(
                "the reply reached {} instead of {}",
                reply.pkt.dst, walk.origin_src
            )),
            e => e,
        };
        let replier = walk.arrived.unwrap_or(probe.to).name(state);
        let back = reply.finish(replier, probe.from.name(state), probe, end);
        trace.reply = Some(Box::new(back));
    }
    trace
}

/// The forward verdict alone.
pub(super) fn reaches(w: &Walker, probe: &Probe) -> bool {
    let mut walk = Walk::new(w, probe, false, false);
    matches!(walk.run(start(probe.from)), End::Delivered)
}

/// The forward verdict and, when delivered, the path folded on the way (no words, no hops).
pub(super) fn path_signature(w: &Walker, probe: &Probe) -> Option<PathSignature> {
    let mut walk = Walk::new(w, probe, false, false);
    walk.path = Some(PathFolder::default());
    match walk.run(start(probe.from)) {
        End::Delivered => walk.path.take().map(PathFolder::finish),
        End::Dropped(_) => None,
    }
}

fn start(from: Endpoint) -> Loc {
    match from {
        Endpoint::Pod(p) => Loc::PodSend(p),
        Endpoint::Node(n) => Loc::NodeSend(n),
        Endpoint::External(e) => Loc::ExternalSend(e),
        Endpoint::Service(_) | Endpoint::Ip(_) => {
            unreachable!("callers refuse destination-only endpoints as sources")
        }
    }
}

struct Walk<'w, 's> {
    w: &'w Walker<'s>,
    record: bool,
    /// Folding the path (places, devices, encapsulation) without recording hops.
    path: Option<PathFolder>,
    /// A reply of an allowed connection: conntrack lets it through every policy chain.
    reply: bool,
    hops: Vec<Hop>,
    pkt: Pkt,
    origin_src: Ipv4Addr,
    nats: Vec<Nat>,
    /// Noticed on the way: a node sent a pod address down its default route (why, in words).
    suspect: Option<String>,
    steps: u32,
    /// Nodes and routers the packet entered from the wire, in order (to name a loop).
    visited: Visited,
    /// Where the packet was delivered (the reply starts there).
    arrived: Option<Endpoint>,
    /// kube-proxy marked the connection for masquerading (node ports, hairpin).
    masquerade_mark: bool,
}

/// Words for a drop, built only when recording.
macro_rules! words {
    ($walk:expr, $($arg:tt)*) => {
        if $walk.record { format!($($arg)*) } else { String::new() }
    };
}

impl<'w, 's> Walk<'w, 's> {
    fn new(w: &'w Walker<'s>, probe: &Probe, record: bool, reply: bool) -> Self {
        let src = source_address(w, probe.from);
        let dst = match probe.to {
            Endpoint::Pod(p) => w.endpoints.address(p).unwrap_or(Ipv4Addr::UNSPECIFIED),
            Endpoint::Node(n) => w.state.node_addresses[n]
                .address
                .map(|a| a.ip())
                .or_else(|| {
                    w.state.cluster.nodes[n]
                        .interfaces
                        .first()
                        .map(|f| f.address)
                })
                .unwrap_or(Ipv4Addr::UNSPECIFIED),
            Endpoint::External(e) => w.state.cluster.externals[e].address,
            Endpoint::Service(i) => w.state.cluster.services[i]
                .cluster_ip
                .unwrap_or(Ipv4Addr::UNSPECIFIED),
            Endpoint::Ip(ip) => ip,
        };
        Self {
            w,
            record,
            path: None,
            reply,
            hops: Vec::new(),
            pkt: Pkt {
                src,
                dst,
                proto: probe.protocol,
                sport: None,
                dport: probe.port,
                size: probe.size,
                df: probe.df,
                outer: None,
            },
            origin_src: src,
            nats: Vec::new(),
            suspect: None,
            steps: 0,
            visited: Visited::default(),
            arrived: None,
            masquerade_mark: false,
        }
    }

    fn finish(&mut self, from: String, to: String, probe: &Probe, end: End) -> Trace {
        let (verdict, reason) = match end {
            End::Delivered => (Verdict::Delivered, None),
            End::Dropped(why) => (Verdict::Dropped, Some(why)),
        };
        Trace {
            from,
            to,
            proto: probe.protocol,
            port: probe.port,
            verdict,
            reason,
            hops: std::mem::take(&mut self.hops),
            reply: None,
        }
    }

    fn hop(
        &mut self,
        kind: PlaceKind,
        at: &str,
        device: Option<&str>,
        action: Action,
        detail: impl FnOnce() -> String,
    ) {
        if let Some(path) = &mut self.path {
            path.step(kind, at, device, action, self.pkt.outer);
        }
        if self.record {
            self.hops.push(Hop {
                at: at.to_owned(),
                kind,
                device: device.map(str::to_owned),
                action,
                detail: detail(),
                packet: self.pkt.view(),
            });
        }
    }

    /// Records the drop hop and ends the walk; the reason a student reads is the earliest
    /// cause noticed (a missing pod route) when there is one.
    fn drop(&mut self, kind: PlaceKind, at: &str, device: Option<&str>, why: String) -> End {
        if !self.record {
            return End::Dropped(String::new());
        }
        self.hop(kind, at, device, Action::Drop, || why.clone());
        End::Dropped(match self.suspect.take() {
            Some(cause) => format!("{cause} (the packet was dropped further on: {why})"),
            None => why,
        })
    }

    fn arrive(&mut self, at: Endpoint) -> End {
        self.arrived = Some(at);
        End::Delivered
    }

    fn run(&mut self, mut loc: Loc) -> End {
        loop {
            self.steps += 1;
            if self.steps > 64 {
                return End::Dropped(words!(self, "TTL exceeded: the packet is looping"));
            }
            if let Some(end) = self.detect_loop(loc) {
                return end;
            }
            let next = match loc {
                Loc::PodSend(p) => self.pod_send(p),
                Loc::NodeSend(n) => self.node_send(n),
                Loc::ExternalSend(e) => self.external_send(e),
                Loc::NodeRecv(n, via) => self.node_recv(n, via),
                Loc::Wire { net, next, from } => self.wire(net, next, from),
                Loc::Router(r) => self.router(r),
            };
            match next {
                Ok(l) => loc = l,
                Err(end) => return end,
            }
        }
    }

    /// A packet that enters the same node or router from the wire twice is looping (its
    /// headers do not change on the way): say where, as traceroute would show it.
    fn detect_loop(&mut self, loc: Loc) -> Option<End> {
        let here = match loc {
            Loc::NodeRecv(n, Via::Nic(_)) => (PlaceKind::Node, n),
            Loc::Router(r) => (PlaceKind::Router, r),
            _ => return None,
        };
        let first = self.visited.as_slice().iter().position(|v| *v == here);
        self.visited.push(here);
        let first = first?;
        if !self.record {
            return Some(End::Dropped(String::new()));
        }
        let c = &self.state().cluster;
        let names: Vec<&str> = self.visited.as_slice()[first..]
            .iter()
            .map(|&(k, i)| match k {
                PlaceKind::Router => c.routers[i].name.as_str(),
                _ => c.nodes[i].name.as_str(),
            })
            .collect();
        let dst = self.pkt.wire().1;
        let why = format!(
            "routing loop: the packet for {dst} goes round {} until its TTL runs out (ICMP time exceeded)",
            names.join(" → ")
        );
        let (kind, name) = (here.0, names[0].to_owned());
        Some(self.drop(kind, &name, None, why))
    }

    fn state(&self) -> &'s crate::state::ClusterState {
        self.w.state
    }

    fn dp(&self, node: NodeId) -> &'s NodeDataplane {
        &self.w.state.dataplane[node]
    }

    // ------------------------------------------------------------------ pods

    fn pod_send(&mut self, pod: PodId) -> Result<Loc, End> {
        let w = self.w;
        let key = w.index.pod_keys[pod].as_str();
        let (node, i) = w.index.pod_net[pod].expect("pods with an address are wired");
        let net = &self.dp(node).pods[i];
        if self.pkt.dst == net.address {
            self.hop(PlaceKind::Pod, key, Some("lo"), Action::Deliver, || {
                "the pod's own address: delivered locally".into()
            });
            return Err(self.arrive(Endpoint::Pod(pod)));
        }
        let gw = Ipv4Addr::new(169, 254, 1, 1);
        let detail = if self.pkt.dst == gw {
            "169.254.1.1 dev eth0 scope link"
        } else {
            "default via 169.254.1.1 dev eth0 (the pod's only route: everything goes to the host)"
        };
        self.hop(PlaceKind::Pod, key, Some("eth0"), Action::Route, || {
            detail.to_string()
        });
        self.fragments(PlaceKind::Pod, key, "eth0", self.pkt.size, net.mtu);
        if self.pkt.size > net.mtu && self.pkt.df {
            let (size, mtu) = (self.pkt.size, net.mtu);
            return Err(self.drop(PlaceKind::Pod, key, Some("eth0"), words!(self,
                "the {size}-byte packet is larger than eth0's MTU {mtu} and DF is set: the kernel refuses to send it (EMSGSIZE; ping says \"message too long, mtu={mtu}\")")));
        }
        let veth = net.host_veth.as_str();
        // Proxy ARP answers only for an address the host routes out of another interface.
        let gw_route = self.w.index.routes[node]
            .lookup(gw)
            .map(|i| &self.dp(node).routes[i]);
        if gw_route
            .is_none_or(|r| r.oif == Some(net.host_veth_ifindex) || r.kind == RouteKind::Blackhole)
        {
            let host = self.dp(node).name.clone();
            return Err(self.drop(PlaceKind::Pod, key, Some("eth0"), words!(self,
                "nobody answers ARP for 169.254.1.1: proxy ARP on {veth} answers only for addresses node {host} routes elsewhere, and {host} has no route for 169.254.1.1 (no default route)")));
        }
        self.hop(PlaceKind::Pod, key, Some("eth0"), Action::Arp, || {
            format!("who-has 169.254.1.1? answered by proxy ARP on the host side {veth}: ee:ee:ee:ee:ee:ee")
        });
        Ok(Loc::NodeRecv(node, Via::Veth(pod)))
    }

    // ----------------------------------------------------------------- nodes

    fn node_send(&mut self, node: NodeId) -> Result<Loc, End> {
        let dp = self.dp(node);
        let name = dp.name.as_str();
        if self.w.index.owner(self.pkt.dst) == Some(Owner::Node(node)) {
            self.hop(PlaceKind::Node, name, Some("lo"), Action::Deliver, || {
                "a local address of this node: delivered locally".into()
            });
            return Err(self.arrive(Endpoint::Node(node)));
        }
        Ok(Loc::NodeRecv(node, Via::Local))
    }

    fn node_recv(&mut self, node: NodeId, via: Via) -> Result<Loc, End> {
        let dp = self.dp(node);
        let name = dp.name.as_str();
        match via {
            Via::Veth(pod) => {
                let (_, i) = self.w.index.pod_net[pod].expect("wired");
                let net = &dp.pods[i];
                let veth = net.host_veth.as_str();
                if self.pkt.src != net.address {
                    let src = self.pkt.src;
                    return Err(self.drop(PlaceKind::Node, name, Some(veth), words!(self,
                        "Felix's anti-spoofing check: {src} is not the address of the workload behind {veth}")));
                }
                let src = self.pkt.src;
                self.hop(PlaceKind::Node, name, Some(veth), Action::Forward, || {
                    format!("in from the pod; source {src} is the workload's own address (Felix's RPF check passes)")
                });
                self.undo_dnat(node);
                self.undo_masquerade(node);
                self.service_dnat(node)?;
                if self.w.index.owner(self.pkt.dst) == Some(Owner::Node(node)) {
                    return self.pod_to_own_host(node, pod);
                }
            }
            Via::Nic(nic) => {
                if self.pkt.outer.is_some() {
                    self.decapsulate(node, nic)?;
                }
                self.undo_masquerade(node);
                self.undo_dnat(node);
                self.service_dnat(node)?;
                if self.w.index.owner(self.pkt.dst) == Some(Owner::Node(node)) {
                    let dev = local_device(dp, self.pkt.dst);
                    self.hop(PlaceKind::Node, name, Some(dev), Action::Deliver, || {
                        "a local address of this node: delivered to the host".into()
                    });
                    return Err(self.arrive(Endpoint::Node(node)));
                }
            }
            Via::Local => self.service_dnat(node)?,
        }
        self.route_at_node(node, via)
    }

    /// A pod talking to its own node: the egress chain, then Felix's
    /// DefaultEndpointToHostAction (the manifests and the operator set ACCEPT).
    fn pod_to_own_host(&mut self, node: NodeId, pod: PodId) -> Result<Loc, End> {
        self.policy(node, pod, PolicyType::Egress)?;
        let dp = self.dp(node);
        let dev = local_device(dp, self.pkt.dst);
        self.hop(PlaceKind::Node, &dp.name, Some(dev), Action::Deliver, || {
            "a local address of this node: delivered to the host (INPUT); Felix's DefaultEndpointToHostAction is ACCEPT, as calico.yaml and the operator set it".into()
        });
        Err(self.arrive(Endpoint::Node(node)))
    }

    /// Unwraps an IPIP or VXLAN packet addressed to this node.
    fn decapsulate(&mut self, node: NodeId, nic: usize) -> Result<(), End> {
        let outer = self.pkt.outer.expect("encapsulated");
        let dp = self.dp(node);
        let name = dp.name.as_str();
        let nic_name = self.state().cluster.nodes[node].interfaces[nic]
            .name
            .as_str();
        if self.w.index.owner(outer.dst) != Some(Owner::Node(node)) {
            let dst = outer.dst;
            return Err(self.drop(
                PlaceKind::Node,
                name,
                Some(nic_name),
                words!(
                    self,
                    "the outer destination {dst} is not this node's address"
                ),
            ));
        }
        let (device, is_dev): (&str, fn(&LinkKind) -> bool) = match outer.kind {
            Encap::Ipip => ("tunl0", |k| matches!(k, LinkKind::Ipip)),
            Encap::Vxlan => ("vxlan.calico", |k| matches!(k, LinkKind::Vxlan { .. })),
        };
        if !dp.links.iter().any(|l| is_dev(&l.kind)) {
            let why = match outer.kind {
                Encap::Ipip => words!(self, "node {name} has no tunl0 (no IPIP pool selects it): the kernel answers IP protocol 4 with ICMP protocol unreachable"),
                Encap::Vxlan => words!(self, "node {name} has no vxlan.calico: nothing listens on UDP 4789, the kernel answers ICMP port unreachable"),
            };
            return Err(self.drop(PlaceKind::Node, name, Some(nic_name), why));
        }
        let from_node = matches!(self.w.index.owner(outer.src), Some(Owner::Node(_)));
        if !from_node {
            let src = outer.src;
            let set = match outer.kind {
                Encap::Ipip => "cali40all-hosts-net",
                Encap::Vxlan => "cali40all-vxlan-net",
            };
            return Err(self.drop(
                PlaceKind::Node,
                name,
                Some(nic_name),
                words!(
                    self,
                    "Felix accepts {} only from other nodes (ipset {set}); {src} is not a node",
                    encap_name(outer.kind)
                ),
            ));
        }
        self.pkt.outer = None;
        let (src, dst) = (self.pkt.src, self.pkt.dst);
        self.hop(
            PlaceKind::Node,
            name,
            Some(device),
            Action::Decap,
            || match outer.kind {
                Encap::Ipip => format!(
                    "IPIP (protocol 4) from node {}: inner {src} → {dst}",
                    outer.src
                ),
                Encap::Vxlan => format!(
                    "VXLAN (UDP 4789, VNI {}) from node {}: inner {src} → {dst}",
                    outer.vni.unwrap_or(VXLAN_VNI),
                    outer.src
                ),
            },
        );
        Ok(())
    }

    /// A packet larger than the device's MTU without DF is fragmented (and reassembled by
    /// the receiver); with DF the caller drops it.
    fn fragments(&mut self, kind: PlaceKind, at: &str, dev: &str, size: u32, mtu: u32) {
        if size <= mtu || self.pkt.df || !self.record {
            return;
        }
        // Each fragment carries a 20-byte header and a multiple of 8 bytes of payload.
        let per = (mtu.saturating_sub(20) / 8 * 8).max(8);
        let pieces = (size - 20).div_ceil(per);
        self.hop(kind, at, Some(dev), Action::Forward, || {
            format!("the {size}-byte packet exceeds {dev}'s MTU {mtu} and DF is clear: sent as {pieces} fragments, reassembled by the receiver")
        });
    }

    /// kube-proxy's DNAT (nat PREROUTING for arriving packets, OUTPUT for the host's own):
    /// a service's cluster IP and port, or a node port on one of this node's addresses, to
    /// one endpoint. Policy then sees the endpoint, as Felix does.
    fn service_dnat(&mut self, node: NodeId) -> Result<(), End> {
        if self.reply || self.state().cluster.services.is_empty() {
            return Ok(());
        }
        let local = self.w.index.owner(self.pkt.dst) == Some(Owner::Node(node));
        let Some(hit) = kube_proxy::lookup(
            self.state(),
            self.pkt.src,
            self.pkt.dst,
            self.pkt.proto,
            self.pkt.dport,
            local,
        ) else {
            return Ok(());
        };
        let name = self.dp(node).name.as_str();
        let key = hit.service.key();
        let Some(i) = hit.chosen else {
            return Err(self.drop(PlaceKind::Node, name, None, words!(self,
                "service {key} has no endpoints (no pod with an address matches its selector and target port): kube-proxy rejects the connection (ICMP port unreachable)")));
        };
        let (pod, ip, port) = hit.endpoints[i];
        let from = (self.pkt.dst, self.pkt.dport);
        let hairpin = self.pkt.src == ip;
        self.pkt.dst = ip;
        self.pkt.dport = Some(port);
        self.nats.push(Nat::Dnat {
            node,
            from,
            to: (ip, Some(port)),
        });
        self.masquerade_mark = hit.via_node_port || hairpin;
        let n = hit.endpoints.len();
        let how = if hit.via_node_port {
            "node port"
        } else {
            "cluster IP"
        };
        self.hop(PlaceKind::Node, name, None, Action::Nat, || {
            let pod = self.w.state.cluster.pods[pod].key();
            format!(
                "kube-proxy DNAT: service {key} ({how} {}:{}) → endpoint {pod} {ip}:{port} ({} of {n}; kube-proxy picks at random, calisim by the source address)",
                from.0,
                from.1.unwrap_or(0),
                i + 1
            )
        });
        Ok(())
    }

    /// kube-proxy's MASQUERADE for node-port and hairpin connections (KUBE-MARK-MASQ), so
    /// that replies come back through this node.
    fn kube_proxy_masquerade(&mut self, node: NodeId, egress_address: Option<Ipv4Addr>) {
        self.masquerade_mark = false;
        let Some(to) = egress_address else { return };
        let from = self.pkt.src;
        self.pkt.src = to;
        self.nats.push(Nat::Masquerade { node, from, to });
        let name = self.dp(node).name.as_str();
        self.hop(PlaceKind::Node, name, None, Action::Nat, || {
            format!("kube-proxy MASQUERADE (KUBE-MARK-MASQ: node port or hairpin): source {from} → {to}")
        });
    }

    /// Conntrack: the reply of a DNATed connection leaves with the service's address.
    fn undo_dnat(&mut self, node: NodeId) {
        if !self.reply {
            return;
        }
        let found = self.nats.iter().find_map(|n| match *n {
            Nat::Dnat { node: m, from, to } if m == node && to.0 == self.pkt.src => Some(from),
            _ => None,
        });
        if let Some((ip, port)) = found {
            let was = self.pkt.src;
            self.pkt.src = ip;
            self.pkt.sport = port;
            let name = self.dp(node).name.as_str();
            self.hop(PlaceKind::Node, name, None, Action::Nat, || {
                format!("conntrack: reply of a DNATed connection, source {was} → the service address {ip}")
            });
        }
    }

    /// Conntrack: a reply to a masqueraded connection gets its original destination back.
    fn undo_masquerade(&mut self, node: NodeId) {
        if !self.reply {
            return;
        }
        let found = self.nats.iter().find_map(|n| match *n {
            Nat::Masquerade { node: m, from, to } if m == node && to == self.pkt.dst => Some(from),
            _ => None,
        });
        if let Some(from) = found {
            let to = self.pkt.dst;
            self.pkt.dst = from;
            let name = self.dp(node).name.as_str();
            self.hop(PlaceKind::Node, name, None, Action::Nat, || {
                format!("conntrack: reply of a masqueraded connection, destination {to} → {from}")
            });
        }
    }

    fn route_at_node(&mut self, node: NodeId, via: Via) -> Result<Loc, End> {
        let dp = self.dp(node);
        let name = dp.name.as_str();
        let dst = self.pkt.dst;
        if via == Via::Local && !self.reply {
            let route = self.w.index.routes[node].lookup(dst).map(|i| &dp.routes[i]);
            self.pkt.src = source_for(dp, route);
            self.origin_src = self.pkt.src;
        }
        let Some(ri) = self.w.index.routes[node].lookup(dst) else {
            return Err(self.drop(
                PlaceKind::Node,
                name,
                None,
                words!(
                    self,
                    "node {name} has no route to {dst} (no default route either)"
                ),
            ));
        };
        let route = &dp.routes[ri];
        let dev = route.oif.map(|i| dp.links[i as usize - 1].name.as_str());
        if self.record {
            let line = ip_route_line(route, &|i| dp.links[i as usize - 1].name.clone());
            let why = route.reason.describe(&self.state().cluster);
            self.hop(PlaceKind::Node, name, dev, Action::Route, || {
                format!("{line} — {why}")
            });
            if route.dst.prefix() == 0 && self.w.index.in_any_pool(dst) && self.suspect.is_none() {
                self.suspect = Some(missing_pod_route(self.state(), &self.w.index, node, dst));
            }
        } else if self.path.is_some() {
            self.hop(PlaceKind::Node, name, dev, Action::Route, String::new);
        }
        if route.kind == RouteKind::Blackhole {
            let net = route.dst;
            return Err(self.drop(
                PlaceKind::Node,
                name,
                None,
                words!(self,
                "blackhole {net}: {dst} is in node {name}'s own block but no pod on {name} has it"),
            ));
        }
        if let Via::Veth(pod) = via {
            self.policy(node, pod, PolicyType::Egress)?;
        }
        let oif = route.oif.expect("unicast routes have a device");
        let link = &dp.links[oif as usize - 1];
        match &link.kind {
            LinkKind::HostVeth { pod } => self.deliver_local_pod(node, *pod, via),
            LinkKind::Ipip => self.encapsulate(node, route, Encap::Ipip),
            LinkKind::Vxlan { .. } => self.encapsulate(node, route, Encap::Vxlan),
            LinkKind::Nic { network } => {
                self.masquerade(node, link.addresses.first().map(|a| a.ip()));
                let next = route.via.unwrap_or(dst);
                self.leave_nic(node, oif, *network, next)
            }
            LinkKind::Loopback => {
                self.hop(PlaceKind::Node, name, Some("lo"), Action::Deliver, || {
                    "local".into()
                });
                Err(self.arrive(Endpoint::Node(node)))
            }
        }
    }

    fn deliver_local_pod(&mut self, node: NodeId, pod: PodId, via: Via) -> Result<Loc, End> {
        let dp = self.dp(node);
        let name = dp.name.as_str();
        let (_, i) = self.w.index.pod_net[pod].expect("wired");
        let net = &dp.pods[i];
        if via == Via::Local && !self.reply {
            let veth = net.host_veth.as_str();
            self.hop(PlaceKind::Node, name, Some(veth), Action::Policy, || {
                "host → local pod: not policed (Felix's OUTPUT chain accepts traffic from the host to its own workloads)".into()
            });
        } else {
            self.policy(node, pod, PolicyType::Ingress)?;
        }
        if self.pkt.size > net.mtu && self.pkt.df {
            let (size, mtu, veth) = (self.pkt.size, net.mtu, net.host_veth.clone());
            return Err(self.drop(PlaceKind::Node, name, Some(&veth), words!(self,
                "the {size}-byte packet does not fit {veth}'s MTU {mtu} and DF is set: node {name} drops it and sends ICMP \"fragmentation needed\" (mtu {mtu}) back to the sender")));
        }
        if self.masquerade_mark && !self.reply {
            self.kube_proxy_masquerade(node, dp.address.map(|a| a.ip()));
        }
        let key = self.w.index.pod_keys[pod].as_str();
        let veth = net.host_veth.as_str();
        self.hop(PlaceKind::Pod, key, Some("eth0"), Action::Deliver, || {
            format!("in through the veth from {veth}: delivered to the pod")
        });
        Err(self.arrive(Endpoint::Pod(pod)))
    }

    /// Felix's chain for `pod` in `dir` (egress at the source node, ingress at the
    /// destination node); replies pass on conntrack.
    fn policy(&mut self, node: NodeId, pod: PodId, dir: PolicyType) -> Result<(), End> {
        let dp = self.dp(node);
        let name = dp.name.as_str();
        let (_, i) = self.w.index.pod_net[pod].expect("wired");
        let veth = dp.pods[i].host_veth.as_str();
        let chain = match dir {
            PolicyType::Egress => "egress (cali-fw-",
            PolicyType::Ingress => "ingress (cali-tw-",
        };
        if self.reply {
            self.hop(PlaceKind::Node, name, Some(veth), Action::Policy, || {
                format!("{chain}{veth}): conntrack ctstate ESTABLISHED: the reply of an allowed connection is accepted")
            });
            return Ok(());
        }
        let eps = &self.w.endpoints;
        if !self.record && eps.applicable(pod, dir).is_empty() {
            return Ok(());
        }
        let peer = |ip: Ipv4Addr| match self.w.index.owner(ip) {
            Some(Owner::Pod(p)) => eps.workload(p).map_or(Peer::Host(ip), Peer::Workload),
            _ => Peer::Host(ip),
        };
        let (src, dst) = (peer(self.pkt.src), peer(self.pkt.dst));
        let packet = Packet {
            protocol: self.pkt.proto,
            dst_port: self.pkt.dport,
        };
        let ep = eps.workload(pod).expect("a wired pod is a workload");
        if self.record {
            let d = eps.engine.decide(&ep, dir, &src, &dst, &packet);
            self.hop(PlaceKind::Node, name, Some(veth), Action::Policy, || {
                format!("{chain}{veth}): {}", d.explanation)
            });
            if !d.allowed {
                let why = format!("denied by policy: {}", d.explanation);
                return Err(self.drop(PlaceKind::Node, name, Some(veth), why));
            }
            Ok(())
        } else if eps
            .engine
            .chain_allows(eps.applicable(pod, dir), dir, &src, &dst, &packet)
        {
            Ok(())
        } else {
            Err(End::Dropped(String::new()))
        }
    }

    /// Calico's NAT outgoing (POSTROUTING): from a natOutgoing pool to outside every pool.
    fn masquerade(&mut self, node: NodeId, egress_address: Option<Ipv4Addr>) {
        if self.masquerade_mark && !self.reply {
            self.kube_proxy_masquerade(node, egress_address);
            return;
        }
        let (src, dst) = (self.pkt.src, self.pkt.dst);
        if self.reply || !self.w.index.in_masq_pool(src) || self.w.index.in_any_pool(dst) {
            return;
        }
        let Some(to) = egress_address else { return };
        self.pkt.src = to;
        self.nats.push(Nat::Masquerade {
            node,
            from: src,
            to,
        });
        let name = self.dp(node).name.as_str();
        let pool = self.w.index.pool_of(src).map(|p| p.pool);
        self.hop(PlaceKind::Node, name, None, Action::Nat, || {
            let pool = pool.map_or("?", |p| self.w.state.cluster.pools[p].name.as_str());
            format!("NAT outgoing: pool {pool} has natOutgoing and {dst} is outside every IP pool: MASQUERADE source {src} → {to}")
        });
    }

    /// Wraps the packet for tunl0 or vxlan.calico, then sends the outer packet out of a NIC.
    fn encapsulate(&mut self, node: NodeId, route: &Route, kind: Encap) -> Result<Loc, End> {
        let dp = self.dp(node);
        let name = dp.name.as_str();
        let via = route.via.expect("tunnel routes have a gateway");
        let oif = route.oif.expect("tunnel routes have a device");
        let link = &dp.links[oif as usize - 1];
        self.masquerade(node, link.addresses.first().map(|a| a.ip()));
        self.fragments(PlaceKind::Node, name, &link.name, self.pkt.size, link.mtu);
        if self.pkt.size > link.mtu && self.pkt.df {
            let (size, mtu, dev) = (self.pkt.size, link.mtu, link.name.clone());
            return Err(self.drop(PlaceKind::Node, name, Some(&dev), words!(self,
                "the {size}-byte packet does not fit {dev}'s MTU {mtu} ({} bytes of {} headers must fit in the NIC's MTU) and DF is set: node {name} drops it and sends ICMP \"fragmentation needed\" (mtu {mtu}) back to the sender",
                kind.overhead(), encap_name(kind))));
        }
        let (outer_dst, vni, dport) = match kind {
            Encap::Ipip => (via, None, None),
            Encap::Vxlan => {
                let Some(mac) = self.w.index.neighbours[node].get(&via) else {
                    return Err(self.drop(
                        PlaceKind::Node,
                        name,
                        Some("vxlan.calico"),
                        words!(self, "no ARP entry for VTEP {via} on vxlan.calico"),
                    ));
                };
                let Some(&remote) = self.w.index.fdb[node].get(mac) else {
                    return Err(self.drop(
                        PlaceKind::Node,
                        name,
                        Some("vxlan.calico"),
                        words!(self, "no FDB entry for {mac} on vxlan.calico"),
                    ));
                };
                (remote, Some(VXLAN_VNI), Some(VXLAN_PORT))
            }
        };
        // The outer packet is routed like any packet the host sends.
        let Some(oi) = self.w.index.routes[node].lookup(outer_dst) else {
            return Err(self.drop(
                PlaceKind::Node,
                name,
                Some(&link.name),
                words!(self, "no route to the tunnel endpoint {outer_dst}"),
            ));
        };
        let outer_route = &dp.routes[oi];
        let outer_oif = outer_route.oif.expect("unicast");
        let nic = &dp.links[outer_oif as usize - 1];
        let LinkKind::Nic { network } = nic.kind else {
            return Err(self.drop(
                PlaceKind::Node,
                name,
                Some(&link.name),
                words!(
                    self,
                    "the route to tunnel endpoint {outer_dst} does not leave through a NIC"
                ),
            ));
        };
        let outer_src = match &link.kind {
            LinkKind::Vxlan { local, .. } => *local,
            _ => outer_route
                .src
                .or_else(|| nic.addresses.first().map(|a| a.ip()))
                .unwrap_or(Ipv4Addr::UNSPECIFIED),
        };
        self.pkt.outer = Some(Outer {
            kind,
            src: outer_src,
            dst: outer_dst,
            vni,
            dport,
            size: self.pkt.size + kind.overhead(),
        });
        let dev = link.name.as_str();
        self.hop(PlaceKind::Node, name, Some(dev), Action::Encap, || match kind {
            Encap::Ipip => format!("IPIP: outer {outer_src} → {outer_dst}, IP protocol 4 (+20 bytes)"),
            Encap::Vxlan => {
                let mac = self.w.index.neighbours[node].get(&via).cloned().unwrap_or_default();
                let own = link.mac.as_deref().unwrap_or("?");
                format!("VXLAN: neighbour {via} is {mac} (permanent ARP), FDB {mac} → {outer_dst}; inner Ethernet {own} → {mac}; outer {outer_src} → {outer_dst} UDP 4789, VNI {VXLAN_VNI} (+50 bytes)")
            }
        });
        let next = outer_route.via.unwrap_or(outer_dst);
        self.leave_nic(node, outer_oif, network, next)
    }

    fn leave_nic(
        &mut self,
        node: NodeId,
        oif: u32,
        network: NetworkId,
        next: Ipv4Addr,
    ) -> Result<Loc, End> {
        let dp = self.dp(node);
        let name = dp.name.as_str();
        let link = &dp.links[oif as usize - 1];
        let (_, _, size) = self.pkt.wire();
        self.fragments(PlaceKind::Node, name, &link.name, size, link.mtu);
        if size > link.mtu && self.pkt.df {
            let (mtu, dev, src) = (link.mtu, link.name.clone(), self.pkt.src);
            let why = match self.pkt.outer {
                Some(o) => {
                    let room = mtu.saturating_sub(o.kind.overhead());
                    words!(self, "the {size}-byte {} packet ({} bytes inside + {}) does not fit {dev}'s MTU {mtu}, and DF is set (copied from the inner packet): node {name} drops it and sends ICMP \"fragmentation needed\" (mtu {room}) back to {src}; the tunnel's MTU is larger than the NIC leaves room for",
                        encap_name(o.kind), self.pkt.size, o.kind.overhead())
                }
                None => words!(self, "the {size}-byte packet does not fit {dev}'s MTU {mtu} and DF is set: node {name} drops it and sends ICMP \"fragmentation needed\" (mtu {mtu}) back to {src}"),
            };
            return Err(self.drop(PlaceKind::Node, name, Some(&dev), why));
        }
        let dev = link.name.as_str();
        let dst = self.pkt.wire().1;
        self.hop(PlaceKind::Node, name, Some(dev), Action::Forward, || {
            if next == dst {
                format!("out of {dev} to {next} (on-link)")
            } else {
                format!("out of {dev} to the next hop {next}")
            }
        });
        Ok(Loc::Wire {
            net: network,
            next,
            from: Host::Node(node),
        })
    }

    // -------------------------------------------------------------- underlay

    fn wire(&mut self, net: NetworkId, next: Ipv4Addr, from: Host) -> Result<Loc, End> {
        let state = self.state();
        let c = &state.cluster;
        let network = &c.networks[net];
        let (src, dst, _) = self.pkt.wire();
        if let Host::Node(n) = from {
            if c.cloud == Cloud::Aws
                && c.src_dst_check
                && self.w.index.owner(src) != Some(Owner::Node(n))
            {
                let node = &c.nodes[n].name;
                return Err(self.drop(PlaceKind::Network, &network.name, None, words!(self,
                    "AWS source/destination check: instance {node} sent a packet from {src}, which is not one of its own addresses; disable the check on the instances (sourceDestCheck false) or encapsulate (ipipMode/vxlanMode CrossSubnet or Always)")));
            }
        }
        if c.cloud == Cloud::Azure
            && matches!(
                self.pkt.outer,
                Some(Outer {
                    kind: Encap::Ipip,
                    ..
                })
            )
        {
            return Err(self.drop(PlaceKind::Network, &network.name, None, words!(self,
                "Azure's network drops IP protocol 4 (IPIP): it carries only TCP, UDP and ICMP; use VXLAN (vxlanMode: Always or CrossSubnet, ipipMode: Never)")));
        }
        let Some(to) = state.underlay.host_on(net, next) else {
            return Err(self.drop(
                PlaceKind::Network,
                &network.name,
                None,
                words!(
                    self,
                    "nobody on network {} ({}) holds {next}: ARP gets no answer",
                    network.name,
                    network.cidr
                ),
            ));
        };
        let who = state.underlay.describe(&state.cluster, to);
        self.hop(
            PlaceKind::Network,
            &network.name,
            None,
            Action::Forward,
            || format!("ARP who-has {next}: {who}"),
        );
        match to {
            Host::Node(m) => {
                if c.cloud == Cloud::Aws
                    && c.src_dst_check
                    && self.w.index.owner(dst) != Some(Owner::Node(m))
                {
                    let node = &c.nodes[m].name;
                    return Err(self.drop(PlaceKind::Network, &network.name, None, words!(self,
                        "AWS source/destination check: the packet for {dst} is not addressed to instance {node}'s own address; disable the check on the instances or encapsulate (CrossSubnet or Always)")));
                }
                let nic = c.nodes[m]
                    .interfaces
                    .iter()
                    .position(|f| f.network == net)
                    .expect("the underlay put the node on this network");
                Ok(Loc::NodeRecv(m, Via::Nic(nic)))
            }
            Host::Router(r) => Ok(Loc::Router(r)),
            Host::External(e) => self.at_external(e),
        }
    }

    fn at_external(&mut self, e: usize) -> Result<Loc, End> {
        let ext = &self.state().cluster.externals[e];
        let (_, dst, _) = self.pkt.wire();
        if dst != ext.address {
            return Err(self.drop(
                PlaceKind::External,
                &ext.name,
                Some("eth0"),
                words!(
                    self,
                    "external host {} is not a router: it drops a packet for {dst}",
                    ext.name
                ),
            ));
        }
        let src = self.pkt.src;
        self.hop(
            PlaceKind::External,
            &ext.name,
            Some("eth0"),
            Action::Deliver,
            || format!("delivered to external host {} (from {src})", ext.name),
        );
        Err(self.arrive(Endpoint::External(e)))
    }

    fn router(&mut self, r: usize) -> Result<Loc, End> {
        let state = self.state();
        let c = &state.cluster;
        let name = c.routers[r].name.as_str();
        let (_, dst, _) = self.pkt.wire();
        let fabric = fabric_of(state, r);
        // The underlay: a network of the fabric holds the destination.
        if let Some(&n) = fabric.iter().find(|&&n| c.networks[n].cidr.contains(dst)) {
            return self.fabric_to(r, n, dst, || {
                format!(
                    "{dst} is on network {} ({}): connected in the fabric",
                    c.networks[n].name, c.networks[n].cidr
                )
            });
        }
        // Pod prefixes the fabric learned over BGP.
        let learned = routers_of(state, r)
            .into_iter()
            .filter_map(|rr| state.routers[rr].lookup(dst))
            .max_by_key(|route| route.dst.prefix());
        if let Some(route) = learned {
            let via = route.via;
            if let Some(&n) = fabric.iter().find(|&&n| c.networks[n].cidr.contains(via)) {
                let (prefix, origin) = (route.dst, c.nodes[route.origin].name.as_str());
                return self.fabric_to(r, n, via, || {
                    format!("{prefix} via {via} (BGP: node {origin}'s pod addresses)")
                });
            }
        }
        if let Some(e) = c.externals.iter().position(|x| {
            x.address == dst
                && x.network
                    .is_some_and(|n| fabric.contains(&n) && !c.networks[n].cidr.contains(dst))
        }) {
            self.hop(PlaceKind::Router, name, None, Action::Route, || {
                format!(
                    "{dst} lies beyond the fabric (external host {})",
                    c.externals[e].name
                )
            });
            return self.at_external(e);
        }
        let why = if self.w.index.in_any_pool(dst) && self.reply {
            let pool = self.w.index.pool_of(dst).map(|p| &c.pools[p.pool]);
            let requester = self.pkt.src;
            let cause = match (pool, self.w.index.pool_of(requester)) {
                (Some(p), Some(q)) if p.nat_outgoing => format!(
                    "the request was not masqueraded: its destination {requester} lies inside IP pool {} ({}), and Calico never NATs traffic to pool addresses",
                    c.pools[q.pool].name, c.pools[q.pool].cidr
                ),
                (Some(p), _) => format!("the request left the cluster with the pod's own address (pool {} has natOutgoing: false)", p.name),
                (None, _) => "the request left the cluster with the pod's own address".to_string(),
            };
            words!(self, "router {name} has no route to {dst}: {cause}; routers learn pod addresses only over BGP (peer the router with a BGPPeer)")
        } else if self.w.index.in_any_pool(dst) {
            words!(self, "router {name} has no route to {dst}: routers learn pod addresses only over BGP (peer the router with a BGPPeer, or encapsulate with IPIP/VXLAN)")
        } else {
            words!(self, "router {name} has no route to {dst}")
        };
        Err(self.drop(PlaceKind::Router, name, None, why))
    }

    /// Forwards from router `r` to network `n` toward `next`, through the fabric's other
    /// routers when `n` is not one of `r`'s own networks.
    fn fabric_to(
        &mut self,
        r: usize,
        n: NetworkId,
        next: Ipv4Addr,
        detail: impl FnOnce() -> String,
    ) -> Result<Loc, End> {
        let state = self.state();
        let c = &state.cluster;
        let path = fabric_path(state, r, n);
        let name = c.routers[r].name.as_str();
        let first_out = path.first().map_or(n, |&(_, net)| net);
        let port = c.networks[first_out].name.as_str();
        self.hop(PlaceKind::Router, name, Some(port), Action::Route, detail);
        let mut last = r;
        for &(rr, via_net) in &path {
            let shared = &c.networks[via_net].name;
            let next_router = &c.routers[rr].name;
            self.hop(PlaceKind::Network, shared, None, Action::Forward, || {
                format!("to router {next_router} (fabric)")
            });
            let out = c.networks[n].name.as_str();
            self.hop(
                PlaceKind::Router,
                next_router,
                Some(out),
                Action::Route,
                || format!("network {} is connected", c.networks[n].name),
            );
            last = rr;
        }
        Ok(Loc::Wire {
            net: n,
            next,
            from: Host::Router(last),
        })
    }

    // -------------------------------------------------------------- externals

    fn external_send(&mut self, e: usize) -> Result<Loc, End> {
        let c = &self.state().cluster;
        let ext = &c.externals[e];
        let dst = self.pkt.dst;
        let Some(n) = ext.network else {
            return Err(self.drop(
                PlaceKind::External,
                &ext.name,
                None,
                words!(self, "external host {} is attached to no network", ext.name),
            ));
        };
        let net = &c.networks[n];
        if !net.cidr.contains(ext.address) {
            // Beyond the network's gateway: it reaches the cluster through that router.
            let router = net
                .gateway
                .and_then(|gw| self.state().underlay.host_on(n, gw));
            let Some(Host::Router(r)) = router else {
                return Err(self.drop(
                    PlaceKind::External,
                    &ext.name,
                    Some("eth0"),
                    words!(
                        self,
                        "external host {} lies behind network {}, which has no router",
                        ext.name,
                        net.name
                    ),
                ));
            };
            let rname = &c.routers[r].name;
            self.hop(
                PlaceKind::External,
                &ext.name,
                Some("eth0"),
                Action::Route,
                || format!("default route toward router {rname}"),
            );
            return Ok(Loc::Router(r));
        }
        let next = if net.cidr.contains(dst) {
            dst
        } else if let Some(gw) = net.gateway {
            gw
        } else {
            return Err(self.drop(PlaceKind::External, &ext.name, Some("eth0"), words!(self,
                "external host {} has no route to {dst}: it is not on network {} and the network has no gateway", ext.name, net.name)));
        };
        self.hop(
            PlaceKind::External,
            &ext.name,
            Some("eth0"),
            Action::Route,
            || {
                if next == dst {
                    format!("{dst} is on network {} (connected)", net.name)
                } else {
                    format!("default via {next} dev eth0")
                }
            },
        );
        Ok(Loc::Wire {
            net: n,
            next,
            from: Host::External(e),
        })
    }
}

/// The device holding a local address (`lo` if none claims it).
fn local_device(dp: &NodeDataplane, ip: Ipv4Addr) -> &str {
    dp.links
        .iter()
        .find(|l| l.addresses.iter().any(|a| a.ip() == ip))
        .map_or("lo", |l| l.name.as_str())
}

fn encap_name(kind: Encap) -> &'static str {
    match kind {
        Encap::Ipip => "IPIP",
        Encap::Vxlan => "VXLAN",
    }
}

/// The address a sender uses before any NAT.
fn source_address(w: &Walker, from: Endpoint) -> Ipv4Addr {
    match from {
        Endpoint::Pod(p) => w.endpoints.address(p).unwrap_or(Ipv4Addr::UNSPECIFIED),
        Endpoint::External(e) => w.state.cluster.externals[e].address,
        // Chosen per route when the walk starts (see `source_for`).
        Endpoint::Node(_) | Endpoint::Service(_) | Endpoint::Ip(_) => Ipv4Addr::UNSPECIFIED,
    }
}

/// The kernel's source address selection for a host-originated packet: the route's `src`,
/// else the first address of the outgoing device (a tunnel's own address for tunl0 and
/// vxlan.calico), else the node's Calico address.
fn source_for(dp: &NodeDataplane, route: Option<&Route>) -> Ipv4Addr {
    let fallback = dp
        .address
        .map(|a| a.ip())
        .or_else(|| {
            dp.links
                .iter()
                .find(|l| matches!(l.kind, LinkKind::Nic { .. }))
                .and_then(|l| l.addresses.first().map(|a| a.ip()))
        })
        .unwrap_or(Ipv4Addr::UNSPECIFIED);
    let Some(route) = route else { return fallback };
    if let Some(src) = route.src {
        return src;
    }
    route
        .oif
        .and_then(|i| dp.links[i as usize - 1].addresses.first().map(|a| a.ip()))
        .unwrap_or(fallback)
}

/// Every network of router `r`'s fabric.
fn fabric_of(state: &crate::state::ClusterState, r: usize) -> Vec<NetworkId> {
    let routers = routers_of(state, r);
    let mut nets: Vec<NetworkId> = routers
        .iter()
        .flat_map(|&rr| state.cluster.routers[rr].networks.iter().copied())
        .collect();
    nets.sort_unstable();
    nets.dedup();
    nets
}

/// The routers joined to `r` through shared networks (itself first).
fn routers_of(state: &crate::state::ClusterState, r: usize) -> Vec<usize> {
    let routers = &state.cluster.routers;
    let mut seen = vec![r];
    let mut i = 0;
    while i < seen.len() {
        let cur = seen[i];
        for (o, router) in routers.iter().enumerate() {
            if !seen.contains(&o)
                && router
                    .networks
                    .iter()
                    .any(|n| routers[cur].networks.contains(n))
            {
                seen.push(o);
            }
        }
        i += 1;
    }
    seen
}

/// The routers (and the network each is reached over) between router `r` and network `n`:
/// empty when `r` is on `n` itself. Breadth first, so the fewest routers.
fn fabric_path(
    state: &crate::state::ClusterState,
    r: usize,
    n: NetworkId,
) -> Vec<(usize, NetworkId)> {
    let routers = &state.cluster.routers;
    if routers[r].networks.contains(&n) {
        return Vec::new();
    }
    let mut prev: Vec<Option<(usize, NetworkId)>> = vec![None; routers.len()];
    let mut seen = vec![false; routers.len()];
    seen[r] = true;
    let mut queue = std::collections::VecDeque::from([r]);
    while let Some(cur) = queue.pop_front() {
        if routers[cur].networks.contains(&n) {
            let mut path = Vec::new();
            let mut at = cur;
            while let Some((from, net)) = prev[at] {
                path.push((at, net));
                at = from;
            }
            path.reverse();
            return path;
        }
        for (o, router) in routers.iter().enumerate() {
            if seen[o] {
                continue;
            }
            if let Some(&shared) = router
                .networks
                .iter()
                .find(|x| routers[cur].networks.contains(x))
            {
                seen[o] = true;
                prev[o] = Some((cur, shared));
                queue.push_back(o);
            }
        }
    }
    Vec::new()
}
