//! Naming endpoints on the command line (interfaces.md §1.3): `NAMESPACE/POD`,
//! `node:NAME`, `ext:NAME`, or a bare IPv4 address; and `svc:NAMESPACE/NAME` for a
//! Service's cluster IP.

use core::net::Ipv4Addr;

use crate::model::{NodeId, PodId};
use crate::state::ClusterState;

/// One end of a probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Pod(PodId),
    /// A node's host namespace.
    Node(NodeId),
    External(usize),
    /// A Kubernetes Service's cluster IP (as a destination only).
    Service(usize),
    /// An address that belongs to nobody in the scenario (as a destination only).
    Ip(Ipv4Addr),
}

impl Endpoint {
    /// How the trace names it: as it would be written on the command line.
    pub fn name(&self, state: &ClusterState) -> String {
        let c = &state.cluster;
        match *self {
            Endpoint::Pod(p) => c.pods[p].key(),
            Endpoint::Node(n) => format!("node:{}", c.nodes[n].name),
            Endpoint::External(e) => format!("ext:{}", c.externals[e].name),
            Endpoint::Service(i) => format!("svc:{}", c.services[i].key()),
            Endpoint::Ip(ip) => ip.to_string(),
        }
    }

    /// True for endpoints that can only receive (a service, an unowned address).
    pub fn is_destination_only(&self) -> bool {
        matches!(self, Endpoint::Service(_) | Endpoint::Ip(_))
    }
}

/// Reads an endpoint; a bare address held by a pod, node or external host names it.
pub fn parse_endpoint(state: &ClusterState, text: &str) -> Result<Endpoint, String> {
    let c = &state.cluster;
    if let Some(name) = text.strip_prefix("node:") {
        return c
            .node_by_name(name)
            .map(Endpoint::Node)
            .ok_or_else(|| format!("no node named {name:?} in the scenario"));
    }
    if let Some(name) = text.strip_prefix("ext:") {
        return c
            .externals
            .iter()
            .position(|e| e.name == name)
            .map(Endpoint::External)
            .ok_or_else(|| format!("no external host named {name:?} in the scenario"));
    }
    if let Some(key) = text.strip_prefix("svc:") {
        let i = c
            .services
            .iter()
            .position(|s| s.key() == key)
            .ok_or_else(|| format!("no service {key:?} (write svc:NAMESPACE/NAME)"))?;
        if c.services[i].cluster_ip.is_none() {
            return Err(format!(
                "service {key} is headless: it has no cluster IP to send to"
            ));
        }
        return Ok(Endpoint::Service(i));
    }
    if let Ok(ip) = text.parse::<Ipv4Addr>() {
        return Ok(endpoint_of_ip(state, ip));
    }
    if let Some((ns, name)) = text.split_once('/') {
        let pod = c
            .pods
            .iter()
            .position(|p| p.namespace == ns && p.name == name)
            .ok_or_else(|| format!("no pod {name:?} in namespace {ns:?}"))?;
        if state.ipam.pod_address(pod).is_none() {
            return Err(format!(
                "pod {text} has no address (IPAM could not give it one)"
            ));
        }
        return Ok(Endpoint::Pod(pod));
    }
    Err(format!(
        "{text:?} is not an endpoint: write NAMESPACE/POD, node:NAME, ext:NAME or an IPv4 address"
    ))
}

fn endpoint_of_ip(state: &ClusterState, ip: Ipv4Addr) -> Endpoint {
    let c = &state.cluster;
    if let Some(p) = (0..c.pods.len()).find(|&p| state.ipam.pod_address(p) == Some(ip.into())) {
        return Endpoint::Pod(p);
    }
    if let Some(n) = state.dataplane.iter().find(|dp| {
        dp.links
            .iter()
            .skip(1)
            .any(|l| l.addresses.iter().any(|a| a.ip() == ip))
    }) {
        return Endpoint::Node(n.node);
    }
    if let Some(e) = c.externals.iter().position(|e| e.address == ip) {
        return Endpoint::External(e);
    }
    Endpoint::Ip(ip)
}
