//! Calico IPAM: which block each node claims and which address each pod and tunnel gets.
//!
//! Layer 3 (model → **state**). Faithful to libcalico-go: blocks are claimed in the
//! node's pseudo-random candidate order (Go math/rand seeded with FNV-1 of the node
//! name), addresses are handed out from ordinal 0 upward, borrowing follows AutoAssign.
//!
//! Order of events (deterministic, and as on a fresh cluster): every node's calico-node
//! starts first and allocates its tunnel addresses (IPIP, then VXLAN) in node list order;
//! then pods are created in the cluster's pod order (inline pods in list order, then
//! `v1 Pod` documents by namespace/name).

mod allocator;
pub mod block;
pub mod block_order;
pub mod gorand;

use core::net::IpAddr;
use std::fmt;

use serde::Serialize;

use crate::model::{Cluster, NodeId, Pod, PodId, PoolId};
use allocator::Allocator;
pub use block::{block_resource_name, Allocation, Block, Owner, TunnelKind};

/// One allocation that could not be made, in Calico's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AllocationFailure {
    /// `namespace/pod`, or the tunnel handle (`ipip-tunnel-addr-node-1`).
    pub owner: String,
    pub node: String,
    pub message: String,
}

impl fmt::Display for AllocationFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} on node {}: no IP address: {}",
            self.owner, self.node, self.message
        )
    }
}

/// The tunnel addresses calico-node stored on one node.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TunnelAddresses {
    /// `spec.bgp.ipv4IPIPTunnelAddr`, the address of tunl0.
    pub ipip: Option<IpAddr>,
    /// `spec.ipv4VXLANTunnelAddr`, the address of vxlan.calico.
    pub vxlan: Option<IpAddr>,
}

/// The result of IPAM over a whole cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpamState {
    /// Every block, in the order they were claimed.
    pub blocks: Vec<Block>,
    /// Per node: its affine blocks, in datastore list order.
    pub node_blocks: Vec<Vec<usize>>,
    /// Per pod (by `PodId`): its IPv4 address, if one could be allocated.
    pub pod_addresses: Vec<Option<IpAddr>>,
    /// Per node (by `NodeId`).
    pub tunnels: Vec<TunnelAddresses>,
    pub failures: Vec<AllocationFailure>,
}

impl IpamState {
    /// Blocks of a pool in calicoctl's order (by block resource name).
    pub fn pool_blocks(&self, pool: PoolId) -> Vec<&Block> {
        let mut blocks: Vec<&Block> = self.blocks.iter().filter(|b| b.pool == pool).collect();
        blocks.sort_by_cached_key(|b| b.resource_name());
        blocks
    }

    pub fn pod_address(&self, pod: PodId) -> Option<IpAddr> {
        self.pod_addresses.get(pod).copied().flatten()
    }
}

/// Runs calico-node's tunnel allocation on every node, then the CNI plugin for every pod.
pub fn allocate(cluster: &Cluster) -> IpamState {
    let mut alloc = Allocator::new(cluster);
    let mut failures = Vec::new();
    let mut tunnels = vec![TunnelAddresses::default(); cluster.nodes.len()];
    for (node, addresses) in tunnels.iter_mut().enumerate() {
        for kind in [TunnelKind::Ipip, TunnelKind::Vxlan] {
            let pools = tunnel_pools(cluster, node, kind);
            if pools.is_empty() {
                continue;
            }
            let allocation = Allocation {
                owner: Owner::Tunnel(node, kind),
                node,
            };
            match alloc.auto_assign(node, &pools, allocation) {
                Ok(ip) => match kind {
                    TunnelKind::Ipip => addresses.ipip = Some(ip),
                    TunnelKind::Vxlan => addresses.vxlan = Some(ip),
                },
                Err(message) => failures.push(AllocationFailure {
                    owner: kind.handle(&cluster.nodes[node].name),
                    node: cluster.nodes[node].name.clone(),
                    message,
                }),
            }
        }
    }
    let mut pod_addresses = Vec::with_capacity(cluster.pods.len());
    for (id, pod) in cluster.pods.iter().enumerate() {
        let allocation = Allocation {
            owner: Owner::Pod(id),
            node: pod.node,
        };
        let result = match pod.ipam.fixed_ipv4 {
            Some(ip) => alloc.assign_ip(pod.node, IpAddr::V4(ip), allocation),
            None => workload_pools(cluster, pod)
                .and_then(|pools| alloc.auto_assign(pod.node, &pools, allocation)),
        };
        pod_addresses.push(
            result
                .map_err(|message| {
                    failures.push(AllocationFailure {
                        owner: pod.key(),
                        node: cluster.nodes[pod.node].name.clone(),
                        message,
                    })
                })
                .ok(),
        );
    }
    IpamState {
        blocks: alloc.blocks,
        node_blocks: alloc.affine,
        pod_addresses,
        tunnels,
        failures,
    }
}

/// The pools a pod may use (cni-plugin ResolvePools + ipam.go pool filtering).
fn workload_pools(cluster: &Cluster, pod: &Pod) -> Result<Vec<PoolId>, String> {
    let ids: Vec<PoolId> = match &pod.ipam.ipv4_pools {
        Some(requested) => requested
            .iter()
            .map(|entry| {
                cluster
                    .pools
                    .iter()
                    .position(|p| {
                        !p.disabled
                            && p.cidr.is_ipv4()
                            && (p.name == *entry || p.cidr.to_string() == *entry)
                    })
                    .ok_or_else(|| {
                        format!("the given pool ({entry}) does not exist, or is not enabled")
                    })
            })
            .collect::<Result<_, _>>()?,
        None => {
            let node = &cluster.nodes[pod.node];
            cluster
                .pools
                .iter()
                .enumerate()
                .filter(|(_, p)| {
                    !p.disabled && p.cidr.is_ipv4() && p.node_selector.matches(&node.labels)
                })
                .map(|(i, _)| i)
                .collect()
        }
    };
    if ids.is_empty() {
        return Err(format!(
            "no configured Calico pools for node {}",
            cluster.nodes[pod.node].name
        ));
    }
    let usable: Vec<PoolId> = ids
        .into_iter()
        .filter(|p| cluster.pools[*p].allows_workloads)
        .collect();
    if usable.is_empty() {
        return Err("cannot find a qualified ippool".into());
    }
    Ok(usable)
}

/// The pools calico-node allocates a tunnel address from (allocateip.go determineEnabledPoolCIDRs).
fn tunnel_pools(cluster: &Cluster, node: NodeId, kind: TunnelKind) -> Vec<PoolId> {
    let labels = &cluster.nodes[node].labels;
    cluster
        .pools
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            let mode = match kind {
                TunnelKind::Ipip => p.ipip_mode,
                TunnelKind::Vxlan => p.vxlan_mode,
            };
            p.allows_tunnels
                && !p.disabled
                && p.cidr.is_ipv4()
                && mode.is_enabled()
                && p.node_selector.matches(labels)
        })
        .map(|(i, _)| i)
        .collect()
}
