//! One subject's facts (a device's, or the host's) as the rules read them:
//! a flat table written by the same `Serialize` impls that write the facts
//! as JSON, so that a fact reads the same here as in the report.
//!
//! Binding a device through `serde_json::to_value` cost more than the rules
//! that read it: a device's JSON is some 200 values, each allocated, with
//! every object a map of allocated keys, built and freed for every device.
//! A [`FactTree`] is three allocations (its nodes, their keys, and one
//! string of all the text), and reading a field is a scan of the object's
//! keys. [`Fact::to_json`] gives back the JSON, and the tests hold it equal
//! to `serde_json::to_value` on every test host.

use std::collections::{BTreeMap, HashMap};

use cel::common::types::{
    CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString, CelUInt,
};
use cel::common::value::Val;
use cel::objects::Key;
use cel::Value;
use serde::ser::{self, Serialize};
use serde_json::Value as Json;

use crate::facts::UNKNOWN_KEY;

/// A stretch of `FactTree::text` or `FactTree::nodes`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Span {
    start: u32,
    len: u32,
}

impl Span {
    fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.start as usize + self.len as usize
    }
}

/// An object entry's key: a struct field's name as the type has it, or a
/// map key's text. Neither is hashed nor, for a field, copied: a lookup
/// compares lengths first, and most keys differ in length.
#[derive(Clone, Copy, Debug, Default)]
pub(super) enum Name {
    /// A list element's.
    #[default]
    None,
    Static(&'static str),
    Text(Span),
}

/// One value. A list's or an object's entries are contiguous in
/// `FactTree::nodes` (an object's keys at the same indices in `keys`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Node {
    Null,
    Bool(bool),
    /// A number that fits in an i64, as serde_json and `to_cel` read it.
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(Span),
    List(Span),
    Object(Span),
}

pub struct FactTree {
    nodes: Vec<Node>,
    /// Per node in `nodes`: its key, when it is an object's entry.
    keys: Vec<Name>,
    text: String,
    root: Node,
}

/// Why a value could not be made into a tree (a number out of range, a map
/// key that is not text: nothing the facts contain).
#[derive(Debug)]
pub struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Error {
        Error(msg.to_string())
    }
}

impl FactTree {
    /// `value` as serde_json would write it.
    pub fn of<T: Serialize + ?Sized>(value: &T) -> Result<FactTree, Error> {
        build::tree(value)
    }

    pub fn root(&self) -> Fact<'_> {
        Fact {
            tree: self,
            node: self.root,
        }
    }

    pub(super) fn fact(&self, node: Node) -> Fact<'_> {
        Fact { tree: self, node }
    }

    fn text(&self, s: Span) -> &str {
        &self.text[s.range()]
    }

    fn name(&self, n: Name) -> &str {
        match n {
            Name::None => "",
            Name::Static(s) => s,
            Name::Text(s) => self.text(s),
        }
    }
}

/// One value in a [`FactTree`].
#[derive(Clone, Copy)]
pub struct Fact<'t> {
    tree: &'t FactTree,
    node: Node,
}

impl<'t> Fact<'t> {
    pub(super) fn node(self) -> Node {
        self.node
    }

    /// An object's field (the last, should a key repeat, as in JSON).
    pub fn get(self, key: &str) -> Option<Fact<'t>> {
        let Node::Object(s) = self.node else {
            return None;
        };
        self.tree.keys[s.range()]
            .iter()
            .rposition(|n| self.tree.name(*n) == key)
            .map(|i| self.tree.fact(self.tree.nodes[s.start as usize + i]))
    }

    /// If this is the serialized form of `Known::Unknown`, its reason.
    pub fn unknown_reason(self) -> Option<&'t str> {
        let Node::Object(s) = self.node else {
            return None;
        };
        if s.len != 1 {
            return None;
        }
        let i = s.start as usize;
        match (self.tree.name(self.tree.keys[i]), self.tree.nodes[i]) {
            (UNKNOWN_KEY, Node::Str(r)) => Some(self.tree.text(r)),
            _ => None,
        }
    }

    pub fn is_null(self) -> bool {
        matches!(self.node, Node::Null)
    }

    pub fn is_object(self) -> bool {
        matches!(self.node, Node::Object(_))
    }

    fn children(self) -> impl Iterator<Item = (&'t str, Fact<'t>)> {
        let (span, object) = match self.node {
            Node::List(s) => (s, false),
            Node::Object(s) => (s, true),
            _ => (Span::default(), false),
        };
        let tree = self.tree;
        span.range().map(move |i| {
            let key = if object { tree.name(tree.keys[i]) } else { "" };
            (key, tree.fact(tree.nodes[i]))
        })
    }

    /// A list's elements (nothing for anything else).
    pub(super) fn items(self) -> impl Iterator<Item = Fact<'t>> {
        let span = match self.node {
            Node::List(s) => s,
            _ => Span::default(),
        };
        let tree = self.tree;
        span.range().map(move |i| tree.fact(tree.nodes[i]))
    }

    /// An object's entries in key order, one per key (the last): the order
    /// and the entries of the JSON object.
    fn sorted_entries(self) -> BTreeMap<&'t str, Fact<'t>> {
        self.children().collect()
    }

    /// The first unknown anywhere below this value, in the JSON's order
    /// (objects by key), for explaining an evaluation error.
    pub fn first_unknown(self) -> Option<&'t str> {
        if let Some(r) = self.unknown_reason() {
            return Some(r);
        }
        match self.node {
            Node::Object(_) => self
                .sorted_entries()
                .into_values()
                .find_map(Fact::first_unknown),
            Node::List(_) => self.children().find_map(|(_, f)| f.first_unknown()),
            _ => None,
        }
    }

    /// The value as CEL reads it: an unknown fact (a list element, an
    /// object's field) is left out, so that reading it is an error.
    pub fn to_cel(self) -> Value {
        match self.node {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(b),
            Node::Int(i) => Value::Int(i),
            Node::UInt(u) => Value::UInt(u),
            Node::Float(f) => Value::Float(f),
            Node::Str(s) => Value::String(std::sync::Arc::new(self.tree.text(s).to_string())),
            Node::List(_) => Value::List(std::sync::Arc::new(
                self.children()
                    .filter(|(_, f)| f.unknown_reason().is_none())
                    .map(|(_, f)| f.to_cel())
                    .collect(),
            )),
            Node::Object(s) => {
                let mut out: HashMap<Key, Value> = HashMap::with_capacity(s.len as usize);
                // In order, so that a repeated key's last entry decides,
                // as in JSON; an unknown one is left out.
                for (k, f) in self.children() {
                    let k = Key::from(k.to_string());
                    if f.unknown_reason().is_none() {
                        out.insert(k, f.to_cel());
                    } else {
                        out.remove(&k);
                    }
                }
                Value::from(out)
            }
        }
    }

    /// What [`Fact::to_cel`] gives, as the interpreter's own value type,
    /// without the `Value` in between (which the cel crate copies twice to
    /// convert, a list of objects most of all).
    pub fn to_val(self) -> Box<dyn Val> {
        match self.node {
            Node::Null => Box::new(CelNull),
            Node::Bool(b) => Box::new(CelBool::from(b)),
            Node::Int(i) => Box::new(CelInt::from(i)),
            Node::UInt(u) => Box::new(CelUInt::from(u)),
            Node::Float(f) => Box::new(CelDouble::from(f)),
            Node::Str(s) => Box::new(CelString::from(self.tree.text(s).to_string())),
            Node::List(_) => Box::new(CelList::from(
                self.children()
                    .filter(|(_, f)| f.unknown_reason().is_none())
                    .map(|(_, f)| f.to_val())
                    .collect::<Vec<_>>(),
            )),
            Node::Object(s) => {
                let mut out: HashMap<CelMapKey, Box<dyn Val>> =
                    HashMap::with_capacity(s.len as usize);
                for (k, f) in self.children() {
                    let k = CelMapKey::from(k.to_string());
                    if f.unknown_reason().is_none() {
                        out.insert(k, f.to_val());
                    } else {
                        out.remove(&k);
                    }
                }
                Box::new(CelMap::from(out))
            }
        }
    }

    /// The value as JSON: what `serde_json::to_value` gives for it.
    pub fn to_json(self) -> Json {
        match self.node {
            Node::Null => Json::Null,
            Node::Bool(b) => Json::Bool(b),
            Node::Int(i) => Json::from(i),
            Node::UInt(u) => Json::from(u),
            Node::Float(f) => Json::from(f),
            Node::Str(s) => Json::String(self.tree.text(s).to_string()),
            Node::List(_) => Json::Array(self.children().map(|(_, f)| f.to_json()).collect()),
            Node::Object(_) => Json::Object(
                self.children()
                    .map(|(k, f)| (k.to_string(), f.to_json()))
                    .collect(),
            ),
        }
    }

    /// A string's text.
    pub fn as_str(self) -> Option<&'t str> {
        match self.node {
            Node::Str(s) => Some(self.tree.text(s)),
            _ => None,
        }
    }
}

mod build;
mod map_key;
#[cfg(test)]
mod tests;
