use sim_core::bgp::{peerings, sessions};
use sim_core::gen::{generate, GenOptions};
use sim_core::scenario::SourceFile;
use std::time::Instant;
fn main() {
    let opts = GenOptions {
        nodes: 1000,
        pods: 1000,
        namespaces: 10,
        pool_cidr: Some("10.0.0.0/8".into()),
        block_size: 26,
        route_reflectors: 0,
    };
    let (cluster, _) = sim_core::state::load(&[SourceFile::new("g", generate(&opts))]).unwrap();
    let addresses: Vec<_> = sim_core::node_address::node_addresses(&cluster)
        .iter()
        .map(|a| a.address.map(|n| n.ip()))
        .collect();
    let underlay = sim_core::underlay::Underlay::new(&cluster);
    let asn = sim_core::bgp::as_numbers(&cluster);
    let t = Instant::now();
    let p = peerings::peerings(&peerings::NodeFacts {
        cluster: &cluster,
        address: &addresses,
        as_number: &asn,
    });
    println!("peerings {:?}", t.elapsed());
    let t = Instant::now();
    let idx = sessions::index_by_peer_ip(&p);
    println!("index {:?}", t.elapsed());
    let t = Instant::now();
    let s = sessions::sessions(&sessions::SessionFacts {
        cluster: &cluster,
        by_peer_ip: idx,
        underlay: &underlay,
        address: &addresses,
        as_number: &asn,
        peerings: &p,
    });
    println!("sessions {:?} {}", t.elapsed(), s.len());
    let t = Instant::now();
    let mut ok = 0;
    for a in 0..1000 {
        for b in 0..1000 {
            if a != b
                && underlay
                    .two_way(
                        &cluster,
                        a,
                        addresses[a].unwrap(),
                        sim_core::underlay::Host::Node(b),
                        addresses[b].unwrap(),
                    )
                    .is_ok()
            {
                ok += 1;
            }
        }
    }
    println!("two_way x1M {:?} {ok}", t.elapsed());
    let t = Instant::now();
    let b = sim_core::bgp::compute(&cluster, &addresses, &underlay);
    println!("all {:?} {}", t.elapsed(), b.sessions.len());
}
#[allow(dead_code)]
fn extra() {}
