//! Devices inside a namespace over rtnetlink: loopback up, bridges, veth pairs whose peer
//! is born in another namespace, the VXLAN device and `tunl0`. Names, MACs and MTUs come
//! from the plan as they are.

use std::collections::HashMap;
use std::fs::File;
use std::os::fd::AsRawFd;

use netlink_packet_route::link::{InfoData, InfoVeth};
use rtnetlink::{Handle, LinkBridge, LinkIpIp, LinkUnspec, LinkVeth, LinkVxlan};
use sim_core::plan::{IpipPlan, VethEnd, VxlanPlan};

use crate::error::{Error, Result};
use crate::rtnl::{index_of, mac};

/// `ip link set DEV up`.
pub(crate) async fn up(h: &Handle, ns: &str, dev: &str) -> Result<()> {
    h.link()
        .set(LinkUnspec::new_with_name(dev).up().build())
        .execute()
        .await
        .map_err(|e| Error::op(ns, Some(dev), "set the device up", e))
}

/// `ip link add NAME type bridge && ip link set NAME up`.
pub(crate) async fn add_bridge(h: &Handle, ns: &str, name: &str) -> Result<()> {
    h.link()
        .add(LinkBridge::new(name).up().build())
        .execute()
        .await
        .map_err(|e| Error::op(ns, Some(name), "create the bridge", e))
}

/// `ip link add A mtu M address X type veth peer name B netns NS_B mtu M address Y`,
/// run from A's namespace; `b_ns` is B's namespace, opened.
pub(crate) async fn add_veth(
    h: &Handle,
    a_ns: &str,
    a: &VethEnd,
    b_ns: &File,
    b: &VethEnd,
) -> Result<()> {
    let mut peer = LinkUnspec::new_with_name(&b.name)
        .mtu(b.mtu)
        .setns_by_fd(b_ns.as_raw_fd());
    if let Some(m) = &b.mac {
        peer = peer.address(mac(&b.netns, &b.name, m)?);
    }
    let mut link = LinkVeth::new(&a.name, &b.name)
        .mtu(a.mtu)
        .set_info_data(InfoData::Veth(InfoVeth::Peer(peer.build())));
    if let Some(m) = &a.mac {
        link = link.address(mac(a_ns, &a.name, m)?);
    }
    h.link().add(link.build()).execute().await.map_err(|e| {
        Error::op(
            a_ns,
            Some(&a.name),
            format!("create the veth pair (peer {} in {})", b.name, b.netns),
            e,
        )
    })
}

/// One veth end in its own namespace: enslaved to its bridge if it has one, then up.
pub(crate) async fn finish_end(
    h: &Handle,
    end: &VethEnd,
    devices: &HashMap<String, u32>,
) -> Result<()> {
    let mut msg = LinkUnspec::new_with_name(&end.name).up();
    if let Some(master) = &end.master {
        msg = msg.controller(index_of(devices, &end.netns, master)?);
    }
    h.link().set(msg.build()).execute().await.map_err(|e| {
        let op = match &end.master {
            Some(m) => format!("attach to {m} and set up"),
            None => "set the device up".to_owned(),
        };
        Error::op(&end.netns, Some(&end.name), op, e)
    })
}

/// `ip link add vxlan.calico type vxlan id VNI local IP dev PARENT dstport PORT nolearning`,
/// with the plan's MAC and MTU, up.
pub(crate) async fn add_vxlan(
    h: &Handle,
    ns: &str,
    plan: &VxlanPlan,
    devices: &HashMap<String, u32>,
) -> Result<()> {
    let parent = index_of(devices, ns, &plan.parent)?;
    let mut link = LinkVxlan::new(&plan.name, plan.vni)
        .local(plan.local)
        .dev(parent)
        .port(plan.port)
        .learning(false)
        .mtu(plan.mtu)
        .up();
    if let Some(m) = &plan.mac {
        link = link.address(mac(ns, &plan.name, m)?);
    }
    h.link()
        .add(link.build())
        .execute()
        .await
        .map_err(|e| Error::op(ns, Some(&plan.name), "create the VXLAN device", e))
}

/// `tunl0`: the ipip module makes it in every namespace (the fallback device); Calico only
/// sets its MTU and brings it up. Created when the kernel did not.
pub(crate) async fn add_ipip(
    h: &Handle,
    ns: &str,
    plan: &IpipPlan,
    devices: &HashMap<String, u32>,
) -> Result<()> {
    let request = if devices.contains_key(&plan.name) {
        h.link()
            .set(
                LinkUnspec::new_with_name(&plan.name)
                    .mtu(plan.mtu)
                    .up()
                    .build(),
            )
            .execute()
            .await
    } else {
        h.link()
            .add(LinkIpIp::new(&plan.name).mtu(plan.mtu).up().build())
            .execute()
            .await
    };
    request.map_err(|e| Error::op(ns, Some(&plan.name), "set up the IPIP tunnel", e))
}
