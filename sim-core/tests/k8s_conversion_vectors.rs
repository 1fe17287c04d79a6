//! Every case of `../shared/vectors/k8s_networkpolicy_conversion.json` (Calico's conversion_test.go)
//! converted and compared field by field.

// In calisim this is `use sim_core::policy::...`.
use sim_core::policy::k8s::{convert, K8sNetworkPolicy};
use sim_core::policy::model::{EntityRule, PolicyType, Port, Protocol, Rule};

use serde_json::Value;

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/vectors/k8s_networkpolicy_conversion.json"
);

fn load() -> Value {
    let text = std::fs::read_to_string(VECTORS).unwrap_or_else(|_| {
        panic!(
            "../shared is missing: expected {VECTORS}; calisim's vector tests need ../shared beside the repo"
        )
    });
    serde_json::from_str(&text).expect("vector file is valid JSON")
}

/// Partial comparison of an entity against an expected JSON object (only keys present).
fn check_entity(ctx: &str, actual: &EntityRule, expected: &Value, checks: &mut usize) {
    let obj = expected
        .as_object()
        .unwrap_or_else(|| panic!("{ctx}: entity not an object"));
    for (k, v) in obj {
        let ctx = format!("{ctx}.{k}");
        match k.as_str() {
            "selector" => assert_eq!(actual.selector, v.as_str().unwrap(), "{ctx}"),
            "namespaceSelector" => {
                assert_eq!(actual.namespace_selector, v.as_str().unwrap(), "{ctx}")
            }
            "nets" => {
                let want: Vec<String> = serde_json::from_value(v.clone()).unwrap();
                assert_eq!(actual.nets, want, "{ctx}");
            }
            "notNets" => {
                let want: Vec<String> = serde_json::from_value(v.clone()).unwrap();
                assert_eq!(actual.not_nets, want, "{ctx}");
            }
            "ports" => {
                // Vectors write numeric ports as 80 or "80"; both are SinglePort(80) in Calico.
                let want: Vec<Port> = serde_json::from_value(v.clone()).unwrap();
                assert_eq!(actual.ports, want, "{ctx}");
            }
            other => panic!("{ctx}: unknown expected entity key {other:?}"),
        }
        *checks += 1;
    }
}

/// Partial comparison of a rule (only the keys the vector gives).
fn check_rule_partial(ctx: &str, actual: &Rule, expected: &Value, checks: &mut usize) {
    for (k, v) in expected.as_object().unwrap() {
        let ctx = format!("{ctx}.{k}");
        match k.as_str() {
            "action" => {
                assert_eq!(
                    actual.action,
                    serde_json::from_value(v.clone()).unwrap(),
                    "{ctx}"
                );
                *checks += 1;
            }
            "protocol" => {
                let want: Protocol = serde_json::from_value(v.clone()).unwrap();
                assert_eq!(actual.protocol, Some(want), "{ctx}");
                *checks += 1;
            }
            "source" => check_entity(&ctx, &actual.source, v, checks),
            "destination" => check_entity(&ctx, &actual.destination, v, checks),
            other => panic!("{ctx}: unknown expected rule key {other:?}"),
        }
    }
}

/// Exact rule expectation (Go test used Equal): unspecified fields must be zero.
fn exact_rule(ctx: &str, v: &Value) -> Rule {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{ctx}: bad expected rule: {e}"))
}

#[test]
fn k8s_networkpolicy_conversion_vectors() {
    let vectors = load();
    let cases = vectors["cases"].as_array().expect("cases array");
    assert_eq!(cases.len(), 24, "vector file should hold 24 cases");
    let mut passed = 0;
    let mut total_checks = 0;
    for case in cases {
        let title = case["title"].as_str().unwrap();
        let np: K8sNetworkPolicy = serde_json::from_value(case["input"].clone())
            .unwrap_or_else(|e| panic!("{title}: input does not deserialise: {e}"));
        let converted = convert(&np).unwrap_or_else(|e| panic!("{title}: {e}"));
        // None of the vector cases has a bad rule.
        assert!(
            converted.errors.is_empty(),
            "{title}: {:?}",
            converted.errors
        );
        let pol = &converted.policy;
        let spec = &pol.spec;
        let expected = case["expected"].as_object().unwrap();
        assert!(!expected.is_empty(), "{title}: no expectations");
        let mut checks = 0;
        for (key, want) in expected {
            let ctx = format!("{title}: {key}");
            match key.as_str() {
                "name" => assert_eq!(pol.metadata.name, want.as_str().unwrap(), "{ctx}"),
                "namespace" => assert_eq!(pol.metadata.namespace, want.as_str().unwrap(), "{ctx}"),
                "order" => assert_eq!(spec.order, Some(want.as_f64().unwrap()), "{ctx}"),
                "selector" => assert_eq!(spec.selector, want.as_str().unwrap(), "{ctx}"),
                "types" => {
                    let t: Vec<PolicyType> = serde_json::from_value(want.clone()).unwrap();
                    assert_eq!(spec.types.as_ref(), Some(&t), "{ctx}");
                }
                "ingress" | "egress" => {
                    let actual = if key == "ingress" {
                        &spec.ingress
                    } else {
                        &spec.egress
                    };
                    let want: Vec<Rule> = want
                        .as_array()
                        .unwrap()
                        .iter()
                        .enumerate()
                        .map(|(i, r)| exact_rule(&format!("{ctx}[{i}]"), r))
                        .collect();
                    assert_eq!(actual, &want, "{ctx}");
                }
                "ingress_unordered" | "egress_unordered" => {
                    let actual = if key == "ingress_unordered" {
                        &spec.ingress
                    } else {
                        &spec.egress
                    };
                    let mut remaining: Vec<Rule> = actual.clone();
                    let want = want.as_array().unwrap();
                    assert_eq!(remaining.len(), want.len(), "{ctx}: count");
                    for (i, r) in want.iter().enumerate() {
                        let r = exact_rule(&format!("{ctx}[{i}]"), r);
                        let pos = remaining
                            .iter()
                            .position(|a| *a == r)
                            .unwrap_or_else(|| panic!("{ctx}[{i}]: {r:?} not in {actual:?}"));
                        remaining.remove(pos);
                    }
                }
                "ingress_in_order" | "egress_in_order" => {
                    let actual = if key == "ingress_in_order" {
                        &spec.ingress
                    } else {
                        &spec.egress
                    };
                    let want = want.as_array().unwrap();
                    assert!(
                        actual.len() >= want.len(),
                        "{ctx}: too few rules: {actual:?}"
                    );
                    for (i, r) in want.iter().enumerate() {
                        check_rule_partial(&format!("{ctx}[{i}]"), &actual[i], r, &mut checks);
                    }
                }
                "ingress_count" => {
                    assert_eq!(spec.ingress.len() as u64, want.as_u64().unwrap(), "{ctx}")
                }
                "egress_count" => {
                    assert_eq!(spec.egress.len() as u64, want.as_u64().unwrap(), "{ctx}")
                }
                "ingress_source_selectors_in_order" => {
                    let got: Vec<&str> = spec
                        .ingress
                        .iter()
                        .map(|r| r.source.selector.as_str())
                        .collect();
                    let want: Vec<&str> = want
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|s| s.as_str().unwrap())
                        .collect();
                    assert_eq!(got, want, "{ctx}");
                }
                other => panic!("{title}: unknown expectation key {other:?} — extend this test"),
            }
            checks += 1;
        }
        total_checks += checks;
        passed += 1;
    }
    assert_eq!(passed, 24);
    eprintln!("k8s conversion vectors: {passed}/24 cases passed, {total_checks} field checks");
}

/// Serialising the converted policy gives Calico's JSON shape (ports as numbers, omitted empties).
#[test]
fn converted_policy_serialises_like_calico() {
    let vectors = load();
    let np: K8sNetworkPolicy =
        serde_json::from_value(vectors["cases"][0]["input"].clone()).unwrap();
    let c = convert(&np).unwrap();
    let v = serde_json::to_value(&c.policy).unwrap();
    assert_eq!(
        v,
        serde_json::json!({
            "metadata": {"name": "knp.default.test.policy", "namespace": "default"},
            "spec": {
                "order": 1000.0,
                "selector": "projectcalico.org/orchestrator == 'k8s' && label == 'value' && label2 == 'value2'",
                "types": ["Ingress"],
                "ingress": [{
                    "action": "Allow",
                    "protocol": "TCP",
                    "source": {"selector": "projectcalico.org/orchestrator == 'k8s' && k == 'v' && k2 == 'v2'"},
                    "destination": {"ports": [80, "foo"]}
                }]
            }
        })
    );
}
