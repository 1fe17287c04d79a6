//! The Kubernetes network-policy conformance setup (upstream `test/e2e/network/netpol`):
//! namespaces x, y, z (label `ns=<name>`), pods a, b, c in each (label `pod=<name>`, container
//! ports 80 "serve-80-tcp" and 81 "serve-81-tcp"), evaluated through Calico's conversion and
//! Felix's evaluation. Tables are upstream-style: rows are sources, columns destinations,
//! `.` = allowed, `X` = denied.
//!
//! Note: upstream marks pod → itself as allowed in several cases (`AllowLoopback`) because
//! loopback traffic never reaches the policed interface; the engine only models policy, so the
//! diagonal here shows the policy verdict.

use std::net::Ipv4Addr;

use serde_json::json;
use sim_core::labels::LabelMap;
use sim_core::policy::eval::{Engine, NamedPort, Packet, Peer, PolicyRef, Scope, Workload};
use sim_core::policy::k8s::K8sNetworkPolicy;
use sim_core::policy::{convert, NetworkPolicy, Protocol};

const NAMESPACES: [&str; 3] = ["x", "y", "z"];
const PODS: [&str; 3] = ["a", "b", "c"];
const PORTS: [NamedPort<'static>; 2] = [
    NamedPort {
        name: "serve-80-tcp",
        port: 80,
        protocol: "TCP",
    },
    NamedPort {
        name: "serve-81-tcp",
        port: 81,
        protocol: "TCP",
    },
];

struct Cluster {
    pods: Vec<(String, String, LabelMap, LabelMap, Ipv4Addr)>,
}

impl Cluster {
    fn new() -> Cluster {
        let mut pods = Vec::new();
        for (i, ns) in NAMESPACES.iter().enumerate() {
            for (j, pod) in PODS.iter().enumerate() {
                pods.push((
                    ns.to_string(),
                    pod.to_string(),
                    [("pod", *pod)].into_iter().collect(),
                    [("ns", *ns)].into_iter().collect(),
                    Ipv4Addr::new(10, 0, i as u8 + 1, j as u8 + 1),
                ));
            }
        }
        Cluster { pods }
    }

    fn peers(&self) -> Vec<Peer<'_>> {
        self.pods
            .iter()
            .map(|(ns, name, labels, ns_labels, ip)| {
                Peer::Workload(Workload {
                    namespace: ns,
                    name,
                    labels,
                    namespace_labels: ns_labels,
                    service_account: "default",
                    service_account_labels: None,
                    ip: *ip,
                    ports: &PORTS,
                })
            })
            .collect()
    }
}

/// Converts Kubernetes NetworkPolicies given as JSON.
fn k8s(policies: &[serde_json::Value]) -> Vec<NetworkPolicy> {
    policies
        .iter()
        .map(|v| {
            let np: K8sNetworkPolicy = serde_json::from_value(v.clone()).unwrap();
            let c = convert(&np).unwrap();
            assert!(c.errors.is_empty(), "{:?}", c.errors);
            c.policy
        })
        .collect()
}

/// The truth table for TCP to `port` under the given (converted) Kubernetes policies.
fn matrix(policies: &[NetworkPolicy], port: u16) -> String {
    let refs: Vec<PolicyRef> = policies
        .iter()
        .map(|p| PolicyRef {
            scope: Scope::Kubernetes,
            namespace: Some(&p.metadata.namespace),
            name: &p.metadata.name,
            spec: &p.spec,
        })
        .collect();
    let engine = Engine::new(&refs);
    assert!(engine.errors().is_empty(), "{:?}", engine.errors());
    let cluster = Cluster::new();
    let peers = cluster.peers();
    let names: Vec<String> = cluster
        .pods
        .iter()
        .map(|(ns, pod, ..)| format!("{ns}/{pod}"))
        .collect();
    let packet = Packet {
        protocol: Protocol::Tcp,
        dst_port: Some(port),
    };
    let mut out = format!("-\t{}\n", names.join("\t"));
    for (from, src) in names.iter().zip(&peers) {
        out.push_str(from);
        for dst in &peers {
            let v = engine.evaluate(src, dst, &packet);
            out.push_str(if v.allowed { "\t." } else { "\tX" });
        }
        out.push('\n');
    }
    out
}

/// Builds an expected table from nine row strings of nine cells each (`.`/`X`).
fn table(rows: [&str; 9]) -> String {
    let names: Vec<String> = NAMESPACES
        .iter()
        .flat_map(|ns| PODS.iter().map(move |p| format!("{ns}/{p}")))
        .collect();
    let mut out = format!("-\t{}\n", names.join("\t"));
    for (name, row) in names.iter().zip(rows) {
        assert_eq!(row.len(), 9, "row {name}");
        out.push_str(name);
        for c in row.chars() {
            out.push('\t');
            out.push(c);
        }
        out.push('\n');
    }
    out
}

const ALL_ALLOWED: [&str; 9] = [
    ".........",
    ".........",
    ".........",
    ".........",
    ".........",
    ".........",
    ".........",
    ".........",
    ".........",
];

#[test]
fn matrix_format_is_upstream_style() {
    let m = matrix(&[], 80);
    let mut lines = m.lines();
    assert_eq!(
        lines.next().unwrap(),
        "-\tx/a\tx/b\tx/c\ty/a\ty/b\ty/c\tz/a\tz/b\tz/c"
    );
    assert_eq!(lines.next().unwrap(), "x/a\t.\t.\t.\t.\t.\t.\t.\t.\t.");
    assert_eq!(m.lines().count(), 10);
}

/// (1) No policies: every pod's endpoint falls through to profile kns.<ns>, which allows.
#[test]
fn no_policies_all_allowed() {
    assert_eq!(matrix(&[], 80), table(ALL_ALLOWED));
    assert_eq!(matrix(&[], 81), table(ALL_ALLOWED));
}

/// (2) Default-deny ingress in x (`podSelector: {}`, `policyTypes: [Ingress]`, no rules): every
/// pod in x is selected for ingress and no rule allows, so all traffic into x/* is denied,
/// from every namespace including x itself. Egress is untouched.
#[test]
fn default_deny_ingress_in_x() {
    let p = k8s(&[json!({
        "metadata": {"name": "deny-all", "namespace": "x"},
        "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}
    })]);
    let expected = table([
        "XXX......",
        "XXX......",
        "XXX......",
        "XXX......",
        "XXX......",
        "XXX......",
        "XXX......",
        "XXX......",
        "XXX......",
    ]);
    assert_eq!(matrix(&p, 80), expected);
    assert_eq!(matrix(&p, 81), expected);
}

/// (3) Into x/a only from namespace y (`namespaceSelector: {matchLabels: {ns: y}}`, no pod
/// selector ⇒ every pod of y). x/a's column: allowed from y/*, denied from x/* (same namespace
/// is not special once a namespaceSelector is given) and z/*. x/b, x/c are not selected.
#[test]
fn allow_from_namespace_y_into_x_a() {
    let p = k8s(&[json!({
        "metadata": {"name": "allow-ns-y", "namespace": "x"},
        "spec": {
            "podSelector": {"matchLabels": {"pod": "a"}},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"ns": "y"}}}]}]
        }
    })]);
    let expected = table([
        "X........",
        "X........",
        "X........",
        ".........",
        ".........",
        ".........",
        "X........",
        "X........",
        "X........",
    ]);
    assert_eq!(matrix(&p, 80), expected);
}

/// (4) ipBlock with except into x/a: `cidr 10.0.0.0/16 except [10.0.2.2/32, 10.0.3.0/24]`.
/// ipBlock peers are plain CIDRs (not namespace-restricted), so x/a accepts x/*, y/a, y/c and
/// rejects y/b (10.0.2.2) and all of z (10.0.3.0/24).
#[test]
fn ip_block_with_except() {
    let p = k8s(&[json!({
        "metadata": {"name": "ipblock", "namespace": "x"},
        "spec": {
            "podSelector": {"matchLabels": {"pod": "a"}},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"ipBlock": {
                "cidr": "10.0.0.0/16", "except": ["10.0.2.2/32", "10.0.3.0/24"]
            }}]}]
        }
    })]);
    let expected = table([
        ".........",
        ".........",
        ".........",
        ".........",
        "X........",
        ".........",
        "X........",
        "X........",
        "X........",
    ]);
    assert_eq!(matrix(&p, 80), expected);
}

/// (5) Egress from x/a only to TCP 79–80 (`port: 79, endPort: 80`, no `to` ⇒ any destination).
/// Port 80: everything allowed. Port 81: x/a's row is denied everywhere (its egress is selected
/// and nothing allows 81); other rows are unaffected.
#[test]
fn egress_port_range() {
    let p = k8s(&[json!({
        "metadata": {"name": "egress-range", "namespace": "x"},
        "spec": {
            "podSelector": {"matchLabels": {"pod": "a"}},
            "policyTypes": ["Egress"],
            "egress": [{"ports": [{"protocol": "TCP", "port": 79, "endPort": 80}]}]
        }
    })]);
    assert_eq!(matrix(&p, 80), table(ALL_ALLOWED));
    assert_eq!(
        matrix(&p, 81),
        table([
            "XXXXXXXXX",
            ".........",
            ".........",
            ".........",
            ".........",
            ".........",
            ".........",
            ".........",
            ".........",
        ])
    );
}

/// (6) Ingress into x/a allowed only on the named port "serve-80-tcp" (protocol defaults to
/// TCP; no `from` ⇒ any source). x/a's named port resolves to 80: port 80 all allowed, port 81
/// denied into x/a from everyone.
#[test]
fn named_port_ingress() {
    let p = k8s(&[json!({
        "metadata": {"name": "named-port", "namespace": "x"},
        "spec": {
            "podSelector": {"matchLabels": {"pod": "a"}},
            "policyTypes": ["Ingress"],
            "ingress": [{"ports": [{"port": "serve-80-tcp"}]}]
        }
    })]);
    assert_eq!(matrix(&p, 80), table(ALL_ALLOWED));
    assert_eq!(
        matrix(&p, 81),
        table([
            "X........",
            "X........",
            "X........",
            "X........",
            "X........",
            "X........",
            "X........",
            "X........",
            "X........",
        ])
    );
}

/// (7) Two policies selecting x/a: one allows from pod b in x (podSelector alone ⇒ own
/// namespace), the other from pod c in namespace y (namespaceSelector AND podSelector in one
/// peer). Network policies are additive: x/a accepts exactly x/b and y/c. Notably y/b and x/c
/// are denied (each matches only half of one peer).
#[test]
fn two_policies_union() {
    let p = k8s(&[
        json!({
            "metadata": {"name": "from-b", "namespace": "x"},
            "spec": {
                "podSelector": {"matchLabels": {"pod": "a"}},
                "ingress": [{"from": [{"podSelector": {"matchLabels": {"pod": "b"}}}]}]
            }
        }),
        json!({
            "metadata": {"name": "from-y-c", "namespace": "x"},
            "spec": {
                "podSelector": {"matchLabels": {"pod": "a"}},
                "ingress": [{"from": [{
                    "namespaceSelector": {"matchLabels": {"ns": "y"}},
                    "podSelector": {"matchLabels": {"pod": "c"}}
                }]}]
            }
        }),
    ]);
    let expected = table([
        "X........",
        ".........",
        "X........",
        "X........",
        "X........",
        ".........",
        "X........",
        "X........",
        "X........",
    ]);
    assert_eq!(matrix(&p, 80), expected);
    // Each alone admits only its own peer.
    let only_b = matrix(&p[..1], 80);
    assert!(only_b.contains("x/b\t.\t") && only_b.contains("y/c\tX\t"));
}

/// Same-namespace podSelector: a policy in y allowing from pod=a must not admit x/a or z/a.
#[test]
fn pod_selector_is_namespace_scoped() {
    let p = k8s(&[json!({
        "metadata": {"name": "from-a", "namespace": "y"},
        "spec": {
            "podSelector": {},
            "ingress": [{"from": [{"podSelector": {"matchLabels": {"pod": "a"}}}]}]
        }
    })]);
    let expected = table([
        "...XXX...",
        "...XXX...",
        "...XXX...",
        ".........",
        "...XXX...",
        "...XXX...",
        "...XXX...",
        "...XXX...",
        "...XXX...",
    ]);
    assert_eq!(matrix(&p, 80), expected);
}
