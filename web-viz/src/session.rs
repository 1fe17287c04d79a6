//! One loaded scenario: parsed, validated and computed once, then indexed for walking, so
//! that every trace the student asks for is a walk and nothing more.

use serde::Serialize;
use sim_core::diag::{Diagnostic, Diagnostics};
use sim_core::graph::DeviceGraph;
use sim_core::scenario::SourceFile;
use sim_core::state::{self, ClusterState};
use sim_core::walker::Walker;

use crate::layout::{self, Diagram};
use crate::panels::{self, NodePanel};
use crate::trace_view::{self, TraceRequest, TraceView};

self_cell::self_cell!(
    /// The computed state and the walker that borrows it, kept together.
    struct Computed {
        owner: ClusterState,
        #[covariant]
        dependent: Walker,
    }
);

/// A computed scenario, ready to draw and to trace.
pub struct Session {
    computed: Computed,
    diagram: Diagram,
    warnings: Vec<Problem>,
}

/// A diagnostic as the page shows it: the structured fields (the editor marks
/// `origin.line`) and the one-line text the command line would print.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    #[serde(flatten)]
    pub diagnostic: Diagnostic,
    pub text: String,
}

impl From<&Diagnostic> for Problem {
    fn from(d: &Diagnostic) -> Self {
        Self {
            diagnostic: d.clone(),
            text: d.to_string(),
        }
    }
}

/// What the page needs to draw a scenario.
#[derive(Debug, Serialize)]
pub struct ClusterView<'a> {
    pub name: &'a str,
    pub calico_version: String,
    pub summary: String,
    pub diagram: &'a Diagram,
    pub endpoints: Endpoints,
    pub nodes: Vec<&'a str>,
    /// Warnings, design findings (lints) and IPAM failures, as `calisim check` lists them;
    /// the scenario still computed.
    pub warnings: &'a [Problem],
}

/// What can be chosen as a probe's source and destination.
#[derive(Debug, Serialize)]
pub struct Endpoints {
    /// Pods, node host namespaces (`node:NAME`) and external hosts (`ext:NAME`).
    pub sources: Vec<String>,
    /// The sources plus services (`svc:NS/NAME`).
    pub destinations: Vec<String>,
}

impl Session {
    /// Parses, validates and computes `text` (named `file` in diagnostics). Errors come
    /// back all at once, with their lines.
    pub fn load(file: &str, text: &str) -> Result<Session, Vec<Problem>> {
        let files = [SourceFile::new(file, text)];
        let (cluster, diags) =
            state::load(&files).map_err(|d| d.0.iter().map(Problem::from).collect::<Vec<_>>())?;
        let state = state::compute(cluster);
        let warnings = findings(&state, diags);
        let diagram = layout::layout(&state, &DeviceGraph::build(&state));
        Ok(Session {
            computed: Computed::new(state, |s| Walker::new(s)),
            diagram,
            warnings,
        })
    }

    pub fn state(&self) -> &ClusterState {
        self.computed.borrow_owner()
    }

    pub fn view(&self) -> ClusterView<'_> {
        let state = self.state();
        let c = &state.cluster;
        let summary = format!(
            "{} nodes, {} pods, {} pools ({}), Calico {}",
            c.nodes.len(),
            c.pods.len(),
            c.pools.len(),
            pool_modes(state),
            c.calico_version
        );
        ClusterView {
            name: &c.name,
            calico_version: c.calico_version.to_string(),
            summary,
            diagram: &self.diagram,
            endpoints: endpoints(state),
            nodes: c.nodes.iter().map(|n| n.name.as_str()).collect(),
            warnings: &self.warnings,
        }
    }

    /// Walks one packet (and its reply); a request naming unknown endpoints is an error.
    pub fn trace(&self, request: &TraceRequest) -> Result<TraceView, String> {
        trace_view::trace(self.computed.borrow_dependent(), request)
    }

    /// The per-node panels: `ip route`, `ip addr`, `calicoctl node status`, IPAM blocks.
    pub fn node_panel(&self, node: &str) -> Result<NodePanel, String> {
        panels::node_panel(self.state(), node)
    }
}

/// Warnings from loading, then what `calisim check` finds (lints, IPAM failures).
fn findings(state: &ClusterState, diags: Diagnostics) -> Vec<Problem> {
    diags
        .0
        .iter()
        .chain(&sim_core::lint::findings(state))
        .map(Problem::from)
        .collect()
}

/// `vxlan CrossSubnet`, `ipip Always`, `no encapsulation`... one per pool, deduplicated.
fn pool_modes(state: &ClusterState) -> String {
    let mut modes: Vec<String> = state
        .cluster
        .pools
        .iter()
        .map(
            |p| match (p.vxlan_mode.is_enabled(), p.ipip_mode.is_enabled()) {
                (true, _) => format!("VXLAN {}", p.vxlan_mode),
                (false, true) => format!("IPIP {}", p.ipip_mode),
                (false, false) => "no encapsulation".to_owned(),
            },
        )
        .collect();
    modes.dedup();
    modes.join(", ")
}

fn endpoints(state: &ClusterState) -> Endpoints {
    let c = &state.cluster;
    let sources: Vec<String> = c
        .pods
        .iter()
        .map(|p| p.key())
        .chain(c.nodes.iter().map(|n| format!("node:{}", n.name)))
        .chain(c.externals.iter().map(|e| format!("ext:{}", e.name)))
        .collect();
    let destinations = sources
        .iter()
        .cloned()
        .chain(
            c.services
                .iter()
                .filter(|s| s.cluster_ip.is_some())
                .map(|s| format!("svc:{}", s.key())),
        )
        .collect();
    Endpoints {
        sources,
        destinations,
    }
}
