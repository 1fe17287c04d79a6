//! Render layer: `calicoctl node status` text and calicoctl's BIRD `show protocols` line parser; pure (rows in, text out).
//!
//! Source: `calicoctl/calicoctl/commands/node/status.go` at v3.28 (`Status`, `unmarshalBIRD`,
//! `printBIRDPeers`, `printPeers`); the table is tablewriter v0.0.5 with defaults
//! ([`super::table::render`]).

use std::fmt;

use serde::Serialize;

/// The headers calicoctl passes to tablewriter (which prints them upper-cased and centred).
pub const HEADERS: [&str; 5] = ["Peer address", "Peer type", "State", "Since", "Info"];

/// Kind of BGP peer, from the prefix of the BIRD protocol name (`Mesh_`, `Global_`, `Node_`).
/// Displays and serialises as calicoctl prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum PeerType {
    /// `Mesh_…`: node-to-node mesh.
    #[serde(rename = "node-to-node mesh")]
    Mesh,
    /// `Global_…`: a BGPPeer without node selector.
    #[serde(rename = "global")]
    Global,
    /// `Node_…`: a BGPPeer for this node only.
    #[serde(rename = "node specific")]
    NodeSpecific,
}

impl PeerType {
    /// calicoctl's display text (`bgpTypeMap`).
    pub fn as_str(self) -> &'static str {
        match self {
            PeerType::Mesh => "node-to-node mesh",
            PeerType::Global => "global",
            PeerType::NodeSpecific => "node specific",
        }
    }

    /// The type for a BIRD protocol-name prefix (`Global`, `Node`, `Mesh`; case-sensitive).
    pub fn from_bird_prefix(prefix: &str) -> Option<Self> {
        match prefix {
            "Mesh" => Some(PeerType::Mesh),
            "Global" => Some(PeerType::Global),
            "Node" => Some(PeerType::NodeSpecific),
            _ => None,
        }
    }
}

impl fmt::Display for PeerType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of the peer table, as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeerRow {
    /// Peer IP (from the protocol name, `_` → `.` or `:`).
    pub address: String,
    pub peer_type: PeerType,
    /// BIRD protocol state: `up`, `start`, `down`, …
    pub state: String,
    /// BIRD's since column (a time such as `23:30:04` or a date).
    pub since: String,
    /// The whole INFO column: the BGP state (`Established`, `Active`, `Connect`, `Idle`, …)
    /// followed, after one space, by any further info (`Active Socket: error`).
    pub info: String,
}

impl PeerRow {
    fn cells(&self) -> Vec<String> {
        vec![
            self.address.clone(),
            self.peer_type.to_string(),
            self.state.clone(),
            self.since.clone(),
            self.info.clone(),
        ]
    }
}

/// calicoctl's `unmarshalBIRD` for a row of BIRD's (IPv4) `show protocols` output, without the
/// reply code: the line is split on whitespace into at least 6 columns (name, proto, table,
/// state, since, info…); proto must be `BGP` and the name must match
/// `^(Global|Node|Mesh)_(.+)$`. The address is the name's suffix with `_` → `.`; columns 7 and
/// later are re-joined with single spaces after the BGP state to form [`PeerRow::info`].
/// `None` for any other line (kernel/device protocols, other names, short lines).
pub fn parse_bird_line(line: &str) -> Option<PeerRow> {
    parse_with_separator(line, ".")
}

/// [`parse_bird_line`] for BIRD6 output: the address suffix has `_` → `:`
/// (`Mesh_fd80_24e2_f998_72d7__2` → `fd80:24e2:f998:72d7::2`).
pub fn parse_bird_line_v6(line: &str) -> Option<PeerRow> {
    parse_with_separator(line, ":")
}

fn parse_with_separator(line: &str, ip_sep: &str) -> Option<PeerRow> {
    let columns: Vec<&str> = line.split_whitespace().collect();
    if columns.len() < 6 || columns[1] != "BGP" {
        return None;
    }
    // The three type names contain no `_`, so the regex's first `_` is the first one in the name.
    let (prefix, suffix) = columns[0].split_once('_')?;
    let peer_type = PeerType::from_bird_prefix(prefix)?;
    if suffix.is_empty() {
        return None; // `(.+)` needs at least one character
    }
    let mut info = columns[5].to_string();
    for extra in &columns[6..] {
        info.push(' ');
        info.push_str(extra);
    }
    Some(PeerRow {
        address: suffix.replace('_', ip_sep),
        peer_type,
        state: columns[3].to_string(),
        since: columns[4].to_string(),
        info,
    })
}

/// The whole output of `calicoctl node status` when calico-node, BIRD and BIRD6 run:
///
/// ```text
/// Calico process is running.
///
/// IPv4 BGP status
/// <table, or "No IPv4 peers found.">
///
/// IPv6 BGP status
/// <table, or "No IPv6 peers found.">
///
/// ```
///
/// It ends with an empty line: calicoctl's last statement is a bare `fmt.Println()` after the
/// IPv6 section. (The rendered examples on docs.tigera.io drop that final empty line.)
pub fn render(v4: &[PeerRow], v6: &[PeerRow]) -> String {
    let mut out = String::from("Calico process is running.\n");
    push_family(&mut out, "4", v4);
    push_family(&mut out, "6", v6);
    out.push('\n');
    out
}

/// `printBIRDPeers`: the section heading, then the table or the "no peers" line.
fn push_family(out: &mut String, ipv: &str, peers: &[PeerRow]) {
    out.push_str(&format!("\nIPv{ipv} BGP status\n"));
    if peers.is_empty() {
        out.push_str(&format!("No IPv{ipv} peers found.\n"));
    } else {
        let rows: Vec<Vec<String>> = peers.iter().map(PeerRow::cells).collect();
        out.push_str(&super::table::render(&HEADERS, &rows));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(address: &str, peer_type: PeerType, state: &str, since: &str, info: &str) -> PeerRow {
        PeerRow {
            address: address.into(),
            peer_type,
            state: state.into(),
            since: since.into(),
            info: info.into(),
        }
    }

    #[test]
    fn parses_bgp_rows_only() {
        assert_eq!(
            parse_bird_line("Mesh_10_0_0_2 BGP master up 12:00:01 Established"),
            Some(row(
                "10.0.0.2",
                PeerType::Mesh,
                "up",
                "12:00:01",
                "Established"
            ))
        );
        // Tabs and runs of spaces separate columns; extra info is re-joined with single spaces.
        assert_eq!(
            parse_bird_line(
                "Node_1_2_3_4\tBGP  master  start  2016-11-21  Active   Socket:  error x"
            )
            .map(|r| r.info),
            Some("Active Socket: error x".to_string())
        );
        for not_a_peer in [
            "",
            "Mesh_10_0_0_2 BGP master up 12:00:01", // 5 columns
            "Mesh_10_0_0_2 Kernel master up 12:00:01 Established",
            "Mesh_10_0_0_2 bgp master up 12:00:01 Established",
            "Mesh_ BGP master up 12:00:01 Established", // empty address
            "Mesh BGP master up 12:00:01 Established",
            "mesh_10_0_0_2 BGP master up 12:00:01 Established",
            "Peer_10_0_0_2 BGP master up 12:00:01 Established",
            "XMesh_10_0_0_2 BGP master up 12:00:01 Established",
            "static1 Static master up 2016-11-21",
        ] {
            assert_eq!(parse_bird_line(not_a_peer), None, "{not_a_peer:?}");
        }
    }

    #[test]
    fn address_is_whole_suffix_with_separators_replaced() {
        let r = parse_bird_line("Global_Mesh_1_2 BGP master up t Idle").expect("parses");
        assert_eq!(
            (r.peer_type, r.address.as_str()),
            (PeerType::Global, "Mesh.1.2")
        );
        let r = parse_bird_line_v6("Mesh_fd80_24e2_f998_72d7__2 BGP master up t Established")
            .expect("parses");
        assert_eq!(r.address, "fd80:24e2:f998:72d7::2");
        assert_eq!(
            parse_bird_line("Mesh_fd80__2 BGP master up t Idle").map(|r| r.address),
            Some("fd80..2".to_string())
        );
    }

    #[test]
    fn peer_type_text_and_json() {
        for (t, s) in [
            (PeerType::Mesh, "node-to-node mesh"),
            (PeerType::Global, "global"),
            (PeerType::NodeSpecific, "node specific"),
        ] {
            assert_eq!(t.to_string(), s);
            assert_eq!(serde_json::to_value(t).expect("serialises"), s);
        }
        let v = serde_json::to_value(row("1.1.1.1", PeerType::NodeSpecific, "up", "x", "Idle"))
            .expect("serialises");
        assert_eq!(v["peer_type"], "node specific");
        assert_eq!(v["address"], "1.1.1.1");
    }

    #[test]
    fn render_without_peers() {
        assert_eq!(
            render(&[], &[]),
            "Calico process is running.\n\nIPv4 BGP status\nNo IPv4 peers found.\n\n\
             IPv6 BGP status\nNo IPv6 peers found.\n\n"
        );
    }

    #[test]
    fn render_v6_table_and_v4_message() {
        let v6 = [
            row("fd00::2", PeerType::Mesh, "up", "09:15:00", "Established"),
            row("fd00::10", PeerType::Global, "start", "09:15:02", "Connect"),
        ];
        let want = "\
Calico process is running.

IPv4 BGP status
No IPv4 peers found.

IPv6 BGP status
+--------------+-------------------+-------+----------+-------------+
| PEER ADDRESS |     PEER TYPE     | STATE |  SINCE   |    INFO     |
+--------------+-------------------+-------+----------+-------------+
| fd00::2      | node-to-node mesh | up    | 09:15:00 | Established |
| fd00::10     | global            | start | 09:15:02 | Connect     |
+--------------+-------------------+-------+----------+-------------+

";
        assert_eq!(render(&[], &v6), want);
    }
}
