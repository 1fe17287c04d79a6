//! Network policies as Felix receives them: Calico NetworkPolicy and GlobalNetworkPolicy
//! as written, Kubernetes NetworkPolicy converted as libcalico-go converts it
//! (`knp.default.<name>`, order 1000). Every selector is checked here.

use serde::Serialize;

use crate::diag::{Diagnostic, Diagnostics};
use crate::policy::k8s::convert;
use crate::policy::model::{EntityRule, PolicySpec};
use crate::selector::Selector;

use super::resolve::{check_unique_names, ByKind, Located};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum PolicyScope {
    /// `projectcalico.org/v3 NetworkPolicy`.
    Namespaced,
    /// `networking.k8s.io/v1 NetworkPolicy`, converted to a namespaced Calico policy.
    Kubernetes,
    /// `projectcalico.org/v3 GlobalNetworkPolicy`.
    Global,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Policy {
    pub scope: PolicyScope,
    /// None for global policies.
    pub namespace: Option<String>,
    /// The name Calico stores (`knp.default.<name>` for Kubernetes policies).
    pub name: String,
    pub spec: PolicySpec,
    /// The Kubernetes policy as written, for Kubernetes ones (export writes it back).
    #[serde(skip)]
    pub kubernetes: Option<crate::policy::k8s::K8sNetworkPolicy>,
}

/// Checks every selector of a policy; reports each bad one at its field.
fn check_selectors<S>(spec: &PolicySpec, at: &Located<'_, S>, diags: &mut Diagnostics) {
    let mut check = |field: String, text: &str| {
        if let Err(e) = Selector::parse(text) {
            diags.push(at.error(&field, format!("invalid selector `{text}`: {e}")));
        }
    };
    check("spec.selector".into(), &spec.selector);
    check("spec.namespaceSelector".into(), &spec.namespace_selector);
    check(
        "spec.serviceAccountSelector".into(),
        &spec.service_account_selector,
    );
    for (direction, rules) in [("ingress", &spec.ingress), ("egress", &spec.egress)] {
        for (i, rule) in rules.iter().enumerate() {
            for (side, entity) in [("source", &rule.source), ("destination", &rule.destination)] {
                let EntityRule {
                    selector,
                    not_selector,
                    namespace_selector,
                    ..
                } = entity;
                for (name, text) in [
                    ("selector", selector),
                    ("notSelector", not_selector),
                    ("namespaceSelector", namespace_selector),
                ] {
                    check(format!("spec.{direction}[{i}].{side}.{name}"), text);
                }
            }
        }
    }
}

pub(super) fn validate(all: &ByKind<'_>, diags: &mut Diagnostics) -> Vec<Policy> {
    check_unique_names(&all.network_policies, diags);
    check_unique_names(&all.global_policies, diags);
    let mut out = Vec::new();
    for p in &all.network_policies {
        let spec = p.resource.spec.clone().unwrap_or_default();
        check_selectors(&spec, p, diags);
        let namespace = p
            .resource
            .metadata
            .namespace
            .clone()
            .unwrap_or_else(|| "default".into());
        out.push(Policy {
            scope: PolicyScope::Namespaced,
            namespace: Some(namespace),
            name: p.resource.metadata.name.clone(),
            spec,
            kubernetes: None,
        });
    }
    for (origin, k) in &all.k8s_policies {
        let label = crate::scenario::resource_label(
            "NetworkPolicy",
            Some(&k.metadata.namespace),
            &k.metadata.name,
        );
        match convert(k) {
            Ok(converted) => {
                for e in &converted.errors {
                    diags.push(
                        Diagnostic::warning(format!(
                            "{e}; Calico drops this rule and keeps the rest"
                        ))
                        .at(origin)
                        .resource(&label),
                    );
                }
                for w in &converted.warnings {
                    diags.push(Diagnostic::warning(w.clone()).at(origin).resource(&label));
                }
                let namespace = if k.metadata.namespace.is_empty() {
                    "default".to_string()
                } else {
                    k.metadata.namespace.clone()
                };
                out.push(Policy {
                    scope: PolicyScope::Kubernetes,
                    namespace: Some(namespace),
                    name: converted.policy.metadata.name.clone(),
                    spec: converted.policy.spec,
                    kubernetes: Some((*k).clone()),
                });
            }
            Err(e) => diags.push(Diagnostic::error(e.to_string()).at(origin).resource(&label)),
        }
    }
    for p in &all.global_policies {
        let spec = p.resource.spec.clone().unwrap_or_default();
        check_selectors(&spec, p, diags);
        out.push(Policy {
            scope: PolicyScope::Global,
            namespace: None,
            name: p.resource.metadata.name.clone(),
            spec,
            kubernetes: None,
        });
    }
    out.sort_by(|a, b| {
        (a.scope == PolicyScope::Global, &a.namespace, &a.name).cmp(&(
            b.scope == PolicyScope::Global,
            &b.namespace,
            &b.name,
        ))
    });
    out
}
