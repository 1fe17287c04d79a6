//! Why a node has no route of its own toward a pod address, in words a student can act on
//! (a BGP session down, no mesh and no reflector, no BIRD, a pool not exported).

use core::net::Ipv4Addr;

use crate::model::{Backend, NodeId};
use crate::state::ClusterState;
use crate::underlay::Host;

use super::index::{v4, Index};

/// Called when `node` sends `dst` (inside a Calico pool) down its default route.
pub fn missing_pod_route(
    state: &ClusterState,
    index: &Index,
    node: NodeId,
    dst: Ipv4Addr,
) -> String {
    let c = &state.cluster;
    let here = &c.nodes[node].name;
    let block = state
        .ipam
        .blocks
        .iter()
        .filter(|b| b.cidr.contains(dst.into()))
        .max_by_key(|b| b.cidr.prefix());
    let Some(block) = block else {
        let pool = index
            .pool_of(dst)
            .map_or("?", |p| c.pools[p.pool].name.as_str());
        return format!(
            "no route to {dst} on node {here}: it is in pool {pool} but in no allocated block, so no pod has it"
        );
    };
    let pool = &c.pools[block.pool];
    // A borrowed address is announced by the node hosting the pod, not by the block's owner.
    let origin = match index.owner(dst) {
        Some(super::index::Owner::Pod(p)) => Some(c.pods[p].node),
        _ => block.affinity,
    };
    let Some(origin) = origin else {
        return format!(
            "no route to {dst} on node {here}: block {} has no owner node",
            block.cidr
        );
    };
    let there = &c.nodes[origin].name;
    let head = format!("no route to {} on node {here} (node {there}'s)", block.cidr);
    if c.backend == Backend::None {
        return format!(
            "{head}: calico-node runs with CALICO_NETWORKING_BACKEND=none, so Calico programs no routes between nodes"
        );
    }
    if pool.vxlan_mode.is_enabled() {
        let vtep = state.ipam.tunnels[origin].vxlan.and_then(v4);
        return match (vtep, state.node_addresses[origin].address) {
            (None, _) => format!("{head}: node {there} has no VXLAN tunnel address, so Felix programs no route to its blocks"),
            (_, None) => format!("{head}: node {there} has no Calico node address, so Felix has no VTEP to send to"),
            _ => format!("{head}: Felix on {here} has no VXLAN device (this node has no VXLAN tunnel address)"),
        };
    }
    if pool.disable_bgp_export {
        return format!(
            "{head}: pool {} has disableBGPExport: true, so BIRD never announces its blocks",
            pool.name
        );
    }
    if c.backend == Backend::Vxlan {
        return format!(
            "{head}: calico-node runs with CALICO_NETWORKING_BACKEND=vxlan (no BIRD), and Felix programs routes only for VXLAN pools; pool {} is {}",
            pool.name,
            if pool.ipip_mode.is_enabled() { "IPIP" } else { "unencapsulated" }
        );
    }
    if state.bgp.bird_address[node].is_none() {
        return format!("{head}: node {here} has no Calico address, so BIRD does not run there");
    }
    if state.bgp.bird_address[origin].is_none() {
        return format!("{head}: node {there} has no Calico address, so BIRD does not run there");
    }
    let sessions: Vec<_> = state.bgp.sessions_of(node).collect();
    if let Some(s) = sessions
        .iter()
        .find(|s| s.peer == Some(Host::Node(origin)) || s.peering.peer_node == Some(origin))
    {
        if let Some(why) = &s.state.why {
            return format!(
                "{head}: the BGP session to {there} ({}) is not Established ({why})",
                s.peering.peer_ip
            );
        }
    }
    let down: Vec<String> = sessions
        .iter()
        .filter_map(|s| {
            s.state
                .why
                .as_ref()
                .map(|why| format!("{} ({why})", s.peering.peer_ip))
        })
        .collect();
    if !down.is_empty() {
        return format!(
            "{head}: its BGP sessions that could carry the route are not Established: {}",
            down.join("; ")
        );
    }
    if !c.bgp.node_to_node_mesh {
        return format!(
            "{head}: the node-to-node mesh is off and no route reflector or BGPPeer carries {there}'s routes to {here}"
        );
    }
    format!("{head}: no BGP path brings {there}'s routes to {here}")
}
