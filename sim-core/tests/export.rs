//! Export, then import: the same computed state (addresses, sessions, every route).

mod common;

use common::compute;
use sim_core::export::{export, ExportMode, ExportOptions};
use sim_core::state::ClusterState;

/// What must survive the round trip: addresses, node addresses, sessions, dataplanes.
fn essence(s: &ClusterState) -> serde_json::Value {
    serde_json::json!({
        "ipam": s.ipam,
        "node_addresses": s.node_addresses,
        "sessions": s.bgp.sessions,
        "dataplane": s.dataplane,
        "policies": s.cluster.policies,
        "pools": s.cluster.pools.iter().map(|p| (p.name.clone(), p.cidr.to_string(), p.ipip_mode, p.vxlan_mode, p.nat_outgoing, p.block_size)).collect::<Vec<_>>(),
    })
}

/// Export options that make the output a complete scenario again (for re-import).
fn as_scenario(mode: ExportMode) -> ExportOptions {
    ExportOptions {
        mode,
        registry: None,
        calico_version: None,
        topology: true,
    }
}

#[test]
fn exporting_then_importing_gives_the_same_state() {
    let mut checked = 0;
    for path in common::scenario_paths() {
        let original = compute(
            &path.display().to_string(),
            std::fs::read_to_string(&path).expect("readable"),
        );
        for mode in [ExportMode::Manifest, ExportMode::Operator] {
            let text = export(&original.cluster, &as_scenario(mode));
            let again = compute("export.yaml", text.clone());
            assert_eq!(
                essence(&again),
                essence(&original),
                "{} ({mode:?}) changed in the round trip:\n{text}",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} round trips");
}

#[test]
fn the_registry_rewrites_every_image() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../labs/default/scenario.yaml");
    let s = compute(
        "default",
        std::fs::read_to_string(path).expect("default scenario"),
    );
    let opts = ExportOptions {
        mode: ExportMode::Manifest,
        registry: Some("registry.lab:5000".into()),
        calico_version: None,
        topology: false,
    };
    let text = export(&s.cluster, &opts);
    let images: Vec<&str> = text
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix("image: ")
                .or_else(|| l.trim().strip_prefix("- image: "))
        })
        .collect();
    assert!(images.len() >= 4 + s.cluster.pods.len(), "{images:?}");
    assert!(
        images.iter().all(|i| i.starts_with("registry.lab:5000/")),
        "{images:?}"
    );
    assert!(text.contains("kind: Pod") && text.contains("nodeName: minikube-m02"));
    let opts = ExportOptions {
        mode: ExportMode::Operator,
        registry: Some("registry.lab:5000".into()),
        calico_version: None,
        topology: false,
    };
    let text = export(&s.cluster, &opts);
    assert!(text.contains("registry: registry.lab:5000/"), "{text}");
    assert!(text.contains("encapsulation: IPIP"), "{text}");
}

#[test]
fn policies_survive_the_round_trip() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../labs/default/scenario.yaml");
    let policies = "---\napiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: api, namespace: shop}\nspec:\n  order: 10\n  selector: app == 'api'\n  ingress: [{action: Allow, protocol: TCP, source: {selector: app == 'web'}, destination: {ports: [8080, \"9000:9010\"]}}]\n---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: deny-db-egress}\nspec: {selector: app == 'db', types: [Egress]}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: db, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: api}}}], ports: [{port: 5432}]}]\n";
    let text = std::fs::read_to_string(path).expect("default scenario") + policies;
    let original = compute("default", text);
    assert_eq!(original.cluster.policies.len(), 3);
    for mode in [ExportMode::Manifest, ExportMode::Operator] {
        let exported = export(&original.cluster, &as_scenario(mode));
        assert!(
            exported.contains("kind: NetworkPolicy")
                && exported.contains("apiVersion: networking.k8s.io/v1"),
            "{exported}"
        );
        let again = compute("export.yaml", exported);
        assert_eq!(essence(&again), essence(&original));
    }
}
