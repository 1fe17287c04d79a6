//! `lab.yaml`: one exercise of the catalogue — its text, its starting scenario and reference
//! solution, the checks a fixed cluster must pass, and the predictions a student writes down.

use serde::Deserialize;

use crate::scenario::{ReachabilitySpec, SessionSpec};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LabSpec {
    pub title: String,
    /// beginner, intermediate or advanced.
    pub level: String,
    #[serde(default)]
    pub objectives: Vec<String>,
    /// The starting scenario, relative to the lab's folder.
    pub scenario: String,
    /// The reference solution (kept apart, clearly marked), relative to the lab's folder.
    pub solution: String,
    #[serde(default)]
    pub tasks: Vec<String>,
    #[serde(default)]
    pub checks: Vec<CheckSpec>,
    #[serde(default)]
    pub predictions: Vec<PredictionSpec>,
}

/// One assertion over the computed state; exactly one of the kinds is set.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CheckSpec {
    pub id: String,
    /// Shown when the check fails; never the answer.
    pub hint: String,
    /// A reachability promise as in `Expectations` (expect / via / through), plus `size`.
    pub reachability: Option<ReachabilityCheck>,
    pub session: Option<SessionSpec>,
    /// A lint id that must not fire.
    pub lint_absent: Option<String>,
    /// The pod's address lies in this CIDR.
    pub pod_address_in: Option<PodAddressIn>,
    /// Every IPv4 pool lies inside kubeadm's podSubnet.
    pub pools_inside_pod_subnet: Option<bool>,
    /// The route a node (or pod) picks for an address leaves through this device.
    pub route: Option<RouteCheck>,
    /// Every pod got an address (no IPAM failure).
    pub all_pods_addressed: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReachabilityCheck {
    pub from: String,
    pub to: String,
    pub proto: Option<String>,
    pub port: Option<u16>,
    pub expect: Option<String>,
    pub via: Option<String>,
    pub through: Option<String>,
    /// Packet size in bytes, or `pod-mtu` (the source pod's eth0 MTU: the largest packet it
    /// sends with DF).
    pub size: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PodAddressIn {
    pub pod: String,
    pub cidr: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RouteCheck {
    /// A node name or NAMESPACE/POD.
    pub at: String,
    pub to: String,
    pub dev: String,
}

/// A question the student answers before touching the cluster; graded against the
/// simulator's own computation of the starting scenario, never a stored answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PredictionSpec {
    pub id: String,
    pub question: String,
    pub hint: String,
    pub truth: Truth,
}

/// What the simulator computes to grade a prediction.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub enum Truth {
    /// `delivered` or `dropped` (the request).
    Verdict {
        from: String,
        to: String,
        port: Option<u16>,
    },
    /// `vxlan`, `ipip` or `direct`.
    Encapsulation { from: String, to: String },
    /// The device `node` sends the packet out of (its route hop's device).
    EgressDevice {
        from: String,
        to: String,
        node: String,
    },
    /// The pod's IPv4 address.
    PodAddress { pod: String },
    /// The IPAM block holding the pod's address.
    Block { pod: String },
    /// A device's MTU on a node (or in a pod).
    Mtu { at: String, device: String },
    /// The device of the route `at` picks for `to`.
    RouteDevice { at: String, to: String },
    /// The address calico-node registers for a node (without prefix), or `none`.
    NodeAddress { node: String },
}

impl ReachabilityCheck {
    /// The promise part, as an `Expectations` document writes it.
    pub fn promise(&self) -> ReachabilitySpec {
        ReachabilitySpec {
            from: self.from.clone(),
            to: self.to.clone(),
            proto: self.proto.clone(),
            port: self.port,
            expect: self.expect.clone(),
            via: self.via.clone(),
            through: self.through.clone(),
        }
    }
}
