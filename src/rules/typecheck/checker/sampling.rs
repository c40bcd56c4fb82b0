//! Calls the type checker cannot type by rule: tried once on sample values
//! of the argument types, the library's own error telling a type error
//! from a value error.

use cel::common::ast::{CallExpr, Expr, IdedExpr};
use cel::{ExecutionError, Value};

use super::super::samples::{is_type_error, result_ty, sample, type_error, undeclared};
use super::super::schema::Ty;
use super::super::show;
use super::{is_object, Checker, Failure, OBJECT_USE};

/// Names of the sample variables: `@` keeps them apart from any name a rule
/// can write.
const SAMPLE_TARGET: &str = "@sample_target";
const SAMPLE_ARGS: [&str; 8] = [
    "@sample_0",
    "@sample_1",
    "@sample_2",
    "@sample_3",
    "@sample_4",
    "@sample_5",
    "@sample_6",
    "@sample_7",
];

impl Checker {
    /// Calls the function on sample values of the argument types.
    pub(super) fn sampled(
        &mut self,
        e: &IdedExpr,
        call: &CallExpr,
        target: Option<Ty>,
        args: Vec<Ty>,
    ) -> Result<Ty, Failure> {
        let target_expr = target.as_ref().map(|_| ident(e.id, SAMPLE_TARGET));
        self.try_samples(e, call, target_expr, target, args)
    }

    pub(super) fn sampled_as_written(
        &mut self,
        e: &IdedExpr,
        call: &CallExpr,
        args: Vec<Ty>,
    ) -> Result<Ty, Failure> {
        let target_expr = call.target.as_deref().cloned();
        self.try_samples(e, call, target_expr, None, args)
    }

    fn try_samples(
        &mut self,
        e: &IdedExpr,
        call: &CallExpr,
        target_expr: Option<IdedExpr>,
        target: Option<Ty>,
        args: Vec<Ty>,
    ) -> Result<Ty, Failure> {
        if args.len() > SAMPLE_ARGS.len() {
            return Ok(Ty::Dyn);
        }
        let probe = IdedExpr {
            id: e.id,
            expr: Expr::Call(CallExpr {
                func_name: call.func_name.clone(),
                target: target_expr.map(Box::new),
                args: (0..args.len())
                    .map(|i| ident(e.id, SAMPLE_ARGS[i]))
                    .collect(),
            }),
        };
        let all: Vec<&Ty> = target.iter().chain(&args).collect();
        if let Some(object) = all.iter().find(|t| is_object(t)) {
            return Err((
                e.id,
                format!(
                    "`{}` calls {}() on {object}: {OBJECT_USE}",
                    show(e),
                    call.func_name
                ),
            ));
        }
        let samples: Option<Vec<Value>> = all.iter().map(|t| sample(t)).collect();
        let Some(samples) = samples else {
            // Some argument is of any type: only whether the function
            // exists at all can be told (with nulls for arguments).
            let nulls = vec![Value::Null; all.len()];
            return match self.run(&probe, target.is_some(), nulls) {
                Err(ExecutionError::UndeclaredReference(n)) => Err((e.id, undeclared(&n, call))),
                _ => Ok(Ty::Dyn),
            };
        };
        let first = self.run(&probe, target.is_some(), samples);
        let first_err = match first {
            Ok(v) => return Ok(result_ty(&v, all.iter().any(|t| t.has_dyn()))),
            Err(err) => err,
        };
        if !is_type_error(&first_err) {
            return Ok(Ty::Dyn);
        }
        // A nullable argument may be null at run time, and the call may
        // take null: only when it fails both ways is it wrong.
        if all.iter().any(|t| matches!(t, Ty::Nullable(_))) {
            let with_nulls: Option<Vec<Value>> = all
                .iter()
                .map(|t| match t {
                    Ty::Nullable(_) => Some(Value::Null),
                    t => sample(t),
                })
                .collect();
            if let Some(with_nulls) = with_nulls {
                match self.run(&probe, target.is_some(), with_nulls) {
                    Err(err) if is_type_error(&err) => {}
                    _ => return Ok(Ty::Dyn),
                }
            }
        }
        Err((e.id, type_error(e, call, &first_err, &all)))
    }

    fn run(
        &mut self,
        probe: &IdedExpr,
        has_target: bool,
        values: Vec<Value>,
    ) -> Result<Value, ExecutionError> {
        let mut values = values.into_iter();
        if has_target {
            if let Some(t) = values.next() {
                self.sampler.add_variable_from_value(SAMPLE_TARGET, t);
            }
        }
        for (i, v) in values.enumerate() {
            self.sampler.add_variable_from_value(SAMPLE_ARGS[i], v);
        }
        Value::resolve(probe, &self.sampler)
    }
}

fn ident(id: u64, name: &str) -> IdedExpr {
    IdedExpr {
        id,
        expr: Expr::Ident(name.to_string()),
    }
}
