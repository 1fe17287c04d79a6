//! IPAM benchmark: `cargo bench --bench ipam`. Prints the figures the README's
//! performance table quotes. Targets (foundation issue): 5,000 nodes / 150,000 pods
//! allocated in under 1 s with under 300 MB peak memory; block choice for 5,000 nodes on
//! a /8 pool with /26 blocks in under 200 ms.

mod common;

use common::peak_rss_mib;
use std::time::{Duration, Instant};

use sim_core::gen::{generate, GenOptions};
use sim_core::scenario::SourceFile;
use sim_core::{ipam, state};

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn bench(label: &str, nodes: usize, pods: usize, runs: usize) {
    let opts = GenOptions {
        nodes,
        pods,
        namespaces: 20,
        pool_cidr: Some("10.0.0.0/8".into()),
        block_size: 26,
        route_reflectors: 0,
    };
    let t = Instant::now();
    let text = generate(&opts);
    let gen_time = t.elapsed();

    let t = Instant::now();
    let (cluster, _) = state::load(&[SourceFile::new("generated.yaml", text)])
        .expect("generated scenario is valid");
    let load_time = t.elapsed();

    let mut times = Vec::new();
    let mut failures = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let result = ipam::allocate(&cluster);
        times.push(t.elapsed());
        failures = result.failures.len();
        std::hint::black_box(result);
    }
    println!(
        "{label}: {nodes} nodes, {pods} pods | generate {} | parse+validate {} | IPAM allocation (median of {runs}) {} | failures {failures} | peak RSS {:.0} MiB",
        ms(gen_time),
        ms(load_time),
        ms(median(times)),
        peak_rss_mib().unwrap_or(f64::NAN),
    );
}

fn main() {
    // cargo passes `--bench`; any other argument filters by label.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let cases: [(&str, usize, usize, usize); 2] = [
        ("block-choice", 5_000, 0, 5),
        ("allocation", 5_000, 150_000, 3),
    ];
    for (label, nodes, pods, runs) in cases {
        if filter.as_deref().is_none_or(|f| label.contains(f)) {
            bench(label, nodes, pods, runs);
        }
    }
}
