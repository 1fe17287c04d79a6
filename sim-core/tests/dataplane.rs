//! Per-node dataplane details: devices, MTUs and their overrides, VXLAN entries, backends.

use sim_core::dataplane::{LinkKind, NodeDataplane};
use sim_core::scenario::SourceFile;
use sim_core::state::{self, ClusterState};

fn cluster(calico: &str, pool: &str, extra: &str) -> ClusterState {
    let text = format!(
        "apiVersion: calisim.dev/v1alpha1\nkind: Cluster\nmetadata: {{name: t}}\nspec:\n  calico: {{{calico}}}\n  networks: [{{name: lan, cidr: 192.168.56.0/24, mtu: 9000}}]\n  nodes:\n    - {{name: n1, interfaces: [{{name: eth0, network: lan, address: 192.168.56.11}}]}}\n    - {{name: n2, interfaces: [{{name: eth0, network: lan, address: 192.168.56.12}}]}}\n  pods:\n    - {{name: a, node: n1}}\n    - {{name: b, node: n2}}\n---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {{name: p}}\nspec: {{cidr: 10.244.0.0/16, {pool}}}\n{extra}"
    );
    let (c, _) = state::load(&[SourceFile::new("t.yaml", text)]).unwrap_or_else(|d| panic!("{d}"));
    state::compute(c)
}

fn link<'a>(dp: &'a NodeDataplane, name: &str) -> &'a sim_core::dataplane::Link {
    dp.links
        .iter()
        .find(|l| l.name == name)
        .unwrap_or_else(|| panic!("{} has no {name}", dp.name))
}

#[test]
fn mtus_follow_the_host_and_felix_overrides() {
    let s = cluster("", "ipipMode: Always", "");
    assert_eq!(
        (link(&s.dataplane[0], "tunl0").mtu, s.dataplane[0].mtu.pod),
        (8980, 8980)
    );
    let felix = "---\napiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: {ipipMTU: 1400}\n---\napiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: node.n2}\nspec: {ipipMTU: 1300}\n";
    let s = cluster("", "ipipMode: Always", felix);
    assert_eq!(link(&s.dataplane[0], "tunl0").mtu, 1400);
    assert_eq!(
        (link(&s.dataplane[1], "tunl0").mtu, s.dataplane[1].mtu.pod),
        (1300, 1300)
    );
    let s = cluster("version: v3.16", "vxlanMode: Always", "");
    assert_eq!(link(&s.dataplane[0], "vxlan.calico").mtu, 1410);
}

#[test]
fn host_veths_are_named_and_paired_as_calico_does() {
    let s = cluster("", "ipipMode: Always", "");
    let dp = &s.dataplane[0];
    let pod = &dp.pods[0];
    let veth = link(dp, &pod.host_veth);
    assert_eq!(
        pod.host_veth,
        sim_core::naming::host_veth_name("cali", "default", "a")
    );
    assert_eq!(veth.mac.as_deref(), Some("ee:ee:ee:ee:ee:ee"));
    assert_eq!(
        (veth.peer_ifindex, pod.host_veth_ifindex),
        (Some(pod.eth0_ifindex), veth.ifindex)
    );
    assert!(matches!(veth.kind, LinkKind::HostVeth { .. }));
}

#[test]
fn vxlan_nodes_get_a_vtep_arp_and_fdb_entry_for_each_other_node() {
    let s = cluster("", "vxlanMode: Always", "");
    let (n1, n2) = (&s.dataplane[0], &s.dataplane[1]);
    let vxlan = link(n1, "vxlan.calico");
    assert!(
        matches!(&vxlan.kind, LinkKind::Vxlan { vni: 4096, port: 4789, parent, .. } if parent == "eth0")
    );
    assert_eq!(
        vxlan.mac.as_deref(),
        Some(sim_core::naming::format_mac(&sim_core::naming::vxlan_mac("n1")).as_str())
    );
    let vtep2 = s.ipam.tunnels[1].vxlan.expect("n2 has a VTEP").to_string();
    assert_eq!(n1.neighbours.len(), 1);
    assert_eq!(n1.neighbours[0].ip.to_string(), vtep2);
    assert_eq!(
        n1.neighbours[0].mac,
        sim_core::naming::format_mac(&sim_core::naming::vxlan_mac("n2"))
    );
    assert_eq!(
        (n1.fdb[0].mac.as_str(), n1.fdb[0].dst.to_string()),
        (n1.neighbours[0].mac.as_str(), "192.168.56.12".to_string())
    );
    assert_eq!(
        n2.neighbours[0].mac,
        sim_core::naming::format_mac(&sim_core::naming::vxlan_mac("n1"))
    );
}

#[test]
fn the_vxlan_backend_runs_no_bgp_but_felix_still_routes() {
    let s = cluster("networkingBackend: vxlan", "vxlanMode: Always", "");
    assert!(s.bgp.sessions.is_empty());
    let out = sim_core::render::status::node_status(&s, 0);
    assert!(
        out.contains("The BGP backend process (BIRD) is not running."),
        "{out}"
    );
    let routes = sim_core::render::routes::ip_route(&s.dataplane[0]);
    assert!(
        routes
            .lines()
            .any(|l| l.contains("dev vxlan.calico onlink")),
        "{routes}"
    );
}

#[test]
fn without_bgp_an_ipip_cluster_has_no_routes_between_nodes() {
    // Mesh off and no peers: BIRD has nobody to learn from.
    let conf = "---\napiVersion: projectcalico.org/v3\nkind: BGPConfiguration\nmetadata: {name: default}\nspec: {nodeToNodeMeshEnabled: false}\n";
    let s = cluster("", "ipipMode: Always", conf);
    let routes = sim_core::render::routes::ip_route(&s.dataplane[0]);
    assert!(!routes.contains("tunl0"), "{routes}");
    assert!(sim_core::render::status::node_status(&s, 0).contains("No IPv4 peers found."));
}
