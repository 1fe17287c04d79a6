//! Selector syntax tree (pure): evaluation, Calico's canonical `String()` form and label rewriting.

use super::Labels;

/// Comparison of one label against one string literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum CompareOp {
    Eq,
    Ne,
    Contains,
    StartsWith,
    EndsWith,
}

impl CompareOp {
    /// The operator as written in the canonical form, with its surrounding spaces.
    fn canonical(self) -> &'static str {
        match self {
            CompareOp::Eq => " == ",
            CompareOp::Ne => " != ",
            CompareOp::Contains => " contains ",
            CompareOp::StartsWith => " starts with ",
            CompareOp::EndsWith => " ends with ",
        }
    }

    /// Result when the label is present with `actual`.
    fn holds(self, actual: &str, expected: &str) -> bool {
        match self {
            CompareOp::Eq => actual == expected,
            CompareOp::Ne => actual != expected,
            CompareOp::Contains => actual.contains(expected),
            CompareOp::StartsWith => actual.starts_with(expected),
            CompareOp::EndsWith => actual.ends_with(expected),
        }
    }

    /// Result when the label is absent: only `!=` holds (Calico's `LabelNeValueNode`).
    fn holds_when_absent(self) -> bool {
        self == CompareOp::Ne
    }
}

/// One node of a parsed selector, mirroring Calico's `parser.*Node` types.
///
/// Structure is canonical by construction (parentheses dropped, `!!` collapsed, sets sorted and
/// deduplicated), so derived equality agrees with Calico's equality of `String()`s.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum Node {
    All,
    Global,
    Has(String),
    Compare {
        label: String,
        op: CompareOp,
        value: String,
    },
    /// `label in {…}` (`negated == false`) or `label not in {…}`; `values` sorted, no duplicates.
    InSet {
        label: String,
        negated: bool,
        values: Vec<String>,
    },
    Not(Box<Node>),
    And(Vec<Node>),
    Or(Vec<Node>),
}

impl Node {
    pub(super) fn evaluate(&self, labels: &impl Labels) -> bool {
        match self {
            Node::All | Node::Global => true,
            Node::Has(label) => labels.get(label).is_some(),
            Node::Compare { label, op, value } => match labels.get(label) {
                Some(actual) => op.holds(actual, value),
                None => op.holds_when_absent(),
            },
            Node::InSet {
                label,
                negated,
                values,
            } => match labels.get(label) {
                Some(actual) => {
                    values.binary_search_by(|v| v.as_str().cmp(actual)).is_ok() != *negated
                }
                None => *negated,
            },
            Node::Not(inner) => !inner.evaluate(labels),
            Node::And(operands) => operands.iter().all(|n| n.evaluate(labels)),
            Node::Or(operands) => operands.iter().any(|n| n.evaluate(labels)),
        }
    }

    /// Appends Calico's `String()` rendering (`collectFragments`).
    pub(super) fn write_canonical(&self, out: &mut String) {
        match self {
            Node::All => out.push_str("all()"),
            Node::Global => out.push_str("global()"),
            Node::Has(label) => {
                out.push_str("has(");
                out.push_str(label);
                out.push(')');
            }
            Node::Compare { label, op, value } => {
                out.push_str(label);
                out.push_str(op.canonical());
                push_quoted(out, value);
            }
            Node::InSet {
                label,
                negated,
                values,
            } => write_set(out, label, *negated, values),
            Node::Not(inner) => {
                out.push('!');
                inner.write_canonical(out);
            }
            Node::And(operands) => write_joined(out, operands, " && "),
            Node::Or(operands) => write_joined(out, operands, " || "),
        }
    }

    /// Prepends `prefix` to every label key, as Calico's `PrefixVisitor` does.
    pub(super) fn prefix_labels(&mut self, prefix: &str) {
        match self {
            Node::All | Node::Global => {}
            Node::Has(label) | Node::Compare { label, .. } | Node::InSet { label, .. } => {
                label.insert_str(0, prefix)
            }
            Node::Not(inner) => inner.prefix_labels(prefix),
            Node::And(operands) | Node::Or(operands) => {
                operands.iter_mut().for_each(|n| n.prefix_labels(prefix))
            }
        }
    }
}

/// Quotes a literal the way Calico prints it: `'…'` only if it contains `"`, otherwise `"…"`.
/// (A literal can never contain both quote characters, as the language has no escapes.)
pub(super) fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    push_quoted(&mut out, value);
    out
}

fn push_quoted(out: &mut String, value: &str) {
    let q = if value.contains('"') { '\'' } else { '"' };
    out.push(q);
    out.push_str(value);
    out.push(q);
}

fn write_set(out: &mut String, label: &str, negated: bool, values: &[String]) {
    out.push_str(label);
    out.push_str(if negated { " not in {" } else { " in {" });
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        push_quoted(out, value);
    }
    out.push('}');
}

/// `&&` and `||` groups are always parenthesised in the canonical form.
fn write_joined(out: &mut String, operands: &[Node], separator: &str) {
    out.push('(');
    for (i, node) in operands.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        node.write_canonical(out);
    }
    out.push(')');
}
