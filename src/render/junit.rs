//! `check --format junit`: the report as a JUnit XML test report, so that
//! GitLab, Jenkins and GitHub show a preflight run as tests.
//!
//! One `<testsuite>` per area (CPU, Firmware, …), one `<testcase>` per
//! finding with the rule id as `classname` and the subject (`host` or a PCI
//! address) as `name`:
//! - fail: `<failure message type>` holding the message, the evidence and
//!   the numbered remediation;
//! - warn: a passing testcase whose `<system-out>` starts with `WARN`. A
//!   warning does not fail `check` (exit 0), so it does not fail the test
//!   report either: CI tools turn any `<failure>` into a red or unstable
//!   build, and the report and the job's status must tell the same story;
//! - skip: `<skipped message>` with the reason;
//! - pass: a passing testcase whose `<system-out>` says what was seen.
//!
//! The document follows the JUnit schema that Jenkins' xUnit plugin
//! publishes (junit-10.xsd); `tests/formats.rs` validates it with xmllint.

use std::fmt::Write;

use crate::findings::{Area, Finding, Status};
use crate::render::xml::{attr, text};
use crate::report::Report;

pub fn render(report: &Report) -> String {
    let mut areas: Vec<(Area, Vec<&Finding>)> = Vec::new();
    for f in &report.findings {
        match areas.iter_mut().find(|(a, _)| *a == f.area()) {
            Some((_, list)) => list.push(f),
            None => areas.push((f.area(), vec![f])),
        }
    }
    areas.sort_by_key(|(a, _)| *a);

    let s = &report.summary;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\">",
        attr(report.tool.name),
        s.total,
        s.fail
    );
    for (area, findings) in &areas {
        suite(&mut out, report, *area, findings);
    }
    out.push_str("</testsuites>\n");
    out
}

fn suite(out: &mut String, report: &Report, area: Area, findings: &[&Finding]) {
    let count = |st: Status| findings.iter().filter(|f| f.status == st).count();
    let _ = write!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\"",
        attr(&format!("{}: {}", report.tool.name, area.title())),
        findings.len(),
        count(Status::Fail),
        count(Status::Skip)
    );
    if let Some(h) = &report.host.hostname {
        let _ = write!(out, " hostname=\"{}\"", attr(h));
    }
    out.push_str(">\n");
    properties(out, report);
    for f in findings {
        case(out, f);
    }
    out.push_str("  </testsuite>\n");
}

/// Which tool, which host: what a reader of one suite needs to place it.
fn properties(out: &mut String, report: &Report) {
    let h = &report.host;
    let mut props: Vec<(&str, String)> = vec![
        (
            "tool",
            format!("{} {}", report.tool.name, report.tool.version),
        ),
        ("root", h.root.clone()),
        ("result", report.summary.result.name().to_string()),
        ("exit_code", report.summary.exit_code.to_string()),
    ];
    let optional = [
        ("hostname", &h.hostname),
        ("distro", &h.distro),
        ("kernel", &h.kernel),
        ("cpu", &h.cpu),
    ];
    for (name, value) in optional {
        if let Some(v) = value {
            props.push((name, v.clone()));
        }
    }
    if !h.targets.is_empty() {
        props.push(("targets", h.targets.join(" ")));
    }
    out.push_str("    <properties>\n");
    for (name, value) in props {
        let _ = writeln!(
            out,
            "      <property name=\"{}\" value=\"{}\"/>",
            attr(name),
            attr(&value)
        );
    }
    out.push_str("    </properties>\n");
}

fn case(out: &mut String, f: &Finding) {
    let _ = write!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\"",
        attr(&f.rule),
        attr(&f.subject)
    );
    match f.status {
        Status::Fail => {
            let _ = writeln!(
                out,
                ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                attr(&f.message),
                attr(severity(f)),
                text(&details(f, None))
            );
        }
        Status::Skip => {
            let _ = writeln!(
                out,
                ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                attr(&f.message)
            );
        }
        Status::Warn | Status::Pass => {
            let _ = writeln!(
                out,
                ">\n      <system-out>{}</system-out>\n    </testcase>",
                text(&details(f, Some(f.status.label())))
            );
        }
    }
}

fn severity(f: &Finding) -> &'static str {
    match f.severity {
        crate::findings::Severity::Error => "error",
        crate::findings::Severity::Warning => "warning",
    }
}

/// The finding as a person reads it: (label), title, message, evidence, and
/// the numbered remediation with continuation lines indented under it.
fn details(f: &Finding, label: Option<&str>) -> String {
    let mut s = String::new();
    if let Some(l) = label {
        let _ = write!(s, "{l}: ");
    }
    let _ = writeln!(s, "{}", f.message);
    let _ = writeln!(s, "check: {} ({})", f.title, f.rule);
    for e in &f.evidence {
        let _ = writeln!(s, "evidence: {e}");
    }
    if !f.remediation.is_empty() {
        s.push_str("remediation:\n");
        for (i, step) in f.remediation.iter().enumerate() {
            let mut lines = step.lines();
            let _ = writeln!(s, "{}. {}", i + 1, lines.next().unwrap_or(""));
            for more in lines {
                let _ = writeln!(s, "   {more}");
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Severity;
    use crate::report::{HostSummary, Summary, Tool};

    fn finding(rule: &str, status: Status, subject: &str, message: &str) -> Finding {
        Finding {
            rule: rule.into(),
            status,
            severity: Severity::Error,
            subject: subject.into(),
            title: format!("title of {rule}"),
            message: message.into(),
            evidence: vec!["/sys/x -> \"y\" & <z>".into()],
            remediation: vec!["first".into(), "second\n  echo 1 > /sys/y".into()],
            target: false,
            inconclusive: false,
        }
    }

    fn report(findings: Vec<Finding>) -> Report {
        let mut summary = Summary {
            total: findings.len(),
            ..Summary::default()
        };
        summary.fail = findings.iter().filter(|f| f.status == Status::Fail).count();
        Report {
            schema_version: 1,
            tool: Tool {
                name: "sriov-doctor",
                version: "0.0.0",
            },
            host: HostSummary {
                root: "captured tree <a&b>".into(),
                hostname: Some("h\"1".into()),
                kernel: None,
                cpu: None,
                distro: None,
                pci_devices: None,
                sriov_pfs: 0,
                sriov_vfs: 0,
                targets: vec!["0000:03:10.0".into()],
                not_read: Vec::new(),
            },
            summary,
            findings,
        }
    }

    #[test]
    fn each_status_maps_to_its_junit_form() {
        let r = report(vec![
            finding("kernel.iommu", Status::Fail, "host", "off <b>"),
            finding("kernel.vfio-noiommu", Status::Warn, "host", "on"),
            finding("cpu.virtualization", Status::Pass, "host", "vmx"),
            finding(
                "device.host-driver",
                Status::Skip,
                "0000:03:10.0",
                "needs root",
            ),
        ]);
        let xml = render(&r);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        assert_eq!(root.attribute("tests"), Some("4"));
        assert_eq!(root.attribute("failures"), Some("1"));
        let suites: Vec<_> = root.children().filter(|n| n.is_element()).collect();
        let names: Vec<_> = suites
            .iter()
            .map(|s| s.attribute("name").unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "sriov-doctor: CPU",
                "sriov-doctor: Kernel",
                "sriov-doctor: Devices"
            ]
        );
        let case = |rule: &str| {
            doc.descendants()
                .find(|n| n.has_tag_name("testcase") && n.attribute("classname") == Some(rule))
                .unwrap()
        };
        let fail = case("kernel.iommu");
        assert_eq!(fail.attribute("name"), Some("host"));
        let failure = fail.children().find(|n| n.has_tag_name("failure")).unwrap();
        assert_eq!(failure.attribute("message"), Some("off <b>"));
        assert_eq!(failure.attribute("type"), Some("error"));
        let body = failure.text().unwrap();
        assert!(body.contains("evidence: /sys/x -> \"y\" & <z>"), "{body}");
        assert!(
            body.contains("remediation:\n1. first\n2. second\n     echo 1 > /sys/y\n"),
            "{body}"
        );

        let warn = case("kernel.vfio-noiommu");
        assert!(!warn.children().any(|n| n.has_tag_name("failure")));
        let out = warn
            .children()
            .find(|n| n.has_tag_name("system-out"))
            .unwrap();
        assert!(out.text().unwrap().starts_with("WARN: on\n"));

        let skip = case("device.host-driver");
        let skipped = skip.children().find(|n| n.has_tag_name("skipped")).unwrap();
        assert_eq!(skipped.attribute("message"), Some("needs root"));
        assert_eq!(suites[2].attribute("skipped"), Some("1"));

        let pass = case("cpu.virtualization");
        assert!(!pass
            .children()
            .any(|n| n.has_tag_name("failure") || n.has_tag_name("skipped")));
        assert_eq!(suites[0].attribute("hostname"), Some("h\"1"));
        let root_prop = suites[0]
            .descendants()
            .find(|n| n.attribute("name") == Some("root"))
            .unwrap();
        assert_eq!(root_prop.attribute("value"), Some("captured tree <a&b>"));
    }

    #[test]
    fn no_findings_is_an_empty_but_valid_report() {
        let xml = render(&report(Vec::new()));
        let doc = roxmltree::Document::parse(&xml).unwrap();
        assert_eq!(doc.root_element().attribute("tests"), Some("0"));
        assert_eq!(
            doc.root_element()
                .children()
                .filter(|n| n.is_element())
                .count(),
            0
        );
    }
}
