//! Expressions printed back as a rule writes them, for error messages.

use cel::common::ast::{operators, Expr, IdedExpr};
use cel::Value;

/// An expression as a rule writes it, for messages (macros shown as `…`).
pub fn show(e: &IdedExpr) -> String {
    let mut s = String::new();
    write_expr(e, &mut s, 0);
    if s.chars().count() > 80 {
        s = s.chars().take(77).collect::<String>() + "…";
    }
    s
}

fn write_expr(e: &IdedExpr, out: &mut String, depth: usize) {
    if depth > 16 || out.len() > 200 {
        out.push('…');
        return;
    }
    let d = depth + 1;
    match &e.expr {
        Expr::Ident(n) if n.starts_with('@') => out.push_str("the result"),
        Expr::Ident(n) => out.push_str(n),
        Expr::Literal(l) => match Value::try_from(l.to_val().as_ref()) {
            Ok(Value::String(s)) => {
                out.push('\'');
                out.push_str(&s);
                out.push('\'');
            }
            Ok(Value::UInt(u)) => out.push_str(&format!("{u}u")),
            Ok(v) => {
                let mut text = String::new();
                crate::rules::template::display(&v, &mut text);
                out.push_str(match &v {
                    Value::Bool(b) => {
                        if *b {
                            "true"
                        } else {
                            "false"
                        }
                    }
                    Value::Null => "null",
                    _ => &text,
                });
            }
            Err(_) => out.push('…'),
        },
        Expr::Select(s) => {
            if s.test {
                out.push_str("has(");
            }
            write_expr(&s.operand, out, d);
            out.push('.');
            out.push_str(&s.field);
            if s.test {
                out.push(')');
            }
        }
        Expr::Call(c) => {
            let infix = match c.func_name.as_str() {
                operators::LOGICAL_AND => Some("&&"),
                operators::LOGICAL_OR => Some("||"),
                operators::EQUALS => Some("=="),
                operators::NOT_EQUALS => Some("!="),
                operators::LESS => Some("<"),
                operators::LESS_EQUALS => Some("<="),
                operators::GREATER => Some(">"),
                operators::GREATER_EQUALS => Some(">="),
                operators::ADD => Some("+"),
                operators::SUBSTRACT => Some("-"),
                operators::MULTIPLY => Some("*"),
                operators::DIVIDE => Some("/"),
                operators::MODULO => Some("%"),
                operators::IN => Some("in"),
                _ => None,
            };
            match (infix, c.args.as_slice(), c.func_name.as_str()) {
                (Some(op), [a, b], _) => {
                    write_expr(a, out, d);
                    out.push_str(&format!(" {op} "));
                    write_expr(b, out, d);
                }
                (_, [a], operators::LOGICAL_NOT) => {
                    out.push('!');
                    write_expr(a, out, d);
                }
                (_, [a], operators::NEGATE) => {
                    out.push('-');
                    write_expr(a, out, d);
                }
                (_, [a, i], operators::INDEX) => {
                    write_expr(a, out, d);
                    out.push('[');
                    write_expr(i, out, d);
                    out.push(']');
                }
                (_, [a, b, c], operators::CONDITIONAL) => {
                    write_expr(a, out, d);
                    out.push_str(" ? ");
                    write_expr(b, out, d);
                    out.push_str(" : ");
                    write_expr(c, out, d);
                }
                _ => {
                    if let Some(t) = &c.target {
                        write_expr(t, out, d);
                        out.push('.');
                    }
                    out.push_str(&c.func_name);
                    out.push('(');
                    for (i, a) in c.args.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        write_expr(a, out, d);
                    }
                    out.push(')');
                }
            }
        }
        Expr::List(l) => {
            out.push('[');
            for (i, a) in l.elements.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(a, out, d);
            }
            out.push(']');
        }
        _ => out.push('…'),
    }
}
