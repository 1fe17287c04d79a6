//! A node's routing table as `ip route` (iproute2) and `route -n` (net-tools) print it.

use core::net::Ipv4Addr;
use std::fmt::Write;

use crate::dataplane::{NodeDataplane, PodNetwork, Proto, Route, RouteKind};

fn destination(r: &Route) -> String {
    if r.dst.prefix() == 0 {
        "default".into()
    } else if r.dst.prefix() == 32 {
        r.dst.ip().to_string()
    } else {
        format!("{}/{}", r.dst.network(), r.dst.prefix())
    }
}

/// One line of `ip route`: dst, via, dev, proto, scope, src, then flags.
pub fn ip_route_line(r: &Route, dev_name: &dyn Fn(u32) -> String) -> String {
    let mut s = String::new();
    if r.kind == RouteKind::Blackhole {
        s.push_str("blackhole ");
    }
    s.push_str(&destination(r));
    if let Some(gw) = r.via {
        let _ = write!(s, " via {gw}");
    }
    if let Some(oif) = r.oif {
        let _ = write!(s, " dev {}", dev_name(oif));
    }
    match r.proto {
        Proto::Boot => {}
        Proto::Kernel => s.push_str(" proto kernel"),
        Proto::Bird => s.push_str(" proto bird"),
        Proto::Felix => s.push_str(" proto 80"),
    }
    if r.scope_link {
        s.push_str(" scope link");
    }
    if let Some(src) = r.src {
        let _ = write!(s, " src {src}");
    }
    if r.onlink {
        s.push_str(" onlink");
    }
    s
}

/// The name of a node link, or `if<N>` for an index the node does not have.
fn node_dev(dp: &NodeDataplane) -> impl Fn(u32) -> String + '_ {
    move |i| {
        dp.link_name(i)
            .map_or_else(|| format!("if{i}"), str::to_string)
    }
}

/// The whole `ip route` output of a node.
pub fn ip_route(dp: &NodeDataplane) -> String {
    let dev = node_dev(dp);
    dp.routes
        .iter()
        .map(|r| ip_route_line(r, &dev) + "\n")
        .collect()
}

/// `ip route` inside a pod's namespace (its one device is `eth0`).
pub fn pod_ip_route(pod: &PodNetwork) -> String {
    let dev = |_| "eth0".to_string();
    pod.routes
        .iter()
        .map(|r| ip_route_line(r, &dev) + "\n")
        .collect()
}

fn netmask(prefix: u8) -> Ipv4Addr {
    Ipv4Addr::from(if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    })
}

/// `route -n`: /proc/net/route as net-tools prints it (blackholes show as `U` on `*`).
pub fn route_n(dp: &NodeDataplane) -> String {
    let dev = node_dev(dp);
    let mut s = String::from("Kernel IP routing table\nDestination     Gateway         Genmask         Flags Metric Ref    Use Iface\n");
    for r in &dp.routes {
        let mut flags = String::from("U");
        if r.via.is_some() {
            flags.push('G');
        }
        if r.dst.prefix() == 32 {
            flags.push('H');
        }
        let gateway = r.via.unwrap_or(Ipv4Addr::UNSPECIFIED);
        let iface = match (r.kind, r.oif) {
            (RouteKind::Unicast, Some(oif)) => dev(oif),
            _ => "*".to_string(),
        };
        let _ = writeln!(
            s,
            "{:<15} {:<15} {:<15} {:<5} {:<6} {:<2} {:>7} {iface}",
            r.dst.network().to_string(),
            gateway.to_string(),
            netmask(r.dst.prefix()).to_string(),
            flags,
            0,
            0,
            0
        );
    }
    s
}
