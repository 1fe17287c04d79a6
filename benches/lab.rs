//! Lab benchmark on real namespaces: `cargo bench --bench lab` (as root). Ten nodes of ten
//! pods each on one network with a router, VXLAN: `lab up` (target < 5 s), the full diff of
//! 100 × 100 pod pairs (target < 20 s), `lab down` (target < 2 s); then nothing of the lab
//! may be left: no namespace, no record, no process inside a deleted namespace.

use std::fmt::Write;
use std::time::{Duration, Instant};

use lab_netns::diff::{diff, DiffOptions};
use lab_netns::{features, netns, Lab, UpOptions};
use sim_core::scenario::SourceFile;
use sim_core::state;

const LAB: &str = "bench";

fn scenario() -> String {
    let mut s = String::from(
        "apiVersion: calisim.dev/v1alpha1\nkind: Cluster\nmetadata: {name: bench}\nspec:\n  \
         networks:\n    - {name: lan, cidr: 192.168.100.0/24, gateway: 192.168.100.1}\n  \
         routers:\n    - {name: gw, networks: [lan]}\n  nodes:\n",
    );
    for n in 0..10 {
        let _ = writeln!(
            s,
            "    - {{name: node-{n}, interfaces: [{{name: eth0, network: lan, address: 192.168.100.{}}}]}}",
            10 + n
        );
    }
    s += "  pods:\n";
    for p in 0..100 {
        let _ = writeln!(s, "    - {{name: pod-{p}, node: node-{}}}", p % 10);
    }
    s += "---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: default-ipv4-ippool}\n\
          spec: {cidr: 10.244.0.0/16, ipipMode: Never, vxlanMode: Always, natOutgoing: true}\n";
    s
}

fn verdict(took: Duration, target: Duration) -> &'static str {
    if took < target {
        "within target"
    } else {
        "OVER TARGET"
    }
}

fn main() {
    if !features::is_root() {
        println!("skipped: the lab benchmark needs root (network namespaces)");
        return;
    }
    let files = vec![SourceFile::new("bench.yaml", scenario())];
    let (cluster, _) = state::load(&files).expect("the benchmark scenario is valid");
    let s = state::compute(cluster);
    let plan = sim_core::plan::plan(&s, LAB);
    println!(
        "lab benchmark: {} nodes, {} pods, {} namespaces, {} veth pairs",
        s.cluster.nodes.len(),
        s.cluster.pods.len(),
        plan.namespaces.len(),
        plan.veths.len()
    );

    let t = Instant::now();
    lab_netns::up(LAB, &plan, &files, &s.cluster.name, &UpOptions::default())
        .expect("the lab builds");
    let up = t.elapsed();
    println!(
        "lab up:   {:>7.2} s  (target < 5 s: {})",
        up.as_secs_f64(),
        verdict(up, Duration::from_secs(5))
    );

    let lab = Lab::open(LAB).expect("the lab is up");
    let t = Instant::now();
    let report = diff(&lab, &s, &DiffOptions::default());
    let took = t.elapsed();
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            let _ = lab_netns::down(LAB);
            panic!("the diff failed: {e}");
        }
    };
    println!(
        "lab diff: {:>7.2} s  (target < 20 s: {}) {} pairs, {} agree, {} disagree",
        took.as_secs_f64(),
        verdict(took, Duration::from_secs(20)),
        report.pairs,
        report.agreements,
        report.disagreements.len()
    );

    let t = Instant::now();
    lab_netns::down(LAB).expect("the lab comes down");
    let down = t.elapsed();
    println!(
        "lab down: {:>7.2} s  (target < 2 s: {})",
        down.as_secs_f64(),
        verdict(down, Duration::from_secs(2))
    );

    let left: Vec<String> = netns::list()
        .expect("/run/netns is readable")
        .into_iter()
        .filter(|n| n.starts_with(&plan.prefix))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    assert!(
        !lab_netns::record::dir(LAB).exists(),
        "the record is left behind"
    );
    assert_eq!(report.pairs, 100 * 100);
    assert!(
        report.disagreements.is_empty(),
        "{:#?}",
        report.disagreements
    );
    println!("nothing left behind");
}
