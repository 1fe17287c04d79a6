//! The packet walker: one packet from an endpoint to another, hop by hop, through the
//! places and devices of the [`crate::graph`], doing at each hop what the kernel, Felix,
//! kube-proxy and the underlay would do, and saying why.
//!
//! Layer 4 (state → **walk**). It reads the computed dataplane only (routes, links, VXLAN
//! neighbours and FDB, router tables), never recomputes a route. A [`Walker`] indexes the
//! state once; each [`Walker::trace`] is then a few hash lookups per hop. [`Walker::reaches`]
//! runs the same walk without recording hops, for matrices.

mod endpoint;
mod explain;
mod index;
pub(crate) mod kube_proxy;
mod path;
mod walk;

use core::net::Ipv4Addr;

use serde::Serialize;

use crate::graph::{Place, PlaceKind};
use crate::policy::endpoints::Endpoints;
use crate::policy::model::Protocol;
use crate::state::ClusterState;

pub use endpoint::{parse_endpoint, Endpoint};
use index::Index;
pub use path::PathSignature;

/// What to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub from: Endpoint,
    pub to: Endpoint,
    pub protocol: Protocol,
    /// Destination port (TCP, UDP, SCTP).
    pub port: Option<u16>,
    /// The IP packet's total length in bytes (what MTUs are compared with).
    pub size: u32,
    /// Don't Fragment: Linux sets it on TCP and on ping by default (path MTU discovery).
    pub df: bool,
}

impl Probe {
    /// A probe with Linux's defaults: a ping-sized (84-byte) packet with DF set.
    pub fn new(from: Endpoint, to: Endpoint, protocol: Protocol, port: Option<u16>) -> Self {
        Self {
            from,
            to,
            protocol,
            port,
            size: 84,
            df: true,
        }
    }
}

/// What happened at a hop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Route,
    Arp,
    Policy,
    Nat,
    Encap,
    Decap,
    Forward,
    Deliver,
    Drop,
}

/// The tunnel header around a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Encap {
    Ipip,
    Vxlan,
}

impl Encap {
    /// Bytes the encapsulation adds (outer IPv4 20; VXLAN also UDP 8, VXLAN 8, inner Ethernet 14).
    pub fn overhead(self) -> u32 {
        match self {
            Encap::Ipip => 20,
            Encap::Vxlan => 50,
        }
    }
}

/// The outer header of an encapsulated packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Outer {
    pub kind: Encap,
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
    /// VXLAN only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vni: Option<u32>,
    /// VXLAN only: UDP destination port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dport: Option<u16>,
    /// Total length of the outer packet.
    pub size: u32,
}

/// The packet as it is at a hop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PacketView {
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
    #[serde(serialize_with = "serialize_protocol")]
    pub proto: Protocol,
    /// Source port: only known on replies (the request's destination port).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sport: Option<u16>,
    pub dport: Option<u16>,
    pub size: u32,
    pub outer: Option<Outer>,
}

/// Serialises a protocol as the CLI spells it.
pub fn serialize_protocol<S: serde::Serializer>(p: &Protocol, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&protocol_name(*p))
}

/// Lowercase protocol name as the CLI takes it (`tcp`, `udp`, `icmp`, or a number).
pub fn protocol_name(p: Protocol) -> String {
    match p {
        Protocol::Tcp => "tcp".into(),
        Protocol::Udp => "udp".into(),
        Protocol::Icmp => "icmp".into(),
        Protocol::Sctp => "sctp".into(),
        other => other.number().to_string(),
    }
}

/// One step of the walk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hop {
    /// A pod (`namespace/name`), a node, a network, a router or an external host.
    pub at: String,
    pub kind: PlaceKind,
    /// The interface involved, if any.
    pub device: Option<String>,
    pub action: Action,
    pub detail: String,
    pub packet: PacketView,
}

impl Hop {
    pub fn place(&self) -> Place {
        Place {
            kind: self.kind,
            name: self.at.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Delivered,
    Dropped,
}

/// A walked packet: the contract of interfaces.md §3, plus the reply's walk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trace {
    pub from: String,
    pub to: String,
    #[serde(serialize_with = "serialize_protocol")]
    pub proto: Protocol,
    pub port: Option<u16>,
    pub verdict: Verdict,
    pub reason: Option<String>,
    pub hops: Vec<Hop>,
    /// The reply's walk back through conntrack, when the request was delivered.
    pub reply: Option<Box<Trace>>,
}

impl Trace {
    /// How the packet crossed between nodes: `ipip`, `vxlan`, or `direct` when it was never
    /// encapsulated.
    pub fn encapsulation(&self) -> &'static str {
        let kind = self
            .hops
            .iter()
            .find_map(|h| h.packet.outer.map(|o| o.kind));
        path::encapsulation_name(kind)
    }

    /// The request's path as [`Walker::path_signature`] folds it (None when dropped).
    pub fn path_signature(&self) -> Option<PathSignature> {
        (self.verdict == Verdict::Delivered).then(|| path::signature_of(&self.hops))
    }

    /// The request's places and devices in order, policy hops left out:
    /// `shop/web-1[eth0] node-1[cali751425ce827 vxlan.calico eth0] lan node-2[…] shop/db-1[eth0]`.
    pub fn places(&self) -> String {
        path::describe(&self.hops)
    }

    /// True when some hop happened at the named place.
    pub fn passes_through(&self, name: &str) -> bool {
        self.hops.iter().any(|h| h.at == name)
    }
}

/// The state indexed for walking.
pub struct Walker<'s> {
    state: &'s ClusterState,
    index: Index,
    endpoints: Endpoints<'s>,
}

impl<'s> Walker<'s> {
    pub fn new(state: &'s ClusterState) -> Self {
        Self {
            state,
            index: Index::new(state),
            endpoints: Endpoints::new(state),
        }
    }

    pub fn state(&self) -> &'s ClusterState {
        self.state
    }

    /// Walks the probe, then (when delivered) its reply; every hop recorded and explained.
    pub fn trace(&self, probe: &Probe) -> Trace {
        walk::trace(self, probe, true)
    }

    /// [`Walker::trace`] without the reply's walk, for callers that read the request only.
    pub fn trace_request(&self, probe: &Probe) -> Trace {
        walk::trace(self, probe, false)
    }

    /// The verdict and, when delivered, the path: the walk of [`Walker::reaches`] folding
    /// places, devices and encapsulation as it goes, so that a whole matrix of paths can be
    /// compared without recording a hop. Equal to `trace(probe).path_signature()`.
    pub fn path_signature(&self, probe: &Probe) -> Option<PathSignature> {
        walk::path_signature(self, probe)
    }

    /// The verdict alone: the same walk without recording hops or words.
    pub fn reaches(&self, probe: &Probe) -> bool {
        walk::reaches(self, probe)
    }
}
