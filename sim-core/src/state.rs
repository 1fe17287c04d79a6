//! The computed cluster: everything the front ends read, recomputed from scratch.
//!
//! `load` runs the first layers (parse → validate); `compute` runs the engine on a
//! validated cluster. Later layers (routes, BGP, policy, device graph) join here.

use serde::Serialize;

use crate::diag::Diagnostics;
use crate::ipam::{self, IpamState};
use crate::model::{self, Cluster};
use crate::scenario::{self, SourceFile};

/// A validated cluster and what Calico would compute for it.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterState {
    pub cluster: Cluster,
    pub ipam: IpamState,
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
    ClusterState { cluster, ipam }
}
