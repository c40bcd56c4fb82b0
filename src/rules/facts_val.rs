//! The facts (`device`, and `host`) as a CEL value that is read on access.
//!
//! Binding a device by converting all its facts into CEL values cost more
//! than evaluating every rule against it (a device has some 60 facts; a rule
//! reads two or three), and the host's, with every guest, once per thread.
//! A [`FactsVal`] stands for one object in a subject's [`FactTree`]:
//! `device.group.id` indexes it field by field, and only the leaf that is
//! read is converted (by [`Fact::to_val`], with `to_cel`'s rules: an unknown
//! fact is absent, and reading it is an error that skips the rule). A list
//! is made when it is read, its objects lazy in turn: a comprehension binds
//! each element by cloning it, which for a converted map was a map's worth
//! of allocations per element per expression.
//!
//! An object supports field selection, `has()`, `in` and comparison with
//! null. Not `size()`, iteration, or use as a function argument, which cel
//! picks by type; the rule checker rejects these (and comparing an object
//! with anything but null) at load, so no rule depends on them. Should a
//! rule compare one through `dyn()`, it compares by content.
//!
//! Why it stays (issue 17 asked whether a plain binding would do): binding
//! each device as an ordinary CEL map (`serde_json::to_value` then
//! `cel_value::to_cel`, every field, not only those the rules read) gave
//! the same report byte for byte on the benchmark's big host, at 690 ms of
//! CPU for `check --format json` against 526 ms with this layer (`perf stat
//! -e task-clock`, one run each, release build, on a loaded machine). The
//! check target (`bench/bench.py`: at most 1.0x `lspci -k`) is already not
//! met at 1.76x, so the slower design was not taken. Binding only the fields
//! the rules read was measured next: per device, a CEL map of just the
//! top-level fields that some rule's expression or placeholder names (23 of
//! the device's some 30, each converted whole with `Fact::to_cel`), bound in
//! `Engine::run_devices` in place of this layer. Same JSON report byte for
//! byte on bench/out/big; 1,565 million instructions against 1,162 million
//! with this layer (`valgrind --tool=callgrind`, release build, which counts
//! the same whatever the machine's load), +35 %. A projection converts what
//! every rule might read for every device; this layer converts what the
//! rule that runs does read, on the path it takes. So it stays, and with
//! it the checker's restrictions on using a fact structure whole.

use std::sync::Arc;

use cel::common::traits::{Container, Indexer};
use cel::common::types::{CelList, CelString, Kind, Type};
use cel::common::value::{CowVal, Val};
use cel::{ExecutionError, Value};

use super::fact_tree::{Fact, FactTree, Node};

/// The CEL type of a facts object: no expression names it; `has()`, field
/// selection and `==`/`!=` (with null) are what rules do with one.
static FACTS_TYPE: Type = Type::new_unspecified_type("sriov_doctor.Facts");

/// One object inside a subject's facts.
#[derive(Clone)]
pub struct FactsVal {
    tree: Arc<FactTree>,
    node: Node,
}

impl std::fmt::Debug for FactsVal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FactsVal({:?})", self.fact().to_json())
    }
}

impl FactsVal {
    /// The whole of `tree`, which is expected to be an object.
    pub fn new(tree: Arc<FactTree>) -> FactsVal {
        let node = tree.root().node();
        FactsVal { tree, node }
    }

    fn fact(&self) -> Fact<'_> {
        self.tree.fact(self.node)
    }

    fn field(&self, name: &str) -> Result<Box<dyn Val + 'static>, ExecutionError> {
        let value = self
            .fact()
            .get(name)
            .filter(|v| v.unknown_reason().is_none())
            .ok_or_else(|| ExecutionError::no_such_key(name))?;
        Ok(self.val(value))
    }

    /// A fact of this tree as a CEL value: objects lazy, lists made now.
    fn val(&self, fact: Fact) -> Box<dyn Val + 'static> {
        match fact.node() {
            Node::Object(_) => Box::new(FactsVal {
                tree: Arc::clone(&self.tree),
                node: fact.node(),
            }),
            Node::List(_) => Box::new(CelList::from(
                fact.items()
                    .filter(|item| item.unknown_reason().is_none())
                    .map(|item| self.val(item))
                    .collect::<Vec<_>>(),
            )),
            _ => fact.to_val(),
        }
    }

    /// The object as `to_cel` converts it.
    pub fn to_cel(&self) -> Value {
        self.fact().to_cel()
    }
}

impl Val for FactsVal {
    fn get_type(&self) -> &Type {
        &FACTS_TYPE
    }

    fn cel_type() -> &'static Type {
        &FACTS_TYPE
    }

    fn as_indexer<'b, 'v>(&'b self) -> Option<&'b (dyn Indexer + 'v)>
    where
        Self: 'v,
    {
        Some(self)
    }

    fn as_container(&self) -> Option<&dyn Container> {
        Some(self)
    }

    fn equals(&self, other: &dyn Val) -> bool {
        match other.downcast_ref::<FactsVal>() {
            Some(o) => {
                (Arc::ptr_eq(&self.tree, &o.tree) && self.node == o.node)
                    || self.to_cel() == o.to_cel()
            }
            None => {
                other.get_type().kind() == Kind::Map
                    && Value::try_from(other).is_ok_and(|o| o == self.to_cel())
            }
        }
    }

    fn clone_as_boxed<'v>(&self) -> Box<dyn Val + 'v> {
        Box::new(self.clone())
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

impl cel::common::value::StaticVal for FactsVal {}

/// `'name' in device.group`: a known field, as in the converted map (where
/// unknown facts were left out).
impl Container for FactsVal {
    fn contains(&self, key: &dyn Val) -> Result<bool, ExecutionError> {
        match key.downcast_ref::<CelString>() {
            Some(name) => Ok(self.field(name.inner()).is_ok()),
            None => Ok(false),
        }
    }
}

impl Indexer for FactsVal {
    fn get<'b, 'v>(&'b self, idx: &dyn Val) -> Result<CowVal<'b, 'v>, ExecutionError>
    where
        Self: 'v,
    {
        match idx.downcast_ref::<CelString>() {
            Some(name) => self.field(name.inner()).map(CowVal::Owned),
            None => Err(ExecutionError::no_such_key(idx.get_type().name())),
        }
    }

    fn steal<'v>(self: Box<Self>, idx: &dyn Val) -> Result<Box<dyn Val + 'v>, ExecutionError>
    where
        Self: 'v,
    {
        self.get(idx).map(CowVal::into_owned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cel::{Context, Env};

    fn eval(facts: serde_json::Value, expr: &str) -> Result<Value, ExecutionError> {
        let env = Arc::new(Env::stdlib());
        let program = env.compile(expr).unwrap();
        let mut ctx = Context::with_env(Arc::clone(&env));
        let tree = FactTree::of(&facts).unwrap();
        ctx.add_variable_as_val("device", Box::new(FactsVal::new(Arc::new(tree))));
        program.execute(&ctx)
    }

    #[test]
    fn reads_like_the_converted_facts() {
        let facts = serde_json::json!({
            "address": "0000:03:10.0",
            "group": {"id": 9, "members": [
                {"address": "0000:03:10.0", "is_bridge": false, "gone": {"unknown": "x"}},
                {"unknown": "not read"},
            ]},
            "pf": {"members": [{"address": "0000:03:10.0", "is_bridge": false}]},
            "memlock": {"limit": {"unknown": "could not read /proc/4242/limits"}},
            "numa_node": {"unknown": "only read for physical functions"},
            "netdevs": ["eth0", {"unknown": "x"}],
        });
        let cases = [
            (
                "device.address",
                Ok(Value::String(Arc::new("0000:03:10.0".into()))),
            ),
            ("device.group.id", Ok(Value::Int(9))),
            (
                "size(device.group.members.filter(m, !m.is_bridge))",
                Ok(Value::Int(1)),
            ),
            ("device.pf != null", Ok(Value::Bool(true))),
            (
                "device.nothing_here == null",
                Err(ExecutionError::no_such_key("nothing_here")),
            ),
            ("device.group != null", Ok(Value::Bool(true))),
            ("has(device.group.id)", Ok(Value::Bool(true))),
            ("has(device.memlock.limit)", Ok(Value::Bool(false))),
            ("has(device.numa_node)", Ok(Value::Bool(false))),
            ("size(device.netdevs)", Ok(Value::Int(1))),
            ("'id' in device.group", Ok(Value::Bool(true))),
            // List elements are objects read on access, as the rest.
            (
                "device.group.members.map(m, m.address)",
                Ok(Value::List(Arc::new(vec![Value::String(Arc::new(
                    "0000:03:10.0".into(),
                ))]))),
            ),
            (
                "device.group.members.exists(m, has(m.is_bridge) && !has(m.gone))",
                Ok(Value::Bool(true)),
            ),
            ("device.group.members[0] != null", Ok(Value::Bool(true))),
            // Compared whole (only through dyn(): the checker rejects it),
            // an object compares by content, with a map or another object.
            (
                "dyn(device.group.members[0]) == {'address': '0000:03:10.0', 'is_bridge': false}",
                Ok(Value::Bool(true)),
            ),
            (
                "dyn(device.group.members[0]) == {'address': '0000:03:10.0'}",
                Ok(Value::Bool(false)),
            ),
            (
                "device.group.members[0] == device.pf.members[0]",
                Ok(Value::Bool(true)),
            ),
            ("'limit' in device.memlock", Ok(Value::Bool(false))),
        ];
        for (expr, want) in cases {
            assert_eq!(eval(facts.clone(), expr), want, "{expr}");
        }
        // Reading an unknown fact is an error (the rule is skipped), never a value.
        assert!(eval(facts.clone(), "device.numa_node == 0").is_err());
        assert!(eval(facts.clone(), "device.memlock.limit > 0").is_err());
        assert!(eval(facts, "device.nothing").is_err());
    }
}
