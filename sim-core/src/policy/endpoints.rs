//! The cluster's pods as the policy engine sees them (workload endpoints), and the engine
//! compiled from the cluster's policies: built once, shared by the matrix, `policy
//! explain` and the walker's policy hooks.

use core::cell::OnceCell;
use core::net::{IpAddr, Ipv4Addr};

use crate::labels::LabelMap;
use crate::model::{PodId, PolicyScope};
use crate::state::ClusterState;

use super::eval::{
    Engine, NamedPort, NetworkSetRef, PolicyRef, Scope, TierDefault, TierRef, Workload,
};
use super::model::PolicyType;

/// Every pod's endpoint view, and per pod and direction the policies that apply to it
/// (computed on first use: a matrix touches each pod once, a trace two).
pub struct Endpoints<'s> {
    state: &'s ClusterState,
    ports: Vec<Vec<NamedPort<'s>>>,
    /// Per pod: its namespace's labels (None: no Namespace document), looked up once
    /// rather than per packet.
    namespace_labels: Vec<Option<&'s LabelMap>>,
    empty: LabelMap,
    pub engine: Engine<'s>,
    egress: Vec<OnceCell<Vec<usize>>>,
    ingress: Vec<OnceCell<Vec<usize>>>,
}

impl<'s> Endpoints<'s> {
    pub fn new(state: &'s ClusterState) -> Self {
        let ports = state
            .cluster
            .pods
            .iter()
            .map(|pod| {
                pod.ports
                    .iter()
                    .filter_map(|n| {
                        n.name.as_deref().map(|name| NamedPort {
                            name,
                            port: n.port,
                            protocol: n.protocol.as_str(),
                        })
                    })
                    .collect()
            })
            .collect();
        let namespace_labels = state
            .cluster
            .pods
            .iter()
            .map(|pod| {
                state
                    .cluster
                    .namespaces
                    .get(&pod.namespace)
                    .map(|n| &n.labels)
            })
            .collect();
        let pods = state.cluster.pods.len();
        Self {
            state,
            ports,
            namespace_labels,
            empty: LabelMap::new(),
            engine: engine(state),
            egress: (0..pods).map(|_| OnceCell::new()).collect(),
            ingress: (0..pods).map(|_| OnceCell::new()).collect(),
        }
    }

    /// The pod's IPv4 address, if IPAM gave it one.
    pub fn address(&self, pod: PodId) -> Option<Ipv4Addr> {
        match self.state.ipam.pod_address(pod) {
            Some(IpAddr::V4(v4)) => Some(v4),
            _ => None,
        }
    }

    /// The pod as a workload endpoint (None without an address: it has no endpoint).
    pub fn workload(&self, pod: PodId) -> Option<Workload<'_>> {
        let ip = self.address(pod)?;
        let p = &self.state.cluster.pods[pod];
        Some(Workload {
            namespace: &p.namespace,
            name: &p.name,
            labels: &p.labels,
            namespace_labels: self.namespace_labels[pod].unwrap_or(&self.empty),
            service_account: &p.service_account,
            service_account_labels: self
                .state
                .cluster
                .service_accounts
                .get(&(p.namespace.clone(), p.service_account.clone())),
            ip,
            ports: &self.ports[pod],
        })
    }

    /// The policies that apply to the pod in `dir`, in evaluation order.
    pub fn applicable(&self, pod: PodId, dir: PolicyType) -> &[usize] {
        let cell = match dir {
            PolicyType::Egress => &self.egress[pod],
            PolicyType::Ingress => &self.ingress[pod],
        };
        cell.get_or_init(|| match self.workload(pod) {
            Some(w) => self.engine.applicable(&w, dir),
            None => Vec::new(),
        })
    }
}

fn engine(state: &ClusterState) -> Engine<'_> {
    let refs: Vec<PolicyRef<'_>> = state
        .cluster
        .policies
        .iter()
        .map(|p| PolicyRef {
            scope: match p.scope {
                PolicyScope::Namespaced => Scope::Namespaced,
                PolicyScope::Kubernetes => Scope::Kubernetes,
                PolicyScope::Global => Scope::Global,
            },
            namespace: p.namespace.as_deref(),
            name: &p.name,
            spec: &p.spec,
        })
        .collect();
    let sets: Vec<NetworkSetRef<'_>> = state
        .cluster
        .network_sets
        .iter()
        .map(|s| NetworkSetRef {
            namespace: s.namespace.as_deref(),
            labels: &s.labels,
            namespace_labels: s
                .namespace
                .as_ref()
                .and_then(|ns| state.cluster.namespaces.get(ns))
                .map(|n| &n.labels),
            nets: &s.nets,
        })
        .collect();
    let tiers: Vec<TierRef> = state
        .cluster
        .tiers
        .iter()
        .map(|t| TierRef {
            name: t.name.clone(),
            order: t.order,
            default_action: if t.default_pass {
                TierDefault::Pass
            } else {
                TierDefault::Deny
            },
        })
        .collect();
    Engine::new(&refs)
        .with_network_sets(&sets)
        .with_tiers(&tiers)
}
