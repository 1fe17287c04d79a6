//! libcalico-go's `AutoAssign` and `AssignIP`, step for step (ipam.go, v3.28).
//!
//! First the node's affine blocks (in datastore order); then a new block, walking pools
//! in order and each pool's candidates in the node's pseudo-random order; last, borrowing
//! from any existing block unless strictAffinity. Messages are Calico's own.

use core::net::IpAddr;
use std::collections::HashMap;

use ipnetwork::IpNetwork;

use crate::model::{Cluster, NodeId, PoolId};

use super::block::{block_resource_name, ip_to_u128, u128_to_ip, Allocation, Block};
use super::block_order::BlockOrder;

/// Where one pool's blocks sit and how many there are.
#[derive(Debug, Clone, Copy)]
pub(super) struct Geometry {
    base: u128,
    v4: bool,
    block_size: u8,
    block_len: u128,
    pub num_blocks: u128,
}

impl Geometry {
    pub fn of(cidr: &IpNetwork, block_size: u8) -> Self {
        let bits: u8 = if cidr.is_ipv4() { 32 } else { 128 };
        let block_len = 1u128 << (bits - block_size);
        let span = if bits - cidr.prefix() == 128 {
            u128::MAX
        } else {
            1u128 << (bits - cidr.prefix())
        };
        Self {
            base: ip_to_u128(cidr.network()),
            v4: cidr.is_ipv4(),
            block_size,
            block_len,
            num_blocks: (span / block_len).max(1),
        }
    }

    pub fn block_cidr(&self, index: u128) -> IpNetwork {
        let ip = u128_to_ip(self.base + index * self.block_len, self.v4);
        IpNetwork::new(ip, self.block_size).expect("block size was validated")
    }

    pub fn index_of(&self, ip: IpAddr) -> u128 {
        (ip_to_u128(ip) - self.base) / self.block_len
    }
}

/// The mutable IPAM datastore: blocks, affinities, and who claimed what.
pub(super) struct Allocator<'c> {
    cluster: &'c Cluster,
    geometry: Vec<Geometry>,
    pub blocks: Vec<Block>,
    /// Per pool: block index → block id, for O(1) "is this candidate claimed?".
    claimed: Vec<HashMap<u128, usize>>,
    /// Per node: its affine blocks in datastore list order (by block resource name).
    pub affine: Vec<Vec<usize>>,
}

impl<'c> Allocator<'c> {
    pub fn new(cluster: &'c Cluster) -> Self {
        Self {
            cluster,
            geometry: cluster
                .pools
                .iter()
                .map(|p| Geometry::of(&p.cidr, p.block_size))
                .collect(),
            blocks: Vec::new(),
            claimed: vec![HashMap::new(); cluster.pools.len()],
            affine: vec![Vec::new(); cluster.nodes.len()],
        }
    }

    /// AutoAssign of one IPv4 address for `node` from `pools` (already resolved and filtered).
    pub fn auto_assign(
        &mut self,
        node: NodeId,
        pools: &[PoolId],
        allocation: Allocation,
    ) -> Result<IpAddr, String> {
        if let Some(ip) = self.take_from_affine_blocks(node, pools, allocation) {
            return Ok(ip);
        }
        let config = &self.cluster.ipam_config;
        if !config.auto_allocate_blocks {
            return Err("failed to find or claim a block".into());
        }
        if let Some(limit) = self.cluster.max_blocks_per_host() {
            if self.affine[node].len() >= limit as usize {
                return Err(format!(
                    "cannot allocate new block due to per host block limit: Need to allocate an IPAM block but could not - limit of {limit} blocks reached for this node"
                ));
            }
        }
        if let Some(block) = self.claim_block(node, pools) {
            return Ok(self.blocks[block]
                .auto_assign(allocation)
                .expect("a new block has room"));
        }
        if config.strict_affinity {
            return Err("No more free affine blocks and strict affinity enabled".into());
        }
        self.borrow(node, pools, allocation).ok_or_else(|| {
            let cidrs: Vec<String> = pools
                .iter()
                .map(|p| self.cluster.pools[*p].cidr.to_string())
                .collect();
            format!("No IPs available in pools: [{}]", cidrs.join(" "))
        })
    }

    fn take_from_affine_blocks(
        &mut self,
        node: NodeId,
        pools: &[PoolId],
        allocation: Allocation,
    ) -> Option<IpAddr> {
        let candidate = self.affine[node]
            .iter()
            .copied()
            .find(|b| pools.contains(&self.blocks[*b].pool) && self.blocks[*b].has_assignable())?;
        self.blocks[candidate].auto_assign(allocation)
    }

    /// findUsableBlock: the first candidate of the first pool with no block object yet.
    fn claim_block(&mut self, node: NodeId, pools: &[PoolId]) -> Option<usize> {
        let host = &self.cluster.nodes[node].name;
        for &pool in pools {
            let geometry = self.geometry[pool];
            for index in BlockOrder::for_host(host, geometry.num_blocks) {
                if self.claimed[pool].contains_key(&index) {
                    continue;
                }
                let block = self.new_block(pool, index, Some(node));
                if self.blocks[block].has_assignable() {
                    return Some(block);
                }
            }
        }
        None
    }

    /// Creates the block object (with its reservation map) and records the affinity.
    fn new_block(&mut self, pool: PoolId, index: u128, affinity: Option<NodeId>) -> usize {
        let cidr = self.geometry[pool].block_cidr(index);
        let reserved = self.reserved_map(&cidr);
        let id = self.blocks.len();
        self.blocks.push(Block::new(cidr, pool, affinity, reserved));
        self.claimed[pool].insert(index, id);
        if let Some(node) = affinity {
            let name = block_resource_name(&cidr);
            let list = &self.affine[node];
            let at = list.partition_point(|b| self.blocks[*b].resource_name() < name);
            self.affine[node].insert(at, id);
        }
        id
    }

    fn reserved_map(&self, cidr: &IpNetwork) -> Vec<bool> {
        let size = 1usize << ((if cidr.is_ipv4() { 32 } else { 128 }) - cidr.prefix());
        let relevant: Vec<&IpNetwork> = self
            .cluster
            .reservations
            .iter()
            .flat_map(|r| r.cidrs.iter())
            .filter(|r| crate::model::overlaps_networks(r, cidr))
            .collect();
        let base = ip_to_u128(cidr.network());
        (0..size)
            .map(|i| {
                let ip = u128_to_ip(base + i as u128, cidr.is_ipv4());
                relevant.iter().any(|r| r.contains(ip))
            })
            .collect()
    }

    /// Borrowing: any existing block with room, pools in order, candidates in the node's order.
    fn borrow(&mut self, node: NodeId, pools: &[PoolId], allocation: Allocation) -> Option<IpAddr> {
        let host = &self.cluster.nodes[node].name;
        for &pool in pools {
            if self.claimed[pool].is_empty() {
                continue;
            }
            let geometry = self.geometry[pool];
            for index in BlockOrder::for_host(host, geometry.num_blocks) {
                if let Some(&block) = self.claimed[pool].get(&index) {
                    if let Some(ip) = self.blocks[block].auto_assign(allocation) {
                        return Some(ip);
                    }
                }
            }
        }
        None
    }

    /// AssignIP: one given address; claims its block for `node` when it does not exist yet.
    pub fn assign_ip(
        &mut self,
        node: NodeId,
        ip: IpAddr,
        allocation: Allocation,
    ) -> Result<IpAddr, String> {
        let pool = self
            .cluster
            .pools
            .iter()
            .position(|p| !p.disabled && p.cidr.contains(ip))
            .ok_or_else(|| format!("The provided IP address {ip} is not in a configured pool"))?;
        let index = self.geometry[pool].index_of(ip);
        let block = match self.claimed[pool].get(&index) {
            Some(&b) => b,
            None => self.new_block(pool, index, Some(node)),
        };
        if self.cluster.ipam_config.strict_affinity && self.blocks[block].affinity != Some(node) {
            return Err(format!(
                "{ip} is in block {} which is affine to another host, and strict affinity is enabled",
                self.blocks[block].cidr
            ));
        }
        if self.blocks[block].assign(ip, allocation) {
            Ok(ip)
        } else {
            Err(format!("Address already assigned in block: {ip}"))
        }
    }
}
