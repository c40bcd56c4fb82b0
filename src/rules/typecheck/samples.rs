//! Calls tried on sample values (`Checker::sampled`): a value of each
//! argument type, what the result's type is, and which errors only the
//! types can cause, worded for a rule's author.

use std::collections::HashMap;
use std::sync::Arc;

use cel::common::ast::{CallExpr, IdedExpr};
use cel::objects::Key;
use cel::{ExecutionError, Value};

use super::schema::{join, Ty};
use super::show;

/// Errors that only the types of the arguments can cause.
pub(super) fn is_type_error(e: &ExecutionError) -> bool {
    matches!(
        e,
        ExecutionError::NoSuchOverload(_)
            | ExecutionError::UndeclaredReference(_)
            | ExecutionError::UnsupportedBinaryOperator(..)
            | ExecutionError::ValuesNotComparable(..)
            | ExecutionError::UnexpectedType { .. }
            | ExecutionError::UnsupportedTargetType { .. }
            | ExecutionError::NotSupportedAsMethod { .. }
            | ExecutionError::InvalidArgumentCount { .. }
            | ExecutionError::UnsupportedIndex(..)
            | ExecutionError::MissingArgumentOrTarget
    )
}

pub(super) fn undeclared(name: &str, call: &CallExpr) -> String {
    if name == call.func_name {
        format!("unknown function '{name}'")
    } else {
        format!("unknown name '{name}'")
    }
}

pub(super) fn type_error(
    e: &IdedExpr,
    call: &CallExpr,
    err: &ExecutionError,
    types: &[&Ty],
) -> String {
    if let ExecutionError::UndeclaredReference(n) = err {
        return undeclared(n, call);
    }
    let types: Vec<String> = types.iter().map(|t| t.to_string()).collect();
    let on = match types.as_slice() {
        [] => String::new(),
        [one] => format!(" on {one}"),
        [init @ .., last] => format!(" on {} and {last}", init.join(", ")),
    };
    let detail = match err {
        ExecutionError::NoSuchOverload(o) => o.to_string(),
        ExecutionError::UnsupportedBinaryOperator(op, a, b) => {
            format!("no '{op}' for {} and {}", a.type_of(), b.type_of())
        }
        ExecutionError::ValuesNotComparable(a, b) => {
            format!("{} and {} do not compare", a.type_of(), b.type_of())
        }
        ExecutionError::UnexpectedType { got, want } => format!("got {got} where {want} is needed"),
        ExecutionError::InvalidArgumentCount { expected, actual } => {
            format!("takes {expected} argument(s), not {actual}")
        }
        _ => format!("'{}' does not apply", call.func_name),
    };
    format!("`{}`: type error{on}: {detail}", show(e))
}

/// A value of the type, for trying a call; None where the type is unknown.
/// Containers of unknown elements are empty.
pub(super) fn sample(t: &Ty) -> Option<Value> {
    Some(match t {
        Ty::Dyn | Ty::Never => return None,
        Ty::Null => Value::Null,
        Ty::Bool => Value::Bool(true),
        Ty::Int => Value::Int(1),
        Ty::UInt => Value::UInt(1),
        Ty::Double => Value::Float(1.0),
        Ty::String => Value::String(Arc::new("a".into())),
        Ty::Bytes => Value::Bytes(Arc::new(b"a".to_vec())),
        Ty::Nullable(t) => return sample(t),
        Ty::List(e) => Value::List(Arc::new(sample(e).into_iter().collect())),
        Ty::Map(k, v) => {
            let mut m: HashMap<Key, Value> = HashMap::new();
            if let (Some(Value::String(k)), Some(v)) = (sample(k), sample(v)) {
                m.insert(Key::String(k), v);
            }
            Value::from(m)
        }
        Ty::Object(o) => {
            let m: HashMap<Key, Value> = o
                .fields
                .iter()
                .filter_map(|(k, t)| sample(t).map(|v| (Key::from(k.clone()), v)))
                .collect();
            Value::from(m)
        }
    })
}

/// The type of a call's result on samples. Scalars are what they are; the
/// elements of a container are trusted only when no argument had a part of
/// unknown type.
pub(super) fn result_ty(v: &Value, unsure: bool) -> Ty {
    match v {
        Value::Bool(_) => Ty::Bool,
        Value::Int(_) => Ty::Int,
        Value::UInt(_) => Ty::UInt,
        Value::Float(_) => Ty::Double,
        Value::String(_) => Ty::String,
        Value::Bytes(_) => Ty::Bytes,
        Value::Null => Ty::Null,
        Value::List(items) if !unsure => Ty::List(Box::new(
            items
                .iter()
                .map(|i| result_ty(i, false))
                .reduce(|a, b| join(&a, &b))
                .unwrap_or(Ty::Dyn),
        )),
        Value::List(_) => Ty::List(Box::new(Ty::Dyn)),
        Value::Map(_) => Ty::Map(Box::new(Ty::Dyn), Box::new(Ty::Dyn)),
        _ => Ty::Dyn,
    }
}
