//! `explain` as text: what matched, the causes most likely first, and what
//! to run to confirm.

use std::fmt::Write;

use crate::explain::Explanation;
use crate::render::text::{details, Style};
use crate::sanitize::clean;

/// Causes shown in full; the JSON has all of them.
const SHOWN: usize = 8;

pub fn text(e: &Explanation, style: &Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} · {}",
        style.heading("sriov-doctor explain"),
        env!("CARGO_PKG_VERSION"),
        clean(&e.host.root)
    );
    if e.matches.is_empty() {
        let _ = writeln!(
            out,
            "\nNo known message in {} line(s) of input.",
            e.input_lines
        );
    } else {
        let _ = writeln!(out, "\n{}", style.heading("What the input says"));
        for m in &e.matches {
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
            let _ = writeln!(out, "  line {}: {}{caps}", m.line_number, clean(&m.title));
            // The quoted line is the user's input: shown, never obeyed.
            let _ = writeln!(out, "    {}", style.dim(&clean(m.line.trim())));
            let _ = writeln!(out, "    {}", clean(&m.meaning));
        }
    }
    if !e.focus.is_empty() {
        let _ = writeln!(
            out,
            "\nChecked on this host for: {}",
            clean(&e.focus.join(", "))
        );
    }
    if !e.not_on_host.is_empty() {
        let _ = writeln!(
            out,
            "Not on this host: {} (the message may come from another machine)",
            clean(&e.not_on_host.join(", "))
        );
    }
    if let Some(n) = &e.note {
        let _ = writeln!(out, "\n{}", clean(n));
    }
    for (i, c) in e.causes.iter().enumerate().take(SHOWN) {
        if i == 0 {
            let _ = writeln!(out, "\n{}", style.heading("Most likely cause"));
        } else if i == 1 {
            let _ = writeln!(out, "\n{}", style.heading("Also failing"));
        }
        let who = if c.subject == "host" {
            String::new()
        } else {
            format!("{}: ", clean(&c.subject))
        };
        let _ = writeln!(
            out,
            "  {}. {} {}  {who}{}",
            i + 1,
            style.status(c.status),
            clean(&c.rule),
            clean(&c.message)
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
