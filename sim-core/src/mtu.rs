//! MTU layer: Felix's host, tunnel and pod MTU rules; pure (the host's links are passed in, nothing is read).
//!
//! Source: `felix/dataplane/linux/int_dataplane.go` at v3.28 (`findHostMTU`,
//! `ConfigureDefaultMTUs`, `determinePodMTU`), `felix/config/config_params.go`
//! (`MTUIfacePattern`; v3.16 static defaults at tag `v3.16.10-felix`).
//!
//! * v3.17+: host MTU = smallest MTU of the oper-up links whose name matches `MTUIfacePattern`
//!   (1460 if none); every tunnel MTU not configured (0) is host MTU − overhead; pod MTU = smallest
//!   MTU among the *enabled* encapsulations, or the host MTU when none is enabled.
//! * v3.16: no detection; fixed defaults IPIP 1440, VXLAN 1410, WireGuard 1420.

/// Bytes each encapsulation adds (Felix's `*MTUOverhead` constants).
pub struct Overheads;

impl Overheads {
    /// Outer IPv4 header.
    pub const IPIP: u32 = 20;
    /// Outer IPv4 + UDP + VXLAN + inner Ethernet.
    pub const VXLAN_V4: u32 = 50;
    /// Outer IPv6 + UDP + VXLAN + inner Ethernet.
    pub const VXLAN_V6: u32 = 70;
    /// Outer IPv4 + UDP + WireGuard.
    pub const WIREGUARD_V4: u32 = 60;
    /// Outer IPv6 + UDP + WireGuard.
    pub const WIREGUARD_V6: u32 = 80;
    /// Extra WireGuard overhead Felix applies on AKS with host encryption on (not modelled by
    /// [`TunnelMtus::auto`]).
    pub const AKS_WIREGUARD_HOST_ENCRYPTION_EXTRA: u32 = 100;
}

/// Host MTU Felix assumes when no link matches `MTUIfacePattern` (the smallest common cloud MTU).
pub const FALLBACK_HOST_MTU: u32 = 1460;

/// Felix's host MTU: the smallest MTU among `links` (name, MTU) whose name matches v3.28's
/// `MTUIfacePattern` (see [`matches_mtu_iface_pattern`]); [`FALLBACK_HOST_MTU`] if none does.
///
/// Pass only oper-up links: Felix skips links that are down. A link with MTU 0 is ignored, as
/// Felix's "smallest == 0 means none yet" bookkeeping does.
pub fn host_mtu(links: &[(&str, u32)]) -> u32 {
    links
        .iter()
        .filter(|(name, mtu)| *mtu != 0 && matches_mtu_iface_pattern(name))
        .map(|&(_, mtu)| mtu)
        .min()
        .unwrap_or(FALLBACK_HOST_MTU)
}

/// v3.28's `MTUIfacePattern` `^((en|wl|ww|sl|ib)[Pcopsvx].*|(eth|wlan|wwan).*)`, unanchored at
/// the end: the name starts with `en`/`wl`/`ww`/`sl`/`ib` followed by one of `P c o p s v x`, or
/// starts with `eth`/`wlan`/`wwan`. (v3.17 had `[opsx]` in place of `[Pcopsvx]`.)
pub fn matches_mtu_iface_pattern(name: &str) -> bool {
    let b = name.as_bytes();
    let predictable = b.len() >= 3
        && matches!(&b[..2], b"en" | b"wl" | b"ww" | b"sl" | b"ib")
        && b"Pcopsvx".contains(&b[2]);
    predictable || ["eth", "wlan", "wwan"].iter().any(|p| name.starts_with(p))
}

/// Configured tunnel MTUs (`FELIX_IPINIPMTU`, `FELIX_VXLANMTU`, `FELIX_VXLANMTUV6`,
/// `FELIX_WIREGUARDMTU`, `FELIX_WIREGUARDMTUV6`). `None` and `Some(0)` both mean "not set".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct MtuOverrides {
    pub ipip: Option<u32>,
    pub vxlan: Option<u32>,
    pub vxlan_v6: Option<u32>,
    pub wireguard: Option<u32>,
    pub wireguard_v6: Option<u32>,
}

/// The MTU Felix gives each tunnel device (`tunl0`, `vxlan.calico`, `vxlan-v6.calico`,
/// `wireguard.cali`, `wg-v6.cali`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TunnelMtus {
    pub ipip: u32,
    pub vxlan: u32,
    pub vxlan_v6: u32,
    pub wireguard: u32,
    pub wireguard_v6: u32,
}

/// `Some(n)` with `n != 0`, i.e. an override Felix honours.
fn set(v: Option<u32>) -> Option<u32> {
    v.filter(|&n| n != 0)
}

impl TunnelMtus {
    /// v3.17+ (`ConfigureDefaultMTUs`): each tunnel MTU is its override if non-zero, else
    /// `host_mtu` − its overhead (saturating at 0 where Go would go negative). The AKS
    /// WireGuard-host-encryption case is not modelled. For 1500: IPIP 1480, VXLAN 1450/1430,
    /// WireGuard 1440/1420.
    pub fn auto(host_mtu: u32, overrides: &MtuOverrides) -> Self {
        let pick =
            |o: Option<u32>, overhead: u32| set(o).unwrap_or(host_mtu.saturating_sub(overhead));
        TunnelMtus {
            ipip: pick(overrides.ipip, Overheads::IPIP),
            vxlan: pick(overrides.vxlan, Overheads::VXLAN_V4),
            vxlan_v6: pick(overrides.vxlan_v6, Overheads::VXLAN_V6),
            wireguard: pick(overrides.wireguard, Overheads::WIREGUARD_V4),
            wireguard_v6: pick(overrides.wireguard_v6, Overheads::WIREGUARD_V6),
        }
    }

    /// v3.16: no host detection; each tunnel MTU is its override if non-zero (Felix's
    /// `non-zero` config params), else the fixed default `IpInIpMtu` 1440, `VXLANMTU` 1410,
    /// `WireguardMTU` 1420.
    ///
    /// Choice: v3.16 Felix had no IPv6 VXLAN or IPv6 WireGuard MTU parameters, so the v6 fields
    /// default to the v4 values (VXLAN v6 1410, WireGuard v6 1420); `vxlan_v6`/`wireguard_v6`
    /// overrides still apply, so a model that enables them can choose its own value.
    pub fn v3_16(overrides: &MtuOverrides) -> Self {
        TunnelMtus {
            ipip: set(overrides.ipip).unwrap_or(V3_16_IPIP_MTU),
            vxlan: set(overrides.vxlan).unwrap_or(V3_16_VXLAN_MTU),
            vxlan_v6: set(overrides.vxlan_v6).unwrap_or(V3_16_VXLAN_MTU),
            wireguard: set(overrides.wireguard).unwrap_or(V3_16_WIREGUARD_MTU),
            wireguard_v6: set(overrides.wireguard_v6).unwrap_or(V3_16_WIREGUARD_MTU),
        }
    }
}

/// v3.16 Felix default `IpInIpMtu`.
pub const V3_16_IPIP_MTU: u32 = 1440;
/// v3.16 Felix default `VXLANMTU`.
pub const V3_16_VXLAN_MTU: u32 = 1410;
/// v3.16 Felix default `WireguardMTU`.
pub const V3_16_WIREGUARD_MTU: u32 = 1420;

/// Which encapsulations are on for this node (Felix: IPIP, VXLAN v4/v6, WireGuard v4/v6 enabled).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EnabledEncaps {
    pub ipip: bool,
    pub vxlan: bool,
    pub vxlan_v6: bool,
    pub wireguard: bool,
    pub wireguard_v6: bool,
}

/// Felix's `determinePodMTU`: the smallest non-zero tunnel MTU among the enabled encapsulations;
/// `host_mtu` if none is enabled. (Felix only warns when the result exceeds the host MTU.)
///
/// In v3.16 the pod veth MTU came from the CNI config (`veth_mtu`, 1440 or 1410), which the
/// manifests set equal to the tunnel MTU; feeding [`TunnelMtus::v3_16`] here gives the same value
/// for the default manifests.
pub fn pod_mtu(host_mtu: u32, tunnels: &TunnelMtus, enabled: &EnabledEncaps) -> u32 {
    [
        (enabled.ipip, tunnels.ipip),
        (enabled.vxlan, tunnels.vxlan),
        (enabled.vxlan_v6, tunnels.vxlan_v6),
        (enabled.wireguard, tunnels.wireguard),
        (enabled.wireguard_v6, tunnels.wireguard_v6),
    ]
    .into_iter()
    .filter(|&(on, mtu)| on && mtu != 0)
    .map(|(_, mtu)| mtu)
    .min()
    .unwrap_or(host_mtu)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iface_pattern_by_hand() {
        for yes in [
            "eth0",
            "eth",
            "ens3",
            "ens192",
            "enp0s3",
            "eno1",
            "enx001122334455",
            "enP1p2s0",
            "enc600",
            "env1",
            "wlp2s0",
            "wlo1",
            "wwp0s20",
            "slp1",
            "ibp1s0",
            "wlan0",
            "wwan0",
            "eth0.100",
            "ethernet",
        ] {
            assert!(matches_mtu_iface_pattern(yes), "{yes} should match");
        }
        for no in [
            "",
            "e",
            "en",
            "lo",
            "docker0",
            "cali7f94ce7c295",
            "tunl0",
            "vxlan.calico",
            "wireguard.cali",
            "bond0",
            "br0",
            "veth1234",
            "enb1",
            "enS1",
            "ENs3",
            "Eth0",
            "wl",
            "wla",
            "xeth0",
            " eth0",
            "ib",
            "ibz0",
            "eta0",
            "wla0",
            "wwa",
            "et",
        ] {
            assert!(!matches_mtu_iface_pattern(no), "{no:?} should not match");
        }
        // [Pcopsvx] is case-sensitive and only these letters.
        for c in b'A'..=b'z' {
            let name = format!("en{}1", c as char);
            let want = b"Pcopsvx".contains(&c);
            assert_eq!(matches_mtu_iface_pattern(&name), want, "{name}");
        }
        // Non-ASCII third character never matches.
        assert!(!matches_mtu_iface_pattern("enä"));
    }

    #[test]
    fn host_mtu_smallest_matching_or_1460() {
        assert_eq!(host_mtu(&[]), 1460);
        assert_eq!(host_mtu(&[("lo", 65536), ("docker0", 1500)]), 1460);
        assert_eq!(host_mtu(&[("eth0", 1500)]), 1500);
        assert_eq!(
            host_mtu(&[("eth0", 9001), ("lo", 100), ("ens5", 1450), ("tunl0", 1480)]),
            1450
        );
        assert_eq!(host_mtu(&[("eth0", 0), ("eth1", 1400)]), 1400);
        assert_eq!(host_mtu(&[("eth0", 0)]), 1460);
    }

    #[test]
    fn auto_overrides_win_unless_zero() {
        let o = MtuOverrides {
            ipip: Some(1400),
            vxlan: Some(0),
            wireguard_v6: Some(1234),
            ..MtuOverrides::default()
        };
        let t = TunnelMtus::auto(1500, &o);
        assert_eq!(
            t,
            TunnelMtus {
                ipip: 1400,
                vxlan: 1450,
                vxlan_v6: 1430,
                wireguard: 1440,
                wireguard_v6: 1234,
            }
        );
        assert_eq!(TunnelMtus::auto(10, &MtuOverrides::default()).vxlan, 0);
    }

    #[test]
    fn v3_16_fixed_defaults() {
        let t = TunnelMtus::v3_16(&MtuOverrides::default());
        assert_eq!(
            t,
            TunnelMtus {
                ipip: 1440,
                vxlan: 1410,
                vxlan_v6: 1410,
                wireguard: 1420,
                wireguard_v6: 1420,
            }
        );
        let t = TunnelMtus::v3_16(&MtuOverrides {
            vxlan: Some(1350),
            ipip: Some(0),
            ..MtuOverrides::default()
        });
        assert_eq!((t.ipip, t.vxlan), (1440, 1350));
    }

    #[test]
    fn pod_mtu_min_over_enabled() {
        let t = TunnelMtus::auto(1500, &MtuOverrides::default());
        let none = EnabledEncaps::default();
        assert_eq!(pod_mtu(1500, &t, &none), 1500);
        let all = EnabledEncaps {
            ipip: true,
            vxlan: true,
            vxlan_v6: true,
            wireguard: true,
            wireguard_v6: true,
        };
        assert_eq!(pod_mtu(1500, &t, &all), 1420);
        let v6 = EnabledEncaps {
            vxlan_v6: true,
            ..none
        };
        assert_eq!(pod_mtu(1500, &t, &v6), 1430);
        // An enabled encapsulation with MTU 0 is skipped, like Felix.
        let zero = TunnelMtus { ipip: 0, ..t };
        let ipip = EnabledEncaps { ipip: true, ..none };
        assert_eq!(pod_mtu(1500, &zero, &ipip), 1500);
        // Larger than the host MTU is kept (Felix only warns).
        let big = TunnelMtus { ipip: 9000, ..t };
        assert_eq!(pod_mtu(1500, &big, &ipip), 9000);
    }
}
