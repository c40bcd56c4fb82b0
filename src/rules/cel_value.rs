//! Facts as CEL values. An unknown fact is left out, so that a condition that
//! reads it fails to evaluate (and the rule is skipped) instead of comparing
//! a placeholder.

use std::collections::HashMap;
use std::sync::Arc;

use cel::common::types::{
    CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString, CelUInt,
};
use cel::common::value::Val;
use cel::objects::Key;
use cel::Value;

use crate::facts::unknown_reason;

pub fn to_cel(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Value::Int(i),
            (None, Some(u), _) => Value::UInt(u),
            (_, _, Some(f)) => Value::Float(f),
            _ => Value::Null,
        },
        serde_json::Value::String(s) => Value::String(Arc::new(s.clone())),
        serde_json::Value::Array(items) => Value::List(Arc::new(
            items
                .iter()
                .filter(|i| unknown_reason(i).is_none())
                .map(to_cel)
                .collect(),
        )),
        serde_json::Value::Object(map) => {
            let mut out: HashMap<Key, Value> = HashMap::with_capacity(map.len());
            for (k, v) in map {
                if unknown_reason(v).is_none() {
                    out.insert(Key::from(k.clone()), to_cel(v));
                }
            }
            Value::from(out)
        }
    }
}

/// What [`to_cel`] gives, as the interpreter's own value type: for the leaf
/// facts a rule reads (see `FactsVal`), without the `Value` in between, which
/// the cel crate copies twice to convert (a list of objects most of all).
pub fn to_val(v: &serde_json::Value) -> Box<dyn Val> {
    match v {
        serde_json::Value::Null => Box::new(CelNull),
        serde_json::Value::Bool(b) => Box::new(CelBool::from(*b)),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Box::new(CelInt::from(i)),
            (None, Some(u), _) => Box::new(CelUInt::from(u)),
            (_, _, Some(f)) => Box::new(CelDouble::from(f)),
            _ => Box::new(CelNull),
        },
        serde_json::Value::String(s) => Box::new(CelString::from(s.clone())),
        serde_json::Value::Array(items) => Box::new(CelList::from(
            items
                .iter()
                .filter(|i| unknown_reason(i).is_none())
                .map(to_val)
                .collect::<Vec<_>>(),
        )),
        serde_json::Value::Object(map) => Box::new(CelMap::from(
            map.iter()
                .filter(|(_, v)| unknown_reason(v).is_none())
                .map(|(k, v)| (CelMapKey::from(k.clone()), to_val(v)))
                .collect::<HashMap<_, _>>(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// to_val is to_cel without the detour: the same value for every kind
    /// of fact, unknown facts left out alike.
    #[test]
    fn to_val_agrees_with_to_cel() {
        let facts = serde_json::json!({
            "s": "0000:03:10.0", "i": -3, "u": 18446744073709551615u64, "f": 1.5,
            "b": true, "n": null, "unknown": {"unknown": "not read"},
            "list": [1, {"unknown": "x"}, {"address": "a", "driver": null, "gone": {"unknown": "y"}}],
            "nested": {"deep": [["x"], []]},
        });
        let direct = Value::try_from(to_val(&facts).as_ref()).unwrap();
        assert_eq!(direct, to_cel(&facts));
        for v in facts.as_object().unwrap().values() {
            assert_eq!(
                Value::try_from(to_val(v).as_ref()).unwrap(),
                to_cel(v),
                "{v}"
            );
        }
    }
}
