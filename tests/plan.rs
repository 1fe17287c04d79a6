//! The kernel plan lab-netns executes, snapshot-tested here where it is computed: a
//! change in what a lab builds shows up in review like a change in routes.

mod common;

use std::path::Path;

#[test]
fn plan_snapshots() {
    for name in [
        "one-l2-vxlan",
        "egress-nat",
        "aws-never",
        "services",
        "policy-default-deny",
    ] {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("snapshots/scenarios/{name}.yaml"));
        let state = common::compute(&path);
        let plan = sim_core::plan::plan(&state, "t");
        assert!(plan
            .namespaces
            .iter()
            .all(|n| n.name.starts_with("csim-t-")));
        insta::with_settings!({
            snapshot_path => "../snapshots/plans",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => format!("calisim plan snapshots/scenarios/{name}.yaml --name t"),
        }, {
            insta::assert_json_snapshot!(name, plan);
        });
    }
}

#[test]
fn node_routes_in_the_plan_are_the_dataplane_routes() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots/scenarios/one-l2-ipip.yaml");
    let state = common::compute(&path);
    let plan = sim_core::plan::plan(&state, "t");
    for dp in &state.dataplane {
        let place = sim_core::graph::Place {
            kind: sim_core::graph::PlaceKind::Node,
            name: dp.name.clone(),
        };
        let ns = plan.netns_of(&place).expect("every node has a namespace");
        let kernel_made = dp
            .routes
            .iter()
            .filter(|r| r.proto == sim_core::dataplane::Proto::Kernel)
            .count();
        assert_eq!(
            ns.routes.len() + kernel_made,
            dp.routes.len(),
            "{}",
            dp.name
        );
        assert!(ns.ipip.is_some(), "IPIP pools give every node tunl0");
    }
}
