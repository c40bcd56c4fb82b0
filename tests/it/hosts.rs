//! Every rule against every host: each host's text report, with and without
//! its scenario's --device targets, is a reviewed snapshot (the product's
//! face). What each rule finds, in full, is in its own snapshot
//! (rule_tests.rs); the JSON report's shape is checked here and by its
//! schema (schema.rs).

use crate::common::{hosts, run};

fn args<'a>(root: &'a str, targets: &'a [String], format: &'a str) -> Vec<&'a str> {
    let mut a = vec![
        "check", "--root", root, "--format", format, "--color", "never",
    ];
    for t in targets {
        a.push("--device");
        a.push(t);
    }
    a
}

#[test]
fn every_host_report_matches_its_snapshot() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for host in hosts() {
            let mut modes = vec![("all", Vec::new())];
            if !host.targets.is_empty() {
                modes.push(("targets", host.targets.clone()));
            }
            for (mode, targets) in &modes {
                for format in ["text"] {
                    let r = run(&args(&host.root, targets, format));
                    assert!(
                        [0, 1, 2].contains(&r.code),
                        "{}: exit {} ({})",
                        host.name,
                        r.code,
                        r.stderr
                    );
                    insta::assert_snapshot!(
                        format!("{}__{mode}__{format}", host.name),
                        r.transcript()
                    );
                }
            }
        }
    });
}

/// The JSON report follows the contract in DESIGN.md.
#[test]
fn json_reports_follow_the_contract() {
    for host in hosts() {
        let r = run(&args(&host.root, &host.targets, "json"));
        if r.code == 2 {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(v["schema_version"], 1);
        assert!(v["host"].is_object() && v["summary"].is_object());
        let findings = v["findings"].as_array().unwrap();
        let fails = findings.iter().filter(|f| f["status"] == "fail").count();
        assert_eq!(v["summary"]["fail"], fails, "{}", host.name);
        assert_eq!(
            r.code,
            if fails > 0 { 1 } else { 0 },
            "{}: exit code",
            host.name
        );
        for f in findings {
            for key in [
                "rule",
                "status",
                "severity",
                "subject",
                "title",
                "message",
                "evidence",
                "remediation",
            ] {
                assert!(
                    f.get(key).is_some(),
                    "{}: finding without {key}: {f}",
                    host.name
                );
            }
            assert!(["pass", "fail", "warn", "skip"].contains(&f["status"].as_str().unwrap()));
            let subject = f["subject"].as_str().unwrap();
            assert!(
                subject == "host" || subject.parse::<sriov_doctor::address::PciAddress>().is_ok()
            );
            if f["status"] == "fail" {
                assert!(
                    !f["remediation"].as_array().unwrap().is_empty(),
                    "{}: {f}",
                    host.name
                );
            }
            assert!(
                !f["message"].as_str().unwrap().contains(": unknown>"),
                "{}: a template failed: {f}",
                host.name
            );
        }
    }
}

/// Each host's scenario.toml says what `check` must conclude on it, without
/// and with its targets (written with the scenario in tools/hostgen): the
/// verdict is held to that data, not only to a snapshot.
#[test]
fn every_host_gives_the_verdicts_its_scenario_expects() {
    let mut wrong = Vec::new();
    for host in hosts() {
        let expected = host
            .verdict
            .clone()
            .unwrap_or_else(|| panic!("{}: scenario.toml has no verdict", host.name));
        let mut runs = vec![(Vec::new(), expected)];
        if !host.targets.is_empty() {
            let with = host.verdict_with_devices.clone().unwrap_or_else(|| {
                panic!("{}: scenario.toml has no verdict_with_devices", host.name)
            });
            runs.push((host.targets.clone(), with));
        }
        for (targets, expected) in runs {
            let r = run(&args(&host.root, &targets, "json"));
            let report: serde_json::Value = serde_json::from_str(&r.stdout)
                .unwrap_or_else(|e| panic!("{}: {e}: {}", host.name, r.stderr));
            let got = match report["summary"]["result"].as_str().unwrap() {
                "ready" => "READY",
                "ready_with_warnings" => "READY, with warnings",
                "incomplete" => "INCOMPLETE",
                "not_ready" => "NOT READY",
                other => panic!("{}: result {other}", host.name),
            };
            if got != expected {
                wrong.push(format!(
                    "{} {targets:?}: {got}, expected {expected}",
                    host.name
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
