//! Design-validation snapshots of routing: every node's `ip route`, `route -n` and
//! `calicoctl node status` for every scenario under snapshots/scenarios.

mod common;

use sim_core::render::{links, routes, status};
use sim_core::state::ClusterState;

fn views(s: &ClusterState) -> String {
    let mut out = String::new();
    for (i, dp) in s.dataplane.iter().enumerate() {
        let address = &s.node_addresses[i];
        out.push_str(&format!(
            "#### node {}: address {}\n",
            dp.name,
            address
                .address
                .map_or("none".to_string(), |a| a.to_string())
        ));
        out.push_str(&format!("# {}\n", address.reason));
        out.push_str(&format!("$ ip route\n{}", routes::ip_route(dp)));
        out.push_str(&format!("$ route -n\n{}", routes::route_n(dp)));
        out.push_str(&format!("$ ip addr\n{}", links::ip_addr(dp)));
        out.push_str(&format!(
            "$ calicoctl node status\n{}",
            status::node_status(s, i)
        ));
        for sess in s.bgp.sessions_of(i).filter(|x| !x.state.established) {
            out.push_str(&format!(
                "# {} down: {}\n",
                sess.peering.protocol_name(),
                sess.state.why.as_deref().unwrap_or("")
            ));
        }
        out.push('\n');
    }
    out
}

#[test]
fn routing_snapshots() {
    for path in common::scenarios() {
        let s = common::compute(&path);
        insta::with_settings!({
            snapshot_path => "../snapshots/routes",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => common::relative(&path),
        }, {
            insta::assert_snapshot!(common::snapshot_name(&path), views(&s));
        });
    }
}
