//! [`Known`]: a fact, or the reason it could not be read, and its
//! serialized and schema forms.

use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Serialize, Serializer};

use crate::hostfs::FsError;

/// A fact, or why it is not known. Serialized as the value itself, or as
/// `{"unknown": "reason"}`.
#[derive(Clone, Debug, PartialEq)]
pub enum Known<T> {
    Value(T),
    Unknown(String),
}

impl<T> Known<T> {
    pub fn unknown(reason: impl Into<String>) -> Known<T> {
        Known::Unknown(reason.into())
    }

    pub fn value(&self) -> Option<&T> {
        match self {
            Known::Value(v) => Some(v),
            Known::Unknown(_) => None,
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Known<U> {
        match self {
            Known::Value(v) => Known::Value(f(v)),
            Known::Unknown(r) => Known::Unknown(r),
        }
    }

    pub fn and_then<U>(self, f: impl FnOnce(T) -> Known<U>) -> Known<U> {
        match self {
            Known::Value(v) => f(v),
            Known::Unknown(r) => Known::Unknown(r),
        }
    }
}

impl<T> From<Result<T, FsError>> for Known<T> {
    fn from(r: Result<T, FsError>) -> Known<T> {
        match r {
            Ok(v) => Known::Value(v),
            Err(e) => Known::Unknown(e.to_string()),
        }
    }
}

impl<T: Serialize> Serialize for Known<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Known::Value(v) => v.serialize(s),
            Known::Unknown(reason) => {
                let mut m = BTreeMap::new();
                m.insert(UNKNOWN_KEY, reason);
                m.serialize(s)
            }
        }
    }
}

/// The schema of a fact: its value's, or the unknown marker. Rules are
/// checked against these schemas at load (`rules::schema`), so the names
/// and types a rule may use come from the fact types themselves.
impl<T: JsonSchema> JsonSchema for Known<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Known_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "anyOf": [generator.subschema_for::<T>(), generator.subschema_for::<UnknownFact>()]
        })
    }
}

/// The serialized form of [`Known::Unknown`], for the schema only.
#[derive(JsonSchema)]
#[schemars(rename = "Unknown")]
#[allow(dead_code)]
pub struct UnknownFact {
    /// Why the value could not be read.
    unknown: String,
}

/// The key that marks an unknown value in the serialized facts.
pub const UNKNOWN_KEY: &str = "unknown";

/// If `v` is the serialized form of [`Known::Unknown`], its reason.
pub fn unknown_reason(v: &serde_json::Value) -> Option<&str> {
    let m = v.as_object()?;
    if m.len() != 1 {
        return None;
    }
    m.get(UNKNOWN_KEY)?.as_str()
}
