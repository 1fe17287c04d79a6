//! A [`ClusterDiff`] in words: plain text for terminals and CI logs (every change), and
//! Markdown for a pull-request comment (a summary table, then a collapsible section per
//! kind of change, long lists cut short so the comment stays under GitHub's size limit).

use std::fmt::Write;

use super::{
    AddressChange, ClusterDiff, Finding, PairChange, PathChange, PodAddress, SessionChange,
    SessionView, TunnelChange,
};

/// GitHub refuses comments over 65,536 characters; leave room for a caller's own words.
const MARKDOWN_BUDGET: usize = 60_000;
/// Sections with at most this many entries are shown open.
const OPEN_UP_TO: usize = 10;

const NOTHING: &str = "no changes to reachability, paths, routes, BGP sessions, IPAM or lints";

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn address(a: &Option<PodAddress>) -> String {
    match a {
        Some(PodAddress {
            address,
            block: Some(block),
        }) => format!("{address} (block {block})"),
        Some(PodAddress {
            address,
            block: None,
        }) => address.to_string(),
        None => "no address".into(),
    }
}

fn address_change(c: &AddressChange) -> String {
    format!("{}: {} → {}", c.pod, address(&c.before), address(&c.after))
}

fn tunnel_change(t: &TunnelChange) -> String {
    let show = |a: Option<core::net::IpAddr>| a.map_or("none".to_string(), |a| a.to_string());
    format!(
        "{} on {}: {} → {}",
        t.device,
        t.node,
        show(t.before),
        show(t.after)
    )
}

fn session(v: &Option<SessionView>) -> String {
    match v {
        None => "not configured".into(),
        Some(v) => {
            let mut s = format!("{} {} ({})", v.state, v.info, v.peer_type);
            if let Some(why) = &v.why {
                let _ = write!(s, ": {why}");
            }
            s
        }
    }
}

fn session_peer(c: &SessionChange) -> String {
    match c.port {
        Some(port) => format!("{} peer {}:{port}", c.node, c.peer),
        None => format!("{} peer {}", c.node, c.peer),
    }
}

fn finding(f: &Finding) -> String {
    match &f.resource {
        Some(r) => format!("[{}] {r}: {}", f.lint, f.message),
        None => format!("[{}] {}", f.lint, f.message),
    }
}

fn path_change(p: &PathChange) -> String {
    format!(
        "{} → {} ({})",
        p.before.encapsulation,
        p.after.encapsulation,
        count(p.pairs.len(), "pair", "pairs")
    )
}

fn path_pairs(d: &ClusterDiff) -> usize {
    d.paths.iter().map(|p| p.pairs.len()).sum()
}

fn route_counts(d: &ClusterDiff) -> (usize, usize) {
    d.routes
        .iter()
        .fold((0, 0), |(a, r), n| (a + n.added.len(), r + n.removed.len()))
}

fn ipam_summary(i: &super::IpamDiff) -> String {
    let parts = [
        (
            i.pods.len(),
            count(i.pods.len(), "pod", "pods") + " readdressed",
        ),
        (
            i.tunnels.len(),
            count(i.tunnels.len(), "tunnel address", "tunnel addresses") + " changed",
        ),
        (
            i.new_failures.len(),
            count(
                i.new_failures.len(),
                "allocation failure",
                "allocation failures",
            ) + " new",
        ),
        (
            i.resolved_failures.len(),
            count(
                i.resolved_failures.len(),
                "allocation failure",
                "allocation failures",
            ) + " resolved",
        ),
    ];
    let said: Vec<String> = parts
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(_, s)| s)
        .collect();
    said.join(", ")
}

/// One summary line per section that changed.
fn summary(d: &ClusterDiff) -> Vec<(&'static str, String)> {
    let mut rows = Vec::new();
    let membership =
        |m: &super::Membership| format!("{} added, {} removed", m.added.len(), m.removed.len());
    if !d.pods.is_empty() {
        rows.push(("pods", membership(&d.pods)));
    }
    if !d.nodes.is_empty() {
        rows.push(("nodes", membership(&d.nodes)));
    }
    let r = &d.reachability;
    if !r.is_empty() {
        rows.push((
            "reachability",
            format!(
                "{} newly denied, {} newly allowed",
                count(r.newly_denied.len(), "pair", "pairs"),
                r.newly_allowed.len()
            ),
        ));
    }
    if !d.paths.is_empty() {
        rows.push((
            "paths",
            format!("{} changed", count(path_pairs(d), "pair", "pairs")),
        ));
    }
    if !d.routes.is_empty() {
        let (added, removed) = route_counts(d);
        rows.push((
            "routes",
            format!(
                "{} added, {removed} removed on {}",
                count(added, "line", "lines"),
                count(d.routes.len(), "node", "nodes")
            ),
        ));
    }
    if !d.sessions.is_empty() {
        rows.push(("BGP sessions", format!("{} changed", d.sessions.len())));
    }
    if !d.ipam.is_empty() {
        rows.push(("IPAM", ipam_summary(&d.ipam)));
    }
    if !d.lints.is_empty() {
        rows.push((
            "lints",
            format!(
                "{} new, {} resolved",
                d.lints.new.len(),
                d.lints.resolved.len()
            ),
        ));
    }
    rows
}

/// Every change, for a terminal or a CI log.
pub fn text(d: &ClusterDiff, before: &str, after: &str) -> String {
    let mut out = format!("calisim diff {before} → {after}\n");
    if d.is_empty() {
        let _ = writeln!(out, "{NOTHING}");
        return out;
    }
    let _ = writeln!(out, "probes: {}", d.probes.join(", "));
    for (what, line) in summary(d) {
        let _ = writeln!(out, "  {what}: {line}");
    }
    for (title, m) in [("pods", &d.pods), ("nodes", &d.nodes)] {
        if !m.is_empty() {
            let _ = writeln!(out, "\n{title}:");
            for name in &m.removed {
                let _ = writeln!(out, "  - {name}");
            }
            for name in &m.added {
                let _ = writeln!(out, "  + {name}");
            }
        }
    }
    let pairs = |out: &mut String, title: &str, list: &[PairChange]| {
        if list.is_empty() {
            return;
        }
        let _ = writeln!(out, "\n{title}:");
        for c in list {
            let _ = writeln!(out, "  {} → {} {}", c.from, c.to, c.probe);
            let _ = writeln!(out, "    before: {}", c.before);
            let _ = writeln!(out, "    after:  {}", c.after);
        }
    };
    pairs(&mut out, "newly denied", &d.reachability.newly_denied);
    pairs(&mut out, "newly allowed", &d.reachability.newly_allowed);
    if !d.paths.is_empty() {
        let _ = writeln!(out, "\npaths:");
        for p in &d.paths {
            let _ = writeln!(out, "  {}", path_change(p));
            if let (Some(b), Some(a)) = (&p.before.places, &p.after.places) {
                let _ = writeln!(out, "    before: {b}");
                let _ = writeln!(out, "    after:  {a}");
            }
            for pair in &p.pairs {
                let _ = writeln!(out, "    {} → {}", pair.from, pair.to);
            }
        }
    }
    if !d.routes.is_empty() {
        let _ = writeln!(out, "\nroutes:");
        for n in &d.routes {
            let _ = writeln!(out, "  {}:", n.node);
            for l in &n.removed {
                let _ = writeln!(out, "    - {l}");
            }
            for l in &n.added {
                let _ = writeln!(out, "    + {l}");
            }
        }
    }
    if !d.sessions.is_empty() {
        let _ = writeln!(out, "\nBGP sessions:");
        for c in &d.sessions {
            let _ = writeln!(out, "  {}", session_peer(c));
            let _ = writeln!(out, "    before: {}", session(&c.before));
            let _ = writeln!(out, "    after:  {}", session(&c.after));
        }
    }
    if !d.ipam.is_empty() {
        let _ = writeln!(out, "\nIPAM:");
        for c in &d.ipam.pods {
            let _ = writeln!(out, "  {}", address_change(c));
        }
        for t in &d.ipam.tunnels {
            let _ = writeln!(out, "  {}", tunnel_change(t));
        }
        for f in &d.ipam.new_failures {
            let _ = writeln!(out, "  new failure: {f}");
        }
        for f in &d.ipam.resolved_failures {
            let _ = writeln!(out, "  resolved failure: {f}");
        }
    }
    if !d.lints.is_empty() {
        let _ = writeln!(out, "\nlints:");
        for f in &d.lints.new {
            let _ = writeln!(out, "  + {}", finding(f));
        }
        for f in &d.lints.resolved {
            let _ = writeln!(out, "  - {}", finding(f));
        }
    }
    out
}

/// A pull-request comment: a summary table, then a `<details>` section per kind of change.
/// Long lists show their first entries and say how many more there are; the whole stays
/// under GitHub's comment limit.
pub fn markdown(d: &ClusterDiff, before: &str, after: &str) -> String {
    let mut limit = 50;
    loop {
        let out = markdown_with_limit(d, before, after, limit);
        if out.len() <= MARKDOWN_BUDGET || limit == 1 {
            return out;
        }
        limit /= 2;
    }
}

/// A table cell: one line, no column breaks.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn code(s: &str) -> String {
    format!("`{}`", s.replace('`', "'"))
}

struct Section<'a> {
    out: &'a mut String,
}

impl<'a> Section<'a> {
    fn open(out: &'a mut String, title: &str, summary: &str, entries: usize) -> Self {
        let open = if entries <= OPEN_UP_TO { " open" } else { "" };
        let _ = write!(
            out,
            "\n<details{open}><summary><b>{title}</b>: {summary}</summary>\n\n"
        );
        Section { out }
    }

    /// At most `limit` entries of `list`, then how many were left out.
    fn items<T>(&mut self, list: &[T], limit: usize, line: impl Fn(&T) -> String) {
        for x in list.iter().take(limit) {
            let _ = writeln!(self.out, "{}", line(x));
        }
        self.more(list.len(), limit);
    }

    fn more(&mut self, total: usize, limit: usize) {
        if total > limit {
            let _ = writeln!(
                self.out,
                "\n… and {} more (`calisim diff --format json` lists every one)",
                total - limit
            );
        }
    }
}

impl Section<'_> {
    fn close(self) {
        self.out.push_str("\n</details>\n");
    }
}

fn markdown_with_limit(d: &ClusterDiff, before: &str, after: &str, limit: usize) -> String {
    let mut out = format!("### calisim diff {} → {}\n\n", code(before), code(after));
    if d.is_empty() {
        let _ = writeln!(out, "No network changes: {NOTHING}.");
        return out;
    }
    out.push_str("| | changes |\n|---|---|\n");
    for (what, line) in summary(d) {
        let _ = writeln!(out, "| {what} | {} |", cell(&line));
    }
    let _ = writeln!(out, "\nProbes: {}.", d.probes.join(", "));
    for (title, m) in [("Pods", &d.pods), ("Nodes", &d.nodes)] {
        if m.is_empty() {
            continue;
        }
        let entries = m.added.len() + m.removed.len();
        let summary = format!("{} added, {} removed", m.added.len(), m.removed.len());
        let mut s = Section::open(&mut out, title, &summary, entries);
        s.items(&m.removed, limit, |n| format!("- removed {}", code(n)));
        s.items(&m.added, limit, |n| format!("- added {}", code(n)));
        s.close();
    }
    let r = &d.reachability;
    if !r.is_empty() {
        let summary = format!(
            "{} newly denied, {} newly allowed",
            r.newly_denied.len(),
            r.newly_allowed.len()
        );
        let mut s = Section::open(
            &mut out,
            "Reachability",
            &summary,
            r.newly_denied.len() + r.newly_allowed.len(),
        );
        let tables = [
            ("Newly denied", &r.newly_denied),
            ("Newly allowed", &r.newly_allowed),
        ];
        for (i, (title, list)) in tables
            .into_iter()
            .filter(|(_, l)| !l.is_empty())
            .enumerate()
        {
            let gap = if i > 0 { "\n" } else { "" };
            let _ = writeln!(
                s.out,
                "{gap}**{title}**\n\n| from | to | probe | before | after |\n|---|---|---|---|---|"
            );
            s.items(list, limit, |c| {
                format!(
                    "| {} | {} | {} | {} | {} |",
                    code(&c.from),
                    code(&c.to),
                    c.probe,
                    cell(&c.before),
                    cell(&c.after)
                )
            });
        }
        s.close();
    }
    if !d.paths.is_empty() {
        let pairs = path_pairs(d);
        let summary = format!("{} changed", count(pairs, "pair", "pairs"));
        let mut s = Section::open(&mut out, "Paths", &summary, pairs);
        for p in d.paths.iter().take(limit) {
            let _ = writeln!(s.out, "- **{}**", path_change(p));
            if let (Some(b), Some(a)) = (&p.before.places, &p.after.places) {
                let _ = writeln!(s.out, "  - before: {}\n  - after: {}", code(b), code(a));
            }
            let shown: Vec<String> = p
                .pairs
                .iter()
                .take(limit)
                .map(|x| code(&format!("{} → {}", x.from, x.to)))
                .collect();
            let more = match p.pairs.len().saturating_sub(limit) {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            let _ = writeln!(s.out, "  - {}{more}", shown.join(", "));
        }
        s.more(d.paths.len(), limit);
        s.close();
    }
    if !d.routes.is_empty() {
        let (added, removed) = route_counts(d);
        let summary = format!(
            "{added} added, {removed} removed on {}",
            count(d.routes.len(), "node", "nodes")
        );
        let mut s = Section::open(
            &mut out,
            "Routes (<code>ip route</code>)",
            &summary,
            added + removed,
        );
        s.out.push_str("```diff\n");
        let line_limit = limit * 4;
        let mut shown = 0;
        for n in &d.routes {
            if shown >= line_limit {
                break;
            }
            let _ = writeln!(s.out, "@@ {} @@", n.node);
            let lines = n
                .removed
                .iter()
                .map(|l| ('-', l))
                .chain(n.added.iter().map(|l| ('+', l)));
            for (sign, l) in lines.take(line_limit - shown) {
                let _ = writeln!(s.out, "{sign} {l}");
                shown += 1;
            }
        }
        s.out.push_str("```\n");
        s.more(added + removed, shown);
        s.close();
    }
    if !d.sessions.is_empty() {
        let summary = format!("{} changed", d.sessions.len());
        let mut s = Section::open(&mut out, "BGP sessions", &summary, d.sessions.len());
        s.out
            .push_str("| node and peer | before | after |\n|---|---|---|\n");
        s.items(&d.sessions, limit, |c| {
            format!(
                "| {} | {} | {} |",
                cell(&session_peer(c)),
                cell(&session(&c.before)),
                cell(&session(&c.after))
            )
        });
        s.close();
    }
    let i = &d.ipam;
    if !i.is_empty() {
        let entries =
            i.pods.len() + i.tunnels.len() + i.new_failures.len() + i.resolved_failures.len();
        let mut s = Section::open(&mut out, "IPAM", &ipam_summary(i), entries);
        s.items(&i.pods, limit, |c| {
            format!("- {}", cell(&address_change(c)))
        });
        s.items(&i.tunnels, limit, |t| {
            format!("- {}", cell(&tunnel_change(t)))
        });
        s.items(&i.new_failures, limit, |f| {
            format!("- new failure: {}", cell(&f.to_string()))
        });
        s.items(&i.resolved_failures, limit, |f| {
            format!("- resolved failure: {}", cell(&f.to_string()))
        });
        s.close();
    }
    let l = &d.lints;
    if !l.is_empty() {
        let summary = format!("{} new, {} resolved", l.new.len(), l.resolved.len());
        let mut s = Section::open(&mut out, "Lints", &summary, l.new.len() + l.resolved.len());
        s.items(&l.new, limit, |f| format!("- new {}", cell(&finding(f))));
        s.items(&l.resolved, limit, |f| {
            format!("- resolved {}", cell(&finding(f)))
        });
        s.close();
    }
    out
}
