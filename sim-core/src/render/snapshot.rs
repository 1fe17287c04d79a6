//! `calisim snapshot`: a stable text digest of the computed network for review in pull
//! requests — IPAM, each node's address, routes and BGP sessions, the reachability matrix
//! and the lints. Byte for byte the same for the same input.

use std::fmt::Write as _;

use crate::policy::model::Protocol;
use crate::state::ClusterState;

use super::{ipam_show, matrix, routes, status};

pub fn digest(state: &ClusterState) -> String {
    let mut out = format!("# calisim snapshot: cluster {}\n\n", state.cluster.name);
    out.push_str("## calicoctl ipam show --show-blocks\n");
    out.push_str(&ipam_show::render_utilisation(
        &ipam_show::utilisation(state),
        true,
    ));
    for (i, dp) in state.dataplane.iter().enumerate() {
        let address = state.node_addresses[i]
            .address
            .map_or("none".to_string(), |a| a.to_string());
        let _ = write!(out, "\n## node {} (address {address})\n", dp.name);
        out.push_str("$ ip route\n");
        out.push_str(&routes::ip_route(dp));
        out.push_str("$ calicoctl node status\n");
        out.push_str(&status::node_status(state, i));
    }
    out.push_str("\n## reachability tcp/80 (rows from, columns to)\n");
    out.push_str(&matrix::render(&matrix::matrix(
        state,
        Protocol::Tcp,
        Some(80),
    )));
    out.push_str("\n## lints\n");
    let lints = crate::lint::lints(state);
    if lints.is_empty() {
        out.push_str("none\n");
    }
    for d in lints {
        let _ = writeln!(
            out,
            "{}: {}",
            d.lint.as_deref().unwrap_or("lint"),
            d.message
        );
    }
    out
}
