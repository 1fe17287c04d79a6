//! Naming layer: the deterministic names and MACs Calico derives from names; pure (no I/O, no clock, no env).
//!
//! * host veth names (`libcalico-go/lib/backend/k8s/conversion/workload_endpoint_default.go`,
//!   `VethNameForWorkload`);
//! * VXLAN VTEP MACs (`felix/calc/vxlan_resolver.go`, `vtepMACForHost`) and the fixed host-side
//!   veth MAC (`cni-plugin/pkg/dataplane/linux/dataplane_linux.go`);
//! * WorkloadEndpoint resource names (`libcalico-go/lib/names/workloadendpoint.go`);
//! * tunnel-address IPAM handles (`node/pkg/allocateip/allocateip.go`,
//!   `generateHandleAndAttributes`).
//!
//! Environment lookups Calico does (`FELIX_INTERFACEPREFIX`) are inputs here: see
//! [`interface_prefix`].

use sha1::{Digest, Sha1};

/// Felix's default interface prefix (used when `FELIX_INTERFACEPREFIX` is unset or empty).
pub const DEFAULT_INTERFACE_PREFIX: &str = "cali";

/// MAC address of every host-side `cali…` veth: the CNI plugin forces `ee:ee:ee:ee:ee:ee`
/// (its IPv6 link-local address is `fe80::ecee:eeff:feee:eeee`).
pub const HOST_VETH_MAC: [u8; 6] = [0xee; 6];

/// IPAM attribute types of the tunnel addresses (`libcalico-go/lib/ipam`, `AttributeType*`).
pub const ATTR_TYPE_IPIP: &str = "ipipTunnelAddress";
/// See [`ATTR_TYPE_IPIP`].
pub const ATTR_TYPE_VXLAN: &str = "vxlanTunnelAddress";
/// See [`ATTR_TYPE_IPIP`].
pub const ATTR_TYPE_VXLAN_V6: &str = "vxlanV6TunnelAddress";
/// See [`ATTR_TYPE_IPIP`].
pub const ATTR_TYPE_WIREGUARD: &str = "wireguardTunnelAddress";
/// See [`ATTR_TYPE_IPIP`].
pub const ATTR_TYPE_WIREGUARD_V6: &str = "wireguardV6TunnelAddress";

/// The prefix `VethNameForWorkload` uses, given the value of `FELIX_INTERFACEPREFIX`
/// (pass `""` when unset): `"cali"` if empty, else its first comma-separated entry (taken as is,
/// so `",x"` gives `""`, as in Calico).
pub fn interface_prefix(felix_interface_prefix: &str) -> &str {
    if felix_interface_prefix.is_empty() {
        DEFAULT_INTERFACE_PREFIX
    } else {
        felix_interface_prefix
            .split(',')
            .next()
            .expect("split yields at least one item")
    }
}

/// Host-side veth name of a pod: `prefix` + the first 11 lowercase hex digits of
/// SHA1(`"<namespace>.<pod>"`). With prefix `cali`: `default`/`podA` → `cali7f94ce7c295`.
pub fn host_veth_name(prefix: &str, namespace: &str, pod: &str) -> String {
    let digest = Sha1::digest(format!("{namespace}.{pod}").as_bytes());
    let mut name = String::with_capacity(prefix.len() + 11);
    name.push_str(prefix);
    name.push_str(&hex(&digest)[..11]);
    name
}

/// Default MAC of a node's `vxlan.calico` device: `0x66` then the first 5 bytes of SHA1(node name).
/// Calico uses it only when `Node.spec.vxlanTunnelMACAddr` is unset.
/// `remotehostname` → `66:3e:ca:a4:db:65`.
pub fn vxlan_mac(node: &str) -> [u8; 6] {
    mac_from_name(node)
}

/// Default MAC of a node's `vxlan-v6.calico` device: like [`vxlan_mac`] over `"<node>-v6"`
/// (used when `Node.spec.vxlanTunnelMACAddrV6` is unset).
pub fn vxlan_v6_mac(node: &str) -> [u8; 6] {
    mac_from_name(&format!("{node}-v6"))
}

fn mac_from_name(name: &str) -> [u8; 6] {
    let digest = Sha1::digest(name.as_bytes());
    let mut mac = [0u8; 6];
    mac[0] = b'f'; // 0x66: locally administered, unicast
    mac[1..].copy_from_slice(&digest[..5]);
    mac
}

/// Go's `net.HardwareAddr.String()` for a 6-byte address: lowercase hex pairs joined by `:`.
pub fn format_mac(mac: &[u8; 6]) -> String {
    mac.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// WorkloadEndpoint resource name (`CalculateWorkloadEndpointName(false)`): the segments for the
/// orchestrator joined by `-`, each with its own `-` doubled:
///
/// | orchestrator | segments | `workload` is |
/// |---|---|---|
/// | `k8s` | node, `k8s`, pod, endpoint | the pod name |
/// | `cni` | node, `cni`, containerID, endpoint | the container ID |
/// | `libnetwork` | node, `libnetwork`, `libnetwork`, endpoint | ignored |
/// | other | node, orchestrator, workload, endpoint | the workload |
///
/// `node-1`, `k8s`, `pod-name`, `eth0` → `node--1-k8s-pod--name-eth0`.
///
/// Calico refuses (validation error) an empty segment or one that begins or ends with `-`; this
/// function does not check that and escapes such segments anyway. Callers pass validated names.
pub fn workload_endpoint_name(
    node: &str,
    orchestrator: &str,
    workload: &str,
    endpoint: &str,
) -> String {
    let third = match orchestrator {
        "libnetwork" => orchestrator,
        _ => workload,
    };
    [node, orchestrator, third, endpoint]
        .iter()
        .map(|s| s.replace('-', "--"))
        .collect::<Vec<_>>()
        .join("-")
}

/// IPAM handle of a node's tunnel address for an IPAM attribute type
/// (`ipipTunnelAddress` → `ipip-tunnel-addr-<node>`, `vxlanTunnelAddress`,
/// `vxlanV6TunnelAddress`, `wireguardTunnelAddress`, `wireguardV6TunnelAddress`);
/// `None` for any other type.
pub fn tunnel_handle(attribute_type: &str, node: &str) -> Option<String> {
    let kind = match attribute_type {
        ATTR_TYPE_IPIP => "ipip",
        ATTR_TYPE_VXLAN => "vxlan",
        ATTR_TYPE_VXLAN_V6 => "vxlan-v6",
        ATTR_TYPE_WIREGUARD => "wireguard",
        ATTR_TYPE_WIREGUARD_V6 => "wireguard-v6",
        _ => return None,
    };
    Some(format!("{kind}-tunnel-addr-{node}"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn veth_name_is_prefix_plus_11_hex_digits() {
        assert_eq!(host_veth_name("cali", "default", "podA"), "cali7f94ce7c295");
        let other = host_veth_name("tap", "default", "podA");
        assert_eq!(other, "tap7f94ce7c295");
        let name = host_veth_name("cali", "kube-system", "coredns-abc");
        assert_eq!(name.len(), 15, "IFNAMSIZ - 1");
        assert!(name[4..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    }

    #[test]
    fn veth_hash_covers_namespace_dot_pod() {
        // "a.b" + "c" and "a" + "b.c" hash the same string "a.b.c" — Calico's scheme collides too.
        assert_eq!(
            host_veth_name("cali", "a.b", "c"),
            host_veth_name("cali", "a", "b.c")
        );
        assert_ne!(
            host_veth_name("cali", "default", "podA"),
            host_veth_name("cali", "default", "podB")
        );
    }

    #[test]
    fn interface_prefix_follows_felix_env_rules() {
        assert_eq!(interface_prefix(""), "cali");
        assert_eq!(interface_prefix("cali"), "cali");
        assert_eq!(interface_prefix("tap,cali"), "tap");
        assert_eq!(interface_prefix(",cali"), "");
    }

    #[test]
    fn vxlan_macs() {
        assert_eq!(
            vxlan_mac("remotehostname"),
            [0x66, 0x3e, 0xca, 0xa4, 0xdb, 0x65]
        );
        assert_eq!(
            format_mac(&vxlan_v6_mac("remotehostname")),
            "66:a0:68:c9:4c:79"
        );
        assert_eq!(vxlan_v6_mac("n"), vxlan_mac("n-v6"));
        for node in ["a", "node-1", "x.example.com"] {
            let mac = vxlan_mac(node);
            assert_eq!(mac[0], 0x66);
            assert_eq!(mac[0] & 0x01, 0, "unicast");
            assert_eq!(mac[0] & 0x02, 0x02, "locally administered");
        }
    }

    #[test]
    fn format_mac_pads_and_lowercases() {
        assert_eq!(format_mac(&HOST_VETH_MAC), "ee:ee:ee:ee:ee:ee");
        assert_eq!(
            format_mac(&[0, 0x0a, 0xff, 1, 0x10, 0xAB]),
            "00:0a:ff:01:10:ab"
        );
    }

    #[test]
    fn wep_names() {
        assert_eq!(
            workload_endpoint_name("node-1", "k8s", "pod-name", "eth0"),
            "node--1-k8s-pod--name-eth0"
        );
        assert_eq!(
            workload_endpoint_name("n", "libnetwork", "ignored", "ep"),
            "n-libnetwork-libnetwork-ep"
        );
        // Other orchestrators: the orchestrator segment is escaped too.
        assert_eq!(
            workload_endpoint_name("n", "my-orch", "w-1", "e-2"),
            "n-my--orch-w--1-e--2"
        );
        assert_eq!(
            workload_endpoint_name("n", "cni", "abc", "eth0"),
            "n-cni-abc-eth0"
        );
    }

    #[test]
    fn tunnel_handles() {
        assert_eq!(
            tunnel_handle(ATTR_TYPE_IPIP, "n1").as_deref(),
            Some("ipip-tunnel-addr-n1")
        );
        assert_eq!(
            tunnel_handle(ATTR_TYPE_WIREGUARD_V6, "n-2").as_deref(),
            Some("wireguard-v6-tunnel-addr-n-2")
        );
        assert_eq!(tunnel_handle("ipip", "n1"), None);
        assert_eq!(tunnel_handle("IPIPTunnelAddress", "n1"), None);
        assert_eq!(tunnel_handle("", "n1"), None);
    }
}
