//! A trace as the page steps through it: the walker's hops, each with the diagram shape it
//! happens at and, where an address changed, the packet before and after.

use serde::{Deserialize, Serialize};
use sim_core::policy::Protocol;
use sim_core::walker::{parse_endpoint, Action, Hop, PacketView, Probe, Trace, Walker};

use crate::layout::shape_id;

/// What the student asked to send (the same knobs as `calisim trace`).
#[derive(Debug, Clone, Deserialize)]
pub struct TraceRequest {
    pub from: String,
    pub to: String,
    /// `tcp` (default), `udp`, `sctp` or `icmp`.
    #[serde(default)]
    pub proto: Option<String>,
    /// Destination port; 80 when unset, ignored for ICMP.
    #[serde(default)]
    pub port: Option<u16>,
    /// The IP packet's total length; 84 (a ping) when unset.
    #[serde(default)]
    pub size: Option<u32>,
    /// Don't Fragment; set when unset, as Linux does.
    #[serde(default)]
    pub df: Option<bool>,
}

/// One walk, request then reply, as the side panel shows it.
#[derive(Debug, Clone, Serialize)]
pub struct TraceView {
    pub from: String,
    pub to: String,
    pub proto: String,
    pub port: Option<u16>,
    pub verdict: sim_core::walker::Verdict,
    pub reason: Option<String>,
    /// The request's hops; where the packet was dropped the last one says why.
    pub hops: Vec<HopView>,
    /// The reply's hops back through conntrack, when the request was delivered.
    pub reply: Option<Box<TraceView>>,
    /// The whole trace as `calisim trace --reply` prints it.
    pub text: String,
}

/// One hop with what the diagram and the header panel need.
#[derive(Debug, Clone, Serialize)]
pub struct HopView {
    #[serde(flatten)]
    pub hop: Hop,
    /// The diagram shape to light up: the device's when the diagram has it, else the place's.
    pub shape: String,
    /// The packet as it was before this hop changed an address (NAT), else None.
    pub before: Option<PacketView>,
}

/// Parses the request and walks it.
pub fn trace(walker: &Walker<'_>, request: &TraceRequest) -> Result<TraceView, String> {
    let state = walker.state();
    let from = parse_endpoint(state, &request.from).map_err(|e| format!("from: {e}"))?;
    let to = parse_endpoint(state, &request.to).map_err(|e| format!("to: {e}"))?;
    if from.is_destination_only() {
        return Err(format!(
            "from: {}: a source must be a pod, a node or an external host",
            request.from
        ));
    }
    let (protocol, port) = packet(request)?;
    let mut probe = Probe::new(from, to, protocol, port);
    probe.size = request.size.unwrap_or(84);
    if !(28..=65_535).contains(&probe.size) {
        return Err(format!(
            "size: {} bytes is not an IPv4 packet length (28 to 65535)",
            probe.size
        ));
    }
    probe.df = request.df.unwrap_or(true);
    let t = walker.trace(&probe);
    let text = sim_core::render::trace::render(&t, true);
    Ok(view(&t, text))
}

fn packet(request: &TraceRequest) -> Result<(Protocol, Option<u16>), String> {
    let port = request.port.unwrap_or(80);
    match request.proto.as_deref().unwrap_or("tcp") {
        "tcp" => Ok((Protocol::Tcp, Some(port))),
        "udp" => Ok((Protocol::Udp, Some(port))),
        "sctp" => Ok((Protocol::Sctp, Some(port))),
        "icmp" => Ok((Protocol::Icmp, None)),
        other => Err(format!(
            "proto: {other:?} is not one of tcp, udp, sctp, icmp"
        )),
    }
}

fn view(t: &Trace, text: String) -> TraceView {
    TraceView {
        from: t.from.clone(),
        to: t.to.clone(),
        proto: sim_core::walker::protocol_name(t.proto),
        port: t.port,
        verdict: t.verdict,
        reason: t.reason.clone(),
        hops: hops(&t.hops),
        reply: t.reply.as_ref().map(|r| Box::new(view(r, String::new()))),
        text,
    }
}

fn hops(hops: &[Hop]) -> Vec<HopView> {
    let mut previous: Option<PacketView> = None;
    hops.iter()
        .map(|h| {
            let rewritten = previous.is_some_and(|p| {
                h.action == Action::Nat && (p.src != h.packet.src || p.dst != h.packet.dst)
            });
            let before = previous.filter(|_| rewritten);
            previous = Some(h.packet);
            HopView {
                shape: shape_id(h.kind, &h.at, h.device.as_deref()),
                hop: h.clone(),
                before,
            }
        })
        .collect()
}
