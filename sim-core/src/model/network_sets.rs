//! NetworkSets (namespaced) and GlobalNetworkSets: labelled lists of CIDRs that policy
//! selectors match like endpoints (Felix puts their nets into the selector's IP set).

use ipnetwork::IpNetwork;
use serde::Serialize;

use crate::diag::Diagnostics;
use crate::labels::LabelMap;
use crate::policy::model::NetworkSetSpec;

use super::resolve::{check_unique_names, Located};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetworkSet {
    /// None for a GlobalNetworkSet.
    pub namespace: Option<String>,
    pub name: String,
    pub labels: LabelMap,
    pub nets: Vec<IpNetwork>,
}

pub(super) fn resolve(
    namespaced: &[Located<'_, NetworkSetSpec>],
    global: &[Located<'_, NetworkSetSpec>],
    diags: &mut Diagnostics,
) -> Vec<NetworkSet> {
    check_unique_names(namespaced, diags);
    check_unique_names(global, diags);
    let one =
        |doc: &Located<'_, NetworkSetSpec>, namespace: Option<String>, diags: &mut Diagnostics| {
            let empty = NetworkSetSpec::default();
            let spec = doc.resource.spec.as_ref().unwrap_or(&empty);
            let nets = spec
                .nets
                .iter()
                .enumerate()
                .filter_map(|(i, n)| match n.parse::<IpNetwork>() {
                    Ok(net) => Some(net),
                    Err(_) => {
                        diags.push(
                            doc.error(&format!("spec.nets[{i}]"), format!("{n:?} is not a CIDR")),
                        );
                        None
                    }
                })
                .collect();
            NetworkSet {
                namespace,
                name: doc.resource.metadata.name.clone(),
                labels: doc.resource.metadata.labels.clone(),
                nets,
            }
        };
    let mut out: Vec<NetworkSet> = namespaced
        .iter()
        .map(|d| {
            let ns = d
                .resource
                .metadata
                .namespace
                .clone()
                .unwrap_or_else(|| "default".into());
            one(d, Some(ns), diags)
        })
        .collect();
    out.extend(global.iter().map(|d| one(d, None, diags)));
    out
}
