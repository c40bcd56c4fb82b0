//! Facts as CEL values, from their JSON: the reference that the rules'
//! [`FactTree`](super::fact_tree::FactTree) is tested against. An unknown
//! fact is left out, so that a condition that reads it fails to evaluate
//! (and the rule is skipped) instead of comparing a placeholder.

use std::collections::HashMap;
use std::sync::Arc;

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
