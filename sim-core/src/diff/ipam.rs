//! IPAM: pods whose address or block changed, nodes whose tunnel addresses changed, and
//! allocation failures (pools exhausted, no pool for a node) that are new or resolved.

use core::net::IpAddr;
use std::collections::{BTreeMap, HashMap};

use ipnetwork::IpNetwork;
use serde::Serialize;

use crate::ipam::AllocationFailure;
use crate::state::ClusterState;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IpamDiff {
    /// Pods in both scenarios whose address or block changed, by key.
    pub pods: Vec<AddressChange>,
    /// Nodes in both scenarios whose `tunl0` or `vxlan.calico` address changed.
    pub tunnels: Vec<TunnelChange>,
    pub new_failures: Vec<AllocationFailure>,
    pub resolved_failures: Vec<AllocationFailure>,
}

impl IpamDiff {
    pub fn is_empty(&self) -> bool {
        self.pods.is_empty()
            && self.tunnels.is_empty()
            && self.new_failures.is_empty()
            && self.resolved_failures.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddressChange {
    pub pod: String,
    /// None: the pod had no address.
    pub before: Option<PodAddress>,
    pub after: Option<PodAddress>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PodAddress {
    pub address: IpAddr,
    /// The IPAM block holding it.
    pub block: Option<IpNetwork>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TunnelChange {
    pub node: String,
    /// `tunl0` or `vxlan.calico`.
    pub device: &'static str,
    pub before: Option<IpAddr>,
    pub after: Option<IpAddr>,
}

/// Each pod's address and block, by key.
fn addresses(s: &ClusterState) -> BTreeMap<String, Option<PodAddress>> {
    // Blocks never overlap: the block holding an address is the last one starting at or
    // below it, if it contains it.
    let blocks: BTreeMap<IpAddr, IpNetwork> = s
        .ipam
        .blocks
        .iter()
        .map(|b| (b.cidr.network(), b.cidr))
        .collect();
    let block_of = |ip: IpAddr| {
        blocks
            .range(..=ip)
            .next_back()
            .map(|(_, cidr)| *cidr)
            .filter(|cidr| cidr.contains(ip))
    };
    s.cluster
        .pods
        .iter()
        .enumerate()
        .map(|(id, p)| {
            let address = s.ipam.pod_address(id).map(|address| PodAddress {
                address,
                block: block_of(address),
            });
            (p.key(), address)
        })
        .collect()
}

pub(super) fn diff(before: &ClusterState, after: &ClusterState) -> IpamDiff {
    let after_pods = addresses(after);
    let pods = addresses(before)
        .into_iter()
        .filter_map(|(pod, b)| {
            let a = *after_pods.get(&pod)?;
            (a != b).then_some(AddressChange {
                pod,
                before: b,
                after: a,
            })
        })
        .collect();
    let after_nodes: HashMap<&str, usize> = after
        .cluster
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.name.as_str(), i))
        .collect();
    let mut tunnels = Vec::new();
    for (b, node) in before.cluster.nodes.iter().enumerate() {
        let Some(&a) = after_nodes.get(node.name.as_str()) else {
            continue;
        };
        let (tb, ta) = (&before.ipam.tunnels[b], &after.ipam.tunnels[a]);
        for (device, before, after) in [
            ("tunl0", tb.ipip, ta.ipip),
            ("vxlan.calico", tb.vxlan, ta.vxlan),
        ] {
            if before != after {
                tunnels.push(TunnelChange {
                    node: node.name.clone(),
                    device,
                    before,
                    after,
                });
            }
        }
    }
    tunnels.sort_by(|x, y| (&x.node, x.device).cmp(&(&y.node, y.device)));
    let only_in = |x: &[AllocationFailure], y: &[AllocationFailure]| {
        let mut v: Vec<AllocationFailure> = x.iter().filter(|f| !y.contains(f)).cloned().collect();
        v.sort_by(|p, q| (&p.owner, &p.message).cmp(&(&q.owner, &q.message)));
        v
    };
    IpamDiff {
        pods,
        tunnels,
        new_failures: only_in(&after.ipam.failures, &before.ipam.failures),
        resolved_failures: only_in(&before.ipam.failures, &after.ipam.failures),
    }
}
