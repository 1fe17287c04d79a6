//! `calicoctl ipam show` (v3.28 calicoctl/commands/ipam/show.go): utilisation per pool
//! and block, and `--show-borrowed`. View models are serialisable for `-o json`.

use serde::Serialize;

use crate::ipam::{Owner, TunnelKind};
use crate::state::ClusterState;

use super::{gofmt, table};

/// One row of the utilisation table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    pub cidr: String,
    /// Capacity as calicoctl computes it: a float (2^hostbits), so /64 pools stay exact enough.
    pub ips_total: f64,
    pub ips_in_use: u64,
    pub ips_free: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockUsage {
    #[serde(flatten)]
    pub usage: Usage,
    /// The node the block is affine to.
    pub affinity: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolUsage {
    pub name: String,
    #[serde(flatten)]
    pub usage: Usage,
    pub blocks: Vec<BlockUsage>,
}

/// Pools in datastore order (by name), each with its blocks in datastore order.
pub fn utilisation(state: &ClusterState) -> Vec<PoolUsage> {
    state
        .cluster
        .pools
        .iter()
        .enumerate()
        .map(|(id, pool)| {
            let blocks: Vec<BlockUsage> = state
                .ipam
                .pool_blocks(id)
                .into_iter()
                .map(|b| BlockUsage {
                    usage: usage(b.cidr.to_string(), b.capacity() as f64, b.in_use() as u64),
                    affinity: b.affinity.map(|n| state.cluster.nodes[n].name.clone()),
                })
                .collect();
            let host_bits =
                if pool.cidr.is_ipv4() { 32 } else { 128 } - i32::from(pool.cidr.prefix());
            let in_use = blocks.iter().map(|b| b.usage.ips_in_use).sum();
            PoolUsage {
                name: pool.name.clone(),
                usage: usage(pool.cidr.to_string(), 2f64.powi(host_bits), in_use),
                blocks,
            }
        })
        .collect()
}

fn usage(cidr: String, capacity: f64, in_use: u64) -> Usage {
    Usage {
        cidr,
        ips_total: capacity,
        ips_in_use: in_use,
        ips_free: capacity - in_use as f64,
    }
}

fn row(grouping: &str, u: &Usage) -> Vec<String> {
    vec![
        grouping.to_string(),
        u.cidr.clone(),
        gofmt::g5(u.ips_total),
        gofmt::usage(u.ips_in_use as f64, u.ips_total),
        gofmt::usage(u.ips_free, u.ips_total),
    ]
}

/// The GROUPING / CIDR / IPS TOTAL / IPS IN USE / IPS FREE table.
pub fn render_utilisation(pools: &[PoolUsage], show_blocks: bool) -> String {
    let mut rows = Vec::new();
    for pool in pools {
        rows.push(row("IP Pool", &pool.usage));
        if show_blocks {
            rows.extend(pool.blocks.iter().map(|b| row("Block", &b.usage)));
        }
    }
    table::render(
        &["GROUPING", "CIDR", "IPS TOTAL", "IPS IN USE", "IPS FREE"],
        &rows,
    )
}

/// One address used by a node other than its block's owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BorrowedIp {
    pub ip: String,
    pub borrowing_node: String,
    pub block: String,
    pub block_owner: String,
    #[serde(rename = "type")]
    pub allocation_type: String,
    pub allocated_to: String,
}

/// Every allocation whose node differs from its block's affinity, blocks in datastore order.
pub fn borrowed(state: &ClusterState) -> Vec<BorrowedIp> {
    let cluster = &state.cluster;
    let mut blocks: Vec<_> = state.ipam.blocks.iter().collect();
    blocks.sort_by_cached_key(|b| b.resource_name());
    let mut out = Vec::new();
    for block in blocks {
        for (ip, a) in block.allocations() {
            if block.affinity == Some(a.node) {
                continue;
            }
            let (allocation_type, allocated_to) = match a.owner {
                Owner::Pod(p) => ("pod".to_string(), cluster.pods[p].key()),
                Owner::Tunnel(_, kind) => {
                    (TunnelKind::attribute_type(kind).to_string(), String::new())
                }
            };
            out.push(BorrowedIp {
                ip: ip.to_string(),
                borrowing_node: cluster.nodes[a.node].name.clone(),
                block: block.cidr.to_string(),
                block_owner: block
                    .affinity
                    .map(|n| cluster.nodes[n].name.clone())
                    .unwrap_or_default(),
                allocation_type,
                allocated_to,
            });
        }
    }
    out
}

/// The `--show-borrowed` table.
pub fn render_borrowed(rows: &[BorrowedIp]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|b| {
            vec![
                b.ip.clone(),
                b.borrowing_node.clone(),
                b.block.clone(),
                b.block_owner.clone(),
                b.allocation_type.clone(),
                b.allocated_to.clone(),
            ]
        })
        .collect();
    table::render(
        &[
            "IP",
            "BORROWING-NODE",
            "BLOCK",
            "BLOCK OWNER",
            "TYPE",
            "ALLOCATED-TO",
        ],
        &rows,
    )
}

/// `calicoctl ipam show --ip=IP` (v3.28 wording): who holds an address, or that nobody does.
pub fn show_ip(state: &ClusterState, ip: core::net::IpAddr) -> String {
    let cluster = &state.cluster;
    let held = state
        .ipam
        .blocks
        .iter()
        .filter(|b| b.cidr.contains(ip))
        .find_map(|b| {
            b.allocations()
                .find(|(a, _)| *a == ip)
                .map(|(_, alloc)| *alloc)
        });
    let Some(alloc) = held else {
        return format!("IP {ip} is not currently assigned\n");
    };
    let node = &cluster.nodes[alloc.node].name;
    let attributes = match alloc.owner {
        Owner::Pod(p) => {
            let pod = &cluster.pods[p];
            format!(
                "  pod: {}\n  namespace: {}\n  node: {node}\n",
                pod.name, pod.namespace
            )
        }
        Owner::Tunnel(_, kind) => format!("  node: {node}\n  type: {}\n", kind.attribute_type()),
    };
    format!("IP {ip} is in use\nAttributes:\n{attributes}")
}
