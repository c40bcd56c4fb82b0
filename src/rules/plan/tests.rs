use std::sync::Arc;

use super::*;
use crate::rules::engine::cel_env;
use crate::rules::fact_tree::FactTree;
use crate::rules::facts_val::FactsVal;
use crate::rules::{Engine, Scope};

fn context(
    host: &serde_json::Value,
    device: Option<&serde_json::Value>,
) -> Context<'static, 'static> {
    let mut ctx = Context::with_env(cel_env());
    let bind = |ctx: &mut Context, name: &str, facts: &serde_json::Value| {
        let tree = Arc::new(FactTree::of(facts).unwrap());
        ctx.add_variable_as_val(name, Box::new(FactsVal::new(tree)));
    };
    bind(&mut ctx, "host", host);
    if let Some(d) = device {
        bind(&mut ctx, "device", d);
    }
    ctx
}

/// Both ways of evaluating give the same result, errors included.
fn same(src: &str, ctx: &Context) -> ResolveResult {
    let program = cel_env().compile(src).unwrap();
    let planned = Plan::of(&program).execute(ctx);
    assert_eq!(planned, program.execute(ctx), "{src}");
    planned
}

#[test]
fn field_reads_on_variables_give_what_the_qualified_names_give() {
    let host = serde_json::json!({"modules": {"vfio_pci": "loaded"}, "cpu": {"vmx": true}});
    let device = serde_json::json!({
        "address": "0000:03:10.0",
        "pf": null,
        "numa_node": {"unknown": "not read"},
        "group": {"id": 9, "members": [{"address": "0000:03:10.0", "driver": null}]},
    });
    let ctx = context(&host, Some(&device));
    let value = |src: &str| same(src, &ctx);
    assert_eq!(value("device.group.id"), Ok(Value::Int(9)));
    assert_eq!(value("host.modules.vfio_pci"), Ok(Value::from("loaded")));
    assert_eq!(value("has(device.group.id)"), Ok(Value::Bool(true)));
    assert_eq!(value("has(device.numa_node)"), Ok(Value::Bool(false)));
    assert_eq!(value("has(device.pf)"), Ok(Value::Bool(true)));
    assert_eq!(
        value("device.group.members.map(m, m.address + ' ' + (m.driver == null ? 'unbound' : m.driver))"),
        Ok(Value::List(Arc::new(vec![Value::from("0000:03:10.0 unbound")])))
    );
    // A comprehension's variable named like a fact shadows it, both ways.
    assert_eq!(
        value("[{'id': 1}].map(device, device.id)"),
        Ok(Value::List(Arc::new(vec![Value::Int(1)])))
    );
    assert_eq!(
        value("device.group.members.exists(host, host.address == device.address)"),
        Ok(Value::Bool(true))
    );
    // Errors: the same, word for word.
    for src in [
        "device.numa_node",
        "device.nothing",
        "device.pf.address",
        "device.group.nothing.x",
        "nothing.x",
        "{'a': 1}.b",
    ] {
        assert!(value(src).is_err(), "{src}");
    }
    // device in a host rule's context is undeclared, both ways.
    let host_only = context(&host, None);
    assert!(same("device.address", &host_only).is_err());
}

/// On every test host, every built-in rule's conditions and placeholders
/// give the same as their programs, for the host and for every device.
#[test]
fn plans_agree_with_the_programs_on_every_test_host() {
    let engine = Engine::load(None).expect("built-in rules load");
    let mut exprs: Vec<(bool, &str, &Program, &Plan)> = Vec::new();
    for rule in &engine.rules {
        let device = rule.scope != Scope::Host;
        let conditions = rule
            .applies
            .iter()
            .chain([&rule.condition])
            .chain(&rule.warn_if)
            .chain(rule.remediation.iter().filter_map(|r| r.when.as_ref()))
            .chain(rule.variants.iter().map(|v| &v.when));
        for e in conditions {
            exprs.push((device, &e.source, &e.program, &e.plan));
        }
        let templates = [&rule.pass, &rule.fail]
            .into_iter()
            .chain(&rule.evidence)
            .chain(&rule.not_applicable)
            .chain(rule.remediation.iter().map(|r| &r.text))
            .chain(rule.variants.iter().map(|v| &v.text));
        for t in templates {
            for (source, compiled) in t.plans() {
                let (program, plan) = compiled.expect(source);
                exprs.push((device, source, program, plan));
            }
        }
    }
    let hosts = crate::rules::test_host_facts();
    let (mut compared, mut ok) = (0usize, 0usize);
    for (dir, facts) in &hosts {
        let host = serde_json::to_value(&facts.host).unwrap();
        let mut subjects = vec![None];
        subjects.extend(
            facts
                .devices
                .iter()
                .map(|d| Some(serde_json::to_value(d).unwrap())),
        );
        for subject in &subjects {
            let ctx = context(&host, subject.as_ref());
            for (device, source, program, plan) in &exprs {
                if *device != subject.is_some() {
                    continue;
                }
                let got = plan.execute(&ctx);
                assert_eq!(got, program.execute(&ctx), "{}: {source}", dir.display());
                compared += 1;
                ok += usize::from(got.is_ok());
            }
        }
    }
    assert!(hosts.len() >= 20, "{} test hosts", hosts.len());
    assert!(
        compared > 10_000 && ok > compared / 2,
        "{ok} of {compared} evaluated"
    );
}
