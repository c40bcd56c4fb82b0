//! `check --format junit` on every host is valid against the JUnit schema
//! that Jenkins' xUnit plugin publishes (junit-10.xsd, fetched from PyPI by
//! tools/junit-xsd.sh; xmllint from libxml2-utils validates), and says the
//! same as the JSON report: one testcase per finding, the same failures.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{have, hosts, run, scratch};
use sriov_doctor::report::{Finding, HostSummary, Report, Status, Summary, Tool};
use sriov_doctor::rules::Severity;

/// The schema's path, or None (a skip) when it is not there outside CI.
#[allow(clippy::disallowed_macros)]
fn xsd() -> Option<PathBuf> {
    let path = std::env::var_os("JUNIT_XSD")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/junit-xsd/junit-10.xsd"));
    if path.is_file() {
        return Some(path);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "{}: no JUnit schema; .ci/run fetches it with tools/junit-xsd.sh",
            path.display()
        );
    }
    crate::common::skipped(&format!(
        "{} is missing (tools/junit-xsd.sh fetches it)",
        path.display()
    ));
    None
}

/// xmllint --schema over the files; its exit code and what it said.
fn xmllint(xsd: &Path, files: &[PathBuf]) -> (bool, String) {
    let out = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(xsd)
        .args(files)
        .output()
        .expect("run xmllint");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn check(root: &str, targets: &[String], format: &str) -> common::Run {
    let mut args = vec!["check", "--root", root, "--format", format];
    for t in targets {
        args.push("--device");
        args.push(t);
    }
    run(&args)
}

#[test]
fn every_host_is_valid_junit_and_says_what_the_json_says() {
    let dir = scratch("junit-hosts");
    let mut files = Vec::new();
    for host in hosts() {
        for (mode, targets) in [("all", Vec::new()), ("targets", host.targets.clone())] {
            let xml = check(&host.root, &targets, "junit");
            let json = check(&host.root, &targets, "json");
            assert_eq!(xml.code, json.code, "{} {mode}: exit code", host.name);
            if json.code == 2 {
                continue;
            }
            let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
            let doc = roxmltree::Document::parse(&xml.stdout)
                .unwrap_or_else(|e| panic!("{} {mode}: not XML: {e}", host.name));
            let mut cases: Vec<(String, String, &str)> = doc
                .descendants()
                .filter(|n| n.has_tag_name("testcase"))
                .map(|n| {
                    let kind = n
                        .children()
                        .find(|c| c.has_tag_name("failure") || c.has_tag_name("skipped"))
                        .map(|c| c.tag_name().name())
                        .unwrap_or("passed");
                    (
                        n.attribute("classname").unwrap().to_string(),
                        n.attribute("name").unwrap().to_string(),
                        kind,
                    )
                })
                .collect();
            let mut findings: Vec<(String, String, &str)> = report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    let kind = match f["status"].as_str().unwrap() {
                        "fail" => "failure",
                        "skip" => "skipped",
                        _ => "passed",
                    };
                    (
                        f["rule"].as_str().unwrap().to_string(),
                        f["subject"].as_str().unwrap().to_string(),
                        kind,
                    )
                })
                .collect();
            cases.sort();
            findings.sort();
            assert_eq!(cases, findings, "{} {mode}", host.name);
            let root = doc.root_element();
            assert_eq!(
                root.attribute("failures").unwrap(),
                report["summary"]["fail"].to_string(),
                "{} {mode}",
                host.name
            );
            let file = dir.join(format!("{}-{mode}.xml", host.name));
            std::fs::write(&file, &xml.stdout).unwrap();
            files.push(file);
            if host.targets.is_empty() {
                break;
            }
        }
    }
    assert!(files.len() >= 28, "{} reports", files.len());
    let Some(xsd) = xsd() else { return };
    if !have("xmllint", &["--version"], "libxml2-utils") {
        return;
    }
    let (ok, said) = xmllint(&xsd, &files);
    assert!(ok, "xmllint rejects a JUnit report:\n{said}");
    for f in &files {
        assert!(
            said.contains(&format!("{} validates", f.display())),
            "xmllint did not validate {}:\n{said}",
            f.display()
        );
    }
}

fn finding(status: Status, text: &str) -> Finding {
    Finding {
        rule: format!("site.{text}"),
        status,
        severity: Severity::Warning,
        subject: text.to_string(),
        title: text.to_string(),
        message: text.to_string(),
        evidence: vec![text.to_string()],
        remediation: vec![text.to_string(), format!("{text}\n{text}")],
        target: false,
        inconclusive: false,
    }
}

/// Strings a site rule's template or a host file could put in a finding:
/// markup, quotes, CDATA ends, and characters XML 1.0 cannot carry.
const HOSTILE: &[&str] = &[
    "<b>bold</b> & \"quoted\" 'single'",
    "]]> <![CDATA[ <!-- --> <?xml ?>",
    "nul \0 esc \u{1b}[31m bell \u{7} vt \u{b} \u{FFFE} \u{FFFF}",
    "tab\tnewline\ncr\rcrlf\r\n",
    "&amp; &#0; &lt; literal entity text",
    "🦀 設定 \u{85} \u{7f}",
];

#[test]
fn hostile_findings_still_make_a_valid_report() {
    let mut findings = Vec::new();
    for (i, s) in HOSTILE.iter().enumerate() {
        let status = [Status::Fail, Status::Warn, Status::Skip, Status::Pass][i % 4];
        findings.push(finding(status, s));
    }
    let report = Report {
        schema_version: 1,
        tool: Tool {
            name: "sriov-doctor",
            version: "0.0.0",
        },
        host: HostSummary {
            root: HOSTILE[0].to_string(),
            hostname: Some(HOSTILE[2].to_string()),
            kernel: Some(HOSTILE[3].to_string()),
            cpu: None,
            distro: None,
            pci_devices: None,
            sriov_pfs: 0,
            sriov_vfs: 0,
            targets: vec![HOSTILE[1].to_string()],
            not_read: vec![HOSTILE[2].to_string()],
        },
        summary: Summary::default(),
        findings,
    };
    let xml = sriov_doctor::render::junit::render(&report);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    // Every finding comes back as a testcase named by its subject, with
    // only the characters XML cannot carry replaced.
    let names: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|n| n.attribute("name").unwrap())
        .collect();
    assert_eq!(names.len(), HOSTILE.len());
    assert!(names.contains(&HOSTILE[0]) && names.contains(&HOSTILE[3]));
    assert!(names
        .contains(&"nul \u{FFFD} esc \u{FFFD}[31m bell \u{FFFD} vt \u{FFFD} \u{FFFD} \u{FFFD}"));

    let Some(xsd) = xsd() else { return };
    if !have("xmllint", &["--version"], "libxml2-utils") {
        return;
    }
    let file = scratch("junit-hostile").join("hostile.xml");
    std::fs::write(&file, &xml).unwrap();
    let (ok, said) = xmllint(&xsd, std::slice::from_ref(&file));
    assert!(ok, "{said}\n{xml}");
}

/// The validator is not a rubber stamp: it rejects a report that breaks
/// the schema (a testcase without its required name, an unknown element).
#[test]
fn xmllint_rejects_what_the_schema_forbids() {
    let Some(xsd) = xsd() else { return };
    if !have("xmllint", &["--version"], "libxml2-utils") {
        return;
    }
    let dir = scratch("junit-invalid");
    let bad = [
        "<testsuites><testsuite name=\"s\" tests=\"1\" failures=\"0\" errors=\"0\"><testcase classname=\"c\"/></testsuite></testsuites>",
        "<testsuites><testsuite name=\"s\" tests=\"1\" failures=\"0\" errors=\"0\"><testcase name=\"n\"><warning/></testcase></testsuite></testsuites>",
        "<testsuites><testsuite name=\"s\"/></testsuites>",
    ];
    for (i, doc) in bad.iter().enumerate() {
        let file = dir.join(format!("bad{i}.xml"));
        std::fs::write(&file, doc).unwrap();
        let (ok, said) = xmllint(&xsd, std::slice::from_ref(&file));
        assert!(!ok, "xmllint accepted {doc}: {said}");
        assert!(said.contains("fails to validate"), "{said}");
    }
}

#[test]
fn junit_report_matches_its_snapshot() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        let r = check(
            "tests/hosts/seed-guest-holds/root",
            &["0000:03:10.0".to_string()],
            "junit",
        );
        insta::assert_snapshot!("junit__seed-guest-holds__targets", r.transcript());
    });
}

#[test]
fn check_help_lists_the_junit_format() {
    let r = run(&["check", "--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("- junit:"), "{}", r.stdout);
}
