use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;

use super::*;
use crate::rules::cel_value::to_cel;

/// The first unknown below a JSON value, objects by key: what
/// [`Fact::first_unknown`] must find.
fn first_unknown_json(v: &Json) -> Option<&str> {
    if let Some(r) = crate::facts::unknown_reason(v) {
        return Some(r);
    }
    match v {
        Json::Object(m) => m.values().find_map(first_unknown_json),
        Json::Array(a) => a.iter().find_map(first_unknown_json),
        _ => None,
    }
}

/// Every value of the tree reads as the same value of the JSON does.
fn assert_reads_like(fact: Fact, json: &Json, at: &str) {
    assert_eq!(
        fact.unknown_reason(),
        crate::facts::unknown_reason(json),
        "{at}"
    );
    assert_eq!(fact.is_object(), json.is_object(), "{at}");
    assert_eq!(fact.is_null(), json.is_null(), "{at}");
    assert_eq!(fact.as_str(), json.as_str(), "{at}");
    assert_eq!(fact.first_unknown(), first_unknown_json(json), "{at}");
    assert_eq!(fact.to_cel(), to_cel(json), "{at}");
    assert_eq!(
        Value::try_from(fact.to_val().as_ref()).unwrap(),
        to_cel(json),
        "{at}"
    );
    match json {
        Json::Object(m) => {
            for (k, v) in m {
                let field = fact.get(k).unwrap_or_else(|| panic!("{at}.{k} missing"));
                assert_reads_like(field, v, &format!("{at}.{k}"));
            }
            assert!(fact.get("no_such_fact").is_none(), "{at}");
        }
        Json::Array(items) => {
            assert_eq!(fact.children().count(), items.len(), "{at}");
            for (i, ((_, f), v)) in fact.children().zip(items).enumerate() {
                assert_reads_like(f, v, &format!("{at}[{i}]"));
            }
        }
        _ => assert!(fact.get("x").is_none(), "{at}"),
    }
}

fn check<T: Serialize>(value: &T, at: &str) {
    let json = serde_json::to_value(value).unwrap();
    let tree = FactTree::of(value).unwrap();
    assert_eq!(tree.root().to_json(), json, "{at}");
    assert_reads_like(tree.root(), &json, at);
}

/// On every test host, the host's and each device's tree is the facts'
/// JSON, and every fact in it reads as the JSON's does (unknowns, CEL
/// values, the first unknown below it).
#[test]
fn reads_like_the_json_on_every_test_host() {
    let hosts = crate::rules::test_host_facts();
    let mut devices = 0;
    for (dir, facts) in &hosts {
        check(&facts.host, &format!("{} host", dir.display()));
        for d in &facts.devices {
            check(d, &format!("{} {}", dir.display(), d.address));
            devices += 1;
        }
    }
    assert!(hosts.len() >= 20, "{} test hosts", hosts.len());
    assert!(devices > 100, "only {devices} devices");
}

#[derive(Serialize)]
enum Shape {
    Unit,
    Newtype(u8),
    Tuple(i32, String),
    Struct { a: bool, b: Option<f64> },
}

#[derive(Serialize)]
struct Everything {
    shapes: Vec<Shape>,
    big: u64,
    fits: u64,
    negative: i64,
    wide: i128,
    not_finite: f64,
    half: f32,
    letter: char,
    #[serde(with = "serde_bytes_like")]
    bytes: Vec<u8>,
    by_number: BTreeMap<u32, &'static str>,
    by_flag: BTreeMap<bool, ()>,
    unit: (),
    tuple: (u8, &'static str),
    unknown: crate::facts::Known<u32>,
    known: crate::facts::Known<u32>,
}

/// Bytes as serde's `serialize_bytes` (a Vec<u8> is otherwise a sequence).
mod serde_bytes_like {
    pub fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }
}

/// Every form serde gives a value in, written as serde_json writes it.
#[test]
fn every_serde_form_reads_like_the_json() {
    let value = Everything {
        shapes: vec![
            Shape::Unit,
            Shape::Newtype(7),
            Shape::Tuple(-1, "x".into()),
            Shape::Struct {
                a: true,
                b: Some(0.5),
            },
            Shape::Struct { a: false, b: None },
        ],
        big: u64::MAX,
        fits: i64::MAX as u64,
        negative: -3,
        wide: -5,
        not_finite: f64::NAN,
        half: 0.5,
        letter: 'é',
        bytes: vec![0, 255],
        by_number: [(1, "one"), (10, "ten")].into(),
        by_flag: [(true, ())].into(),
        unit: (),
        tuple: (1, "a"),
        unknown: crate::facts::Known::unknown("not read"),
        known: crate::facts::Known::Value(4),
    };
    check(&value, "everything");
    let tree = FactTree::of(&value).unwrap();
    assert_eq!(
        tree.root().get("big").unwrap().to_cel(),
        Value::UInt(u64::MAX)
    );
    assert_eq!(
        tree.root().get("fits").unwrap().to_cel(),
        Value::Int(i64::MAX)
    );
    assert_eq!(tree.root().get("not_finite").unwrap().to_cel(), Value::Null);
    assert_eq!(
        tree.root().get("unknown").unwrap().unknown_reason(),
        Some("not read")
    );
}

/// A map whose key repeats: the last entry is the one read, as in JSON.
#[test]
fn a_repeated_key_reads_as_its_last_value() {
    struct Repeats;
    impl Serialize for Repeats {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut m = s.serialize_map(None)?;
            m.serialize_entry("a", &1)?;
            m.serialize_entry("b", &json!({"unknown": "gone"}))?;
            m.serialize_entry("a", &2)?;
            m.serialize_entry("b", &3)?;
            m.end()
        }
    }
    check(&Repeats, "repeats");
    let tree = FactTree::of(&Repeats).unwrap();
    assert_eq!(tree.root().get("a").unwrap().to_cel(), Value::Int(2));
}

/// What cannot be a fact tree is an error, not a panic: a key that is not
/// text, a number beyond 64 bits.
#[test]
fn what_json_cannot_hold_is_an_error() {
    let by_list: BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into();
    assert!(FactTree::of(&by_list).is_err());
    assert!(serde_json::to_value(&by_list).is_err());
    assert!(FactTree::of(&u128::MAX).is_err());
    assert!(serde_json::to_value(u128::MAX).is_err());
}
