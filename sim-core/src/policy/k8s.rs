//! Kubernetes `networking.k8s.io/v1` NetworkPolicy and its conversion to a Calico NetworkPolicy, as libcalico-go does it.
//!
//! Mirrors `libcalico-go/lib/backend/k8s/conversion/conversion.go` (`K8sNetworkPolicyToCalico`,
//! `k8sRuleToCalico`, `k8sSelectorToCalico`, `k8sPeerToCalicoFields`, `k8sPortToCalico`,
//! `SimplifyPorts`), identical in v3.16–v3.28.
//!
//! Known, deliberate differences from Calico (only reachable with input the Kubernetes API server
//! rejects): a port `protocol` other than TCP/UDP/SCTP/ICMP/ICMPv6/UDPLite (any case) makes the
//! rule fail conversion here (Calico would carry the unknown string through to validation); an
//! IPv4-mapped IPv6 CIDR is rendered by Rust's rules rather than Go's.

use core::net::IpAddr;
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::model::Action;
use super::model::{
    EntityRule, NetworkPolicy, ObjectMeta, PolicySpec, PolicyType, Port, Protocol, Rule,
};

/// Name prefix of converted policies (`K8sNetworkPolicyNamePrefix`).
pub const K8S_POLICY_NAME_PREFIX: &str = "knp.default.";
/// Order given to every converted policy.
pub const K8S_POLICY_ORDER: f64 = 1000.0;
/// First term of every converted pod selector.
pub const ORCHESTRATOR_TERM: &str = "projectcalico.org/orchestrator == 'k8s'";

/// `metav1.LabelSelectorOperator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LabelSelectorOperator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

/// `metav1.LabelSelectorRequirement`.
/// Kubernetes reads `null` (`matchLabels:` with nothing after it) as the empty value.
fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelectorRequirement {
    pub key: String,
    pub operator: LabelSelectorOperator,
    #[serde(default, deserialize_with = "null_as_default")]
    pub values: Vec<String>,
}

/// `metav1.LabelSelector`. `{}` (no terms) selects everything.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelector {
    #[serde(default, deserialize_with = "null_as_default")]
    pub match_labels: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

/// `networkingv1.IPBlock`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IpBlock {
    pub cidr: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub except: Vec<String>,
}

/// `networkingv1.NetworkPolicyPeer`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkPolicyPeer {
    #[serde(default)]
    pub pod_selector: Option<LabelSelector>,
    #[serde(default)]
    pub namespace_selector: Option<LabelSelector>,
    #[serde(default)]
    pub ip_block: Option<IpBlock>,
}

/// `intstr.IntOrString`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IntOrString {
    Int(i64),
    String(String),
}

impl fmt::Display for IntOrString {
    /// `IntOrString.String()`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntOrString::Int(i) => write!(f, "{i}"),
            IntOrString::String(s) => f.write_str(s),
        }
    }
}

/// `networkingv1.NetworkPolicyPort`. `protocol` absent means TCP.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkPolicyPort {
    #[serde(default)]
    pub protocol: Option<String>,
    #[serde(default)]
    pub port: Option<IntOrString>,
    #[serde(default)]
    pub end_port: Option<i64>,
}

/// `networkingv1.NetworkPolicyIngressRule`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IngressRule {
    #[serde(default, deserialize_with = "null_as_default")]
    pub from: Vec<NetworkPolicyPeer>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub ports: Vec<NetworkPolicyPort>,
}

/// `networkingv1.NetworkPolicyEgressRule`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EgressRule {
    #[serde(default, deserialize_with = "null_as_default")]
    pub to: Vec<NetworkPolicyPeer>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub ports: Vec<NetworkPolicyPort>,
}

/// `networkingv1.NetworkPolicySpec`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct K8sNetworkPolicySpec {
    #[serde(default, deserialize_with = "null_as_default")]
    pub pod_selector: LabelSelector,
    #[serde(default, deserialize_with = "null_as_default")]
    pub policy_types: Vec<PolicyType>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub ingress: Vec<IngressRule>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub egress: Vec<EgressRule>,
}

/// Metadata of a Kubernetes NetworkPolicy.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct K8sObjectMeta {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub namespace: String,
}

/// `networking.k8s.io/v1` NetworkPolicy.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct K8sNetworkPolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default)]
    pub metadata: K8sObjectMeta,
    #[serde(default)]
    pub spec: K8sNetworkPolicySpec,
}

/// Which list a dropped rule came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleDirection {
    Ingress,
    Egress,
}

impl fmt::Display for RuleDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RuleDirection::Ingress => "ingress",
            RuleDirection::Egress => "egress",
        })
    }
}

/// Conversion errors. `BadRule` is non-fatal (the rule is dropped and reported in
/// [`ConvertedPolicy::errors`]); `MissingName` is fatal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConversionError {
    #[error("NetworkPolicy has no metadata.name")]
    MissingName,
    #[error(
        "{direction} rule {index} of policy {policy}: k8s rule couldn't be converted: {reason}"
    )]
    BadRule {
        policy: String,
        direction: RuleDirection,
        index: usize,
        reason: String,
    },
}

/// Result of [`convert`]: the Calico policy plus the rules that were dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvertedPolicy {
    pub policy: NetworkPolicy,
    /// One `ConversionError::BadRule` per dropped K8s rule (Calico's `ErrorPolicyConversion`).
    pub errors: Vec<ConversionError>,
    /// Non-fatal oddities Calico only logs (unparseable ipBlock CIDRs, egress rules without the
    /// Egress type).
    pub warnings: Vec<String>,
}

/// Selector flavour for [`selector_to_calico`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectorKind {
    /// Pod selector: prefixed with the orchestrator term.
    Pod,
    /// Namespace selector: no prefix; `{}` → `all()`; absent → `""`.
    Namespace,
}

/// `k8sSelectorToCalico`: the Calico selector text for a K8s label selector.
pub fn selector_to_calico(s: Option<&LabelSelector>, kind: SelectorKind) -> String {
    let mut terms: Vec<String> = Vec::new();
    if kind == SelectorKind::Pod {
        terms.push(ORCHESTRATOR_TERM.to_string());
    }
    let Some(s) = s else {
        return terms.join(" && ");
    };
    if kind == SelectorKind::Namespace
        && s.match_labels.is_empty()
        && s.match_expressions.is_empty()
    {
        return "all()".to_string();
    }
    // BTreeMap iterates keys in sorted (byte) order, like Go's sort.Strings.
    for (k, v) in &s.match_labels {
        terms.push(format!("{k} == '{v}'"));
    }
    for e in &s.match_expressions {
        let values = e.values.join("', '");
        terms.push(match e.operator {
            LabelSelectorOperator::In => format!("{} in {{ '{values}' }}", e.key),
            LabelSelectorOperator::NotIn => format!("{} not in {{ '{values}' }}", e.key),
            LabelSelectorOperator::Exists => format!("has({})", e.key),
            LabelSelectorOperator::DoesNotExist => format!("! has({})", e.key),
        });
    }
    terms.join(" && ")
}

/// Go's `net.ParseCIDR` followed by `IPNet.String()`: the network address (host bits cleared)
/// and prefix length.
pub fn normalise_cidr(s: &str) -> Result<String, String> {
    let err = || format!("invalid CIDR address: {s}");
    let (addr, len) = s.split_once('/').ok_or_else(err)?;
    if len.is_empty() || !len.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err());
    }
    let len: u32 = len.parse().map_err(|_| err())?;
    match addr.parse::<IpAddr>().map_err(|_| err())? {
        IpAddr::V4(a) => {
            if len > 32 {
                return Err(err());
            }
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            Ok(format!(
                "{}/{len}",
                core::net::Ipv4Addr::from(u32::from(a) & mask)
            ))
        }
        IpAddr::V6(a) => {
            if len > 128 {
                return Err(err());
            }
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len)
            };
            Ok(format!(
                "{}/{len}",
                core::net::Ipv6Addr::from(u128::from(a) & mask)
            ))
        }
    }
}

/// `SimplifyPorts`: with 2+ numeric ports, named ports (in order) followed by the numeric ports
/// merged into sorted, coalesced ranges; otherwise the input unchanged.
pub fn simplify_ports(ports: Vec<Port>) -> Vec<Port> {
    if ports.len() <= 1 {
        return ports;
    }
    let mut numeric: Vec<u32> = Vec::new();
    let mut out: Vec<Port> = Vec::new();
    for p in &ports {
        match p {
            Port::Named(_) => out.push(p.clone()),
            Port::Range { min, max } => numeric.extend(u32::from(*min)..=u32::from(*max)),
        }
    }
    if numeric.len() <= 1 {
        return ports;
    }
    numeric.sort_unstable();
    let mut i = 0;
    while i < numeric.len() {
        let first = numeric[i];
        let mut last = first;
        i += 1;
        while i < numeric.len() && numeric[i] <= last + 1 {
            last = numeric[i];
            i += 1;
        }
        // Both values come from u16 ranges.
        out.push(Port::Range {
            min: first as u16,
            max: last as u16,
        });
    }
    out
}

/// `k8sPortToCalico` + protocol defaulting: (protocol, `None` = all ports of it / `Some` = list).
fn port_to_calico(p: &NetworkPolicyPort) -> Result<(Protocol, Option<Vec<Port>>), String> {
    let proto_str = p.protocol.as_deref().unwrap_or("TCP");
    let protocol = Protocol::from_name_case_insensitive(proto_str)
        .ok_or_else(|| format!("unsupported protocol {proto_str:?}"))?;
    let Some(port) = &p.port else {
        return Ok((protocol, None));
    };
    let mut text = port.to_string();
    if let Some(end) = p.end_port {
        text = format!("{text}:{end}");
    }
    let port = Port::parse(&text)
        .map_err(|e| format!("failed to parse k8s port: invalid port {text}: {e}"))?;
    Ok((protocol, Some(vec![port])))
}

/// Peer fields: (selector, namespaceSelector, nets, notNets).
struct PeerFields {
    selector: String,
    namespace_selector: String,
    nets: Vec<String>,
    not_nets: Vec<String>,
}

/// `k8sPeerToCalicoFields`. An unparseable CIDR makes Calico log and return what it has so far
/// (for a bad `cidr`: nothing, i.e. the peer matches everything); mirrored, with a warning.
fn peer_to_calico(peer: Option<&NetworkPolicyPeer>, warnings: &mut Vec<String>) -> PeerFields {
    let mut f = PeerFields {
        selector: String::new(),
        namespace_selector: String::new(),
        nets: Vec::new(),
        not_nets: Vec::new(),
    };
    let Some(peer) = peer else { return f };
    if let Some(block) = &peer.ip_block {
        match normalise_cidr(&block.cidr) {
            Ok(n) => f.nets = vec![n],
            Err(e) => {
                warnings.push(format!(
                    "ipBlock: {e} (Calico drops the whole peer constraint)"
                ));
                return f;
            }
        }
        for ex in &block.except {
            match normalise_cidr(ex) {
                Ok(n) => f.not_nets.push(n),
                Err(e) => {
                    warnings.push(format!(
                        "ipBlock except: {e} (Calico keeps earlier entries only)"
                    ));
                    return f;
                }
            }
        }
        return f;
    }
    f.selector = selector_to_calico(peer.pod_selector.as_ref(), SelectorKind::Pod);
    f.namespace_selector =
        selector_to_calico(peer.namespace_selector.as_ref(), SelectorKind::Namespace);
    f
}

/// `k8sRuleToCalico`: one Allow rule per protocol (sorted by protocol string) × peer (in order).
fn rule_to_calico(
    peers: &[NetworkPolicyPeer],
    ports: &[NetworkPolicyPort],
    ingress: bool,
    warnings: &mut Vec<String>,
) -> Result<Vec<Rule>, String> {
    // Key: protocol string ("" = no protocol); value: None = all ports.
    let mut by_proto: BTreeMap<String, (Option<Protocol>, Option<Vec<Port>>)> = BTreeMap::new();
    if ports.is_empty() {
        by_proto.insert(String::new(), (None, None));
    }
    for p in ports {
        let (proto, calico_ports) = port_to_calico(p)?;
        let key = proto.to_string();
        match calico_ports {
            None => {
                by_proto.insert(key, (Some(proto), None));
            }
            Some(list) => {
                let entry = by_proto
                    .entry(key)
                    .or_insert_with(|| (Some(proto), Some(Vec::new())));
                // A `None` (all ports) entry is never narrowed again.
                if let Some(existing) = &mut entry.1 {
                    existing.extend(list);
                }
            }
        }
    }
    let peer_list: Vec<Option<&NetworkPolicyPeer>> = if peers.is_empty() {
        vec![None]
    } else {
        peers.iter().map(Some).collect()
    };
    let mut rules = Vec::new();
    for (protocol, calico_ports) in by_proto.into_values() {
        let calico_ports = simplify_ports(calico_ports.unwrap_or_default());
        for peer in &peer_list {
            let f = peer_to_calico(*peer, warnings);
            let entity = EntityRule {
                nets: f.nets,
                not_nets: f.not_nets,
                selector: f.selector,
                namespace_selector: f.namespace_selector,
                ..EntityRule::default()
            };
            let mut rule = Rule::new(Action::Allow);
            rule.protocol = protocol;
            if ingress {
                rule.source = entity;
                rule.destination.ports = calico_ports.clone();
            } else {
                rule.destination = entity;
                rule.destination.ports = calico_ports.clone();
            }
            rules.push(rule);
        }
    }
    Ok(rules)
}

/// `K8sNetworkPolicyToCalico`: the Calico NetworkPolicy `knp.default.<name>` (same namespace,
/// order 1000). Rules that fail conversion are dropped and reported in `errors`.
pub fn convert(np: &K8sNetworkPolicy) -> Result<ConvertedPolicy, ConversionError> {
    if np.metadata.name.is_empty() {
        return Err(ConversionError::MissingName);
    }
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let bad = |direction, index, reason| ConversionError::BadRule {
        policy: np.metadata.name.clone(),
        direction,
        index,
        reason,
    };

    let mut ingress = Vec::new();
    for (i, r) in np.spec.ingress.iter().enumerate() {
        match rule_to_calico(&r.from, &r.ports, true, &mut warnings) {
            Ok(rules) => ingress.extend(rules),
            Err(e) => errors.push(bad(RuleDirection::Ingress, i, e)),
        }
    }
    let mut egress = Vec::new();
    for (i, r) in np.spec.egress.iter().enumerate() {
        match rule_to_calico(&r.to, &r.ports, false, &mut warnings) {
            Ok(rules) => egress.extend(rules),
            Err(e) => errors.push(bad(RuleDirection::Egress, i, e)),
        }
    }

    let has = |t| np.spec.policy_types.contains(&t);
    let mut types = Vec::new();
    if has(PolicyType::Ingress) {
        types.push(PolicyType::Ingress);
    }
    if has(PolicyType::Egress) {
        types.push(PolicyType::Egress);
    } else if !egress.is_empty() {
        warnings.push(
            "K8s PolicyTypes don't include 'egress', but NetworkPolicy has egress rules.".into(),
        );
    }
    if types.is_empty() {
        types.push(PolicyType::Ingress);
    }

    let policy = NetworkPolicy {
        metadata: ObjectMeta {
            name: format!("{K8S_POLICY_NAME_PREFIX}{}", np.metadata.name),
            namespace: np.metadata.namespace.clone(),
            labels: BTreeMap::new(),
        },
        spec: PolicySpec {
            order: Some(K8S_POLICY_ORDER),
            selector: selector_to_calico(Some(&np.spec.pod_selector), SelectorKind::Pod),
            types: Some(types),
            ingress,
            egress,
            ..PolicySpec::default()
        },
    };
    Ok(ConvertedPolicy {
        policy,
        errors,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn np(json: &str) -> K8sNetworkPolicy {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn selectors() {
        let s: LabelSelector = serde_json::from_str(
            r#"{"matchLabels": {"b": "2", "a": "1"}, "matchExpressions": [
                {"key": "k", "operator": "NotIn", "values": ["x", "y"]},
                {"key": "e", "operator": "Exists"}]}"#,
        )
        .unwrap();
        assert_eq!(
            selector_to_calico(Some(&s), SelectorKind::Pod),
            "projectcalico.org/orchestrator == 'k8s' && a == '1' && b == '2' && k not in { 'x', 'y' } && has(e)"
        );
        assert_eq!(
            selector_to_calico(Some(&s), SelectorKind::Namespace),
            "a == '1' && b == '2' && k not in { 'x', 'y' } && has(e)"
        );
        assert_eq!(selector_to_calico(None, SelectorKind::Namespace), "");
        assert_eq!(
            selector_to_calico(Some(&LabelSelector::default()), SelectorKind::Namespace),
            "all()"
        );
        assert_eq!(
            selector_to_calico(None, SelectorKind::Pod),
            ORCHESTRATOR_TERM
        );
    }

    #[test]
    fn cidr_normalisation() {
        assert_eq!(normalise_cidr("192.168.1.7/16").unwrap(), "192.168.0.0/16");
        assert_eq!(normalise_cidr("0.0.0.0/0").unwrap(), "0.0.0.0/0");
        assert_eq!(normalise_cidr("fd00::1:2/64").unwrap(), "fd00::/64");
        assert_eq!(normalise_cidr("10.0.0.1/32").unwrap(), "10.0.0.1/32");
        for bad in [
            "10.0.0.1",
            "10.0.0.0/33",
            "10.0.0/8",
            "x/8",
            "10.0.0.0/",
            "::/129",
        ] {
            assert!(normalise_cidr(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn simplify() {
        let p = |s: &str| Port::parse(s).unwrap();
        assert_eq!(
            simplify_ports(vec![
                p("82"),
                p("foo"),
                p("80"),
                p("81"),
                p("9090"),
                p("80")
            ]),
            vec![p("foo"), p("80:82"), p("9090")]
        );
        // One numeric port: original order kept.
        assert_eq!(
            simplify_ports(vec![p("80"), p("foo")]),
            vec![p("80"), p("foo")]
        );
        assert_eq!(
            simplify_ports(vec![p("100:102"), p("90")]),
            vec![p("90"), p("100:102")]
        );
    }

    #[test]
    fn many_ports_merged_and_all_ports_absorbs() {
        let c = convert(&np(
            r#"{"metadata": {"name": "p", "namespace": "ns"}, "spec": {
            "ingress": [{"ports": [{"port": 81}, {"port": "http"}, {"port": 80},
                                   {"protocol": "udp", "port": 53},
                                   {"protocol": "UDP"}, {"protocol": "UDP", "port": 54},
                                   {"protocol": "SCTP", "port": 9}]}]}}"#,
        ))
        .unwrap();
        let rules = &c.policy.spec.ingress;
        assert_eq!(rules.len(), 3);
        assert_eq!(rules[0].protocol, Some(Protocol::Sctp));
        assert_eq!(rules[1].protocol, Some(Protocol::Tcp));
        assert_eq!(
            rules[1].destination.ports,
            vec![Port::named("http"), Port::Range { min: 80, max: 81 }]
        );
        assert_eq!(rules[2].protocol, Some(Protocol::Udp));
        assert!(rules[2].destination.ports.is_empty());
        assert!(rules.iter().all(|r| r.source.is_empty()));
        assert!(c.errors.is_empty());
    }

    #[test]
    fn bad_rule_dropped_rest_kept() {
        let c = convert(&np(r#"{"metadata": {"name": "p", "namespace": "ns"}, "spec": {
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"ports": [{"port": "foo", "endPort": 90}]}, {"ports": [{"port": 70000}]}, {}],
            "egress": [{"ports": [{"port": 90, "endPort": 80}]}, {"ports": [{"port": 1}]}]}}"#))
        .unwrap();
        assert_eq!(c.policy.spec.ingress, vec![Rule::new(Action::Allow)]);
        assert_eq!(c.policy.spec.egress.len(), 1);
        assert_eq!(
            c.policy.spec.egress[0].destination.ports,
            vec![Port::single(1)]
        );
        let idx: Vec<(RuleDirection, usize)> = c
            .errors
            .iter()
            .map(|e| match e {
                ConversionError::BadRule {
                    direction, index, ..
                } => (*direction, *index),
                other => panic!("unexpected {other}"),
            })
            .collect();
        assert_eq!(
            idx,
            vec![
                (RuleDirection::Ingress, 0),
                (RuleDirection::Ingress, 1),
                (RuleDirection::Egress, 0)
            ]
        );
        assert_eq!(
            c.policy.spec.types,
            Some(vec![PolicyType::Ingress, PolicyType::Egress])
        );
    }

    #[test]
    fn bad_cidr_mirrors_calico_widening() {
        let c = convert(&np(r#"{"metadata": {"name": "p"}, "spec": {
            "ingress": [{"from": [{"ipBlock": {"cidr": "nope"}},
                                  {"ipBlock": {"cidr": "10.1.2.3/8", "except": ["10.1.0.0/16", "bad", "10.2.0.0/16"]}}]}]}}"#))
        .unwrap();
        let r = &c.policy.spec.ingress;
        assert!(r[0].source.is_empty());
        assert_eq!(r[1].source.nets, vec!["10.0.0.0/8".to_string()]);
        assert_eq!(r[1].source.not_nets, vec!["10.1.0.0/16".to_string()]);
        assert_eq!(c.warnings.len(), 2);
    }

    #[test]
    fn egress_without_type_and_missing_name() {
        let c = convert(&np(
            r#"{"metadata": {"name": "p"}, "spec": {"egress": [{}]}}"#,
        ))
        .unwrap();
        assert_eq!(c.policy.spec.types, Some(vec![PolicyType::Ingress]));
        assert_eq!(c.policy.spec.egress.len(), 1);
        assert_eq!(c.warnings.len(), 1);
        assert_eq!(
            convert(&K8sNetworkPolicy::default()),
            Err(ConversionError::MissingName)
        );
    }
}
