//! The validated cluster: layer 2 of the pipeline (scenario → **model** → state).
//!
//! Everything here has been checked: references are indices, addresses are parsed,
//! Calico's defaults are applied. Downstream code never re-validates input and never
//! sees a string where a typed value belongs.

mod defaults;
mod expectations;
mod install;
mod installation;
mod network_sets;
mod policies;
mod resolve;
mod services;
mod tiers;
mod validate_calico;
mod validate_topology;
pub mod version;

use core::net::{IpAddr, Ipv4Addr};
use std::collections::BTreeMap;

use ipnetwork::{IpNetwork, Ipv4Network};
use serde::Serialize;

use crate::labels::LabelMap;
use crate::selector::Selector;
pub use expectations::{
    parse_promise, promise_port, Expectations, ParsedPromise, PathVia, Reachability,
    SessionExpectation,
};
pub use network_sets::NetworkSet;
pub use policies::{Policy, PolicyScope};
pub use resolve::resolve;
pub use services::{Service, ServicePort, ServiceType, TargetPort};
pub use tiers::Tier;
pub use version::CalicoVersion;

pub type NetworkId = usize;
pub type NodeId = usize;
pub type PodId = usize;
pub type PoolId = usize;

/// `CALICO_NETWORKING_BACKEND`: who programs routes between nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// BIRD (BGP) plus Felix: the manifest and operator default.
    Bird,
    /// No BIRD: Felix programs VXLAN routes from the datastore (calico-vxlan.yaml).
    Vxlan,
    /// Policy only: no BGP, no routes between nodes from Calico.
    None,
}

/// How Calico was installed, as far as the input tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum InstallKind {
    /// Only the Cluster document: Calico's manifest defaults.
    Unspecified,
    /// A calico.yaml: whether its calico-node talks to Typha.
    Manifest { typha: bool },
    /// The tigera operator (it always deploys Typha).
    Operator,
}

/// How the underlay treats traffic (the cloud's own rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    None,
    Aws,
    Azure,
    Gcp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kubeadm {
    pub pod_subnets: Vec<IpNetwork>,
    pub service_subnets: Vec<IpNetwork>,
}

/// An underlay L2 segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Network {
    pub name: String,
    pub cidr: Ipv4Network,
    pub gateway: Option<Ipv4Addr>,
    pub mtu: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Router {
    pub name: String,
    pub networks: Vec<NetworkId>,
    pub as_number: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct External {
    pub name: String,
    pub address: Ipv4Addr,
    /// The segment the host sits on, or behind whose gateway it lies.
    pub network: Option<NetworkId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Interface {
    pub name: String,
    pub network: NetworkId,
    pub address: Ipv4Addr,
    /// The prefix of the network the address sits in (`192.168.61.61/24`).
    pub prefix: u8,
    pub mtu: u32,
}

/// Per-node Calico settings from a `projectcalico.org/v3 Node` resource.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NodeBgpOverride {
    pub ipv4_address: Option<Ipv4Network>,
    pub as_number: Option<u32>,
    pub route_reflector_cluster_id: Option<Ipv4Addr>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    pub name: String,
    pub labels: LabelMap,
    /// In kernel ifindex order (lo is 1, the first interface 2, ...).
    pub interfaces: Vec<Interface>,
    /// Index into `interfaces` of the NIC holding the default route.
    pub default_route: usize,
    pub bgp: NodeBgpOverride,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Namespace {
    pub name: String,
    pub labels: LabelMap,
    pub annotations: LabelMap,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedPort {
    pub name: Option<String>,
    pub port: u16,
    pub protocol: String,
}

/// What the CNI plugin was asked for, from annotations (pod first, then namespace).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IpamRequest {
    /// `cni.projectcalico.org/ipv4pools`: pool names or CIDRs, as written.
    pub ipv4_pools: Option<Vec<String>>,
    /// `cni.projectcalico.org/ipAddrs`: the one fixed IPv4 address.
    pub fixed_ipv4: Option<Ipv4Addr>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pod {
    pub name: String,
    pub namespace: String,
    pub node: NodeId,
    pub labels: LabelMap,
    pub annotations: LabelMap,
    pub ports: Vec<NamedPort>,
    pub service_account: String,
    pub ipam: IpamRequest,
}

impl Pod {
    /// `namespace/name`, the way kubectl and calicoctl name a pod.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// `ipipMode` / `vxlanMode` of a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum EncapMode {
    Never,
    Always,
    CrossSubnet,
}

impl EncapMode {
    pub fn is_enabled(self) -> bool {
        self != EncapMode::Never
    }
}

impl std::fmt::Display for EncapMode {
    /// As the v3 API spells the mode (`ipipMode: CrossSubnet`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EncapMode::Never => "Never",
            EncapMode::Always => "Always",
            EncapMode::CrossSubnet => "CrossSubnet",
        })
    }
}

/// Who created a pool: an IPPool resource, the operator from an Installation, or
/// calico-node's default-pool logic at startup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PoolSource {
    Resource,
    Installation,
    CalicoNodeDefault,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpPool {
    pub name: String,
    pub cidr: IpNetwork,
    pub block_size: u8,
    pub ipip_mode: EncapMode,
    pub vxlan_mode: EncapMode,
    pub nat_outgoing: bool,
    pub disabled: bool,
    pub disable_bgp_export: bool,
    #[serde(serialize_with = "serialize_selector")]
    pub node_selector: Selector,
    pub allows_workloads: bool,
    pub allows_tunnels: bool,
    /// Who created the pool.
    pub source: PoolSource,
}

fn serialize_display<T: std::fmt::Display, S: serde::Serializer>(
    v: &T,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

fn serialize_selector<S: serde::Serializer>(sel: &Selector, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&sel.canonical())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpReservation {
    pub name: String,
    pub cidrs: Vec<IpNetwork>,
}

impl IpReservation {
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.cidrs.iter().any(|c| c.contains(ip))
    }
}

/// The `IPAMConfiguration` singleton, with Calico's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpamConfig {
    pub strict_affinity: bool,
    pub auto_allocate_blocks: bool,
    /// 0 = not set (Calico then applies its own default, see [`Cluster::max_blocks_per_host`]).
    pub max_blocks_per_host: u32,
}

impl Default for IpamConfig {
    fn default() -> Self {
        Self {
            strict_affinity: false,
            auto_allocate_blocks: true,
            max_blocks_per_host: 0,
        }
    }
}

/// The global `BGPConfiguration` (named `default`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BgpConfig {
    pub as_number: u32,
    pub node_to_node_mesh: bool,
    pub listen_port: u16,
    pub service_cluster_ips: Vec<IpNetwork>,
    pub service_external_ips: Vec<IpNetwork>,
    pub service_load_balancer_ips: Vec<IpNetwork>,
}

impl Default for BgpConfig {
    fn default() -> Self {
        Self {
            as_number: 64512,
            node_to_node_mesh: true,
            listen_port: 179,
            service_cluster_ips: Vec::new(),
            service_external_ips: Vec::new(),
            service_load_balancer_ips: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BgpPeer {
    pub name: String,
    pub node: Option<NodeId>,
    #[serde(serialize_with = "serialize_opt_selector")]
    pub node_selector: Option<Selector>,
    pub peer_ip: Option<IpAddr>,
    pub peer_port: Option<u16>,
    pub as_number: Option<u32>,
    #[serde(serialize_with = "serialize_opt_selector")]
    pub peer_selector: Option<Selector>,
    pub keep_original_next_hop: bool,
    /// As written, for calicoctl's listing (`peerIP`, `nodeSelector`).
    pub written: WrittenPeer,
}

/// A BGPPeer's fields as the user wrote them: calicoctl prints them verbatim.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WrittenPeer {
    pub node: String,
    pub peer_ip: String,
    pub node_selector: String,
}

/// A BGPConfiguration resource as written (calicoctl's `get bgpconfig` columns).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WrittenBgpConfig {
    pub name: String,
    pub log_severity_screen: Option<String>,
    pub node_to_node_mesh_enabled: Option<bool>,
    pub as_number: Option<u32>,
}

fn serialize_opt_selector<S: serde::Serializer>(
    sel: &Option<Selector>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match sel {
        Some(sel) => s.serialize_some(&sel.canonical()),
        None => s.serialize_none(),
    }
}

/// MTU settings of a FelixConfiguration (`default`, or `node.<name>` for one node); unset
/// ones leave Felix to derive the MTU from the host's (calico-semantics §2.6).
pub type FelixMtus = crate::mtu::MtuOverrides;

/// The FelixConfiguration settings calisim models.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FelixConfig {
    pub global: FelixMtus,
    pub per_node: BTreeMap<NodeId, FelixMtus>,
}

impl FelixConfig {
    /// A node's settings: its own FelixConfiguration's fields over the global ones.
    pub fn mtus(&self, node: NodeId) -> FelixMtus {
        let g = self.global;
        match self.per_node.get(&node) {
            None => g,
            Some(n) => FelixMtus {
                ipip: n.ipip.or(g.ipip),
                vxlan: n.vxlan.or(g.vxlan),
                vxlan_v6: n.vxlan_v6.or(g.vxlan_v6),
                wireguard: n.wireguard.or(g.wireguard),
                wireguard_v6: n.wireguard_v6.or(g.wireguard_v6),
            },
        }
    }
}

/// The whole validated input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cluster {
    pub name: String,
    pub calico_version: CalicoVersion,
    pub backend: Backend,
    /// calico-node's node address autodetection for every node.
    #[serde(serialize_with = "serialize_display")]
    pub ip_autodetection: crate::addressing::Method,
    /// Autodetection switched off (operator `nodeAddressAutodetectionV4: {}`).
    pub ip_autodetection_disabled: bool,
    pub kubeadm: Option<Kubeadm>,
    pub cloud: Cloud,
    pub src_dst_check: bool,
    pub networks: Vec<Network>,
    pub routers: Vec<Router>,
    pub externals: Vec<External>,
    pub nodes: Vec<Node>,
    pub namespaces: BTreeMap<String, Namespace>,
    /// Inline pods in list order, then `v1 Pod` documents by namespace/name: creation order.
    pub pods: Vec<Pod>,
    /// In datastore list order: by name, as the Kubernetes datastore lists them.
    pub pools: Vec<IpPool>,
    pub reservations: Vec<IpReservation>,
    pub ipam_config: IpamConfig,
    pub bgp: BgpConfig,
    /// Per-node BGPConfiguration overrides (`node.<name>`), by node.
    pub bgp_node_overrides: BTreeMap<NodeId, BgpConfig>,
    pub bgp_peers: Vec<BgpPeer>,
    /// The BGPConfiguration resources given, in name order.
    pub bgp_config_resources: Vec<WrittenBgpConfig>,
    /// Network policies as Felix receives them (Kubernetes ones converted): namespaced
    /// by namespace/name, then global by name.
    pub policies: Vec<policies::Policy>,
    /// What the design promises (`Expectations` documents), for `calisim validate`.
    pub expectations: Vec<Expectations>,
    /// Kubernetes Services (kube-proxy's DNAT), by namespace/name.
    pub services: Vec<Service>,
    /// NetworkSets and GlobalNetworkSets (policy selectors match their nets).
    pub network_sets: Vec<NetworkSet>,
    /// Policy tiers (v3.29+; empty: only the default tier).
    pub tiers: Vec<Tier>,
    /// ServiceAccount labels by (namespace, name): policy sees them as `pcsa.<key>`.
    pub service_accounts: BTreeMap<(String, String), LabelMap>,
    pub felix: FelixConfig,
    /// The CNI plugin's configured veth MTU (calico-config `veth_mtu`), when not auto.
    pub cni_mtu: Option<u32>,
    /// calico-config's `cni_network_config` template, when a manifest gave one.
    pub cni_template: Option<String>,
    pub install: InstallKind,
}

impl Cluster {
    pub fn node_by_name(&self, name: &str) -> Option<NodeId> {
        self.nodes.iter().position(|n| n.name == name)
    }

    pub fn network_by_name(&self, name: &str) -> Option<NetworkId> {
        self.networks.iter().position(|n| n.name == name)
    }

    /// The node's NIC (index into its interfaces) whose network holds `ip`; the longest
    /// prefix wins, as among the kernel's connected routes.
    pub fn connected_nic(&self, node: &Node, ip: Ipv4Addr) -> Option<usize> {
        let cidr = |i: usize| self.networks[node.interfaces[i].network].cidr;
        (0..node.interfaces.len())
            .filter(|&i| cidr(i).contains(ip))
            .max_by_key(|&i| cidr(i).prefix())
    }

    /// The default route: the default NIC and its network's gateway, when it has one.
    pub fn default_gateway(&self, node: &Node) -> Option<(usize, Ipv4Addr)> {
        let f = node.interfaces.get(node.default_route)?;
        self.networks[f.network]
            .gateway
            .map(|gw| (node.default_route, gw))
    }

    /// The per-host block limit Calico applies: the configured one, else the
    /// version's default (see [`CalicoVersion::default_max_blocks_per_host`]).
    pub fn max_blocks_per_host(&self) -> Option<u32> {
        match self.ipam_config.max_blocks_per_host {
            0 => self.calico_version.default_max_blocks_per_host(),
            n => Some(n),
        }
    }
}

/// True when two networks of the same family share any address.
pub fn overlaps_networks(a: &IpNetwork, b: &IpNetwork) -> bool {
    a.is_ipv4() == b.is_ipv4() && (a.contains(b.network()) || b.contains(a.network()))
}
