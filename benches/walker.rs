//! Walker benchmark: `cargo bench --bench walker`. The walker-issue targets: one trace on a
//! 1,000-node / 30,000-pod cluster under 50 µs (median), and the 1,000 × 1,000 pod
//! reachability matrix (no policy) under 2 s.

mod common;

use std::time::{Duration, Instant};

use common::peak_rss_mib;
use sim_core::gen::{generate, GenOptions};
use sim_core::policy::Protocol;
use sim_core::scenario::SourceFile;
use sim_core::state;
use sim_core::walker::{Endpoint, Probe, Walker};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let opts = GenOptions {
        nodes: 1_000,
        pods: 30_000,
        namespaces: 10,
        pool_cidr: Some("10.0.0.0/8".into()),
        block_size: 26,
        route_reflectors: 0,
    };
    let (cluster, _) = state::load(&[SourceFile::new("generated.yaml", generate(&opts))])
        .expect("generated scenario is valid");
    let s = state::compute(cluster);
    let t = Instant::now();
    let walker = Walker::new(&s);
    let index_time = t.elapsed();

    // Pods spread over the nodes (round robin), so pairs cross nodes.
    let pods = s.cluster.pods.len();
    let probe = |i: usize| {
        let a = (i * 7919) % pods;
        let b = (i * 104_729 + 13) % pods;
        Probe::new(Endpoint::Pod(a), Endpoint::Pod(b), Protocol::Tcp, Some(80))
    };
    let mut traces = Vec::new();
    let mut verdicts = Vec::new();
    let mut hops = 0;
    for i in 0..2_000 {
        let p = probe(i);
        let t = Instant::now();
        let trace = walker.trace(&p);
        traces.push(t.elapsed());
        hops += trace.hops.len();
        let t = Instant::now();
        std::hint::black_box(walker.reaches(&p));
        verdicts.push(t.elapsed());
    }
    println!(
        "trace: {} nodes, {} pods | index {:.0} ms | one trace (hops and words, with its reply) median {:.1} µs | verdict only median {:.2} µs | {:.1} hops per trace",
        s.cluster.nodes.len(),
        pods,
        index_time.as_secs_f64() * 1e3,
        median(traces).as_secs_f64() * 1e6,
        median(verdicts).as_secs_f64() * 1e6,
        hops as f64 / 2_000.0
    );

    // 1,000 pods, one per node: every pair crosses nodes.
    let sample: Vec<usize> = (0..1_000).map(|i| i * (pods / 1_000)).collect();
    let t = Instant::now();
    let mut delivered = 0usize;
    for &a in &sample {
        for &b in &sample {
            let p = Probe::new(Endpoint::Pod(a), Endpoint::Pod(b), Protocol::Tcp, Some(80));
            delivered += usize::from(walker.reaches(&p));
        }
    }
    println!(
        "matrix: {} x {} pods, no policy | {:.0} ms | {delivered} pairs delivered | peak RSS {:.0} MiB",
        sample.len(),
        sample.len(),
        t.elapsed().as_secs_f64() * 1e3,
        peak_rss_mib().unwrap_or(f64::NAN)
    );
}
