//! The serde shapes of every document kind calisim reads, as users write them.
//!
//! These are raw: strings stay strings until `model` validates them, so that a bad
//! CIDR becomes a diagnostic naming the field rather than a serde error. Calico and
//! Kubernetes kinds accept fields calisim does not model (collected in `extra` and
//! reported); calisim's own `Cluster` document is strict (`deny_unknown_fields`).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::labels::LabelMap;
use serde_json::Value;

/// Fields calisim does not read, kept so they can be reported rather than lost.
pub type Extra = BTreeMap<String, Value>;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ObjectMeta {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub labels: LabelMap,
    #[serde(default)]
    pub annotations: LabelMap,
}

/// The first look at any document: which kind it is and what it is called.
#[derive(Debug, Clone, Deserialize)]
pub struct Header {
    #[serde(rename = "apiVersion", default)]
    pub api_version: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub metadata: Option<HeaderMeta>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct HeaderMeta {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
}

/// A whole resource: `apiVersion`, `kind`, `metadata`, `spec`.
#[derive(Debug, Clone, Deserialize)]
pub struct Resource<S> {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default = "Option::default")]
    pub spec: Option<S>,
}

// ---------------------------------------------------------------- calisim Cluster

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClusterSpec {
    pub kubeadm: Option<KubeadmSpec>,
    pub cloud: Option<String>,
    pub src_dst_check: Option<bool>,
    pub calico: Option<CalicoSpec>,
    #[serde(default)]
    pub networks: Vec<NetworkSpec>,
    #[serde(default)]
    pub routers: Vec<RouterSpec>,
    #[serde(default)]
    pub externals: Vec<ExternalSpec>,
    #[serde(default)]
    pub nodes: Vec<NodeSpec>,
    #[serde(default)]
    pub pods: Vec<InlinePodSpec>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KubeadmSpec {
    pub pod_subnet: Option<String>,
    pub service_subnet: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CalicoSpec {
    pub version: Option<String>,
    /// `CALICO_NETWORKING_BACKEND`: bird (default), vxlan or none.
    pub networking_backend: Option<String>,
    /// `IP_AUTODETECTION_METHOD` of the calico-node DaemonSet (default first-found).
    pub ip_autodetection_method: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NetworkSpec {
    pub name: String,
    pub cidr: String,
    pub gateway: Option<String>,
    pub mtu: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RouterSpec {
    pub name: String,
    #[serde(default)]
    pub networks: Vec<String>,
    pub as_number: Option<Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExternalSpec {
    pub name: String,
    pub address: String,
    pub network: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodeSpec {
    pub name: String,
    #[serde(default)]
    pub labels: LabelMap,
    #[serde(default)]
    pub interfaces: Vec<InterfaceSpec>,
    pub default_route: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InterfaceSpec {
    pub name: String,
    pub network: String,
    pub address: String,
    pub mtu: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InlinePodSpec {
    pub name: String,
    pub namespace: Option<String>,
    pub node: String,
    #[serde(default)]
    pub labels: LabelMap,
    #[serde(default)]
    pub annotations: LabelMap,
    #[serde(default)]
    pub ports: Vec<ContainerPort>,
    pub service_account: Option<String>,
}

// ---------------------------------------------------------------- Kubernetes v1

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerPort {
    pub name: Option<String>,
    pub container_port: i64,
    pub protocol: Option<String>,
    pub host_port: Option<i64>,
}

/// `v1 Pod`: only what networking needs; the many other Pod fields are ignored silently.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSpec {
    pub node_name: Option<String>,
    #[serde(default)]
    pub containers: Vec<Container>,
    pub service_account_name: Option<String>,
    pub host_network: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub ports: Vec<ContainerPort>,
}

// ---------------------------------------------------------------- projectcalico.org/v3

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IpPoolSpec {
    #[serde(default)]
    pub cidr: String,
    pub block_size: Option<i64>,
    pub ipip_mode: Option<String>,
    pub vxlan_mode: Option<String>,
    pub nat_outgoing: Option<bool>,
    pub disabled: Option<bool>,
    #[serde(rename = "disableBGPExport")]
    pub disable_bgp_export: Option<bool>,
    pub node_selector: Option<String>,
    pub allowed_uses: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IpReservationSpec {
    #[serde(rename = "reservedCIDRs", default)]
    pub reserved_cidrs: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// FelixConfiguration: only the MTU settings are modelled so far; other fields are reported.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FelixConfigurationSpec {
    #[serde(rename = "ipipMTU")]
    pub ipip_mtu: Option<i64>,
    #[serde(rename = "vxlanMTU")]
    pub vxlan_mtu: Option<i64>,
    #[serde(rename = "vxlanMTUV6")]
    pub vxlan_mtu_v6: Option<i64>,
    #[serde(rename = "wireguardMTU")]
    pub wireguard_mtu: Option<i64>,
    #[serde(rename = "wireguardMTUV6")]
    pub wireguard_mtu_v6: Option<i64>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IpamConfigSpec {
    pub strict_affinity: Option<bool>,
    pub auto_allocate_blocks: Option<bool>,
    pub max_blocks_per_host: Option<i64>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BgpConfigurationSpec {
    pub as_number: Option<Value>,
    pub node_to_node_mesh_enabled: Option<bool>,
    pub log_severity_screen: Option<String>,
    pub listen_port: Option<i64>,
    #[serde(rename = "serviceClusterIPs", default)]
    pub service_cluster_ips: Vec<CidrEntry>,
    #[serde(rename = "serviceExternalIPs", default)]
    pub service_external_ips: Vec<CidrEntry>,
    #[serde(rename = "serviceLoadBalancerIPs", default)]
    pub service_load_balancer_ips: Vec<CidrEntry>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CidrEntry {
    #[serde(default)]
    pub cidr: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BgpPeerSpec {
    pub node: Option<String>,
    #[serde(rename = "peerIP")]
    pub peer_ip: Option<String>,
    pub as_number: Option<Value>,
    pub node_selector: Option<String>,
    pub peer_selector: Option<String>,
    pub keep_original_next_hop: Option<bool>,
    pub source_address: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CalicoNodeSpec {
    pub bgp: Option<CalicoNodeBgp>,
    #[serde(rename = "ipv4VXLANTunnelAddr")]
    pub ipv4_vxlan_tunnel_addr: Option<String>,
    #[serde(rename = "vxlanTunnelMACAddr")]
    pub vxlan_tunnel_mac_addr: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CalicoNodeBgp {
    pub as_number: Option<Value>,
    pub ipv4_address: Option<String>,
    pub ipv6_address: Option<String>,
    #[serde(rename = "ipv4IPIPTunnelAddr")]
    pub ipv4_ipip_tunnel_addr: Option<String>,
    #[serde(rename = "routeReflectorClusterID")]
    pub route_reflector_cluster_id: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

// ---------------------------------------------------------------- install manifests

/// `apps/v1 DaemonSet`: calisim reads calico-node's containers (image tag, env).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DaemonSetSpec {
    #[serde(default)]
    pub template: PodTemplate,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PodTemplate {
    #[serde(default)]
    pub spec: PodTemplateSpec,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodTemplateSpec {
    #[serde(default)]
    pub containers: Vec<ManifestContainer>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestContainer {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub image: String,
    #[serde(default)]
    pub env: Vec<EnvVar>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvVar {
    #[serde(default)]
    pub name: String,
    pub value: Option<String>,
    pub value_from: Option<EnvSource>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvSource {
    pub config_map_key_ref: Option<KeyRef>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct KeyRef {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub key: String,
}

/// `v1 ConfigMap`: its `data` (calico-config, kubeadm-config).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ConfigMapDoc {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub data: BTreeMap<String, String>,
}

// ---------------------------------------------------------------- operator.tigera.io/v1

/// The operator's `Installation`: calisim reads `spec.calicoNetwork`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstallationSpec {
    pub calico_network: Option<CalicoNetworkSpec>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CalicoNetworkSpec {
    pub bgp: Option<String>,
    pub ip_pools: Option<Vec<InstallationPool>>,
    pub mtu: Option<i64>,
    #[serde(rename = "nodeAddressAutodetectionV4")]
    pub node_address_autodetection_v4: Option<AutodetectionSpec>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstallationPool {
    pub name: Option<String>,
    #[serde(default)]
    pub cidr: String,
    pub block_size: Option<i64>,
    pub encapsulation: Option<String>,
    pub nat_outgoing: Option<String>,
    pub node_selector: Option<String>,
    #[serde(rename = "disableBGPExport")]
    pub disable_bgp_export: Option<bool>,
    pub allowed_uses: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutodetectionSpec {
    pub first_found: Option<bool>,
    pub kubernetes: Option<String>,
    pub interface: Option<String>,
    pub skip_interface: Option<String>,
    pub can_reach: Option<String>,
    pub cidrs: Option<Vec<String>>,
}

// ---------------------------------------------------------------- kubeadm.k8s.io

/// A kubeadm config file's `ClusterConfiguration` (also the text inside kubeadm-config).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct KubeadmClusterConfiguration {
    #[serde(default)]
    pub networking: KubeadmNetworking,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KubeadmNetworking {
    pub pod_subnet: Option<String>,
    pub service_subnet: Option<String>,
}

/// `projectcalico.org/v3 Tier` (v3.29+).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TierSpec {
    pub order: Option<f64>,
    /// `Deny` (default) or `Pass`.
    pub default_action: Option<String>,
}
