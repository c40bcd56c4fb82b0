//! Message templates: text with `{{ CEL expression }}` placeholders, compiled
//! once (at load, or a built-in rule's on first render) and rendered against
//! a subject's facts.

use std::sync::{Arc, OnceLock};

use cel::{Context, Env, Program, Value};

use super::fact_tree::Fact;

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
    Now(Program),
    Later {
        env: Arc<Env>,
        program: OnceLock<Option<Program>>,
    },
}

impl Compiled {
    /// None only for a deferred placeholder that does not parse (the tests
    /// compile every built-in one).
    fn get(&self, source: &str) -> Option<&Program> {
        match self {
            Compiled::Now(p) => Some(p),
            Compiled::Later { env, program } => {
                program.get_or_init(|| env.compile(source).ok()).as_ref()
            }
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
            super::check::check_source(&source)
                .map_err(|why| format!("placeholder {{{{ {} … }}}}: {why}", prefix(&source)))?;
            let program =
                if defer {
                    Compiled::Later {
                        env: Arc::clone(env),
                        program: OnceLock::new(),
                    }
                } else {
                    Compiled::Now(env.compile(&source).map_err(|e| {
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
                Part::Path(source, segs, program) => match lookup(segs, facts) {
                    Lookup::Value(v) => display_fact(v, &mut out),
                    Lookup::Unknown => unknown(source, &mut out),
                    Lookup::Ask => execute(source, program, ctx, &mut out),
                },
                Part::Expr(source, program) => execute(source, program, ctx, &mut out),
            }
        }
        out
    }

    /// Each placeholder's source and program (compiled now if it was
    /// deferred; None if it does not parse), in order.
    pub fn placeholders(&self) -> impl Iterator<Item = (&str, Option<&Program>)> {
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
    let Some(program) = program.get(source) else {
        return unknown(source, out);
    };
    match program.execute(ctx) {
        Ok(v) => display(&v, out),
        Err(_) => unknown(source, out),
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
