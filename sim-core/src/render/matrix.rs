//! Policy verdicts between pods: `calisim matrix` (every pair, printed as the Kubernetes
//! network-policy conformance probes print their truth tables) and `calisim policy explain`.
//!
//! Policy only: whether Felix would let the packet out of the source and into the
//! destination. Routing (whether it gets there) is the walker's job.

use serde::Serialize;

use crate::labels::LabelMap;
use crate::model::PolicyScope;
use crate::policy::eval::{Engine, NamedPort, Packet, Peer, PolicyRef, Scope, Verdict, Workload};
use crate::policy::model::{PolicyType, Protocol};
use crate::state::ClusterState;

/// Rows are sources, columns destinations, in the order of `pods`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Matrix {
    pub pods: Vec<String>,
    pub allowed: Vec<Vec<bool>>,
}

/// Every pod that has an address, with what the engine needs to know about it.
struct Endpoints<'s> {
    keys: Vec<String>,
    ports: Vec<Vec<NamedPort<'s>>>,
    pods: Vec<usize>,
    empty: LabelMap,
    state: &'s ClusterState,
}

impl<'s> Endpoints<'s> {
    fn new(state: &'s ClusterState) -> Self {
        let pods: Vec<usize> = (0..state.cluster.pods.len())
            .filter(|p| state.ipam.pod_address(*p).is_some())
            .collect();
        let ports = pods
            .iter()
            .map(|&p| {
                state.cluster.pods[p]
                    .ports
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
        let keys = pods.iter().map(|&p| state.cluster.pods[p].key()).collect();
        Self {
            keys,
            ports,
            pods,
            empty: LabelMap::new(),
            state,
        }
    }

    fn workload(&self, i: usize) -> Workload<'_> {
        let pod = &self.state.cluster.pods[self.pods[i]];
        let ip = match self.state.ipam.pod_address(self.pods[i]) {
            Some(core::net::IpAddr::V4(v4)) => v4,
            _ => core::net::Ipv4Addr::UNSPECIFIED,
        };
        Workload {
            namespace: &pod.namespace,
            name: &pod.name,
            labels: &pod.labels,
            namespace_labels: self
                .state
                .cluster
                .namespaces
                .get(&pod.namespace)
                .map_or(&self.empty, |n| &n.labels),
            service_account: &pod.service_account,
            ip,
            ports: &self.ports[i],
        }
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
    Engine::new(&refs)
}

/// Policy verdicts for every ordered pair of pods (a pod to itself included, as upstream does).
pub fn matrix(state: &ClusterState, protocol: Protocol, port: Option<u16>) -> Matrix {
    let eps = Endpoints::new(state);
    let engine = engine(state);
    let packet = Packet {
        protocol,
        dst_port: port,
    };
    let n = eps.keys.len();
    let workloads: Vec<Workload<'_>> = (0..n).map(|i| eps.workload(i)).collect();
    let egress: Vec<Vec<usize>> = workloads
        .iter()
        .map(|w| engine.applicable(w, PolicyType::Egress))
        .collect();
    let ingress: Vec<Vec<usize>> = workloads
        .iter()
        .map(|w| engine.applicable(w, PolicyType::Ingress))
        .collect();
    let peers: Vec<Peer<'_>> = (0..n).map(|i| Peer::Workload(eps.workload(i))).collect();
    // A pod talking to itself never leaves its own namespace: no policy applies (upstream
    // conformance counts it as allowed too).
    let allowed = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| {
                    i == j || engine.allows(&peers[i], &egress[i], &peers[j], &ingress[j], &packet)
                })
                .collect()
        })
        .collect();
    Matrix {
        pods: eps.keys.clone(),
        allowed,
    }
}

/// The upstream conformance layout: a header row `-  x/a  x/b …`, then one row per source.
pub fn render(m: &Matrix) -> String {
    let mut out = String::from("-");
    for p in &m.pods {
        out.push('\t');
        out.push_str(p);
    }
    out.push('\n');
    for (i, row) in m.allowed.iter().enumerate() {
        out.push_str(&m.pods[i]);
        for a in row {
            out.push('\t');
            out.push(if *a { '.' } else { 'X' });
        }
        out.push('\n');
    }
    out
}

/// The verdict between two pods named `namespace/name`, or None if either has no address.
pub fn explain(
    state: &ClusterState,
    from: &str,
    to: &str,
    protocol: Protocol,
    port: Option<u16>,
) -> Option<Verdict> {
    let eps = Endpoints::new(state);
    let find = |key: &str| eps.keys.iter().position(|k| k == key);
    let (i, j) = (find(from)?, find(to)?);
    let engine = engine(state);
    Some(engine.evaluate(
        &Peer::Workload(eps.workload(i)),
        &Peer::Workload(eps.workload(j)),
        &Packet {
            protocol,
            dst_port: port,
        },
    ))
}

/// `calisim policy explain`: the egress decision at the source, the ingress decision at the
/// destination, and the verdict.
pub fn render_verdict(from: &str, to: &str, v: &Verdict) -> String {
    let mut out = format!(
        "{from} -> {to}: {}\n",
        if v.allowed { "allowed" } else { "denied" }
    );
    for (what, d) in [
        ("egress at the source", &v.egress),
        ("ingress at the destination", &v.ingress),
    ] {
        if let Some(d) = d {
            out.push_str(&format!(
                "  {what}: {} — {}\n",
                if d.allowed { "allow" } else { "deny" },
                d.explanation
            ));
        }
    }
    out
}
