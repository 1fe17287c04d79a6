//! Calico network policy: the v3 data model ([`model`]) and Kubernetes NetworkPolicy conversion ([`k8s`]).

pub mod endpoints;
pub mod eval;
pub mod k8s;
pub mod model;

pub use k8s::{convert, ConversionError, ConvertedPolicy, K8sNetworkPolicy};
pub use model::{
    default_types, Action, EntityRule, GlobalNetworkPolicy, GlobalNetworkPolicySpec,
    GlobalNetworkSetSpec, IcmpFields, NetworkPolicy, NetworkPolicySpec, NetworkSetSpec, ObjectMeta,
    PolicySpec, PolicyType, Port, Protocol, Rule, ServiceAccountMatch, ValueError,
};
