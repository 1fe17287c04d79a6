//! Finding the line of a field path (`spec.nodes[1].interfaces[0].address`) in YAML text.
//!
//! The deserialiser does not keep positions of values, so semantic errors found later
//! ask this locator instead. It understands block mappings and sequences and looks into
//! one-line flow collections (`- {name: a, node: n1}`); when the path goes deeper than it
//! can follow, it returns the deepest line it found. Only used on the error path.

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

/// Splits `a.b[2]."x.y/z"` into keys and indices.
fn segments(path: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        rest = rest.trim_start_matches('.');
        if let Some(after) = rest.strip_prefix('"') {
            let end = after.find('"').unwrap_or(after.len());
            out.push(Segment::Key(after[..end].to_string()));
            rest = after.get(end + 1..).unwrap_or("");
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']').unwrap_or(after.len());
            if let Ok(i) = after[..end].parse() {
                out.push(Segment::Index(i));
            }
            rest = after.get(end + 1..).unwrap_or("");
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            out.push(Segment::Key(rest[..end].to_string()));
            rest = &rest[end..];
        }
    }
    out
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_content(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && !t.starts_with('#')
}

/// Does `text` start with `key:` (bare or quoted)?
fn starts_with_key(text: &str, key: &str) -> bool {
    [key.to_string(), format!("\"{key}\""), format!("'{key}'")]
        .iter()
        .any(|k| {
            text.strip_prefix(k.as_str())
                .is_some_and(|r| r.starts_with(':'))
        })
}

/// Does a one-line flow collection on `text` contain `key:`?
fn flow_has_key(text: &str, key: &str) -> bool {
    text.match_indices(key).any(|(at, _)| {
        let before = text[..at].trim_end_matches([' ', '"', '\'']);
        let after = text[at + key.len()..].trim_start_matches(['"', '\'']);
        (before.ends_with('{') || before.ends_with(',')) && after.starts_with(':')
    })
}

/// Column where a line's mapping key starts (after indentation and one `- `).
fn key_column(line: &str) -> usize {
    let body = line.trim_start_matches(' ');
    let body = body
        .strip_prefix("- ")
        .map(|b| b.trim_start_matches(' '))
        .unwrap_or(body);
    line.len() - body.len()
}

/// The value after `key:` on `line`, if the value is written on the same line.
fn inline_value(line: &str) -> bool {
    let rest = line.split_once(':').map(|(_, r)| r.trim()).unwrap_or("");
    !rest.is_empty() && !rest.starts_with('#')
}

/// The 0-based line within `text` where `path` is written, as near as can be told.
pub fn locate(text: &str, path: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    // The lines holding the current value; `inline`: it is written on line `start` itself.
    let (mut start, mut end, mut inline) = (0, lines.len(), false);
    let mut found = None;
    for seg in segments(path) {
        let content = |i: &usize| is_content(lines[*i]);
        match seg {
            Segment::Key(key) => {
                if inline {
                    return if flow_has_key(lines[start], &key) {
                        Some(start)
                    } else {
                        found
                    };
                }
                let first = (start..end).find(content)?;
                let map_col = key_column(lines[first]);
                let line = (first..end).filter(content).find(|&i| {
                    key_column(lines[i]) == map_col
                        && (i == first || indent(lines[i]) == map_col)
                        && starts_with_key(&lines[i][map_col..], &key)
                })?;
                found = Some(line);
                let col = key_column(lines[line]);
                let value_end = (line + 1..end)
                    .filter(content)
                    .find(|&i| {
                        let (n, item) = (indent(lines[i]), lines[i].trim_start().starts_with("- "));
                        n < col || (n == col && !item)
                    })
                    .unwrap_or(end);
                inline = inline_value(&lines[line][col..]);
                (start, end) = if inline {
                    (line, line + 1)
                } else {
                    (line + 1, value_end)
                };
            }
            Segment::Index(n) => {
                if inline {
                    return found;
                }
                let first = (start..end).find(content)?;
                let item_indent = indent(lines[first]);
                let items: Vec<usize> = (first..end)
                    .filter(|&i| {
                        indent(lines[i]) == item_indent && lines[i].trim_start().starts_with("- ")
                    })
                    .collect();
                let Some(&line) = items.get(n) else {
                    return found;
                };
                found = Some(line);
                let body = lines[line].trim_start()[2..].trim_start();
                inline = body.starts_with('{') || body.starts_with('[');
                (start, end) = (line, items.get(n + 1).copied().unwrap_or(end));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "apiVersion: calisim.dev/v1alpha1
kind: Cluster
metadata:
  name: t
spec:
  networks:
    - {name: lan, cidr: 192.168.1.0/24}
  nodes:
    - name: n1
      interfaces:
        - {name: eth0, network: lan, address: 192.168.1.11}
    - name: n2
      interfaces:
        - name: eth0
          network: wan
  pods:
    - {name: a, node: n1}
    - {name: b, node: n9}
";

    #[test]
    fn follows_block_and_flow_collections() {
        assert_eq!(locate(DOC, "metadata.name"), Some(3));
        assert_eq!(locate(DOC, "spec.networks[0].cidr"), Some(6));
        assert_eq!(locate(DOC, "spec.nodes[0].interfaces[0].address"), Some(10));
        assert_eq!(locate(DOC, "spec.nodes[1].interfaces[0].network"), Some(14));
        assert_eq!(locate(DOC, "spec.nodes[1].name"), Some(11));
        assert_eq!(locate(DOC, "spec.pods[1].node"), Some(17));
    }

    #[test]
    fn stops_at_the_deepest_line_it_can_find() {
        assert_eq!(locate(DOC, "spec.pods[5].node"), Some(15));
        assert_eq!(locate(DOC, "nothing.here"), None);
    }

    #[test]
    fn quoted_keys_with_dots() {
        let doc =
            "metadata:\n  name: p\n  annotations:\n    cni.projectcalico.org/ipv4pools: nope\n";
        assert_eq!(
            locate(
                doc,
                "metadata.annotations.\"cni.projectcalico.org/ipv4pools\""
            ),
            Some(3)
        );
    }
}
