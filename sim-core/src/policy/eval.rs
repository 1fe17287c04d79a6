//! Felix's policy evaluation with explanations; pure.
//!
//! Given the Calico policies of a cluster (namespaced Calico NetworkPolicies, converted Kubernetes
//! NetworkPolicies and GlobalNetworkPolicies, in their tiers — v3.28 has only the `default` tier,
//! v3.29+ adds `Tier` resources, see [`Engine::with_tiers`]), [`Engine::evaluate`]
//! decides whether one packet from `src` to `dst` passes the source workload's egress chain and
//! the destination workload's ingress chain, and explains why (calico-semantics.md §5.1–§5.3).
//!
//! Modelling choices and limits (all deliberate, see the tests):
//! * Only the original direction is evaluated: conntrack (`RELATED,ESTABLISHED` replies), the
//!   host → local pod exemption and `DefaultEndpointToHostAction` are the caller's business.
//!   A [`Peer::Host`] destination or source gets no chain (its [`Decision`] is `None`).
//! * Endpoint labels are the §5.2 view: pod labels, `projectcalico.org/{namespace,orchestrator,
//!   serviceaccount}`, inherited `pcns.<key>` / `pcns.projectcalico.org/name` (own labels win) and
//!   `pcsa.<key>` / `pcsa.projectcalico.org/name` from the pod's ServiceAccount.
//! * Selectors on a rule side match workloads and the nets of matching NetworkSets /
//!   GlobalNetworkSets ([`Engine::with_network_sets`]; a set's labels, its namespace label and
//!   its namespace's `pcns.` labels); a [`Peer::Host`] outside every matching set matches no
//!   selector and satisfies `notSelector`; a service-account constraint never matches a set.
//! * Source `ports` / `notPorts`: the source port is ephemeral and not modelled, so a rule that
//!   constrains source ports **never matches**.
//! * ICMP packets are taken to be echo requests (type 8, code 0): `icmp` / `notICMP` compare
//!   against that.
//! * `serviceAccounts.selector` is evaluated against the `pcsa.`-prefixed view (the
//!   ServiceAccount's labels and `projectcalico.org/name`); `names` are compared with the peer's
//!   service account.
//! * A selector or CIDR that does not parse is recorded in [`Engine::errors`]; a policy whose own
//!   selectors are broken applies to nothing, a rule with a broken field never matches.
//! * IPv6 CIDRs never match (packets are IPv4); a rule with `ipVersion: 6` never matches.

use core::net::Ipv4Addr;
use std::cmp::Ordering;
use std::fmt;

mod material;

pub use material::{RuleMaterial, Side, TierRules};

use crate::labels::LabelMap;
use crate::selector::{Labels, Selector};

use super::model::{
    default_types, Action, EntityRule, PolicySpec, PolicyType, Port, Protocol, Rule,
};

/// Which kind of resource a policy is (decides its Felix name and namespacing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `projectcalico.org/v3` NetworkPolicy.
    Namespaced,
    /// A Kubernetes NetworkPolicy converted by [`super::k8s::convert`] (name `knp.default.<x>`).
    Kubernetes,
    /// GlobalNetworkPolicy.
    Global,
}

/// One policy handed to the engine.
#[derive(Debug, Clone, Copy)]
pub struct PolicyRef<'a> {
    pub scope: Scope,
    /// Required for `Namespaced` / `Kubernetes`, ignored for `Global`.
    pub namespace: Option<&'a str>,
    pub name: &'a str,
    pub spec: &'a PolicySpec,
}

/// A named container port of a workload (`protocol` is `"TCP"`, `"UDP"` or `"SCTP"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NamedPort<'a> {
    pub name: &'a str,
    pub port: u16,
    pub protocol: &'a str,
}

/// A Kubernetes pod as a Calico workload endpoint.
#[derive(Debug, Clone, Copy)]
pub struct Workload<'a> {
    pub namespace: &'a str,
    pub name: &'a str,
    pub labels: &'a LabelMap,
    pub namespace_labels: &'a LabelMap,
    pub service_account: &'a str,
    /// The service account's own labels (seen as `pcsa.<key>`).
    pub service_account_labels: Option<&'a LabelMap>,
    pub ip: Ipv4Addr,
    pub ports: &'a [NamedPort<'a>],
}

/// One end of a packet.
#[derive(Debug, Clone, Copy)]
pub enum Peer<'a> {
    Workload(Workload<'a>),
    /// A non-workload address (external, a node).
    Host(Ipv4Addr),
}

impl Peer<'_> {
    fn ip(&self) -> Ipv4Addr {
        match self {
            Peer::Workload(w) => w.ip,
            Peer::Host(ip) => *ip,
        }
    }
}

impl fmt::Display for Peer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Peer::Workload(w) => write!(f, "{}/{}", w.namespace, w.name),
            Peer::Host(ip) => write!(f, "host {ip}"),
        }
    }
}

/// The packet being probed (ICMP packets are echo requests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packet {
    pub protocol: Protocol,
    pub dst_port: Option<u16>,
}

/// The outcome of one chain (egress of the source or ingress of the destination).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Decision {
    pub allowed: bool,
    pub explanation: String,
    /// Felix name of the deciding policy (for `Pass`, the passing policy; `kns.<ns>` when no
    /// policy applies and the profile decided; `None` for the default deny after the last policy).
    pub policy: Option<String>,
    /// The deciding rule (profile decisions: `kns.<ns>`'s single Allow rule, index 0).
    pub rule: Option<(PolicyType, usize)>,
}

impl Decision {
    /// A verdict without words (the matrix's fast path).
    fn bare(allowed: bool) -> Self {
        Self {
            allowed,
            explanation: String::new(),
            policy: None,
            rule: None,
        }
    }
}

/// The outcome for a packet: allowed only if every evaluated chain allows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Verdict {
    pub allowed: bool,
    /// `None` when the source is not a workload.
    pub egress: Option<Decision>,
    /// `None` when the destination is not a workload.
    pub ingress: Option<Decision>,
}

// ---------------------------------------------------------------------------------------------
// Endpoint label view (§5.2)

const NS_LABEL: &str = "projectcalico.org/namespace";
const ORCH_LABEL: &str = "projectcalico.org/orchestrator";
const SA_LABEL: &str = "projectcalico.org/serviceaccount";
const NAME_LABEL: &str = "projectcalico.org/name";

/// The labels Felix sees on a workload endpoint, without building a merged map.
struct EndpointView<'w, 'a>(&'w Workload<'a>);

impl Labels for EndpointView<'_, '_> {
    fn get(&self, key: &str) -> Option<&str> {
        let w = self.0;
        match key {
            NS_LABEL => return Some(w.namespace),
            ORCH_LABEL => return Some("k8s"),
            SA_LABEL if !w.service_account.is_empty() && w.service_account.len() < 63 => {
                return Some(w.service_account)
            }
            _ => {}
        }
        if let Some(v) = w.labels.get(key) {
            return Some(v);
        }
        if let Some(k) = key.strip_prefix("pcns.") {
            if k == NAME_LABEL {
                return Some(w.namespace);
            }
            return w.namespace_labels.get(k);
        }
        if let Some(k) = key.strip_prefix("pcsa.") {
            if w.service_account.is_empty() {
                return None;
            }
            if k == NAME_LABEL {
                return Some(w.service_account);
            }
            return w.service_account_labels.and_then(|l| l.get(k));
        }
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Compiled policies

#[derive(Debug, Clone, Copy)]
enum Net {
    V4 {
        addr: u32,
        mask: u32,
    },
    /// IPv6: never matches an IPv4 packet.
    V6,
}

impl Net {
    fn parse(s: &str) -> Result<Net, String> {
        let (addr, len) = match s.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (s, None),
        };
        if addr.contains(':') {
            return addr
                .parse::<core::net::Ipv6Addr>()
                .ok()
                .filter(|_| len.is_none_or(|l| l.parse::<u8>().is_ok_and(|l| l <= 128)))
                .map(|_| Net::V6)
                .ok_or_else(|| format!("invalid CIDR {s:?}"));
        }
        let ip: Ipv4Addr = addr.parse().map_err(|_| format!("invalid CIDR {s:?}"))?;
        let len: u32 = match len {
            None => 32,
            Some(l) => l
                .parse::<u32>()
                .ok()
                .filter(|l| *l <= 32)
                .ok_or_else(|| format!("invalid CIDR {s:?}"))?,
        };
        let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
        Ok(Net::V4 {
            addr: u32::from(ip) & mask,
            mask,
        })
    }

    fn contains(&self, ip: Ipv4Addr) -> bool {
        match self {
            Net::V4 { addr, mask } => u32::from(ip) & mask == *addr,
            Net::V6 => false,
        }
    }
}

/// The namespace part of a rule side's effective selector (§5.3 namespacing).
#[derive(Debug)]
enum NsConstraint {
    /// Global policy without a namespaceSelector.
    Any,
    /// Namespaced policy without a namespaceSelector: the policy's own namespace.
    Same(String),
    /// A namespaceSelector, already rewritten for the endpoint view (`pcns.` prefix,
    /// `all()` → `has(projectcalico.org/namespace)`, `global()` → `!has(…)`).
    Selector(Selector),
}

/// The positive endpoint selector of a rule side: only workload peers can match it.
#[derive(Debug)]
struct EndpointMatch {
    ns: NsConstraint,
    selector: Option<Selector>,
    sa_names: Vec<String>,
    sa_selector: Option<Selector>,
}

impl EndpointMatch {
    fn matches(&self, w: &Workload) -> bool {
        let view = EndpointView(w);
        let ns_ok = match &self.ns {
            NsConstraint::Any => true,
            NsConstraint::Same(ns) => w.namespace == ns,
            NsConstraint::Selector(s) => s.matches(&view),
        };
        ns_ok
            && self.selector.as_ref().is_none_or(|s| s.matches(&view))
            && (self.sa_names.is_empty() || self.sa_names.iter().any(|n| n == w.service_account))
            && self.sa_selector.as_ref().is_none_or(|s| s.matches(&view))
    }
}

/// A network set as Felix indexes it: its labels, plus for a namespaced set the
/// namespace label and the namespace's labels (`pcns.`).
#[derive(Debug, Clone)]
struct CompiledSet {
    namespace: Option<String>,
    labels: LabelMap,
    namespace_labels: LabelMap,
    nets: Vec<Net>,
}

/// A NetworkSet or GlobalNetworkSet handed to the engine.
#[derive(Debug, Clone, Copy)]
pub struct NetworkSetRef<'a> {
    /// None for a GlobalNetworkSet.
    pub namespace: Option<&'a str>,
    pub labels: &'a LabelMap,
    /// The labels of the set's namespace (None for global sets, or no Namespace document).
    pub namespace_labels: Option<&'a LabelMap>,
    pub nets: &'a [ipnetwork::IpNetwork],
}

struct SetView<'s>(&'s CompiledSet);

impl Labels for SetView<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        let set = self.0;
        let ns = set.namespace.as_deref();
        if key == NS_LABEL {
            return ns;
        }
        if let Some(v) = set.labels.get(key) {
            return Some(v);
        }
        let k = key.strip_prefix("pcns.")?;
        let ns = ns?;
        if k == NAME_LABEL {
            return Some(ns);
        }
        set.namespace_labels.get(k)
    }
}

impl EndpointMatch {
    /// The same constraints over a network set: namespacing as for endpoints; a set has
    /// no service account, so a service-account constraint never matches it.
    fn matches_set(&self, set: &CompiledSet) -> bool {
        if !self.sa_names.is_empty() || self.sa_selector.is_some() {
            return false;
        }
        let view = SetView(set);
        let ns_ok = match &self.ns {
            NsConstraint::Any => true,
            NsConstraint::Same(ns) => set.namespace.as_deref() == Some(ns.as_str()),
            NsConstraint::Selector(s) => s.matches(&view),
        };
        ns_ok && self.selector.as_ref().is_none_or(|s| s.matches(&view))
    }
}

#[derive(Debug)]
struct CompiledEntity<'a> {
    nets: Vec<Net>,
    not_nets: Vec<Net>,
    endpoint: Option<EndpointMatch>,
    not_selector: Option<Selector>,
    ports: &'a [Port],
    not_ports: &'a [Port],
}

#[derive(Debug)]
struct CompiledRule<'a> {
    rule: &'a Rule,
    source: CompiledEntity<'a>,
    destination: CompiledEntity<'a>,
}

#[derive(Debug)]
struct Applies {
    /// `None`: a Global policy.
    namespace: Option<String>,
    selector: Selector,
    namespace_selector: Option<Selector>,
    sa_selector: Option<Selector>,
}

#[derive(Debug)]
struct CompiledPolicy<'a> {
    /// Its index in the slice given to [`Engine::new`].
    source: usize,
    felix_name: String,
    tier: String,
    /// Position of the tier in evaluation order (set by [`Engine::with_tiers`]).
    tier_rank: usize,
    order: Option<f64>,
    types: Vec<PolicyType>,
    /// `None` when the policy's own selectors are broken (it applies to nothing).
    applies: Option<Applies>,
    /// `Err` for a rule with a broken field (it never matches).
    ingress: Vec<Result<CompiledRule<'a>, String>>,
    egress: Vec<Result<CompiledRule<'a>, String>>,
}

impl CompiledPolicy<'_> {
    fn applies_to(&self, w: &Workload, dir: PolicyType) -> bool {
        let Some(a) = &self.applies else {
            return false;
        };
        let view = EndpointView(w);
        self.types.contains(&dir)
            && a.namespace.as_deref().is_none_or(|ns| ns == w.namespace)
            && a.selector.matches(&view)
            && a.namespace_selector
                .as_ref()
                .is_none_or(|s| s.matches(&view))
            && a.sa_selector.as_ref().is_none_or(|s| s.matches(&view))
    }
}

fn parse_sel(text: &str, what: &str, errors: &mut Vec<String>) -> Result<Selector, String> {
    Selector::parse(text).map_err(|e| {
        let msg = format!("{what}: invalid selector {text:?}: {e}");
        errors.push(msg.clone());
        msg
    })
}

/// `getEndpointSelector`'s namespace selector rewrite.
fn namespace_selector(
    text: &str,
    what: &str,
    errors: &mut Vec<String>,
) -> Result<Selector, String> {
    let rewritten = match text.trim() {
        "all()" => format!("has({NS_LABEL})"),
        "global()" => format!("!has({NS_LABEL})"),
        _ => return Ok(parse_sel(text, what, errors)?.prefix_labels("pcns.")),
    };
    parse_sel(&rewritten, what, errors)
}

fn compile_entity<'a>(
    e: &'a EntityRule,
    policy_ns: Option<&str>,
    what: &str,
    errors: &mut Vec<String>,
) -> Result<CompiledEntity<'a>, String> {
    let nets = |list: &[String], errors: &mut Vec<String>| -> Result<Vec<Net>, String> {
        list.iter()
            .map(|s| {
                Net::parse(s).map_err(|m| {
                    let m = format!("{what}: {m}");
                    errors.push(m.clone());
                    m
                })
            })
            .collect()
    };
    let opt = |t: &str, errors: &mut Vec<String>| -> Result<Option<Selector>, String> {
        if t.is_empty() {
            Ok(None)
        } else {
            parse_sel(t, what, errors).map(Some)
        }
    };
    let uses_endpoints = !e.selector.is_empty()
        || e.service_accounts.is_some()
        || !e.namespace_selector.is_empty()
        // In a namespaced policy a notSelector alone also pins the peer to the namespace.
        || (policy_ns.is_some() && !e.not_selector.is_empty());
    let endpoint = if uses_endpoints {
        let ns = if !e.namespace_selector.is_empty() {
            NsConstraint::Selector(namespace_selector(&e.namespace_selector, what, errors)?)
        } else if let Some(ns) = policy_ns {
            NsConstraint::Same(ns.to_string())
        } else {
            NsConstraint::Any
        };
        let sa = e.service_accounts.as_ref();
        let sa_selector = match sa.map(|s| s.selector.as_str()).filter(|s| !s.is_empty()) {
            Some(t) => Some(parse_sel(t, what, errors)?.prefix_labels("pcsa.")),
            None => None,
        };
        Some(EndpointMatch {
            ns,
            selector: opt(&e.selector, errors)?,
            sa_names: sa.map(|s| s.names.clone()).unwrap_or_default(),
            sa_selector,
        })
    } else {
        None
    };
    Ok(CompiledEntity {
        nets: nets(&e.nets, errors)?,
        not_nets: nets(&e.not_nets, errors)?,
        endpoint,
        not_selector: opt(&e.not_selector, errors)?,
        ports: &e.ports,
        not_ports: &e.not_ports,
    })
}

fn compile_rule<'a>(
    rule: &'a Rule,
    policy_ns: Option<&str>,
    what: &str,
    errors: &mut Vec<String>,
) -> Result<CompiledRule<'a>, String> {
    let source = compile_entity(&rule.source, policy_ns, &format!("{what} source"), errors);
    let destination = compile_entity(
        &rule.destination,
        policy_ns,
        &format!("{what} destination"),
        errors,
    );
    Ok(CompiledRule {
        rule,
        source: source?,
        destination: destination?,
    })
}

/// The policy's tier (`default` when unset).
fn tier_of(p: &PolicyRef) -> String {
    p.spec.tier.clone().unwrap_or_else(|| "default".into())
}

/// Felix's name: the stored name, which carries its tier as a prefix (`default.foo`,
/// `security.block-x`); Kubernetes policies are `knp.default.<name>`.
fn felix_name(p: &PolicyRef) -> String {
    let tier = tier_of(p);
    let stored = if p.name.starts_with(&format!("{tier}.")) {
        p.name.to_string()
    } else {
        format!("{tier}.{}", p.name)
    };
    match p.scope {
        Scope::Global => stored,
        Scope::Namespaced => format!("{}/{stored}", p.namespace.unwrap_or("")),
        Scope::Kubernetes if p.name.starts_with("knp.default.") => {
            format!("{}/{}", p.namespace.unwrap_or(""), p.name)
        }
        Scope::Kubernetes => format!("{}/knp.default.{}", p.namespace.unwrap_or(""), p.name),
    }
}

fn compile_policy<'a>(p: &PolicyRef<'a>, errors: &mut Vec<String>) -> CompiledPolicy<'a> {
    let name = felix_name(p);
    let spec = p.spec;
    let ns = match p.scope {
        Scope::Global => None,
        _ => match p.namespace {
            Some(ns) if !ns.is_empty() => Some(ns),
            _ => {
                errors.push(format!(
                    "policy {name}: namespaced policy without a namespace"
                ));
                None
            }
        },
    };
    let broken_ns = p.scope != Scope::Global && ns.is_none();
    let what = format!("policy {name}");
    let applies = (|| -> Result<Applies, String> {
        let selector = parse_sel(&spec.selector, &format!("{what} selector"), errors)?;
        // namespaceSelector is a GNP-only field.
        let namespace_selector = if p.scope == Scope::Global && !spec.namespace_selector.is_empty()
        {
            let w = format!("{what} namespaceSelector");
            Some(parse_sel(&spec.namespace_selector, &w, errors)?.prefix_labels("pcns."))
        } else {
            None
        };
        let sa_selector = if spec.service_account_selector.is_empty() {
            None
        } else {
            let w = format!("{what} serviceAccountSelector");
            Some(parse_sel(&spec.service_account_selector, &w, errors)?.prefix_labels("pcsa."))
        };
        Ok(Applies {
            namespace: ns.map(str::to_string),
            selector,
            namespace_selector,
            sa_selector,
        })
    })()
    .ok()
    .filter(|_| !broken_ns);
    let mut rules = |list: &'a [Rule], dir: &str| {
        list.iter()
            .enumerate()
            .map(|(i, r)| compile_rule(r, ns, &format!("{what} {dir} rule {i}"), errors))
            .collect::<Vec<_>>()
    };
    let ingress = rules(&spec.ingress, "ingress");
    let egress = rules(&spec.egress, "egress");
    CompiledPolicy {
        source: 0,
        felix_name: name,
        tier: tier_of(p),
        tier_rank: 0,
        order: spec.order,
        types: default_types(spec),
        applies,
        ingress,
        egress,
    }
}

/// Felix's policy sort: by tier, then ascending order, nil order last, ties by Felix name.
fn policy_cmp(a: &CompiledPolicy, b: &CompiledPolicy) -> Ordering {
    a.tier_rank
        .cmp(&b.tier_rank)
        .then_with(|| policy_cmp_in_tier(a, b))
}

fn policy_cmp_in_tier(a: &CompiledPolicy, b: &CompiledPolicy) -> Ordering {
    order_cmp(a.order, b.order).then_with(|| a.felix_name.cmp(&b.felix_name))
}

/// Calico's `order` comparison for policies and tiers: ascending, unset last.
fn order_cmp(a: Option<f64>, b: Option<f64>) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

// ---------------------------------------------------------------------------------------------
// Matching

fn protocol_eq(a: Protocol, b: Protocol) -> bool {
    a.number() == b.number()
}

/// Whether a destination port list entry matches the packet (named ports resolve against the
/// destination workload with the rule's protocol).
fn port_matches(port: &Port, rule_proto: Option<Protocol>, packet: &Packet, dst: &Peer) -> bool {
    let Some(p) = packet.dst_port else {
        return false;
    };
    match port {
        Port::Range { .. } => port.contains(p),
        Port::Named(name) => {
            let (Peer::Workload(w), Some(proto)) = (dst, rule_proto) else {
                return false;
            };
            w.ports.iter().any(|np| {
                np.name == name
                    && np.port == p
                    && Protocol::from_name_case_insensitive(np.protocol)
                        .is_some_and(|q| protocol_eq(q, proto))
            })
        }
    }
}

/// ICMP packets are modelled as echo requests (type 8, code 0).
fn icmp_matches(f: &super::model::IcmpFields, packet: &Packet) -> bool {
    matches!(packet.protocol.number(), 1 | 58)
        && f.icmp_type.is_none_or(|t| t == 8)
        && f.code.is_none_or(|c| c == 0)
}

/// Why a side does not match (for explanations), or `None` when it matches.
#[allow(clippy::too_many_arguments)]
fn entity_mismatch(
    e: &CompiledEntity,
    peer: &Peer,
    is_dst: bool,
    rule: &Rule,
    packet: &Packet,
    dst: &Peer,
    sets: &[CompiledSet],
) -> Option<&'static str> {
    let ip = peer.ip();
    if !e.nets.is_empty() && !e.nets.iter().any(|n| n.contains(ip)) {
        return Some("nets");
    }
    if e.not_nets.iter().any(|n| n.contains(ip)) {
        return Some("notNets");
    }
    // A selector's IP set holds the matching workloads' addresses and the nets of the
    // matching network sets.
    let in_sets = |matches: &dyn Fn(&CompiledSet) -> bool| {
        sets.iter()
            .any(|set| set.nets.iter().any(|n| n.contains(ip)) && matches(set))
    };
    if let Some(m) = &e.endpoint {
        let workload = matches!(peer, Peer::Workload(w) if m.matches(w));
        if !workload && !in_sets(&|set| m.matches_set(set)) {
            return Some("selector");
        }
    }
    if let Some(s) = &e.not_selector {
        let workload = matches!(peer, Peer::Workload(w) if s.matches(&EndpointView(w)));
        if workload || in_sets(&|set| s.matches(&SetView(set))) {
            return Some("notSelector");
        }
    }
    if !is_dst {
        if !e.ports.is_empty() || !e.not_ports.is_empty() {
            return Some("source ports (not modelled)");
        }
        return None;
    }
    if !e.ports.is_empty()
        && !e
            .ports
            .iter()
            .any(|p| port_matches(p, rule.protocol, packet, dst))
    {
        return Some("ports");
    }
    if e.not_ports
        .iter()
        .any(|p| port_matches(p, rule.protocol, packet, dst))
    {
        return Some("notPorts");
    }
    None
}

fn rule_matches(
    r: &CompiledRule,
    src: &Peer,
    dst: &Peer,
    packet: &Packet,
    sets: &[CompiledSet],
) -> bool {
    let rule = r.rule;
    if rule.ip_version.is_some_and(|v| v != 4) {
        return false;
    }
    if rule
        .protocol
        .is_some_and(|p| !protocol_eq(p, packet.protocol))
    {
        return false;
    }
    if rule
        .not_protocol
        .is_some_and(|p| protocol_eq(p, packet.protocol))
    {
        return false;
    }
    if rule.icmp.as_ref().is_some_and(|f| !icmp_matches(f, packet)) {
        return false;
    }
    if rule
        .not_icmp
        .as_ref()
        .is_some_and(|f| icmp_matches(f, packet))
    {
        return false;
    }
    entity_mismatch(&r.source, src, false, rule, packet, dst, sets).is_none()
        && entity_mismatch(&r.destination, dst, true, rule, packet, dst, sets).is_none()
}

fn dir_name(d: PolicyType) -> &'static str {
    match d {
        PolicyType::Ingress => "ingress",
        PolicyType::Egress => "egress",
    }
}

/// The policy evaluation engine: policies compiled and sorted once, evaluated per packet.
#[derive(Debug)]
pub struct Engine<'a> {
    policies: Vec<CompiledPolicy<'a>>,
    errors: Vec<String>,
    sets: Vec<CompiledSet>,
    /// Tiers in evaluation order (just `default`, Deny, unless [`Engine::with_tiers`]).
    tiers: Vec<TierRef>,
}

/// What a tier does with a packet its applicable policies did not decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierDefault {
    Deny,
    Pass,
}

/// A `Tier` (v3.29+): policies are evaluated tier by tier, by ascending order.
#[derive(Debug, Clone, PartialEq)]
pub struct TierRef {
    pub name: String,
    /// None sorts last; the default tier's order is 1,000,000.
    pub order: Option<f64>,
    pub default_action: TierDefault,
}

impl TierRef {
    /// The implicit `default` tier.
    pub fn default_tier() -> Self {
        Self {
            name: "default".into(),
            order: Some(1_000_000.0),
            default_action: TierDefault::Deny,
        }
    }
}

impl<'a> Engine<'a> {
    /// Compiles every selector and CIDR once and sorts the policies the way Felix does.
    pub fn new(policies: &[PolicyRef<'a>]) -> Self {
        let mut errors = Vec::new();
        let mut compiled: Vec<_> = policies
            .iter()
            .enumerate()
            .map(|(source, p)| CompiledPolicy {
                source,
                ..compile_policy(p, &mut errors)
            })
            .collect();
        compiled.sort_by(policy_cmp);
        Engine {
            policies: compiled,
            errors,
            sets: Vec::new(),
            tiers: vec![TierRef::default_tier()],
        }
    }

    /// The cluster's tiers (the `default` tier is added when missing). Policies are
    /// re-sorted: by tier order (unset last, ties by name), then within each tier.
    pub fn with_tiers(mut self, tiers: &[TierRef]) -> Self {
        let mut all: Vec<TierRef> = tiers.to_vec();
        if !all.iter().any(|t| t.name == "default") {
            all.push(TierRef::default_tier());
        }
        all.sort_by(|a, b| order_cmp(a.order, b.order).then_with(|| a.name.cmp(&b.name)));
        for p in &mut self.policies {
            match all.iter().position(|t| t.name == p.tier) {
                Some(rank) => p.tier_rank = rank,
                None => {
                    self.errors.push(format!(
                        "policy {}: tier {} does not exist",
                        p.felix_name, p.tier
                    ));
                    p.applies = None;
                }
            }
        }
        self.policies.sort_by(policy_cmp);
        self.tiers = all;
        self
    }

    /// Adds the cluster's NetworkSets and GlobalNetworkSets: rule selectors then match
    /// addresses inside a matching set's nets too.
    pub fn with_network_sets(mut self, sets: &[NetworkSetRef<'_>]) -> Self {
        self.sets = sets
            .iter()
            .map(|s| CompiledSet {
                namespace: s.namespace.map(str::to_owned),
                labels: s.labels.clone(),
                namespace_labels: s.namespace_labels.cloned().unwrap_or_default(),
                nets: s
                    .nets
                    .iter()
                    .filter_map(|n| Net::parse(&n.to_string()).ok())
                    .collect(),
            })
            .collect();
        self
    }

    /// Problems found while compiling (unparseable selectors / CIDRs, missing namespaces).
    pub fn errors(&self) -> &[String] {
        &self.errors
    }

    /// Felix names of the policies in evaluation order.
    pub fn policy_order(&self) -> Vec<&str> {
        self.policies
            .iter()
            .map(|p| p.felix_name.as_str())
            .collect()
    }

    /// The index, in the slice given to [`Engine::new`], of the policy at evaluation
    /// position `i` (what [`Engine::applicable`] returns): the way back to the resource.
    pub fn source_of(&self, i: usize) -> usize {
        self.policies[i].source
    }

    /// Indices of the policies that apply to `ep` in `dir`, in evaluation order: computed
    /// once per endpoint, so that a matrix does not re-match every selector per pair.
    pub fn applicable(&self, ep: &Workload, dir: PolicyType) -> Vec<usize> {
        (0..self.policies.len())
            .filter(|&i| self.policies[i].applies_to(ep, dir))
            .collect()
    }

    /// The verdict alone (no explanation), given each side's [`Engine::applicable`] list;
    /// the same rules as [`Engine::evaluate`].
    pub fn allows(
        &self,
        src: &Peer,
        src_egress: &[usize],
        dst: &Peer,
        dst_ingress: &[usize],
        packet: &Packet,
    ) -> bool {
        let egress = !matches!(src, Peer::Workload(_))
            || self.chain_allows(src_egress, PolicyType::Egress, src, dst, packet);
        egress
            && (!matches!(dst, Peer::Workload(_))
                || self.chain_allows(dst_ingress, PolicyType::Ingress, src, dst, packet))
    }

    /// One chain's verdict alone: the source's egress chain or the destination's ingress
    /// chain, given the policies that apply to that endpoint in `dir`.
    pub fn chain_allows(
        &self,
        applicable: &[usize],
        dir: PolicyType,
        src: &Peer,
        dst: &Peer,
        packet: &Packet,
    ) -> bool {
        self.run_chain(applicable, "", dir, src, dst, packet, false)
            .allowed
    }

    /// One chain with its explanation: `ep`'s chain in `dir` (`ep` is `src` for egress,
    /// `dst` for ingress).
    pub fn decide(
        &self,
        ep: &Workload,
        dir: PolicyType,
        src: &Peer,
        dst: &Peer,
        packet: &Packet,
    ) -> Decision {
        self.chain(ep, dir, src, dst, packet)
    }

    /// Evaluates `src`'s egress chain (if `src` is a workload) and `dst`'s ingress chain (if
    /// `dst` is a workload) for one packet in its original direction.
    pub fn evaluate(&self, src: &Peer, dst: &Peer, packet: &Packet) -> Verdict {
        let egress = match src {
            Peer::Workload(w) => Some(self.chain(w, PolicyType::Egress, src, dst, packet)),
            Peer::Host(_) => None,
        };
        let ingress = match dst {
            Peer::Workload(w) => Some(self.chain(w, PolicyType::Ingress, src, dst, packet)),
            Peer::Host(_) => None,
        };
        let allowed =
            egress.as_ref().is_none_or(|d| d.allowed) && ingress.as_ref().is_none_or(|d| d.allowed);
        Verdict {
            allowed,
            egress,
            ingress,
        }
    }

    fn chain(
        &self,
        ep: &Workload,
        dir: PolicyType,
        src: &Peer,
        dst: &Peer,
        packet: &Packet,
    ) -> Decision {
        let applicable = self.applicable(ep, dir);
        self.run_chain(&applicable, ep.namespace, dir, src, dst, packet, true)
    }

    /// Felix's chain for one endpoint and direction: tier by tier, the applicable policies'
    /// rules in order; Allow and Deny decide, Pass leaves the tier, Log goes on; a tier
    /// whose policies decide nothing applies its default action (Deny, or Pass); after the
    /// last tier (or when no policy applies) the namespace profile allows. Words only when
    /// `explain`.
    #[allow(clippy::too_many_arguments)]
    fn run_chain(
        &self,
        applicable: &[usize],
        namespace: &str,
        dir: PolicyType,
        src: &Peer,
        dst: &Peer,
        packet: &Packet,
        explain: bool,
    ) -> Decision {
        let d = dir_name(dir);
        let profile = || format!("kns.{namespace}");
        let mut logged: Vec<String> = Vec::new();
        let log = |logged: &Vec<String>| {
            if logged.is_empty() {
                String::new()
            } else {
                format!(" (logged by {})", logged.join(", "))
            }
        };
        let mut passed: Option<String> = None;
        // The last policy and rule that passed the packet on (what decided, for the profile).
        let mut passed_by: Option<(String, usize)> = None;
        let mut k = 0;
        while k < applicable.len() {
            let rank = self.policies[applicable[k]].tier_rank;
            let tier = &self.tiers[rank];
            let mut tier_passed = false;
            while k < applicable.len() && self.policies[applicable[k]].tier_rank == rank {
                let p = &self.policies[applicable[k]];
                k += 1;
                if tier_passed {
                    continue;
                }
                let rules = match dir {
                    PolicyType::Ingress => &p.ingress,
                    PolicyType::Egress => &p.egress,
                };
                for (i, r) in rules.iter().enumerate() {
                    let Ok(r) = r else { continue };
                    if !rule_matches(r, src, dst, packet, &self.sets) {
                        continue;
                    }
                    let at = || format!("policy {} {d} rule {i}", p.felix_name);
                    match r.rule.action {
                        Action::Log => {
                            if explain {
                                logged.push(at());
                            }
                            continue;
                        }
                        Action::Pass => {
                            tier_passed = true;
                            if explain {
                                passed_by = Some((p.felix_name.clone(), i));
                                passed = Some(format!(
                                    "{} passes (skips the remaining policies of tier {})",
                                    at(),
                                    tier.name
                                ));
                            }
                            break;
                        }
                        Action::Allow | Action::Deny => {
                            let allowed = r.rule.action == Action::Allow;
                            if !explain {
                                return Decision::bare(allowed);
                            }
                            let verb = if allowed { "allows" } else { "denies" };
                            let before =
                                passed.take().map(|p| format!("{p}; ")).unwrap_or_default();
                            return Decision {
                                allowed,
                                explanation: format!("{before}{} {verb}{}", at(), log(&logged)),
                                policy: Some(p.felix_name.clone()),
                                rule: Some((dir, i)),
                            };
                        }
                    }
                }
            }
            if !tier_passed {
                match tier.default_action {
                    TierDefault::Pass => {
                        if explain {
                            passed_by = None;
                            passed = Some(format!(
                                "tier {} decided nothing and its default action is Pass",
                                tier.name
                            ));
                        }
                    }
                    TierDefault::Deny => {
                        if !explain {
                            return Decision::bare(false);
                        }
                        let explanation = if self.tiers.len() == 1 {
                            format!(
                                "default deny: policies select this endpoint but none allowed it{}",
                                log(&logged)
                            )
                        } else {
                            format!(
                                "end of tier {}: its policies select this endpoint but none allowed it (default action Deny){}",
                                tier.name,
                                log(&logged)
                            )
                        };
                        return Decision {
                            allowed: false,
                            explanation,
                            policy: None,
                            rule: None,
                        };
                    }
                }
            }
        }
        if !explain {
            return Decision::bare(true);
        }
        let profile = profile();
        let explanation = match passed {
            Some(p) => format!("{p}: profile {profile} allows{}", log(&logged)),
            None if applicable.is_empty() => {
                format!("no policy selects this endpoint for {d}: profile {profile} allows")
            }
            None => format!(
                "the tiers passed the packet on: profile {profile} allows{}",
                log(&logged)
            ),
        };
        let (policy, rule) = passed_by.unwrap_or((profile, 0));
        Decision {
            allowed: true,
            explanation,
            policy: Some(policy),
            rule: Some((dir, rule)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(pairs: &[(&str, &str)]) -> LabelMap {
        pairs.iter().copied().collect()
    }

    fn spec(json: serde_json::Value) -> PolicySpec {
        serde_json::from_value(json).unwrap()
    }

    struct Pod {
        ns: &'static str,
        name: &'static str,
        labels: LabelMap,
        ns_labels: LabelMap,
        ip: Ipv4Addr,
    }

    impl Pod {
        fn new(ns: &'static str, name: &'static str, ip: [u8; 4]) -> Pod {
            Pod {
                ns,
                name,
                labels: labels(&[("app", name)]),
                ns_labels: labels(&[("team", if ns == "prod" { "red" } else { "blue" })]),
                ip: Ipv4Addr::from(ip),
            }
        }
        fn peer(&self) -> Peer<'_> {
            Peer::Workload(Workload {
                namespace: self.ns,
                name: self.name,
                labels: &self.labels,
                namespace_labels: &self.ns_labels,
                service_account: "default",
                service_account_labels: None,
                ip: self.ip,
                ports: &[],
            })
        }
    }

    const TCP80: Packet = Packet {
        protocol: Protocol::Tcp,
        dst_port: Some(80),
    };

    fn np<'a>(ns: &'a str, name: &'a str, spec: &'a PolicySpec) -> PolicyRef<'a> {
        PolicyRef {
            scope: Scope::Namespaced,
            namespace: Some(ns),
            name,
            spec,
        }
    }

    fn gnp<'a>(name: &'a str, spec: &'a PolicySpec) -> PolicyRef<'a> {
        PolicyRef {
            scope: Scope::Global,
            namespace: None,
            name,
            spec,
        }
    }

    #[test]
    fn endpoint_view_labels() {
        let p = Pod::new("prod", "web", [10, 0, 0, 1]);
        let Peer::Workload(w) = p.peer() else {
            unreachable!()
        };
        let v = EndpointView(&w);
        assert_eq!(v.get("app"), Some("web"));
        assert_eq!(v.get(NS_LABEL), Some("prod"));
        assert_eq!(v.get(ORCH_LABEL), Some("k8s"));
        assert_eq!(v.get(SA_LABEL), Some("default"));
        assert_eq!(v.get("pcns.team"), Some("red"));
        assert_eq!(v.get("pcns.projectcalico.org/name"), Some("prod"));
        assert_eq!(v.get("pcsa.projectcalico.org/name"), Some("default"));
        assert_eq!(v.get("team"), None);
        // Own labels win over inherited ones.
        let own = labels(&[("pcns.team", "mine")]);
        let w2 = Workload { labels: &own, ..w };
        assert_eq!(EndpointView(&w2).get("pcns.team"), Some("mine"));
    }

    #[test]
    fn deny_before_allow_by_order() {
        let deny = spec(json!({"order": 10, "selector": "app == 'db'",
            "ingress": [{"action": "Deny", "source": {"selector": "app == 'web'"}}]}));
        let allow = spec(json!({"order": 20, "selector": "app == 'db'",
            "ingress": [{"action": "Allow"}]}));
        let (web, db, other) = (
            Pod::new("prod", "web", [10, 0, 0, 1]),
            Pod::new("prod", "db", [10, 0, 0, 2]),
            Pod::new("prod", "other", [10, 0, 0, 3]),
        );
        // Given in the "wrong" order: sorting by order puts the deny first.
        let e = Engine::new(&[np("prod", "allow", &allow), np("prod", "deny", &deny)]);
        assert_eq!(
            e.policy_order(),
            ["prod/default.deny", "prod/default.allow"]
        );
        let v = e.evaluate(&web.peer(), &db.peer(), &TCP80);
        assert!(!v.allowed);
        let ing = v.ingress.unwrap();
        assert_eq!(ing.policy.as_deref(), Some("prod/default.deny"));
        assert_eq!(ing.rule, Some((PolicyType::Ingress, 0)));
        assert!(ing.explanation.contains("denies"), "{}", ing.explanation);
        // Egress of web: no policy selects it → profile.
        let eg = v.egress.unwrap();
        assert!(eg.allowed);
        assert_eq!(
            eg.explanation,
            "no policy selects this endpoint for egress: profile kns.prod allows"
        );
        let v = e.evaluate(&other.peer(), &db.peer(), &TCP80);
        assert!(v.allowed);
        assert_eq!(
            v.ingress.unwrap().policy.as_deref(),
            Some("prod/default.allow")
        );
        // Swapping orders flips the outcome.
        let deny2 = PolicySpec {
            order: Some(30.0),
            ..deny.clone()
        };
        let e = Engine::new(&[np("prod", "allow", &allow), np("prod", "deny", &deny2)]);
        assert!(e.evaluate(&web.peer(), &db.peer(), &TCP80).allowed);
    }

    #[test]
    fn nil_order_last_and_name_ties() {
        let s_none = spec(json!({}));
        let s_1 = spec(json!({"order": 1}));
        let e = Engine::new(&[
            gnp("zzz", &s_none),
            np("ns", "b", &s_1),
            gnp("a", &s_1),
            PolicyRef {
                scope: Scope::Kubernetes,
                namespace: Some("ns"),
                name: "knp.default.k",
                spec: &s_none,
            },
        ]);
        assert_eq!(
            e.policy_order(),
            [
                "default.a",
                "ns/default.b",
                "default.zzz",
                "ns/knp.default.k"
            ]
        );
    }

    #[test]
    fn default_deny_when_no_rule_matches() {
        let s = spec(json!({"ingress": [{"action": "Allow", "protocol": "UDP"}]}));
        let (a, b) = (
            Pod::new("prod", "a", [10, 0, 0, 1]),
            Pod::new("prod", "b", [10, 0, 0, 2]),
        );
        let e = Engine::new(&[np("prod", "udp-only", &s)]);
        let v = e.evaluate(&a.peer(), &b.peer(), &TCP80);
        assert!(!v.allowed);
        let d = v.ingress.unwrap();
        assert_eq!(
            d.explanation,
            "default deny: policies select this endpoint but none allowed it"
        );
        assert_eq!((d.policy, d.rule), (None, None));
        let udp = Packet {
            protocol: Protocol::Number(17),
            dst_port: Some(53),
        };
        assert!(e.evaluate(&a.peer(), &b.peer(), &udp).allowed);
    }

    #[test]
    fn pass_goes_to_profiles() {
        // GNP order 1 passes traffic from web; a later deny-all would otherwise drop it.
        let pass = spec(json!({"order": 1, "selector": "app == 'db'",
            "ingress": [{"action": "Log"}, {"action": "Pass", "source": {"selector": "app == 'web'"}}]}));
        let deny = spec(json!({"order": 2, "ingress": [{"action": "Deny"}]}));
        let (web, db, other) = (
            Pod::new("prod", "web", [10, 0, 0, 1]),
            Pod::new("prod", "db", [10, 0, 0, 2]),
            Pod::new("prod", "other", [10, 0, 0, 3]),
        );
        let e = Engine::new(&[gnp("pass", &pass), gnp("deny-all", &deny)]);
        let v = e.evaluate(&web.peer(), &db.peer(), &TCP80);
        assert!(v.allowed, "{v:?}");
        let d = v.ingress.unwrap();
        assert_eq!(d.policy.as_deref(), Some("default.pass"));
        assert_eq!(d.rule, Some((PolicyType::Ingress, 1)));
        assert!(d.explanation.contains("profile kns.prod allows"));
        assert!(d
            .explanation
            .contains("logged by policy default.pass ingress rule 0"));
        let v = e.evaluate(&other.peer(), &db.peer(), &TCP80);
        assert!(!v.allowed);
        assert_eq!(
            v.ingress.unwrap().policy.as_deref(),
            Some("default.deny-all")
        );
    }

    #[test]
    fn gnp_namespace_selector() {
        // Applies only to endpoints in namespaces with team == red (prod).
        let s = spec(json!({"namespaceSelector": "team == 'red'",
            "ingress": [{"action": "Allow", "source": {"namespaceSelector": "team == 'red'"}}]}));
        let (p1, p2, d1) = (
            Pod::new("prod", "a", [10, 0, 0, 1]),
            Pod::new("prod", "b", [10, 0, 0, 2]),
            Pod::new("dev", "c", [10, 0, 1, 1]),
        );
        let e = Engine::new(&[gnp("red-only", &s)]);
        assert!(e.errors().is_empty());
        assert!(e.evaluate(&p1.peer(), &p2.peer(), &TCP80).allowed);
        // dev → prod: the GNP applies to prod/b, the source namespace is not red.
        assert!(!e.evaluate(&d1.peer(), &p2.peer(), &TCP80).allowed);
        // A host is in no namespace: no namespaceSelector matches it.
        let host = Peer::Host(Ipv4Addr::new(192, 168, 0, 1));
        let v = e.evaluate(&host, &p2.peer(), &TCP80);
        assert!(!v.allowed && v.egress.is_none());
        // prod → dev: the GNP does not select dev/c; profile allows.
        let v = e.evaluate(&p1.peer(), &d1.peer(), &TCP80);
        assert!(v.allowed);
        assert_eq!(v.ingress.unwrap().policy.as_deref(), Some("kns.dev"));
        // global() in a rule matches non-namespaced endpoints only: never a workload, and a
        // host is not an endpoint at all.
        let g = spec(
            json!({"ingress": [{"action": "Allow", "source": {"namespaceSelector": "global()"}}]}),
        );
        let e = Engine::new(&[gnp("g", &g)]);
        assert!(!e.evaluate(&p1.peer(), &p2.peer(), &TCP80).allowed);
        assert!(!e.evaluate(&host, &p2.peer(), &TCP80).allowed);
        // all() matches workloads in every namespace.
        let a = spec(
            json!({"ingress": [{"action": "Allow", "source": {"namespaceSelector": "all()"}}]}),
        );
        let e = Engine::new(&[gnp("a", &a)]);
        assert!(e.evaluate(&d1.peer(), &p2.peer(), &TCP80).allowed);
    }

    #[test]
    fn not_nets() {
        let s = spec(
            json!({"egress": [{"action": "Allow", "destination": {"notNets": ["10.0.1.0/24"]}}]}),
        );
        let (a, b, c) = (
            Pod::new("prod", "a", [10, 0, 0, 1]),
            Pod::new("prod", "b", [10, 0, 0, 2]),
            Pod::new("dev", "c", [10, 0, 1, 1]),
        );
        let e = Engine::new(&[np("prod", "not-dev", &s)]);
        assert!(e.evaluate(&a.peer(), &b.peer(), &TCP80).allowed);
        let v = e.evaluate(&a.peer(), &c.peer(), &TCP80);
        assert!(!v.allowed);
        assert!(v.egress.as_ref().is_some_and(|d| !d.allowed));
        assert!(v.ingress.is_some_and(|d| d.allowed));
        // A host outside the excluded net is allowed; inside it is not.
        assert!(
            e.evaluate(&a.peer(), &Peer::Host(Ipv4Addr::new(8, 8, 8, 8)), &TCP80)
                .allowed
        );
        let v = e.evaluate(&a.peer(), &Peer::Host(Ipv4Addr::new(10, 0, 1, 9)), &TCP80);
        assert!(!v.allowed && v.ingress.is_none());
    }

    #[test]
    fn namespacing_of_rule_selectors() {
        // A namespaced policy's selector / notSelector only match peers in its namespace; nets
        // are not namespace-restricted.
        let sel =
            spec(json!({"ingress": [{"action": "Allow", "source": {"selector": "app == 'c'"}}]}));
        let notsel = spec(
            json!({"ingress": [{"action": "Allow", "source": {"notSelector": "app == 'x'"}}]}),
        );
        let nets =
            spec(json!({"ingress": [{"action": "Allow", "source": {"nets": ["10.0.1.0/24"]}}]}));
        let (p, c_dev, c_prod) = (
            Pod::new("prod", "b", [10, 0, 0, 2]),
            Pod::new("dev", "c", [10, 0, 1, 1]),
            Pod::new("prod", "c", [10, 0, 0, 3]),
        );
        let host = Peer::Host(Ipv4Addr::new(10, 0, 1, 200));
        let e = Engine::new(&[np("prod", "sel", &sel)]);
        assert!(!e.evaluate(&c_dev.peer(), &p.peer(), &TCP80).allowed);
        assert!(e.evaluate(&c_prod.peer(), &p.peer(), &TCP80).allowed);
        assert!(!e.evaluate(&host, &p.peer(), &TCP80).allowed);
        let e = Engine::new(&[np("prod", "notsel", &notsel)]);
        assert!(!e.evaluate(&c_dev.peer(), &p.peer(), &TCP80).allowed);
        assert!(e.evaluate(&c_prod.peer(), &p.peer(), &TCP80).allowed);
        assert!(!e.evaluate(&host, &p.peer(), &TCP80).allowed);
        let e = Engine::new(&[np("prod", "nets", &nets)]);
        assert!(e.evaluate(&c_dev.peer(), &p.peer(), &TCP80).allowed);
        assert!(e.evaluate(&host, &p.peer(), &TCP80).allowed);
        // In a GNP a lone notSelector is not namespace-restricted and matches a host.
        let e = Engine::new(&[gnp("notsel", &notsel)]);
        assert!(e.evaluate(&c_dev.peer(), &p.peer(), &TCP80).allowed);
        assert!(e.evaluate(&host, &p.peer(), &TCP80).allowed);
    }

    #[test]
    fn source_ports_never_match_and_protocols() {
        let s = spec(json!({"ingress": [
            {"action": "Allow", "protocol": "TCP", "source": {"ports": [1024]}},
            {"action": "Allow", "protocol": "ICMP", "icmp": {"type": 8}},
            {"action": "Allow", "protocol": "TCP", "notProtocol": "UDP", "destination": {"ports": ["1:100"], "notPorts": [80]}}
        ]}));
        let (a, b) = (
            Pod::new("prod", "a", [10, 0, 0, 1]),
            Pod::new("prod", "b", [10, 0, 0, 2]),
        );
        let e = Engine::new(&[np("prod", "p", &s)]);
        assert!(!e.evaluate(&a.peer(), &b.peer(), &TCP80).allowed);
        let tcp81 = Packet {
            protocol: Protocol::Tcp,
            dst_port: Some(81),
        };
        assert_eq!(
            e.evaluate(&a.peer(), &b.peer(), &tcp81)
                .ingress
                .unwrap()
                .rule,
            Some((PolicyType::Ingress, 2))
        );
        let ping = Packet {
            protocol: Protocol::Icmp,
            dst_port: None,
        };
        assert_eq!(
            e.evaluate(&a.peer(), &b.peer(), &ping)
                .ingress
                .unwrap()
                .rule,
            Some((PolicyType::Ingress, 1))
        );
    }

    #[test]
    fn broken_selectors_match_nothing_and_are_recorded() {
        let bad_policy = spec(json!({"selector": "app ==", "ingress": [{"action": "Deny"}]}));
        let bad_rule = spec(json!({"ingress": [
            {"action": "Deny", "source": {"selector": "(("}},
            {"action": "Deny", "source": {"nets": ["10.0.0.0/33"]}},
            {"action": "Allow"}
        ]}));
        let (a, b) = (
            Pod::new("prod", "a", [10, 0, 0, 1]),
            Pod::new("prod", "b", [10, 0, 0, 2]),
        );
        let e = Engine::new(&[np("prod", "bad", &bad_policy), np("prod", "r", &bad_rule)]);
        assert_eq!(e.errors().len(), 3, "{:?}", e.errors());
        let d = e.evaluate(&a.peer(), &b.peer(), &TCP80).ingress.unwrap();
        assert!(d.allowed);
        assert_eq!(d.rule, Some((PolicyType::Ingress, 2)));
    }

    #[test]
    fn service_account_names() {
        let s = spec(
            json!({"ingress": [{"action": "Allow", "source": {"serviceAccounts": {"names": ["api"]}}}]}),
        );
        let b = Pod::new("prod", "b", [10, 0, 0, 2]);
        let a = Pod::new("prod", "a", [10, 0, 0, 1]);
        let e = Engine::new(&[np("prod", "sa", &s)]);
        assert!(!e.evaluate(&a.peer(), &b.peer(), &TCP80).allowed);
        let Peer::Workload(w) = a.peer() else {
            unreachable!()
        };
        let api = Peer::Workload(Workload {
            service_account: "api",
            ..w
        });
        assert!(e.evaluate(&api, &b.peer(), &TCP80).allowed);
    }

    #[test]
    fn network_sets_are_selector_targets() {
        let pod = Pod::new("prod", "web", [10, 0, 0, 1]);
        let metadata = Peer::Host(Ipv4Addr::new(169, 254, 169, 254));
        let partner = Peer::Host(Ipv4Addr::new(203, 0, 113, 7));
        let deny_metadata = spec(json!({
            "selector": "all()",
            "types": ["Egress"],
            "egress": [{"action": "Deny", "destination": {"selector": "role == 'metadata'"}},
                       {"action": "Allow"}]
        }));
        let allow_partners = spec(json!({
            "selector": "app == 'web'",
            "ingress": [{"action": "Allow", "source": {"selector": "kind == 'partner'"}}]
        }));
        let gns_labels = labels(&[("role", "metadata")]);
        let partner_labels = labels(&[("kind", "partner")]);
        let gns_nets = ["169.254.169.254/32".parse().unwrap()];
        let partner_nets = ["203.0.113.0/24".parse().unwrap()];
        let sets = [
            NetworkSetRef {
                namespace: None,
                labels: &gns_labels,
                namespace_labels: None,
                nets: &gns_nets,
            },
            NetworkSetRef {
                namespace: Some("prod"),
                labels: &partner_labels,
                namespace_labels: None,
                nets: &partner_nets,
            },
        ];
        let policies = [
            gnp("deny-metadata", &deny_metadata),
            np("prod", "partners", &allow_partners),
        ];
        let without = Engine::new(&policies);
        let with = Engine::new(&policies).with_network_sets(&sets);
        // The global set's address is denied only once the engine knows the set.
        assert!(without.evaluate(&pod.peer(), &metadata, &TCP80).allowed);
        assert!(!with.evaluate(&pod.peer(), &metadata, &TCP80).allowed);
        // A namespaced policy's selector matches a NetworkSet of its own namespace.
        assert!(!without.evaluate(&partner, &pod.peer(), &TCP80).allowed);
        assert!(with.evaluate(&partner, &pod.peer(), &TCP80).allowed);
        // ... but not the same set in another namespace.
        let elsewhere = [NetworkSetRef {
            namespace: Some("dev"),
            ..sets[1]
        }];
        let other = Engine::new(&policies).with_network_sets(&elsewhere);
        assert!(!other.evaluate(&partner, &pod.peer(), &TCP80).allowed);
    }

    #[test]
    fn tiers_evaluate_in_order_and_pass_moves_on() {
        let a = Pod::new("prod", "web", [10, 0, 0, 1]);
        let b = Pod::new("prod", "db", [10, 0, 0, 2]);
        let pass_web = spec(json!({
            "tier": "security", "order": 1, "selector": "all()", "types": ["Ingress"],
            "ingress": [{"action": "Pass", "source": {"selector": "app == 'web'"}}]
        }));
        let allow_web = spec(json!({
            "selector": "app == 'db'", "ingress": [{"action": "Allow", "source": {"selector": "app == 'web'"}}]
        }));
        let policies = [
            gnp("security.pass-web", &pass_web),
            np("prod", "allow-web", &allow_web),
        ];
        let deny_tier = TierRef {
            name: "security".into(),
            order: Some(100.0),
            default_action: TierDefault::Deny,
        };
        let engine = Engine::new(&policies).with_tiers(std::slice::from_ref(&deny_tier));
        assert!(engine.errors().is_empty(), "{:?}", engine.errors());
        // web → db: the security tier passes it on, the default tier allows it.
        let v = engine.evaluate(&a.peer(), &b.peer(), &TCP80);
        assert!(v.allowed, "{v:?}");
        let why = v.ingress.unwrap().explanation;
        assert!(
            why.contains("tier security") && why.contains("allows"),
            "{why}"
        );
        // db → web: nothing in the security tier decides: its default action denies.
        let v = engine.evaluate(&b.peer(), &a.peer(), &TCP80);
        assert!(!v.allowed);
        assert!(v
            .ingress
            .unwrap()
            .explanation
            .contains("end of tier security"));
        // With defaultAction Pass the default tier gets its say (no policy there selects web: profile).
        let pass_tier = TierRef {
            default_action: TierDefault::Pass,
            ..deny_tier
        };
        let engine = Engine::new(&policies).with_tiers(&[pass_tier]);
        assert!(engine.evaluate(&b.peer(), &a.peer(), &TCP80).allowed);
        // A policy in a tier that does not exist applies to nothing and is reported.
        let engine = Engine::new(&policies).with_tiers(&[]);
        assert_eq!(engine.errors().len(), 1);
    }

    #[test]
    fn service_account_labels_are_selectable() {
        let sa_labels = labels(&[("tier", "frontend")]);
        let web = Pod::new("prod", "web", [10, 0, 0, 1]);
        let db = Pod::new("prod", "db", [10, 0, 0, 2]);
        let allow = spec(json!({
            "selector": "app == 'db'",
            "ingress": [{"action": "Allow", "source": {"serviceAccounts": {"selector": "tier == 'frontend'"}}}]
        }));
        let e = Engine::new(&[np("prod", "by-sa", &allow)]);
        assert!(!e.evaluate(&web.peer(), &db.peer(), &TCP80).allowed);
        let Peer::Workload(w) = web.peer() else {
            unreachable!()
        };
        let labelled = Peer::Workload(Workload {
            service_account_labels: Some(&sa_labels),
            ..w
        });
        assert!(e.evaluate(&labelled, &db.peer(), &TCP80).allowed);
    }
}
