//! The links of a node's network namespace, numbered as the kernel numbers them.

use core::net::Ipv4Addr;

use ipnetwork::Ipv4Network;
use serde::Serialize;

use crate::ipam::gorand::fnv1_32;
use crate::model::{Cluster, NetworkId, NodeId, PodId};
use crate::naming;

/// What a link is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum LinkKind {
    Loopback,
    /// A NIC plugged into an underlay network.
    Nic {
        network: NetworkId,
    },
    /// `tunl0`: the IPIP tunnel device (`ip tunnel add tunl0 mode ipip`).
    Ipip,
    /// `vxlan.calico`: Felix's VXLAN device.
    Vxlan {
        vni: u32,
        port: u16,
        local: Ipv4Addr,
        parent: String,
    },
    /// The host end of a pod's veth pair (`caliXXXXXXXXXXX`).
    HostVeth {
        pod: PodId,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub ifindex: u32,
    pub name: String,
    pub kind: LinkKind,
    pub mtu: u32,
    pub mac: Option<String>,
    pub addresses: Vec<Ipv4Network>,
    /// For a veth: the ifindex of the other end in the pod's namespace (`caliX@if3`).
    pub peer_ifindex: Option<u32>,
}

/// VXLAN as Felix configures it (FelixConfiguration defaults vxlanVNI / vxlanPort).
pub const VXLAN_VNI: u32 = 4096;
pub const VXLAN_PORT: u16 = 4789;

/// A stable, locally administered MAC for a NIC the scenario does not give one.
pub fn nic_mac(node: &str, nic: &str) -> String {
    let h = fnv1_32(format!("{node}/{nic}").as_bytes()).to_be_bytes();
    format!("52:54:00:{:02x}:{:02x}:{:02x}", h[1], h[2], h[3])
}

/// Host veth name for a pod, exactly as Calico derives it.
pub fn host_veth(cluster: &Cluster, pod: PodId) -> String {
    let p = &cluster.pods[pod];
    naming::host_veth_name("cali", &p.namespace, &p.name)
}

pub(super) struct NodeLinks {
    pub links: Vec<Link>,
}

impl NodeLinks {
    /// lo, the NICs in scenario order, tunl0, vxlan.calico, then one veth per local pod.
    pub fn build(
        cluster: &Cluster,
        node: NodeId,
        tunnels: &crate::ipam::TunnelAddresses,
        mtus: &super::Mtus,
        node_ip: Option<Ipv4Network>,
        local_pods: &[(PodId, Ipv4Addr)],
        pod_eth0_ifindex: u32,
    ) -> Self {
        let n = &cluster.nodes[node];
        let mut links = vec![Link {
            ifindex: 1,
            name: "lo".into(),
            kind: LinkKind::Loopback,
            mtu: 65536,
            mac: Some("00:00:00:00:00:00".into()),
            addresses: vec![Ipv4Network::new(Ipv4Addr::LOCALHOST, 8).expect("valid")],
            peer_ifindex: None,
        }];
        for f in &n.interfaces {
            links.push(Link {
                ifindex: links.len() as u32 + 1,
                name: f.name.clone(),
                kind: LinkKind::Nic { network: f.network },
                mtu: f.mtu,
                mac: Some(nic_mac(&n.name, &f.name)),
                addresses: vec![Ipv4Network::new(f.address, f.prefix).expect("validated prefix")],
                peer_ifindex: None,
            });
        }
        let tunnel_address = |ip: core::net::IpAddr| match ip {
            core::net::IpAddr::V4(v4) => Ipv4Network::new(v4, 32).expect("valid"),
            core::net::IpAddr::V6(_) => unreachable!("tunnel addresses come from IPv4 pools"),
        };
        if let Some(ip) = tunnels.ipip {
            links.push(Link {
                ifindex: links.len() as u32 + 1,
                name: "tunl0".into(),
                kind: LinkKind::Ipip,
                mtu: mtus.ipip,
                mac: None,
                addresses: vec![tunnel_address(ip)],
                peer_ifindex: None,
            });
        }
        if let (Some(ip), Some(local)) = (tunnels.vxlan, node_ip) {
            let parent = n
                .interfaces
                .iter()
                .find(|f| f.address == local.ip())
                .map_or_else(
                    || n.interfaces[n.default_route].name.clone(),
                    |f| f.name.clone(),
                );
            links.push(Link {
                ifindex: links.len() as u32 + 1,
                name: "vxlan.calico".into(),
                kind: LinkKind::Vxlan {
                    vni: VXLAN_VNI,
                    port: VXLAN_PORT,
                    local: local.ip(),
                    parent,
                },
                mtu: mtus.vxlan,
                mac: Some(naming::format_mac(&naming::vxlan_mac(&n.name))),
                addresses: vec![tunnel_address(ip)],
                peer_ifindex: None,
            });
        }
        for &(pod, _) in local_pods {
            links.push(Link {
                ifindex: links.len() as u32 + 1,
                name: host_veth(cluster, pod),
                kind: LinkKind::HostVeth { pod },
                mtu: mtus.pod,
                mac: Some(naming::format_mac(&naming::HOST_VETH_MAC)),
                addresses: Vec::new(),
                peer_ifindex: Some(pod_eth0_ifindex),
            });
        }
        Self { links }
    }
}
