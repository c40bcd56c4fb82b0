//! Evaluates rules over facts: compiled once per run, one CEL context per
//! thread, the host and each device in turn bound as facts read on access
//! (one rule on one subject is `evaluate`).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use cel::{Context, Env};

use super::evaluate::{eval_bool, evaluate, finding};
use super::fact_tree::FactTree;
use super::facts_val::FactsVal;
use super::spec::{Compile, Rule, RuleError, Scope};
use super::template::Subject;
use super::BUILTIN_RULES;
use crate::facts::{DeviceFacts, DeviceKind, Facts};
use crate::findings::{Finding, Status};

pub struct Engine {
    pub rules: Vec<Rule>,
    env: Arc<Env>,
}

/// The CEL environment rules are compiled against: the standard library plus
/// the strings and lists extensions (join, split, …).
pub fn cel_env() -> Arc<Env> {
    let mut env = Env::stdlib();
    env.add_extension(cel::extensions::strings)
        .expect("strings extension registers once");
    env.add_extension(cel::extensions::lists)
        .expect("lists extension registers once");
    Arc::new(env)
}

impl Engine {
    /// The built-in rules, plus (overriding by id) the rules in `site_dir`.
    /// Every error is reported, not just the first.
    pub fn load(site_dir: Option<&Path>) -> Result<Engine, Vec<RuleError>> {
        let env = cel_env();
        let mut rules: BTreeMap<String, Rule> = BTreeMap::new();
        let mut errors = Vec::new();
        for (file, text) in BUILTIN_RULES {
            match Rule::load(file, text, "built-in", &env, Compile::Deferred) {
                Ok(r) => {
                    rules.insert(r.id.clone(), r);
                }
                Err(e) => errors.push(e),
            }
        }
        if let Some(dir) = site_dir {
            match read_toml_dir(dir) {
                Ok(files) if files.is_empty() && !has_signatures(dir) => errors.push(RuleError {
                    file: dir.display().to_string(),
                    line: None,
                    reason: "no rule files in this folder: expected one *.toml file per rule, named by its id (for example site.distro.toml, in the format docs/rules.md describes), or signature files in its signatures/ folder".into(),
                }),
                Ok(files) => {
                    for (path, text) in files {
                        let name = Path::new(&path)
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        match Rule::load(&name, &text, &path, &env, Compile::Checked) {
                            Ok(r) => {
                                rules.insert(r.id.clone(), r);
                            }
                            Err(mut e) => {
                                e.file = path.clone();
                                errors.push(e)
                            }
                        }
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(Engine {
                rules: rules.into_values().collect(),
                env,
            })
        } else {
            Err(errors)
        }
    }

    /// The ids of the rules [`Engine::load`] gives for `site_dir` when it
    /// succeeds (every rule's id is its file's stem), without reading or
    /// compiling them: what signatures are checked against while the rules
    /// load.
    pub fn rule_ids(site_dir: Option<&Path>) -> Vec<String> {
        let mut ids: Vec<String> = BUILTIN_RULES
            .iter()
            .map(|(file, _)| super::spec::file_stem(file))
            .collect();
        let site = site_dir.and_then(|dir| std::fs::read_dir(dir).ok());
        for entry in site.into_iter().flatten().flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
                ids.push(super::spec::file_stem(&path.to_string_lossy()));
            }
        }
        ids.sort();
        ids.dedup();
        ids
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// A context with the host bound (read on access, as a device is), for
    /// one thread of evaluation.
    fn context(&self, host: &Arc<FactTree>) -> Context<'static, 'static> {
        let mut ctx = Context::with_env(Arc::clone(&self.env));
        ctx.add_variable_as_val("host", Box::new(FactsVal::new(Arc::clone(host))));
        ctx
    }

    /// Every rule against the facts.
    pub fn run(&self, facts: &Facts) -> Vec<Finding> {
        let host = Arc::new(FactTree::of(&facts.host).expect("facts serialize"));
        let focused = !facts.host.targets.is_empty();
        let mut findings = Vec::new();
        let (host_rules, device_rules): (Vec<&Rule>, Vec<&Rule>) =
            self.rules.iter().partition(|r| r.scope == Scope::Host);
        let mut ctx = self.context(&host);
        for rule in host_rules {
            findings.extend(self.eval_host(rule, &mut ctx, &host));
        }
        drop(ctx);
        // The devices are independent of each other: a large host's are
        // split into contiguous runs, evaluated side by side, and merged in
        // device order, so the result is the same as in one run.
        let runs: Vec<DeviceRun> = crate::par::runs(&facts.devices, DEVICES_PER_WORKER, |run| {
            self.run_devices(run, &device_rules, &host, focused)
        });
        let mut produced = vec![0usize; device_rules.len()];
        let mut not_applicable: Vec<Option<String>> = vec![None; device_rules.len()];
        // Rule by rule, each rule's findings in device order: the order the
        // report sorts them into, so that sorting finds them almost sorted.
        let mut by_rule: Vec<Vec<Finding>> = (0..device_rules.len()).map(|_| Vec::new()).collect();
        for run in runs {
            for (r, f) in run.findings.into_iter().enumerate() {
                by_rule[r].extend(f);
            }
            for (r, n) in run.produced.into_iter().enumerate() {
                produced[r] += n;
            }
            for (r, why) in run.not_applicable.into_iter().enumerate() {
                if why.is_some() {
                    not_applicable[r] = why;
                }
            }
        }
        findings.extend(by_rule.into_iter().flatten());
        for (r, rule) in device_rules.iter().enumerate() {
            if produced[r] == 0 {
                findings.extend(no_findings(rule, not_applicable[r].take(), facts, focused));
            }
        }
        findings
    }

    fn eval_host(&self, rule: &Rule, ctx: &mut Context, host: &FactTree) -> Option<Finding> {
        let applies = rule.applies.as_ref().map(|a| eval_bool(a, ctx));
        evaluate(rule, ctx, host.root(), None, "host", true, applies)
    }

    /// The device rules against a run of devices, device by device: each
    /// device is bound once (as a [`FactsVal`], read on access), then every
    /// rule that applies to it runs.
    fn run_devices(
        &self,
        devices: &[DeviceFacts],
        device_rules: &[&Rule],
        host: &Arc<FactTree>,
        focused: bool,
    ) -> DeviceRun {
        let mut ctx = self.context(host);
        let mut out = DeviceRun {
            findings: (0..device_rules.len()).map(|_| Vec::new()).collect(),
            produced: vec![0; device_rules.len()],
            not_applicable: vec![None; device_rules.len()],
        };
        // Per device rule: its `applies` when that reads the host only (the
        // same for every device), and the last device it did not apply to,
        // whose reason is rendered once at the end.
        let mut host_applies: Vec<Option<Result<bool, String>>> = vec![None; device_rules.len()];
        let mut last_skipped: Vec<Option<Arc<FactTree>>> = vec![None; device_rules.len()];
        for d in devices {
            let rules: Vec<usize> = (0..device_rules.len())
                .filter(|&r| is_subject(device_rules[r].scope, d, focused))
                .collect();
            if rules.is_empty() {
                continue;
            }
            let tree = Arc::new(FactTree::of(d).expect("facts serialize"));
            ctx.add_variable_as_val("device", Box::new(FactsVal::new(Arc::clone(&tree))));
            let subject = d.address.to_string();
            for r in rules {
                let rule = device_rules[r];
                let target = d.target || d.target_pf;
                let applies =
                    rule.applies
                        .as_ref()
                        .map(|a| match (a.host_only, &host_applies[r]) {
                            (true, Some(known)) => known.clone(),
                            (true, None) => host_applies[r].insert(eval_bool(a, &ctx)).clone(),
                            (false, _) => eval_bool(a, &ctx),
                        });
                match evaluate(
                    rule,
                    &ctx,
                    host.root(),
                    Some(tree.root()),
                    &subject,
                    target,
                    applies,
                ) {
                    Some(f) => {
                        out.findings[r].push(f);
                        out.produced[r] += 1;
                    }
                    None => last_skipped[r] = Some(Arc::clone(&tree)),
                }
            }
        }
        for (r, tree) in last_skipped.into_iter().enumerate() {
            let (Some(tree), Some(t)) = (tree, &device_rules[r].not_applicable) else {
                continue;
            };
            ctx.add_variable_as_val("device", Box::new(FactsVal::new(Arc::clone(&tree))));
            let facts = Subject {
                host: host.root(),
                device: Some(tree.root()),
            };
            out.not_applicable[r] = Some(t.render(&ctx, facts));
        }
        out
    }
}

/// What the device rules gave for a run of devices.
struct DeviceRun {
    /// Per device rule, its findings in device order.
    findings: Vec<Vec<Finding>>,
    /// Findings per device rule.
    produced: Vec<usize>,
    /// Per device rule, why it did not apply to the last device it skipped.
    not_applicable: Vec<Option<String>>,
}

/// Devices per worker thread below which a second thread costs more than
/// it saves (rules take some 40 µs per device).
const DEVICES_PER_WORKER: usize = 256;

/// What a device rule reports when it produced no finding: not applicable
/// (with its reason), not applicable to the targets, or its no_subjects.
fn no_findings(
    rule: &Rule,
    not_applicable: Option<String>,
    facts: &Facts,
    focused: bool,
) -> Option<Finding> {
    if let Some(why) = not_applicable {
        return Some(finding(
            rule,
            Status::Skip,
            "host",
            format!("not applicable: {why}"),
            Vec::new(),
            Vec::new(),
            false,
        ));
    }
    // A target its PF has not created yet has nothing to check until it
    // exists: said as such, rather than that there is no target.
    let pending: Vec<&str> = facts
        .devices
        .iter()
        .filter_map(|d| d.sriov.as_ref())
        .flat_map(|s| s.missing_targets.iter().map(String::as_str))
        .collect();
    if focused && !pending.is_empty() && matches!(rule.scope, Scope::Vf | Scope::Device) {
        let mut f = finding(
            rule,
            Status::Skip,
            "host",
            format!(
                "could not check: --device {} does not exist yet (sriov.vfs says how to create it)",
                pending.join(", ")
            ),
            Vec::new(),
            Vec::new(),
            false,
        );
        f.inconclusive = true;
        return Some(f);
    }
    if focused
        && facts
            .devices
            .iter()
            .any(|d| is_subject(rule.scope, d, false))
    {
        // The host has such devices; the targets are not among them.
        let what = match rule.scope {
            Scope::Pf => "an SR-IOV physical function or the VF of one",
            Scope::Vf => "a VF",
            _ => "a device this rule checks",
        };
        return Some(finding(
            rule,
            Status::Skip,
            "host",
            format!("not applicable: no --device target is {what}"),
            Vec::new(),
            Vec::new(),
            false,
        ));
    }
    // No subjects because the device list itself could not be read says
    // nothing about the host: "no SR-IOV capable device" would be a guess.
    if let crate::facts::Known::Unknown(why) = &facts.host.pci {
        let mut f = finding(
            rule,
            Status::Skip,
            "host",
            format!("could not check: {why}"),
            Vec::new(),
            Vec::new(),
            false,
        );
        f.inconclusive = true;
        return Some(f);
    }
    let ns = rule.no_subjects.as_ref()?;
    Some(finding(
        rule,
        ns.status,
        "host",
        ns.message.clone(),
        Vec::new(),
        ns.remediation.clone(),
        focused,
    ))
}

fn is_subject(scope: Scope, d: &DeviceFacts, focused: bool) -> bool {
    match (scope, focused) {
        (Scope::Host, _) => false,
        (Scope::Pf, false) => d.kind == DeviceKind::Pf,
        (Scope::Pf, true) => d.kind == DeviceKind::Pf && (d.target_pf || d.target),
        (Scope::Vf, false) => d.kind == DeviceKind::Vf,
        (Scope::Vf, true) => d.kind == DeviceKind::Vf && d.target,
        (Scope::Device, false) => d.kind == DeviceKind::Vf || d.target,
        (Scope::Device, true) => d.target,
    }
}

/// Whether `dir/signatures` holds a *.toml file (a site folder may hold
/// only signatures for `explain`).
fn has_signatures(dir: &Path) -> bool {
    read_toml_dir(&dir.join("signatures")).is_ok_and(|f| !f.is_empty())
}

/// (path, text) of every *.toml file in `dir`, sorted; each at most 1 MiB.
pub fn read_toml_dir(dir: &Path) -> Result<Vec<(String, String)>, RuleError> {
    let err = |reason: String| RuleError {
        file: dir.display().to_string(),
        line: None,
        reason,
    };
    let entries = std::fs::read_dir(dir).map_err(|e| err(e.to_string()))?;
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| err(e.to_string()))?;
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
            let text = crate::hostfs::read_local_text(&path, 1 << 20, true)
                .map_err(|e| err(format!("{}: {e}", path.display())))?;
            out.push((path.display().to_string(), text));
        }
    }
    out.sort();
    Ok(out)
}
