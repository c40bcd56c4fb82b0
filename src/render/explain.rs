//! `explain` as text: what matched, the causes most likely first, and what
//! to run to confirm.

use std::fmt::Write;

use crate::explain::rank::PointedBy;
use crate::explain::{By, Explanation, Kind, Match, Outcome, Scope};
use crate::findings::Status;
use crate::render::text::{details, Style};
use crate::render::wrap;
use crate::sanitize::clean;

/// Causes shown in full; the JSON has all of them.
const SHOWN: usize = 8;

/// Unrecognised lines whose names are shown; the JSON has all of them.
const LINES_SHOWN: usize = 6;

pub fn text(e: &Explanation, style: &Style) -> String {
    let mut out = String::new();
    let first = format!("{} ", style.heading("sriov-doctor explain"));
    let about = format!("{} · {}", env!("CARGO_PKG_VERSION"), clean(&e.host.root));
    out.push_str(&wrap::fill(&first, &about, 4, style.width));
    if !e.read_from.is_empty() {
        let _ = writeln!(out, "\n{}", style.heading("Read from this host"));
        for r in &e.read_from {
            out.push_str(&wrap::fill("  ", &clean(r), 4, style.width));
        }
    }
    let (passes, said): (Vec<&Match>, Vec<&Match>) =
        e.matches.iter().partition(|m| m.outcome == Outcome::Pass);
    if e.matches.is_empty() {
        let _ = writeln!(
            out,
            "\nNo known message in {} line(s) of input.",
            e.input_lines
        );
    } else {
        let _ = writeln!(out, "\n{}", style.heading("What the input says"));
        // Lines of one signature that no rule checks (outcome other) share one
        // explanation.
        let mut shown: Vec<&str> = Vec::new();
        for m in &said {
            let same: Vec<&&Match> = if m.outcome == Outcome::Other {
                if shown.contains(&m.signature.as_str()) {
                    continue;
                }
                shown.push(&m.signature);
                said.iter().filter(|o| o.signature == m.signature).collect()
            } else {
                Vec::new()
            };
            let caps: Vec<String> = m
                .captures
                .iter()
                .map(|(k, v)| format!("{} {}", clean(k), clean(v)))
                .collect();
            let caps = if caps.is_empty() {
                String::new()
            } else {
                format!(" ({})", caps.join(", "))
            };
            if same.len() > 1 {
                let numbers: Vec<String> = same.iter().map(|o| o.line_number.to_string()).collect();
                let head = format!("lines {}: {}", numbers.join(", "), clean(&m.title));
                out.push_str(&wrap::fill("  ", &head, 4, style.width));
                for o in &same {
                    quote(&mut out, style, &o.line);
                }
                out.push_str(&wrap::fill("    ", &clean(&m.meaning), 4, style.width));
                continue;
            }
            let head = format!("line {}: {}{caps}", m.line_number, clean(&m.title));
            out.push_str(&wrap::fill("  ", &head, 4, style.width));
            quote(&mut out, style, &m.line);
            if m.contradicted() {
                // The host's own checks pass: its advice is not for this host.
                let checks: Vec<String> = m
                    .host_checks
                    .iter()
                    .filter(|c| c.status == Status::Pass)
                    .map(|c| format!("{} passes ({})", c.rule, c.message))
                    .collect();
                let text = format!(
                    "This host's own check disagrees: {}. The message does not describe this host as it is now (it may come from another machine or an earlier boot); its advice does not apply here.",
                    clean(&checks.join("; "))
                );
                out.push_str(&wrap::fill("    ", &text, 4, style.width));
                continue;
            }
            out.push_str(&wrap::fill("    ", &clean(&m.meaning), 4, style.width));
            // Each rule once, with its worst outcome on the subjects named.
            let mut failing: Vec<(&str, Status)> = Vec::new();
            for c in m
                .host_checks
                .iter()
                .filter(|c| matches!(c.status, Status::Fail | Status::Warn))
            {
                match failing.iter_mut().find(|(r, _)| *r == c.rule) {
                    Some((_, s)) if c.status == Status::Fail => *s = Status::Fail,
                    Some(_) => {}
                    None => failing.push((c.rule.as_str(), c.status)),
                }
            }
            // Failures first, as the causes are ranked.
            failing.sort_by_key(|(_, s)| *s);
            if !failing.is_empty() {
                let said: Vec<String> = failing
                    .iter()
                    .map(|(r, s)| {
                        let verb = if *s == Status::Fail { "fails" } else { "warns" };
                        format!("{} {verb}", clean(r))
                    })
                    .collect();
                let text = format!(
                    "On this host: {}; the fix that fits this host is under the causes below.",
                    said.join(", ")
                );
                out.push_str(&wrap::fill("    ", &text, 4, style.width));
            }
        }
        if !passes.is_empty() {
            let lines: Vec<String> = passes.iter().map(|m| m.line_number.to_string()).collect();
            let text = format!(
                "{} line(s) report a check that passed (lines {}): not causes.",
                passes.len(),
                lines.join(", ")
            );
            out.push_str(&wrap::fill("  ", &text, 4, style.width));
        }
    }
    unrecognised(&mut out, e, style);
    if !e.focus.is_empty() {
        let why = match e.scope {
            Scope::Named => "",
            Scope::Group => " (the IOMMU group the input names)",
            Scope::Guest => " (the devices of the guest the input names)",
            Scope::Candidates => " (every VF, VFIO-bound device and device with firmware-reserved memory: the input names no device)",
            Scope::Host => "",
        };
        out.push('\n');
        out.push_str(&wrap::fill(
            "Checked on this host for: ",
            &format!("{}{why}", clean(&e.focus.join(", "))),
            4,
            style.width,
        ));
    }
    if !e.not_created_yet.is_empty() {
        let text = format!(
            "{} (its PF creates it once it has enough VFs; sriov.vfs says how)",
            clean(&e.not_created_yet.join(", "))
        );
        out.push_str(&wrap::fill("Not created yet: ", &text, 4, style.width));
    }
    if !e.not_on_host.is_empty() {
        let text = format!(
            "{} (the message may come from another machine)",
            clean(&e.not_on_host.join(", "))
        );
        out.push_str(&wrap::fill("Not on this host: ", &text, 4, style.width));
    }
    if let Some(n) = &e.note {
        out.push('\n');
        out.push_str(&wrap::fill("", &clean(n), 0, style.width));
    }
    for (i, c) in e.causes.iter().enumerate().take(SHOWN) {
        if i == 0 {
            // A cause nothing in the input points at is not "likely": it
            // only fails here.
            let heading = if c.pointed_by == PointedBy::Host {
                "Failing on this host (nothing in the input points at it)"
            } else {
                "Most likely cause"
            };
            let _ = writeln!(out, "\n{}", style.heading(heading));
        } else if i == 1 {
            let _ = writeln!(out, "\n{}", style.heading("Also failing"));
        }
        let who = if c.subject == "host" {
            String::new()
        } else {
            format!("{}: ", clean(&c.subject))
        };
        let lead = format!("  {}. {} {}  ", i + 1, c.status.label(), clean(&c.rule));
        let text = wrap::fill(
            &lead,
            &format!("{who}{}", clean(&c.message)),
            7,
            style.width,
        );
        let at = lead.find(c.status.label()).unwrap_or(0);
        let _ = write!(
            out,
            "{}{}{}",
            &text[..at],
            style.status(c.status),
            &text[at + c.status.label().len()..]
        );
        details(&mut out, style, c, None);
    }
    if e.causes.len() > SHOWN {
        let _ = writeln!(
            out,
            "  … and {} more (--format json lists them all)",
            e.causes.len() - SHOWN
        );
    }
    if !e.confirm.is_empty() {
        let _ = writeln!(out, "\n{}", style.heading("To confirm"));
        for c in &e.confirm {
            let _ = writeln!(out, "  $ {}", clean(c));
        }
    }
    out
}

/// "line 3: no known message; it names 0000:03:10.0, EBUSY" for the lines
/// no signature recognises that name something.
fn unrecognised(out: &mut String, e: &Explanation, style: &Style) {
    let mut lines: Vec<(usize, Vec<String>)> = Vec::new();
    let matched: std::collections::BTreeSet<usize> =
        e.matches.iter().map(|m| m.line_number).collect();
    for n in e.named.iter().filter(|n| n.by == By::Reader) {
        if matched.contains(&n.line_number) {
            continue;
        }
        let said = match (n.kind, &n.resolved) {
            (Kind::Device, Some(r)) | (Kind::Errno, Some(r)) => r.clone(),
            (Kind::Mdev | Kind::VfioDevice, Some(r)) => format!("{} (of {r})", n.value),
            (Kind::Group, _) => format!("group {}", n.value),
            (Kind::Domain, _) => format!("guest {}", n.value),
            _ => n.value.clone(),
        };
        match lines.last_mut() {
            Some((l, names)) if *l == n.line_number => {
                if !names.contains(&said) {
                    names.push(said);
                }
            }
            _ => lines.push((n.line_number, vec![said])),
        }
    }
    if lines.is_empty() {
        return;
    }
    if e.matches.is_empty() {
        let _ = writeln!(out, "\n{}", style.heading("What the input names"));
    }
    for (l, names) in lines.iter().take(LINES_SHOWN) {
        let text = format!("line {l}: no known message; it names {}", names.join(", "));
        out.push_str(&wrap::fill("  ", &clean(&text), 4, style.width));
    }
    if lines.len() > LINES_SHOWN {
        let text = format!(
            "… and {} more lines that name something (--format json lists them)",
            lines.len() - LINES_SHOWN
        );
        out.push_str(&wrap::fill("  ", &text, 4, style.width));
    }
}

/// A line of the input, its padding squeezed and wrapped: the user's input,
/// shown, never obeyed.
fn quote(out: &mut String, style: &Style, line: &str) {
    let squeezed = clean(line).split_whitespace().collect::<Vec<_>>().join(" ");
    for l in wrap::fill("    ", &squeezed, 6, style.width).lines() {
        let (pad, text) = l.split_at(l.len() - l.trim_start().len());
        let _ = writeln!(out, "{pad}{}", style.dim(text));
    }
}
