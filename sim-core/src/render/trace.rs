//! A trace as text: numbered hops like `traceroute`, with the packet under each hop where
//! it changed (inner, and outer when encapsulated), like Packet Tracer's PDU view.

use std::fmt::Write as _;

use crate::walker::{protocol_name, Hop, PacketView, Trace, Verdict};

fn packet_line(p: &PacketView) -> String {
    let proto = protocol_name(p.proto);
    let sport = p.sport.map(|d| format!(" sport {d}")).unwrap_or_default();
    let port = p.dport.map(|d| format!(" dport {d}")).unwrap_or_default();
    let port = format!("{sport}{port}");
    let mut out = format!("{} → {} {proto}{port}, {} bytes", p.src, p.dst, p.size);
    if let Some(o) = &p.outer {
        let kind = match o.kind {
            crate::walker::Encap::Ipip => "IPIP".to_string(),
            crate::walker::Encap::Vxlan => format!(
                "VXLAN udp/{} vni {}",
                o.dport.unwrap_or(4789),
                o.vni.unwrap_or(4096)
            ),
        };
        let _ = write!(
            out,
            "\n         outer {kind}: {} → {}, {} bytes",
            o.src, o.dst, o.size
        );
    }
    out
}

fn hops(out: &mut String, hops: &[Hop]) {
    let mut last: Option<&PacketView> = None;
    for (i, h) in hops.iter().enumerate() {
        let dev = h
            .device
            .as_deref()
            .map(|d| format!(" [{d}]"))
            .unwrap_or_default();
        let action = serde_json::to_value(h.action)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let _ = writeln!(out, "{:>3}. {}{dev} {action}: {}", i + 1, h.at, h.detail);
        if last != Some(&h.packet) {
            let _ = writeln!(out, "         {}", packet_line(&h.packet));
            last = Some(&h.packet);
        }
    }
}

fn verdict(t: &Trace) -> String {
    match (&t.verdict, &t.reason) {
        (Verdict::Delivered, _) => "delivered".into(),
        (Verdict::Dropped, Some(r)) => format!("dropped: {r}"),
        (Verdict::Dropped, None) => "dropped".into(),
    }
}

/// The trace, and the reply in full when `with_reply`, else one line about it.
pub fn render(t: &Trace, with_reply: bool) -> String {
    let port = t.port.map(|p| format!("/{p}")).unwrap_or_default();
    let mut out = format!(
        "trace {} → {} {}{port}\n",
        t.from,
        t.to,
        protocol_name(t.proto)
    );
    hops(&mut out, &t.hops);
    let _ = writeln!(out, "verdict: {}", verdict(t));
    if let Some(reply) = &t.reply {
        if with_reply {
            let _ = writeln!(out, "\nreply {} → {}", reply.from, reply.to);
            hops(&mut out, &reply.hops);
            let _ = writeln!(out, "reply: {}", verdict(reply));
        } else {
            let _ = writeln!(out, "reply: {} (--reply shows its hops)", verdict(reply));
        }
    }
    out
}
