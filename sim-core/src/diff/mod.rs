//! `calisim diff`: what a change does to the network, for pull-request review.
//!
//! Layer 5 (two states → **diff**). Both scenarios are computed in full; this module
//! compares what a reviewer cares about: which pod pairs can newly (or no longer) talk and
//! why, which paths changed, each node's `ip route` lines, BGP sessions, IPAM, and lint
//! findings. Pods are matched by `namespace/name`, nodes by name: a renamed pod is one
//! removed and one added.
//!
//! Reachability is the expensive part (every ordered pod pair, per probe). The bulk runs
//! as verdict walks that fold the path as they go ([`crate::walker::Walker::path_signature`]);
//! full traces (words and hops) are made for the changed pairs only. When the network
//! itself is unchanged (a policy or label change), only pairs with an end whose policy view
//! changed are walked ([`scope`]). The per-scenario work goes through [`BothSides`], so a
//! front end with threads runs the two scenarios at once while this crate stays
//! single-threaded.

mod ipam;
mod lints;
mod reachability;
pub mod render;
mod routes;
mod scope;
mod sessions;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::sync::Mutex;

use serde::Serialize;

use crate::policy::model::Protocol;
use crate::state::ClusterState;
use crate::walker::Walker;

pub use ipam::{AddressChange, IpamDiff, PodAddress, TunnelChange};
pub use lints::{Finding, LintDiff};
pub use reachability::{PairChange, PathChange, PathView, PodPair, ReachabilityDiff};
pub use routes::NodeRoutes;
pub use sessions::{SessionChange, SessionView};

/// What to send between every pair of pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeSpec {
    /// This protocol and destination port (None for ICMP) for every pair.
    Port {
        protocol: Protocol,
        port: Option<u16>,
    },
    /// Every container port the destination pod declares (in either scenario), with its
    /// protocol: the ports its Services and named-port rules talk to.
    ContainerPorts,
}

impl ProbeSpec {
    /// `calisim diff` without `--proto/--port`: TCP 80, and each destination's container ports.
    pub fn defaults() -> Vec<ProbeSpec> {
        vec![
            ProbeSpec::Port {
                protocol: Protocol::Tcp,
                port: Some(80),
            },
            ProbeSpec::ContainerPorts,
        ]
    }

    fn describe(&self) -> String {
        match self {
            ProbeSpec::Port { protocol, port } => probe_name(*protocol, *port),
            ProbeSpec::ContainerPorts => "each destination's container ports".into(),
        }
    }
}

/// `tcp/80`, `udp/53`, `icmp`.
pub fn probe_name(protocol: Protocol, port: Option<u16>) -> String {
    let name = crate::walker::protocol_name(protocol);
    match port {
        Some(port) => format!("{name}/{port}"),
        None => name,
    }
}

/// Which scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Before,
    After,
}

/// Runs a piece of per-scenario work for both scenarios. sim-core does no threading:
/// [`OneAfterTheOther`] runs them in turn; the CLI passes an implementation that runs them
/// on two threads.
pub trait BothSides {
    fn run<R: Send>(&self, work: impl Fn(Side) -> R + Sync) -> (R, R);
}

/// The before scenario's work, then the after scenario's.
pub struct OneAfterTheOther;

impl BothSides for OneAfterTheOther {
    fn run<R: Send>(&self, work: impl Fn(Side) -> R + Sync) -> (R, R) {
        (work(Side::Before), work(Side::After))
    }
}

/// Names present in only one scenario.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Membership {
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

impl Membership {
    fn of(before: BTreeSet<String>, after: BTreeSet<String>) -> Self {
        Membership {
            added: after.difference(&before).cloned().collect(),
            removed: before.difference(&after).cloned().collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

/// Everything a change does to the network; empty sections mean "unchanged".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClusterDiff {
    /// How pod pairs were probed, e.g. `["tcp/80", "each destination's container ports"]`.
    pub probes: Vec<String>,
    /// Pods (`namespace/name`) in only one scenario.
    pub pods: Membership,
    /// Nodes in only one scenario.
    pub nodes: Membership,
    pub reachability: ReachabilityDiff,
    /// Pairs delivered in both scenarios whose path changed, grouped by how it changed.
    pub paths: Vec<PathChange>,
    /// Per node in both scenarios: `ip route` lines added and removed.
    pub routes: Vec<NodeRoutes>,
    pub sessions: Vec<SessionChange>,
    pub ipam: IpamDiff,
    pub lints: LintDiff,
}

/// The sections `--fail-on` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// Pod pairs newly allowed or newly denied.
    Reachability,
    /// Paths of pairs delivered in both.
    Paths,
    /// `ip route` lines.
    Routes,
    /// BGP sessions.
    Sessions,
    /// Pod and tunnel addresses, allocation failures.
    Ipam,
    /// Lint findings new or resolved.
    Lints,
    /// Pods or nodes added or removed.
    Pods,
}

impl ClusterDiff {
    /// Whether anything in the section changed.
    pub fn changed(&self, category: Category) -> bool {
        match category {
            Category::Reachability => !self.reachability.is_empty(),
            Category::Paths => !self.paths.is_empty(),
            Category::Routes => !self.routes.is_empty(),
            Category::Sessions => !self.sessions.is_empty(),
            Category::Ipam => !self.ipam.is_empty(),
            Category::Lints => !self.lints.is_empty(),
            Category::Pods => !self.pods.is_empty() || !self.nodes.is_empty(),
        }
    }

    /// Nothing changed at all.
    pub fn is_empty(&self) -> bool {
        Category::ALL.iter().all(|&c| !self.changed(c))
    }
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::Reachability,
        Category::Paths,
        Category::Routes,
        Category::Sessions,
        Category::Ipam,
        Category::Lints,
        Category::Pods,
    ];
}

/// Compares two computed scenarios, one after the other (see [`diff_with`]).
pub fn diff(before: &ClusterState, after: &ClusterState, probes: &[ProbeSpec]) -> ClusterDiff {
    diff_with(before, after, probes, &OneAfterTheOther)
}

/// Compares two computed scenarios, running each scenario's walks and findings through
/// `sides` (the CLI runs them on two threads).
pub fn diff_with(
    before: &ClusterState,
    after: &ClusterState,
    probes: &[ProbeSpec],
    sides: &impl BothSides,
) -> ClusterDiff {
    let plan = reachability::Plan::new(before, after, probes);
    diff_planned(before, after, probes, sides, &plan)
}

fn diff_planned(
    before: &ClusterState,
    after: &ClusterState,
    probes: &[ProbeSpec],
    sides: &impl BothSides,
    plan: &reachability::Plan,
) -> ClusterDiff {
    let state = |side| match side {
        Side::Before => before,
        Side::After => after,
    };
    // Each side's walker (its index of routes, owners and policies) is built once, on that
    // side's thread, and kept for the explanations: on a large cluster it takes a while.
    let walkers: [Mutex<Option<Walker>>; 2] = Default::default();
    let slot = |side| match side {
        Side::Before => &walkers[0],
        Side::After => &walkers[1],
    };
    let (walked_before, walked_after) = sides.run(|side| {
        let s = state(side);
        let walker = Walker::new(s);
        let walked = (plan.walk(&walker, side), crate::lint::lints(s));
        *slot(side).lock().expect("no walk panicked") = Some(walker);
        walked
    });
    let (signatures_before, lints_before) = walked_before;
    let (signatures_after, lints_after) = walked_after;
    let changes = plan.compare(&signatures_before, &signatures_after);
    let explained = sides.run(|side| {
        let walker = slot(side).lock().expect("no walk panicked").take();
        let walker = walker.unwrap_or_else(|| Walker::new(state(side)));
        plan.explain(&walker, side, &changes)
    });
    let (reachability, paths) = plan.report(&changes, explained);
    ClusterDiff {
        probes: probes.iter().map(ProbeSpec::describe).collect(),
        pods: Membership::of(
            before.cluster.pods.iter().map(|p| p.key()).collect(),
            after.cluster.pods.iter().map(|p| p.key()).collect(),
        ),
        nodes: Membership::of(
            before
                .cluster
                .nodes
                .iter()
                .map(|n| n.name.clone())
                .collect(),
            after.cluster.nodes.iter().map(|n| n.name.clone()).collect(),
        ),
        reachability,
        paths,
        routes: routes::diff(before, after),
        sessions: sessions::diff(before, after),
        ipam: ipam::diff(before, after),
        lints: lints::diff(&lints_before, &lints_after),
    }
}
