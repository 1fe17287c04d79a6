//! The exported API, called natively exactly as the page calls it: JSON text in, JSON text
//! out. Expected values come from sim-core's own renderers and walker, never typed in.

use serde_json::Value;

use crate::{node_panel, simulate, trace};

const POLICY_LAB: &str = include_str!("../../labs/10-network-policy/scenario.yaml");
const SERVICES_LAB: &str = include_str!("../../labs/12-services/solution/scenario.yaml");
const DEFAULT: &str = include_str!("../../labs/default/scenario.yaml");
const TWO_RACKS: &str = include_str!("../../snapshots/scenarios/two-racks-never-tor.yaml");

fn parse(json: String) -> Value {
    serde_json::from_str(&json).expect("the API returns JSON")
}

fn load(yaml: &str) -> Value {
    let v = parse(simulate("scenario.yaml", yaml));
    assert_eq!(v["ok"], true, "scenario should compute: {v}");
    v["view"].clone()
}

fn walk(request: Value) -> Value {
    parse(trace(&request.to_string()))
}

/// Every id a hop may light up: shapes and buses.
fn drawn_ids(view: &Value) -> Vec<String> {
    let d = &view["diagram"];
    d["shapes"]
        .as_array()
        .unwrap()
        .iter()
        .chain(d["buses"].as_array().unwrap())
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_vxlan_trace_across_nodes_shows_the_outer_header_at_the_encap_hop() {
    let view = load(POLICY_LAB);
    let t = walk(serde_json::json!({
        "from": "shop/web-1", "to": "shop/db-1", "proto": "tcp", "port": 5432
    }));
    assert_eq!(t["ok"], true, "{t}");
    let t = &t["trace"];
    assert_eq!(t["verdict"], "delivered");
    let hops = t["hops"].as_array().unwrap();
    let encap = hops
        .iter()
        .find(|h| h["action"] == "encap")
        .expect("an encap hop");
    assert_eq!(encap["device"], "vxlan.calico");
    assert_eq!(encap["packet"]["outer"]["kind"], "vxlan");
    assert_eq!(encap["packet"]["outer"]["dport"], 4789);
    // The outer header runs node to node: the NIC addresses of the two nodes.
    assert_eq!(encap["packet"]["outer"]["src"], "192.168.56.11");
    assert_eq!(encap["packet"]["outer"]["dst"], "192.168.56.12");
    assert!(hops.iter().any(|h| h["action"] == "decap"));
    assert_eq!(hops.last().unwrap()["action"], "deliver");
    // The hop list matches the command line's walk of the same probe.
    assert!(t["text"].as_str().unwrap().contains("verdict: delivered"));
    assert!(t["reply"]["hops"].as_array().is_some_and(|r| !r.is_empty()));
    // Every hop lights up something that is drawn.
    let ids = drawn_ids(&view);
    for h in hops.iter().chain(t["reply"]["hops"].as_array().unwrap()) {
        let shape = h["shape"].as_str().unwrap();
        let place = shape.split('|').next().unwrap();
        assert!(
            ids.iter().any(|id| id == shape || id == place),
            "hop at {shape} has nothing drawn"
        );
    }
}

#[test]
fn the_policy_hop_names_the_deciding_rule() {
    load(POLICY_LAB);
    let t = walk(serde_json::json!({"from": "default/debug", "to": "shop/db-1", "port": 5432}));
    let t = &t["trace"];
    assert_eq!(t["verdict"], "dropped");
    let last = t["hops"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "drop");
    let policy = t["hops"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|h| h["action"] == "policy")
        .expect("a policy hop");
    assert!(
        policy["detail"].as_str().unwrap().contains("ingress"),
        "{policy}"
    );
}

#[test]
fn a_service_trace_shows_the_packet_before_and_after_dnat() {
    load(SERVICES_LAB);
    let t =
        walk(serde_json::json!({"from": "default/client", "to": "svc:default/web", "port": 80}));
    assert_eq!(t["ok"], true, "{t}");
    let hops = t["trace"]["hops"].as_array().unwrap();
    let nat = hops
        .iter()
        .find(|h| !h["before"].is_null())
        .expect("a NAT hop with the packet before it");
    assert_eq!(nat["action"], "nat");
    assert_ne!(nat["before"]["dst"], nat["packet"]["dst"]);
}

#[test]
fn a_broken_edit_reports_the_line_and_keeps_the_last_good_scenario() {
    load(POLICY_LAB);
    let line = POLICY_LAB
        .lines()
        .position(|l| l.contains("cidr: 10.244.0.0/16"))
        .expect("the pool's CIDR line")
        + 1;
    let broken = POLICY_LAB.replace("cidr: 10.244.0.0/16", "cidr: 10.244.0.0/66");
    let v = parse(simulate("scenario.yaml", &broken));
    assert_eq!(v["ok"], false);
    let errors = v["errors"].as_array().unwrap();
    assert!(
        errors.iter().any(|e| e["origin"]["line"] == line
            && e["field"] == "spec.cidr"
            && e["text"].as_str().unwrap().contains("10.244.0.0/66")),
        "expected an error on line {line}: {v}"
    );
    // The page keeps showing (and tracing) the scenario that computed last.
    let t = walk(serde_json::json!({"from": "shop/web-1", "to": "shop/db-1", "port": 5432}));
    assert_eq!(t["trace"]["verdict"], "delivered");
}

#[test]
fn yaml_syntax_errors_carry_their_line() {
    let v = parse(simulate(
        "x.yaml",
        "apiVersion: calisim.dev/v1alpha1\nkind: Cluster\nspec: [\n",
    ));
    assert_eq!(v["ok"], false);
    assert!(v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["origin"]["line"].as_u64().is_some_and(|l| l >= 3)));
}

#[test]
fn bad_requests_are_errors_not_panics() {
    load(DEFAULT);
    for (request, word) in [
        (
            serde_json::json!({"from": "nope/pod", "to": "default/web-2"}),
            "from",
        ),
        (
            serde_json::json!({"from": "default/web-1", "to": "svc:x/y"}),
            "to",
        ),
        (
            serde_json::json!({"from": "default/web-1", "to": "default/web-2", "proto": "gre"}),
            "proto",
        ),
        (
            serde_json::json!({"from": "default/web-1", "to": "default/web-2", "size": 10}),
            "size",
        ),
    ] {
        let v = walk(request);
        assert_eq!(v["ok"], false);
        assert!(v["error"].as_str().unwrap().starts_with(word), "{v}");
    }
    assert_eq!(parse(trace("not json"))["ok"], false);
    assert_eq!(parse(node_panel("no-such-node"))["ok"], false);
}

#[test]
fn the_node_panel_is_what_the_command_line_prints() {
    load(DEFAULT);
    let files = [sim_core::scenario::SourceFile::new("d", DEFAULT)];
    let (cluster, _) = sim_core::state::load(&files).unwrap();
    let state = sim_core::state::compute(cluster);
    for (id, node) in state.cluster.nodes.iter().enumerate() {
        let p = parse(node_panel(&node.name));
        let panel = &p["panel"];
        let dp = state.dataplane.iter().find(|d| d.node == id).unwrap();
        assert_eq!(panel["routes"], sim_core::render::routes::ip_route(dp));
        assert_eq!(panel["addresses"], sim_core::render::links::ip_addr(dp));
        assert_eq!(
            panel["status"],
            sim_core::render::status::node_status(&state, id)
        );
        let blocks: Vec<String> = state.ipam.node_blocks[id]
            .iter()
            .map(|&b| state.ipam.blocks[b].cidr.to_string())
            .collect();
        let shown: Vec<String> = panel["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["cidr"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(shown, blocks);
    }
}

#[test]
fn the_layout_draws_every_place_once_without_overlaps() {
    for yaml in [DEFAULT, POLICY_LAB, SERVICES_LAB, TWO_RACKS] {
        let view = load(yaml);
        let shapes = view["diagram"]["shapes"].as_array().unwrap();
        let places: Vec<&Value> = shapes.iter().filter(|s| s["kind"] != "device").collect();
        let rect = |s: &Value| {
            let f = |k: &str| s[k].as_f64().unwrap();
            (f("x"), f("y"), f("x") + f("w"), f("y") + f("h"))
        };
        // Nodes, routers and external hosts never overlap one another.
        let big: Vec<_> = places.iter().filter(|s| s["kind"] != "pod").collect();
        for (i, a) in big.iter().enumerate() {
            for b in &big[i + 1..] {
                let (ax1, ay1, ax2, ay2) = rect(a);
                let (bx1, by1, bx2, by2) = rect(b);
                let overlap = ax1 < bx2 && bx1 < ax2 && ay1 < by2 && by1 < ay2;
                assert!(!overlap, "{} overlaps {}", a["id"], b["id"]);
            }
        }
        // Each node's devices and pods sit inside the node's box.
        for s in shapes {
            let id = s["id"].as_str().unwrap();
            let Some(node) = id.strip_prefix("node:").and_then(|r| r.split_once('|')) else {
                continue;
            };
            let owner = places
                .iter()
                .find(|p| p["id"] == format!("node:{}", node.0))
                .unwrap();
            let (ox1, oy1, ox2, oy2) = rect(owner);
            let (x1, y1, x2, y2) = rect(s);
            assert!(
                x1 >= ox1 && y1 >= oy1 && x2 <= ox2 && y2 <= oy2,
                "{id} outside its node"
            );
        }
        // One shape per pod and per node of the scenario; ids are unique.
        let ids = drawn_ids(&view);
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len());
        let endpoints = view["endpoints"]["sources"].as_array().unwrap();
        for e in endpoints {
            let e = e.as_str().unwrap();
            let id = match e.split_once(':') {
                Some(("node", n)) => format!("node:{n}"),
                Some(("ext", n)) => format!("external:{n}"),
                _ => format!("pod:{e}"),
            };
            assert!(ids.contains(&id), "{id} is not drawn");
        }
    }
}
