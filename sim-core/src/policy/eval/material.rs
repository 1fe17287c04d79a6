//! The policies of one endpoint and direction as material for a real dataplane: each rule
//! with its selectors resolved to the addresses they match (what Felix puts in IP sets),
//! tier by tier. lab-netns turns it into nftables rules.

use core::net::Ipv4Addr;

use super::{
    Action, CompiledEntity, CompiledSet, EndpointView, Engine, Net, PolicyType, Port, TierDefault,
    Workload,
};

/// One tier's rules for an endpoint, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierRules {
    pub name: String,
    /// What happens when no rule decides: Pass (true) or Deny.
    pub default_pass: bool,
    pub rules: Vec<RuleMaterial>,
}

/// A rule that can match (rules that never can are left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleMaterial {
    /// `<felix policy name> <direction> rule <index>`, for comments.
    pub origin: String,
    pub action: Action,
    pub protocol: Option<u8>,
    pub not_protocol: Option<u8>,
    /// ICMP (type, code) constraints.
    pub icmp: Option<(Option<u8>, Option<u8>)>,
    pub not_icmp: Option<(Option<u8>, Option<u8>)>,
    pub source: Side,
    pub destination: Side,
}

/// One side of a rule, as address and port sets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Side {
    /// CIDRs (`nets`), each an `a.b.c.d/len`.
    pub nets: Vec<String>,
    pub not_nets: Vec<String>,
    /// The selector's members (workload addresses and network-set nets); None: no selector.
    pub members: Option<Vec<String>>,
    pub not_members: Vec<String>,
    pub ports: Vec<(u16, u16)>,
    /// Named ports resolved per workload: (address, port).
    pub named: Vec<(Ipv4Addr, u16)>,
    pub not_ports: Vec<(u16, u16)>,
    pub not_named: Vec<(Ipv4Addr, u16)>,
}

fn net_text(n: &Net) -> Option<String> {
    match n {
        Net::V4 { addr, mask } => Some(format!("{}/{}", Ipv4Addr::from(*addr), mask.count_ones())),
        Net::V6 => None,
    }
}

impl Engine<'_> {
    /// The rules Felix programs for `ep` in `dir`, given the policies that apply to it
    /// (see [`Engine::applicable`]) and every workload of the cluster (selector members).
    pub fn material(
        &self,
        applicable: &[usize],
        dir: PolicyType,
        universe: &[Workload],
    ) -> Vec<TierRules> {
        let mut tiers: Vec<TierRules> = Vec::new();
        for &i in applicable {
            let p = &self.policies[i];
            let tier = &self.tiers[p.tier_rank];
            if tiers.last().is_none_or(|t| t.name != tier.name) {
                tiers.push(TierRules {
                    name: tier.name.clone(),
                    default_pass: tier.default_action == TierDefault::Pass,
                    rules: Vec::new(),
                });
            }
            let rules = match dir {
                PolicyType::Ingress => &p.ingress,
                PolicyType::Egress => &p.egress,
            };
            let d = match dir {
                PolicyType::Ingress => "ingress",
                PolicyType::Egress => "egress",
            };
            for (k, r) in rules.iter().enumerate() {
                let Ok(r) = r else { continue };
                let rule = r.rule;
                if rule.ip_version.is_some_and(|v| v != 4) {
                    continue;
                }
                // Source ports are not modelled by the simulator: such a rule never matches there.
                if !r.source.ports.is_empty() || !r.source.not_ports.is_empty() {
                    continue;
                }
                let (Some(source), Some(destination)) = (
                    self.side(&r.source, universe, false, None),
                    self.side(
                        &r.destination,
                        universe,
                        true,
                        rule.protocol.map(|p| p.number()),
                    ),
                ) else {
                    continue;
                };
                let icmp = |f: &Option<crate::policy::model::IcmpFields>| {
                    f.as_ref().map(|f| (f.icmp_type, f.code))
                };
                tiers
                    .last_mut()
                    .expect("pushed above")
                    .rules
                    .push(RuleMaterial {
                        origin: format!("{} {d} rule {k}", p.felix_name),
                        action: rule.action,
                        protocol: rule.protocol.map(|p| p.number()),
                        not_protocol: rule.not_protocol.map(|p| p.number()),
                        icmp: icmp(&rule.icmp),
                        not_icmp: icmp(&rule.not_icmp),
                        source,
                        destination,
                    });
            }
        }
        tiers
    }

    /// None when the side can never match (a selector with no member, an IPv6-only net list).
    fn side(
        &self,
        e: &CompiledEntity,
        universe: &[Workload],
        is_dst: bool,
        protocol: Option<u8>,
    ) -> Option<Side> {
        let nets: Vec<String> = e.nets.iter().filter_map(net_text).collect();
        if !e.nets.is_empty() && nets.is_empty() {
            return None;
        }
        let in_set =
            |set: &CompiledSet| -> Vec<String> { set.nets.iter().filter_map(net_text).collect() };
        let members = match &e.endpoint {
            None => None,
            Some(m) => {
                let mut v: Vec<String> = universe
                    .iter()
                    .filter(|w| m.matches(w))
                    .map(|w| format!("{}/32", w.ip))
                    .collect();
                for set in self.sets.iter().filter(|s| m.matches_set(s)) {
                    v.extend(in_set(set));
                }
                if v.is_empty() {
                    return None;
                }
                v.sort();
                v.dedup();
                Some(v)
            }
        };
        let mut not_members = Vec::new();
        if let Some(s) = &e.not_selector {
            not_members.extend(
                universe
                    .iter()
                    .filter(|w| s.matches(&EndpointView(w)))
                    .map(|w| format!("{}/32", w.ip)),
            );
            for set in self
                .sets
                .iter()
                .filter(|set| s.matches(&super::SetView(set)))
            {
                not_members.extend(in_set(set));
            }
            not_members.sort();
            not_members.dedup();
        }
        let mut side = Side {
            nets,
            not_nets: e.not_nets.iter().filter_map(net_text).collect(),
            members,
            not_members,
            ..Side::default()
        };
        if !is_dst {
            return Some(side);
        }
        // Named ports resolve against the workloads the side can reach.
        let candidates: Vec<&Workload> = universe
            .iter()
            .filter(|w| e.endpoint.as_ref().is_none_or(|m| m.matches(w)))
            .collect();
        let resolve =
            |ports: &[Port], numeric: &mut Vec<(u16, u16)>, named: &mut Vec<(Ipv4Addr, u16)>| {
                for p in ports {
                    match p {
                        Port::Range { min, max } => numeric.push((*min, *max)),
                        Port::Named(name) => {
                            for w in &candidates {
                                for np in w.ports.iter().filter(|np| np.name == name) {
                                    let number = match np.protocol {
                                        "TCP" => 6,
                                        "UDP" => 17,
                                        "SCTP" => 132,
                                        _ => 0,
                                    };
                                    if protocol.is_none_or(|p| p == number) {
                                        named.push((w.ip, np.port));
                                    }
                                }
                            }
                        }
                    }
                }
            };
        let (mut ports, mut named, mut not_ports, mut not_named) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        resolve(e.ports, &mut ports, &mut named);
        resolve(e.not_ports, &mut not_ports, &mut not_named);
        if !e.ports.is_empty() && ports.is_empty() && named.is_empty() {
            return None;
        }
        side.ports = ports;
        side.named = named;
        side.not_ports = not_ports;
        side.not_named = not_named;
        Some(side)
    }
}
