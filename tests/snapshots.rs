//! Design-validation snapshots: `ipam show` of every scenario under snapshots/scenarios.
//! A change to IPAM behaviour shows up as a reviewed snapshot diff (`cargo insta review`).

use std::path::{Path, PathBuf};

use calisim::input::read_scenario;
use sim_core::render::ipam_show;
use sim_core::state;

fn scenarios() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots/scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("snapshots/scenarios exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no scenarios in {}", dir.display());
    files
}

fn ipam_views(path: &Path) -> String {
    let files = read_scenario(Some(path)).expect("scenario readable");
    let (cluster, _) = state::load(&files).unwrap_or_else(|d| panic!("{}:\n{d}", path.display()));
    let s = state::compute(cluster);
    let pools = ipam_show::utilisation(&s);
    let mut out = String::new();
    out.push_str("$ calicoctl ipam show\n");
    out.push_str(&ipam_show::render_utilisation(&pools, false));
    out.push_str("$ calicoctl ipam show --show-blocks\n");
    out.push_str(&ipam_show::render_utilisation(&pools, true));
    out.push_str("$ calicoctl ipam show --show-borrowed\n");
    out.push_str(&ipam_show::render_borrowed(&ipam_show::borrowed(&s)));
    for f in &s.ipam.failures {
        out.push_str(&format!("failure: {f}\n"));
    }
    out
}

#[test]
fn ipam_show_snapshots() {
    for path in scenarios()
        .iter()
        .chain([&Path::new(env!("CARGO_MANIFEST_DIR")).join("labs/default/scenario.yaml")])
    {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name");
        let name = if name == "scenario" { "default" } else { name };
        insta::with_settings!({
            snapshot_path => "../snapshots/ipam",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(path).display().to_string(),
        }, {
            insta::assert_snapshot!(name, ipam_views(path));
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
    let files = read_scenario(Some(&path)).expect("scenario readable");
    let (cluster, _) = state::load(&files).expect("valid");
    let s = state::compute(cluster);
    assert_eq!(
        ipam_show::render_utilisation(&ipam_show::utilisation(&s), true),
        REAL_CALICOCTL
    );
}
