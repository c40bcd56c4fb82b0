//! The cases each rule file keeps with the rule (`[[test]]`): every case of
//! every built-in rule is run on its test host, and the rule must give the
//! status the case says on its subject. Every rule has a case that passes
//! and one that does not (a check that cannot fail, or that never passes,
//! is a defect). The `[doc] example` that `sriov-doctor rules ID` prints is
//! the finding of the case marked `example`, as the text report shows it:
//! never typed by hand. `UPDATE_RULE_EXAMPLES=1 cargo test --test it
//! rule_tests` writes it into the rule file from the real finding.
//!
//! Each rule also has one reviewed snapshot, `snapshots/rule__ID.snap`:
//! what it found on every test host and every real-kernel capture, with
//! and without their `--device` targets, evidence and remediation included. A change to one
//! rule shows up there, in one file (and in the text reports of the hosts
//! whose output it changes).

use std::collections::BTreeMap;

use sriov_doctor::findings::{Finding, Status};
use sriov_doctor::hostfs::DirFs;
use sriov_doctor::report::Report;
use sriov_doctor::rules::{Engine, RuleTest};

use crate::captures;
use crate::common::hosts;

/// The one line the text report gives a finding (without its indent).
fn line(f: &Finding) -> String {
    if f.subject == "host" {
        format!("{} {}  {}", f.status.label(), f.rule, f.message)
    } else {
        format!(
            "{} {}  {}: {}",
            f.status.label(),
            f.rule,
            f.subject,
            f.message
        )
    }
}

/// Reports by (host, targets), each made once.
struct Reports {
    engine: Engine,
    made: BTreeMap<(String, Vec<String>), Report>,
}

impl Reports {
    fn of(&mut self, case: &RuleTest) -> &Report {
        let key = (case.host.clone(), case.targets.clone());
        if !self.made.contains_key(&key) {
            let root = format!("tests/hosts/{}/root", case.host);
            assert!(
                std::path::Path::new(&root).is_dir(),
                "no test host {}",
                case.host
            );
            let fs = DirFs::tree(std::path::Path::new(&root)).unwrap();
            let report = sriov_doctor::check(&fs, &case.targets, &self.engine)
                .unwrap_or_else(|e| panic!("{}: {e}", case.host));
            self.made.insert(key.clone(), report);
        }
        &self.made[&key]
    }
}

/// Writes `example` into the `[doc]` table of a rule file, in place of the
/// one there (or after `why`).
fn write_example(id: &str, example: &str) {
    let path = format!("rules/{id}.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let value = toml::Value::String(example.to_string()).to_string();
    let mut out = Vec::new();
    let mut done = false;
    let mut table = "";
    for l in text.lines() {
        if l.starts_with('[') {
            table = l.trim();
        }
        if table == "[doc]" && l.starts_with("example = ") {
            out.push(format!("example = {value}"));
            done = true;
        } else {
            out.push(l.to_string());
        }
    }
    assert!(done, "{path}: no `example = ` line in [doc] to replace");
    std::fs::write(&path, out.join("\n") + "\n").unwrap();
}

#[test]
fn every_rule_gives_what_its_cases_say() {
    let engine = Engine::load(None).unwrap();
    let rules: Vec<_> = engine
        .rules
        .iter()
        .map(|r| (r.id.clone(), r.tests.clone(), r.doc.example.clone()))
        .collect();
    let mut reports = Reports {
        engine,
        made: BTreeMap::new(),
    };
    let update = std::env::var_os("UPDATE_RULE_EXAMPLES").is_some();
    let mut wrong = Vec::new();
    let mut cases = 0;
    for (id, tests, example) in &rules {
        let statuses: Vec<Status> = tests.iter().map(|t| t.status).collect();
        if !statuses.contains(&Status::Pass)
            || !statuses
                .iter()
                .any(|s| matches!(s, Status::Fail | Status::Warn))
        {
            wrong.push(format!(
                "{id}: needs a case that passes and one that fails or warns, has {statuses:?}"
            ));
        }
        if !tests.iter().any(|t| t.example) {
            wrong.push(format!("{id}: no case is marked example"));
        }
        for case in tests {
            cases += 1;
            let report = reports.of(case);
            let found: Vec<&Finding> = report
                .findings
                .iter()
                .filter(|f| &f.rule == id && f.subject == case.subject)
                .collect();
            let [f] = found.as_slice() else {
                wrong.push(format!(
                    "{id} on {} {:?}: {} findings for {}",
                    case.host,
                    case.targets,
                    found.len(),
                    case.subject
                ));
                continue;
            };
            if f.status != case.status {
                wrong.push(format!(
                    "{id} on {} {:?}, {}: {:?}, the case says {:?}: {}",
                    case.host, case.targets, case.subject, f.status, case.status, f.message
                ));
            }
            if case.example {
                let shown = line(f);
                if example.as_deref() != Some(shown.as_str()) {
                    if update {
                        write_example(id, &shown);
                    } else {
                        wrong.push(format!(
                            "{id}: [doc] example is not the finding of its example case \
                             (UPDATE_RULE_EXAMPLES=1 writes it):\n  doc:     {}\n  finding: {shown}",
                            example.as_deref().unwrap_or("(none)")
                        ));
                    }
                }
            }
        }
    }
    assert!(cases >= 2 * rules.len(), "{cases} cases");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A finding in full, for a rule's snapshot: its line, then evidence and
/// remediation as the text report lays them out.
fn finding_block(f: &Finding) -> String {
    let mut out = format!("  {} {}: {}\n", f.status.label(), f.subject, f.message);
    let plain = sriov_doctor::render::text::Style::plain();
    sriov_doctor::render::text::details(&mut out, &plain, f, None);
    out
}

/// Adds one run's findings under `heading` to each rule's snapshot text.
fn add_report(
    by_rule: &mut BTreeMap<String, String>,
    heading: &str,
    report: Result<Report, impl std::fmt::Display>,
) {
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            for text in by_rule.values_mut() {
                text.push_str(&format!("{heading}\n  error: {e}\n"));
            }
            return;
        }
    };
    for (id, text) in by_rule.iter_mut() {
        text.push_str(heading);
        text.push('\n');
        for f in report.findings.iter().filter(|f| &f.rule == id) {
            text.push_str(&finding_block(f));
        }
    }
}

/// Each rule's findings on every test host and every real-kernel capture
/// (tests/captures), with and without targets, in one reviewed file.
#[test]
fn every_rule_matches_its_snapshot_across_the_hosts() {
    let engine = Engine::load(None).unwrap();
    let mut by_rule: BTreeMap<String, String> = engine
        .rules
        .iter()
        .map(|r| (r.id.clone(), String::new()))
        .collect();
    for host in hosts() {
        let fs = DirFs::tree(std::path::Path::new(&host.root)).unwrap();
        let mut modes = vec![Vec::new()];
        if !host.targets.is_empty() {
            modes.push(host.targets.clone());
        }
        for targets in modes {
            let heading = if targets.is_empty() {
                host.name.clone()
            } else {
                format!("{} -d {}", host.name, targets.join(" -d "))
            };
            add_report(
                &mut by_rule,
                &heading,
                sriov_doctor::check(&fs, &targets, &engine),
            );
        }
    }
    for series in captures::SERIES {
        for sc in captures::scenarios() {
            let path = captures::capture_path(series, &sc.name, "root");
            let fs = sriov_doctor::bundle::open(&path).unwrap();
            let mut modes = vec![Vec::new()];
            modes.extend(sc.targets.iter().map(|t| vec![t.clone()]));
            for targets in modes {
                let device: String = targets.iter().map(|t| format!(" -d {t}")).collect();
                let heading = format!("capture {series}/{}{device}", sc.name);
                add_report(
                    &mut by_rule,
                    &heading,
                    sriov_doctor::check(&fs, &targets, &engine),
                );
            }
        }
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for (id, text) in &by_rule {
            insta::assert_snapshot!(format!("rule__{id}"), text);
        }
    });
}
