//! `check --format prometheus`: the report as Prometheus text exposition
//! (format 0.0.4), for node_exporter's textfile collector.
//!
//! - `sriov_doctor_check_status{rule, subject, severity, status}`: a state
//!   set, one series per status with 1 for the finding's status and 0 for
//!   the other three. An alert is then `sriov_doctor_check_status{status="fail"}
//!   == 1` and a count is `sum by (rule) (…{status="fail"})`, with no magic
//!   numbers; a numeric status code would need both, and its sums and
//!   averages would mean nothing.
//! - `sriov_doctor_findings{status}`: the summary.
//! - `sriov_doctor_inconclusive_findings`: skips whose inputs were unreadable.
//! - `sriov_doctor_result{result}`: a state set of the answer (ready,
//!   ready_with_warnings, incomplete, not_ready), as `check`'s exit code
//!   gives it (0, 0, 3, 1).
//! - `sriov_doctor_build_info{version} 1`.
//!
//! No timestamp: the output depends on the report alone, and the textfile
//! collector already exports each file's age as `node_textfile_mtime_seconds`.
//! `tests/it/prometheus.rs` runs `promtool check metrics` on every host's output.

use std::fmt::Write;

use crate::findings::{Severity, Status};
use crate::report::Report;

/// The order of the state set's series.
const STATUSES: [Status; 4] = [Status::Pass, Status::Fail, Status::Warn, Status::Skip];

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::Warn => "warn",
        Status::Skip => "skip",
    }
}

/// Escapes a label value: backslash, double quote and line feed, as the
/// text exposition format requires.
pub fn label_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

fn family(out: &mut String, name: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} gauge");
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    family(
        &mut out,
        "sriov_doctor_check_status",
        "Outcome of one check on one subject, as a state set: 1 for the status it has (pass, fail, warn, skip), 0 for the others.",
    );
    for f in &report.findings {
        let severity = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        for s in STATUSES {
            let _ = writeln!(
                out,
                "sriov_doctor_check_status{{rule=\"{}\",subject=\"{}\",severity=\"{severity}\",status=\"{}\"}} {}",
                label_value(&f.rule),
                label_value(&f.subject),
                status_name(s),
                u8::from(f.status == s)
            );
        }
    }
    let sum = &report.summary;
    family(
        &mut out,
        "sriov_doctor_findings",
        "Findings of the last check, by status.",
    );
    for (s, n) in [
        (Status::Pass, sum.pass),
        (Status::Fail, sum.fail),
        (Status::Warn, sum.warn),
        (Status::Skip, sum.skip),
    ] {
        let _ = writeln!(
            out,
            "sriov_doctor_findings{{status=\"{}\"}} {n}",
            status_name(s)
        );
    }
    family(
        &mut out,
        "sriov_doctor_inconclusive_findings",
        "Skipped findings whose rule could not read its inputs (run as root for a full answer).",
    );
    let _ = writeln!(
        out,
        "sriov_doctor_inconclusive_findings {}",
        sum.inconclusive
    );
    family(
        &mut out,
        "sriov_doctor_result",
        "The answer, one series per value with 1 for this report's: not_ready (exit 1), incomplete (exit 3: a check that applies could not read its inputs), ready_with_warnings or ready (exit 0).",
    );
    for v in [
        crate::report::Verdict::Ready,
        crate::report::Verdict::ReadyWithWarnings,
        crate::report::Verdict::Incomplete,
        crate::report::Verdict::NotReady,
    ] {
        let _ = writeln!(
            out,
            "sriov_doctor_result{{result=\"{}\"}} {}",
            v.name(),
            u8::from(v == sum.result)
        );
    }
    family(
        &mut out,
        "sriov_doctor_build_info",
        "The sriov-doctor that wrote these metrics; always 1.",
    );
    let _ = writeln!(
        out,
        "sriov_doctor_build_info{{version=\"{}\"}} 1",
        label_value(report.tool.version)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Finding, HostSummary, Summary, Tool};

    #[test]
    fn label_values_escape_backslash_quote_and_newline_only() {
        assert_eq!(label_value(r#"a\b"c"#), r#"a\\b\"c"#);
        assert_eq!(label_value("x\ny"), "x\\ny");
        assert_eq!(label_value("\\n"), "\\\\n");
        assert_eq!(label_value("tab\there 設定 {}=,"), "tab\there 設定 {}=,");
    }

    #[test]
    fn a_finding_is_a_state_set_of_four_series() {
        let report = Report {
            schema_version: 1,
            tool: Tool {
                name: "sriov-doctor",
                version: "9.9.9",
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
            summary: Summary {
                total: 1,
                warn: 1,
                ..Summary::default()
            },
            findings: vec![Finding {
                rule: "kernel.vfio-noiommu".into(),
                status: Status::Warn,
                severity: Severity::Warning,
                subject: "host".into(),
                title: String::new(),
                message: String::new(),
                evidence: Vec::new(),
                remediation: Vec::new(),
                target: false,
                inconclusive: false,
            }],
        };
        let text = render(&report);
        let series: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("sriov_doctor_check_status{"))
            .collect();
        assert_eq!(
            series,
            [
                r#"sriov_doctor_check_status{rule="kernel.vfio-noiommu",subject="host",severity="warning",status="pass"} 0"#,
                r#"sriov_doctor_check_status{rule="kernel.vfio-noiommu",subject="host",severity="warning",status="fail"} 0"#,
                r#"sriov_doctor_check_status{rule="kernel.vfio-noiommu",subject="host",severity="warning",status="warn"} 1"#,
                r#"sriov_doctor_check_status{rule="kernel.vfio-noiommu",subject="host",severity="warning",status="skip"} 0"#,
            ]
        );
        assert!(text.contains("sriov_doctor_findings{status=\"warn\"} 1\n"));
        assert!(text.contains("sriov_doctor_build_info{version=\"9.9.9\"} 1\n"));
        assert!(text.contains("sriov_doctor_inconclusive_findings 0\n"));
    }
}
