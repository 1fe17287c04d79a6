//! Felix's policy chains for one node as an nftables table: for each local workload a
//! from-workload chain (egress) and a to-workload chain (ingress), tier by tier, with the
//! selectors resolved to address sets as Felix's IP sets hold them.
//!
//! Shape (iptables Felix, in nftables): `forward` and `input` accept established flows,
//! then jump to `fw-<caliX>` for packets from a workload and `tw-<caliX>` for packets to
//! one. An endpoint chain clears the allow mark and jumps to each tier's chain in order;
//! a rule that allows sets the mark and returns, Deny drops, Pass returns without the mark
//! (on to the next tier), Log logs; a tier's chain ends with its default action (drop, or
//! return for Pass). The mark set ⇒ allowed; all tiers passed ⇒ the namespace profile
//! allows. Host → local workload traffic is not policed (no output hook), as in Felix.

use std::fmt::Write as _;

use crate::policy::endpoints::Endpoints;
use crate::policy::eval::{RuleMaterial, Side, Workload};
use crate::policy::model::{Action, PolicyType};
use crate::state::ClusterState;

const ALLOW_MARK: &str = "0x10000";

/// The node's policy table, or None when no policy selects any of its workloads.
pub fn node_policy(
    state: &ClusterState,
    eps: &Endpoints<'_>,
    universe: &[Workload<'_>],
    node: usize,
) -> Option<String> {
    let dp = &state.dataplane[node];
    let mut chains = String::new();
    let mut dispatch_fw = String::new();
    let mut dispatch_tw = String::new();
    for p in &dp.pods {
        let veth = &p.host_veth;
        for (dir, prefix, dispatch, hook) in [
            (PolicyType::Egress, "fw", &mut dispatch_fw, "iifname"),
            (PolicyType::Ingress, "tw", &mut dispatch_tw, "oifname"),
        ] {
            let applicable = eps.applicable(p.pod, dir);
            if applicable.is_empty() {
                continue;
            }
            let tiers = eps.engine.material(applicable, dir, universe);
            let chain = format!("{prefix}-{veth}");
            let _ = writeln!(dispatch, "    {hook} \"{veth}\" jump {chain}");
            let _ = writeln!(
                chains,
                "  chain {chain} {{\n    meta mark set mark & 0xfffeffff"
            );
            for (t, _) in tiers.iter().enumerate() {
                let _ = writeln!(
                    chains,
                    "    jump {chain}-t{t}\n    meta mark & {ALLOW_MARK} == {ALLOW_MARK} return"
                );
            }
            chains.push_str("  }\n");
            for (t, tier) in tiers.iter().enumerate() {
                let _ = writeln!(chains, "  chain {chain}-t{t} {{");
                for r in &tier.rules {
                    for line in rule_lines(r) {
                        let _ = writeln!(chains, "    {line}");
                    }
                }
                let end = if tier.default_pass { "return" } else { "drop" };
                let _ = writeln!(
                    chains,
                    "    {end} comment \"end of tier {}\"\n  }}",
                    tier.name
                );
            }
        }
    }
    if dispatch_fw.is_empty() && dispatch_tw.is_empty() {
        return None;
    }
    Some(format!(
        "table ip calisim-policy {{\n  chain forward {{\n    type filter hook forward priority filter; policy accept;\n    ct state established,related accept\n    ct state invalid drop\n{dispatch_fw}{dispatch_tw}  }}\n  chain input {{\n    type filter hook input priority filter; policy accept;\n    ct state established,related accept\n    ct state invalid drop\n{dispatch_fw}  }}\n{chains}}}\n"
    ))
}

/// One rule as nftables lines (named and numbered ports need one line each).
fn rule_lines(r: &RuleMaterial) -> Vec<String> {
    let mut head = Vec::new();
    if let Some(p) = r.protocol {
        head.push(format!("meta l4proto {p}"));
    }
    if let Some(p) = r.not_protocol {
        head.push(format!("meta l4proto != {p}"));
    }
    if let Some((t, c)) = r.icmp {
        head.push("meta l4proto 1".into());
        if let Some(t) = t {
            head.push(format!("icmp type {t}"));
        }
        if let Some(c) = c {
            head.push(format!("icmp code {c}"));
        }
    }
    if let Some((t, c)) = r.not_icmp {
        // Felix: not (type and code); with one field, a plain inequality.
        match (t, c) {
            (Some(t), None) => head.push(format!("icmp type != {t}")),
            (Some(t), Some(c)) => head.push(format!("icmp type . icmp code != {t} . {c}")),
            _ => {}
        }
    }
    addresses(&mut head, "saddr", &r.source);
    addresses(&mut head, "daddr", &r.destination);
    let d = &r.destination;
    if !d.not_ports.is_empty() {
        head.push(format!("th dport != {{ {} }}", ranges(&d.not_ports)));
    }
    if !d.not_named.is_empty() {
        head.push(format!(
            "ip daddr . th dport != {{ {} }}",
            pairs(&d.not_named)
        ));
    }
    let verdict = match r.action {
        Action::Allow => format!("meta mark set mark | {ALLOW_MARK} return"),
        Action::Deny => "drop".into(),
        Action::Pass => "return".into(),
        Action::Log => "log prefix \"calico-packet \"".into(),
    };
    let tail = format!("{verdict} comment \"{}\"", r.origin);
    let mut lines = Vec::new();
    if d.ports.is_empty() && d.named.is_empty() {
        lines.push(join(&head, &tail));
    }
    if !d.ports.is_empty() {
        let mut h = head.clone();
        h.push(format!("th dport {{ {} }}", ranges(&d.ports)));
        lines.push(join(&h, &tail));
    }
    if !d.named.is_empty() {
        let mut h = head;
        h.push(format!("ip daddr . th dport {{ {} }}", pairs(&d.named)));
        lines.push(join(&h, &tail));
    }
    lines
}

fn join(parts: &[String], tail: &str) -> String {
    if parts.is_empty() {
        tail.to_owned()
    } else {
        format!("{} {tail}", parts.join(" "))
    }
}

fn addresses(out: &mut Vec<String>, field: &str, side: &Side) {
    if !side.nets.is_empty() {
        out.push(format!("ip {field} {{ {} }}", side.nets.join(", ")));
    }
    if !side.not_nets.is_empty() {
        out.push(format!("ip {field} != {{ {} }}", side.not_nets.join(", ")));
    }
    if let Some(m) = &side.members {
        out.push(format!("ip {field} {{ {} }}", m.join(", ")));
    }
    if !side.not_members.is_empty() {
        out.push(format!(
            "ip {field} != {{ {} }}",
            side.not_members.join(", ")
        ));
    }
}

fn ranges(ports: &[(u16, u16)]) -> String {
    ports
        .iter()
        .map(|(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn pairs(v: &[(core::net::Ipv4Addr, u16)]) -> String {
    v.iter()
        .map(|(ip, p)| format!("{ip} . {p}"))
        .collect::<Vec<_>>()
        .join(", ")
}
