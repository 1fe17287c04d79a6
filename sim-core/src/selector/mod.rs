//! The Calico selector language (parse, evaluate, canonical form, UID); pure, no I/O.
//!
//! A faithful port of libcalico-go's `lib/selector` at HEAD: `tokenizer` turns text into Calico's
//! token kinds (with columns), `parser` builds the `ast`, and `Selector` wraps the tree with
//! evaluation against any [`Labels`] view and Calico's canonical `String()`/`UniqueID()`.
//! The only intended difference from Calico is that errors carry a precise message and column,
//! plus a nesting limit ([`MAX_NESTING`]) so hostile input cannot overflow the stack.

mod ast;
mod parser;
mod tokenizer;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::BuildHasher;
use std::str::FromStr;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest, Sha224};

pub use parser::MAX_NESTING;
pub use tokenizer::{tokenize, Token, TokenKind, MAX_LABEL_LENGTH};

/// Read-only view of a label set. Implement it for layered views (e.g. endpoint labels over
/// inherited namespace labels) so selectors can be evaluated without building a merged map.
pub trait Labels {
    fn get(&self, key: &str) -> Option<&str>;
}

impl Labels for BTreeMap<String, String> {
    fn get(&self, key: &str) -> Option<&str> {
        BTreeMap::get(self, key).map(String::as_str)
    }
}

impl<S: BuildHasher> Labels for HashMap<String, String, S> {
    fn get(&self, key: &str) -> Option<&str> {
        HashMap::get(self, key).map(String::as_str)
    }
}

impl<T: Labels + ?Sized> Labels for &T {
    fn get(&self, key: &str) -> Option<&str> {
        (**self).get(key)
    }
}

/// A parsed selector. Equality is equality of canonical forms, as in Calico (`Selector.Equal`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Selector {
    root: ast::Node,
}

impl Selector {
    /// Parses Calico selector syntax; empty or blank (spaces/tabs) input means `all()`.
    pub fn parse(input: &str) -> Result<Selector, SelectorError> {
        parser::parse(input).map(|root| Selector { root })
    }

    /// The selector that matches everything (`all()`), e.g. a default node selector.
    pub fn all() -> Selector {
        Selector {
            root: ast::Node::All,
        }
    }

    /// Evaluates against a label set. Absent labels make `==`, `in`, `contains`,
    /// `starts with`, `ends with` and `has` false but `!=` and `not in` true.
    pub fn matches(&self, labels: &impl Labels) -> bool {
        self.root.evaluate(labels)
    }

    /// Calico's canonical `String()` form, used for dedup and as the UID input.
    pub fn canonical(&self) -> String {
        let mut out = String::new();
        self.root.write_canonical(&mut out);
        out
    }

    /// Calico's `UniqueID()`: `"s:"` + unpadded base64url(SHA-224(`"s:"` + canonical)).
    pub fn unique_id(&self) -> String {
        let digest = Sha224::digest(format!("s:{}", self.canonical()).as_bytes());
        format!("s:{}", URL_SAFE_NO_PAD.encode(digest))
    }

    /// True when the selector is exactly `all()` (also after dropping parentheses).
    pub fn is_all(&self) -> bool {
        self.root == ast::Node::All
    }

    /// A copy with `prefix` prepended to every label key, as Calico's `PrefixVisitor` does
    /// (Calico uses it to aim a namespace selector at inherited labels, e.g. prefix `pcns.`).
    /// The prefix is not validated, exactly like Calico.
    pub fn prefix_labels(&self, prefix: &str) -> Selector {
        let mut root = self.root.clone();
        root.prefix_labels(prefix);
        Selector { root }
    }
}

impl Default for Selector {
    fn default() -> Self {
        Selector::all()
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

impl FromStr for Selector {
    type Err = SelectorError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Selector::parse(input)
    }
}

/// Why a selector was rejected. `column` is 1-based, in characters, pointing at the offending
/// character (one past the last character when the input ended too early).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} at column {column}")]
pub struct SelectorError {
    pub message: String,
    pub column: usize,
}
