//! kube-proxy's service NAT (iptables mode), as data: which service a packet is for, its
//! endpoints, and the one chosen. kube-proxy picks at random (`-m statistic`); calisim
//! picks by a hash of the source address, so a trace is repeatable and different clients
//! spread over the endpoints.

use core::net::Ipv4Addr;

use crate::ipam::gorand::fnv1_32;
use crate::model::{PodId, Service, ServiceType, TargetPort};
use crate::policy::model::Protocol;
use crate::state::ClusterState;

/// A packet kube-proxy rewrites.
pub struct ServiceHit<'s> {
    pub service: &'s Service,
    /// The address and port the client used (a cluster IP or a node address).
    pub via_node_port: bool,
    /// Ready endpoints: (pod, address, target port), by pod name.
    pub endpoints: Vec<(PodId, Ipv4Addr, u16)>,
    /// Index into `endpoints` of the one this packet goes to.
    pub chosen: Option<usize>,
}

fn protocol_name(p: Protocol) -> Option<&'static str> {
    match p {
        Protocol::Tcp => Some("TCP"),
        Protocol::Udp => Some("UDP"),
        Protocol::Sctp => Some("SCTP"),
        _ => None,
    }
}

/// The service (cluster IP, or node port when `dst_is_local`) a packet is addressed to.
pub fn lookup<'s>(
    state: &'s ClusterState,
    src: Ipv4Addr,
    dst: Ipv4Addr,
    proto: Protocol,
    dport: Option<u16>,
    dst_is_local: bool,
) -> Option<ServiceHit<'s>> {
    let proto = protocol_name(proto)?;
    let dport = dport?;
    let (service, port, via_node_port) = state.cluster.services.iter().find_map(|s| {
        s.ports.iter().find_map(|p| {
            if p.protocol != proto {
                return None;
            }
            if s.cluster_ip == Some(dst) && p.port == dport {
                Some((s, p, false))
            } else if dst_is_local
                && s.service_type == ServiceType::NodePort
                && p.node_port == Some(dport)
            {
                Some((s, p, true))
            } else {
                None
            }
        })
    })?;
    let mut endpoints = Vec::new();
    if let Some(selector) = &service.selector {
        for (id, pod) in state.cluster.pods.iter().enumerate() {
            if pod.namespace != service.namespace
                || !selector.iter().all(|(k, v)| pod.labels.get(k) == Some(v))
            {
                continue;
            }
            let Some(core::net::IpAddr::V4(ip)) = state.ipam.pod_address(id) else {
                continue;
            };
            let target = match &port.target_port {
                TargetPort::Number(n) => Some(*n),
                TargetPort::Name(name) => pod
                    .ports
                    .iter()
                    .find(|c| c.name.as_deref() == Some(name) && c.protocol == port.protocol)
                    .map(|c| c.port),
            };
            if let Some(t) = target {
                endpoints.push((id, ip, t));
            }
        }
    }
    endpoints.sort_by_key(|(id, _, _)| state.cluster.pods[*id].name.clone());
    let chosen = (!endpoints.is_empty()).then(|| fnv1_32(&src.octets()) as usize % endpoints.len());
    Some(ServiceHit {
        service,
        via_node_port,
        endpoints,
        chosen,
    })
}
