//! The text report: grouped by area, one line per finding, evidence and
//! numbered remediation under each failure, and identical findings on many
//! devices folded into one line.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::findings::{Area, Finding, Status};
pub use crate::render::style::Style;
use crate::render::wrap;
use crate::report::Report;
use crate::sanitize::clean;

/// Folded lines name this many example devices.
const EXAMPLES: usize = 3;
/// More distinct lines than this for one rule and status collapse into one.
const MAX_LINES: usize = 8;

/// One line of output, standing for one or more findings.
struct Line<'a> {
    first: &'a Finding,
    /// The rules it stands for: more than one for identical skips.
    rules: Vec<&'a str>,
    subjects: Vec<&'a str>,
    text: String,
}

pub fn render(report: &Report, style: &Style) -> String {
    let mut out = String::new();
    let h = &report.host;
    let title = format!(
        "{} {} · ",
        style.heading(report.tool.name),
        report.tool.version
    );
    out.push_str(&wrap::fill(&title, &clean(&h.root), 2, style.width));
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
        out.push_str(&wrap::fill("Host: ", &about.join(" · "), 6, style.width));
    }
    for what in &h.not_read {
        let _ = writeln!(out, "Not read: {}", clean(what));
    }
    let _ = write!(out, "SR-IOV: {} PF(s), {} VF(s)", h.sriov_pfs, h.sriov_vfs);
    if !h.targets.is_empty() {
        let _ = write!(out, " · targets: {}", h.targets.join(", "));
    }
    out.push('\n');

    let (targets, rest): (Vec<&Finding>, Vec<&Finding>) = report
        .findings
        .iter()
        .filter(|f| !(style.quiet && f.status == Status::Pass))
        .partition(|f| f.target);
    // A target's PF is checked with it (sriov.vfs, modules.pf-driver …), but
    // under its own heading, so a PF's pass is not read as the VF's.
    let (own, pfs): (Vec<&Finding>, Vec<&Finding>) = targets
        .into_iter()
        .partition(|f| h.targets.contains(&f.subject));
    if !own.is_empty() {
        section(&mut out, style, "Targets", &own);
    }
    if !pfs.is_empty() {
        let title = if h.targets.len() == 1 {
            "PF of the target"
        } else {
            "PFs of the targets"
        };
        section(&mut out, style, title, &pfs);
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
    if let Some(v) = &s.vfs {
        out.push('\n');
        out.push_str(wrap::fill("", &v.line(), 6, style.width).trim_end_matches('\n'));
    }
    let _ = write!(
        out,
        "\nResult: {} · {} failed, {} warning(s), {} passed, {} skipped",
        style.verdict(s.result),
        s.fail,
        s.warn,
        s.pass,
        s.skip
    );
    if s.inconclusive > 0 {
        let _ = write!(out, " ({} could not be checked)", s.inconclusive);
    }
    out.push('\n');
    wrap::last_line(&mut out, 8, style.width);
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
        let rules = clean(&line.rules.join(", ")).into_owned();
        let lead = format!("  {} {rules}  ", style.status(f.status));
        let message = format!("{who}{}", clean(&line.text));
        if wrap::columns(&lead) + 30 > style.width {
            // Many folded rules: their names on lines of their own.
            let names = wrap::fill(
                &format!("  {} ", style.status(f.status)),
                &rules,
                7,
                style.width,
            );
            out.push_str(&names);
            out.push_str(&wrap::fill("       ", &message, 7, style.width));
        } else {
            out.push_str(&wrap::fill(&lead, &message, 7, style.width));
        }
        if f.status == Status::Pass {
            continue;
        }
        let note = (line.subjects.len() > 1).then(|| format!("fix (shown for {}):", f.subject));
        details(out, style, f, note.as_deref());
    }
}

/// Evidence longer than this (two lines) is shortened in text; the JSON
/// keeps it whole.
const EVIDENCE_MAX: usize = 160;

/// Evidence, then numbered remediation (after an optional note), under a
/// finding's line. Prose wraps at the style's width; a remediation's own
/// further lines (commands, one a line) are printed as they are.
pub fn details(out: &mut String, style: &Style, f: &Finding, fix_note: Option<&str>) {
    for e in &f.evidence {
        let e = wrap::shorten(&clean(e), EVIDENCE_MAX);
        let text = wrap::fill("       evidence: ", &e, 17, style.width);
        for l in text.lines() {
            let _ = writeln!(out, "{}", style.dim(l));
        }
    }
    if let (Some(note), false) = (fix_note, f.remediation.is_empty()) {
        let _ = writeln!(out, "       {}", style.dim(&clean(note)));
    }
    // A fix's own lines come from its rule; a value inside one was cleaned
    // when the rule's template was filled in.
    for (i, r) in f.remediation.iter().enumerate() {
        let mut lines = r.lines();
        let first = format!("       {}. ", i + 1);
        out.push_str(&wrap::fill(
            &first,
            &clean(lines.next().unwrap_or("")),
            10,
            style.width,
        ));
        for more in lines {
            let _ = writeln!(out, "          {}", clean(more));
        }
    }
}

/// Groups findings with the same rule, status and message; collapses a rule
/// whose findings still take too many lines; then folds identical skips of
/// different rules (the same reason, on the same subjects) into one line.
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
                rules: vec![&f.rule],
                subjects: vec![&f.subject],
                text: f.message.clone(),
            }),
        }
    }
    let mut folded = Vec::new();
    for key in order {
        let lines = groups.remove(&key).unwrap_or_default();
        if lines.len() > MAX_LINES {
            let first = lines[0].first;
            let subjects = lines
                .iter()
                .flat_map(|l| l.subjects.iter().copied())
                .collect();
            folded.push(Line {
                first,
                rules: vec![&first.rule],
                subjects,
                text: format!(
                    "{} (details differ per device: see --format json)",
                    first.title
                ),
            });
        } else {
            folded.extend(lines);
        }
    }
    let mut out: Vec<Line<'a>> = Vec::new();
    for line in folded {
        let same = out.iter_mut().find(|l| {
            line.first.status == Status::Skip
                && l.first.status == Status::Skip
                && l.text == line.text
                && l.subjects == line.subjects
        });
        match same {
            Some(l) => l.rules.extend(line.rules),
            None => out.push(line),
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
        // Wide enough that no line wraps: the folding is under test.
        let wide = Style {
            width: 400,
            ..Style::plain()
        };
        let text = render(&report(findings), &wide);
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
        let text = render(&report(findings), &Style::plain());
        for i in 0..3 {
            assert!(
                text.contains(&format!("FAIL sriov.vfs  0000:03:00.{i}: message {i}")),
                "{text}"
            );
        }
    }
}
