//! Which pod pairs could have changed at all, so that a policy change in a large cluster
//! does not walk a million unchanged pairs twice.
//!
//! A walk between two pods reads the network (addresses, every node's routes and devices,
//! routers, the underlay, BGP) and network policy. When the two scenarios have the same
//! network, the walk of a pair can differ only in policy, and Felix decides a pod-to-pod
//! packet with two chains: the source's egress policies and the destination's ingress
//! policies, whose rules look at the two ends only (labels, namespace labels, service
//! account, named ports, addresses). So a pair whose two ends both kept their policy view
//! (those policies, in order, and those attributes) cannot have changed, and is not
//! walked. When anything in the network differs, every pair is walked.

use crate::labels::LabelMap;
use crate::model::{Cluster, Pod, PodId, Policy};
use crate::policy::endpoints::Endpoints;
use crate::policy::model::PolicyType;
use crate::state::ClusterState;

/// Per matched pod (`[before id, after id]`): whether a pair with it at either end could
/// have changed; None when the networks differ and every pair could have.
pub(super) fn pods_that_could_change(
    before: &ClusterState,
    after: &ClusterState,
    pods: &[[PodId; 2]],
) -> Option<Vec<bool>> {
    if !same_network(before, after) {
        return None;
    }
    let (eps_before, eps_after) = (Endpoints::new(before), Endpoints::new(after));
    Some(
        pods.iter()
            .map(|&[b, a]| {
                PolicyView::of(before, &eps_before, b) != PolicyView::of(after, &eps_after, a)
            })
            .collect(),
    )
}

/// Everything but the policy inputs is equal: the cluster with policies, pod labels,
/// service accounts and container ports and namespace labels set aside, and everything
/// computed from it. (The computed parts follow from the cluster; comparing them too keeps
/// this check honest if a later layer starts reading a label.)
fn same_network(before: &ClusterState, after: &ClusterState) -> bool {
    without_policy_inputs(&before.cluster) == without_policy_inputs(&after.cluster)
        && before.ipam == after.ipam
        && before.node_addresses == after.node_addresses
        && before.bgp.as_numbers == after.bgp.as_numbers
        && before.bgp.bird_address == after.bgp.bird_address
        && before.bgp.sessions == after.bgp.sessions
        && before.dataplane == after.dataplane
        && before.routers == after.routers
}

fn without_policy_inputs(c: &Cluster) -> Cluster {
    let mut c = Cluster {
        policies: Vec::new(),
        ..c.clone()
    };
    for pod in &mut c.pods {
        pod.labels = LabelMap::new();
        pod.service_account.clear();
        pod.ports.clear();
    }
    for ns in c.namespaces.values_mut() {
        ns.labels = LabelMap::new();
    }
    c
}

/// What Felix's chains read about one end of a pair.
#[derive(PartialEq)]
struct PolicyView<'s> {
    pod: &'s Pod,
    namespace_labels: Option<&'s LabelMap>,
    egress: Vec<&'s Policy>,
    ingress: Vec<&'s Policy>,
}

impl<'s> PolicyView<'s> {
    fn of(s: &'s ClusterState, eps: &Endpoints<'s>, pod: PodId) -> Self {
        let p = &s.cluster.pods[pod];
        let policies = |dir| {
            eps.applicable(pod, dir)
                .iter()
                .map(|&i| &s.cluster.policies[eps.engine.source_of(i)])
                .collect()
        };
        PolicyView {
            pod: p,
            namespace_labels: s.cluster.namespaces.get(&p.namespace).map(|n| &n.labels),
            egress: policies(PolicyType::Egress),
            ingress: policies(PolicyType::Ingress),
        }
    }
}
