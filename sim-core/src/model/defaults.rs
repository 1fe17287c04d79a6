//! Calico's default IPv4 pool, created by calico-node when no IPv4 pool exists.
//!
//! Rule (node/pkg/lifecycle/startup/startup.go, v3.28): the CIDR is CALICO_IPV4POOL_CIDR,
//! else kubeadm's podSubnet, else 192.168.0.0/16 — or, when that overlaps a host
//! address, the first of 172.16.0.0/16 … 172.31.0.0/16 that does not. Block size 26,
//! IPIP Always, VXLAN Never, natOutgoing true, nodeSelector all(), each unless the
//! calico-node environment says otherwise; NO_DEFAULT_POOLS=true creates none.

use ipnetwork::IpNetwork;

use crate::diag::{Diagnostic, Diagnostics};
use crate::selector::Selector;

use super::install::DefaultPoolEnv;
use super::validate_calico::overlaps;
use super::validate_topology::Topology;
use super::{EncapMode, IpPool, PoolSource};

pub const DEFAULT_POOL_NAME: &str = "default-ipv4-ippool";

/// Adds the default pool when the input defines no IPv4 pool; keeps name order.
pub(super) fn with_default_pool(
    mut pools: Vec<IpPool>,
    topology: &Topology,
    env: &DefaultPoolEnv,
    diags: &mut Diagnostics,
) -> Vec<IpPool> {
    if pools.iter().any(|p| p.cidr.is_ipv4()) || env.no_default_pools {
        return pools;
    }
    let ipip_mode = env.ipip.unwrap_or(EncapMode::Always);
    let vxlan_mode = env.vxlan.unwrap_or(EncapMode::Never);
    if ipip_mode.is_enabled() && vxlan_mode.is_enabled() {
        diags.push(Diagnostic::error(
            "CALICO_IPV4POOL_IPIP and CALICO_IPV4POOL_VXLAN are both enabled: calico-node refuses to create the default pool (Cannot enable both VXLAN and IPIP on the same IPPool)",
        ));
    }
    pools.push(IpPool {
        name: DEFAULT_POOL_NAME.to_string(),
        cidr: env.cidr.unwrap_or_else(|| default_cidr(topology)),
        block_size: env.block_size.unwrap_or(26),
        ipip_mode,
        vxlan_mode,
        nat_outgoing: env.nat_outgoing.unwrap_or(true),
        disabled: false,
        disable_bgp_export: false,
        node_selector: env
            .node_selector
            .clone()
            .unwrap_or_else(|| Selector::parse("all()").expect("all() parses")),
        allows_workloads: true,
        allows_tunnels: true,
        source: PoolSource::CalicoNodeDefault,
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
