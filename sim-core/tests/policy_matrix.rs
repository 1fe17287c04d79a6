//! The fast verdict path of `calisim matrix` agrees with the explaining one on every pair.

use sim_core::policy::Protocol;
use sim_core::scenario::SourceFile;
use sim_core::state;

const POLICIES: &str = "---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: api}}}], ports: [{port: 5432}]}]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: web-log-then-pass, namespace: default}
spec:
  order: 10
  selector: app == 'web'
  ingress: [{action: Log}, {action: Pass, source: {selector: app == 'debug'}}, {action: Deny, protocol: TCP}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: no-debug-egress}
spec:
  order: 5
  selector: app == 'debug'
  types: [Egress]
  egress: [{action: Allow, protocol: UDP}, {action: Deny, destination: {notNets: [10.0.0.0/8]}}]
";

#[test]
fn fast_and_explained_verdicts_agree() {
    let base = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../labs/default/scenario.yaml"
    ))
    .expect("default scenario");
    let (cluster, _) = state::load(&[SourceFile::new("t.yaml", base + POLICIES)])
        .unwrap_or_else(|d| panic!("{d}"));
    let s = state::compute(cluster);
    let mut checked = 0;
    for (proto, port) in [
        (Protocol::Tcp, Some(80)),
        (Protocol::Tcp, Some(5432)),
        (Protocol::Udp, Some(53)),
        (Protocol::Icmp, None),
    ] {
        let m = sim_core::render::matrix::matrix(&s, proto, port);
        for (i, from) in m.pods.iter().enumerate() {
            for (j, to) in m.pods.iter().enumerate().filter(|(j, _)| *j != i) {
                let v = sim_core::render::matrix::explain(&s, from, to, proto, port)
                    .expect("both have addresses");
                assert_eq!(
                    m.allowed[i][j], v.allowed,
                    "{from} -> {to} {proto:?}/{port:?}: {v:?}"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 4 * 5 * 4);
    // Some pairs are denied and some allowed, so the comparison means something.
    let m = sim_core::render::matrix::matrix(&s, Protocol::Tcp, Some(80));
    let flat: Vec<bool> = m.allowed.concat();
    assert!(flat.contains(&true) && flat.contains(&false));
}
