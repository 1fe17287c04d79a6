//! Install settings read from a real manifest install: the calico-node DaemonSet's
//! environment (values, or `configMapKeyRef`s into the calico-config ConfigMap), its image
//! tag (the Calico version), and kube-system's kubeadm-config ConfigMap.
//!
//! They override the Cluster document's `spec.calico` (a manifest is what the cluster
//! really runs), with a warning where the two disagree. Rules: calico-semantics §6.1.

use std::collections::BTreeMap;

use ipnetwork::IpNetwork;

use crate::addressing::parse_method;
use crate::diag::{Diagnostic, Diagnostics, Origin};
use crate::mtu::MtuOverrides;
use crate::scenario::{
    ConfigMapDoc, DaemonSetSpec, EnvVar, KubeadmClusterConfiguration, ManifestContainer, Resource,
};
use crate::selector::Selector;

use super::resolve::Located;
use super::validate_topology::Topology;
use super::{Backend, CalicoVersion, EncapMode, Kubeadm};

/// A ConfigMap with where it was written.
pub(super) struct SourcedConfigMap<'a> {
    pub origin: &'a Origin,
    pub map: &'a ConfigMapDoc,
}

/// What calico-node's environment says about the default IPv4 pool.
#[derive(Debug, Clone, Default)]
pub(super) struct DefaultPoolEnv {
    pub cidr: Option<IpNetwork>,
    pub block_size: Option<u8>,
    pub ipip: Option<EncapMode>,
    pub vxlan: Option<EncapMode>,
    pub nat_outgoing: Option<bool>,
    pub node_selector: Option<Selector>,
    /// `NO_DEFAULT_POOLS=true`: calico-node creates no pool at all.
    pub no_default_pools: bool,
}

/// Settings a manifest contributes beyond the topology's own.
#[derive(Debug, Clone, Default)]
pub(super) struct ManifestSettings {
    pub pool: DefaultPoolEnv,
    /// `FELIX_*MTU` (from `veth_mtu`): they beat any FelixConfiguration, as Felix ranks
    /// environment variables above the datastore.
    pub mtu: MtuOverrides,
    /// The CNI config's `mtu` (calico-config `veth_mtu`) when not 0: the pods' veth MTU.
    pub cni_mtu: Option<u32>,
    /// Some when a calico-node DaemonSet was read: whether it uses Typha.
    pub typha: Option<bool>,
    /// calico-config's `cni_network_config`: the CNI conflist template install-cni fills in.
    pub cni_template: Option<String>,
}

/// `CALICO_IPV4POOL_IPIP` / `_VXLAN` as calico-node parses them (case-insensitive).
fn env_encap(value: &str) -> Option<EncapMode> {
    match value.to_ascii_lowercase().as_str() {
        "always" => Some(EncapMode::Always),
        "crosssubnet" | "cross-subnet" => Some(EncapMode::CrossSubnet),
        "never" | "off" | "" => Some(EncapMode::Never),
        _ => None,
    }
}

/// The Calico version in an image reference such as `docker.io/calico/node:v3.28.2`.
fn image_version(image: &str) -> Option<CalicoVersion> {
    let (_, tag) = image.rsplit_once(':')?;
    CalicoVersion::parse(tag.split('@').next().unwrap_or(tag))
}

/// An env var's value, following a `configMapKeyRef` into the scenario's ConfigMaps.
fn resolve_env(var: &EnvVar, maps: &[SourcedConfigMap<'_>]) -> Option<String> {
    if let Some(v) = &var.value {
        return Some(v.clone());
    }
    let r = var.value_from.as_ref()?.config_map_key_ref.as_ref()?;
    maps.iter()
        .find(|m| m.map.metadata.name == r.name)
        .and_then(|m| m.map.data.get(&r.key).cloned())
}

fn calico_node_container(ds: &Resource<DaemonSetSpec>) -> Option<&ManifestContainer> {
    let containers = &ds.spec.as_ref()?.template.spec.containers;
    containers.iter().find(|c| c.name == "calico-node")
}

/// Applies the calico-node DaemonSet (if any) to the topology and returns what else it sets.
pub(super) fn apply(
    topology: &mut Topology,
    daemonsets: &[Located<'_, DaemonSetSpec>],
    maps: &[SourcedConfigMap<'_>],
    diags: &mut Diagnostics,
) -> ManifestSettings {
    apply_kubeadm_config(topology, maps, diags);
    let mut out = ManifestSettings {
        cni_template: maps
            .iter()
            .find(|m| m.map.metadata.name == "calico-config")
            .and_then(|m| m.map.data.get("cni_network_config").cloned()),
        ..ManifestSettings::default()
    };
    let Some((ds, container)) = daemonsets
        .iter()
        .find_map(|d| calico_node_container(d.resource).map(|c| (d, c)))
    else {
        return out;
    };
    if let Some(version) = image_version(&container.image) {
        topology.calico_version = version;
    }
    // With a manifest, calico-node reads the pool modes from its environment: unset is Never.
    out.pool.ipip = Some(EncapMode::Never);
    out.pool.vxlan = Some(EncapMode::Never);
    out.cni_mtu = maps
        .iter()
        .find(|m| m.map.metadata.name == "calico-config")
        .and_then(|m| m.map.data.get("veth_mtu"))
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|m| *m > 0);
    let env: BTreeMap<&str, String> = container
        .env
        .iter()
        .filter_map(|v| resolve_env(v, maps).map(|value| (v.name.as_str(), value)))
        .collect();
    let field = |name: &str| format!("spec.template.spec.containers[calico-node].env[{name}]");
    let mut bad = |name: &str, message: String| diags.push(ds.error(&field(name), message));

    if let Some(v) = env.get("CALICO_NETWORKING_BACKEND") {
        match v.as_str() {
            "bird" => topology.backend = Backend::Bird,
            "vxlan" => topology.backend = Backend::Vxlan,
            "none" => topology.backend = Backend::None,
            other => bad(
                "CALICO_NETWORKING_BACKEND",
                format!("`{other}` is not bird, vxlan or none"),
            ),
        }
    }
    if let Some(v) = env.get("IP_AUTODETECTION_METHOD") {
        match parse_method(v) {
            Ok(m) => topology.ip_autodetection = m,
            Err(e) => bad("IP_AUTODETECTION_METHOD", e.to_string()),
        }
    }
    let pool = &mut out.pool;
    for (name, slot) in [
        ("CALICO_IPV4POOL_IPIP", &mut pool.ipip),
        ("CALICO_IPV4POOL_VXLAN", &mut pool.vxlan),
    ] {
        if let Some(v) = env.get(name) {
            match env_encap(v) {
                Some(mode) => *slot = Some(mode),
                None => bad(
                    name,
                    format!("`{v}` is not Always, CrossSubnet or Never: calico-node exits"),
                ),
            }
        }
    }
    if let Some(v) = env.get("CALICO_IPV4POOL_CIDR") {
        match v.parse::<IpNetwork>() {
            Ok(c) if c.is_ipv4() => pool.cidr = Some(c),
            _ => bad(
                "CALICO_IPV4POOL_CIDR",
                format!("`{v}` is not an IPv4 CIDR: calico-node exits"),
            ),
        }
    }
    if let Some(v) = env.get("CALICO_IPV4POOL_BLOCK_SIZE") {
        match v.parse::<u8>() {
            Ok(b) if (20..=32).contains(&b) => pool.block_size = Some(b),
            _ => bad(
                "CALICO_IPV4POOL_BLOCK_SIZE",
                "IPv4 block size must be between 20 and 32: calico-node exits".into(),
            ),
        }
    }
    if let Some(v) = env.get("CALICO_IPV4POOL_NAT_OUTGOING") {
        pool.nat_outgoing = Some(!matches!(
            v.to_ascii_lowercase().as_str(),
            "false" | "0" | "no" | "n" | "f"
        ));
    }
    if let Some(v) = env.get("CALICO_IPV4POOL_NODE_SELECTOR") {
        match Selector::parse(v) {
            Ok(s) => pool.node_selector = Some(s),
            Err(e) => bad(
                "CALICO_IPV4POOL_NODE_SELECTOR",
                format!("invalid selector: {e}"),
            ),
        }
    }
    pool.no_default_pools = env.get("NO_DEFAULT_POOLS").is_some_and(|v| v == "true");
    out.typha = Some(
        env.get("FELIX_TYPHAK8SSERVICENAME")
            .is_some_and(|v| !v.is_empty() && v != "none"),
    );
    if pool.no_default_pools && pool.cidr.is_some() {
        bad(
            "NO_DEFAULT_POOLS",
            "NO_DEFAULT_POOLS is true and CALICO_IPV4POOL_CIDR is set: calico-node exits".into(),
        );
    }
    let mut mtu = |name: &str| -> Option<u32> {
        let v = env.get(name)?;
        match v.parse::<u32>() {
            Ok(0) => None,
            Ok(m) => Some(m),
            Err(_) => {
                bad(name, format!("`{v}` is not an MTU"));
                None
            }
        }
    };
    out.mtu = MtuOverrides {
        ipip: mtu("FELIX_IPINIPMTU"),
        vxlan: mtu("FELIX_VXLANMTU"),
        vxlan_v6: mtu("FELIX_VXLANMTUV6"),
        wireguard: mtu("FELIX_WIREGUARDMTU"),
        wireguard_v6: mtu("FELIX_WIREGUARDMTUV6"),
    };
    out
}

/// kube-system/kubeadm-config: its `ClusterConfiguration` text.
fn apply_kubeadm_config(
    topology: &mut Topology,
    maps: &[SourcedConfigMap<'_>],
    diags: &mut Diagnostics,
) {
    let Some(m) = maps
        .iter()
        .find(|m| m.map.metadata.name == "kubeadm-config")
    else {
        return;
    };
    let Some(text) = m.map.data.get("ClusterConfiguration") else {
        return;
    };
    match crate::yaml::from_str::<KubeadmClusterConfiguration>(text) {
        Ok(config) => set_kubeadm(
            topology,
            &config,
            m.origin,
            "ConfigMap[kube-system/kubeadm-config]",
            diags,
        ),
        Err(e) => diags.push(
            Diagnostic::error(format!("data.ClusterConfiguration is not valid YAML: {e}"))
                .at(m.origin)
                .resource("ConfigMap[kube-system/kubeadm-config]"),
        ),
    }
}

/// kubeadm config files (`kubeadm init --config`): their ClusterConfiguration documents.
pub(super) fn apply_kubeadm_files(
    topology: &mut Topology,
    configs: &[(&Origin, &KubeadmClusterConfiguration)],
    diags: &mut Diagnostics,
) {
    for (origin, config) in configs {
        set_kubeadm(topology, config, origin, "ClusterConfiguration", diags);
    }
}

/// `networking.{podSubnet,serviceSubnet}`, used when the Cluster document gives no kubeadm section.
fn set_kubeadm(
    topology: &mut Topology,
    config: &KubeadmClusterConfiguration,
    origin: &Origin,
    label: &str,
    diags: &mut Diagnostics,
) {
    let list = |s: &Option<String>| -> Vec<IpNetwork> {
        s.iter()
            .flat_map(|v| v.split(','))
            .filter_map(|c| c.trim().parse().ok())
            .collect()
    };
    let found = Kubeadm {
        pod_subnets: list(&config.networking.pod_subnet),
        service_subnets: list(&config.networking.service_subnet),
    };
    match &topology.kubeadm {
        None => topology.kubeadm = Some(found),
        Some(k) if *k != found => diags.push(
            Diagnostic::warning("this kubeadm configuration differs from the one already given (the Cluster document's spec.kubeadm wins)")
                .at(origin)
                .resource(label),
        ),
        Some(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_modes_are_case_insensitive_like_calico_node() {
        assert_eq!(env_encap("Always"), Some(EncapMode::Always));
        assert_eq!(env_encap("cross-subnet"), Some(EncapMode::CrossSubnet));
        assert_eq!(env_encap("off"), Some(EncapMode::Never));
        assert_eq!(env_encap("sometimes"), None);
    }

    #[test]
    fn versions_come_from_image_tags() {
        assert_eq!(
            image_version("docker.io/calico/node:v3.28.2"),
            CalicoVersion::parse("3.28.2")
        );
        assert_eq!(
            image_version("registry.local:5000/calico/node:v3.16.6"),
            CalicoVersion::parse("3.16.6")
        );
        assert_eq!(image_version("calico/node"), None);
    }
}
