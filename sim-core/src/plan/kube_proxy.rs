//! kube-proxy's service NAT for one node as an nftables table: cluster IPs (nat
//! PREROUTING and OUTPUT) and node ports on local addresses DNATed to the same endpoint
//! the walker picks for each known source address (kube-proxy's own choice is random;
//! unknown sources get a random endpoint), node-port and hairpin connections
//! masqueraded, services without endpoints rejected.

use core::net::Ipv4Addr;
use std::fmt::Write as _;

use crate::model::ServiceType;
use crate::policy::model::Protocol;
use crate::state::ClusterState;
use crate::walker::kube_proxy::lookup;

/// kube-proxy's masquerade mark (KUBE-MARK-MASQ), apart from the policy's allow bit.
const MASQ_MARK: &str = "0x4000";

fn protocol(p: &str) -> Option<(Protocol, u8)> {
    match p {
        "TCP" => Some((Protocol::Tcp, 6)),
        "UDP" => Some((Protocol::Udp, 17)),
        "SCTP" => Some((Protocol::Sctp, 132)),
        _ => None,
    }
}

/// Every address a connection can come from: pods, node devices, external hosts.
fn sources(state: &ClusterState) -> Vec<Ipv4Addr> {
    let mut v: Vec<Ipv4Addr> = (0..state.cluster.pods.len())
        .filter_map(|p| match state.ipam.pod_address(p) {
            Some(core::net::IpAddr::V4(ip)) => Some(ip),
            _ => None,
        })
        .collect();
    for dp in &state.dataplane {
        v.extend(
            dp.links
                .iter()
                .skip(1)
                .flat_map(|l| l.addresses.iter().map(|a| a.ip())),
        );
    }
    v.extend(state.cluster.externals.iter().map(|e| e.address));
    v.sort();
    v.dedup();
    v
}

/// The table, or None when the cluster has no service with a cluster IP.
pub fn table(state: &ClusterState) -> Option<String> {
    let srcs = sources(state);
    let (mut nat, mut reject) = (String::new(), String::new());
    for svc in &state.cluster.services {
        let Some(cip) = svc.cluster_ip else { continue };
        for port in &svc.ports {
            let Some((proto, number)) = protocol(&port.protocol) else {
                continue;
            };
            let mut entries = Vec::new();
            let mut hairpin = Vec::new();
            let mut endpoints = Vec::new();
            for &src in &srcs {
                let Some(hit) = lookup(state, src, cip, proto, Some(port.port), false) else {
                    continue;
                };
                endpoints = hit.endpoints.clone();
                if let Some(i) = hit.chosen {
                    let (_, ip, target) = hit.endpoints[i];
                    entries.push(format!("{src} : {ip} . {target}"));
                    if src == ip {
                        hairpin.push(src.to_string());
                    }
                }
            }
            let m = format!("meta l4proto {number} th dport");
            if endpoints.is_empty() {
                let _ = writeln!(
                    reject,
                    "    ip daddr {cip} {m} {} reject comment \"{} has no endpoints\"",
                    port.port,
                    svc.key()
                );
                continue;
            }
            let random: Vec<String> = endpoints
                .iter()
                .enumerate()
                .map(|(i, (_, ip, t))| format!("{i} : {ip} . {t}"))
                .collect();
            let dnat = |matcher: &str| {
                let mut out = String::new();
                if !hairpin.is_empty() {
                    let _ = writeln!(
                        out,
                        "    {matcher} ip saddr {{ {} }} meta mark set mark | {MASQ_MARK}",
                        hairpin.join(", ")
                    );
                }
                let _ = writeln!(
                    out,
                    "    {matcher} dnat ip addr . port to ip saddr map {{ {} }}",
                    entries.join(", ")
                );
                let _ = writeln!(
                    out,
                    "    {matcher} dnat ip addr . port to numgen random mod {} map {{ {} }}",
                    endpoints.len(),
                    random.join(", ")
                );
                out
            };
            nat.push_str(&dnat(&format!("ip daddr {cip} {m} {}", port.port)));
            if let (ServiceType::NodePort, Some(np)) = (svc.service_type, port.node_port) {
                let matcher = format!("fib daddr type local {m} {np}");
                let _ = writeln!(nat, "    {matcher} meta mark set mark | {MASQ_MARK}");
                nat.push_str(&dnat(&matcher));
            }
        }
    }
    if nat.is_empty() && reject.is_empty() {
        return None;
    }
    Some(format!(
        "table ip calisim-kube-proxy {{\n  chain prerouting {{\n    type nat hook prerouting priority dstnat; policy accept;\n{nat}  }}\n  chain output {{\n    type nat hook output priority -100; policy accept;\n{nat}  }}\n  chain postrouting {{\n    type nat hook postrouting priority srcnat; policy accept;\n    meta mark & {MASQ_MARK} == {MASQ_MARK} masquerade\n  }}\n  chain reject-forward {{\n    type filter hook forward priority filter - 10; policy accept;\n{reject}  }}\n  chain reject-output {{\n    type filter hook output priority filter - 10; policy accept;\n{reject}  }}\n}}\n"
    ))
}
