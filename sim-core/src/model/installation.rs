//! The operator's `Installation` (operator.tigera.io/v1, v1.34 / Calico 3.28):
//! `spec.calicoNetwork` → pools, BGP on or off, MTU, node address autodetection.
//! Defaults as tigera/operator applies them (calico-semantics §6.2).

use crate::addressing::{parse_method, Method};
use crate::diag::Diagnostics;
use crate::scenario::{AutodetectionSpec, InstallationPool, InstallationSpec, IpPoolSpec};

use super::resolve::Located;
use super::validate_calico::pool_spec;
use super::validate_topology::Topology;
use super::{Backend, IpPool, PoolSource};

/// What an Installation contributes beyond the topology.
#[derive(Debug, Default)]
pub(super) struct OperatorSettings {
    /// The pools the operator creates (Some even when empty: then it creates none).
    pub pools: Option<Vec<IpPool>>,
    /// `calicoNetwork.mtu`: every tunnel and the pods' veths.
    pub mtu: Option<u32>,
    /// An Installation named `default` was given.
    pub present: bool,
}

/// `encapsulation` → (ipipMode, vxlanMode) of the IPPool the operator writes.
fn encapsulation(value: &str) -> Option<(&'static str, &'static str)> {
    Some(match value {
        "IPIP" => ("Always", "Never"),
        "IPIPCrossSubnet" => ("CrossSubnet", "Never"),
        "VXLAN" => ("Never", "Always"),
        "VXLANCrossSubnet" => ("Never", "CrossSubnet"),
        "None" => ("Never", "Never"),
        _ => return None,
    })
}

/// `nodeAddressAutodetectionV4` → calico-node's method; None when it is `{}` (disabled).
fn autodetection(spec: &AutodetectionSpec) -> Result<Option<Method>, String> {
    let mut methods = Vec::new();
    if spec.first_found == Some(true) {
        methods.push("first-found".to_string());
    }
    if let Some(k) = &spec.kubernetes {
        if k != "NodeInternalIP" {
            return Err(format!("kubernetes: `{k}` is not NodeInternalIP"));
        }
        methods.push("kubernetes-internal-ip".into());
    }
    if let Some(r) = &spec.interface {
        methods.push(format!("interface={r}"));
    }
    if let Some(r) = &spec.skip_interface {
        methods.push(format!("skip-interface={r}"));
    }
    if let Some(ip) = &spec.can_reach {
        methods.push(format!("can-reach={ip}"));
    }
    if let Some(cidrs) = &spec.cidrs {
        methods.push(format!("cidr={}", cidrs.join(",")));
    }
    match methods.as_slice() {
        [] => Ok(None),
        [one] => parse_method(one).map(Some).map_err(|e| e.to_string()),
        _ => Err("only one autodetection method may be set".into()),
    }
}

fn as_pool_spec(p: &InstallationPool, modes: (&str, &str)) -> IpPoolSpec {
    IpPoolSpec {
        cidr: p.cidr.clone(),
        block_size: p.block_size,
        ipip_mode: Some(modes.0.to_string()),
        vxlan_mode: Some(modes.1.to_string()),
        nat_outgoing: Some(p.nat_outgoing.as_deref() != Some("Disabled")),
        disabled: None,
        disable_bgp_export: p.disable_bgp_export,
        node_selector: Some(p.node_selector.clone().unwrap_or_else(|| "all()".into())),
        allowed_uses: p.allowed_uses.clone(),
        extra: Default::default(),
    }
}

pub(super) fn apply(
    topology: &mut Topology,
    installs: &[Located<'_, InstallationSpec>],
    diags: &mut Diagnostics,
) -> OperatorSettings {
    let mut out = OperatorSettings::default();
    let Some(inst) = installs
        .iter()
        .find(|i| i.resource.metadata.name == "default")
    else {
        for i in installs {
            diags.push(i.warning("metadata.name", "the operator only reconciles the Installation named `default`; this one is ignored"));
        }
        return out;
    };
    out.present = true;
    let Some(net) = inst
        .resource
        .spec
        .as_ref()
        .and_then(|s| s.calico_network.as_ref())
    else {
        return out;
    };
    match net.bgp.as_deref() {
        None | Some("Enabled") => topology.backend = Backend::Bird,
        // Without BGP the operator runs calico-node with no BIRD: Felix's VXLAN routes only.
        Some("Disabled") => topology.backend = Backend::Vxlan,
        Some(other) => diags.push(inst.error(
            "spec.calicoNetwork.bgp",
            format!("`{other}` is not Enabled or Disabled"),
        )),
    }
    if let Some(a) = &net.node_address_autodetection_v4 {
        match autodetection(a) {
            Ok(Some(m)) => topology.ip_autodetection = m,
            Ok(None) => topology.ip_autodetection_disabled = true,
            Err(e) => diags.push(inst.error("spec.calicoNetwork.nodeAddressAutodetectionV4", e)),
        }
    }
    if let Some(m) = net.mtu {
        match u32::try_from(m) {
            Ok(m) if (576..=65535).contains(&m) => out.mtu = Some(m),
            _ => diags.push(inst.error(
                "spec.calicoNetwork.mtu",
                format!("MTU {m} is outside 576..65535"),
            )),
        }
    }
    if let Some(pools) = &net.ip_pools {
        let mut made = Vec::new();
        for (i, p) in pools.iter().enumerate() {
            let prefix = format!("spec.calicoNetwork.ipPools[{i}]");
            let modes = match encapsulation(p.encapsulation.as_deref().unwrap_or("IPIP")) {
                Some(m) => m,
                None => {
                    let e = p.encapsulation.as_deref().unwrap_or("");
                    diags.push(inst.error(
                        &format!("{prefix}.encapsulation"),
                        format!(
                            "`{e}` is not IPIP, IPIPCrossSubnet, VXLAN, VXLANCrossSubnet or None"
                        ),
                    ));
                    continue;
                }
            };
            let v6 = p.cidr.contains(':');
            let name = p.name.clone().unwrap_or_else(|| {
                if v6 {
                    "default-ipv6-ippool"
                } else {
                    "default-ipv4-ippool"
                }
                .into()
            });
            if let Some(mut pool) = pool_spec(&name, &as_pool_spec(p, modes), inst, &prefix, diags)
            {
                pool.source = PoolSource::Installation;
                made.push(pool);
            }
        }
        out.pools = Some(made);
    }
    out
}
