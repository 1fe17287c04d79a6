//! Endpoints of a lab (interfaces.md §1.3 names) as namespaces and addresses, and one probe
//! between two of them next to the simulator's verdict for the same packet.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use serde::Serialize;
use sim_core::graph::{Place, PlaceKind};
use sim_core::policy::Protocol;
use sim_core::state::ClusterState;
use sim_core::walker::{parse_endpoint, Endpoint, Probe, Trace, Verdict, Walker};

use crate::error::{Error, Result};
use crate::lab::Lab;
use crate::probe::{self, Outcome, Proto, Target};

/// Where an endpoint lives in the lab.
#[derive(Debug, Clone)]
pub struct Located {
    pub endpoint: Endpoint,
    /// Its namespace; `None` for an address nobody in the scenario holds.
    pub netns: Option<String>,
    pub ip: Ipv4Addr,
}

/// `NAMESPACE/POD`, `node:NAME`, `ext:NAME` or an address, in lab `lab`.
pub fn locate(lab: &Lab, state: &ClusterState, text: &str) -> Result<Located> {
    let endpoint = parse_endpoint(state, text).map_err(Error::Usage)?;
    let c = &state.cluster;
    let place = |kind, name: &str| {
        Some(lab.netns(&Place {
            kind,
            name: name.to_owned(),
        }))
    };
    let typed = text.parse::<Ipv4Addr>().ok();
    let (netns, ip) = match endpoint {
        Endpoint::Pod(p) => {
            let ip = match state.ipam.pod_address(p) {
                Some(IpAddr::V4(ip)) => ip,
                _ => return Err(Error::Usage(format!("pod {text} has no IPv4 address"))),
            };
            (place(PlaceKind::Pod, &c.pods[p].key()), ip)
        }
        Endpoint::Node(n) => {
            // The address the simulator sends to: the one calico-node registered.
            let registered = state.node_addresses[n].address.map(|a| a.ip());
            let first = c.nodes[n].interfaces.first().map(|f| f.address);
            let ip = typed
                .or(registered)
                .or(first)
                .ok_or_else(|| Error::Usage(format!("node {} has no address", c.nodes[n].name)))?;
            (place(PlaceKind::Node, &c.nodes[n].name), ip)
        }
        Endpoint::External(e) => (
            place(PlaceKind::External, &c.externals[e].name),
            c.externals[e].address,
        ),
        Endpoint::Ip(ip) => (None, ip),
        // kube-proxy picks the endpoint: the prober listens where the simulator delivers.
        Endpoint::Service(i) => (
            None,
            c.services[i].cluster_ip.ok_or_else(|| {
                Error::Usage(format!("{text}: a headless service has no address"))
            })?,
        ),
    };
    Ok(Located {
        endpoint,
        netns,
        ip,
    })
}

/// The simulator's answer for a probe that needs its reply back (TCP's handshake, the UDP
/// echo, the ICMP echo reply): delivered only if the request and the reply both are.
pub fn simulated(walker: &Walker, from: Endpoint, to: Endpoint, proto: Proto, port: u16) -> Trace {
    let (protocol, port) = match proto {
        Proto::Tcp => (Protocol::Tcp, Some(port)),
        Proto::Udp => (Protocol::Udp, Some(port)),
        Proto::Icmp => (Protocol::Icmp, None),
    };
    walker.trace(&Probe::new(from, to, protocol, port))
}

/// Delivered both ways. A packet to the sender itself never leaves its namespace, and the
/// walker walks no reply for it: there, delivered is enough.
pub fn round_trip(t: &Trace) -> bool {
    t.verdict == Verdict::Delivered
        && match &t.reply {
            Some(reply) => reply.verdict == Verdict::Delivered,
            None => t.from == t.to,
        }
}

#[derive(Debug, Clone, Serialize)]
pub struct Simulated {
    pub delivered: bool,
    /// Why the request or its reply was dropped.
    pub reason: Option<String>,
}

impl Simulated {
    pub fn of(t: &Trace) -> Self {
        let reason = t
            .reason
            .clone()
            .or_else(|| t.reply.as_ref().and_then(|r| r.reason.clone()));
        Simulated {
            delivered: round_trip(t),
            reason,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Compared {
    pub from: String,
    pub to: String,
    pub dst: Ipv4Addr,
    pub proto: Proto,
    pub port: Option<u16>,
    pub kernel: Outcome,
    pub simulator: Simulated,
    #[serde(skip)]
    pub trace: Trace,
}

/// Sends one probe in the lab and walks the same packet in the simulator.
pub fn probe_endpoints(
    lab: &Lab,
    state: &ClusterState,
    from: &str,
    to: &str,
    proto: Proto,
    port: u16,
    timeout: Duration,
) -> Result<Compared> {
    let src = locate(lab, state, from)?;
    let Some(from_ns) = src.netns.clone() else {
        return Err(Error::Usage(format!(
            "--from {from}: no pod, node or external host has this address"
        )));
    };
    let dst = locate(lab, state, to)?;
    let walker = Walker::new(state);
    let trace = simulated(&walker, src.endpoint, dst.endpoint, proto, port);
    // kube-proxy may send the packet elsewhere (a service's or a node port's endpoint, on
    // its target port): listen where the simulator delivers it.
    let delivered_to_pod = trace
        .hops
        .iter()
        .rfind(|h| h.action == sim_core::walker::Action::Deliver && h.kind == PlaceKind::Pod);
    let (to_ns, listen_port) = match delivered_to_pod {
        Some(h) => (Some(lab.netns(&h.place())), h.packet.dport),
        None => (dst.netns.clone(), None),
    };
    let target = Target {
        from_ns,
        to_ns,
        dst: dst.ip,
        proto,
        port,
        listen_port,
    };
    let kernel = probe::probe(&target, timeout)?;
    Ok(Compared {
        from: src.endpoint.name(state),
        to: dst.endpoint.name(state),
        dst: dst.ip,
        proto,
        port: (proto != Proto::Icmp).then_some(port),
        kernel,
        simulator: Simulated::of(&trace),
        trace,
    })
}
