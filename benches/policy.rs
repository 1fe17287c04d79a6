//! Policy benchmark: `cargo bench --bench policy`. The policy-issue target: a matrix of
//! 1,000 × 1,000 pods under 200 policies (mixed Kubernetes and Calico) in under 2 s, for
//! the policy verdicts alone and for the whole walk (routes and policy).

mod common;

use std::fmt::Write;
use std::time::Instant;

use common::peak_rss_mib;
use sim_core::gen::{generate, GenOptions};
use sim_core::policy::Protocol;
use sim_core::scenario::SourceFile;
use sim_core::state;

/// 100 Kubernetes policies (app-i accepts app-j on 80) and 100 Calico ones with orders.
fn policies(namespaces: usize) -> String {
    let mut y = String::new();
    for i in 0..100 {
        let ns = i % namespaces;
        let _ = write!(
            y,
            "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: k{i}, namespace: ns-{ns}}}\nspec:\n  podSelector: {{matchLabels: {{app: app-{}}}}}\n  ingress: [{{from: [{{podSelector: {{matchLabels: {{app: app-{}}}}}}}], ports: [{{port: 80}}]}}]\n",
            i % 10,
            (i + 1) % 10
        );
        let _ = write!(
            y,
            "---\napiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {{name: c{i}, namespace: ns-{ns}}}\nspec:\n  order: {}\n  selector: app == 'app-{}'\n  ingress: [{{action: Deny, protocol: TCP, source: {{selector: app == 'app-{}'}}, destination: {{ports: [\"8000:8100\"]}}}}]\n  egress: [{{action: Allow}}]\n",
            i * 10,
            i % 10,
            (i + 3) % 10
        );
    }
    y
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
    let text = generate(&opts) + &policies(opts.namespaces);
    let (cluster, _) = state::load(&[SourceFile::new("generated.yaml", text)])
        .expect("generated scenario is valid");
    let s = state::compute(cluster);
    for (what, f) in [
        (
            "policy only",
            sim_core::render::matrix::policy_matrix
                as fn(&state::ClusterState, Protocol, Option<u16>) -> _,
        ),
        ("whole walk", sim_core::render::matrix::matrix),
    ] {
        let t = Instant::now();
        let m = f(&s, Protocol::Tcp, Some(80));
        let elapsed = t.elapsed();
        let allowed: usize = m
            .allowed
            .iter()
            .map(|r| r.iter().filter(|a| **a).count())
            .sum();
        println!(
            "matrix ({what}): {} pods x {} pods, {} policies | {:.0} ms | {allowed} pairs allowed | peak RSS {:.0} MiB",
            m.pods.len(),
            m.pods.len(),
            s.cluster.policies.len(),
            elapsed.as_secs_f64() * 1e3,
            peak_rss_mib().unwrap_or(f64::NAN)
        );
    }
}
