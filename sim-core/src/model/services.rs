//! Kubernetes Services as kube-proxy programs them: a cluster IP (and node ports) DNATed to
//! the pods the selector picks. Checked as the API server checks them.
//!
//! Allocation is deterministic where the API server's is random: services without a
//! `clusterIP` get, in namespace/name order, the first free address of the service subnet
//! from its 100th address on (kubeadm's 10.96.0.0/12 unless the Cluster's kubeadm says
//! otherwise; `.1` is the `kubernetes` service and `.10` kube-dns by convention); node
//! ports likewise the lowest free port of 30000–32767.

use core::net::Ipv4Addr;
use std::collections::BTreeSet;

use ipnetwork::{IpNetwork, Ipv4Network};
use serde::Serialize;

use crate::diag::Diagnostics;
use crate::labels::LabelMap;
use crate::scenario::ServiceSpec;

use super::resolve::{check_unique_names, Located};
use super::validate_topology::Topology;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ServiceType {
    ClusterIp,
    NodePort,
}

/// Where a service port sends traffic in the pod.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum TargetPort {
    Number(u16),
    /// A container port's name.
    Name(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServicePort {
    pub name: Option<String>,
    /// `TCP`, `UDP` or `SCTP`.
    pub protocol: String,
    pub port: u16,
    pub target_port: TargetPort,
    pub node_port: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Service {
    pub name: String,
    pub namespace: String,
    pub service_type: ServiceType,
    /// None: headless (`clusterIP: None`), no NAT.
    pub cluster_ip: Option<Ipv4Addr>,
    /// None: no selector (endpoints managed by hand: none here).
    pub selector: Option<LabelMap>,
    pub ports: Vec<ServicePort>,
}

impl Service {
    /// `namespace/name`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

const NODE_PORTS: core::ops::RangeInclusive<u16> = 30000..=32767;
const FIRST_DYNAMIC: u32 = 100;

pub(super) fn resolve(
    docs: &[Located<'_, ServiceSpec>],
    topology: &Topology,
    diags: &mut Diagnostics,
) -> Vec<Service> {
    check_unique_names(docs, diags);
    let subnet = topology
        .kubeadm
        .as_ref()
        .and_then(|k| {
            k.service_subnets.iter().find_map(|n| match n {
                IpNetwork::V4(v4) => Some(*v4),
                IpNetwork::V6(_) => None,
            })
        })
        .unwrap_or_else(|| Ipv4Network::new(Ipv4Addr::new(10, 96, 0, 0), 12).expect("valid"));
    let mut order: Vec<&Located<'_, ServiceSpec>> = docs.iter().collect();
    order.sort_by_key(|d| (namespace(d), d.resource.metadata.name.clone()));
    let mut taken_ips = BTreeSet::new();
    let mut taken_ports = BTreeSet::new();
    let mut services: Vec<(Service, bool)> = Vec::new();
    for doc in order {
        if let Some((svc, needs_ip)) = one(doc, subnet, &mut taken_ips, &mut taken_ports, diags) {
            services.push((svc, needs_ip));
        }
    }
    // Dynamic allocation after every explicit address and port is known.
    let mut next_ip = FIRST_DYNAMIC;
    for (svc, needs_ip) in &mut services {
        if *needs_ip {
            while next_ip < subnet.size() - 1 {
                let ip = subnet.nth(next_ip).expect("inside the subnet");
                next_ip += 1;
                if taken_ips.insert(ip) {
                    svc.cluster_ip = Some(ip);
                    break;
                }
            }
        }
        for port in &mut svc.ports {
            if svc.service_type == ServiceType::NodePort && port.node_port.is_none() {
                let free = NODE_PORTS
                    .clone()
                    .find(|p| !taken_ports.contains(&(port.protocol.clone(), *p)));
                if let Some(p) = free {
                    taken_ports.insert((port.protocol.clone(), p));
                    port.node_port = Some(p);
                }
            }
        }
    }
    services.into_iter().map(|(s, _)| s).collect()
}

fn namespace(doc: &Located<'_, ServiceSpec>) -> String {
    doc.resource
        .metadata
        .namespace
        .clone()
        .unwrap_or_else(|| "default".into())
}

/// One Service, checked; the bool says whether it still needs a cluster IP.
fn one(
    doc: &Located<'_, ServiceSpec>,
    subnet: Ipv4Network,
    taken_ips: &mut BTreeSet<Ipv4Addr>,
    taken_ports: &mut BTreeSet<(String, u16)>,
    diags: &mut Diagnostics,
) -> Option<(Service, bool)> {
    let empty = ServiceSpec::default();
    let spec = doc.resource.spec.as_ref().unwrap_or(&empty);
    let mut ok = true;
    let service_type = match spec.service_type.as_deref() {
        None | Some("ClusterIP") => ServiceType::ClusterIp,
        Some("NodePort") => ServiceType::NodePort,
        Some("LoadBalancer") => {
            diags.push(doc.warning(
                "spec.type",
                "type LoadBalancer: no cloud load balancer is modelled; its node ports and cluster IP work as for NodePort",
            ));
            ServiceType::NodePort
        }
        Some("ExternalName") => {
            diags.push(doc.warning(
                "spec.type",
                "type ExternalName is a DNS alias: no NAT, skipped",
            ));
            return None;
        }
        Some(other) => {
            diags.push(doc.error(
                "spec.type",
                format!("type {other:?}: write ClusterIP, NodePort or LoadBalancer"),
            ));
            return None;
        }
    };
    let written = spec
        .cluster_ip
        .clone()
        .or_else(|| spec.cluster_ips.first().cloned())
        .filter(|s| !s.is_empty());
    let (cluster_ip, needs_ip) = match written.as_deref() {
        None => (None, true),
        Some("None") => {
            if service_type != ServiceType::ClusterIp {
                diags.push(doc.error(
                    "spec.clusterIP",
                    "a headless service (clusterIP: None) must be of type ClusterIP",
                ));
                ok = false;
            }
            (None, false)
        }
        Some(text) => {
            match text.parse::<Ipv4Addr>() {
                Ok(ip) if !subnet.contains(ip) => {
                    diags.push(doc.error(
                    "spec.clusterIP",
                    format!("{ip} is outside the service subnet {subnet}: the API server refuses it"),
                ));
                    ok = false;
                    (None, false)
                }
                Ok(ip) if !taken_ips.insert(ip) => {
                    diags.push(doc.error(
                        "spec.clusterIP",
                        format!("{ip} is already allocated to another service"),
                    ));
                    ok = false;
                    (None, false)
                }
                Ok(ip) => (Some(ip), false),
                Err(_) => {
                    diags.push(doc.error(
                        "spec.clusterIP",
                        format!("{text:?} is not an IPv4 address (or None)"),
                    ));
                    ok = false;
                    (None, false)
                }
            }
        }
    };
    let mut ports = Vec::new();
    let mut names = BTreeSet::new();
    for (i, p) in spec.ports.iter().enumerate() {
        let field = |f: &str| format!("spec.ports[{i}].{f}");
        let port = match p.port {
            Some(n @ 1..=65535) => n as u16,
            other => {
                diags.push(doc.error(
                    &field("port"),
                    format!("port {other:?}: 1–65535 is required"),
                ));
                ok = false;
                continue;
            }
        };
        let protocol = p.protocol.clone().unwrap_or_else(|| "TCP".into());
        if !matches!(protocol.as_str(), "TCP" | "UDP" | "SCTP") {
            diags.push(doc.error(
                &field("protocol"),
                format!("protocol {protocol:?}: write TCP, UDP or SCTP"),
            ));
            ok = false;
        }
        if spec.ports.len() > 1 && p.name.is_none() {
            diags.push(doc.error(
                &field("name"),
                "a service with several ports must name each",
            ));
            ok = false;
        }
        if let Some(n) = &p.name {
            if !names.insert(n.clone()) {
                diags.push(doc.error(&field("name"), format!("duplicate port name {n:?}")));
                ok = false;
            }
        }
        let target_port = match &p.target_port {
            None => TargetPort::Number(port),
            Some(serde_json::Value::Number(n)) => match n.as_u64() {
                Some(n @ 1..=65535) => TargetPort::Number(n as u16),
                _ => {
                    diags.push(doc.error(&field("targetPort"), format!("targetPort {n}: 1–65535")));
                    ok = false;
                    continue;
                }
            },
            Some(serde_json::Value::String(s)) if is_port_name(s) => TargetPort::Name(s.clone()),
            Some(serde_json::Value::String(s)) => match s.parse::<u16>() {
                Ok(n) if n > 0 => TargetPort::Number(n),
                _ => {
                    diags.push(doc.error(
                        &field("targetPort"),
                        format!("targetPort {s:?}: a port number or a port name (1–15 lowercase letters, digits and '-', with a letter)"),
                    ));
                    ok = false;
                    continue;
                }
            },
            Some(other) => {
                diags.push(doc.error(
                    &field("targetPort"),
                    format!("targetPort {other}: a number or a name"),
                ));
                ok = false;
                continue;
            }
        };
        let node_port = match (service_type, p.node_port) {
            (_, None) => None,
            (ServiceType::ClusterIp, Some(_)) => {
                diags.push(doc.error(
                    &field("nodePort"),
                    "nodePort is only for NodePort and LoadBalancer services",
                ));
                ok = false;
                None
            }
            (ServiceType::NodePort, Some(n)) => {
                match u16::try_from(n).ok().filter(|n| NODE_PORTS.contains(n)) {
                    Some(n) if taken_ports.insert((protocol.clone(), n)) => Some(n),
                    Some(n) => {
                        diags.push(doc.error(
                            &field("nodePort"),
                            format!("node port {n}/{protocol} is already allocated"),
                        ));
                        ok = false;
                        None
                    }
                    None => {
                        diags.push(doc.error(
                            &field("nodePort"),
                            format!("node port {n} is outside 30000–32767"),
                        ));
                        ok = false;
                        None
                    }
                }
            }
        };
        ports.push(ServicePort {
            name: p.name.clone(),
            protocol,
            port,
            target_port,
            node_port,
        });
    }
    ok.then(|| {
        (
            Service {
                name: doc.resource.metadata.name.clone(),
                namespace: namespace(doc),
                service_type,
                cluster_ip,
                selector: spec.selector.clone(),
                ports,
            },
            needs_ip,
        )
    })
}

/// IANA service name rules, as Kubernetes applies them to port names.
fn is_port_name(s: &str) -> bool {
    (1..=15).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && s.chars().any(|c| c.is_ascii_lowercase())
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}
