//! Message templates: text with `{{ CEL expression }}` placeholders, compiled
//! once at load and rendered against a subject's facts.

use cel::{Context, Env, Program, Value};

enum Part {
    Text(String),
    Expr(String, Program),
}

pub struct Template {
    parts: Vec<Part>,
}

impl Template {
    pub fn compile(text: &str, env: &Env) -> Result<Template, String> {
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
            let program = env
                .compile(&source)
                .map_err(|e| format!("placeholder {{{{ {source} }}}} does not parse: {e}"))?;
            parts.push(Part::Expr(source, program));
            rest = &after[end + 2..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Ok(Template { parts })
    }

    /// The text with each placeholder's value.
    pub fn render(&self, ctx: &Context) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Expr(source, program) => match program.execute(ctx) {
                    Ok(v) => display(&v, &mut out),
                    Err(_) => {
                        out.push('<');
                        out.push_str(source);
                        out.push_str(": unknown>");
                    }
                },
            }
        }
        out
    }

    /// The text with placeholders shown as `<expression>`, for documentation.
    pub fn outline(&self) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                // A plain fact path reads well; a computed phrase does not.
                Part::Expr(source, _) if is_path(source) => {
                    out.push('<');
                    out.push_str(source);
                    out.push('>');
                }
                Part::Expr(..) => out.push_str("<…>"),
            }
        }
        out
    }
}

fn is_path(source: &str) -> bool {
    source
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
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
