//! Lint findings (`calisim check`'s design lints) new or resolved, by lint id and message.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diag::Diagnostic;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LintDiff {
    pub new: Vec<Finding>,
    pub resolved: Vec<Finding>,
}

impl LintDiff {
    pub fn is_empty(&self) -> bool {
        self.new.is_empty() && self.resolved.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The lint id, e.g. `bgp-session-down`.
    pub lint: String,
    /// `Kind[name]` of the resource it is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    pub message: String,
}

fn findings(lints: &[Diagnostic]) -> BTreeMap<(String, String), Finding> {
    lints
        .iter()
        .map(|d| {
            let lint = d.lint.clone().unwrap_or_default();
            let finding = Finding {
                lint: lint.clone(),
                resource: d.resource.clone(),
                message: d.message.clone(),
            };
            ((lint, d.message.clone()), finding)
        })
        .collect()
}

/// Findings in only one of the two lists, sorted by lint id and message.
pub(super) fn diff(before: &[Diagnostic], after: &[Diagnostic]) -> LintDiff {
    let (before, after) = (findings(before), findings(after));
    let only_in = |x: &BTreeMap<(String, String), Finding>,
                   y: &BTreeMap<(String, String), Finding>| {
        x.iter()
            .filter(|(k, _)| !y.contains_key(*k))
            .map(|(_, f)| f.clone())
            .collect()
    };
    LintDiff {
        new: only_in(&after, &before),
        resolved: only_in(&before, &after),
    }
}
