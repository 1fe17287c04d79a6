//! The packet walker: snapshot traces of the classic paths and failures, the JSON contract
//! (interfaces.md §3), and the property that every hop moves along the device graph.

mod common;

use std::collections::HashSet;
use std::path::Path;

use proptest::prelude::*;
use sim_core::graph::{DeviceGraph, Place};
use sim_core::policy::model::Protocol;
use sim_core::render::trace::render;
use sim_core::state::{self, ClusterState};
use sim_core::walker::{parse_endpoint, Endpoint, Probe, Trace, Verdict, Walker};

struct Case {
    name: &'static str,
    scenario: &'static str,
    from: &'static str,
    to: &'static str,
    proto: Protocol,
    port: Option<u16>,
    size: u32,
    df: bool,
    expect: Verdict,
}

const fn case(
    name: &'static str,
    scenario: &'static str,
    from: &'static str,
    to: &'static str,
    expect: Verdict,
) -> Case {
    Case {
        name,
        scenario,
        from,
        to,
        proto: Protocol::Tcp,
        port: Some(80),
        size: 84,
        df: true,
        expect,
    }
}

use Verdict::{Delivered, Dropped};

const CASES: &[Case] = &[
    case(
        "same-node",
        "one-l2-ipip",
        "default/web-2",
        "default/db-1",
        Delivered,
    ),
    case(
        "ipip-cross-node",
        "one-l2-ipip",
        "default/web-1",
        "default/web-2",
        Delivered,
    ),
    case(
        "vxlan-cross-node",
        "one-l2-vxlan",
        "default/web-1",
        "default/web-2",
        Delivered,
    ),
    case(
        "never-one-l2",
        "one-l2-never",
        "default/web-1",
        "default/web-2",
        Delivered,
    ),
    case(
        "never-across-racks-no-bgp",
        "two-racks-never",
        "default/web-a1",
        "default/web-b1",
        Dropped,
    ),
    case(
        "never-across-racks-tor-bgp",
        "two-racks-never-tor",
        "default/web-a1",
        "default/web-b1",
        Delivered,
    ),
    case(
        "crosssubnet-across-racks",
        "two-racks-crosssubnet",
        "default/web-a1",
        "default/web-b1",
        Delivered,
    ),
    case(
        "aws-never-src-dst-check",
        "aws-never",
        "default/web-1",
        "default/web-2",
        Dropped,
    ),
    case(
        "aws-never-check-off",
        "aws-never-check-off",
        "default/web-1",
        "default/web-2",
        Delivered,
    ),
    case(
        "azure-ipip",
        "azure-ipip",
        "default/web-1",
        "default/web-2",
        Dropped,
    ),
    case(
        "bgp-session-down",
        "multi-nic-wrong-address",
        "default/web-3",
        "default/web-1",
        Dropped,
    ),
    case(
        "nat-outgoing-on",
        "egress-nat",
        "default/masq-1",
        "ext:internet",
        Delivered,
    ),
    case(
        "nat-outgoing-off",
        "egress-nat",
        "default/routed-1",
        "ext:internet",
        Delivered,
    ),
    case(
        "pod-to-other-host",
        "egress-nat",
        "default/masq-1",
        "node:node-2",
        Delivered,
    ),
    case(
        "pod-to-own-host",
        "egress-nat",
        "default/masq-1",
        "node:node-1",
        Delivered,
    ),
    case(
        "host-to-remote-pod",
        "egress-nat",
        "node:node-1",
        "default/masq-2",
        Delivered,
    ),
    case(
        "external-on-lan-to-pod",
        "egress-nat",
        "ext:nas",
        "default/masq-1",
        Dropped,
    ),
    case(
        "policy-default-deny",
        "policy-default-deny",
        "default/debug",
        "shop/db-1",
        Dropped,
    ),
    case(
        "policy-egress-deny-metadata",
        "policy-default-deny",
        "shop/web-1",
        "ext:metadata",
        Dropped,
    ),
    case(
        "service-clusterip",
        "services",
        "default/client",
        "svc:default/web",
        Delivered,
    ),
    case(
        "service-no-endpoints",
        "services",
        "default/client",
        "svc:default/nothing",
        Dropped,
    ),
    Case {
        port: Some(30080),
        ..case(
            "service-nodeport-from-outside",
            "services",
            "ext:laptop",
            "node:node-2",
            Delivered,
        )
    },
    Case {
        port: Some(5432),
        ..case(
            "policy-allowed-named-port",
            "policy-default-deny",
            "shop/web-1",
            "shop/db-1",
            Delivered,
        )
    },
    Case {
        proto: Protocol::Icmp,
        port: None,
        size: 1508,
        ..case(
            "mtu-1480-payload-ipip-df",
            "one-l2-ipip",
            "default/web-1",
            "default/web-2",
            Dropped,
        )
    },
    Case {
        proto: Protocol::Icmp,
        port: None,
        size: 1500,
        ..case(
            "mtu-operator-1500-ipip-df",
            "operator-mtu-1500-ipip",
            "default/web-1",
            "default/web-2",
            Dropped,
        )
    },
];

fn scenario_path(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("snapshots/scenarios/{name}.yaml"))
}

/// The `calisim trace` command that prints the same trace.
fn command_line(c: &Case) -> String {
    let mut cmd = format!(
        "calisim trace snapshots/scenarios/{}.yaml --from {} --to {}",
        c.scenario, c.from, c.to
    );
    if c.proto != Protocol::Tcp {
        cmd += " --proto icmp";
    }
    if let (Protocol::Tcp, Some(port)) = (c.proto, c.port) {
        if port != 80 {
            cmd += &format!(" --port {port}");
        }
    }
    if c.size != 84 {
        cmd += &format!(" --size {}", c.size);
    }
    if !c.df {
        cmd += " --no-df";
    }
    cmd + " --reply"
}

fn run(state: &ClusterState, c: &Case) -> Trace {
    let ep = |t: &str| parse_endpoint(state, t).unwrap_or_else(|e| panic!("{}: {e}", c.name));
    let mut probe = Probe::new(ep(c.from), ep(c.to), c.proto, c.port);
    probe.size = c.size;
    probe.df = c.df;
    Walker::new(state).trace(&probe)
}

fn path_signature(state: &ClusterState, c: &Case) -> Option<sim_core::walker::PathSignature> {
    let ep = |t: &str| parse_endpoint(state, t).unwrap_or_else(|e| panic!("{}: {e}", c.name));
    let mut probe = Probe::new(ep(c.from), ep(c.to), c.proto, c.port);
    probe.size = c.size;
    Walker::new(state).path_signature(&probe)
}

#[test]
fn trace_snapshots() {
    for c in CASES {
        let state = common::compute(&scenario_path(c.scenario));
        let t = run(&state, c);
        assert_eq!(t.verdict, c.expect, "{}: {:?}", c.name, t.reason);
        assert_eq!(
            path_signature(&state, c),
            t.path_signature(),
            "{}: the folded walk and the recorded trace agree on the path",
            c.name
        );
        assert_consistent(&DeviceGraph::build(&state), &t);
        insta::with_settings!({
            snapshot_path => "../snapshots/traces",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => command_line(c),
        }, {
            insta::assert_snapshot!(c.name, render(&t, true));
        });
    }
}

#[test]
fn dropped_traces_name_their_cause() {
    let find = |name: &str| CASES.iter().find(|c| c.name == name).expect("case");
    let reason = |name: &str| {
        let c = find(name);
        let state = common::compute(&scenario_path(c.scenario));
        run(&state, c).reason.unwrap_or_default()
    };
    assert!(reason("azure-ipip").contains("Azure"));
    assert!(reason("aws-never-src-dst-check").contains("source/destination check"));
    let bgp = reason("bgp-session-down");
    assert!(
        bgp.contains("BGP session to k8s-1") && bgp.contains("not Established"),
        "{bgp}"
    );
    assert!(reason("mtu-1480-payload-ipip-df").contains("MTU 1480"));
    assert!(reason("mtu-operator-1500-ipip-df").contains("fragmentation needed"));
    assert!(reason("policy-default-deny").contains("denied by policy"));
}

#[test]
fn replies_follow_conntrack_and_nat() {
    let state = common::compute(&scenario_path("egress-nat"));
    let masq = run(
        &state,
        CASES.iter().find(|c| c.name == "nat-outgoing-on").unwrap(),
    );
    let reply = masq.reply.expect("a delivered request has a reply");
    assert_eq!(reply.verdict, Delivered);
    let nat = masq
        .hops
        .iter()
        .find(|h| h.action == sim_core::walker::Action::Nat)
        .expect("masquerade hop");
    assert_eq!(
        nat.packet.src.to_string(),
        "192.168.56.11",
        "masqueraded to the node"
    );
    let routed = run(
        &state,
        CASES.iter().find(|c| c.name == "nat-outgoing-off").unwrap(),
    );
    let reply = routed.reply.expect("a delivered request has a reply");
    assert_eq!(reply.verdict, Dropped);
    assert!(reply.reason.unwrap().contains("natOutgoing"));
}

#[test]
fn json_follows_the_contract() {
    let state = common::compute(&scenario_path("one-l2-vxlan"));
    let c = CASES.iter().find(|c| c.name == "vxlan-cross-node").unwrap();
    let v = serde_json::to_value(run(&state, c)).unwrap();
    for key in ["from", "to", "proto", "port", "verdict", "reason", "hops"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["verdict"], "delivered");
    assert_eq!(v["proto"], "tcp");
    let hops = v["hops"].as_array().unwrap();
    for h in hops {
        for key in ["at", "device", "action", "detail", "packet"] {
            assert!(h.get(key).is_some(), "hop missing {key}: {h}");
        }
        for key in ["src", "dst", "proto", "dport", "outer"] {
            assert!(h["packet"].get(key).is_some(), "packet missing {key}");
        }
    }
    let encap = hops
        .iter()
        .find(|h| h["action"] == "encap")
        .expect("an encap hop");
    let outer = &encap["packet"]["outer"];
    assert_eq!(outer["kind"], "vxlan");
    assert_eq!(outer["vni"], 4096);
    assert_eq!(outer["src"], "192.168.56.11");
    assert_eq!(outer["dst"], "192.168.56.12");
}

#[test]
fn matrix_walks_routes_as_well_as_policy() {
    let state = common::compute(&scenario_path("two-racks-never"));
    let m = sim_core::render::matrix::matrix(&state, Protocol::Tcp, Some(80));
    let p = sim_core::render::matrix::policy_matrix(&state, Protocol::Tcp, Some(80));
    assert!(
        p.allowed.iter().flatten().all(|a| *a),
        "no policy: all allowed"
    );
    assert!(
        !m.allowed[0][1],
        "no route across the racks without BGP to the router"
    );
    assert!(m.allowed[0][0]);
}

/// Every hop names a vertex of the graph, and consecutive hops are in the same place or in
/// places joined by an edge.
fn assert_consistent(g: &DeviceGraph, t: &Trace) {
    let data = g.data();
    let adjacent: HashSet<(&Place, &Place)> = data
        .edges
        .iter()
        .flat_map(|&(a, b, _)| {
            let (pa, pb) = (&data.vertices[a].place, &data.vertices[b].place);
            [(pa, pb), (pb, pa)]
        })
        .collect();
    let mut prev: Option<Place> = None;
    for (i, h) in t.hops.iter().enumerate() {
        let place = h.place();
        assert!(
            g.vertex(&place, h.device.as_deref()).is_some(),
            "{} → {}: hop {} ({} [{:?}]) is not in the graph",
            t.from,
            t.to,
            i + 1,
            h.at,
            h.device
        );
        if let Some(p) = &prev {
            assert!(
                *p == place || adjacent.contains(&(p, &place)),
                "{} → {}: hop {} jumps from {:?} to {:?}",
                t.from,
                t.to,
                i + 1,
                p,
                place
            );
        }
        prev = Some(place);
    }
    if let Some(r) = &t.reply {
        assert_consistent(g, r);
    }
}

/// A random but valid scenario: racks behind an optional router, an encapsulation mode, a
/// cloud, BGP to the router or not, an external host, pods spread over the nodes.
#[derive(Debug, Clone)]
struct Design {
    racks: usize,
    nodes_per_rack: usize,
    pods: usize,
    mode: usize,
    cloud: usize,
    tor_bgp: bool,
    nat: bool,
}

fn designs() -> impl Strategy<Value = Design> {
    (
        1..=3usize,
        1..=3usize,
        1..=6usize,
        0..5usize,
        0..3usize,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(racks, nodes_per_rack, pods, mode, cloud, tor_bgp, nat)| Design {
                racks,
                nodes_per_rack,
                pods,
                mode,
                cloud,
                tor_bgp,
                nat,
            },
        )
}

fn scenario_yaml(d: &Design) -> String {
    let (ipip, vxlan) = [
        ("Never", "Never"),
        ("Always", "Never"),
        ("CrossSubnet", "Never"),
        ("Never", "Always"),
        ("Never", "CrossSubnet"),
    ][d.mode];
    let cloud = ["none", "aws", "azure"][d.cloud];
    let mut y = format!(
        "apiVersion: calisim.dev/v1alpha1\nkind: Cluster\nmetadata: {{name: gen}}\nspec:\n  cloud: {cloud}\n  networks:\n"
    );
    for r in 0..d.racks {
        y += &format!(
            "    - {{name: rack-{r}, cidr: 192.168.{}.0/24, gateway: 192.168.{}.1}}\n",
            10 + r,
            10 + r
        );
    }
    let nets: Vec<String> = (0..d.racks).map(|r| format!("rack-{r}")).collect();
    y += &format!(
        "  routers:\n    - {{name: core, networks: [{}], asNumber: 65001}}\n",
        nets.join(", ")
    );
    y += "  externals:\n    - {name: internet, address: 203.0.113.10, network: rack-0}\n  nodes:\n";
    let mut nodes = Vec::new();
    for r in 0..d.racks {
        for n in 0..d.nodes_per_rack {
            let name = format!("n{r}{n}");
            y += &format!(
                "    - {{name: {name}, labels: {{rack: r{r}}}, interfaces: [{{name: eth0, network: rack-{r}, address: 192.168.{}.{}}}]}}\n",
                10 + r,
                20 + n
            );
            nodes.push(name);
        }
    }
    y += "  pods:\n";
    for p in 0..d.pods {
        y += &format!("    - {{name: p{p}, node: {}}}\n", nodes[p % nodes.len()]);
    }
    y += &format!(
        "---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {{name: pool}}\nspec: {{cidr: 10.48.0.0/16, ipipMode: {ipip}, vxlanMode: {vxlan}, natOutgoing: {}}}\n",
        d.nat
    );
    if d.tor_bgp {
        y += "---\napiVersion: projectcalico.org/v3\nkind: BGPConfiguration\nmetadata: {name: default}\nspec: {nodeToNodeMeshEnabled: false}\n";
        for r in 0..d.racks {
            y += &format!(
                "---\napiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {{name: tor-{r}}}\nspec: {{nodeSelector: rack == 'r{r}', peerIP: 192.168.{}.1, asNumber: 65001}}\n",
                10 + r
            );
        }
    }
    y
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_hop_moves_along_the_device_graph(d in designs()) {
        let files = vec![sim_core::scenario::SourceFile::new("gen.yaml", scenario_yaml(&d))];
        let (cluster, _) = state::load(&files).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let state = state::compute(cluster);
        let graph = DeviceGraph::build(&state);
        let walker = Walker::new(&state);
        let mut ends: Vec<Endpoint> = (0..state.cluster.pods.len()).map(Endpoint::Pod).collect();
        ends.extend((0..state.cluster.nodes.len()).map(Endpoint::Node));
        ends.push(Endpoint::External(0));
        for &a in &ends {
            for &b in &ends {
                for size in [84, 1500] {
                    let mut probe = Probe::new(a, b, Protocol::Tcp, Some(80));
                    probe.size = size;
                    let t = walker.trace(&probe);
                    assert_consistent(&graph, &t);
                    prop_assert_eq!(walker.reaches(&probe), t.verdict == Delivered, "{} → {}", t.from, t.to);
                    prop_assert_eq!(walker.path_signature(&probe), t.path_signature(), "{} → {}", t.from, t.to);
                }
            }
        }
    }
}

#[test]
fn design_digest_is_stable() {
    let path = scenario_path("policy-default-deny");
    let a = sim_core::render::snapshot::digest(&common::compute(&path));
    let b = sim_core::render::snapshot::digest(&common::compute(&path));
    assert_eq!(a, b, "same input, same digest");
    insta::with_settings!({
        snapshot_path => "../snapshots/digests",
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => "calisim snapshot snapshots/scenarios/policy-default-deny.yaml",
    }, {
        insta::assert_snapshot!("policy-default-deny", a);
    });
}
