//! The computed cluster: everything the front ends read, recomputed from scratch.
//!
//! `load` runs the first layers (parse → validate); `compute` runs the engine on a
//! validated cluster. Later layers (routes, BGP, policy, device graph) join here.

use serde::Serialize;

use crate::bgp::{self, BgpState};
use crate::dataplane::{self, NodeDataplane, RouterTable};
use crate::diag::Diagnostics;
use crate::ipam::{self, IpamState};
use crate::model::{self, Cluster};
use crate::node_address::{self, NodeAddress};
use crate::scenario::{self, SourceFile};
use crate::underlay::Underlay;

/// A validated cluster and what Calico would compute for it.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterState {
    pub cluster: Cluster,
    pub ipam: IpamState,
    /// Per node: the address calico-node registers, and why.
    pub node_addresses: Vec<NodeAddress>,
    pub bgp: BgpState,
    /// Per node: what Felix and BIRD program.
    pub dataplane: Vec<NodeDataplane>,
    /// Per fabric router: the pod prefixes it learned over BGP.
    pub routers: Vec<RouterTable>,
    #[serde(skip)]
    pub underlay: Underlay,
}

/// Parses and validates the files. `Err` carries every problem when any is an error;
/// `Ok` carries the cluster and the warnings.
pub fn load(files: &[SourceFile]) -> Result<(Cluster, Diagnostics), Diagnostics> {
    let (scenario, mut diags) = scenario::parse(files);
    let (cluster, more) = model::resolve(&scenario);
    diags.extend(more);
    match cluster {
        Some(cluster) if !diags.has_errors() => Ok((cluster, diags)),
        _ => Err(diags),
    }
}

/// Computes the whole cluster state.
pub fn compute(cluster: Cluster) -> ClusterState {
    let ipam = ipam::allocate(&cluster);
    let node_addresses = node_address::node_addresses(&cluster);
    let addresses: Vec<_> = node_addresses.iter().map(|a| a.address).collect();
    let ips: Vec<_> = addresses.iter().map(|a| a.map(|n| n.ip())).collect();
    let underlay = Underlay::new(&cluster);
    let bgp = bgp::compute(&cluster, &ips, &underlay);
    let dataplane = dataplane::compute(&cluster, &ipam, &bgp, &addresses);
    let routers = dataplane::routers::compute(&cluster, &ipam, &bgp);
    ClusterState {
        cluster,
        ipam,
        node_addresses,
        bgp,
        dataplane,
        routers,
        underlay,
    }
}

impl ClusterState {
    pub fn node_dataplane(&self, name: &str) -> Option<&NodeDataplane> {
        self.dataplane.iter().find(|d| d.name == name)
    }
}
