//! The text report: grouped by area, one line per finding, evidence and
//! numbered remediation under each failure, and identical findings on many
//! devices folded into one line.

use std::collections::BTreeMap;
use std::fmt::Write;

use owo_colors::OwoColorize;

use crate::findings::{Area, Finding, Status};
use crate::report::Report;
use crate::sanitize::clean;

/// Folded lines name this many example devices.
const EXAMPLES: usize = 3;
/// More distinct lines than this for one rule and status collapse into one.
const MAX_LINES: usize = 8;

pub struct Style {
    pub color: bool,
}

impl Style {
    pub fn status(&self, s: Status) -> String {
        let label = s.label();
        if !self.color {
            return label.to_string();
        }
        match s {
            Status::Pass => label.green().to_string(),
            Status::Fail => label.red().bold().to_string(),
            Status::Warn => label.yellow().to_string(),
            Status::Skip => label.blue().to_string(),
        }
    }

    pub fn heading(&self, h: &str) -> String {
        if self.color {
            h.bold().to_string()
        } else {
            h.to_string()
        }
    }

    pub fn dim(&self, t: &str) -> String {
        if self.color {
            t.dimmed().to_string()
        } else {
            t.to_string()
        }
    }
}

/// One line of output, standing for one or more findings.
struct Line<'a> {
    first: &'a Finding,
    subjects: Vec<&'a str>,
    text: String,
}

pub fn render(report: &Report, style: &Style) -> String {
    let mut out = String::new();
    let h = &report.host;
    let _ = writeln!(
        out,
        "{} {} · {}",
        style.heading(report.tool.name),
        report.tool.version,
        clean(&h.root)
    );
    let mut about = Vec::new();
    if let Some(n) = &h.hostname {
        about.push(clean(n).into_owned());
    }
    if let Some(d) = &h.distro {
        about.push(clean(d).into_owned());
    }
    if let Some(k) = &h.kernel {
        about.push(format!("kernel {}", clean(k)));
    }
    if let Some(c) = &h.cpu {
        about.push(clean(c).into_owned());
    }
    if !about.is_empty() {
        let _ = writeln!(out, "Host: {}", about.join(" · "));
    }
    for what in &h.not_read {
        let _ = writeln!(out, "Not read: {}", clean(what));
    }
    let _ = write!(out, "SR-IOV: {} PF(s), {} VF(s)", h.sriov_pfs, h.sriov_vfs);
    if !h.targets.is_empty() {
        let _ = write!(out, " · targets: {}", h.targets.join(", "));
    }
    out.push('\n');

    let (targets, rest): (Vec<&Finding>, Vec<&Finding>) =
        report.findings.iter().partition(|f| f.target);
    if !targets.is_empty() {
        section(&mut out, style, "Targets", &targets);
    }
    let mut by_area: BTreeMap<Area, Vec<&Finding>> = BTreeMap::new();
    for f in rest {
        by_area.entry(f.area()).or_default().push(f);
    }
    for (area, findings) in by_area {
        section(&mut out, style, area.title(), &findings);
    }
    let s = &report.summary;
    // A check that could not read its inputs is no pass: without failures
    // the answer is incomplete, not ready.
    let verdict = s.result.label();
    if let Some(v) = &s.vfs {
        let _ = write!(out, "\n{}", v.line());
    }
    let _ = write!(
        out,
        "\nResult: {} · {} failed, {} warning(s), {} passed, {} skipped",
        style.heading(verdict),
        s.fail,
        s.warn,
        s.pass,
        s.skip
    );
    if s.inconclusive > 0 {
        let _ = write!(out, " ({} could not be checked)", s.inconclusive);
    }
    out.push('\n');
    out
}

fn section(out: &mut String, style: &Style, title: &str, findings: &[&Finding]) {
    let _ = writeln!(out, "\n{}", style.heading(title));
    for line in fold(findings) {
        let f = line.first;
        let who = match line.subjects.len() {
            1 if line.subjects[0] == "host" => String::new(),
            1 => format!("{}: ", clean(line.subjects[0])),
            n => {
                let mut ex: Vec<&str> = line.subjects.iter().take(EXAMPLES).copied().collect();
                if n > EXAMPLES {
                    ex.push("…");
                }
                format!("{n} devices ({}): ", clean(&ex.join(", ")))
            }
        };
        let _ = writeln!(
            out,
            "  {} {}  {}{}",
            style.status(f.status),
            clean(&f.rule),
            who,
            clean(&line.text)
        );
        if f.status == Status::Pass {
            continue;
        }
        let note = (line.subjects.len() > 1).then(|| format!("fix (shown for {}):", f.subject));
        details(out, style, f, note.as_deref());
    }
}

/// Evidence, then numbered remediation (after an optional note), under a
/// finding's line.
pub fn details(out: &mut String, style: &Style, f: &Finding, fix_note: Option<&str>) {
    for e in &f.evidence {
        let _ = writeln!(
            out,
            "       {}",
            style.dim(&format!("evidence: {}", clean(e)))
        );
    }
    if let (Some(note), false) = (fix_note, f.remediation.is_empty()) {
        let _ = writeln!(out, "       {}", style.dim(&clean(note)));
    }
    // A fix's own lines come from its rule; a value inside one was cleaned
    // when the rule's template was filled in.
    for (i, r) in f.remediation.iter().enumerate() {
        let mut lines = r.lines();
        let _ = writeln!(
            out,
            "       {}. {}",
            i + 1,
            clean(lines.next().unwrap_or(""))
        );
        for more in lines {
            let _ = writeln!(out, "          {}", clean(more));
        }
    }
}

/// Groups findings with the same rule, status and message; collapses a rule
/// whose findings still take too many lines.
fn fold<'a>(findings: &[&'a Finding]) -> Vec<Line<'a>> {
    let mut order: Vec<(String, Status)> = Vec::new();
    let mut groups: BTreeMap<(String, Status), Vec<Line<'a>>> = BTreeMap::new();
    for f in findings {
        let key = (f.rule.clone(), f.status);
        if !groups.contains_key(&key) {
            order.push(key.clone());
        }
        let lines = groups.entry(key).or_default();
        match lines
            .iter_mut()
            .find(|l| l.text == f.message && f.subject != "host")
        {
            Some(l) => l.subjects.push(&f.subject),
            None => lines.push(Line {
                first: f,
                subjects: vec![&f.subject],
                text: f.message.clone(),
            }),
        }
    }
    let mut out = Vec::new();
    for key in order {
        let lines = groups.remove(&key).unwrap_or_default();
        if lines.len() > MAX_LINES {
            let first = lines[0].first;
            let subjects = lines
                .iter()
                .flat_map(|l| l.subjects.iter().copied())
                .collect();
            out.push(Line {
                first,
                subjects,
                text: format!(
                    "{} (details differ per device: see --format json)",
                    first.title
                ),
            });
        } else {
            out.extend(lines);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Severity;
    use crate::report::{HostSummary, Summary, Tool};

    fn finding(rule: &str, status: Status, subject: String, message: String) -> Finding {
        Finding {
            rule: rule.to_string(),
            status,
            severity: Severity::Error,
            subject,
            title: "A title".to_string(),
            message,
            evidence: vec!["evidence".to_string()],
            remediation: vec!["fix it".to_string()],
            target: false,
            inconclusive: false,
        }
    }

    fn report(findings: Vec<Finding>) -> Report {
        Report {
            schema_version: 1,
            tool: Tool {
                name: "sriov-doctor",
                version: "0",
            },
            host: HostSummary {
                root: "test".into(),
                hostname: None,
                kernel: None,
                cpu: None,
                distro: None,
                pci_devices: None,
                sriov_pfs: 8,
                sriov_vfs: 2048,
                targets: Vec::new(),
                not_read: Vec::new(),
            },
            summary: Summary::default(),
            findings,
        }
    }

    #[test]
    fn thousands_of_identical_findings_fold_into_one_line() {
        let mut findings = Vec::new();
        for i in 0..2048u32 {
            let addr = format!(
                "0000:{:02x}:{:02x}.{}",
                0x41 + i / 256,
                (i % 256) / 8,
                i % 8
            );
            let (status, msg) = if i % 4 == 0 {
                (Status::Warn, "bound to the host driver iavf".to_string())
            } else {
                (
                    Status::Pass,
                    "bound to vfio-pci, ready for assignment".to_string(),
                )
            };
            findings.push(finding("device.host-driver", status, addr.clone(), msg));
            findings.push(finding(
                "iommu.group",
                Status::Pass,
                addr,
                format!("IOMMU group {} holds only this device", 100 + i),
            ));
        }
        let text = render(&report(findings), &Style { color: false });
        assert!(text.lines().count() < 30, "{text}");
        assert!(text.contains("WARN device.host-driver  512 devices (0000:41:00.0, 0000:41:00.4, 0000:41:01.0, …): bound to the host driver iavf"), "{text}");
        assert!(
            text.contains("PASS device.host-driver  1536 devices"),
            "{text}"
        );
        // Distinct messages (one group each) collapse into the rule's title.
        assert!(text.contains("PASS iommu.group  2048 devices (0000:41:00.0, 0000:41:00.1, 0000:41:00.2, …): A title (details differ per device: see --format json)"), "{text}");
        // A folded failure still shows its remediation once.
        assert_eq!(text.matches("1. fix it").count(), 1, "{text}");
    }

    #[test]
    fn a_few_different_findings_stay_one_line_each() {
        let findings = (0..3)
            .map(|i| {
                finding(
                    "sriov.vfs",
                    Status::Fail,
                    format!("0000:03:00.{i}"),
                    format!("message {i}"),
                )
            })
            .collect();
        let text = render(&report(findings), &Style { color: false });
        for i in 0..3 {
            assert!(
                text.contains(&format!("FAIL sriov.vfs  0000:03:00.{i}: message {i}")),
                "{text}"
            );
        }
    }
}
