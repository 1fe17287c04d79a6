//! Design-validation snapshots: `ipam show` of every scenario under snapshots/scenarios.
//! A change to IPAM behaviour shows up as a reviewed snapshot diff (`cargo insta review`).

mod common;

use std::path::Path;

use sim_core::render::ipam_show;
use sim_core::state::ClusterState;

fn ipam_views(s: &ClusterState) -> String {
    let pools = ipam_show::utilisation(s);
    let mut out = String::new();
    out.push_str("$ calicoctl ipam show\n");
    out.push_str(&ipam_show::render_utilisation(&pools, false));
    out.push_str("$ calicoctl ipam show --show-blocks\n");
    out.push_str(&ipam_show::render_utilisation(&pools, true));
    out.push_str("$ calicoctl ipam show --show-borrowed\n");
    out.push_str(&ipam_show::render_borrowed(&ipam_show::borrowed(s)));
    for f in &s.ipam.failures {
        out.push_str(&format!("failure: {f}\n"));
    }
    out
}

#[test]
fn ipam_show_snapshots() {
    for path in common::scenarios() {
        let s = common::compute(&path);
        insta::with_settings!({
            snapshot_path => "../snapshots/ipam",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => common::relative(&path),
        }, {
            insta::assert_snapshot!(common::snapshot_name(&path), ipam_views(&s));
        });
    }
}

/// The table a real calicoctl printed for pool 10.96.0.0/12 (quoted in the foundation issue).
const REAL_CALICOCTL: &str = "\
+----------+------------------+------------+------------+-------------------+
| GROUPING |       CIDR       | IPS TOTAL  | IPS IN USE |     IPS FREE      |
+----------+------------------+------------+------------+-------------------+
| IP Pool  | 10.96.0.0/12     | 1.0486e+06 | 4 (0%)     | 1.0486e+06 (100%) |
| Block    | 10.108.82.192/26 |         64 | 1 (2%)     | 63 (98%)          |
| Block    | 10.109.131.0/26  |         64 | 1 (2%)     | 63 (98%)          |
| Block    | 10.111.156.64/26 |         64 | 2 (3%)     | 62 (97%)          |
+----------+------------------+------------+------------+-------------------+
";

#[test]
fn the_same_blocks_render_exactly_as_real_calicoctl() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots/scenarios/calicoctl-pool-10-96.yaml");
    let s = common::compute(&path);
    assert_eq!(
        ipam_show::render_utilisation(&ipam_show::utilisation(&s), true),
        REAL_CALICOCTL
    );
}
