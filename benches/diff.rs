//! Diff benchmark: `cargo bench --bench diff`. The diff-issue target: diffing two 1,000-pod
//! scenarios with 200 policies in under 3 s on the 2-core development machine, as
//! `calisim diff` runs it (both scenarios loaded and computed on two threads, then the
//! diff with each scenario's walks on its own thread).
//!
//! Three changes: a policy change (the network is the same, so only pairs with an end
//! whose policies changed are walked; 10,000 pairs newly denied), an encapsulation change (every pair is walked in
//! both scenarios and nearly every path changes), and the encapsulation change on 1,000
//! nodes (one pod each: every pair crosses nodes, and the route diff covers a million
//! routes per scenario).

mod common;

use std::fmt::Write;
use std::time::{Duration, Instant};

use calisim::diff_cmd::ThreadPerSide;
use common::{cpu_seconds, peak_rss_mib};
use sim_core::diff::{self, BothSides, ClusterDiff, ProbeSpec, Side};
use sim_core::gen::{generate, GenOptions};
use sim_core::scenario::SourceFile;
use sim_core::state::{self, ClusterState};

/// 200 policies that leave TCP 80 open, so that pairs are delivered and their paths
/// compared: per app, a Kubernetes policy accepting every namespace on 80 and 8080, and a
/// Calico policy (ordered before it) denying one other app on ports 8000–8100.
fn policies(namespaces: usize) -> String {
    let mut y = String::new();
    for i in 0..100 {
        let (ns, app) = (i % namespaces, i % 10);
        let _ = write!(
            y,
            "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: k{i}, namespace: ns-{ns}}}\nspec:\n  podSelector: {{matchLabels: {{app: app-{app}}}}}\n  ingress: [{{from: [{{namespaceSelector: {{}}}}], ports: [{{port: 80}}, {{port: 8080}}]}}]\n"
        );
        let _ = write!(
            y,
            "---\napiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {{name: c{i}, namespace: ns-{ns}}}\nspec:\n  order: {}\n  selector: app == 'app-{app}'\n  ingress: [{{action: Deny, protocol: TCP, source: {{namespaceSelector: all(), selector: app == 'app-{}'}}, destination: {{ports: [\"8000:8100\"]}}}}]\n  egress: [{{action: Allow}}]\n",
            i * 10,
            (i + 3) % 10
        );
    }
    y
}

/// Policy c0 now denies app-3 on ports 80–100 too: app-3's pods lose TCP 80 to app-0's.
fn change_policies(before: &str) -> String {
    before.replacen(
        "ports: [\"8000:8100\"]",
        "ports: [\"80:100\", \"8000:8100\"]",
        1,
    )
}

/// The pool from IPIP to VXLAN.
fn change_encapsulation(before: &str) -> String {
    before.replace(
        "ipipMode: Always\n",
        "ipipMode: Never\n  vxlanMode: Always\n",
    )
}

fn compute(text: &str) -> ClusterState {
    let (cluster, _) = state::load(&[SourceFile::new("generated.yaml", text.to_string())])
        .expect("generated scenario is valid");
    state::compute(cluster)
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn summary(d: &ClusterDiff) -> String {
    let routes: usize = d
        .routes
        .iter()
        .map(|n| n.added.len() + n.removed.len())
        .sum();
    format!(
        "{} of {} probes walked | {} newly denied, {} newly allowed, {} paths, {routes} route lines",
        d.reachability.probes_walked,
        d.reachability.probes_compared,
        d.reachability.newly_denied.len(),
        d.reachability.newly_allowed.len(),
        d.paths.len()
    )
}

fn run(what: &str, opts: &GenOptions, change: fn(&str) -> String, one_thread_too: bool) {
    let before_text = generate(opts) + &policies(opts.namespaces);
    let after_text = change(&before_text);
    let (t, cpu_start) = (Instant::now(), cpu_seconds());
    let (before, after) = ThreadPerSide.run(|side| match side {
        Side::Before => compute(&before_text),
        Side::After => compute(&after_text),
    });
    let computed = t.elapsed();
    let (t, cpu_diff) = (Instant::now(), cpu_seconds());
    let d = diff::diff_with(&before, &after, &ProbeSpec::defaults(), &ThreadPerSide);
    let diffed = t.elapsed();
    let cpu_end = cpu_seconds();
    let cpu = |from: Option<f64>, to: Option<f64>| match (from, to) {
        (Some(a), Some(b)) => format!("{:.2} s", b - a),
        _ => "?".into(),
    };
    let one_thread = if one_thread_too {
        let t = Instant::now();
        let again = diff::diff(&before, &after, &ProbeSpec::defaults());
        assert_eq!(again, d, "one thread or two, the same diff");
        format!(" (one thread: {})", secs(t.elapsed()))
    } else {
        String::new()
    };
    println!(
        "diff ({what}): {} nodes, {} pods, {} policies | load + compute both {} | diff {}{one_thread} | total {} (CPU {} + {}) | {} | peak RSS {:.0} MiB",
        opts.nodes,
        opts.pods,
        before.cluster.policies.len(),
        secs(computed),
        secs(diffed),
        secs(computed + diffed),
        cpu(cpu_start, cpu_diff),
        cpu(cpu_diff, cpu_end),
        summary(&d),
        peak_rss_mib().unwrap_or(f64::NAN)
    );
}

fn main() {
    let opts = GenOptions {
        nodes: 50,
        pods: 1_000,
        namespaces: 10,
        pool_cidr: Some("10.0.0.0/8".into()),
        block_size: 26,
        route_reflectors: 0,
    };
    run("policy change", &opts, change_policies, true);
    run("IPIP to VXLAN", &opts, change_encapsulation, true);
    let wide = GenOptions {
        nodes: 1_000,
        ..opts
    };
    run("IPIP to VXLAN", &wide, change_encapsulation, false);
}
