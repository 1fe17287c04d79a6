//! `v1 Service`: only what kube-proxy needs to NAT (type, cluster IP, selector, ports); the
//! other fields of a real manifest are ignored silently, as for Pods.

use serde::Deserialize;

use crate::labels::LabelMap;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceSpec {
    #[serde(rename = "type")]
    pub service_type: Option<String>,
    #[serde(rename = "clusterIP")]
    pub cluster_ip: Option<String>,
    #[serde(rename = "clusterIPs", default)]
    pub cluster_ips: Vec<String>,
    pub selector: Option<LabelMap>,
    #[serde(default)]
    pub ports: Vec<ServicePortSpec>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePortSpec {
    pub name: Option<String>,
    pub protocol: Option<String>,
    pub port: Option<i64>,
    /// A number or a container port's name.
    pub target_port: Option<serde_json::Value>,
    pub node_port: Option<i64>,
}
