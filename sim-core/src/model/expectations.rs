//! `Expectations` documents, checked field by field: endpoints that exist, protocols,
//! verdicts and path properties spelled as interfaces.md §4 spells them, known lint ids.

use core::net::Ipv4Addr;

use serde::Serialize;

use crate::diag::{Diagnostics, Origin};
use crate::policy::model::Protocol;
use crate::scenario::ExpectationsSpec;

use super::resolve::{check_unique_names, Located};
use super::validate_topology::Topology;

/// How a path must cross between nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PathVia {
    Vxlan,
    Ipip,
    Direct,
}

impl PathVia {
    pub fn as_str(self) -> &'static str {
        match self {
            PathVia::Vxlan => "vxlan",
            PathVia::Ipip => "ipip",
            PathVia::Direct => "direct",
        }
    }
}

/// One reachability promise: a verdict, a path property, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reachability {
    pub from: String,
    pub to: String,
    #[serde(serialize_with = "crate::walker::serialize_protocol")]
    pub proto: Protocol,
    pub port: Option<u16>,
    /// `Some(true)`: allow, `Some(false)`: deny.
    pub allow: Option<bool>,
    pub via: Option<PathVia>,
    pub through: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionExpectation {
    pub node: String,
    pub peer: Ipv4Addr,
    /// As `calicoctl node status` shows it in INFO (`Established`, `Active`, `Connect`, …).
    pub state: String,
}

/// One `Expectations` document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expectations {
    pub name: String,
    pub origin: Origin,
    pub reachability: Vec<Reachability>,
    pub sessions: Vec<SessionExpectation>,
    pub lints_absent: Vec<String>,
}

pub(super) fn resolve(
    docs: &[Located<'_, ExpectationsSpec>],
    topology: &Topology,
    diags: &mut Diagnostics,
) -> Vec<Expectations> {
    check_unique_names(docs, diags);
    docs.iter()
        .map(|doc| {
            let empty = ExpectationsSpec::default();
            let spec = doc.resource.spec.as_ref().unwrap_or(&empty);
            let reachability = spec
                .reachability
                .iter()
                .enumerate()
                .filter_map(|(i, r)| reachability(doc, i, r, topology, diags))
                .collect();
            let sessions = spec
                .sessions
                .iter()
                .enumerate()
                .filter_map(|(i, s)| {
                    let field = |f: &str| format!("spec.sessions[{i}].{f}");
                    if !topology.nodes.iter().any(|n| n.name == s.node) {
                        diags
                            .push(doc.error(&field("node"), format!("no node named {:?}", s.node)));
                        return None;
                    }
                    let Ok(peer) = s.peer.parse::<Ipv4Addr>() else {
                        diags.push(doc.error(
                            &field("peer"),
                            format!("{:?} is not an IPv4 address", s.peer),
                        ));
                        return None;
                    };
                    Some(SessionExpectation {
                        node: s.node.clone(),
                        peer,
                        state: s.state.clone(),
                    })
                })
                .collect();
            let lints_absent = spec.lints.as_ref().map_or(Vec::new(), |l| {
                for (i, id) in l.absent.iter().enumerate() {
                    if !crate::lint::IDS.contains(&id.as_str()) {
                        diags.push(doc.error(
                            &format!("spec.lints.absent[{i}]"),
                            format!(
                                "unknown lint id {id:?} (known: {})",
                                crate::lint::IDS.join(", ")
                            ),
                        ));
                    }
                }
                l.absent.clone()
            });
            Expectations {
                name: doc.resource.metadata.name.clone(),
                origin: doc.origin.clone(),
                reachability,
                sessions,
                lints_absent,
            }
        })
        .collect()
}

fn reachability(
    doc: &Located<'_, ExpectationsSpec>,
    i: usize,
    r: &crate::scenario::ReachabilitySpec,
    topology: &Topology,
    diags: &mut Diagnostics,
) -> Option<Reachability> {
    let field = |f: &str| format!("spec.reachability[{i}].{f}");
    let mut ok = true;
    for (name, value) in [("from", &r.from), ("to", &r.to)] {
        if let Err(why) = endpoint_exists(value, topology) {
            diags.push(doc.error(&field(name), why));
            ok = false;
        }
    }
    let parsed = parse_promise(r);
    for (f, why) in &parsed.problems {
        diags.push(doc.error(&field(f), why.clone()));
        ok = false;
    }
    let (proto, allow, via) = (parsed.proto, parsed.allow, parsed.via);
    if let Some(t) = &r.through {
        let known = topology.nodes.iter().any(|n| &n.name == t)
            || topology.routers.iter().any(|x| &x.name == t)
            || topology.networks.iter().any(|x| &x.name == t);
        if !known {
            diags.push(doc.error(
                &field("through"),
                format!("no node, router or network named {t:?}"),
            ));
            ok = false;
        }
    }
    if allow.is_none() && via.is_none() && r.through.is_none() {
        diags.push(doc.error(
            &field("expect"),
            "say what to expect: expect (allow|deny), via or through",
        ));
        ok = false;
    }
    ok.then(|| Reachability {
        from: r.from.clone(),
        to: r.to.clone(),
        proto,
        port: promise_port(proto, r.port),
        allow,
        via,
        through: r.through.clone(),
    })
}

/// A reachability promise's protocol, verdict and path property, read as written, with
/// each problem tied to its field (`proto`, `expect`, `via`).
pub struct ParsedPromise {
    pub proto: Protocol,
    pub allow: Option<bool>,
    pub via: Option<PathVia>,
    pub problems: Vec<(&'static str, String)>,
}

/// Shared by `Expectations` documents and the labs' reachability checks.
pub fn parse_promise(r: &crate::scenario::ReachabilitySpec) -> ParsedPromise {
    let mut problems = Vec::new();
    let proto = match r.proto.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("tcp") => Protocol::Tcp,
        Some("udp") => Protocol::Udp,
        Some("icmp") => Protocol::Icmp,
        Some("sctp") => Protocol::Sctp,
        Some(other) => {
            problems.push((
                "proto",
                format!("proto {other:?}: write tcp, udp, icmp or sctp"),
            ));
            Protocol::Tcp
        }
    };
    let allow = match r.expect.as_deref() {
        None => None,
        Some("allow") => Some(true),
        Some("deny") => Some(false),
        Some(other) => {
            problems.push(("expect", format!("expect {other:?}: write allow or deny")));
            None
        }
    };
    let via = match r.via.as_deref() {
        None => None,
        Some("vxlan") => Some(PathVia::Vxlan),
        Some("ipip") => Some(PathVia::Ipip),
        Some("direct") => Some(PathVia::Direct),
        Some(other) => {
            problems.push(("via", format!("via {other:?}: write vxlan, ipip or direct")));
            None
        }
    };
    ParsedPromise {
        proto,
        allow,
        via,
        problems,
    }
}

/// The port a promise probes: none for ICMP, else the one written (default 80).
pub fn promise_port(proto: Protocol, port: Option<u16>) -> Option<u16> {
    if proto == Protocol::Icmp {
        None
    } else {
        Some(port.unwrap_or(80))
    }
}

/// The endpoint names of interfaces.md §1.3, checked against the scenario.
fn endpoint_exists(text: &str, topology: &Topology) -> Result<(), String> {
    if let Some(name) = text.strip_prefix("node:") {
        return topology
            .nodes
            .iter()
            .any(|n| n.name == name)
            .then_some(())
            .ok_or_else(|| format!("no node named {name:?}"));
    }
    if let Some(name) = text.strip_prefix("ext:") {
        return topology
            .externals
            .iter()
            .any(|e| e.name == name)
            .then_some(())
            .ok_or_else(|| format!("no external host named {name:?}"));
    }
    if text.parse::<Ipv4Addr>().is_ok() || text.starts_with("svc:") {
        return Ok(());
    }
    match text.split_once('/') {
        Some((ns, name)) if topology.pods.iter().any(|p| p.namespace == ns && p.name == name) => Ok(()),
        Some((ns, name)) => Err(format!("no pod {name:?} in namespace {ns:?}")),
        None => Err(format!(
            "{text:?} is not an endpoint: write NAMESPACE/POD, node:NAME, ext:NAME or an IPv4 address"
        )),
    }
}
