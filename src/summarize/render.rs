//! The summary as a text table and as Markdown (JSON is the `Summary` itself).
//!
//! Both show, in order: one row per host with its verdict and counts; hosts
//! × the rules that failed or warned somewhere (rules that did neither on any
//! host are named on one line, so the table stays narrow on a big fleet);
//! then each failure and warning with its subjects and message.

use crate::render::wrap::{self, fill, DEFAULT_WIDTH};
use crate::sanitize::clean;
use std::fmt::Write;

use super::{Cell, Host, Status, Summary};

/// Subjects shown per rule and host before "+N more" (JSON has them all).
const SHOWN_SUBJECTS: usize = 5;

fn verdict(h: &Host) -> &'static str {
    match h.result {
        "not-ready" => "NOT READY",
        "incomplete" => "INCOMPLETE",
        "ready-with-warnings" => "READY, with warnings",
        _ => "READY",
    }
}

fn headline(s: &Summary) -> String {
    let mut line = format!("{} host(s) · {} not ready", s.hosts.len(), s.not_ready);
    if !s.errors.is_empty() {
        let _ = write!(line, " · {} report(s) not read", s.errors.len());
    }
    line
}

/// A cell of the hosts × rules table: the worst status, with how many
/// subjects have it when it is a failure or warning; `-` when the host's
/// report has no such rule.
fn cell(c: Option<&Cell>) -> String {
    match c {
        None => "-".into(),
        Some(c) if c.status <= Status::Warn => {
            format!("{} {}", c.status.label(), c.counts.of(c.status))
        }
        Some(c) => c.status.label().into(),
    }
}

fn subjects(list: &[String]) -> String {
    let mut s = list
        .iter()
        .take(SHOWN_SUBJECTS)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if list.len() > SHOWN_SUBJECTS {
        let _ = write!(s, " (+{} more)", list.len() - SHOWN_SUBJECTS);
    }
    s
}

/// Each failure and warning of a host: (status, rule, subjects, message).
fn problems(h: &Host) -> Vec<(Status, &str, String, &str)> {
    let mut out = Vec::new();
    for status in [Status::Fail, Status::Warn] {
        for (rule, c) in &h.rules {
            let list = if status == Status::Fail {
                &c.failing
            } else {
                &c.warning
            };
            if list.is_empty() {
                continue;
            }
            // The cell's message belongs to its worst status.
            let message = if c.status == status {
                c.message.as_str()
            } else {
                ""
            };
            out.push((status, rule.as_str(), subjects(list), message));
        }
    }
    out
}

fn quiet_rules(s: &Summary) -> Vec<&str> {
    s.rules
        .iter()
        .filter(|r| !s.problem_rules.contains(r))
        .map(String::as_str)
        .collect()
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// Rows padded to their columns' widths, two spaces apart; `right` columns
/// (numbers) aligned right.
fn table(rows: &[Vec<String>], right: &[bool]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| width(c))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, c) in row.iter().enumerate() {
            let pad = " ".repeat(widths[i] - width(c));
            if i > 0 {
                line.push_str("  ");
            }
            if right.get(i).copied().unwrap_or(false) {
                line.push_str(&pad);
                line.push_str(c);
            } else {
                line.push_str(c);
                line.push_str(&pad);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The columns of `rows` in blocks that fit `max` columns of text, the
/// first column (the host) in every block.
fn column_blocks(rows: &[Vec<String>], max: usize) -> Vec<Vec<usize>> {
    let n = rows.first().map_or(0, Vec::len);
    let w = |c: usize| rows.iter().map(|r| wrap::columns(&r[c])).max().unwrap_or(0) + 2;
    let mut blocks = Vec::new();
    let mut cur = vec![0];
    let mut used = w(0);
    for c in 1..n {
        if cur.len() > 1 && used + w(c) > max {
            blocks.push(std::mem::replace(&mut cur, vec![0]));
            used = w(0);
        }
        cur.push(c);
        used += w(c);
    }
    blocks.push(cur);
    blocks
}

pub fn text(s: &Summary) -> String {
    let mut out = format!("sriov-doctor summarize · {}\n\n", headline(s));
    let mut rows = vec![["HOST", "RESULT", "FAIL", "WARN", "SKIP", "PASS"]
        .map(String::from)
        .to_vec()];
    for h in &s.hosts {
        let c = &h.counts;
        rows.push(vec![
            clean(&h.name).into_owned(),
            verdict(h).into(),
            c.fail.to_string(),
            c.warn.to_string(),
            c.skip.to_string(),
            c.pass.to_string(),
        ]);
    }
    out.push_str(&table(&rows, &[false, false, true, true, true, true]));

    if s.problem_rules.is_empty() {
        out.push_str(&format!(
            "\nNo check failed or warned on any host ({} rules).\n",
            s.rules.len()
        ));
    } else {
        out.push('\n');
        out.push_str(&fill(
            "",
            "Hosts × rules that failed or warned somewhere (worst status; the number counts its subjects)",
            0,
            DEFAULT_WIDTH,
        ));
        let mut rows = vec![std::iter::once("HOST".to_string())
            .chain(s.problem_rules.iter().map(|r| clean(r).into_owned()))
            .collect::<Vec<_>>()];
        for h in &s.hosts {
            let mut row = vec![clean(&h.name).into_owned()];
            row.extend(s.problem_rules.iter().map(|r| cell(h.rules.get(r))));
            rows.push(row);
        }
        // As many rule columns as fit beside the host's; the rest in
        // further blocks, each with the host column again.
        for (i, block) in column_blocks(&rows, DEFAULT_WIDTH).iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let part: Vec<Vec<String>> = rows
                .iter()
                .map(|r| block.iter().map(|&c| r[c].clone()).collect())
                .collect();
            out.push_str(&table(&part, &[]));
        }
    }
    let quiet = quiet_rules(s);
    if !quiet.is_empty() && !s.problem_rules.is_empty() {
        out.push('\n');
        out.push_str(&fill(
            "No failure or warning on any host: ",
            &clean(&quiet.join(", ")),
            2,
            DEFAULT_WIDTH,
        ));
    }

    let any = s.hosts.iter().any(|h| !problems(h).is_empty());
    if any {
        out.push_str("\nFailures and warnings\n");
    }
    for h in &s.hosts {
        let list = problems(h);
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "  {}", clean(&h.name));
        for (status, rule, subjects, message) in list {
            let (rule, subjects) = (clean(rule), clean(&subjects));
            let _ = writeln!(out, "    {} {rule}  {subjects}", status.label());
            if !message.is_empty() {
                out.push_str(&fill("         ", &clean(message), 9, DEFAULT_WIDTH));
            }
        }
    }
    if !s.errors.is_empty() {
        out.push_str("\nNot read\n");
        for e in &s.errors {
            let _ = writeln!(out, "  {}: {}", clean(&e.file), clean(&e.error));
        }
    }
    out
}

/// A Markdown table cell: no line breaks, and `|` escaped.
fn md(s: &str) -> String {
    let cell = s
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ");
    clean(&cell).into_owned()
}

fn md_row(cells: &[String]) -> String {
    format!("| {} |\n", cells.join(" | "))
}

pub fn markdown(s: &Summary) -> String {
    let mut out = format!("# sriov-doctor fleet summary\n\n{}\n\n", headline(s));
    out.push_str("| Host | Result | Fail | Warn | Skip | Pass |\n|---|---|--:|--:|--:|--:|\n");
    for h in &s.hosts {
        let c = &h.counts;
        out.push_str(&md_row(&[
            md(&h.name),
            verdict(h).into(),
            c.fail.to_string(),
            c.warn.to_string(),
            c.skip.to_string(),
            c.pass.to_string(),
        ]));
    }

    out.push_str("\n## Hosts × rules\n\n");
    if s.problem_rules.is_empty() {
        let _ = writeln!(
            out,
            "No check failed or warned on any host ({} rules).",
            s.rules.len()
        );
    } else {
        out.push_str("The rules that failed or warned somewhere: the worst status on each host, with the number of subjects that have it.\n\n");
        let mut head = vec!["Host".to_string()];
        head.extend(s.problem_rules.iter().map(|r| format!("`{}`", md(r))));
        out.push_str(&md_row(&head));
        out.push_str(&format!("|---{}|\n", "|---".repeat(s.problem_rules.len())));
        for h in &s.hosts {
            let mut row = vec![md(&h.name)];
            row.extend(s.problem_rules.iter().map(|r| cell(h.rules.get(r))));
            out.push_str(&md_row(&row));
        }
    }
    let quiet = quiet_rules(s);
    if !quiet.is_empty() && !s.problem_rules.is_empty() {
        let names: Vec<String> = quiet.iter().map(|r| format!("`{}`", md(r))).collect();
        let _ = writeln!(
            out,
            "\nNo failure or warning on any host: {}.",
            names.join(", ")
        );
    }

    if s.hosts.iter().any(|h| !problems(h).is_empty()) {
        out.push_str("\n## Failures and warnings\n\n| Host | Status | Rule | Subjects | Message |\n|---|---|---|---|---|\n");
        for h in &s.hosts {
            for (status, rule, subjects, message) in problems(h) {
                out.push_str(&md_row(&[
                    md(&h.name),
                    status.label().into(),
                    format!("`{}`", md(rule)),
                    md(&subjects),
                    md(message),
                ]));
            }
        }
    }
    if !s.errors.is_empty() {
        out.push_str("\n## Not read\n\n| File | Error |\n|---|---|\n");
        for e in &s.errors {
            out.push_str(&md_row(&[md(&e.file), md(&e.error)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cells_keep_their_table_whole() {
        assert_eq!(md("a|b\nc\\d"), "a\\|b c\\\\d");
    }

    #[test]
    fn long_subject_lists_are_cut_with_a_count() {
        let list: Vec<String> = (0..8).map(|i| format!("0000:03:10.{i}")).collect();
        let s = subjects(&list);
        assert!(s.ends_with("0000:03:10.4 (+3 more)"), "{s}");
        assert_eq!(subjects(&list[..2]), "0000:03:10.0, 0000:03:10.1");
    }

    #[test]
    fn tables_align_columns_by_characters() {
        let rows = vec![
            vec!["HOST".to_string(), "N".to_string()],
            vec!["hôte-×".to_string(), "12".to_string()],
        ];
        assert_eq!(table(&rows, &[false, true]), "HOST     N\nhôte-×  12\n");
    }
}
