//! `check --format prometheus` on every host passes `promtool check metrics`
//! (Debian's prometheus package; its linter also enforces naming, HELP and
//! TYPE), and says what the JSON report says: one state set per finding,
//! the summary, the version.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::{Command, Stdio};

use crate::common::{have, hosts, run};
use sriov_doctor::report::{Finding, HostSummary, Report, Status, Summary, Tool};
use sriov_doctor::rules::Severity;

/// promtool check metrics on the text: its exit code and what it printed.
fn promtool(text: &str) -> (bool, String) {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run promtool");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

/// Reads one sample line: metric name, labels (unescaped), value.
fn sample(line: &str) -> (String, BTreeMap<String, String>, String) {
    let (series, value) = line.rsplit_once(' ').unwrap();
    let Some((name, rest)) = series.split_once('{') else {
        return (series.to_string(), BTreeMap::new(), value.to_string());
    };
    let mut labels = BTreeMap::new();
    let mut chars = rest.chars().peekable();
    loop {
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        assert_eq!(chars.next(), Some('"'), "{line}");
        let mut v = String::new();
        loop {
            match chars.next().unwrap() {
                '\\' => match chars.next().unwrap() {
                    'n' => v.push('\n'),
                    c => v.push(c),
                },
                '"' => break,
                c => v.push(c),
            }
        }
        labels.insert(key, v);
        match chars.next() {
            Some(',') => continue,
            Some('}') => break,
            other => panic!("{line}: {other:?}"),
        }
    }
    (name.to_string(), labels, value.to_string())
}

fn samples(text: &str) -> Vec<(String, BTreeMap<String, String>, String)> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(sample)
        .collect()
}

#[test]
fn every_host_passes_promtool_and_says_what_the_json_says() {
    let check_promtool = have("promtool", &["--version"], "prometheus");
    let mut runs = 0;
    for host in hosts() {
        for targets in [Vec::new(), host.targets.clone()] {
            let mut args = vec!["check", "--root", &host.root];
            for t in &targets {
                args.push("--device");
                args.push(t);
            }
            let prom = run(&[&args[..], &["--format", "prometheus"]].concat());
            let json = run(&[&args[..], &["--format", "json"]].concat());
            assert_eq!(prom.code, json.code, "{}: exit code", host.name);
            if json.code == 2 {
                continue;
            }
            runs += 1;
            if check_promtool {
                let (ok, said) = promtool(&prom.stdout);
                assert!(ok && said.is_empty(), "{}: promtool: {said}", host.name);
            }
            let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
            let all = samples(&prom.stdout);
            let mut seen = BTreeSet::new();
            for (name, labels, _) in &all {
                assert!(
                    seen.insert((name.clone(), labels.clone())),
                    "{}: duplicate series {name}{labels:?}",
                    host.name
                );
            }
            let status: Vec<_> = all
                .iter()
                .filter(|(n, _, _)| n == "sriov_doctor_check_status")
                .collect();
            let findings = report["findings"].as_array().unwrap();
            assert_eq!(status.len(), 4 * findings.len(), "{}", host.name);
            for f in findings {
                let mine: BTreeMap<&str, &str> = status
                    .iter()
                    .filter(|(_, l, _)| l["rule"] == f["rule"] && l["subject"] == f["subject"])
                    .map(|(_, l, v)| (l["status"].as_str(), v.as_str()))
                    .collect();
                let want = f["status"].as_str().unwrap();
                let expected: BTreeMap<&str, &str> = ["pass", "fail", "warn", "skip"]
                    .into_iter()
                    .map(|s| (s, if s == want { "1" } else { "0" }))
                    .collect();
                assert_eq!(mine, expected, "{}: {f}", host.name);
            }
            for s in ["pass", "fail", "warn", "skip"] {
                let n = all
                    .iter()
                    .find(|(n, l, _)| n == "sriov_doctor_findings" && l["status"] == s)
                    .map(|(_, _, v)| v.clone());
                assert_eq!(
                    n,
                    Some(report["summary"][s].to_string()),
                    "{} {s}",
                    host.name
                );
            }
            if host.targets.is_empty() {
                break;
            }
        }
    }
    assert!(runs >= 28, "{runs} runs");
}

#[test]
fn hostile_label_values_stay_valid_and_come_back_unchanged() {
    let hostile = [
        "back\\slash",
        "quote\"d",
        "new\nline",
        "\\n literal",
        "cr\r tab\t nul\0 esc\u{1b}",
        "}{=,\" 設定 🦀",
    ];
    let findings: Vec<Finding> = hostile
        .iter()
        .map(|s| Finding {
            rule: format!("site.{s}"),
            status: Status::Fail,
            severity: Severity::Error,
            subject: s.to_string(),
            title: String::new(),
            message: String::new(),
            evidence: Vec::new(),
            remediation: Vec::new(),
            target: false,
            inconclusive: false,
        })
        .collect();
    let report = Report {
        schema_version: 1,
        tool: Tool {
            name: "sriov-doctor",
            version: "1.0.0\"\\\n",
        },
        host: HostSummary {
            root: "/".into(),
            hostname: None,
            kernel: None,
            cpu: None,
            distro: None,
            pci_devices: None,
            sriov_pfs: 0,
            sriov_vfs: 0,
            targets: Vec::new(),
            not_read: Vec::new(),
        },
        summary: Summary::default(),
        findings,
    };
    let text = sriov_doctor::render::prometheus::render(&report);
    if have("promtool", &["--version"], "prometheus") {
        let (ok, said) = promtool(&text);
        assert!(ok && said.is_empty(), "promtool: {said}\n{text}");
    }
    let subjects: BTreeSet<String> = samples(&text)
        .into_iter()
        .filter(|(n, _, _)| n == "sriov_doctor_check_status")
        .map(|(_, l, _)| l["subject"].clone())
        .collect();
    assert_eq!(subjects, hostile.iter().map(|s| s.to_string()).collect());
    let version = samples(&text)
        .into_iter()
        .find(|(n, _, _)| n == "sriov_doctor_build_info")
        .unwrap()
        .1["version"]
        .clone();
    assert_eq!(version, "1.0.0\"\\\n");
}

/// promtool is not a rubber stamp: it rejects an unescaped newline and a
/// metric that breaks the naming conventions.
#[test]
fn promtool_rejects_what_the_format_forbids() {
    if !have("promtool", &["--version"], "prometheus") {
        return;
    }
    for bad in [
        "# HELP a x\n# TYPE a gauge\na{l=\"new\nline\"} 1\n",
        "# HELP a x\n# TYPE a counter\na 1\n",
        "a_without_help 1\n",
    ] {
        let (ok, said) = promtool(bad);
        assert!(!ok, "promtool accepted {bad:?}: {said}");
    }
}

#[test]
fn prometheus_metrics_match_their_snapshot() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        let r = run(&[
            "check",
            "--root",
            "tests/hosts/seed-guest-holds/root",
            "--device",
            "0000:03:10.0",
            "--format",
            "prometheus",
        ]);
        insta::assert_snapshot!("prometheus__seed-guest-holds__targets", r.transcript());
    });
}

#[test]
fn check_help_lists_the_prometheus_format() {
    let r = run(&["check", "--help"]);
    assert!(r.stdout.contains("- prometheus:"), "{}", r.stdout);
}
