//! Validates the `projectcalico.org/v3` resources with Calico's own rules and messages
//! (libcalico-go validator and clientv3, v3.28), and joins them to the topology.

use core::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::collections::BTreeMap;

use ipnetwork::{IpNetwork, Ipv4Network};
use serde_json::Value;

use crate::diag::Diagnostics;
use crate::scenario::{BgpConfigurationSpec, CalicoNodeSpec, CidrEntry, IpPoolSpec};
use crate::selector::Selector;

use super::resolve::{check_unique_names, ByKind, Located};
use super::validate_topology::Topology;
use super::{
    BgpConfig, BgpPeer, EncapMode, IpPool, IpReservation, IpamConfig, NodeBgpOverride, NodeId,
};
use super::{FelixConfig, FelixMtus, PoolSource, WrittenBgpConfig, WrittenPeer};

pub(super) struct CalicoResources {
    pub pools: Vec<IpPool>,
    pub reservations: Vec<IpReservation>,
    pub ipam_config: IpamConfig,
    pub bgp: BgpConfig,
    pub bgp_node_overrides: BTreeMap<NodeId, BgpConfig>,
    pub bgp_peers: Vec<BgpPeer>,
    pub bgp_config_resources: Vec<WrittenBgpConfig>,
    pub felix: FelixConfig,
}

pub(super) fn validate(
    topology: &mut Topology,
    all: &ByKind<'_>,
    diags: &mut Diagnostics,
) -> CalicoResources {
    check_unique_names(&all.pools, diags);
    let mut pools: Vec<IpPool> = all.pools.iter().filter_map(|p| pool(p, diags)).collect();
    pools.sort_by(|a, b| a.name.cmp(&b.name));
    check_overlaps(&pools, all, diags);

    check_unique_names(&all.reservations, diags);
    let reservations = all
        .reservations
        .iter()
        .map(|r| reservation(r, diags))
        .collect();

    let ipam_config = ipam_config(all, diags);
    let (bgp, bgp_node_overrides) = bgp_configs(topology, all, diags);
    check_unique_names(&all.bgp_peers, diags);
    let bgp_peers = all
        .bgp_peers
        .iter()
        .filter_map(|p| bgp_peer(p, topology, diags))
        .collect();
    apply_calico_nodes(topology, all, diags);
    let felix = felix_configs(topology, all, diags);
    CalicoResources {
        pools,
        reservations,
        ipam_config,
        bgp,
        bgp_node_overrides,
        bgp_peers,
        bgp_config_resources: written_bgp_configs(all),
        felix,
    }
}

/// Parses `Never` / `Always` / `CrossSubnet` exactly as the v3 API accepts them.
fn encap_mode(value: Option<&str>) -> Result<EncapMode, String> {
    match value.unwrap_or("") {
        "" | "Never" => Ok(EncapMode::Never),
        "Always" => Ok(EncapMode::Always),
        "CrossSubnet" => Ok(EncapMode::CrossSubnet),
        other => Err(format!(
            "`{other}` is not one of Never, Always, CrossSubnet"
        )),
    }
}

pub(super) fn parse_selector(
    text: Option<&str>,
    field: &str,
    at: &Located<'_, impl Sized>,
    diags: &mut Diagnostics,
) -> Selector {
    match Selector::parse(text.unwrap_or("")) {
        Ok(s) => s,
        Err(e) => {
            diags.push(at.error(
                field,
                format!("invalid selector `{}`: {e}", text.unwrap_or("")),
            ));
            Selector::parse("all()").expect("all() parses")
        }
    }
}

fn pool(p: &Located<'_, IpPoolSpec>, diags: &mut Diagnostics) -> Option<IpPool> {
    let Some(spec) = &p.resource.spec else {
        diags.push(p.error("spec", "an IPPool needs a spec with a cidr"));
        return None;
    };
    pool_spec(&p.resource.metadata.name, spec, p, "spec", diags)
}

/// Validates one pool's settings, written in `at` under the field path `prefix`
/// (an IPPool's `spec`, or an Installation's `spec.calicoNetwork.ipPools[i]`).
pub(super) fn pool_spec<S>(
    name: &str,
    spec: &IpPoolSpec,
    at: &Located<'_, S>,
    prefix: &str,
    diags: &mut Diagnostics,
) -> Option<IpPool> {
    let errors_before = diags.errors().count();
    let cidr = match spec.cidr.parse::<IpNetwork>() {
        Ok(c) => c,
        Err(_) => {
            diags.push(at.error(
                &format!("{prefix}.cidr"),
                format!("`{}` is not a CIDR", spec.cidr),
            ));
            return None;
        }
    };
    if cidr.network() != cidr.ip() {
        diags.push(at.error(
            &format!("{prefix}.cidr"),
            format!(
                "IPPool CIDR is not strictly masked: `{}` (did you mean {}/{}?)",
                spec.cidr,
                cidr.network(),
                cidr.prefix()
            ),
        ));
    }
    let link_local: IpNetwork = if cidr.is_ipv4() {
        "169.254.0.0/16"
    } else {
        "fe80::/10"
    }
    .parse()
    .expect("constant CIDR");
    if overlaps(&cidr, &link_local) {
        diags.push(at.error(
            &format!("{prefix}.cidr"),
            format!("IP pool range overlaps with the link-local range {link_local}"),
        ));
    }
    let (min, max, default) = if cidr.is_ipv4() {
        (20, 32, 26)
    } else {
        (116, 128, 122)
    };
    let block_size = spec.block_size.unwrap_or(default);
    if !(min..=max).contains(&block_size) {
        let family = if cidr.is_ipv4() { "IPv4" } else { "IPv6" };
        diags.push(at.error(
            &format!("{prefix}.blockSize"),
            format!("{family} block size must be between {min} and {max}"),
        ));
    }
    let disabled = spec.disabled.unwrap_or(false);
    if !disabled && i64::from(cidr.prefix()) > block_size {
        diags.push(at.error(
            &format!("{prefix}.cidr"),
            "IP pool size is too small for use with Calico IPAM. It must be equal to or greater than the block size.",
        ));
    }
    let ipip_mode = encap_mode(spec.ipip_mode.as_deref()).unwrap_or_else(|m| {
        diags.push(at.error(&format!("{prefix}.ipipMode"), m));
        EncapMode::Never
    });
    let vxlan_mode = encap_mode(spec.vxlan_mode.as_deref()).unwrap_or_else(|m| {
        diags.push(at.error(&format!("{prefix}.vxlanMode"), m));
        EncapMode::Never
    });
    if ipip_mode.is_enabled() && vxlan_mode.is_enabled() {
        diags.push(at.error(
            prefix,
            "Cannot enable both VXLAN and IPIP on the same IPPool",
        ));
    }
    if cidr.is_ipv6() && ipip_mode.is_enabled() {
        diags.push(at.error(
            &format!("{prefix}.ipipMode"),
            "IPIP is not supported on an IPv6 IP pool",
        ));
    }
    let node_selector = parse_selector(
        spec.node_selector.as_deref(),
        &format!("{prefix}.nodeSelector"),
        at,
        diags,
    );
    let (mut allows_workloads, mut allows_tunnels) = (true, true);
    if let Some(uses) = &spec.allowed_uses {
        allows_workloads = false;
        allows_tunnels = false;
        for (i, u) in uses.iter().enumerate() {
            match u.as_str() {
                "Workload" => allows_workloads = true,
                "Tunnel" => allows_tunnels = true,
                other => diags.push(at.error(
                    &format!("{prefix}.allowedUses[{i}]"),
                    format!("`{other}` is not Workload or Tunnel"),
                )),
            }
        }
    }
    if diags.errors().count() > errors_before {
        return None;
    }
    Some(IpPool {
        name: name.to_string(),
        cidr,
        block_size: block_size as u8,
        ipip_mode,
        vxlan_mode,
        nat_outgoing: spec.nat_outgoing.unwrap_or(false),
        disabled,
        disable_bgp_export: spec.disable_bgp_export.unwrap_or(false),
        node_selector,
        allows_workloads,
        allows_tunnels,
        source: PoolSource::Resource,
    })
}

pub(super) use super::overlaps_networks as overlaps;

fn check_overlaps(pools: &[IpPool], all: &ByKind<'_>, diags: &mut Diagnostics) {
    for (i, a) in pools.iter().enumerate() {
        for b in &pools[i + 1..] {
            if overlaps(&a.cidr, &b.cidr) {
                let at = all
                    .pools
                    .iter()
                    .find(|p| p.resource.metadata.name == b.name)
                    .expect("pool came from a document");
                diags.push(at.error(
                    "spec.cidr",
                    format!("{} overlaps with IPPool[{}] ({})", b.cidr, a.name, a.cidr),
                ));
            }
        }
    }
}

/// The operator's kubeadm check: every pool must lie inside a podSubnet of its family.
pub(super) fn check_pools_in_pod_subnet(
    pools: &[IpPool],
    topology: &Topology,
    all: &ByKind<'_>,
    diags: &mut Diagnostics,
) {
    let Some(kubeadm) = &topology.kubeadm else {
        return;
    };
    for pool in pools {
        let same_family: Vec<&IpNetwork> = kubeadm
            .pod_subnets
            .iter()
            .filter(|s| s.is_ipv4() == pool.cidr.is_ipv4())
            .collect();
        let inside = same_family
            .iter()
            .any(|s| s.prefix() <= pool.cidr.prefix() && s.contains(pool.cidr.network()));
        if same_family.is_empty() || inside {
            continue;
        }
        let list: Vec<String> = same_family.iter().map(|s| s.to_string()).collect();
        let message = format!(
            "Could not resolve CalicoNetwork IPPool and kubeadm configuration: IPPool {} is not within the platform's configured pod network CIDR(s) [{}]",
            pool.cidr,
            list.join(" ")
        );
        let hint = "make the pool's cidr (CALICO_IPV4POOL_CIDR / Installation ipPools[].cidr) lie inside kubeadm's podSubnet";
        let resource = all
            .pools
            .iter()
            .find(|p| p.resource.metadata.name == pool.name);
        let installation = all
            .installations
            .iter()
            .find(|i| i.resource.metadata.name == "default");
        let diag = match (pool.source, resource, installation) {
            // calicoctl and the API server accept it (only the operator compares pools with
            // kubeadm): the cluster runs with it, kube-proxy's clusterCIDR does not cover it.
            (PoolSource::Resource, Some(doc), _) => doc.warning(
                "spec.cidr",
                format!(
                    "IPPool {} is not within kubeadm's pod network CIDR(s) [{}]: Calico accepts it, but kube-proxy's cluster CIDR (the podSubnet) does not cover its pods",
                    pool.cidr,
                    list.join(" ")
                ),
            ),
            // The operator refuses it: its reconcile is degraded with exactly this message.
            (PoolSource::Installation, _, Some(inst)) => inst.error("spec.calicoNetwork.ipPools", message),
            // calico-node created it from CALICO_IPV4POOL_CIDR: the cluster runs with it, so
            // it is a finding to fix, not input calisim must refuse.
            _ => crate::diag::Diagnostic::warning(format!(
                "{message} (the default pool calico-node creates from CALICO_IPV4POOL_CIDR; the operator would refuse it)"
            ))
            .resource(format!("IPPool[{}]", pool.name))
            .field("spec.cidr"),
        };
        diags.push(diag.hint(hint));
    }
}

fn reservation(
    r: &Located<'_, crate::scenario::IpReservationSpec>,
    diags: &mut Diagnostics,
) -> IpReservation {
    let mut cidrs = Vec::new();
    for (i, c) in r
        .resource
        .spec
        .iter()
        .flat_map(|s| s.reserved_cidrs.iter())
        .enumerate()
    {
        match c.parse::<IpNetwork>() {
            Ok(net) => {
                cidrs.push(IpNetwork::new(net.network(), net.prefix()).expect("valid prefix"))
            }
            Err(_) => diags.push(r.error(
                &format!("spec.reservedCIDRs[{i}]"),
                format!("`{c}` is not a CIDR or IP address"),
            )),
        }
    }
    IpReservation {
        name: r.resource.metadata.name.clone(),
        cidrs,
    }
}

fn ipam_config(all: &ByKind<'_>, diags: &mut Diagnostics) -> IpamConfig {
    let mut config = IpamConfig::default();
    for (i, c) in all.ipam_configs.iter().enumerate() {
        if c.resource.metadata.name != "default" {
            diags.push(c.error(
                "metadata.name",
                "the IPAM configuration is a singleton named `default`",
            ));
        }
        if i > 0 {
            diags.push(c.error("", "only one IPAMConfiguration may be given"));
            continue;
        }
        let Some(spec) = &c.resource.spec else {
            continue;
        };
        config.strict_affinity = spec.strict_affinity.unwrap_or(false);
        config.auto_allocate_blocks = spec.auto_allocate_blocks.unwrap_or(true);
        match spec.max_blocks_per_host.map(u32::try_from) {
            None => {}
            Some(Ok(n)) if n <= i32::MAX as u32 => config.max_blocks_per_host = n,
            Some(_) => {
                diags.push(c.error("spec.maxBlocksPerHost", "must be between 0 and 2147483647"))
            }
        }
    }
    config
}

/// An AS number as Calico's numorstring.ASNumber accepts it: `64512` or asdot `1.10`.
pub(super) fn as_number(v: &Value) -> Result<u32, String> {
    let parsed = match v {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => match s.split_once('.') {
            Some((hi, lo)) => match (hi.parse::<u16>(), lo.parse::<u16>()) {
                (Ok(hi), Ok(lo)) => Some((u32::from(hi) << 16) | u32::from(lo)),
                _ => None,
            },
            None => s.parse().ok(),
        },
        _ => None,
    };
    parsed.ok_or_else(|| {
        format!(
            "`{}` is not an AS number (0-4294967295 or asdot a.b)",
            value_text(v)
        )
    })
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn cidr_list(
    entries: &[CidrEntry],
    field: &str,
    at: &Located<'_, BgpConfigurationSpec>,
    diags: &mut Diagnostics,
) -> Vec<IpNetwork> {
    entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            e.cidr
                .parse::<IpNetwork>()
                .map_err(|_| {
                    diags.push(at.error(
                        &format!("{field}[{i}].cidr"),
                        format!("`{}` is not a CIDR", e.cidr),
                    ))
                })
                .ok()
        })
        .collect()
}

fn bgp_config(
    c: &Located<'_, BgpConfigurationSpec>,
    base: &BgpConfig,
    diags: &mut Diagnostics,
) -> BgpConfig {
    let mut out = base.clone();
    let Some(spec) = &c.resource.spec else {
        return out;
    };
    if let Some(v) = &spec.as_number {
        match as_number(v) {
            Ok(n) => out.as_number = n,
            Err(m) => diags.push(c.error("spec.asNumber", m)),
        }
    }
    if let Some(m) = spec.node_to_node_mesh_enabled {
        out.node_to_node_mesh = m;
    }
    if let Some(p) = spec.listen_port {
        match u16::try_from(p) {
            Ok(p) if p > 0 => out.listen_port = p,
            _ => diags.push(c.error("spec.listenPort", format!("{p} is not a TCP port"))),
        }
    }
    out.service_cluster_ips = cidr_list(
        &spec.service_cluster_ips,
        "spec.serviceClusterIPs",
        c,
        diags,
    );
    out.service_external_ips = cidr_list(
        &spec.service_external_ips,
        "spec.serviceExternalIPs",
        c,
        diags,
    );
    out.service_load_balancer_ips = cidr_list(
        &spec.service_load_balancer_ips,
        "spec.serviceLoadBalancerIPs",
        c,
        diags,
    );
    out
}

fn bgp_configs(
    topology: &Topology,
    all: &ByKind<'_>,
    diags: &mut Diagnostics,
) -> (BgpConfig, BTreeMap<NodeId, BgpConfig>) {
    check_unique_names(&all.bgp_configs, diags);
    let global = all
        .bgp_configs
        .iter()
        .find(|c| c.resource.metadata.name == "default")
        .map(|c| bgp_config(c, &BgpConfig::default(), diags))
        .unwrap_or_default();
    let mut per_node = BTreeMap::new();
    for c in &all.bgp_configs {
        let name = &c.resource.metadata.name;
        if name == "default" {
            continue;
        }
        match name.strip_prefix("node.") {
            Some(node) => match topology.nodes.iter().position(|n| n.name == node) {
                Some(id) => {
                    per_node.insert(id, bgp_config(c, &global, diags));
                }
                None => diags.push(c.error("metadata.name", format!("no node `{node}` in the Cluster"))),
            },
            None => diags.push(c.warning("metadata.name", "Calico only reads the BGPConfiguration named `default` and `node.<nodename>` ones; this one is ignored")),
        }
    }
    (global, per_node)
}

/// `peerIP` as Calico accepts it: `IP`, `IP:port` or `[IPv6]:port`.
fn peer_address(text: &str) -> Option<(IpAddr, Option<u16>)> {
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some((ip, None));
    }
    text.parse::<SocketAddr>()
        .ok()
        .map(|s| (s.ip(), Some(s.port())))
}

fn bgp_peer(
    p: &Located<'_, crate::scenario::BgpPeerSpec>,
    topology: &Topology,
    diags: &mut Diagnostics,
) -> Option<BgpPeer> {
    let Some(spec) = &p.resource.spec else {
        diags.push(p.error("spec", "a BGPPeer needs a spec with peerIP or peerSelector"));
        return None;
    };
    let node = spec.node.as_deref().and_then(|n| {
        let found = topology.nodes.iter().position(|x| x.name == n);
        if found.is_none() {
            diags.push(p.error("spec.node", format!("unknown node `{n}`")));
        }
        found
    });
    if spec.node.is_some() && spec.node_selector.is_some() {
        diags.push(p.error("spec", "node and nodeSelector cannot both be set"));
    }
    let (peer_ip, peer_port) = match spec.peer_ip.as_deref() {
        None => (None, None),
        Some(text) => match peer_address(text) {
            Some((ip, port)) => (Some(ip), port),
            None => {
                diags.push(p.error(
                    "spec.peerIP",
                    format!("`{text}` is not an IP address or IP:port"),
                ));
                (None, None)
            }
        },
    };
    match (&spec.peer_ip, &spec.peer_selector) {
        (None, None) => {
            diags.push(p.error("spec", "a BGPPeer needs spec.peerIP or spec.peerSelector"))
        }
        (Some(_), Some(_)) => {
            diags.push(p.error("spec", "peerIP and peerSelector cannot both be set"))
        }
        _ => {}
    }
    let as_number = spec.as_number.as_ref().and_then(|v| {
        as_number(v)
            .map_err(|m| diags.push(p.error("spec.asNumber", m)))
            .ok()
    });
    let node_selector = spec
        .node_selector
        .as_deref()
        .map(|s| parse_selector(Some(s), "spec.nodeSelector", p, diags));
    let peer_selector = spec
        .peer_selector
        .as_deref()
        .map(|s| parse_selector(Some(s), "spec.peerSelector", p, diags));
    Some(BgpPeer {
        name: p.resource.metadata.name.clone(),
        node,
        node_selector,
        peer_ip,
        peer_port,
        as_number,
        peer_selector,
        keep_original_next_hop: spec.keep_original_next_hop.unwrap_or(false),
        written: WrittenPeer {
            node: spec.node.clone().unwrap_or_default(),
            peer_ip: spec.peer_ip.clone().unwrap_or_default(),
            node_selector: spec.node_selector.clone().unwrap_or_default(),
        },
    })
}

/// The BGPConfiguration resources as written, in name order.
fn written_bgp_configs(all: &ByKind<'_>) -> Vec<WrittenBgpConfig> {
    let mut out: Vec<WrittenBgpConfig> = all
        .bgp_configs
        .iter()
        .map(|c| {
            let spec = c.resource.spec.as_ref();
            WrittenBgpConfig {
                name: c.resource.metadata.name.clone(),
                log_severity_screen: spec.and_then(|s| s.log_severity_screen.clone()),
                node_to_node_mesh_enabled: spec.and_then(|s| s.node_to_node_mesh_enabled),
                as_number: spec
                    .and_then(|s| s.as_number.as_ref())
                    .and_then(|v| as_number(v).ok()),
            }
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn apply_calico_nodes(topology: &mut Topology, all: &ByKind<'_>, diags: &mut Diagnostics) {
    check_unique_names(&all.calico_nodes, diags);
    for c in &all.calico_nodes {
        let name = &c.resource.metadata.name;
        let Some(id) = topology.nodes.iter().position(|n| &n.name == name) else {
            diags.push(c.error(
                "metadata.name",
                format!("no node `{name}` in the Cluster's spec.nodes"),
            ));
            continue;
        };
        let empty = CalicoNodeSpec::default();
        let spec = c.resource.spec.as_ref().unwrap_or(&empty);
        if spec.ipv4_vxlan_tunnel_addr.is_some() {
            diags.push(c.warning("spec.ipv4VXLANTunnelAddr", "tunnel addresses are allocated by calisim's IPAM as calico-node does; the value given is ignored"));
        }
        let node = &mut topology.nodes[id];
        node.labels.extend(c.resource.metadata.labels.iter());
        let Some(bgp) = &spec.bgp else { continue };
        let mut over = NodeBgpOverride::default();
        if let Some(text) = &bgp.ipv4_address {
            over.ipv4_address = node_address(text, node).or_else(|| {
                diags.push(c.error(
                    "spec.bgp.ipv4Address",
                    format!("`{text}` is not an IPv4 address or CIDR like 192.168.61.61/24"),
                ));
                None
            });
        }
        if let Some(v) = &bgp.as_number {
            over.as_number = as_number(v)
                .map_err(|m| diags.push(c.error("spec.bgp.asNumber", m)))
                .ok();
        }
        if let Some(id) = &bgp.route_reflector_cluster_id {
            over.route_reflector_cluster_id = id
                .parse::<Ipv4Addr>()
                .map_err(|_| {
                    diags.push(c.error(
                        "spec.bgp.routeReflectorClusterID",
                        format!("`{id}` is not in IPv4 form (e.g. 244.0.0.1)"),
                    ))
                })
                .ok();
        }
        if bgp.ipv4_ipip_tunnel_addr.is_some() {
            diags.push(c.warning("spec.bgp.ipv4IPIPTunnelAddr", "tunnel addresses are allocated by calisim's IPAM as calico-node does; the value given is ignored"));
        }
        node.bgp = over;
    }
}

/// `10.0.0.5/24`, or a bare IP which takes the prefix of the node interface holding it.
fn node_address(text: &str, node: &super::Node) -> Option<Ipv4Network> {
    if let Ok(net) = text.parse::<Ipv4Network>() {
        if text.contains('/') {
            return Some(net);
        }
        let prefix = node
            .interfaces
            .iter()
            .find(|f| f.address == net.ip())
            .map_or(32, |f| f.prefix);
        return Ipv4Network::new(net.ip(), prefix).ok();
    }
    None
}

fn felix_configs(topology: &Topology, all: &ByKind<'_>, diags: &mut Diagnostics) -> FelixConfig {
    check_unique_names(&all.felix_configs, diags);
    let mut config = FelixConfig::default();
    for c in &all.felix_configs {
        let Some(spec) = &c.resource.spec else {
            continue;
        };
        let mut mtu = |field: &str, v: Option<i64>| match v {
            None | Some(0) => None,
            Some(m) if (576..=65535).contains(&m) => Some(m as u32),
            Some(m) => {
                diags.push(c.error(field, format!("MTU {m} is outside 576..65535")));
                None
            }
        };
        let mtus = FelixMtus {
            ipip: mtu("spec.ipipMTU", spec.ipip_mtu),
            vxlan: mtu("spec.vxlanMTU", spec.vxlan_mtu),
            vxlan_v6: mtu("spec.vxlanMTUV6", spec.vxlan_mtu_v6),
            wireguard: mtu("spec.wireguardMTU", spec.wireguard_mtu),
            wireguard_v6: mtu("spec.wireguardMTUV6", spec.wireguard_mtu_v6),
        };
        let name = &c.resource.metadata.name;
        match name.strip_prefix("node.") {
            _ if name == "default" => config.global = mtus,
            Some(node) => match topology.nodes.iter().position(|n| n.name == node) {
                Some(id) => {
                    config.per_node.insert(id, mtus);
                }
                None => diags.push(c.error("metadata.name", format!("no node `{node}` in the Cluster"))),
            },
            None => diags.push(c.warning("metadata.name", "Felix only reads the FelixConfiguration named `default` and `node.<nodename>` ones; this one is ignored")),
        }
    }
    config
}
