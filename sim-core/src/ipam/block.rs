//! One IPAM block (libcalico-go `AllocationBlock`): ordinals, who holds them, which are free.

use core::net::IpAddr;
use std::collections::VecDeque;

use ipnetwork::IpNetwork;
use serde::Serialize;

use crate::model::{NodeId, PodId, PoolId};

/// What a tunnel address is for (the IPAM `type` attribute).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum TunnelKind {
    Ipip,
    Vxlan,
}

impl TunnelKind {
    /// The allocation type calicoctl prints (`ipipTunnelAddress`, ...).
    pub fn attribute_type(self) -> &'static str {
        match self {
            TunnelKind::Ipip => "ipipTunnelAddress",
            TunnelKind::Vxlan => "vxlanTunnelAddress",
        }
    }

    /// The IPAM handle calico-node uses (`ipip-tunnel-addr-<node>`).
    pub fn handle(self, node: &str) -> String {
        match self {
            TunnelKind::Ipip => format!("ipip-tunnel-addr-{node}"),
            TunnelKind::Vxlan => format!("vxlan-tunnel-addr-{node}"),
        }
    }
}

/// Who holds an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Owner {
    Pod(PodId),
    Tunnel(NodeId, TunnelKind),
}

/// An allocated ordinal: its owner and the node that asked (the `node` attribute).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Allocation {
    pub owner: Owner,
    pub node: NodeId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Block {
    pub cidr: IpNetwork,
    pub pool: PoolId,
    /// The node this block is affine to (`host:<node>`).
    pub affinity: Option<NodeId>,
    allocations: Vec<Option<Allocation>>,
    /// Free ordinals in the order they will be handed out; released ones go to the back.
    unallocated: VecDeque<u32>,
    /// Ordinals covered by an IPReservation: never handed out by auto-assignment.
    reserved: Vec<bool>,
}

impl Block {
    pub fn new(
        cidr: IpNetwork,
        pool: PoolId,
        affinity: Option<NodeId>,
        reserved: Vec<bool>,
    ) -> Self {
        let size = reserved.len();
        Self {
            cidr,
            pool,
            affinity,
            allocations: vec![None; size],
            unallocated: (0..size as u32).collect(),
            reserved,
        }
    }

    pub fn capacity(&self) -> usize {
        self.allocations.len()
    }

    /// In use as calicoctl v3.28 counts it: capacity minus the unallocated list.
    pub fn in_use(&self) -> usize {
        self.capacity() - self.unallocated.len()
    }

    pub fn is_entirely_reserved(&self) -> bool {
        self.reserved.iter().all(|r| *r)
    }

    /// The first free ordinal that auto-assignment may hand out.
    fn next_assignable(&self) -> Option<usize> {
        self.unallocated
            .iter()
            .position(|o| !self.reserved[*o as usize])
    }

    pub fn has_assignable(&self) -> bool {
        self.next_assignable().is_some()
    }

    /// Takes the next assignable ordinal (AutoAssign), or None when the block is full.
    pub fn auto_assign(&mut self, allocation: Allocation) -> Option<IpAddr> {
        let pos = self.next_assignable()?;
        let ordinal = self.unallocated.remove(pos).expect("position is in range");
        self.allocations[ordinal as usize] = Some(allocation);
        Some(self.address(ordinal as usize))
    }

    /// Takes one given address (AssignIP); false when it is already in use.
    pub fn assign(&mut self, ip: IpAddr, allocation: Allocation) -> bool {
        let ordinal = self.ordinal(ip);
        match self.unallocated.iter().position(|o| *o as usize == ordinal) {
            Some(pos) => {
                self.unallocated.remove(pos);
                self.allocations[ordinal] = Some(allocation);
                true
            }
            None => false,
        }
    }

    pub fn ordinal(&self, ip: IpAddr) -> usize {
        (ip_to_u128(ip) - ip_to_u128(self.cidr.network())) as usize
    }

    pub fn address(&self, ordinal: usize) -> IpAddr {
        u128_to_ip(
            ip_to_u128(self.cidr.network()) + ordinal as u128,
            self.cidr.is_ipv4(),
        )
    }

    /// Every allocated address with its allocation, in ordinal order.
    pub fn allocations(&self) -> impl Iterator<Item = (IpAddr, &Allocation)> + '_ {
        self.allocations
            .iter()
            .enumerate()
            .filter_map(|(i, a)| a.as_ref().map(|a| (self.address(i), a)))
    }

    /// The Kubernetes-datastore object name: `10-244-120-64-26`; list order sorts by it.
    pub fn resource_name(&self) -> String {
        block_resource_name(&self.cidr)
    }
}

/// `10.244.120.64/26` → `10-244-120-64-26` (libcalico-go names/cidr.go).
pub fn block_resource_name(cidr: &IpNetwork) -> String {
    cidr.to_string().replace(['.', ':', '/'], "-")
}

pub fn ip_to_u128(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

pub fn u128_to_ip(value: u128, v4: bool) -> IpAddr {
    if v4 {
        IpAddr::V4((value as u32).into())
    } else {
        IpAddr::V6(value.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(reserved: Vec<bool>) -> Block {
        Block::new("10.0.0.0/30".parse().unwrap(), 0, Some(0), reserved)
    }

    const A: Allocation = Allocation {
        owner: Owner::Pod(0),
        node: 0,
    };

    #[test]
    fn hands_out_ordinals_from_the_network_address_up() {
        let mut b = block(vec![false; 4]);
        let got: Vec<String> = (0..4)
            .map(|_| b.auto_assign(A).unwrap().to_string())
            .collect();
        assert_eq!(got, ["10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3"]);
        assert_eq!(b.auto_assign(A), None);
        assert_eq!(b.in_use(), 4);
    }

    #[test]
    fn skips_reserved_ordinals_but_counts_them_free() {
        let mut b = block(vec![true, false, true, false]);
        assert_eq!(b.auto_assign(A).unwrap().to_string(), "10.0.0.1");
        assert_eq!(b.auto_assign(A).unwrap().to_string(), "10.0.0.3");
        assert_eq!(b.auto_assign(A), None);
        assert_eq!(b.in_use(), 2);
    }

    #[test]
    fn assign_takes_a_given_address_once() {
        let mut b = block(vec![false; 4]);
        let ip: IpAddr = "10.0.0.2".parse().unwrap();
        assert!(b.assign(ip, A));
        assert!(!b.assign(ip, A));
        assert_eq!(b.auto_assign(A).unwrap().to_string(), "10.0.0.0");
    }

    #[test]
    fn resource_names_match_calico() {
        assert_eq!(
            block_resource_name(&"10.244.120.64/26".parse().unwrap()),
            "10-244-120-64-26"
        );
        assert_eq!(
            block_resource_name(&"fd00:10:244::80/122".parse().unwrap()),
            "fd00-10-244--80-122"
        );
    }
}
