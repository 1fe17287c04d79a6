//! Properties every computed dataplane must have, checked on every snapshot scenario.

use std::net::Ipv4Addr;
mod common;

use sim_core::dataplane::{NodeDataplane, Route, RouteKind};
use sim_core::scenario::SourceFile;
use sim_core::state::{self, ClusterState};

fn scenarios() -> Vec<(String, ClusterState)> {
    common::scenario_paths()
        .into_iter()
        .map(|p| {
            let name = p.display().to_string();
            let text = std::fs::read_to_string(&p).expect("readable");
            (name.clone(), common::compute(&name, text))
        })
        .collect()
}

/// Longest-prefix match, as the kernel does it.
fn lookup(routes: &[Route], ip: Ipv4Addr) -> Vec<&Route> {
    let best = routes
        .iter()
        .filter(|r| r.dst.contains(ip))
        .map(|r| r.dst.prefix())
        .max();
    routes
        .iter()
        .filter(|r| r.dst.contains(ip) && Some(r.dst.prefix()) == best)
        .collect()
}

fn has_link(dp: &NodeDataplane, ifindex: u32) -> bool {
    dp.links.iter().any(|l| l.ifindex == ifindex)
}

#[test]
fn no_route_points_at_an_unknown_device() {
    for (name, s) in scenarios() {
        for dp in &s.dataplane {
            for r in &dp.routes {
                if let Some(oif) = r.oif {
                    assert!(
                        has_link(dp, oif),
                        "{name}: node {} routes {} to missing ifindex {oif}",
                        dp.name,
                        r.dst
                    );
                }
            }
        }
    }
}

#[test]
fn with_every_session_up_every_pod_has_exactly_one_usable_route_from_every_node() {
    let mut checked = 0;
    for (name, s) in scenarios() {
        if s.bgp.sessions.iter().any(|x| !x.state.established) {
            continue;
        }
        for dp in &s.dataplane {
            for (pod_id, pod) in s.cluster.pods.iter().enumerate() {
                let Some(std::net::IpAddr::V4(ip)) = s.ipam.pod_address(pod_id) else {
                    continue;
                };
                let matches = lookup(&dp.routes, ip);
                assert_eq!(
                    matches.len(),
                    1,
                    "{name}: node {} has {} routes for {} ({ip})",
                    dp.name,
                    matches.len(),
                    pod.key()
                );
                let r = matches[0];
                assert_eq!(
                    r.kind,
                    RouteKind::Unicast,
                    "{name}: node {} blackholes {} ({ip})",
                    dp.name,
                    pod.key()
                );
                if pod.node == dp.node {
                    let veth = dp
                        .pods
                        .iter()
                        .find(|p| p.pod == pod_id)
                        .expect("local pod wired")
                        .host_veth_ifindex;
                    assert_eq!(
                        r.oif,
                        Some(veth),
                        "{name}: local pod {} not via its veth",
                        pod.key()
                    );
                } else {
                    assert!(
                        r.via.is_some(),
                        "{name}: node {} has no next hop for {}",
                        dp.name,
                        pod.key()
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} pod routes checked");
}

#[test]
fn the_minikube_cluster_matches_what_real_nodes_show() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../labs/default/scenario.yaml"
    ))
    .expect("default scenario");
    let (cluster, _) = state::load(&[SourceFile::new("default", text)]).expect("valid");
    let s = state::compute(cluster);
    let routes = sim_core::render::routes::ip_route(s.node_dataplane("minikube").expect("node"));
    for line in [
        "blackhole 10.244.120.64/26 proto bird",
        "10.244.151.0/26 via 192.168.49.4 dev tunl0 proto bird onlink",
        "10.244.205.192/26 via 192.168.49.3 dev tunl0 proto bird onlink",
    ] {
        assert!(
            routes.lines().any(|l| l == line),
            "missing `{line}` in\n{routes}"
        );
    }
    let tunl0 = s.dataplane[0]
        .links
        .iter()
        .find(|l| l.name == "tunl0")
        .expect("tunl0");
    assert_eq!(
        (tunl0.mtu, tunl0.addresses[0].to_string()),
        (1480, "10.244.120.64/32".to_string())
    );
}
