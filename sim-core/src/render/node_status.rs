//! TEMPORARY: replaced by the full module.
use serde::Serialize;
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PeerType {
    Mesh,
    Global,
    NodeSpecific,
}
impl std::fmt::Display for PeerType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PeerType::Mesh => "node-to-node mesh",
            PeerType::Global => "global",
            PeerType::NodeSpecific => "node specific",
        })
    }
}
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeerRow {
    pub address: String,
    pub peer_type: PeerType,
    pub state: String,
    pub since: String,
    pub info: String,
}
pub fn render(v4: &[PeerRow], _v6: &[PeerRow]) -> String {
    let rows: Vec<Vec<String>> = v4
        .iter()
        .map(|r| {
            vec![
                r.address.clone(),
                r.peer_type.to_string(),
                r.state.clone(),
                r.since.clone(),
                r.info.clone(),
            ]
        })
        .collect();
    format!("Calico process is running.\n\nIPv4 BGP status\n{}\nIPv6 BGP status\nNo IPv6 peers found.\n\n", super::table::render(&["Peer address", "Peer type", "State", "Since", "Info"], &rows))
}
