//! `calicoctl get ippools|nodes [-o wide|yaml]` (calicoctl/resourcemgr templates, v3.28).
//!
//! Tables are Go `text/tabwriter` columns as calicoctl configures them (min width 5,
//! padding 3), not the tablewriter boxes of `ipam show`.

use std::fmt::Write;

use crate::state::ClusterState;

/// Go tabwriter with calicoctl's settings: each column as wide as its widest cell plus 3
/// (at least 5); the last column is not padded.
pub fn tabwriter(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .map(|w| (w + 3).max(5))
        .collect();
    let mut out = String::new();
    for row in rows {
        for (c, cell) in row.iter().enumerate() {
            if c + 1 == row.len() {
                out.push_str(cell);
            } else {
                let _ = write!(out, "{cell:<width$}", width = widths[c]);
            }
        }
        out.push('\n');
    }
    out
}

/// `calicoctl get ippools` (and `-o wide`).
pub fn ippools(state: &ClusterState, wide: bool) -> String {
    let mut rows = vec![if wide {
        [
            "NAME",
            "CIDR",
            "NAT",
            "IPIPMODE",
            "VXLANMODE",
            "DISABLED",
            "SELECTOR",
        ]
        .map(String::from)
        .to_vec()
    } else {
        ["NAME", "CIDR", "SELECTOR"].map(String::from).to_vec()
    }];
    for p in &state.cluster.pools {
        let selector = p.node_selector.canonical();
        rows.push(if wide {
            vec![
                p.name.clone(),
                p.cidr.to_string(),
                p.nat_outgoing.to_string(),
                p.ipip_mode.to_string(),
                p.vxlan_mode.to_string(),
                p.disabled.to_string(),
                selector,
            ]
        } else {
            vec![p.name.clone(), p.cidr.to_string(), selector]
        });
    }
    tabwriter(&rows)
}

/// `calicoctl get nodes` (and `-o wide`: ASN in parentheses when inherited from the global AS).
pub fn nodes(state: &ClusterState, wide: bool) -> String {
    let mut rows = vec![if wide {
        vec!["NAME", "ASN", "IPV4", "IPV6"]
    } else {
        vec!["NAME"]
    }
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>()];
    for (i, n) in state.cluster.nodes.iter().enumerate() {
        if !wide {
            rows.push(vec![n.name.clone()]);
            continue;
        }
        let address = state.node_addresses[i].address;
        let asn = match (address, n.bgp.as_number) {
            (None, _) => String::new(),
            (Some(_), Some(asn)) => asn.to_string(),
            (Some(_), None) => format!("({})", state.bgp.as_numbers[i]),
        };
        rows.push(vec![
            n.name.clone(),
            asn,
            address.map(|a| a.to_string()).unwrap_or_default(),
            String::new(),
        ]);
    }
    tabwriter(&rows)
}

/// `calicoctl get bgppeers` (the wide form has the same columns).
pub fn bgppeers(state: &ClusterState) -> String {
    let mut peers: Vec<_> = state.cluster.bgp_peers.iter().collect();
    peers.sort_by(|a, b| a.name.cmp(&b.name));
    let mut rows = vec![["NAME", "PEERIP", "NODE", "ASN"].map(String::from).to_vec()];
    for p in peers {
        let w = &p.written;
        let node = match (w.node.as_str(), w.node_selector.as_str()) {
            ("", "") => "(global)".to_string(),
            ("", selector) => selector.to_string(),
            (node, _) => node.to_string(),
        };
        rows.push(vec![
            p.name.clone(),
            w.peer_ip.clone(),
            node,
            p.as_number.unwrap_or(0).to_string(),
        ]);
    }
    tabwriter(&rows)
}

/// `calicoctl get bgpconfigs`: unset fields print `-`.
pub fn bgpconfigs(state: &ClusterState) -> String {
    let mut rows = vec![["NAME", "LOGSEVERITY", "MESHENABLED", "ASNUMBER"]
        .map(String::from)
        .to_vec()];
    for c in &state.cluster.bgp_config_resources {
        rows.push(vec![
            c.name.clone(),
            c.log_severity_screen.clone().unwrap_or_default(),
            // Go's template `{{if .Spec.NodeToNodeMeshEnabled}}` tests the pointer: false prints too.
            c.node_to_node_mesh_enabled
                .map_or("-".into(), |m| m.to_string()),
            c.as_number.map_or("-".into(), |a| a.to_string()),
        ]);
    }
    tabwriter(&rows)
}

/// Go's `{{.Spec.Order}}` of a `*float64`: `100`, `0.5`, `<nil>` when unset.
fn order(o: Option<f64>) -> String {
    match o {
        None => "<nil>".into(),
        Some(v) if v.fract() == 0.0 && v.abs() < 1e21 => format!("{}", v as i64),
        Some(v) => v.to_string(),
    }
}

/// `calicoctl get networkpolicy` in one namespace (`None`: all namespaces, with a NAMESPACE column).
pub fn networkpolicies(state: &ClusterState, namespace: Option<&str>, wide: bool) -> String {
    use crate::model::PolicyScope;
    let mut header: Vec<&str> = if namespace.is_none() {
        vec!["NAMESPACE", "NAME"]
    } else {
        vec!["NAME"]
    };
    if wide {
        header.extend(["ORDER", "SELECTOR"]);
    }
    let mut rows = vec![header.into_iter().map(String::from).collect::<Vec<_>>()];
    for p in state
        .cluster
        .policies
        .iter()
        .filter(|p| p.scope != PolicyScope::Global)
    {
        let ns = p.namespace.as_deref().unwrap_or("");
        if namespace.is_some_and(|n| n != ns) {
            continue;
        }
        let mut row = if namespace.is_none() {
            vec![ns.to_string(), p.name.clone()]
        } else {
            vec![p.name.clone()]
        };
        if wide {
            row.extend([order(p.spec.order), p.spec.selector.clone()]);
        }
        rows.push(row);
    }
    tabwriter(&rows)
}

/// `calicoctl get globalnetworkpolicy`.
pub fn globalnetworkpolicies(state: &ClusterState, wide: bool) -> String {
    let mut rows = vec![if wide {
        vec!["NAME", "ORDER", "SELECTOR"]
    } else {
        vec!["NAME"]
    }
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>()];
    for p in state
        .cluster
        .policies
        .iter()
        .filter(|p| p.scope == crate::model::PolicyScope::Global)
    {
        let mut row = vec![p.name.clone()];
        if wide {
            row.extend([order(p.spec.order), p.spec.selector.clone()]);
        }
        rows.push(row);
    }
    tabwriter(&rows)
}

/// `calicoctl get node NAME -o yaml`: the Node resource calico-node keeps up to date,
/// including the tunnel addresses IPAM gave it.
pub fn node_yaml(state: &ClusterState, node: usize) -> String {
    let n = &state.cluster.nodes[node];
    let mut y = String::from("apiVersion: projectcalico.org/v3\nkind: Node\nmetadata:\n");
    if !n.labels.is_empty() {
        y.push_str("  labels:\n");
        for (k, v) in n.labels.iter() {
            let _ = writeln!(y, "    {k}: {}", yaml_scalar(v));
        }
    }
    let _ = writeln!(y, "  name: {}", n.name);
    y.push_str("spec:\n");
    let address = state.node_addresses[node].address;
    let internal = n.interfaces.get(n.default_route).map(|f| f.address);
    if address.is_some() || internal.is_some() {
        y.push_str("  addresses:\n");
        if let Some(a) = address {
            let _ = writeln!(y, "  - address: {a}\n    type: CalicoNodeIP");
        }
        if let Some(ip) = internal {
            let _ = writeln!(y, "  - address: {ip}\n    type: InternalIP");
        }
    }
    let tunnels = &state.ipam.tunnels[node];
    if let Some(a) = address {
        y.push_str("  bgp:\n");
        if let Some(asn) = n.bgp.as_number {
            let _ = writeln!(y, "    asNumber: {asn}");
        }
        let _ = writeln!(y, "    ipv4Address: {a}");
        if let Some(ip) = tunnels.ipip {
            let _ = writeln!(y, "    ipv4IPIPTunnelAddr: {ip}");
        }
        if let Some(id) = n.bgp.route_reflector_cluster_id {
            let _ = writeln!(y, "    routeReflectorClusterID: {id}");
        }
    }
    if let Some(ip) = tunnels.vxlan {
        let _ = writeln!(y, "  ipv4VXLANTunnelAddr: {ip}");
    }
    let _ = writeln!(
        y,
        "  orchRefs:\n  - nodeName: {}\n    orchestrator: k8s\nstatus: {{}}",
        n.name
    );
    y
}

/// Quotes a label value the way a YAML printer must (empty strings, `true`, numbers).
fn yaml_scalar(v: &str) -> String {
    let plain = !v.is_empty()
        && !matches!(v, "true" | "false" | "null" | "~" | "yes" | "no")
        && v.parse::<f64>().is_err()
        && !v.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`".contains(c) || c == ' ');
    if plain {
        v.to_string()
    } else {
        format!("\"{}\"", v.replace('"', "\\\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real `calicoctl get ippools -o wide` output (docs v3.28, test-networking).
    const REAL: &str = "NAME    CIDR               NAT    IPIPMODE   VXLANMODE   DISABLED   SELECTOR\npool1   192.168.0.0/18     true   Never      Never       false      all()\npool2   192.168.192.0/19   true   Never      Never       true       all()\n";

    #[test]
    fn tabwriter_lays_out_columns_as_calicoctl_does() {
        let rows: Vec<Vec<String>> = REAL
            .lines()
            .map(|l| l.split_whitespace().map(String::from).collect())
            .collect();
        assert_eq!(tabwriter(&rows), REAL);
    }
}
