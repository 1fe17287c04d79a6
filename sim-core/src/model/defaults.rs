//! Calico's default IPv4 pool, created by calico-node when no IPv4 pool exists.
//!
//! Rule (node/pkg/lifecycle/startup/startup.go, v3.28): the CIDR is CALICO_IPV4POOL_CIDR,
//! else kubeadm's podSubnet, else 192.168.0.0/16 — or, when that overlaps a host
//! address, the first of 172.16.0.0/16 … 172.31.0.0/16 that does not. Block size 26,
//! IPIP Always, VXLAN Never, natOutgoing true, nodeSelector all().

use ipnetwork::IpNetwork;

use crate::diag::Diagnostics;
use crate::selector::Selector;

use super::validate_calico::overlaps;
use super::validate_topology::Topology;
use super::{EncapMode, IpPool};

pub const DEFAULT_POOL_NAME: &str = "default-ipv4-ippool";

/// Adds the default pool when the input defines no IPv4 pool; keeps name order.
pub(super) fn with_default_pool(
    mut pools: Vec<IpPool>,
    topology: &Topology,
    _diags: &mut Diagnostics,
) -> Vec<IpPool> {
    if pools.iter().any(|p| p.cidr.is_ipv4()) {
        return pools;
    }
    pools.push(IpPool {
        name: DEFAULT_POOL_NAME.to_string(),
        cidr: default_cidr(topology),
        block_size: 26,
        ipip_mode: EncapMode::Always,
        vxlan_mode: EncapMode::Never,
        nat_outgoing: true,
        disabled: false,
        disable_bgp_export: false,
        node_selector: Selector::parse("all()").expect("all() parses"),
        allows_workloads: true,
        allows_tunnels: true,
        is_default: true,
    });
    pools.sort_by(|a, b| a.name.cmp(&b.name));
    pools
}

fn default_cidr(topology: &Topology) -> IpNetwork {
    let kubeadm_subnet = topology
        .kubeadm
        .as_ref()
        .and_then(|k| k.pod_subnets.iter().find(|s| s.is_ipv4()).copied());
    if let Some(subnet) = kubeadm_subnet {
        return subnet;
    }
    let host_networks: Vec<IpNetwork> = topology
        .nodes
        .iter()
        .flat_map(|n| n.interfaces.iter())
        .map(|f| IpNetwork::V4(topology.networks[f.network].cidr))
        .collect();
    let free = |c: &IpNetwork| !host_networks.iter().any(|h| overlaps(h, c));
    std::iter::once("192.168.0.0/16".to_string())
        .chain((16..=31).map(|i| format!("172.{i}.0.0/16")))
        .map(|s| s.parse::<IpNetwork>().expect("constant CIDR"))
        .find(free)
        .unwrap_or_else(|| "192.168.0.0/16".parse().expect("constant CIDR"))
}
