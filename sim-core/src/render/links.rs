//! `ip addr` (iproute2) of a node's namespace and of a pod's, IPv4 only.
//!
//! Veth ends print as `name@ifN` with the peer's ifindex in the other namespace, so a
//! student can pair `caliXXXX@if3` on the node with `eth0@if7` in the pod.

use core::net::Ipv4Addr;
use std::fmt::Write;

use crate::dataplane::{Link, LinkKind, NodeDataplane, PodNetwork};

fn broadcast(addr: &ipnetwork::Ipv4Network) -> Option<Ipv4Addr> {
    (addr.prefix() < 31).then(|| addr.broadcast())
}

fn header(
    s: &mut String,
    ifindex: u32,
    name: &str,
    flags: &str,
    mtu: u32,
    qdisc: &str,
    state: &str,
) {
    let _ = writeln!(s, "{ifindex}: {name}: <{flags}> mtu {mtu} qdisc {qdisc} state {state} group default qlen 1000");
}

fn inet(s: &mut String, addr: &ipnetwork::Ipv4Network, scope: &str, dev: &str) {
    let brd = broadcast(addr)
        .filter(|_| scope != "host")
        .map(|b| format!(" brd {b}"))
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "    inet {}/{}{brd} scope {scope} {dev}",
        addr.ip(),
        addr.prefix()
    );
    s.push_str("       valid_lft forever preferred_lft forever\n");
}

fn link(s: &mut String, l: &Link) {
    match &l.kind {
        LinkKind::Loopback => {
            header(
                s,
                l.ifindex,
                &l.name,
                "LOOPBACK,UP,LOWER_UP",
                l.mtu,
                "noqueue",
                "UNKNOWN",
            );
            s.push_str("    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n");
        }
        LinkKind::Nic { .. } => {
            header(
                s,
                l.ifindex,
                &l.name,
                "BROADCAST,MULTICAST,UP,LOWER_UP",
                l.mtu,
                "fq_codel",
                "UP",
            );
            let _ = writeln!(
                s,
                "    link/ether {} brd ff:ff:ff:ff:ff:ff",
                l.mac.as_deref().unwrap_or("")
            );
        }
        LinkKind::Ipip => {
            header(
                s,
                l.ifindex,
                &format!("{}@NONE", l.name),
                "NOARP,UP,LOWER_UP",
                l.mtu,
                "noqueue",
                "UNKNOWN",
            );
            s.push_str("    link/ipip 0.0.0.0 brd 0.0.0.0\n");
        }
        LinkKind::Vxlan { .. } => {
            header(
                s,
                l.ifindex,
                &l.name,
                "BROADCAST,MULTICAST,UP,LOWER_UP",
                l.mtu,
                "noqueue",
                "UNKNOWN",
            );
            let _ = writeln!(
                s,
                "    link/ether {} brd ff:ff:ff:ff:ff:ff",
                l.mac.as_deref().unwrap_or("")
            );
        }
        LinkKind::HostVeth { .. } => {
            let name = format!("{}@if{}", l.name, l.peer_ifindex.unwrap_or(0));
            header(
                s,
                l.ifindex,
                &name,
                "BROADCAST,MULTICAST,UP,LOWER_UP",
                l.mtu,
                "noqueue",
                "UP",
            );
            let _ = writeln!(
                s,
                "    link/ether {} brd ff:ff:ff:ff:ff:ff link-netnsid 0",
                l.mac.as_deref().unwrap_or("")
            );
        }
    }
    let scope = if matches!(l.kind, LinkKind::Loopback) {
        "host"
    } else {
        "global"
    };
    for a in &l.addresses {
        inet(s, a, scope, &l.name);
    }
}

/// `ip addr` on a node.
pub fn ip_addr(dp: &NodeDataplane) -> String {
    let mut s = String::new();
    for l in &dp.links {
        link(&mut s, l);
    }
    s
}

/// `ip addr` inside a pod: lo, tunl0 when the ipip module is loaded (down), eth0.
pub fn pod_ip_addr(pod: &PodNetwork) -> String {
    let mut s = String::new();
    header(
        &mut s,
        1,
        "lo",
        "LOOPBACK,UP,LOWER_UP",
        65536,
        "noqueue",
        "UNKNOWN",
    );
    s.push_str("    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n");
    inet(
        &mut s,
        &ipnetwork::Ipv4Network::new(Ipv4Addr::LOCALHOST, 8).expect("valid"),
        "host",
        "lo",
    );
    if pod.eth0_ifindex == 3 {
        let _ = writeln!(
            s,
            "2: tunl0@NONE: <NOARP> mtu 1480 qdisc noop state DOWN group default qlen 1000"
        );
        s.push_str("    link/ipip 0.0.0.0 brd 0.0.0.0\n");
    }
    let eth0 = format!("eth0@if{}", pod.host_veth_ifindex);
    header(
        &mut s,
        pod.eth0_ifindex,
        &eth0,
        "BROADCAST,MULTICAST,UP,LOWER_UP",
        pod.mtu,
        "noqueue",
        "UP",
    );
    let _ = writeln!(
        s,
        "    link/ether {} brd ff:ff:ff:ff:ff:ff link-netnsid 0",
        pod_mac(pod)
    );
    inet(
        &mut s,
        &ipnetwork::Ipv4Network::new(pod.address, 32).expect("valid"),
        "global",
        "eth0",
    );
    s
}

/// The container side's MAC is random in a real cluster; calisim derives a stable one.
fn pod_mac(pod: &PodNetwork) -> String {
    let h = crate::ipam::gorand::fnv1_32(pod.host_veth.as_bytes()).to_be_bytes();
    format!("02:{:02x}:{:02x}:{:02x}:{:02x}:00", h[0], h[1], h[2], h[3])
}
