//! Vector tests for names and MACs, Felix's MTU rules and `calicoctl node status`: every case of
//! `naming.json` (except `cidr_resource_name`, tested where CIDR names live), every case of
//! `mtu.json`, every line case and the rendered example of `node_status.json`.

// The only lines naming the crate. In calisim they become `sim_core::naming`, `sim_core::mtu` and
// `sim_core::render::node_status`.
use sim_core::mtu::{self, EnabledEncaps, MtuOverrides, Overheads, TunnelMtus};
use sim_core::naming::{
    format_mac, host_veth_name, tunnel_handle, vxlan_mac, vxlan_v6_mac, workload_endpoint_name,
};
use sim_core::render::node_status::{self, PeerRow, PeerType};

use serde::Deserialize;
use std::path::Path;

/// Absolute path of a vector file under `../shared/vectors` (beside the repository).
macro_rules! vector {
    ($file:literal) => {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors/", $file)
    };
}

fn read_shared(path: &str) -> String {
    if !Path::new(path).exists() {
        panic!(
            "../shared is missing: expected {path}; calisim's vector tests need ../shared beside the repo"
        );
    }
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn load<T: for<'de> Deserialize<'de>>(path: &str) -> T {
    serde_json::from_str(&read_shared(path)).unwrap_or_else(|e| panic!("cannot parse {path}: {e}"))
}

// ---------------------------------------------------------------------------------------------
// naming.json

#[derive(Deserialize)]
struct Naming {
    host_veth_name: Group<VethCase>,
    vxlan_tunnel_mac: Group<MacCase>,
    workload_endpoint_name: Group<WepCase>,
    tunnel_ipam_handles: Group<HandleCase>,
    cidr_resource_name: Group<serde_json::Value>,
}

#[derive(Deserialize)]
struct Group<C> {
    cases: Vec<C>,
}

#[derive(Deserialize)]
struct VethCase {
    namespace: String,
    pod: String,
    expected: String,
}

#[derive(Deserialize)]
struct MacCase {
    node: String,
    ipv6: bool,
    expected: String,
}

#[derive(Deserialize)]
struct WepCase {
    node: String,
    orchestrator: String,
    pod: Option<String>,
    #[serde(rename = "containerID")]
    container_id: Option<String>,
    workload: Option<String>,
    endpoint: String,
    expected: String,
}

#[derive(Deserialize)]
struct HandleCase {
    #[serde(rename = "type")]
    attribute_type: String,
    node: String,
    handle: String,
}

fn naming_vectors() -> Naming {
    load(vector!("naming.json"))
}

#[test]
fn naming_has_every_group() {
    let v = naming_vectors();
    // cidr_resource_name belongs to the IPAM block naming tests; only its presence is checked.
    assert!(!v.cidr_resource_name.cases.is_empty());
    assert!(!v.host_veth_name.cases.is_empty());
    assert!(!v.vxlan_tunnel_mac.cases.is_empty());
    assert!(!v.workload_endpoint_name.cases.is_empty());
    assert!(!v.tunnel_ipam_handles.cases.is_empty());
}

#[test]
fn naming_host_veth_names() {
    let cases = naming_vectors().host_veth_name.cases;
    assert!(!cases.is_empty());
    for c in &cases {
        assert_eq!(
            host_veth_name("cali", &c.namespace, &c.pod),
            c.expected,
            "veth name of {}/{}",
            c.namespace,
            c.pod
        );
    }
}

#[test]
fn naming_vxlan_macs() {
    let cases = naming_vectors().vxlan_tunnel_mac.cases;
    assert!(cases.iter().any(|c| c.ipv6) && cases.iter().any(|c| !c.ipv6));
    for c in &cases {
        let mac = if c.ipv6 {
            vxlan_v6_mac(&c.node)
        } else {
            vxlan_mac(&c.node)
        };
        assert_eq!(
            format_mac(&mac),
            c.expected,
            "MAC of {} (ipv6 {})",
            c.node,
            c.ipv6
        );
    }
}

#[test]
fn naming_workload_endpoint_names() {
    let cases = naming_vectors().workload_endpoint_name.cases;
    for orch in ["k8s", "cni", "libnetwork"] {
        assert!(
            cases.iter().any(|c| c.orchestrator == orch),
            "no {orch} case"
        );
    }
    for c in &cases {
        // The third identifier: pod (k8s), containerID (cni), workload (others), none (libnetwork).
        let given: Vec<&String> = [&c.pod, &c.container_id, &c.workload]
            .into_iter()
            .flatten()
            .collect();
        assert!(
            given.len() <= 1,
            "case {} names several workloads",
            c.expected
        );
        let workload = given.first().map_or("", |s| s.as_str());
        assert_eq!(
            workload_endpoint_name(&c.node, &c.orchestrator, workload, &c.endpoint),
            c.expected
        );
    }
}

#[test]
fn naming_tunnel_handles() {
    let cases = naming_vectors().tunnel_ipam_handles.cases;
    assert_eq!(cases.len(), 5, "the five tunnel kinds");
    for c in &cases {
        assert_eq!(
            tunnel_handle(&c.attribute_type, &c.node).as_deref(),
            Some(c.handle.as_str()),
            "handle for {}",
            c.attribute_type
        );
    }
}

// ---------------------------------------------------------------------------------------------
// mtu.json

#[derive(Deserialize)]
struct Mtu {
    formulas: MtuFormulas,
    cases: Vec<MtuCase>,
}

#[derive(Deserialize)]
struct MtuFormulas {
    overheads: MtuOverheads,
    #[serde(rename = "v3.16_static_defaults")]
    v3_16: V316Defaults,
}

#[derive(Deserialize)]
struct MtuOverheads {
    ipip: u32,
    vxlan_v4: u32,
    vxlan_v6: u32,
    wireguard_v4: u32,
    wireguard_v6: u32,
    aks_extra_when_wireguard_host_encryption: u32,
}

#[derive(Deserialize)]
struct V316Defaults {
    #[serde(rename = "IpInIpMtu")]
    ip_in_ip_mtu: u32,
    #[serde(rename = "VXLANMTU")]
    vxlan_mtu: u32,
    #[serde(rename = "WireguardMTU")]
    wireguard_mtu: u32,
}

#[derive(Deserialize)]
struct MtuCase {
    host_mtu: u32,
    ipip_mtu: u32,
    vxlan_mtu_v4: u32,
    vxlan_mtu_v6: u32,
    wireguard_mtu_v4: u32,
    wireguard_mtu_v6: u32,
    pod_mtu_if_only_ipip: u32,
    pod_mtu_if_only_vxlan_v4: u32,
    pod_mtu_if_vxlan_v4_and_wireguard_v4: u32,
    pod_mtu_if_no_encap: u32,
}

fn mtu_vectors() -> Mtu {
    load(vector!("mtu.json"))
}

#[test]
fn mtu_overheads_and_v3_16_defaults() {
    let f = mtu_vectors().formulas;
    let o = &f.overheads;
    assert_eq!(
        [
            o.ipip,
            o.vxlan_v4,
            o.vxlan_v6,
            o.wireguard_v4,
            o.wireguard_v6
        ],
        [
            Overheads::IPIP,
            Overheads::VXLAN_V4,
            Overheads::VXLAN_V6,
            Overheads::WIREGUARD_V4,
            Overheads::WIREGUARD_V6
        ]
    );
    assert_eq!(
        o.aks_extra_when_wireguard_host_encryption,
        Overheads::AKS_WIREGUARD_HOST_ENCRYPTION_EXTRA
    );
    let t = TunnelMtus::v3_16(&MtuOverrides::default());
    assert_eq!(
        (t.ipip, t.vxlan, t.wireguard),
        (
            f.v3_16.ip_in_ip_mtu,
            f.v3_16.vxlan_mtu,
            f.v3_16.wireguard_mtu
        )
    );
}

#[test]
fn mtu_cases() {
    let cases = mtu_vectors().cases;
    assert!(!cases.is_empty());
    let none = EnabledEncaps::default();
    let only_ipip = EnabledEncaps { ipip: true, ..none };
    let only_vxlan = EnabledEncaps {
        vxlan: true,
        ..none
    };
    let vxlan_wg = EnabledEncaps {
        vxlan: true,
        wireguard: true,
        ..none
    };
    for c in &cases {
        let h = c.host_mtu;
        // Detection: the host MTU is that of the only matching link; loopback and Calico's own
        // devices do not count.
        let links = [
            ("lo", 65536),
            ("eth0", h),
            ("tunl0", 1),
            ("cali7f94ce7c295", 1),
        ];
        assert_eq!(mtu::host_mtu(&links), h);

        let t = TunnelMtus::auto(h, &MtuOverrides::default());
        let got = [t.ipip, t.vxlan, t.vxlan_v6, t.wireguard, t.wireguard_v6];
        let want = [
            c.ipip_mtu,
            c.vxlan_mtu_v4,
            c.vxlan_mtu_v6,
            c.wireguard_mtu_v4,
            c.wireguard_mtu_v6,
        ];
        assert_eq!(got, want, "tunnel MTUs for host MTU {h}");

        assert_eq!(
            mtu::pod_mtu(h, &t, &only_ipip),
            c.pod_mtu_if_only_ipip,
            "{h}"
        );
        assert_eq!(
            mtu::pod_mtu(h, &t, &only_vxlan),
            c.pod_mtu_if_only_vxlan_v4,
            "{h}"
        );
        assert_eq!(
            mtu::pod_mtu(h, &t, &vxlan_wg),
            c.pod_mtu_if_vxlan_v4_and_wireguard_v4,
            "{h}"
        );
        assert_eq!(mtu::pod_mtu(h, &t, &none), c.pod_mtu_if_no_encap, "{h}");
    }
}

// ---------------------------------------------------------------------------------------------
// node_status.json

#[derive(Deserialize)]
struct NodeStatus {
    line_cases: Vec<LineCase>,
    rendered_example_from_docs: String,
}

#[derive(Deserialize)]
struct LineCase {
    line: String,
    parsed: bool,
    peer: Option<ExpectedPeer>,
}

#[derive(Deserialize)]
struct ExpectedPeer {
    address: String,
    #[serde(rename = "type")]
    peer_type: String,
    state: String,
    since: String,
    bgp_state: String,
    info: String,
}

fn node_status_vectors() -> NodeStatus {
    load(vector!("node_status.json"))
}

#[test]
fn node_status_line_cases() {
    let cases = node_status_vectors().line_cases;
    assert!(cases.iter().any(|c| c.parsed) && cases.iter().any(|c| !c.parsed));
    for c in &cases {
        let got = node_status::parse_bird_line(&c.line);
        if !c.parsed {
            assert_eq!(got, None, "{:?} is not a peer line", c.line);
            continue;
        }
        let want = c.peer.as_ref().expect("a parsed case gives its peer");
        let row = got.unwrap_or_else(|| panic!("{:?} should parse", c.line));
        // calicoctl prints BGP state and extra info in one INFO column.
        let info = if want.info.is_empty() {
            want.bgp_state.clone()
        } else {
            format!("{} {}", want.bgp_state, want.info)
        };
        assert_eq!(row.address, want.address, "{:?}", c.line);
        assert_eq!(row.peer_type.to_string(), want.peer_type, "{:?}", c.line);
        assert_eq!(
            serde_json::to_value(row.peer_type).expect("serialises"),
            want.peer_type.as_str()
        );
        assert_eq!(row.state, want.state, "{:?}", c.line);
        assert_eq!(row.since, want.since, "{:?}", c.line);
        assert_eq!(row.info, info, "{:?}", c.line);
    }
}

#[test]
fn node_status_rendered_example() {
    let doc = node_status_vectors().rendered_example_from_docs;
    let row = PeerRow {
        address: "172.17.8.102".into(),
        peer_type: PeerType::Mesh,
        state: "up".into(),
        since: "23:30:04".into(),
        info: "Established".into(),
    };
    // The same row, as parsed from BIRD's output.
    assert_eq!(
        node_status::parse_bird_line("Mesh_172_17_8_102 BGP master up 23:30:04 Established"),
        Some(row.clone())
    );
    let got = node_status::render(&[row], &[]);
    // calicoctl ends with a bare fmt.Println() (an empty last line); the docs page drops it.
    let want = if doc.ends_with("\n\n") {
        doc.clone()
    } else {
        format!("{doc}\n")
    };
    assert_eq!(got, want);
}
