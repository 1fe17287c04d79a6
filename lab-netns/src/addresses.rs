//! `ip addr add ADDRESS/LEN dev DEV` inside a namespace (the kernel adds the connected
//! route, `proto kernel scope link src ADDRESS`, by itself).

use std::collections::HashMap;
use std::net::IpAddr;

use rtnetlink::Handle;
use sim_core::plan::AddressPlan;

use crate::error::{Error, Result};
use crate::rtnl::index_of;

pub(crate) async fn add(
    h: &Handle,
    ns: &str,
    a: &AddressPlan,
    devices: &HashMap<String, u32>,
) -> Result<()> {
    let index = index_of(devices, ns, &a.dev)?;
    h.address()
        .add(index, IpAddr::V4(a.address.ip()), a.address.prefix())
        .execute()
        .await
        .map_err(|e| Error::op(ns, Some(&a.dev), format!("add address {}", a.address), e))
}
