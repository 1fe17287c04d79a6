//! `calicoctl node status` for one node, from the computed BGP sessions.

use crate::bgp::PeerKind;
use crate::model::{Backend, NodeId};
use crate::state::ClusterState;

use super::node_status::{self, PeerRow, PeerType};

/// BIRD prints the time of the last state change; the simulation has no clock, so every
/// session shows the same fixed time.
pub const SINCE: &str = "00:00:00";

/// The rows calicoctl shows for a node, in BIRD protocol order.
pub fn peer_rows(state: &ClusterState, node: NodeId) -> Vec<PeerRow> {
    state
        .bgp
        .sessions_of(node)
        .map(|s| PeerRow {
            address: s.peering.peer_ip.to_string(),
            peer_type: match s.peering.kind {
                PeerKind::Mesh => PeerType::Mesh,
                PeerKind::Global => PeerType::Global,
                PeerKind::NodeSpecific => PeerType::NodeSpecific,
            },
            state: s.state.state.to_string(),
            since: SINCE.into(),
            info: s.state.info.to_string(),
        })
        .collect()
}

/// The whole `calicoctl node status` output, as run on `node`.
pub fn node_status(state: &ClusterState, node: NodeId) -> String {
    if state.cluster.backend != Backend::Bird {
        return "Calico process is running.\n\nThe BGP backend process (BIRD) is not running.\n\n"
            .into();
    }
    if state.bgp.bird_address[node].is_none() {
        return "Calico process is not running.\n".into();
    }
    node_status::render(&peer_rows(state, node), &[])
}
