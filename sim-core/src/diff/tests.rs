//! Skipping pairs that cannot have changed gives the same diff as walking every pair.

use super::*;
use crate::scenario::SourceFile;

const BEFORE: &str = include_str!("../../../snapshots/diff/default-deny/before.yaml");
const AFTER: &str = include_str!("../../../snapshots/diff/default-deny/after.yaml");

fn compute(text: &str) -> ClusterState {
    let (cluster, _) =
        crate::state::load(&[SourceFile::new("test.yaml", text)]).unwrap_or_else(|d| panic!("{d}"));
    crate::state::compute(cluster)
}

/// Policy-side variations of the same network: which pods and namespaces a policy selects,
/// which named ports exist, and what the policies say.
fn variants() -> Vec<(&'static str, String)> {
    let egress_deny = "---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: debug-no-egress}\nspec: {order: 5, selector: app == 'debug', types: [Egress], egress: [{action: Deny}]}\n";
    vec![
        ("no policy", BEFORE.to_string()),
        ("default deny", AFTER.to_string()),
        (
            "web relabelled",
            AFTER.replace("labels: {app: web}", "labels: {app: shop}"),
        ),
        (
            "frontend namespace relabelled",
            AFTER.replace("labels: {tier: frontend}", "labels: {tier: other}"),
        ),
        (
            "named port renamed",
            AFTER.replace("{name: api, containerPort", "{name: rest, containerPort"),
        ),
        ("debug egress denied", AFTER.to_string() + egress_deny),
    ]
}

fn diff_walking_every_pair(before: &ClusterState, after: &ClusterState) -> ClusterDiff {
    let probes = ProbeSpec::defaults();
    let plan = reachability::Plan::new(before, after, &probes).walking_every_pair();
    diff_planned(before, after, &probes, &OneAfterTheOther, &plan)
}

#[test]
fn skipping_unchanged_pairs_changes_nothing() {
    let states: Vec<(&str, ClusterState)> = variants()
        .into_iter()
        .map(|(name, text)| (name, compute(&text)))
        .collect();
    let mut skipped_some = false;
    for (b_name, before) in &states {
        for (a_name, after) in &states {
            let mut skipping = diff(before, after, &ProbeSpec::defaults());
            let walking = diff_walking_every_pair(before, after);
            assert_eq!(
                walking.reachability.probes_walked, walking.reachability.probes_compared,
                "{b_name} → {a_name}"
            );
            skipped_some |=
                skipping.reachability.probes_walked < walking.reachability.probes_walked;
            skipping.reachability.probes_walked = walking.reachability.probes_walked;
            assert_eq!(skipping, walking, "{b_name} → {a_name}");
        }
    }
    assert!(skipped_some, "policy-only changes skip pairs");
}

#[test]
fn a_network_change_walks_every_pair() {
    let before = compute(BEFORE);
    let after = compute(&BEFORE.replace("ipipMode: Always", "vxlanMode: Always"));
    let d = diff(&before, &after, &ProbeSpec::defaults());
    assert_eq!(d.reachability.probes_walked, d.reachability.probes_compared);
    assert!(d.changed(Category::Paths));
}

#[test]
fn the_same_scenario_reports_nothing_and_walks_nothing() {
    let s = compute(AFTER);
    let d = diff(&s, &s, &ProbeSpec::defaults());
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(d.reachability.probes_walked, 0);
    // 3 pods; each is probed on tcp/80 and on its container ports (api-1: 8080, web-1: 80).
    assert_eq!(d.reachability.probes_compared, 3 * (1 + 2 + 1));
}

#[test]
fn a_long_markdown_report_stays_under_the_comment_limit() {
    let mut d = diff(&compute(BEFORE), &compute(AFTER), &ProbeSpec::defaults());
    let denied = d.reachability.newly_denied[0].clone();
    d.reachability.newly_denied = (0..10_000)
        .map(|i| PairChange {
            from: format!("ns-{i}/pod-{i}"),
            ..denied.clone()
        })
        .collect();
    let md = render::markdown(&d, "before.yaml", "after.yaml");
    assert!(md.len() <= 60_000, "{} characters", md.len());
    assert!(md.contains("more (`calisim diff --format json` lists every one)"));
    assert!(md.contains("<details><summary><b>Reachability</b>: 10000 newly denied"));
    let text = render::text(&d, "before.yaml", "after.yaml");
    assert_eq!(
        text.matches(" → backend/api-1 tcp/80").count(),
        10_000,
        "text lists every change"
    );
}
