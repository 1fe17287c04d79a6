//! Policy tiers (Calico v3.29+): each Tier's order and default action, and every policy's
//! tier checked to exist (Calico refuses a policy in a tier that does not).

use serde::Serialize;

use crate::diag::Diagnostics;
use crate::scenario::TierSpec;

use super::resolve::{check_unique_names, ByKind, Located};
use super::CalicoVersion;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tier {
    pub name: String,
    /// None: last.
    pub order: Option<f64>,
    /// `Pass` when true, else `Deny`.
    pub default_pass: bool,
}

pub(super) fn resolve(
    all: &ByKind<'_>,
    version: CalicoVersion,
    diags: &mut Diagnostics,
) -> Vec<Tier> {
    let docs: &[Located<'_, TierSpec>] = &all.tiers;
    check_unique_names(docs, diags);
    let first = CalicoVersion::parse("v3.29").expect("valid");
    let mut tiers = Vec::new();
    for doc in docs {
        if version < first {
            diags.push(doc.error(
                "",
                format!("Tier resources need Calico v3.29 or later (this cluster runs {version}): v3.28 has only the default tier"),
            ));
            continue;
        }
        let empty = TierSpec::default();
        let spec = doc.resource.spec.as_ref().unwrap_or(&empty);
        let default_pass = match spec.default_action.as_deref() {
            None | Some("Deny") => false,
            Some("Pass") => true,
            Some(other) => {
                diags.push(doc.error(
                    "spec.defaultAction",
                    format!("defaultAction {other:?}: Deny or Pass"),
                ));
                false
            }
        };
        tiers.push(Tier {
            name: doc.resource.metadata.name.clone(),
            order: spec.order,
            default_pass,
        });
    }
    for p in all.network_policies.iter().chain(&all.global_policies) {
        let tier = p.resource.spec.as_ref().and_then(|s| s.tier.as_deref());
        if let Some(t) = tier.filter(|t| *t != "default") {
            if !tiers.iter().any(|x| x.name == t) {
                diags.push(p.error(
                    "spec.tier",
                    format!("tier {t:?} does not exist: create the Tier first"),
                ));
            }
        }
    }
    tiers
}
