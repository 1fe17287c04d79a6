//! Permanent neighbours: ARP entries (`ip neigh add IP lladdr MAC dev DEV nud permanent`)
//! and bridge FDB entries (`bridge fdb add MAC dev DEV dst IP self permanent`), which is
//! how Felix programs the VXLAN device's peers.

use std::collections::HashMap;
use std::net::IpAddr;

use netlink_packet_route::neighbour::{NeighbourAddress, NeighbourAttribute, NeighbourFlags};
use rtnetlink::Handle;
use sim_core::plan::{FdbPlan, NeighbourPlan};

use crate::error::{Error, Result};
use crate::rtnl::{index_of, mac};

pub(crate) async fn add_arp(
    h: &Handle,
    ns: &str,
    n: &NeighbourPlan,
    devices: &HashMap<String, u32>,
) -> Result<()> {
    let index = index_of(devices, ns, &n.dev)?;
    h.neighbours()
        .add(index, IpAddr::V4(n.ip))
        .link_layer_address(&mac(ns, &n.dev, &n.mac)?)
        .execute()
        .await
        .map_err(|e| {
            Error::op(
                ns,
                Some(&n.dev),
                format!("add neighbour {} {}", n.ip, n.mac),
                e,
            )
        })
}

pub(crate) async fn add_fdb(
    h: &Handle,
    ns: &str,
    f: &FdbPlan,
    devices: &HashMap<String, u32>,
) -> Result<()> {
    let index = index_of(devices, ns, &f.dev)?;
    let mut request = h
        .neighbours()
        .add_bridge(index, &mac(ns, &f.dev, &f.mac)?)
        .flags(NeighbourFlags::Own);
    request
        .message_mut()
        .attributes
        .push(NeighbourAttribute::Destination(NeighbourAddress::Inet(
            f.dst,
        )));
    request.execute().await.map_err(|e| {
        Error::op(
            ns,
            Some(&f.dev),
            format!("add FDB entry {} dst {}", f.mac, f.dst),
            e,
        )
    })
}
