//! Scenario → Cluster: gathers documents by kind, validates each, reports all problems.

use std::collections::BTreeMap;

use crate::diag::{Diagnostic, Diagnostics, Origin};
use crate::scenario::{Document, Resource, Scenario, Sourced};

use super::{
    defaults, expectations, install, installation, network_sets, policies, services, tiers,
    validate_calico, validate_topology, Cluster, InstallKind,
};
use crate::mtu::MtuOverrides;

/// A resource with where it came from and its diagnostic label.
pub(super) struct Located<'a, S> {
    pub origin: &'a Origin,
    pub text: &'a str,
    pub label: String,
    pub resource: &'a Resource<S>,
}

impl<S> Located<'_, S> {
    /// An error about `field` of this resource.
    /// Points at the field's own line when the locator finds it.
    pub fn error(&self, field: &str, message: impl Into<String>) -> Diagnostic {
        let mut origin = self.origin.clone();
        if field.is_empty() {
            return Diagnostic::error(message).at(&origin).resource(&self.label);
        }
        if let Some(line) = crate::scenario::locate(self.text, field) {
            origin.line += line;
        }
        Diagnostic::error(message)
            .at(&origin)
            .resource(&self.label)
            .field(field)
    }

    pub fn warning(&self, field: &str, message: impl Into<String>) -> Diagnostic {
        let mut d = self.error(field, message);
        d.severity = crate::diag::Severity::Warning;
        d
    }
}

/// The documents of a scenario, sorted by kind.
#[derive(Default)]
pub(super) struct ByKind<'a> {
    pub clusters: Vec<Located<'a, crate::scenario::ClusterSpec>>,
    pub pods: Vec<Located<'a, crate::scenario::PodSpec>>,
    pub namespaces: Vec<Located<'a, serde_json::Value>>,
    pub pools: Vec<Located<'a, crate::scenario::IpPoolSpec>>,
    pub reservations: Vec<Located<'a, crate::scenario::IpReservationSpec>>,
    pub ipam_configs: Vec<Located<'a, crate::scenario::IpamConfigSpec>>,
    pub bgp_configs: Vec<Located<'a, crate::scenario::BgpConfigurationSpec>>,
    pub bgp_peers: Vec<Located<'a, crate::scenario::BgpPeerSpec>>,
    pub calico_nodes: Vec<Located<'a, crate::scenario::CalicoNodeSpec>>,
    pub felix_configs: Vec<Located<'a, crate::scenario::FelixConfigurationSpec>>,
    pub daemonsets: Vec<Located<'a, crate::scenario::DaemonSetSpec>>,
    pub installations: Vec<Located<'a, crate::scenario::InstallationSpec>>,
    pub config_maps: Vec<super::install::SourcedConfigMap<'a>>,
    pub kubeadm_configs: Vec<(&'a Origin, &'a crate::scenario::KubeadmClusterConfiguration)>,
    pub network_policies: Vec<Located<'a, crate::policy::model::PolicySpec>>,
    pub global_policies: Vec<Located<'a, crate::policy::model::PolicySpec>>,
    pub k8s_policies: Vec<(&'a Origin, &'a crate::policy::k8s::K8sNetworkPolicy)>,
    pub expectations: Vec<Located<'a, crate::scenario::ExpectationsSpec>>,
    pub services: Vec<Located<'a, crate::scenario::ServiceSpec>>,
    pub network_sets: Vec<Located<'a, crate::policy::model::NetworkSetSpec>>,
    pub global_network_sets: Vec<Located<'a, crate::policy::model::NetworkSetSpec>>,
    pub tiers: Vec<Located<'a, crate::scenario::TierSpec>>,
    pub service_accounts: Vec<Located<'a, serde_json::Value>>,
}

fn sort_by_kind(scenario: &Scenario) -> ByKind<'_> {
    let mut k = ByKind::default();
    for Sourced {
        origin,
        value,
        text,
    } in &scenario.documents
    {
        let label = value.label();
        macro_rules! push {
            ($list:expr, $r:expr) => {
                $list.push(Located {
                    origin,
                    text,
                    label,
                    resource: $r,
                })
            };
        }
        match value {
            Document::Cluster(r) => push!(k.clusters, r),
            Document::Pod(r) => push!(k.pods, r),
            Document::Namespace(r) => push!(k.namespaces, r),
            Document::IpPool(r) => push!(k.pools, r),
            Document::IpReservation(r) => push!(k.reservations, r),
            Document::IpamConfig(r) => push!(k.ipam_configs, r),
            Document::BgpConfiguration(r) => push!(k.bgp_configs, r),
            Document::BgpPeer(r) => push!(k.bgp_peers, r),
            Document::CalicoNode(r) => push!(k.calico_nodes, r),
            Document::FelixConfiguration(r) => push!(k.felix_configs, r),
            Document::DaemonSet(r) => push!(k.daemonsets, r),
            Document::Installation(r) => push!(k.installations, r),
            Document::KubeadmConfig(c) => k.kubeadm_configs.push((origin, c)),
            Document::NetworkPolicy(r) => push!(k.network_policies, r),
            Document::GlobalNetworkPolicy(r) => push!(k.global_policies, r),
            Document::K8sNetworkPolicy(p) => k.k8s_policies.push((origin, p)),
            Document::Expectations(r) => push!(k.expectations, r),
            Document::Service(r) => push!(k.services, r),
            Document::NetworkSet(r) => push!(k.network_sets, r),
            Document::Tier(r) => push!(k.tiers, r),
            Document::ServiceAccount(r) => push!(k.service_accounts, r),
            Document::GlobalNetworkSet(r) => push!(k.global_network_sets, r),
            Document::ConfigMap(map) => k
                .config_maps
                .push(super::install::SourcedConfigMap { origin, map }),
        }
    }
    k
}

/// Reports a second resource of the same kind and name.
pub(super) fn check_unique_names<S>(list: &[Located<'_, S>], diags: &mut Diagnostics) {
    let mut seen: BTreeMap<(Option<&str>, &str), &Origin> = BTreeMap::new();
    for item in list {
        let meta = &item.resource.metadata;
        let key = (meta.namespace.as_deref(), meta.name.as_str());
        if meta.name.is_empty() {
            diags.push(item.error("metadata.name", "metadata.name is required"));
        } else if let Some(first) = seen.get(&key) {
            diags.push(item.error(
                "metadata.name",
                format!("duplicate name: already defined at {first}"),
            ));
        } else {
            seen.insert(key, item.origin);
        }
    }
}

/// Validates the whole scenario. Returns the cluster only when there are no errors;
/// the diagnostics (warnings included) are returned either way.
pub fn resolve(scenario: &Scenario) -> (Option<Cluster>, Diagnostics) {
    let mut diags = Diagnostics::default();
    let docs = sort_by_kind(scenario);

    let cluster_doc = match docs.clusters.as_slice() {
        [one] => Some(one),
        [] => {
            diags.push(
                Diagnostic::error(
                    "no `calisim.dev/v1alpha1 Cluster` document: a scenario needs exactly one",
                )
                .hint("start from `calisim gen --nodes 3 --pods 6` or the README's example"),
            );
            None
        }
        [first, rest @ ..] => {
            for extra in rest {
                diags.push(extra.error(
                    "",
                    format!(
                        "a scenario has exactly one Cluster document; the first is at {}",
                        first.origin
                    ),
                ));
            }
            Some(first)
        }
    };
    let Some(cluster_doc) = cluster_doc else {
        return (None, diags);
    };

    let mut topology = validate_topology::validate(cluster_doc, &docs, &mut diags);
    install::apply_kubeadm_files(&mut topology, &docs.kubeadm_configs, &mut diags);
    let mut manifest = install::apply(
        &mut topology,
        &docs.daemonsets,
        &docs.config_maps,
        &mut diags,
    );
    let operator = installation::apply(&mut topology, &docs.installations, &mut diags);
    let mut calico = validate_calico::validate(&mut topology, &docs, &mut diags);
    if let Some(pools) = operator.pools {
        for p in pools
            .iter()
            .filter(|p| calico.pools.iter().any(|q| q.name == p.name))
        {
            diags.push(Diagnostic::error(format!(
                "the Installation's pool `{}` has the name of an IPPool resource: the operator and the resource would fight over it",
                p.name
            )));
        }
        calico.pools.extend(pools);
        calico.pools.sort_by(|a, b| a.name.cmp(&b.name));
        manifest.pool.no_default_pools = true;
    }
    if let Some(mtu) = operator.mtu {
        let all = Some(mtu);
        manifest.mtu = MtuOverrides {
            ipip: all,
            vxlan: all,
            vxlan_v6: all,
            wireguard: all,
            wireguard_v6: all,
        };
        manifest.cni_mtu = all;
    }
    calico.felix.global = env_over_datastore(manifest.mtu, calico.felix.global);
    let pools = defaults::with_default_pool(calico.pools, &topology, &manifest.pool, &mut diags);
    validate_calico::check_pools_in_pod_subnet(&pools, &topology, &docs, &mut diags);

    let policies = policies::validate(&docs, &mut diags);
    let expectations = expectations::resolve(&docs.expectations, &topology, &mut diags);
    let services = services::resolve(&docs.services, &topology, &mut diags);
    let network_sets =
        network_sets::resolve(&docs.network_sets, &docs.global_network_sets, &mut diags);
    let tiers = tiers::resolve(&docs, topology.calico_version, &mut diags);
    check_unique_names(&docs.service_accounts, &mut diags);
    let service_accounts = docs
        .service_accounts
        .iter()
        .map(|sa| {
            let m = &sa.resource.metadata;
            let ns = m.namespace.clone().unwrap_or_else(|| "default".into());
            ((ns, m.name.clone()), m.labels.clone())
        })
        .collect();

    if diags.has_errors() {
        return (None, diags);
    }
    let cluster = Cluster {
        name: topology.name,
        calico_version: topology.calico_version,
        backend: topology.backend,
        ip_autodetection: topology.ip_autodetection,
        ip_autodetection_disabled: topology.ip_autodetection_disabled,
        kubeadm: topology.kubeadm,
        cloud: topology.cloud,
        src_dst_check: topology.src_dst_check,
        networks: topology.networks,
        routers: topology.routers,
        externals: topology.externals,
        nodes: topology.nodes,
        namespaces: topology.namespaces,
        pods: topology.pods,
        pools,
        reservations: calico.reservations,
        ipam_config: calico.ipam_config,
        bgp: calico.bgp,
        bgp_node_overrides: calico.bgp_node_overrides,
        bgp_peers: calico.bgp_peers,
        bgp_config_resources: calico.bgp_config_resources,
        policies,
        expectations,
        services,
        network_sets,
        tiers,
        service_accounts,
        felix: calico.felix,
        cni_mtu: manifest.cni_mtu,
        cni_template: manifest.cni_template,
        install: match (manifest.typha, operator.present) {
            (_, true) => InstallKind::Operator,
            (Some(typha), false) => InstallKind::Manifest { typha },
            (None, false) => InstallKind::Unspecified,
        },
    };
    (Some(cluster), diags)
}

/// Felix ranks environment variables above FelixConfiguration resources.
fn env_over_datastore(env: MtuOverrides, datastore: MtuOverrides) -> MtuOverrides {
    MtuOverrides {
        ipip: env.ipip.or(datastore.ipip),
        vxlan: env.vxlan.or(datastore.vxlan),
        vxlan_v6: env.vxlan_v6.or(datastore.vxlan_v6),
        wireguard: env.wireguard.or(datastore.wireguard),
        wireguard_v6: env.wireguard_v6.or(datastore.wireguard_v6),
    }
}
