//! Which IPv4 address calico-node registers for each node (`spec.bgp.ipv4Address`).
//!
//! A Calico `Node` resource that sets the address wins (as `calicoctl replace` does);
//! otherwise calico-node autodetects with `IP_AUTODETECTION_METHOD` over the node's
//! interfaces, numbered as the kernel does (lo 1, then the scenario's NICs from 2).

use core::net::Ipv4Addr;

use ipnetwork::Ipv4Network;
use serde::Serialize;

use crate::addressing::{detect, HostInterface};
use crate::model::{Backend, Cluster, Node};

/// The outcome for one node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeAddress {
    /// The address with its prefix (None: calico-node found none and would not start).
    pub address: Option<Ipv4Network>,
    pub interface: Option<String>,
    /// One sentence: where the address came from, or why there is none.
    pub reason: String,
}

/// The source address the node's kernel picks toward `target`: the address of the
/// connected NIC, else of the default-route NIC (only when it has a gateway).
pub fn route_source(cluster: &Cluster, node: &Node, target: Ipv4Addr) -> Option<Ipv4Addr> {
    let nic = cluster
        .connected_nic(node, target)
        .or_else(|| cluster.default_gateway(node).map(|(nic, _)| nic))?;
    Some(node.interfaces[nic].address)
}

pub fn node_addresses(cluster: &Cluster) -> Vec<NodeAddress> {
    cluster
        .nodes
        .iter()
        .map(|n| node_address(cluster, n))
        .collect()
}

fn node_address(cluster: &Cluster, node: &Node) -> NodeAddress {
    if cluster.backend == Backend::None {
        return NodeAddress {
            address: None,
            interface: None,
            reason: "CALICO_NETWORKING_BACKEND=none: calico-node writes no BGP address".into(),
        };
    }
    if let Some(address) = node.bgp.ipv4_address {
        let interface = node
            .interfaces
            .iter()
            .find(|f| f.address == address.ip())
            .map(|f| f.name.clone());
        return NodeAddress {
            address: Some(address),
            interface,
            reason: format!("set in the Calico Node resource (spec.bgp.ipv4Address: {address})"),
        };
    }
    if cluster.ip_autodetection_disabled {
        return NodeAddress {
            address: None,
            interface: None,
            reason: "IP autodetection is disabled (nodeAddressAutodetectionV4: {}) and no Node resource sets spec.bgp.ipv4Address".into(),
        };
    }
    let interfaces: Vec<HostInterface<'_>> = node
        .interfaces
        .iter()
        .enumerate()
        .map(|(i, f)| HostInterface {
            name: &f.name,
            ifindex: i as u32 + 2,
            addresses: vec![Ipv4Network::new(f.address, f.prefix).expect("validated prefix")],
        })
        .collect();
    let internal_ip = node.interfaces.get(node.default_route).map(|f| f.address);
    let source = |target| route_source(cluster, node, target);
    match detect(&cluster.ip_autodetection, &interfaces, &source, internal_ip) {
        Ok(d) => NodeAddress {
            address: Some(d.address),
            interface: Some(d.interface),
            reason: d.reason,
        },
        Err(e) => NodeAddress {
            address: None,
            interface: None,
            reason: e.to_string(),
        },
    }
}
