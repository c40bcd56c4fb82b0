//! Message templates: text with `{{ CEL expression }}` placeholders, compiled
//! once (at load, or a built-in rule's on first render) and rendered against
//! a subject's facts.

use std::sync::{Arc, OnceLock};

use cel::common::types::{CelString, Kind};
use cel::common::value::Val;
use cel::{Context, Env, Program, Value};

use super::fact_tree::Fact;
use super::facts_val::FactsVal;
use super::plan::Plan;

enum Part {
    Text(String),
    Expr(String, Compiled),
    /// A plain fact path (`device.group.id`): read from the facts directly,
    /// which gives what the program would, for a fraction of the cost.
    Path(String, Vec<String>, Compiled),
}

/// A placeholder's program: compiled with the template, or when it is
/// first rendered (built-in rules: a run renders only some of their
/// templates, and parsing them all was a fifth of a focused run).
enum Compiled {
    Now(Program, Plan),
    Later {
        env: Arc<Env>,
        program: OnceLock<Option<(Program, Plan)>>,
    },
}

impl Compiled {
    fn now(program: Program) -> Compiled {
        let plan = Plan::of(&program);
        Compiled::Now(program, plan)
    }

    /// None only for a deferred placeholder that does not parse (the tests
    /// compile every built-in one).
    fn get(&self, source: &str) -> Option<(&Program, &Plan)> {
        match self {
            Compiled::Now(p, plan) => Some((p, plan)),
            Compiled::Later { env, program } => program
                .get_or_init(|| {
                    let p = env.compile(source).ok()?;
                    let plan = Plan::of(&p);
                    Some((p, plan))
                })
                .as_ref()
                .map(|(p, plan)| (p, plan)),
        }
    }
}

/// The facts a template is rendered against (the CEL context holds the
/// same facts).
#[derive(Clone, Copy)]
pub struct Subject<'a> {
    pub host: Fact<'a>,
    pub device: Option<Fact<'a>>,
}

enum Lookup<'j> {
    Value(Fact<'j>),
    Unknown,
    /// Not decided here (an object, or a root that is not bound): ask CEL.
    Ask,
}

fn lookup<'j>(segs: &[String], facts: Subject<'j>) -> Lookup<'j> {
    let mut cur = match (segs[0].as_str(), facts.device) {
        ("host", _) => facts.host,
        ("device", Some(d)) => d,
        _ => return Lookup::Ask,
    };
    for seg in &segs[1..] {
        if cur.unknown_reason().is_some() {
            return Lookup::Unknown;
        }
        match cur.get(seg) {
            Some(v) => cur = v,
            None => return Lookup::Unknown,
        }
    }
    if cur.unknown_reason().is_some() {
        Lookup::Unknown
    } else if cur.is_object() {
        Lookup::Ask
    } else {
        Lookup::Value(cur)
    }
}

pub struct Template {
    parts: Vec<Part>,
}

/// The longest placeholder a template may hold, in characters: a message
/// is text with values in it, not a program (the longest built-in one has
/// 479; the limit stops them growing).
pub const MAX_PLACEHOLDER: usize = 500;

impl Template {
    /// Splits `text` into text and placeholders, each placeholder parsed
    /// now, or (`defer`) when it is first rendered.
    pub fn compile(text: &str, env: &Arc<Env>, defer: bool) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            if start > 0 {
                parts.push(Part::Text(rest[..start].to_string()));
            }
            let after = &rest[start + 2..];
            let end = after
                .find("}}")
                .ok_or_else(|| format!("'{{{{' without '}}}}' in \"{text}\""))?;
            let source = after[..end].trim().to_string();
            super::typecheck::check_source(&source)
                .map_err(|why| format!("placeholder {{{{ {} … }}}}: {why}", prefix(&source)))?;
            let chars = source.chars().count();
            if chars > MAX_PLACEHOLDER {
                return Err(format!(
                    "placeholder {{{{ {} … }}}} has {chars} characters, over {MAX_PLACEHOLDER}: give each case its own [[message.variant]], and put formatting that rules share in a fact",
                    prefix(&source)
                ));
            }
            let program =
                if defer {
                    Compiled::Later {
                        env: Arc::clone(env),
                        program: OnceLock::new(),
                    }
                } else {
                    Compiled::now(env.compile(&source).map_err(|e| {
                        format!("placeholder {{{{ {source} }}}} does not parse: {e}")
                    })?)
                };
            if is_path(&source) && (source.starts_with("host.") || source.starts_with("device.")) {
                let segs = source.split('.').map(str::to_string).collect();
                parts.push(Part::Path(source, segs, program));
            } else {
                parts.push(Part::Expr(source, program));
            }
            rest = &after[end + 2..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Ok(Template { parts })
    }

    /// The text with each placeholder's value.
    pub fn render(&self, ctx: &Context, facts: Subject) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Path(source, segs, program) => {
                    let start = out.len();
                    match lookup(segs, facts) {
                        Lookup::Value(v) => display_fact(v, &mut out),
                        Lookup::Unknown => unknown(source, &mut out),
                        Lookup::Ask => execute(source, program, ctx, &mut out),
                    }
                    // A value is data: it cannot start a line or drive a terminal.
                    crate::sanitize::clean_tail(&mut out, start);
                }
                Part::Expr(source, program) => {
                    let start = out.len();
                    execute(source, program, ctx, &mut out);
                    crate::sanitize::clean_tail(&mut out, start);
                }
            }
        }
        out
    }

    /// Each placeholder's source and program (compiled now if it was
    /// deferred; None if it does not parse), in order.
    pub fn placeholders(&self) -> impl Iterator<Item = (&str, Option<&Program>)> {
        self.parts.iter().filter_map(|p| match p {
            Part::Expr(source, program) | Part::Path(source, _, program) => {
                Some((source.as_str(), program.get(source).map(|(p, _)| p)))
            }
            Part::Text(_) => None,
        })
    }

    /// Each placeholder's source, program and plan.
    #[cfg(test)]
    pub(super) fn plans(&self) -> impl Iterator<Item = (&str, Option<(&Program, &Plan)>)> {
        self.parts.iter().filter_map(|p| match p {
            Part::Expr(source, program) | Part::Path(source, _, program) => {
                Some((source.as_str(), program.get(source)))
            }
            Part::Text(_) => None,
        })
    }

    /// The text with placeholders shown as `<expression>`, for documentation.
    pub fn outline(&self) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                // A plain fact path reads well; a computed phrase does not.
                Part::Path(source, ..) | Part::Expr(source, _) if is_path(source) => {
                    out.push('<');
                    out.push_str(source);
                    out.push('>');
                }
                Part::Path(..) | Part::Expr(..) => out.push_str("<…>"),
            }
        }
        out
    }
}

fn execute(source: &str, program: &Compiled, ctx: &Context, out: &mut String) {
    let Some((_, plan)) = program.get(source) else {
        return unknown(source, out);
    };
    match plan.evaluate(ctx) {
        Ok(v) => display_val(v.as_ref(), source, out),
        Err(_) => unknown(source, out),
    }
}

/// What `display` writes for an interpreter value, including the facts'
/// objects ([`FactsVal`]), which have no `Value` of their own.
fn display_val(v: &dyn Val, source: &str, out: &mut String) {
    // Most placeholders give a string: written as it is, without the copy
    // a `Value` would make.
    if let Some(s) = v.downcast_ref::<CelString>() {
        return out.push_str(s.inner());
    }
    if let Ok(v) = Value::try_from(v) {
        return display(&v, out);
    }
    if let Some(f) = v.downcast_ref::<FactsVal>() {
        return display(&f.to_cel(), out);
    }
    let list = (v.get_type().kind() == Kind::List)
        .then(|| v.as_iterable())
        .flatten();
    let Some(list) = list else {
        return unknown(source, out);
    };
    let mut items = list.iter();
    let mut first = true;
    while let Some(item) = items.next() {
        if !first {
            out.push_str(", ");
        }
        first = false;
        display_val(item, source, out);
    }
}

fn unknown(source: &str, out: &mut String) {
    out.push('<');
    out.push_str(source);
    out.push_str(": unknown>");
}

/// The start of a long text, for a message.
fn prefix(text: &str) -> String {
    text.chars().take(40).collect()
}

fn is_path(source: &str) -> bool {
    source
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// What `display` writes for the fact's CEL value, without making the value
/// (a plain path's placeholder is most often a string).
fn display_fact(v: Fact, out: &mut String) {
    match v.as_str() {
        Some(s) => out.push_str(s),
        None => display(&v.to_cel(), out),
    }
}

/// How a value reads in a message: strings bare, lists comma-separated,
/// null as "none".
pub fn display(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => out.push_str(s),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::UInt(u) => out.push_str(&u.to_string()),
        Value::Float(f) => out.push_str(&f.to_string()),
        Value::Bool(b) => out.push_str(if *b { "yes" } else { "no" }),
        Value::Null => out.push_str("none"),
        Value::List(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                display(item, out);
            }
        }
        other => out.push_str(&format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::rules::engine::cel_env;
    use crate::rules::fact_tree::FactTree;

    fn render(text: &str, device: &serde_json::Value) -> String {
        let env = cel_env();
        let template = Template::compile(text, &env, false).unwrap();
        let host = Arc::new(FactTree::of(&serde_json::json!({"cpu": {"vmx": true}})).unwrap());
        let device = Arc::new(FactTree::of(device).unwrap());
        let mut ctx = Context::with_env(Arc::clone(&env));
        ctx.add_variable_as_val("host", Box::new(FactsVal::new(Arc::clone(&host))));
        ctx.add_variable_as_val("device", Box::new(FactsVal::new(Arc::clone(&device))));
        let facts = Subject {
            host: host.root(),
            device: Some(device.root()),
        };
        template.render(&ctx, facts)
    }

    /// Placeholders read as `display` writes their CEL value, objects too
    /// (which the interpreter holds as `FactsVal`, with no `Value`).
    #[test]
    fn placeholders_read_as_their_values() {
        let device = serde_json::json!({
            "address": "0000:03:10.0",
            "netdevs": ["eth0", {"unknown": "x"}, "eth1"],
            "numa_node": {"unknown": "not read"},
            "group": {"id": 9, "members": [{"address": "0000:03:10.0"}]},
        });
        let member = {
            let mut s = String::new();
            display(
                &to_value(&serde_json::json!({"address": "0000:03:10.0"})),
                &mut s,
            );
            s
        };
        for (text, want) in [
            (
                "{{ device.address }} in group {{ device.group.id }}",
                "0000:03:10.0 in group 9".to_string(),
            ),
            ("{{ device.netdevs }}", "eth0, eth1".to_string()),
            (
                "{{ device.netdevs.map(n, n + '!') }}",
                "eth0!, eth1!".to_string(),
            ),
            ("{{ host.cpu.vmx }}", "yes".to_string()),
            (
                "{{ device.numa_node }}",
                "<device.numa_node: unknown>".to_string(),
            ),
            (
                "{{ device.numa_node + 1 }}",
                "<device.numa_node + 1: unknown>".to_string(),
            ),
            ("{{ device.group.members[0] }}", member.clone()),
            ("{{ device.group.members.filter(m, true) }}", member.clone()),
            ("{{ device.group.members }}", member),
        ] {
            assert_eq!(render(text, &device), want, "{text}");
        }
    }

    fn to_value(json: &serde_json::Value) -> Value {
        FactTree::of(json).unwrap().root().to_cel()
    }
}
