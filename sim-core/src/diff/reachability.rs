//! Pod pairs newly allowed or newly denied, and paths that changed.
//!
//! Four steps, so that the two scenarios' walks can run at once: [`Plan::new`] matches the
//! pods and decides what to send and which pairs to walk; [`Plan::walk`] walks them in one
//! scenario (verdict and path signature, no words); [`Plan::compare`] keeps the pairs that
//! differ; [`Plan::explain`] traces only those, in one scenario, for the reasons and places
//! a reviewer reads; [`Plan::report`] puts the two explanations together.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use serde::Serialize;

use crate::model::{NamedPort, PodId};
use crate::policy::model::Protocol;
use crate::state::ClusterState;
use crate::walker::{Action, Endpoint, PathSignature, Probe, Trace, Verdict, Walker};

use super::{probe_name, scope, ProbeSpec, Side};

/// Pairs whose verdict changed, and how much was compared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReachabilityDiff {
    pub newly_allowed: Vec<PairChange>,
    pub newly_denied: Vec<PairChange>,
    /// Probes compared: every ordered pair of pods present in both, times its probes.
    pub probes_compared: usize,
    /// Probes walked in each scenario; the others could not have changed (same network,
    /// same policy view of both ends).
    pub probes_walked: usize,
}

impl ReachabilityDiff {
    pub fn is_empty(&self) -> bool {
        self.newly_allowed.is_empty() && self.newly_denied.is_empty()
    }
}

/// One pair and probe whose verdict changed, with the deciding reason on each side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PairChange {
    pub from: String,
    pub to: String,
    /// `tcp/80`, `udp/53`, `icmp`.
    pub probe: String,
    pub before: String,
    pub after: String,
}

/// Pod pairs delivered in both scenarios whose path changed the same way.
///
/// A pair's path is its first probe's that is delivered in both: paths do not depend on
/// the port (policy hops, the only port-dependent ones, are not part of a path).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathChange {
    pub before: PathView,
    pub after: PathView,
    /// By source, then destination.
    pub pairs: Vec<PodPair>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PodPair {
    pub from: String,
    pub to: String,
}

/// A path as a reviewer reads it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct PathView {
    /// `ipip`, `vxlan` or `direct`.
    pub encapsulation: &'static str,
    /// The places and devices in order (`web-1[eth0] node-1[cali… tunl0 eth0] lan …`);
    /// given only when the encapsulation did not change, as then it is what changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub places: Option<String>,
}

/// One packet kind sent to a destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Packet {
    protocol: Protocol,
    port: Option<u16>,
}

/// A pod present in both scenarios: its key and its id in each.
struct Matched {
    key: String,
    before: PodId,
    after: PodId,
}

impl Matched {
    fn id(&self, side: Side) -> PodId {
        match side {
            Side::Before => self.before,
            Side::After => self.after,
        }
    }
}

pub(super) struct Plan {
    /// Pods in both scenarios, by key.
    pods: Vec<Matched>,
    /// Per pod as a destination: the packets to send it.
    packets: Vec<Vec<Packet>>,
    /// Per pod: whether a pair with it could have changed; None when every pair could.
    could_change: Option<Vec<bool>>,
    probes_compared: usize,
    probes_walked: usize,
}

/// A pair and packet whose walk differs: its index and the two outcomes.
#[derive(Debug, Clone, Copy)]
struct Change {
    source: u32,
    destination: u32,
    packet: u32,
    before: Option<PathSignature>,
    after: Option<PathSignature>,
}

pub(super) struct Changes {
    verdicts: Vec<Change>,
    paths: Vec<Change>,
}

/// One scenario's words for the changes: a reason per verdict change, the places per path
/// change whose encapsulation stayed the same.
pub(super) struct Explained {
    reasons: Vec<String>,
    places: Vec<Option<String>>,
}

impl Plan {
    pub(super) fn new(before: &ClusterState, after: &ClusterState, probes: &[ProbeSpec]) -> Self {
        let before_ids: HashMap<String, PodId> = before
            .cluster
            .pods
            .iter()
            .enumerate()
            .map(|(id, p)| (p.key(), id))
            .collect();
        let mut pods: Vec<Matched> = after
            .cluster
            .pods
            .iter()
            .enumerate()
            .filter_map(|(id, p)| {
                let key = p.key();
                let before = *before_ids.get(&key)?;
                Some(Matched {
                    key,
                    before,
                    after: id,
                })
            })
            .collect();
        pods.sort_by(|a, b| a.key.cmp(&b.key));
        let packets: Vec<Vec<Packet>> = pods
            .iter()
            .map(|m| {
                let ports = [
                    &before.cluster.pods[m.before].ports,
                    &after.cluster.pods[m.after].ports,
                ];
                packets_for(probes, ports.into_iter().flatten())
            })
            .collect();
        let ids: Vec<[PodId; 2]> = pods.iter().map(|m| [m.before, m.after]).collect();
        let mut plan = Plan {
            could_change: scope::pods_that_could_change(before, after, &ids),
            probes_compared: packets.iter().map(Vec::len).sum::<usize>() * pods.len(),
            probes_walked: 0,
            pods,
            packets,
        };
        plan.count_walks();
        plan
    }

    fn count_walks(&mut self) {
        self.probes_walked = self
            .pairs()
            .map(|(_, d)| self.packets[d as usize].len())
            .sum();
    }

    /// The plan without skipping: every pair walked (what skipping is checked against).
    #[cfg(test)]
    pub(super) fn walking_every_pair(mut self) -> Self {
        self.could_change = None;
        self.count_walks();
        self
    }

    /// The (source, destination) pairs to walk, indices into `pods`, in key order.
    fn pairs(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        let n = self.pods.len() as u32;
        (0..n)
            .flat_map(move |s| (0..n).map(move |d| (s, d)))
            .filter(|&(s, d)| {
                self.could_change
                    .as_ref()
                    .is_none_or(|c| c[s as usize] || c[d as usize])
            })
    }

    fn probe(&self, side: Side, source: u32, destination: u32, packet: u32) -> Probe {
        let p = self.packets[destination as usize][packet as usize];
        Probe::new(
            Endpoint::Pod(self.pods[source as usize].id(side)),
            Endpoint::Pod(self.pods[destination as usize].id(side)),
            p.protocol,
            p.port,
        )
    }

    /// Every planned pair and packet in one scenario: None when not delivered (a pod
    /// without an address delivers nothing), else the path's signature.
    pub(super) fn walk(&self, walker: &Walker, side: Side) -> Vec<Option<PathSignature>> {
        let state = walker.state();
        let has_address = |m: &Matched| state.ipam.pod_address(m.id(side)).is_some();
        let mut out = Vec::with_capacity(self.probes_walked);
        for (s, d) in self.pairs() {
            let wired = has_address(&self.pods[s as usize]) && has_address(&self.pods[d as usize]);
            for p in 0..self.packets[d as usize].len() as u32 {
                out.push(if wired {
                    walker.path_signature(&self.probe(side, s, d, p))
                } else {
                    None
                });
            }
        }
        out
    }

    /// The pairs and probes whose verdict differs, and the pairs whose path differs (on
    /// their first probe delivered in both).
    pub(super) fn compare(
        &self,
        before: &[Option<PathSignature>],
        after: &[Option<PathSignature>],
    ) -> Changes {
        let mut changes = Changes {
            verdicts: Vec::new(),
            paths: Vec::new(),
        };
        let mut k = 0;
        for (source, destination) in self.pairs() {
            let mut path_compared = false;
            for packet in 0..self.packets[destination as usize].len() as u32 {
                let change = Change {
                    source,
                    destination,
                    packet,
                    before: before[k],
                    after: after[k],
                };
                k += 1;
                match (change.before, change.after) {
                    (Some(b), Some(a)) if !path_compared => {
                        path_compared = true;
                        if b != a {
                            changes.paths.push(change);
                        }
                    }
                    (Some(_), None) | (None, Some(_)) => changes.verdicts.push(change),
                    _ => {}
                }
            }
        }
        changes
    }

    /// Traces the changed pairs in one scenario for what a reviewer reads.
    pub(super) fn explain(&self, walker: &Walker, side: Side, changes: &Changes) -> Explained {
        let state = walker.state();
        let reasons = changes
            .verdicts
            .iter()
            .map(|c| {
                let missing = [c.source, c.destination]
                    .into_iter()
                    .map(|i| &self.pods[i as usize])
                    .find(|m| state.ipam.pod_address(m.id(side)).is_none());
                match missing {
                    Some(m) => no_address(state, &m.key),
                    None => verdict_reason(&walker.trace_request(&self.probe(
                        side,
                        c.source,
                        c.destination,
                        c.packet,
                    ))),
                }
            })
            .collect();
        let places = changes
            .paths
            .iter()
            .map(|c| {
                let same_encapsulation =
                    c.before.map(|s| s.encapsulation) == c.after.map(|s| s.encapsulation);
                same_encapsulation.then(|| {
                    walker
                        .trace_request(&self.probe(side, c.source, c.destination, c.packet))
                        .places()
                })
            })
            .collect();
        Explained { reasons, places }
    }

    /// The changes in words, sorted by source, destination and probe.
    pub(super) fn report(
        &self,
        changes: &Changes,
        (before, after): (Explained, Explained),
    ) -> (ReachabilityDiff, Vec<PathChange>) {
        let mut diff = ReachabilityDiff {
            probes_compared: self.probes_compared,
            probes_walked: self.probes_walked,
            ..ReachabilityDiff::default()
        };
        let reasons = before.reasons.into_iter().zip(after.reasons);
        for (c, (before, after)) in changes.verdicts.iter().zip(reasons) {
            let change = PairChange {
                from: self.pods[c.source as usize].key.clone(),
                to: self.pods[c.destination as usize].key.clone(),
                probe: self.probe_name(c),
                before,
                after,
            };
            if c.after.is_some() {
                diff.newly_allowed.push(change);
            } else {
                diff.newly_denied.push(change);
            }
        }
        let mut paths: Vec<PathChange> = Vec::new();
        let mut group: HashMap<(PathView, PathView), usize> = HashMap::new();
        let places = before.places.into_iter().zip(after.places);
        for (c, (places_before, places_after)) in changes.paths.iter().zip(places) {
            let view = |s: Option<PathSignature>, places| PathView {
                encapsulation: s.expect("delivered in both").encapsulation_name(),
                places,
            };
            let (before, after) = (view(c.before, places_before), view(c.after, places_after));
            // The signature also sees hops the description leaves out (a NAT hop without a
            // device): a path that reads the same is not reported.
            if before == after {
                continue;
            }
            let pair = PodPair {
                from: self.pods[c.source as usize].key.clone(),
                to: self.pods[c.destination as usize].key.clone(),
            };
            match group.entry((before, after)) {
                Entry::Occupied(g) => paths[*g.get()].pairs.push(pair),
                Entry::Vacant(g) => {
                    let (before, after) = g.key().clone();
                    g.insert(paths.len());
                    paths.push(PathChange {
                        before,
                        after,
                        pairs: vec![pair],
                    });
                }
            }
        }
        // The largest change first; ties in a fixed order.
        paths.sort_by(|a, b| {
            b.pairs
                .len()
                .cmp(&a.pairs.len())
                .then_with(|| {
                    (&a.before.encapsulation, &a.after.encapsulation)
                        .cmp(&(&b.before.encapsulation, &b.after.encapsulation))
                })
                .then_with(|| {
                    (&a.before.places, &a.after.places).cmp(&(&b.before.places, &b.after.places))
                })
        });
        (diff, paths)
    }

    fn probe_name(&self, c: &Change) -> String {
        let p = self.packets[c.destination as usize][c.packet as usize];
        probe_name(p.protocol, p.port)
    }
}

/// The packets for a destination with these container ports (both scenarios' ports), in
/// the order the specs give them, each once.
fn packets_for<'a>(
    specs: &[ProbeSpec],
    ports: impl Iterator<Item = &'a NamedPort> + Clone,
) -> Vec<Packet> {
    let mut packets: Vec<Packet> = Vec::new();
    let mut add = |p: Packet| {
        if !packets.contains(&p) {
            packets.push(p);
        }
    };
    for spec in specs {
        match *spec {
            ProbeSpec::Port { protocol, port } => add(Packet { protocol, port }),
            ProbeSpec::ContainerPorts => {
                for p in ports.clone() {
                    if let Some(protocol) = Protocol::from_name_case_insensitive(&p.protocol) {
                        add(Packet {
                            protocol,
                            port: Some(p.port),
                        });
                    }
                }
            }
        }
    }
    packets
}

/// Why a pod has no say: IPAM gave it no address.
fn no_address(state: &ClusterState, key: &str) -> String {
    let failure = state.ipam.failures.iter().find(|f| f.owner == key);
    match failure {
        Some(f) => format!("{key} has no IP address: {}", f.message),
        None => format!("{key} has no IP address"),
    }
}

/// The deciding reason: the drop's, or for a delivered packet what the policy hops said.
fn verdict_reason(t: &Trace) -> String {
    if t.verdict == Verdict::Dropped {
        return t.reason.clone().unwrap_or_else(|| "dropped".into());
    }
    let decisions: Vec<String> = t
        .hops
        .iter()
        .filter(|h| h.action == Action::Policy)
        .map(|h| chain_decision(&h.detail))
        .collect();
    if decisions.is_empty() {
        "delivered".into()
    } else {
        format!("delivered ({})", decisions.join("; "))
    }
}

/// `egress (cali-fw-cali751425ce827): policy … allows` → `egress: policy … allows` (the
/// chain name says nothing the pair does not).
fn chain_decision(detail: &str) -> String {
    match detail.split_once("): ") {
        Some((chain, decision)) if chain.contains(" (cali-") => {
            let direction = chain.split(" (").next().unwrap_or(chain);
            format!("{direction}: {decision}")
        }
        _ => detail.to_string(),
    }
}
