//! The types of the facts a rule sees, derived from the fact types
//! themselves (`src/facts/`, through their `JsonSchema` derive), so that a
//! new or renamed fact needs no list to be kept in step.
//!
//! The engine binds two variables: `host`, the serialized [`HostFacts`], and,
//! outside host rules, `device`, the serialized [`DeviceFacts`]. An unknown
//! fact (`{"unknown": reason}`) is left out of the CEL value, so a rule that
//! reads it is skipped at run time; here a `Known<T>` is simply a `T`.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::Value as Json;

use crate::facts::{DeviceFacts, HostFacts};

/// A static type, as far as the checker tells types apart.
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    /// Anything: not checked.
    Dyn,
    /// The element of an empty list literal: joins to anything.
    Never,
    Null,
    Bool,
    Int,
    UInt,
    Double,
    String,
    Bytes,
    List(Box<Ty>),
    /// Key and value types.
    Map(Box<Ty>, Box<Ty>),
    /// A fact structure: exactly these fields.
    Object(Arc<Obj>),
    /// A value or null (an `Option` in the fact types).
    Nullable(Box<Ty>),
}

/// A fact structure: its type name (for messages) and its fields.
#[derive(Debug, PartialEq)]
pub struct Obj {
    pub name: String,
    pub fields: BTreeMap<String, Ty>,
}

impl Ty {
    /// Without the null a nullable type allows.
    pub fn non_null(&self) -> &Ty {
        match self {
            Ty::Nullable(t) => t,
            t => t,
        }
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Int | Ty::UInt | Ty::Double)
    }

    /// Whether any part of the type is unchecked.
    pub fn has_dyn(&self) -> bool {
        match self {
            Ty::Dyn | Ty::Never => true,
            Ty::List(t) | Ty::Nullable(t) => t.has_dyn(),
            Ty::Map(k, v) => k.has_dyn() || v.has_dyn(),
            Ty::Object(o) => o.fields.values().any(Ty::has_dyn),
            _ => false,
        }
    }
}

impl fmt::Display for Ty {
    /// As a message names it: "a string", "a list of ints".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Dyn | Ty::Never => write!(f, "a value of any type"),
            Ty::Null => write!(f, "null"),
            Ty::Bool => write!(f, "a bool"),
            Ty::Int => write!(f, "an int"),
            Ty::UInt => write!(f, "a uint"),
            Ty::Double => write!(f, "a double"),
            Ty::String => write!(f, "a string"),
            Ty::Bytes => write!(f, "bytes"),
            Ty::List(t) => match &**t {
                Ty::Dyn | Ty::Never => write!(f, "a list"),
                Ty::Object(o) => write!(f, "a list of {} objects", o.name),
                t => {
                    let one = t.to_string();
                    let bare = one
                        .strip_prefix("a ")
                        .or_else(|| one.strip_prefix("an "))
                        .unwrap_or(&one);
                    write!(f, "a list of {bare}s")
                }
            },
            Ty::Map(..) => write!(f, "a map"),
            Ty::Object(o) => write!(f, "a {} object", o.name),
            Ty::Nullable(t) => write!(f, "{t} or null"),
        }
    }
}

/// The type both `a` and `b` belong to, as precise as this checker goes.
pub fn join(a: &Ty, b: &Ty) -> Ty {
    match (a, b) {
        (a, b) if a == b => a.clone(),
        (Ty::Never, t) | (t, Ty::Never) => t.clone(),
        (Ty::Dyn, _) | (_, Ty::Dyn) => Ty::Dyn,
        (Ty::Null, Ty::Nullable(t)) | (Ty::Nullable(t), Ty::Null) => Ty::Nullable(t.clone()),
        (Ty::Null, t) | (t, Ty::Null) => Ty::Nullable(Box::new(t.clone())),
        (Ty::Nullable(x), y) | (y, Ty::Nullable(x)) => match join(x, y.non_null()) {
            Ty::Dyn => Ty::Dyn,
            t => Ty::Nullable(Box::new(t)),
        },
        (Ty::List(x), Ty::List(y)) => Ty::List(Box::new(join(x, y))),
        (Ty::Map(k1, v1), Ty::Map(k2, v2)) => {
            Ty::Map(Box::new(join(k1, k2)), Box::new(join(v1, v2)))
        }
        _ => Ty::Dyn,
    }
}

/// Whether values of the two types can ever be equal: `==` between a string
/// and an int, say, is always false, which is never what a rule means.
/// Lenient where in doubt: null compares with anything, numbers with
/// numbers, maps and objects with each other.
pub fn comparable(a: &Ty, b: &Ty) -> bool {
    match (a.non_null(), b.non_null()) {
        (Ty::Dyn | Ty::Never | Ty::Null, _) | (_, Ty::Dyn | Ty::Never | Ty::Null) => true,
        (x, y) if x.is_numeric() && y.is_numeric() => true,
        (Ty::List(x), Ty::List(y)) => comparable(x, y),
        (Ty::Map(..) | Ty::Object(_), Ty::Map(..) | Ty::Object(_)) => true,
        (x, y) => std::mem::discriminant(x) == std::mem::discriminant(y),
    }
}

/// The type of `host`.
pub fn host() -> &'static Ty {
    static HOST: OnceLock<Ty> = OnceLock::new();
    HOST.get_or_init(of::<HostFacts>)
}

/// The type of `device`.
pub fn device() -> &'static Ty {
    static DEVICE: OnceLock<Ty> = OnceLock::new();
    DEVICE.get_or_init(of::<DeviceFacts>)
}

/// The type of a serialized `T`, from its JSON schema.
fn of<T: JsonSchema>() -> Ty {
    let schema = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>();
    let root = schema.as_value();
    let defs = root
        .get("$defs")
        .and_then(Json::as_object)
        .cloned()
        .unwrap_or_default();
    Converter { defs: &defs }.ty(root, 0).unwrap_or(Ty::Dyn)
}

struct Converter<'a> {
    defs: &'a serde_json::Map<String, Json>,
}

/// The name of the definition that marks an unknown fact (`facts::UnknownFact`).
const UNKNOWN_DEF: &str = "Unknown";

impl Converter<'_> {
    /// The type a schema describes; None for the unknown marker, which is
    /// never a value a rule sees. Deep or unfamiliar schemas are Dyn.
    fn ty(&self, s: &Json, depth: usize) -> Option<Ty> {
        if depth > 32 {
            return Some(Ty::Dyn);
        }
        let Some(o) = s.as_object() else {
            return Some(Ty::Dyn);
        };
        if let Some(r) = o.get("$ref").and_then(Json::as_str) {
            let name = r.strip_prefix("#/$defs/").unwrap_or(r);
            if name == UNKNOWN_DEF {
                return None;
            }
            let def = self.defs.get(name)?;
            return Some(match self.ty(def, depth + 1)? {
                Ty::Object(obj) if obj.name.is_empty() => Ty::Object(Arc::new(Obj {
                    name: name.to_string(),
                    fields: obj.fields.clone(),
                })),
                t => t,
            });
        }
        if let Some(branches) = o
            .get("anyOf")
            .or_else(|| o.get("oneOf"))
            .and_then(Json::as_array)
        {
            let tys: Vec<Ty> = branches
                .iter()
                .filter_map(|b| self.ty(b, depth + 1))
                .collect();
            return Some(match tys.split_first() {
                None => Ty::Dyn,
                Some((first, rest)) => rest.iter().fold(first.clone(), |acc, t| join(&acc, t)),
            });
        }
        if o.contains_key("enum") || o.contains_key("const") {
            let values: Vec<&Json> = match (o.get("enum"), o.get("const")) {
                (Some(Json::Array(vs)), _) => vs.iter().collect(),
                (_, Some(c)) => vec![c],
                _ => Vec::new(),
            };
            let all_strings = !values.is_empty() && values.iter().all(|v| v.is_string());
            return Some(if all_strings { Ty::String } else { Ty::Dyn });
        }
        match o.get("type") {
            Some(Json::String(t)) => Some(self.typed(t, o, depth)),
            Some(Json::Array(ts)) => {
                let tys: Vec<Ty> = ts
                    .iter()
                    .map(|t| t.as_str().map_or(Ty::Dyn, |t| self.typed(t, o, depth)))
                    .collect();
                Some(match tys.split_first() {
                    None => Ty::Dyn,
                    Some((first, rest)) => rest.iter().fold(first.clone(), |acc, t| join(&acc, t)),
                })
            }
            _ => Some(Ty::Dyn),
        }
    }

    fn typed(&self, t: &str, o: &serde_json::Map<String, Json>, depth: usize) -> Ty {
        match t {
            "null" => Ty::Null,
            "boolean" => Ty::Bool,
            // serde_json numbers that fit become CEL ints (cel_value::to_cel).
            "integer" => Ty::Int,
            "number" => Ty::Double,
            "string" => Ty::String,
            "array" => Ty::List(Box::new(
                o.get("items")
                    .map_or(Some(Ty::Dyn), |i| self.ty(i, depth + 1))
                    .unwrap_or(Ty::Dyn),
            )),
            "object" => {
                if let Some(props) = o.get("properties").and_then(Json::as_object) {
                    let fields = props
                        .iter()
                        .map(|(k, v)| (k.clone(), self.ty(v, depth + 1).unwrap_or(Ty::Dyn)))
                        .collect();
                    Ty::Object(Arc::new(Obj {
                        name: o
                            .get("title")
                            .and_then(Json::as_str)
                            .unwrap_or_default()
                            .to_string(),
                        fields,
                    }))
                } else {
                    let value = match o.get("additionalProperties") {
                        Some(v @ Json::Object(_)) => self.ty(v, depth + 1).unwrap_or(Ty::Dyn),
                        _ => Ty::Dyn,
                    };
                    Ty::Map(Box::new(Ty::String), Box::new(value))
                }
            }
            _ => Ty::Dyn,
        }
    }
}

/// Where a JSON value does not fit a type, as a path; None when it fits.
/// Unknown facts fit any type. For tests: the facts of every test host must
/// fit the types derived from their schema.
pub fn misfit(v: &Json, t: &Ty, path: &str) -> Option<String> {
    if crate::facts::unknown_reason(v).is_some() {
        return None;
    }
    let bad = || Some(format!("{path}: {v} is not {t}"));
    match (t, v) {
        (Ty::Dyn, _) => None,
        (Ty::Nullable(_), Json::Null) | (Ty::Null, Json::Null) => None,
        (Ty::Nullable(t), v) => misfit(v, t, path),
        (Ty::Bool, Json::Bool(_)) | (Ty::String, Json::String(_)) => None,
        (Ty::Int, Json::Number(n)) if n.is_i64() => None,
        (Ty::UInt, Json::Number(n)) if n.is_u64() => None,
        (Ty::Double, Json::Number(_)) => None,
        (Ty::List(e), Json::Array(items)) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| misfit(x, e, &format!("{path}[{i}]"))),
        (Ty::Map(_, val), Json::Object(m)) => m
            .iter()
            .find_map(|(k, x)| misfit(x, val, &format!("{path}.{k}"))),
        (Ty::Object(o), Json::Object(m)) => {
            if let Some(k) = m.keys().find(|k| !o.fields.contains_key(*k)) {
                return Some(format!("{path}.{k}: not a field of {}", o.name));
            }
            if let Some(k) = o.fields.keys().find(|k| !m.contains_key(*k)) {
                return Some(format!("{path}.{k}: missing"));
            }
            m.iter()
                .find_map(|(k, x)| misfit(x, &o.fields[k], &format!("{path}.{k}")))
        }
        _ => bad(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field<'a>(t: &'a Ty, name: &str) -> &'a Ty {
        match t.non_null() {
            Ty::Object(o) => &o.fields[name],
            other => panic!("{name}: {other:?} is not an object"),
        }
    }

    #[test]
    fn fact_types_come_from_the_fact_structs() {
        let host = host();
        let cpu = field(host, "cpu");
        assert_eq!(field(cpu, "vmx"), &Ty::Bool);
        assert_eq!(field(cpu, "cpus"), &Ty::Int);
        assert_eq!(field(cpu, "model_name"), &Ty::String);
        // Known<BTreeMap<String, ModuleState>>: a map of strings.
        assert_eq!(
            field(host, "modules"),
            &Ty::Map(Box::new(Ty::String), Box::new(Ty::String))
        );
        let dev = device();
        // Known<Option<String>>: the unknown marker is not a value.
        assert_eq!(field(dev, "driver"), &Ty::Nullable(Box::new(Ty::String)));
        assert_eq!(field(dev, "address"), &Ty::String);
        // Option<Known<PfDriverFacts>>.
        let pf = field(dev, "pf_driver");
        assert!(matches!(pf, Ty::Nullable(_)), "{pf:?}");
        assert_eq!(field(pf, "missing_deps").to_string(), "a list of strings");
        let members = field(field(dev, "group"), "members");
        assert_eq!(members.to_string(), "a list of GroupMember objects");
    }

    #[test]
    fn join_and_comparable() {
        let ns = Ty::Nullable(Box::new(Ty::String));
        assert_eq!(join(&Ty::Null, &Ty::String), ns);
        assert_eq!(join(&ns, &Ty::String), ns);
        assert_eq!(
            join(&Ty::List(Box::new(Ty::Never)), &Ty::List(Box::new(Ty::Int))),
            Ty::List(Box::new(Ty::Int))
        );
        assert_eq!(join(&Ty::Int, &Ty::String), Ty::Dyn);
        assert!(comparable(&ns, &Ty::String));
        assert!(comparable(&Ty::Int, &Ty::Double));
        assert!(comparable(&Ty::String, &Ty::Null));
        assert!(!comparable(&Ty::String, &Ty::Int));
        assert!(!comparable(&Ty::Bool, &Ty::String));
        assert!(!comparable(
            &Ty::List(Box::new(Ty::String)),
            &Ty::List(Box::new(Ty::Int))
        ));
    }
}
