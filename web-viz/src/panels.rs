//! The per-node panels: what a student would see running `ip route`, `ip addr` and
//! `calicoctl node status` on the node, and the IPAM blocks affine to it.

use serde::Serialize;
use sim_core::render;
use sim_core::state::ClusterState;

#[derive(Debug, Clone, Serialize)]
pub struct NodePanel {
    pub node: String,
    /// The address calico-node registers (its BGP and tunnel endpoint), if any.
    pub address: Option<String>,
    /// `ip route` on the node.
    pub routes: String,
    /// `ip addr` on the node.
    pub addresses: String,
    /// `calicoctl node status` run on the node.
    pub status: String,
    pub blocks: Vec<BlockRow>,
}

/// One IPAM block affine to the node.
#[derive(Debug, Clone, Serialize)]
pub struct BlockRow {
    pub cidr: String,
    pub pool: String,
    pub in_use: usize,
    pub capacity: usize,
}

pub fn node_panel(state: &ClusterState, node: &str) -> Result<NodePanel, String> {
    let id = state
        .cluster
        .node_by_name(node)
        .ok_or_else(|| format!("no node named {node:?} in the scenario"))?;
    let dp = &state.dataplane[id];
    let blocks = state.ipam.node_blocks[id]
        .iter()
        .map(|&b| {
            let block = &state.ipam.blocks[b];
            BlockRow {
                cidr: block.cidr.to_string(),
                pool: state.cluster.pools[block.pool].name.clone(),
                in_use: block.in_use(),
                capacity: block.capacity(),
            }
        })
        .collect();
    Ok(NodePanel {
        node: node.to_owned(),
        address: dp.address.map(|a| a.to_string()),
        routes: render::routes::ip_route(dp),
        addresses: render::links::ip_addr(dp),
        status: render::status::node_status(state, id),
        blocks,
    })
}
