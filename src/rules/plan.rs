//! What a rule's expression is evaluated as: its syntax tree with each
//! field read on a variable made an index read (`device.group.id` is
//! evaluated as `device['group'].id`).
//!
//! The cel crate resolves `device.group.id` as a qualified name: it tries
//! `device.group.id`, `device.group` and `device` as variables in every
//! scope, and the whole name as a type, joining and hashing names as it
//! goes (some 1,200 instructions a reference, a ninth of `check` on the
//! benchmark's big host). When the first segment is a variable (`host`,
//! `device`, or a comprehension's), the name always comes to that variable
//! and a field of it, since no variable has a dot in its name: indexing the
//! variable gives the same value. Only where indexing fails (on a scalar,
//! which the rule checker rejects at load) can the error's wording differ
//! (`_[_]` for `_._`); the rule is skipped either way.
//!
//! The program as parsed stays what the checker reads.

use cel::common::ast::{operators, CallExpr, EntryExpr, Expr, IdedExpr, LiteralValue};
use cel::common::value::CowVal;
use cel::objects::ResolveResult;
use cel::{Context, ExecutionError, Program, Value};

/// The tree a program is evaluated as.
pub struct Plan(IdedExpr);

impl Plan {
    pub fn of(program: &Program) -> Plan {
        let mut plan = program.expression().clone();
        rewrite(&mut plan, &mut Vec::new());
        Plan(plan)
    }

    /// What `program.execute(ctx)` gives.
    pub fn execute(&self, ctx: &Context) -> ResolveResult {
        Value::resolve(&self.0, ctx)
    }

    /// The result as the interpreter holds it (for values, such as the
    /// facts' objects, that have no `Value`).
    pub fn evaluate<'e, 'v>(
        &'e self,
        ctx: &'e Context<'_, 'v>,
    ) -> Result<CowVal<'e, 'v>, ExecutionError> {
        Value::resolve_val(&self.0, ctx)
    }
}

/// Rewrites `e` in place; `bound` holds the comprehension variables in
/// scope.
fn rewrite(e: &mut IdedExpr, bound: &mut Vec<String>) {
    let id = e.id;
    match &mut e.expr {
        Expr::Select(s) => {
            let variable = match &s.operand.expr {
                Expr::Ident(name) if !s.test && is_variable(name, bound) => Some(name.clone()),
                _ => None,
            };
            match variable {
                Some(name) => {
                    let field = std::mem::take(&mut s.field);
                    e.expr = Expr::Call(CallExpr {
                        func_name: operators::INDEX.to_string(),
                        target: None,
                        args: vec![
                            IdedExpr {
                                id: s.operand.id,
                                expr: Expr::Ident(name),
                            },
                            IdedExpr {
                                id,
                                expr: Expr::Literal(LiteralValue::String(field.into())),
                            },
                        ],
                    });
                }
                None => rewrite(&mut s.operand, bound),
            }
        }
        Expr::Call(c) => {
            if let Some(t) = c.target.as_deref_mut() {
                rewrite(t, bound);
            }
            for a in &mut c.args {
                rewrite(a, bound);
            }
        }
        Expr::Comprehension(c) => {
            rewrite(&mut c.iter_range, bound);
            rewrite(&mut c.accu_init, bound);
            let before = bound.len();
            bound.push(c.iter_var.clone());
            bound.extend(c.iter_var2.clone());
            bound.push(c.accu_var.clone());
            rewrite(&mut c.loop_cond, bound);
            rewrite(&mut c.loop_step, bound);
            rewrite(&mut c.result, bound);
            bound.truncate(before);
        }
        Expr::List(l) => {
            for x in &mut l.elements {
                rewrite(x, bound);
            }
        }
        Expr::Map(m) => {
            for entry in &mut m.entries {
                match &mut entry.expr {
                    EntryExpr::MapEntry(me) => {
                        rewrite(&mut me.key, bound);
                        rewrite(&mut me.value, bound);
                    }
                    EntryExpr::StructField(f) => rewrite(&mut f.value, bound),
                }
            }
        }
        Expr::Struct(s) => {
            for entry in &mut s.entries {
                if let EntryExpr::StructField(f) = &mut entry.expr {
                    rewrite(&mut f.value, bound);
                }
            }
        }
        Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => {}
    }
}

/// The facts' variables, and the comprehensions' in scope.
fn is_variable(name: &str, bound: &[String]) -> bool {
    name == "host" || name == "device" || bound.iter().any(|b| b == name)
}

#[cfg(test)]
mod tests;
