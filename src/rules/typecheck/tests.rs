use std::collections::HashMap;

use cel::objects::Key;
use cel::{Context, Value};

use super::*;
use crate::rules::engine::cel_env;

fn checked(src: &str, device: bool, want: Want) -> Result<(), String> {
    let env = cel_env();
    let program = env.compile(src).expect("parses");
    check(&program, &env, device, want).map_err(|e| e.reason)
}

#[test]
fn valid_expressions_pass() {
    for src in [
        "host.cpu.vmx || host.cpu.svm",
        "host.distro.family == 'rhel'",
        "host.modules.vfio_pci == 'loaded' || host.modules['vfio-pci'] == 'builtin'",
        "'vfio' in host.modules",
        "host.kernel.params.intel_iommu == 'on'",
        "has(host.kernel.params.iommu)",
        "size(host.iommu.units) > 0 && host.iommu.groups >= 1u",
        "host.iommu.groups > 0.5",
        "host.firmware.iommu_table.intr_remap == true",
        "host.firmware.iommu_table.intr_remap",
        "host.guests.exists(g, g.running && g.memory_kib != null && g.memory_kib > 1024)",
        "host.guests.map(g, g.name).join(', ') != ''",
        "host.guests.filter(g, g.kind == 'xl').size() == 0",
        "host.guests.map(g, g.running, g.name).size() >= 0",
        "host.modules.exists(m, m.startsWith('vfio'))",
        "host.modules.all(k, host.modules[k] != 'absent' || k == 'x')",
        "strings.quote(host.distro.id) != ''",
        "type(host.iommu.units) == list",
        "dyn(host.cpu.cpus) == 'x'",
        "[1, 'a'].size() == 2",
        "host.iommu.units[0].startsWith('dmar')",
        "host.cpu.model_name.lowerAscii().contains('xeon')",
        "host.kernel.cmdline.split(' ').exists(w, w == 'iommu=pt')",
        "host.qemu.gids.exists(g, g == 36)",
        "host.xen.capabilities == null || host.xen.capabilities.contains('hvm')",
        "host.xen.capabilities.contains('hvm')",
        "{'a': host.cpu.vmx}.a",
        "host.cpu.cpus / 0 == 1",
        "host.cpu.model_name.substring(5) != ''",
        "int(host.kernel.release) > 4",
        "host.guests.sortBy(g, g.name).size() > 0",
        "[].all(x, x.anything)",
    ] {
        assert_eq!(checked(src, false, Want::Bool), Ok(()), "{src}");
    }
    for src in [
        "device.driver == 'vfio-pci'",
        "device.driver == null ? 'unbound' : device.driver",
        "device.group.blockers.map(m, m.address + ' is bound to ' + m.driver).join(', ')",
        "device.pf_driver.missing_deps.join(', ')",
        "device.sriov.numvfs < device.sriov.totalvfs",
        "device.memlock.limit_bytes == null || device.memlock.limit_bytes >= device.memlock.memory_bytes",
        "device.acs_path.filter(p, !p.isolates).map(p, p.address + ' lacks ' + p.missing.join('/'))",
    ] {
        assert_eq!(checked(src, true, Want::Any), Ok(()), "{src}");
    }
}

#[test]
fn unknown_names_and_facts_are_rejected() {
    for (src, device, want) in [
        ("hots.cpu.vmx", false, "unknown name 'hots'"),
        ("device.kind == 'vf'", false, "'device' is not available in a host rule"),
        ("host.cpu.vmxx", false, "unknown fact 'host.cpu.vmxx': host.cpu has no field 'vmxx'; did you mean host.cpu.vmx?"),
        ("has(host.cpu.nested)", false, "unknown fact 'host.cpu.nested'"),
        ("host.cpu['vmxx']", false, "unknown fact 'host.cpu.vmxx'"),
        ("host.guests.exists(g, g.nme == 'x')", false, "unknown fact 'g.nme'"),
        ("device.group.members.all(m, m.drivr == null)", true, "unknown fact 'm.drivr'"),
        ("device.pf_driver.modul == 'igb'", true, "unknown fact 'device.pf_driver.modul'"),
        ("sizee(host.guests) == 0", false, "unknown function 'sizee'"),
        ("host.guests.count() == 0", false, "unknown function 'count'"),
        ("stringz.quote('a') == 'a'", false, "unknown name 'stringz'"),
        // Two-variable comprehensions are not macros in this environment.
        ("host.guests.all(i, g, i >= 0)", false, "unknown name 'i'"),
    ] {
        let got = checked(src, device, Want::Bool).expect_err(src);
        assert!(got.contains(want), "{src}: {got}");
    }
}

#[test]
fn type_errors_are_rejected() {
    for (src, want) in [
        ("host.distro.family == 7", "compares a string with an int"),
        ("host.cpu.vmx != 'yes'", "compares a bool with a string"),
        (
            "size(host.cpu.vmx) > 0",
            "found no matching overload for 'size' applied to '(bool)'",
        ),
        ("host.cpu.vmx.size() > 0", "type error on a bool"),
        ("host.iommu.units", "is a list of strings, not a bool"),
        ("host.kernel.params", "is a map, not a bool"),
        ("host.distro.family", "is a string, not a bool"),
        ("host.iommu.units && true", "but && needs a bool"),
        ("!host.iommu.groups", "but ! needs a bool"),
        ("host.cpu.cpus ? true : false", "but ? : needs a bool"),
        (
            "host.cpu.model_name > 3",
            "type error on a string and an int",
        ),
        ("host.cpu.cpus + 1u > 2", "no 'add' for int and uint"),
        ("host.iommu.groups.join(',') == ''", "type error"),
        (
            "host.qemu.gids.join(',') == ''",
            "got int where string is needed",
        ),
        (
            "1 in host.iommu.units",
            "looks for an int among a list of strings",
        ),
        ("'x' in host.cpu.cpus", "'in' needs a list or a map"),
        ("host.cpu.vmx.exists(x, x)", "nothing to iterate over"),
        ("host.cpu.model_name.x == 1", "it has no field 'x'"),
        ("host.iommu.units['a'] == 'b'", "a list's index is a number"),
        (
            "host.guests.exists(g, g.memory_kib > 'x')",
            "type error on an int or null and a string",
        ),
        ("host.cpu.model_name.contains(1)", "type error"),
    ] {
        let got = checked(src, false, Want::Bool).expect_err(src);
        assert!(got.contains(want), "{src}: {got}");
    }
}

/// A fact structure is read field by field (`FactsVal`): what would need
/// it whole (its size, its keys, comparing it with a map or another
/// structure) is rejected at load, so that no rule can rely on it.
#[test]
fn fact_structures_are_read_field_by_field() {
    for src in [
        "device.group != null && has(device.group.id)",
        "'id' in device.group",
        "device.group.members.exists(m, m != null && m.driver == null)",
        "device.group.members[0].address != ''",
        // dyn() opts out, as everywhere: compared by content at run time.
        "dyn(device.group) == {'id': 1}",
        "device.group.members.exists(m, dyn(m) == {'address': 'x'})",
    ] {
        assert_eq!(checked(src, true, Want::Bool), Ok(()), "{src}");
    }
    for (src, want) in [
        (
            "size(device.group) > 0",
            "calls size() on a GroupFacts object",
        ),
        (
            "device.group.members.exists(m, size(m) == 4)",
            "calls size() on a",
        ),
        ("device.group == {'id': 1}", "compares a GroupFacts object"),
        (
            "device.group.members.exists(m, m == device.group.members[0])",
            "compares a",
        ),
        (
            "device.group.members[0] in device.group.members",
            "looks for a",
        ),
        ("device.group.exists(k, k == 'id')", "not iterated over"),
        ("string(device.group) != ''", "calls string() on a"),
    ] {
        let got = checked(src, true, Want::Bool).expect_err(src);
        assert!(got.contains(want), "{src}: {got}");
        assert!(got.contains("only has its fields selected"), "{src}: {got}");
    }
}

#[test]
fn deep_chains_are_rejected_before_anything_recurses_on_them() {
    let env = cel_env();
    let mut deepest = 0;
    for (file, text) in crate::rules::BUILTIN_RULES {
        let value: toml::Value = toml::from_str(text).unwrap();
        let mut sources: Vec<String> = Vec::new();
        for key in ["applies", "condition", "warn_if"] {
            sources.extend(value.get(key).and_then(|v| v.as_str()).map(String::from));
        }
        let rule =
            crate::rules::Rule::load(file, text, "built-in", &env, crate::rules::Compile::Checked)
                .unwrap();
        for t in [&rule.pass, &rule.fail].into_iter().chain(&rule.evidence) {
            sources.extend(t.placeholders().map(|(s, _)| s.to_string()));
        }
        for src in sources {
            deepest = deepest.max(depth(env.compile(&src).unwrap().expression()));
        }
    }
    assert!(
        deepest >= 10 && deepest * 4 <= MAX_DEPTH,
        "built-in rules reach {deepest}"
    );
    for (src, levels) in [
        (format!("host{}", ".a".repeat(150)), 151),
        (format!("host.iommu.units{}", "[0]".repeat(150)), 153),
        (format!("1{} > 0", " + 1".repeat(150)), 152),
    ] {
        let program = env.compile(&src).unwrap();
        assert_eq!(depth(program.expression()), levels);
        let err = check(&program, &env, false, Want::Bool).unwrap_err();
        assert!(
            err.reason.contains(&format!("nests {levels} levels deep")),
            "{}",
            err.reason
        );
    }
}

/// What lets the built-in rules load `Compile::Deferred` at run time (no
/// type checks, placeholders parsed when first rendered): every one of them
/// parses and checks here.
#[test]
fn every_built_in_rule_loads_checked() {
    let env = cel_env();
    let errors: Vec<String> = crate::rules::BUILTIN_RULES
        .iter()
        .filter_map(|(file, text)| {
            crate::rules::Rule::load(file, text, "built-in", &env, crate::rules::Compile::Checked)
                .err()
                .map(|e| e.to_string())
        })
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(crate::rules::BUILTIN_RULES.len() >= 18);
}

#[test]
fn needs_name_facts() {
    assert_eq!(check_need("host.distro", false), Ok(()));
    assert_eq!(check_need("host.modules.vfio_pci", false), Ok(()));
    assert_eq!(check_need("device.group", true), Ok(()));
    assert!(check_need("host.distrox", false)
        .unwrap_err()
        .contains("did you mean host.distro?"));
    assert!(check_need("device.group", false)
        .unwrap_err()
        .contains("starts with host."));
    assert!(check_need("host.cpu.vmx.x", false)
        .unwrap_err()
        .contains("host.cpu.vmx is a bool, which has no fields"));
}

/// Whether an evaluated value is of the type inferred for it.
fn fits(v: &Value, t: &Ty) -> bool {
    match (t, v) {
        (Ty::Dyn | Ty::Never, _) => true,
        (Ty::Nullable(_) | Ty::Null, Value::Null) => true,
        (Ty::Nullable(t), v) => fits(v, t),
        (Ty::Bool, Value::Bool(_))
        | (Ty::Int, Value::Int(_))
        | (Ty::UInt, Value::UInt(_))
        | (Ty::Double, Value::Float(_))
        | (Ty::String, Value::String(_))
        | (Ty::Bytes, Value::Bytes(_)) => true,
        (Ty::List(e), Value::List(items)) => items.iter().all(|i| fits(i, e)),
        (Ty::Map(_, val), Value::Map(m)) => m.map.values().all(|x| fits(x, val)),
        (Ty::Object(o), Value::Map(m)) => m.map.iter().all(|(k, x)| match k {
            Key::String(k) => o.fields.get(k.as_str()).is_some_and(|f| fits(x, f)),
            _ => false,
        }),
        _ => false,
    }
}

/// Whether every name in the expression is `host`, `device` or a
/// variable of a comprehension inside it: then it can be evaluated alone.
fn closed(e: &IdedExpr, bound: &mut Vec<String>) -> bool {
    match &e.expr {
        Expr::Ident(n) => n == "host" || n == "device" || bound.contains(n),
        Expr::Literal(_) | Expr::Unspecified => true,
        Expr::Select(s) => closed(&s.operand, bound),
        Expr::Call(c) => {
            c.target.as_deref().is_none_or(|t| closed(t, bound))
                && c.args.iter().all(|a| closed(a, bound))
        }
        Expr::List(l) => l.elements.iter().all(|x| closed(x, bound)),
        Expr::Map(m) => m.entries.iter().all(|en| match &en.expr {
            EntryExpr::MapEntry(me) => closed(&me.key, bound) && closed(&me.value, bound),
            EntryExpr::StructField(f) => closed(&f.value, bound),
        }),
        Expr::Struct(_) => false,
        Expr::Comprehension(c) => {
            if !closed(&c.iter_range, bound) || !closed(&c.accu_init, bound) {
                return false;
            }
            let depth = bound.len();
            bound.push(c.iter_var.clone());
            bound.extend(c.iter_var2.clone());
            bound.push(c.accu_var.clone());
            let ok = closed(&c.loop_cond, bound)
                && closed(&c.loop_step, bound)
                && closed(&c.result, bound);
            bound.truncate(depth);
            ok
        }
    }
}

/// Every closed node of the expression.
fn nodes<'a>(e: &'a IdedExpr, out: &mut Vec<&'a IdedExpr>) {
    if closed(e, &mut Vec::new()) {
        out.push(e);
    }
    match &e.expr {
        Expr::Select(s) => nodes(&s.operand, out),
        Expr::Call(c) => {
            if let Some(t) = &c.target {
                nodes(t, out);
            }
            c.args.iter().for_each(|a| nodes(a, out));
        }
        Expr::List(l) => l.elements.iter().for_each(|x| nodes(x, out)),
        Expr::Map(m) => m.entries.iter().for_each(|en| {
            if let EntryExpr::MapEntry(me) = &en.expr {
                nodes(&me.key, out);
                nodes(&me.value, out);
            }
        }),
        Expr::Comprehension(c) => {
            nodes(&c.iter_range, out);
            nodes(&c.accu_init, out);
        }
        _ => {}
    }
}

/// The soundness of the checker, on real facts: on every test host, the
/// facts fit the types derived from the fact structs, and every part of
/// every built-in rule's expressions that evaluates gives a value of the
/// type the checker inferred for it.
#[test]
fn inference_agrees_with_evaluation_on_every_test_host() {
    use crate::rules::cel_value::to_cel;
    use crate::rules::{Engine, Scope};

    let env = cel_env();
    let engine = Engine::load(None).expect("built-in rules load");
    // (program, whether device is bound, inferred types by node id)
    type Inferred<'a> = (&'a Program, bool, HashMap<u64, Vec<Ty>>);
    let mut programs: Vec<Inferred> = Vec::new();
    for rule in &engine.rules {
        let device = rule.scope != Scope::Host;
        let mut all: Vec<&Program> = Vec::new();
        all.extend(rule.applies.iter().map(|e| &e.program));
        all.push(&rule.condition.program);
        all.extend(rule.warn_if.iter().map(|e| &e.program));
        for r in &rule.remediation {
            all.extend(r.when.iter().map(|e| &e.program));
            all.extend(r.text.placeholders().map(|(s, p)| p.expect(s)));
        }
        for v in &rule.variants {
            all.push(&v.when.program);
            all.extend(v.text.placeholders().map(|(s, p)| p.expect(s)));
        }
        for t in [&rule.pass, &rule.fail]
            .into_iter()
            .chain(&rule.evidence)
            .chain(&rule.not_applicable)
        {
            all.extend(t.placeholders().map(|(s, p)| p.expect(s)));
        }
        for p in all {
            let mut types: HashMap<u64, Vec<Ty>> = HashMap::new();
            for (id, t) in node_types(p, &env, device).expect("built-in rules check") {
                types.entry(id).or_default().push(t);
            }
            programs.push((p, device, types));
        }
    }
    let mut compared = 0usize;
    let mut hosts = 0usize;
    for (dir, facts) in crate::rules::test_host_facts() {
        hosts += 1;
        let host = serde_json::to_value(&facts.host).unwrap();
        let misfit = schema::misfit(&host, schema::host(), "host");
        assert_eq!(misfit, None, "{}", dir.display());
        let mut ctx = Context::with_env(Arc::clone(&env));
        ctx.add_variable_from_value("host", to_cel(&host));
        let mut subjects = vec![None];
        for d in &facts.devices {
            let json = serde_json::to_value(d).unwrap();
            let misfit = schema::misfit(&json, schema::device(), "device");
            assert_eq!(misfit, None, "{} {}", dir.display(), d.address);
            subjects.push(Some(json));
        }
        for subject in &subjects {
            if let Some(json) = subject {
                ctx.add_variable_from_value("device", to_cel(json));
            }
            for (program, device, types) in &programs {
                if *device != subject.is_some() {
                    continue;
                }
                let mut closed_nodes = Vec::new();
                nodes(program.expression(), &mut closed_nodes);
                for node in closed_nodes {
                    let Ok(v) = Value::resolve(node, &ctx) else {
                        continue;
                    };
                    let inferred = &types[&node.id];
                    assert!(
                        inferred.iter().any(|t| fits(&v, t)),
                        "{}: `{}` gave {v:?}, inferred {inferred:?}",
                        dir.display(),
                        show(node)
                    );
                    compared += 1;
                }
            }
        }
    }
    assert!(hosts >= 20, "{hosts} test hosts");
    assert!(compared > 10_000, "only {compared} values compared");
}
