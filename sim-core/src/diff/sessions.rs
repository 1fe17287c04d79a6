//! BGP sessions, per node and peer address, whose state changed (or that appeared or
//! went away with the configuration).

use core::net::Ipv4Addr;
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::state::ClusterState;

/// A session on a node (present in both scenarios) whose state changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionChange {
    pub node: String,
    pub peer: Ipv4Addr,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// None: the session was not configured.
    pub before: Option<SessionView>,
    pub after: Option<SessionView>,
}

/// A session as `calicoctl node status` shows it, and why it is down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionView {
    /// `node-to-node mesh`, `global`, `node specific`.
    pub peer_type: String,
    /// BIRD's protocol state: `up`, `start`, `passive`.
    pub state: &'static str,
    /// `Established`, `Active Socket: Connection refused`, ...
    pub info: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

type Key<'s> = (&'s str, Ipv4Addr, Option<u16>);

fn sessions(s: &ClusterState) -> BTreeMap<Key<'_>, SessionView> {
    s.bgp
        .sessions
        .iter()
        .map(|x| {
            let key = (
                s.cluster.nodes[x.node].name.as_str(),
                x.peering.peer_ip,
                x.peering.peer_port,
            );
            let view = SessionView {
                peer_type: x.peering.kind.to_string(),
                state: x.state.state,
                info: x.state.info,
                why: x.state.why.clone(),
            };
            (key, view)
        })
        .collect()
}

/// Sessions of nodes present in both scenarios whose view differs, by node, peer and port.
pub(super) fn diff(before: &ClusterState, after: &ClusterState) -> Vec<SessionChange> {
    let names = |s: &ClusterState| -> Vec<String> {
        s.cluster.nodes.iter().map(|n| n.name.clone()).collect()
    };
    if before.bgp.sessions == after.bgp.sessions && names(before) == names(after) {
        return Vec::new();
    }
    let both: BTreeSet<String> = names(before)
        .into_iter()
        .filter(|n| after.cluster.node_by_name(n).is_some())
        .collect();
    let (mut b, mut a) = (sessions(before), sessions(after));
    let keys: BTreeSet<Key<'_>> = b.keys().chain(a.keys()).copied().collect();
    keys.into_iter()
        .filter(|k| both.contains(k.0))
        .filter_map(|k| {
            let (before, after) = (b.remove(&k), a.remove(&k));
            (before != after).then(|| SessionChange {
                node: k.0.to_string(),
                peer: k.1,
                port: k.2,
                before,
                after,
            })
        })
        .collect()
}
