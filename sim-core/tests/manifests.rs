//! Real Calico manifests (../shared/fixtures/manifests, v3.13–v3.28) load as they are, and
//! calico-node's environment in them decides the version, backend, default pool and MTUs.

use std::path::{Path, PathBuf};

use sim_core::model::{Backend, EncapMode};
use sim_core::scenario::SourceFile;
use sim_core::state::{self, ClusterState};

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/fixtures/manifests"
);

/// Two nodes on a 10.10.0.0/24 LAN, no kubeadm section, two pods.
const CLUSTER: &str = "apiVersion: calisim.dev/v1alpha1\nkind: Cluster\nmetadata: {name: t}\nspec:\n  networks: [{name: lan, cidr: 10.10.0.0/24, gateway: 10.10.0.1}]\n  nodes:\n    - {name: n1, interfaces: [{name: eth0, network: lan, address: 10.10.0.11}]}\n    - {name: n2, interfaces: [{name: eth0, network: lan, address: 10.10.0.12}]}\n  pods: [{name: a, node: n1}, {name: b, node: n2}]\n";

const OPERATOR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/fixtures/operator"
);

fn fixtures() -> Vec<PathBuf> {
    yaml_files(FIXTURES)
}

fn yaml_files(root: &str) -> Vec<PathBuf> {
    let dir = Path::new(root);
    assert!(dir.is_dir(), "../shared is missing: expected {root}; calisim's fixture tests need ../shared beside the repo");
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("readable fixture dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn with_manifest(path: &Path) -> Result<ClusterState, String> {
    let text = std::fs::read_to_string(path).expect("readable manifest");
    let files = [
        SourceFile::new("cluster.yaml", CLUSTER),
        SourceFile::new(path.display().to_string(), text),
    ];
    state::load(&files)
        .map(|(c, _)| state::compute(c))
        .map_err(|d| d.to_string())
}

fn manifest(rel: &str) -> ClusterState {
    let path = Path::new(FIXTURES).join(rel);
    with_manifest(&path).unwrap_or_else(|e| panic!("{rel}:\n{e}"))
}

#[test]
fn every_real_manifest_loads() {
    let all = fixtures();
    assert!(
        all.len() >= 25,
        "expected the manifest fixtures, found {}",
        all.len()
    );
    for path in all {
        if let Err(e) = with_manifest(&path) {
            panic!("{} does not load:\n{e}", path.display());
        }
    }
}

#[test]
fn the_v3_28_manifest_installs_an_ipip_pool_on_192_168() {
    let s = manifest("calico-v3.28.2/calico.yaml");
    assert_eq!(s.cluster.calico_version.to_string(), "v3.28.2");
    assert_eq!(s.cluster.backend, Backend::Bird);
    let p = &s.cluster.pools[0];
    assert_eq!(
        (
            p.cidr.to_string(),
            p.ipip_mode,
            p.vxlan_mode,
            p.nat_outgoing
        ),
        (
            "192.168.0.0/16".into(),
            EncapMode::Always,
            EncapMode::Never,
            true
        )
    );
}

#[test]
fn calico_vxlan_yaml_runs_felix_vxlan_without_bird() {
    let s = manifest("calico-v3.28.2/calico-vxlan.yaml");
    assert_eq!(s.cluster.backend, Backend::Vxlan);
    let p = &s.cluster.pools[0];
    assert_eq!(
        (p.ipip_mode, p.vxlan_mode),
        (EncapMode::Never, EncapMode::CrossSubnet)
    );
    assert!(s.bgp.sessions.is_empty(), "no BIRD, no sessions");
    // Same subnet and CrossSubnet: Felix routes straight out of eth0.
    let routes = sim_core::render::routes::ip_route(&s.dataplane[0]);
    assert!(
        routes
            .lines()
            .any(|l| l.ends_with("dev eth0 proto 80 onlink")),
        "{routes}"
    );
    // v3.20's calico-vxlan.yaml already used CrossSubnet; the v3.16-era one used Always and
    // left CALICO_IPV4POOL_IPIP unset, which calico-node reads as Never.
    let v3_20 = manifest("calico-v3.20.4-release/calico-vxlan.yaml");
    assert_eq!(v3_20.cluster.pools[0].vxlan_mode, EncapMode::CrossSubnet);
    let v3_16 = manifest("capz/capz-calico-v3.16.3-vxlan.yaml");
    assert_eq!(
        (
            v3_16.cluster.pools[0].ipip_mode,
            v3_16.cluster.pools[0].vxlan_mode
        ),
        (EncapMode::Never, EncapMode::Always)
    );
}

#[test]
fn a_customised_v3_16_manifest_keeps_its_edits() {
    // tmax install-cni 5.0: IPIP Never, CALICO_IPV4POOL_CIDR 10.0.0.0/16, first-found.
    let s = manifest("tmax-install-cni-5.0/calico.yaml");
    assert_eq!(s.cluster.calico_version.to_string(), "v3.16.6");
    let p = &s.cluster.pools[0];
    assert_eq!(
        (p.cidr.to_string(), p.ipip_mode),
        ("10.0.0.0/16".into(), EncapMode::Never)
    );
    // v3.16's calico.yaml sets veth_mtu 1440: Felix takes it for every tunnel and the pods.
    assert_eq!(s.dataplane[0].mtu.pod, 1440);
}

#[test]
fn policy_only_installs_route_nothing() {
    let s = manifest("calico-v3.28.2/calico-policy-only.yaml");
    assert_eq!(s.cluster.backend, Backend::None);
    assert!(s.bgp.sessions.is_empty());
    assert!(s.node_addresses.iter().all(|a| a.address.is_none()));
}

fn with_installation(text: &str) -> Result<ClusterState, String> {
    let files = [
        SourceFile::new("cluster.yaml", CLUSTER),
        SourceFile::new("installation.yaml", text),
    ];
    state::load(&files)
        .map(|(c, _)| state::compute(c))
        .map_err(|d| d.to_string())
}

#[test]
fn every_operator_fixture_loads() {
    let all = yaml_files(OPERATOR);
    assert!(
        all.len() >= 15,
        "expected the operator fixtures, found {}",
        all.len()
    );
    for path in all {
        let text = std::fs::read_to_string(&path).expect("readable");
        if let Err(e) = with_installation(&text) {
            panic!("{} does not load:\n{e}", path.display());
        }
    }
}

#[test]
fn the_operator_default_custom_resources_give_a_vxlan_crosssubnet_pool() {
    let text = std::fs::read_to_string(
        Path::new(OPERATOR).join("v3.28.2__manifests__custom-resources.yaml"),
    )
    .expect("fixture");
    let s = with_installation(&text).expect("loads");
    let p = &s.cluster.pools[0];
    assert_eq!(
        (
            p.name.as_str(),
            p.cidr.to_string(),
            p.ipip_mode,
            p.vxlan_mode
        ),
        (
            "default-ipv4-ippool",
            "192.168.0.0/16".to_string(),
            EncapMode::Never,
            EncapMode::CrossSubnet
        )
    );
}

#[test]
fn installation_settings_drive_bgp_mtu_and_autodetection() {
    let text = "apiVersion: operator.tigera.io/v1\nkind: Installation\nmetadata: {name: default}\nspec:\n  calicoNetwork:\n    bgp: Disabled\n    mtu: 1400\n    nodeAddressAutodetectionV4: {canReach: 8.8.8.8}\n    ipPools: [{cidr: 10.48.0.0/16, encapsulation: VXLAN, natOutgoing: Disabled}]\n";
    let s = with_installation(text).expect("loads");
    assert_eq!(s.cluster.backend, Backend::Vxlan);
    assert!(!s.cluster.pools[0].nat_outgoing);
    assert_eq!(s.dataplane[0].mtu.pod, 1400);
    assert_eq!(
        s.node_addresses[0]
            .address
            .map(|a| a.to_string())
            .as_deref(),
        Some("10.10.0.11/24")
    );
}

#[test]
fn the_operator_refuses_pools_outside_kubeadms_pod_subnet() {
    let text = "apiVersion: operator.tigera.io/v1\nkind: Installation\nmetadata: {name: default}\nspec:\n  calicoNetwork:\n    ipPools: [{cidr: 192.168.0.0/16, encapsulation: VXLANCrossSubnet}]\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: kubeadm-config, namespace: kube-system}\ndata:\n  ClusterConfiguration: |\n    networking:\n      podSubnet: 10.244.0.0/16\n";
    let e = with_installation(text).expect_err("refused");
    assert!(e.contains("installation.yaml:6 (document 1): Installation[default].spec.calicoNetwork.ipPools: Could not resolve CalicoNetwork IPPool and kubeadm configuration: IPPool 192.168.0.0/16 is not within the platform's configured pod network CIDR(s) [10.244.0.0/16]"), "{e}");
}

#[test]
fn every_kubeadm_fixture_loads_and_a_config_file_sets_the_pod_subnet() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/kubeadm");
    for path in yaml_files(dir) {
        let text = std::fs::read_to_string(&path).expect("readable");
        let result = with_installation(&text);
        if path.to_string_lossy().ends_with(".template.yaml") {
            // `{podSubnet}`-style placeholders are not YAML: a clear error, never a panic.
            let e = result.expect_err("a template is not a valid config");
            assert!(
                e.contains("ClusterConfiguration: while parsing a block mapping"),
                "{e}"
            );
        } else if let Err(e) = result {
            panic!("{} does not load:\n{e}", path.display());
        }
    }
    let text =
        std::fs::read_to_string(Path::new(dir).join("k8s-website__kubeadm-single-stack.yaml"))
            .expect("fixture");
    let s = with_installation(&text).expect("loads");
    // No pool given: calico-node's default pool takes kubeadm's podSubnet.
    assert_eq!(s.cluster.pools[0].cidr.to_string(), "10.244.0.0/16");
}

#[test]
fn every_kubernetes_network_policy_fixture_loads_and_converts() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/fixtures/k8s-netpol"
    );
    let mut converted = 0;
    for path in yaml_files(dir) {
        let text = std::fs::read_to_string(&path).expect("readable");
        let snippet = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("snippet-"));
        match with_installation(&text) {
            Ok(s) => {
                converted += s
                    .cluster
                    .policies
                    .iter()
                    .filter(|p| p.name.starts_with("knp.default."))
                    .count()
            }
            // The recipes' snippet-N.yaml are fragments of a policy, not objects: a clear error.
            Err(e) if snippet => assert!(e.contains("error:"), "{e}"),
            Err(e) => panic!("{} does not load:\n{e}", path.display()),
        }
    }
    assert!(
        converted >= 20,
        "only {converted} Kubernetes policies converted"
    );
}

#[test]
fn bad_policy_selectors_name_the_rule_field() {
    let text = "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  selector: app == 'api'\n  ingress:\n    - action: Allow\n      source: {selector: \"app ==\"}\n";
    let e = with_installation(text).expect_err("bad selector");
    assert!(
        e.contains(
            "NetworkPolicy[shop/p].spec.ingress[0].source.selector: invalid selector `app ==`"
        ),
        "{e}"
    );
}

#[test]
fn malformed_manifests_name_the_document_and_the_field() {
    let text = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: calico-node, namespace: kube-system}\nspec:\n  template:\n    spec:\n      containers:\n        - name: calico-node\n          image: docker.io/calico/node:v3.28.2\n          env:\n            - {name: CALICO_IPV4POOL_IPIP, value: Sometimes}\n            - {name: CALICO_IPV4POOL_BLOCK_SIZE, value: \"19\"}\n";
    let e = with_installation(text).expect_err("malformed");
    assert!(e.contains("installation.yaml:10 (document 1): DaemonSet[kube-system/calico-node].spec.template.spec.containers[calico-node].env[CALICO_IPV4POOL_IPIP]: `Sometimes` is not Always, CrossSubnet or Never: calico-node exits"), "{e}");
    assert!(
        e.contains("env[CALICO_IPV4POOL_BLOCK_SIZE]: IPv4 block size must be between 20 and 32"),
        "{e}"
    );
}
