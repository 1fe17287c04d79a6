//! One YAML document as a tree of nodes with their locations, built from granit-parser's
//! events: aliases expanded, merge keys (`<<`) applied, duplicate keys refused.

use std::collections::HashMap;

use granit_parser::{Event, Parser, ScalarStyle, Span, Tag};

use super::{Error, Location};

/// A node of the document and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub location: Location,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
    /// A document with no content at all: an empty mapping, sequence or null as asked.
    Empty,
}

/// A scalar as written (after YAML escapes and folding); typed only when read.
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    pub text: String,
    /// Plain (unquoted, not a block scalar): only plain scalars are typed implicitly.
    pub plain: bool,
    pub tag: ScalarTag,
}

/// The scalar tags that change how a scalar is read; other tags are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarTag {
    None,
    /// `!!str` or the non-specific `!`: text, even if it looks like null.
    Str,
    Null,
    Bool,
    Int,
    Float,
}

impl ScalarTag {
    fn of(tag: Option<&Tag>) -> Self {
        let Some(tag) = tag else {
            return Self::None;
        };
        if tag.parts() == ("!", "") {
            return Self::Str;
        }
        match tag.core_suffix() {
            Some("str") => Self::Str,
            Some("null") => Self::Null,
            Some("bool") => Self::Bool,
            Some("int") => Self::Int,
            Some("float") => Self::Float,
            _ => Self::None,
        }
    }
}

impl Scalar {
    /// Null as YAML reads it: `!!null`, or a plain `~`/`null`/empty without a type tag.
    pub fn is_null(&self) -> bool {
        self.tag == ScalarTag::Null
            || (self.tag == ScalarTag::None && self.plain && super::scalar::is_nullish(&self.text))
    }
}

/// Nodes that aliases may copy in one document, against "billion laughs" inputs.
const MAX_ALIAS_NODES: usize = 1_000_000;

/// A collection being read.
enum Open {
    Seq(Node, Vec<Node>),
    Map(Node, Vec<(Node, Node)>, Option<Node>),
}

/// What the tree builder has read so far.
struct Builder {
    stack: Vec<(Open, usize)>,
    anchors: HashMap<usize, Node>,
    alias_nodes: usize,
    root: Option<Node>,
}

/// Parses one document. A second document in the text is an error.
pub fn parse(text: &str) -> Result<Node, Error> {
    let mut b = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_nodes: 0,
        root: None,
    };
    let mut documents = 0;
    let mut end = Location { line: 1, column: 1 };
    for event in Parser::new_from_str(text) {
        let (event, span) =
            event.map_err(|e| Error::at(e.info(), Location::from_marker(e.marker())))?;
        let at = Location::from_marker(&span.start);
        end = at;
        match event {
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    return Err(Error::at(
                        "multiple YAML documents detected; one document was expected here",
                        at,
                    ));
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let scalar = Scalar {
                    text: text.into_owned(),
                    plain: style == ScalarStyle::Plain,
                    tag: ScalarTag::of(tag.as_deref()),
                };
                b.complete(node(at, Kind::Scalar(scalar)), anchor);
            }
            Event::SequenceStart(_, anchor, _) => {
                b.stack
                    .push((Open::Seq(node(at, Kind::Empty), Vec::new()), anchor));
            }
            Event::MappingStart(_, anchor, _) => {
                b.stack
                    .push((Open::Map(node(at, Kind::Empty), Vec::new(), None), anchor));
            }
            Event::SequenceEnd | Event::MappingEnd => b.close(&span)?,
            Event::Alias(id) => {
                let target = b
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| Error::at("alias references unknown anchor", at))?;
                b.alias_nodes += target.count();
                if b.alias_nodes > MAX_ALIAS_NODES {
                    return Err(Error::at(
                        format!("aliases expand to more than {MAX_ALIAS_NODES} nodes"),
                        at,
                    ));
                }
                b.complete(target, 0);
            }
            _ => {}
        }
    }
    // An empty document's errors point at its end, where content was expected.
    Ok(b.root.unwrap_or(Node {
        location: end,
        kind: Kind::Empty,
    }))
}

fn node(location: Location, kind: Kind) -> Node {
    Node { location, kind }
}

impl Builder {
    /// A finished node goes to its anchor (if any) and into the open collection.
    fn complete(&mut self, done: Node, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, done.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(done),
            Some((Open::Seq(_, items), _)) => items.push(done),
            Some((Open::Map(_, entries, key), _)) => match key.take() {
                None => *key = Some(done),
                Some(k) => entries.push((k, done)),
            },
        }
    }

    fn close(&mut self, span: &Span) -> Result<(), Error> {
        let Some((open, anchor)) = self.stack.pop() else {
            return Err(Error::at(
                "list or mapping end with no start",
                Location::from_marker(&span.start),
            ));
        };
        let done = match open {
            Open::Seq(mut n, items) => {
                n.kind = Kind::Seq(items);
                n
            }
            Open::Map(mut n, entries, _) => {
                n.kind = Kind::Map(merge(entries)?);
                n
            }
        };
        self.complete(done, anchor);
        Ok(())
    }
}

impl Node {
    /// Nodes in this subtree, to bound alias expansion.
    fn count(&self) -> usize {
        1 + match &self.kind {
            Kind::Seq(items) => items.iter().map(Node::count).sum(),
            Kind::Map(entries) => entries.iter().map(|(k, v)| k.count() + v.count()).sum(),
            _ => 0,
        }
    }

    /// The key text used to detect duplicates and overrides; None for complex keys.
    fn key_text(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar(s) => Some(&s.text),
            _ => None,
        }
    }

    fn is_merge_key(&self) -> bool {
        matches!(&self.kind, Kind::Scalar(s) if s.plain && s.text == "<<")
    }
}

/// Applies merge keys and refuses duplicate keys. Keys written in the mapping win over
/// merged ones; among merged mappings the first that has a key wins.
fn merge(entries: Vec<(Node, Node)>) -> Result<Vec<(Node, Node)>, Error> {
    let mut own: Vec<(Node, Node)> = Vec::with_capacity(entries.len());
    let mut merged: Vec<(Node, Node)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (key, value) in entries {
        if key.is_merge_key() {
            let sources = match value.kind {
                Kind::Map(m) => vec![m],
                Kind::Seq(items) => items
                    .into_iter()
                    .map(|item| match item.kind {
                        Kind::Map(m) => Ok(m),
                        _ => Err(merge_error(item.location)),
                    })
                    .collect::<Result<_, _>>()?,
                _ => return Err(merge_error(value.location)),
            };
            merged.extend(sources.into_iter().flatten());
            continue;
        }
        if let Some(text) = key.key_text() {
            if !seen.insert(text.to_string()) {
                return Err(Error::at(
                    format!("duplicate mapping key `{text}`"),
                    key.location,
                ));
            }
        }
        own.push((key, value));
    }
    for (key, value) in merged {
        match key.key_text() {
            Some(text) if !seen.insert(text.to_string()) => {}
            _ => own.push((key, value)),
        }
    }
    Ok(own)
}

fn merge_error(location: Location) -> Error {
    Error::at(
        "YAML merge value must be mapping or sequence of mappings",
        location,
    )
}
