//! Each node's routing table, as `ip route` prints it: lines added and removed.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::dataplane::NodeDataplane;
use crate::render::routes::ip_route;
use crate::state::ClusterState;

/// One node's `ip route` lines that changed, each list in the table's own order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeRoutes {
    pub node: String,
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

/// Nodes in both scenarios whose routes changed, by name.
pub(super) fn diff(before: &ClusterState, after: &ClusterState) -> Vec<NodeRoutes> {
    let by_name = |s: &ClusterState| -> BTreeMap<String, usize> {
        s.dataplane
            .iter()
            .enumerate()
            .map(|(i, d)| (d.name.clone(), i))
            .collect()
    };
    let after_nodes = by_name(after);
    by_name(before)
        .into_iter()
        .filter_map(|(node, b)| {
            let a = *after_nodes.get(&node)?;
            let (b, a) = (&before.dataplane[b], &after.dataplane[a]);
            let (added, removed) = line_changes(b, a)?;
            Some(NodeRoutes {
                node,
                added,
                removed,
            })
        })
        .collect()
}

/// The line-set difference of two tables (None when they print the same lines).
fn line_changes(
    before: &NodeDataplane,
    after: &NodeDataplane,
) -> Option<(Vec<String>, Vec<String>)> {
    // Rendering is the costly part (a large mesh has a million routes): unchanged tables
    // are recognised without it.
    if before.routes == after.routes && before.links == after.links {
        return None;
    }
    let (before, after) = (ip_route(before), ip_route(after));
    let only_in = |a: &str, b: &str| -> Vec<String> {
        let other: HashSet<&str> = b.lines().collect();
        a.lines()
            .filter(|l| !other.contains(l))
            .map(str::to_string)
            .collect()
    };
    let (added, removed) = (only_in(&after, &before), only_in(&before, &after));
    (!added.is_empty() || !removed.is_empty()).then_some((added, removed))
}
