//! The grader: each check of a lab against the student's computed cluster, each prediction
//! against the simulator's computation of the starting cluster. Failures show the lab's
//! hint and what the simulator sees, never the answer.

use core::net::{IpAddr, Ipv4Addr};
use std::collections::BTreeMap;

use ipnetwork::{IpNetwork, Ipv4Network};
use serde::Serialize;

use crate::expect::{lint_absent_outcome, reachability_outcome, session_outcome, Outcome};
use crate::graph::PlaceKind;
use crate::model::{parse_promise, promise_port, Reachability, SessionExpectation};
use crate::policy::model::Protocol;
use crate::scenario::{ReachabilitySpec, SessionSpec};
use crate::state::ClusterState;
use crate::walker::{parse_endpoint, Action, Endpoint, Probe, Walker};

use super::spec::{CheckSpec, PredictionSpec, Truth};

/// One graded item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Graded {
    pub id: String,
    /// `check` or `prediction`.
    pub kind: &'static str,
    pub passed: bool,
    /// On failure: the hint, then what the simulator sees (checks only).
    pub message: String,
}

/// Grades every check against `state` (the student's cluster).
pub fn grade_checks(state: &ClusterState, checks: &[CheckSpec]) -> Vec<Graded> {
    let walker = Walker::new(state);
    let lints = crate::lint::lints(state);
    checks
        .iter()
        .map(|c| {
            let o = match check(state, &walker, &lints, c) {
                Ok(o) => o,
                Err(problem) => {
                    let evidence = format!("the check cannot be evaluated: {problem}");
                    Outcome {
                        passed: false,
                        brief: evidence.clone(),
                        evidence,
                    }
                }
            };
            Graded {
                id: c.id.clone(),
                kind: "check",
                passed: o.passed,
                message: if o.passed {
                    String::new()
                } else {
                    format!("hint: {}\n      seen: {}", c.hint, o.brief)
                },
            }
        })
        .collect()
}

/// Grades the student's answers (prediction id → answer) against the starting cluster.
pub fn grade_predictions(
    start: &ClusterState,
    predictions: &[PredictionSpec],
    answers: &BTreeMap<String, String>,
) -> Vec<Graded> {
    predictions
        .iter()
        .map(|p| {
            let (passed, message) = match (answers.get(&p.id), truth(start, &p.truth)) {
                (_, Err(problem)) => (
                    false,
                    format!("the prediction cannot be evaluated: {problem}"),
                ),
                (None, _) => (false, format!("not answered: {}", p.question)),
                (Some(given), Ok(truth)) if same_answer(given, &truth) => (true, String::new()),
                (Some(_), Ok(_)) => (false, format!("hint: {}", p.hint)),
            };
            Graded {
                id: p.id.clone(),
                kind: "prediction",
                passed,
                message,
            }
        })
        .collect()
}

fn same_answer(given: &str, truth: &str) -> bool {
    given.trim().eq_ignore_ascii_case(truth.trim())
}

/// Problems in a lab's checks that make it unusable (a check with no kind or two kinds).
pub fn problems(checks: &[CheckSpec]) -> Vec<String> {
    checks
        .iter()
        .filter_map(|c| {
            let kinds = [
                c.reachability.is_some(),
                c.session.is_some(),
                c.lint_absent.is_some(),
                c.pod_address_in.is_some(),
                c.pools_inside_pod_subnet.is_some(),
                c.route.is_some(),
                c.all_pods_addressed.is_some(),
            ]
            .iter()
            .filter(|k| **k)
            .count();
            (kinds != 1).then(|| {
                format!(
                    "check {}: give exactly one kind of assertion (found {kinds})",
                    c.id
                )
            })
        })
        .collect()
}

fn check(
    state: &ClusterState,
    walker: &Walker<'_>,
    lints: &[crate::diag::Diagnostic],
    c: &CheckSpec,
) -> Result<Outcome, String> {
    if let Some(r) = &c.reachability {
        let promise = reachability(&r.promise())?;
        let size = match &r.size {
            None => None,
            Some(serde_json::Value::Number(n)) => {
                Some(n.as_u64().ok_or("size: a positive number")? as u32)
            }
            Some(serde_json::Value::String(s)) if s == "pod-mtu" => {
                Some(pod_mtu(state, &promise.from)?)
            }
            Some(other) => return Err(format!("size {other}: a number or pod-mtu")),
        };
        return Ok(reachability_outcome(walker, &promise, size));
    }
    if let Some(s) = &c.session {
        return Ok(session_outcome(state, &session(s)?));
    }
    if let Some(id) = &c.lint_absent {
        return Ok(lint_absent_outcome(lints, id));
    }
    if let Some(p) = &c.pod_address_in {
        let cidr: Ipv4Network = p
            .cidr
            .parse()
            .map_err(|_| format!("{} is not a CIDR", p.cidr))?;
        let ip = pod_address(state, &p.pod)?;
        return Ok(Outcome::observed(
            cidr.contains(ip),
            format!("{} has {ip}", p.pod),
        ));
    }
    if c.pools_inside_pod_subnet.is_some() {
        let subnets = state
            .cluster
            .kubeadm
            .as_ref()
            .map(|k| k.pod_subnets.clone())
            .unwrap_or_default();
        let outside: Vec<String> = state
            .cluster
            .pools
            .iter()
            .filter(|p| p.cidr.is_ipv4())
            .filter(|p| !subnets.iter().any(|s| contains(s, &p.cidr)))
            .map(|p| format!("pool {} ({})", p.name, p.cidr))
            .collect();
        let within = subnets
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        return Ok(Outcome::observed(
            outside.is_empty() && !subnets.is_empty(),
            if subnets.is_empty() {
                "kubeadm's podSubnet is not known".into()
            } else if outside.is_empty() {
                format!("every pool lies inside {within}")
            } else {
                format!("{} outside podSubnet {within}", outside.join(", "))
            },
        ));
    }
    if let Some(r) = &c.route {
        let to: Ipv4Addr =
            r.to.parse()
                .map_err(|_| format!("{} is not an IPv4 address", r.to))?;
        let dev = route_device(state, &r.at, to)?;
        return Ok(Outcome::observed(
            dev == r.dev,
            format!("{} routes {to} through {dev}", r.at),
        ));
    }
    if c.all_pods_addressed.is_some() {
        let failures: Vec<String> = state.ipam.failures.iter().map(|f| f.to_string()).collect();
        return Ok(Outcome::observed(
            failures.is_empty(),
            if failures.is_empty() {
                "every pod has an address".into()
            } else {
                failures.join("; ")
            },
        ));
    }
    Err("no assertion".into())
}

fn contains(outer: &IpNetwork, inner: &IpNetwork) -> bool {
    outer.is_ipv4() == inner.is_ipv4()
        && outer.prefix() <= inner.prefix()
        && outer.contains(inner.network())
}

fn reachability(r: &ReachabilitySpec) -> Result<Reachability, String> {
    let parsed = parse_promise(r);
    if let Some((_, why)) = parsed.problems.first() {
        return Err(why.clone());
    }
    Ok(Reachability {
        from: r.from.clone(),
        to: r.to.clone(),
        proto: parsed.proto,
        port: promise_port(parsed.proto, r.port),
        allow: parsed.allow,
        via: parsed.via,
        through: r.through.clone(),
    })
}

fn session(s: &SessionSpec) -> Result<SessionExpectation, String> {
    Ok(SessionExpectation {
        node: s.node.clone(),
        peer: s
            .peer
            .parse()
            .map_err(|_| format!("{} is not an IPv4 address", s.peer))?,
        state: s.state.clone(),
    })
}

fn pod_id(state: &ClusterState, key: &str) -> Result<usize, String> {
    state
        .cluster
        .pods
        .iter()
        .position(|p| p.key() == key)
        .ok_or_else(|| format!("no pod {key}"))
}

fn pod_address(state: &ClusterState, key: &str) -> Result<Ipv4Addr, String> {
    match state.ipam.pod_address(pod_id(state, key)?) {
        Some(IpAddr::V4(ip)) => Ok(ip),
        _ => Err(format!("{key} has no IPv4 address")),
    }
}

fn pod_mtu(state: &ClusterState, key: &str) -> Result<u32, String> {
    let pod = pod_id(state, key)?;
    state
        .dataplane
        .iter()
        .flat_map(|dp| dp.pods.iter())
        .find(|p| p.pod == pod)
        .map(|p| p.mtu)
        .ok_or_else(|| format!("{key} is not wired (no address)"))
}

/// The device of the route a node (or a pod) picks for `to`.
fn route_device(state: &ClusterState, at: &str, to: Ipv4Addr) -> Result<String, String> {
    let lpm = |routes: &[crate::dataplane::Route]| {
        routes
            .iter()
            .filter(|r| r.dst.contains(to))
            .max_by_key(|r| r.dst.prefix())
            .cloned()
    };
    if let Some(dp) = state.node_dataplane(at) {
        let route = lpm(&dp.routes).ok_or_else(|| format!("{at} has no route to {to}"))?;
        if route.kind == crate::dataplane::RouteKind::Blackhole {
            return Ok("blackhole".into());
        }
        return Ok(route
            .oif
            .and_then(|i| dp.link_name(i))
            .unwrap_or("?")
            .to_owned());
    }
    let pod = pod_id(state, at)?;
    let net = state
        .dataplane
        .iter()
        .flat_map(|dp| dp.pods.iter())
        .find(|p| p.pod == pod)
        .ok_or_else(|| format!("{at} is not wired"))?;
    lpm(&net.routes)
        .map(|_| "eth0".to_owned())
        .ok_or_else(|| format!("{at} has no route to {to}"))
}

/// What the simulator says the answer is.
pub fn truth(state: &ClusterState, t: &Truth) -> Result<String, String> {
    let walker = || Walker::new(state);
    let endpoints = |from: &str, to: &str| -> Result<(Endpoint, Endpoint), String> {
        Ok((parse_endpoint(state, from)?, parse_endpoint(state, to)?))
    };
    match t {
        Truth::Verdict { from, to, port } => {
            let (f, t) = endpoints(from, to)?;
            let trace = walker().trace(&Probe::new(f, t, Protocol::Tcp, Some(port.unwrap_or(80))));
            Ok(if crate::expect::connects(&trace) {
                "delivered"
            } else {
                "dropped"
            }
            .into())
        }
        Truth::Encapsulation { from, to } => {
            let (f, t) = endpoints(from, to)?;
            let trace = walker().trace(&Probe::new(f, t, Protocol::Tcp, Some(80)));
            Ok(trace.encapsulation().into())
        }
        Truth::EgressDevice { from, to, node } => {
            let (f, t) = endpoints(from, to)?;
            let trace = walker().trace(&Probe::new(f, t, Protocol::Tcp, Some(80)));
            trace
                .hops
                .iter()
                .find(|h| h.kind == PlaceKind::Node && &h.at == node && h.action == Action::Route)
                .and_then(|h| h.device.clone())
                .ok_or_else(|| format!("the packet takes no route on {node}"))
        }
        Truth::PodAddress { pod } => pod_address(state, pod).map(|ip| ip.to_string()),
        Truth::Block { pod } => {
            let ip = pod_address(state, pod)?;
            state
                .ipam
                .blocks
                .iter()
                .filter(|b| b.cidr.contains(IpAddr::V4(ip)))
                .max_by_key(|b| b.cidr.prefix())
                .map(|b| b.cidr.to_string())
                .ok_or_else(|| format!("no block holds {ip}"))
        }
        Truth::Mtu { at, device } => {
            if let Some(dp) = state.node_dataplane(at) {
                return dp
                    .links
                    .iter()
                    .find(|l| &l.name == device)
                    .map(|l| l.mtu.to_string())
                    .ok_or_else(|| format!("{at} has no device {device}"));
            }
            pod_mtu(state, at).map(|m| m.to_string())
        }
        Truth::NodeAddress { node } => {
            let n = state
                .cluster
                .node_by_name(node)
                .ok_or_else(|| format!("no node {node}"))?;
            Ok(state.node_addresses[n]
                .address
                .map_or("none".to_string(), |a| a.ip().to_string()))
        }
        Truth::RouteDevice { at, to } => {
            let to: Ipv4Addr = to
                .parse()
                .map_err(|_| format!("{to} is not an IPv4 address"))?;
            route_device(state, at, to)
        }
    }
}
