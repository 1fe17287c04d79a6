//! Verdicts between pods: `calisim matrix` (every pair, printed as the Kubernetes
//! network-policy conformance probes print their truth tables) and `calisim policy explain`.
//!
//! The matrix walks every pair (routing, underlay and policy); `--policy-only` asks Felix's
//! chains alone, whether or not the packet could get there.

use serde::Serialize;

use crate::model::PodId;
use crate::policy::endpoints::Endpoints;
use crate::policy::eval::{Packet, Peer, Verdict};
use crate::policy::model::{PolicyType, Protocol};
use crate::state::ClusterState;
use crate::walker::{Endpoint, Probe, Walker};

/// Rows are sources, columns destinations, in the order of `pods`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Matrix {
    pub pods: Vec<String>,
    pub allowed: Vec<Vec<bool>>,
}

/// Pods with an address, in scenario order, and their `namespace/name` keys.
pub fn matrix_pods(state: &ClusterState) -> (Vec<PodId>, Vec<String>) {
    let pods: Vec<PodId> = (0..state.cluster.pods.len())
        .filter(|&p| state.ipam.pod_address(p).is_some())
        .collect();
    let keys = pods.iter().map(|&p| state.cluster.pods[p].key()).collect();
    (pods, keys)
}

/// Reachability for every ordered pair of pods: the whole walk (routes, underlay, NAT,
/// policy), as the Kubernetes conformance probes measure it. A pod reaches itself.
pub fn matrix(state: &ClusterState, protocol: Protocol, port: Option<u16>) -> Matrix {
    let (pods, keys) = matrix_pods(state);
    let walker = Walker::new(state);
    let allowed = pods
        .iter()
        .map(|&a| {
            pods.iter()
                .map(|&b| {
                    let probe = Probe::new(Endpoint::Pod(a), Endpoint::Pod(b), protocol, port);
                    walker.reaches(&probe)
                })
                .collect()
        })
        .collect();
    Matrix {
        pods: keys,
        allowed,
    }
}

/// Policy verdicts alone for every ordered pair of pods (a pod to itself included, as
/// upstream does), whether or not the packet could get there.
pub fn policy_matrix(state: &ClusterState, protocol: Protocol, port: Option<u16>) -> Matrix {
    let (pods, keys) = matrix_pods(state);
    let eps = Endpoints::new(state);
    let packet = Packet {
        protocol,
        dst_port: port,
    };
    let peers: Vec<Peer<'_>> = pods
        .iter()
        .map(|&p| Peer::Workload(eps.workload(p).expect("pods with an address")))
        .collect();
    // A pod talking to itself never leaves its own namespace: no policy applies (upstream
    // conformance counts it as allowed too).
    let allowed = (0..pods.len())
        .map(|i| {
            (0..pods.len())
                .map(|j| {
                    i == j
                        || eps.engine.allows(
                            &peers[i],
                            eps.applicable(pods[i], PolicyType::Egress),
                            &peers[j],
                            eps.applicable(pods[j], PolicyType::Ingress),
                            &packet,
                        )
                })
                .collect()
        })
        .collect();
    Matrix {
        pods: keys,
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
    let find = |key: &str| {
        (0..state.cluster.pods.len())
            .find(|&p| state.cluster.pods[p].key() == key)
            .and_then(|p| eps.workload(p))
    };
    let (a, b) = (find(from)?, find(to)?);
    Some(eps.engine.evaluate(
        &Peer::Workload(a),
        &Peer::Workload(b),
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
