//! Routing-engine benchmark: `cargo bench --bench dataplane`. Computes node addresses, BGP
//! sessions and best paths, and every node's routes. Targets (routing issue): a 1,000-node
//! full mesh under 2 s, a 5,000-node cluster with route reflectors under 5 s, < 2 GB.

mod common;

use common::peak_rss_mib;
use std::time::Instant;

use sim_core::gen::{generate, GenOptions};
use sim_core::scenario::SourceFile;
use sim_core::state;

fn bench(label: &str, nodes: usize, route_reflectors: usize) {
    let opts = GenOptions {
        nodes,
        pods: nodes,
        namespaces: 10,
        pool_cidr: Some("10.0.0.0/8".into()),
        block_size: 26,
        route_reflectors,
    };
    let (cluster, _) = state::load(&[SourceFile::new("generated.yaml", generate(&opts))])
        .expect("generated scenario is valid");
    // The phases one by one (what `state::compute` runs), then the whole.
    let t = Instant::now();
    let ipam = sim_core::ipam::allocate(&cluster);
    let t_ipam = t.elapsed();
    let addresses: Vec<_> = sim_core::node_address::node_addresses(&cluster)
        .iter()
        .map(|a| a.address)
        .collect();
    let ips: Vec<_> = addresses.iter().map(|a| a.map(|n| n.ip())).collect();
    let underlay = sim_core::underlay::Underlay::new(&cluster);
    let t_addr = t.elapsed();
    let bgp = sim_core::bgp::compute(&cluster, &ips, &underlay);
    let t_bgp = t.elapsed();
    let dp = sim_core::dataplane::compute(&cluster, &ipam, &bgp, &addresses);
    let t_dp = t.elapsed();
    drop((ipam, bgp, dp));
    println!(
        "{label} phases: ipam {:.0} ms, addresses {:.0} ms, bgp {:.0} ms, dataplane {:.0} ms",
        t_ipam.as_secs_f64() * 1e3,
        (t_addr - t_ipam).as_secs_f64() * 1e3,
        (t_bgp - t_addr).as_secs_f64() * 1e3,
        (t_dp - t_bgp).as_secs_f64() * 1e3
    );
    let t = Instant::now();
    let s = state::compute(cluster);
    let elapsed = t.elapsed();
    let routes: usize = s.dataplane.iter().map(|d| d.routes.len()).sum();
    let established = s
        .bgp
        .sessions
        .iter()
        .filter(|x| x.state.established)
        .count();
    println!(
        "{label}: {nodes} nodes, {} blocks | compute (IPAM + addresses + BGP + dataplane) {:.0} ms | {} sessions ({established} Established) | {routes} kernel routes | peak RSS {:.0} MiB",
        s.ipam.blocks.len(),
        elapsed.as_secs_f64() * 1e3,
        s.bgp.sessions.len(),
        peak_rss_mib().unwrap_or(f64::NAN),
    );
}

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let cases: [(&str, usize, usize); 2] =
        [("full-mesh", 1_000, 0), ("route-reflectors", 5_000, 3)];
    for (label, nodes, rrs) in cases {
        if filter.as_deref().is_none_or(|f| label.contains(f)) {
            bench(label, nodes, rrs);
        }
    }
}
