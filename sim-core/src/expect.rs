//! Checks a design's `Expectations` against the computed cluster (`calisim validate`):
//! each promise passes or fails with the evidence a reviewer needs.

use serde::Serialize;

use crate::model::{Expectations, Reachability, SessionExpectation};
use crate::state::ClusterState;
use crate::walker::{parse_endpoint, protocol_name, Probe, Trace, Verdict, Walker};

/// One checked promise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// The Expectations document it comes from.
    pub document: String,
    /// `reachability`, `sessions` or `lints`.
    pub group: &'static str,
    /// The promise in words.
    pub name: String,
    pub passed: bool,
    /// What the simulator found.
    pub evidence: String,
}

/// Every promise of every Expectations document, in document order.
pub fn check(state: &ClusterState) -> Vec<Check> {
    let walker = Walker::new(state);
    let lints = crate::lint::lints(state);
    let mut out = Vec::new();
    for doc in &state.cluster.expectations {
        out.extend(reachability(&walker, doc));
        out.extend(sessions(state, doc));
        for id in &doc.lints_absent {
            let o = lint_absent_outcome(&lints, id);
            out.push(Check {
                document: doc.name.clone(),
                group: "lints",
                name: format!("lint {id} absent"),
                passed: o.passed,
                evidence: o.evidence,
            });
        }
    }
    out
}

/// Whether a connection works: the request delivered and its reply back.
pub fn connects(t: &Trace) -> bool {
    t.verdict == Verdict::Delivered
        && t.reply
            .as_ref()
            .is_none_or(|r| r.verdict == Verdict::Delivered)
}

/// Whether a promise holds, and what the simulator found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub passed: bool,
    pub evidence: String,
    /// What failed and where, without the simulator's explanation (which often names the
    /// fix): what a grader may show a student.
    pub brief: String,
}

impl Outcome {
    /// An outcome whose evidence is a plain observation (safe to show a student).
    pub fn observed(passed: bool, evidence: String) -> Self {
        Self {
            passed,
            brief: evidence.clone(),
            evidence,
        }
    }
}

fn reachability<'a>(
    walker: &'a Walker<'_>,
    doc: &'a Expectations,
) -> impl Iterator<Item = Check> + 'a {
    doc.reachability.iter().map(move |r| {
        let o = reachability_outcome(walker, r, None);
        Check {
            document: doc.name.clone(),
            group: "reachability",
            name: describe(r),
            passed: o.passed,
            evidence: o.evidence,
        }
    })
}

/// One reachability promise, walked with a packet of `size` bytes (default: ping-sized).
pub fn reachability_outcome(walker: &Walker<'_>, r: &Reachability, size: Option<u32>) -> Outcome {
    let state = walker.state();
    let fail = |evidence: String| Outcome {
        passed: false,
        brief: evidence.clone(),
        evidence,
    };
    let (from, to) = match (parse_endpoint(state, &r.from), parse_endpoint(state, &r.to)) {
        (Ok(f), _) if f.is_destination_only() => {
            return fail(format!(
                "{} cannot send: a source must be a pod, a node or an external host",
                r.from
            ))
        }
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => return fail(e),
    };
    let mut probe = Probe::new(from, to, r.proto, r.port);
    if let Some(size) = size {
        probe.size = size;
    }
    let t = walker.trace(&probe);
    let works = connects(&t);
    let mut failures = Vec::new();
    if let Some(allow) = r.allow {
        if allow != works {
            failures.push(if works {
                "the connection is allowed".to_string()
            } else {
                "the connection fails".to_string()
            });
        }
    }
    if let Some(via) = r.via {
        if t.verdict != Verdict::Delivered {
            failures.push("no path: the packet is dropped".into());
        } else if t.encapsulation() != via.as_str() {
            failures.push(format!("the path is {}", t.encapsulation()));
        }
    }
    if let Some(through) = &r.through {
        if !t.passes_through(through) {
            failures.push(format!("the path does not cross {through}"));
        }
    }
    let died = |t: &Trace| {
        t.hops
            .last()
            .filter(|_| t.verdict == Verdict::Dropped)
            .map(|h| format!("dropped at {}", h.at))
    };
    let at = died(&t)
        .or_else(|| {
            t.reply
                .as_deref()
                .and_then(|r| died(r).map(|d| format!("the reply is {d}")))
        })
        .unwrap_or_else(|| format!("delivered via {}", t.encapsulation()));
    Outcome {
        passed: failures.is_empty(),
        brief: if failures.is_empty() {
            at
        } else {
            format!("{} ({at})", failures.join("; "))
        },
        evidence: evidence(&t, &failures),
    }
}

/// A reachability promise in words.
pub fn describe(r: &Reachability) -> String {
    let port = r.port.map(|p| format!("/{p}")).unwrap_or_default();
    let mut what = Vec::new();
    if let Some(allow) = r.allow {
        what.push(if allow {
            "allow".to_string()
        } else {
            "deny".to_string()
        });
    }
    if let Some(via) = r.via {
        what.push(format!("via {}", via.as_str()));
    }
    if let Some(t) = &r.through {
        what.push(format!("through {t}"));
    }
    format!(
        "{} → {} {}{port}: {}",
        r.from,
        r.to,
        protocol_name(r.proto),
        what.join(", ")
    )
}

/// The trace's outcome in a line, and why it does not meet the promise.
fn evidence(t: &Trace, failures: &[String]) -> String {
    let places: Vec<&str> = {
        let mut v: Vec<&str> = t.hops.iter().map(|h| h.at.as_str()).collect();
        v.dedup();
        v
    };
    let outcome = match (&t.verdict, &t.reason, &t.reply) {
        (Verdict::Dropped, Some(why), _) => format!("dropped: {why}"),
        (Verdict::Delivered, _, Some(reply)) if reply.verdict == Verdict::Dropped => format!(
            "delivered ({}), but the reply is dropped: {}",
            places.join(" → "),
            reply.reason.as_deref().unwrap_or("")
        ),
        _ => format!(
            "delivered via {} ({})",
            t.encapsulation(),
            places.join(" → ")
        ),
    };
    if failures.is_empty() {
        outcome
    } else {
        format!("{}: {outcome}", failures.join("; "))
    }
}

fn sessions<'a>(
    state: &'a ClusterState,
    doc: &'a Expectations,
) -> impl Iterator<Item = Check> + 'a {
    doc.sessions.iter().map(move |e| {
        let o = session_outcome(state, e);
        Check {
            document: doc.name.clone(),
            group: "sessions",
            name: format!("session {} → {}: {}", e.node, e.peer, e.state),
            passed: o.passed,
            evidence: o.evidence,
        }
    })
}

/// A BGP session promise: the node's session with that peer shows that state.
pub fn session_outcome(state: &ClusterState, e: &SessionExpectation) -> Outcome {
    let node = state.cluster.node_by_name(&e.node);
    let session = node.and_then(|n| {
        state
            .bgp
            .sessions_of(n)
            .find(|s| s.peering.peer_ip == e.peer)
    });
    match session {
        None => {
            let evidence = format!("node {} has no BGP session with {}", e.node, e.peer);
            Outcome {
                passed: false,
                brief: evidence.clone(),
                evidence,
            }
        }
        Some(s) => {
            let first = s.state.info.split_whitespace().next().unwrap_or("");
            let why = s
                .state
                .why
                .as_deref()
                .map(|w| format!(": {w}"))
                .unwrap_or_default();
            Outcome {
                passed: s.state.info == e.state || first == e.state,
                brief: format!("{} {}", s.state.state, s.state.info),
                evidence: format!("{} {}{why}", s.state.state, s.state.info),
            }
        }
    }
}

/// A lint promise: `id` is not raised.
pub fn lint_absent_outcome(lints: &[crate::diag::Diagnostic], id: &str) -> Outcome {
    let found: Vec<&str> = lints
        .iter()
        .filter(|d| d.lint.as_deref() == Some(id))
        .map(|d| d.message.as_str())
        .collect();
    Outcome {
        passed: found.is_empty(),
        brief: if found.is_empty() {
            "not raised".into()
        } else {
            format!("{id} is raised")
        },
        evidence: if found.is_empty() {
            "not raised".into()
        } else {
            found.join("; ")
        },
    }
}
/// The report `calisim validate` prints.
pub fn render(checks: &[Check]) -> String {
    let failed = checks.iter().filter(|c| !c.passed).count();
    let mut out = String::new();
    for c in checks {
        out.push_str(&format!(
            "{}  {}: {}\n      {}\n",
            if c.passed { "PASS" } else { "FAIL" },
            c.group,
            c.name,
            c.evidence
        ));
    }
    out.push_str(&format!(
        "{} expectation(s): {} passed, {failed} failed\n",
        checks.len(),
        checks.len() - failed
    ));
    out
}
