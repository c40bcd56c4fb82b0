//! Fitting text to the terminal: prose wraps at word boundaries, a command
//! (a `backticked` span) is never broken, and a word is never split.

use std::io::IsTerminal;

/// The width when there is no terminal and no COLUMNS.
pub const DEFAULT_WIDTH: usize = 80;
/// Narrower than this and wrapping would make every line a word.
const MIN_WIDTH: usize = 40;

/// The width to wrap at: COLUMNS when set to a number, else the terminal's
/// width when standard output is one, else 80.
pub fn width() -> usize {
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0);
    let w = columns
        .or_else(|| {
            let out = std::io::stdout();
            if !out.is_terminal() {
                return None;
            }
            rustix::termios::tcgetwinsize(&out)
                .ok()
                .map(|s| usize::from(s.ws_col))
                .filter(|&c| c > 0)
        })
        .unwrap_or(DEFAULT_WIDTH);
    w.max(MIN_WIDTH)
}

/// Characters as a terminal counts them: one per char (the output is
/// cleaned of control characters before it gets here), none for a colour
/// escape (ESC [ ... m) that the renderer added.
pub fn columns(s: &str) -> usize {
    let mut n = 0;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for e in chars.by_ref() {
                if e.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            n += 1;
        }
    }
    n
}

/// The last line of `out` (a report's Result line) wrapped at `width`,
/// continuation lines indented by `indent`.
pub fn last_line(out: &mut String, indent: usize, width: usize) {
    let body = out.strip_suffix('\n').unwrap_or(out);
    let start = body.rfind('\n').map_or(0, |i| i + 1);
    if columns(&body[start..]) <= width {
        return;
    }
    let line = body[start..].to_string();
    out.truncate(start);
    out.push_str(&fill("", &line, indent, width));
}

/// clap's help text, wrapped at `width`: a long option or command
/// description continues under its own column, prose under its indent.
pub fn help(text: &str, width: usize) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if columns(line) <= width {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let lead = line.len() - line.trim_start().len();
        // The description column: after the name and a gap of 2+ spaces.
        let col = line[lead..]
            .find("  ")
            .map(|gap| lead + gap)
            .and_then(|gap| {
                let desc = gap + line[gap..].len() - line[gap..].trim_start().len();
                (desc < width / 2).then_some(desc)
            })
            .unwrap_or(lead);
        out.push_str(&fill(&line[..col], &line[col..], col, width));
    }
    out
}

/// Each line of `text` wrapped at `width`, continued two spaces in; an
/// indented line (a command to paste) is left whole.
pub fn prose_lines(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.lines() {
        if line.starts_with(' ') || columns(line) <= width {
            out.push_str(line);
            out.push('\n');
        } else {
            out.push_str(&fill("", line, 2, width));
        }
    }
    out
}

/// The unbreakable pieces of `text`: words, with a backticked span (a
/// command) kept whole with the words it touches.
fn pieces(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut in_tick = false;
    for ch in text.chars() {
        if ch == '`' {
            in_tick = !in_tick;
        }
        if ch == ' ' && !in_tick {
            if cur == "·" && !out.is_empty() {
                // A separator ends the line before it, never starts one.
                cur.clear();
                if let Some(last) = out.last_mut() {
                    last.push_str(" ·");
                }
            } else if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        } else {
            cur.push(ch);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `text` after `first` (already on the line, e.g. "  FAIL rule  "), wrapped
/// at `width` with continuation lines starting with `indent` spaces. A piece
/// longer than a line gets a line of its own, unbroken. Each line ends in
/// a newline.
pub fn fill(first: &str, text: &str, indent: usize, width: usize) -> String {
    let mut out = String::from(first);
    let mut col = columns(first);
    let mut at_start = true;
    let pad = " ".repeat(indent);
    for p in pieces(text) {
        let len = columns(&p);
        if !at_start && col + 1 + len > width {
            out.push('\n');
            out.push_str(&pad);
            col = indent;
            at_start = true;
        }
        if !at_start {
            out.push(' ');
            col += 1;
        }
        out.push_str(&p);
        col += len;
        at_start = false;
    }
    out.push('\n');
    out
}

/// Kernel parameters that bear on device assignment: the ones a shortened
/// /proc/cmdline keeps.
const CMDLINE_KEEP: &[&str] = &[
    "iommu",
    "intel_iommu",
    "amd_iommu",
    "vfio",
    "vfio_pci",
    "vfio_iommu_type1",
    "pci",
    "pcie_acs_override",
    "pci_pt_e820_access",
    "xen-pciback",
    "pciback",
    "kvm",
    "kvm_intel",
    "kvm_amd",
    "intremap",
    "modprobe.blacklist",
    "rd.driver",
    "module_blacklist",
];

/// Long evidence shortened to about `max` characters: a kernel command line
/// keeps the parameters that bear on assignment; anything else is cut at a
/// word. Either way the line says how much it left out.
pub fn shorten(e: &str, max: usize) -> String {
    if columns(e) <= max {
        return e.to_string();
    }
    if let Some(line) = e.strip_prefix("/proc/cmdline: ") {
        // Only the kernel's own parameters: what follows "--" goes to init.
        let own = line.split(" -- ").next().unwrap_or(line);
        let params: Vec<&str> = own.split_whitespace().collect();
        let kept: Vec<&str> = params
            .iter()
            .copied()
            .filter(|p| {
                let name = p.split('=').next().unwrap_or(p).replace('-', "_");
                CMDLINE_KEEP.iter().any(|k| {
                    let k = k.replace('-', "_");
                    name == k
                        || (k.ends_with('.') && name.starts_with(&k))
                        || name.starts_with(&format!("{k}."))
                })
            })
            .collect();
        let other = params.len() - kept.len();
        return if kept.is_empty() {
            format!("/proc/cmdline: none of its {other} parameters is about the IOMMU, VFIO, PCI or Xen (--format json has the whole line)")
        } else {
            format!("/proc/cmdline: {} … ({other} more, not about the IOMMU, VFIO, PCI or Xen; --format json has the whole line)", kept.join(" "))
        };
    }
    let mut cut = String::new();
    for w in e.split(' ') {
        if columns(&cut) + 1 + columns(w) > max.saturating_sub(40) {
            break;
        }
        if !cut.is_empty() {
            cut.push(' ');
        }
        cut.push_str(w);
    }
    format!(
        "{cut} … ({} characters; --format json has them all)",
        columns(e)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_wraps_at_words_under_the_indent() {
        let text = "the kernel has not enabled the IOMMU (0 units in /sys/class/iommu, 0 groups in /sys/kernel/iommu_groups): the command line lacks intel_iommu=on";
        let out = fill("  FAIL kernel.iommu  ", text, 7, 80);
        for l in out.lines() {
            assert!(columns(l) <= 80, "{out}");
        }
        assert!(
            out.lines().skip(1).all(|l| l.starts_with("       ")),
            "{out}"
        );
        // Nothing lost, nothing split.
        let joined: Vec<&str> = out.split_whitespace().collect();
        let want: Vec<&str> = "  FAIL kernel.iommu  "
            .split_whitespace()
            .chain(text.split_whitespace())
            .collect();
        assert_eq!(joined, want);
    }

    #[test]
    fn an_error_wraps_and_an_indented_command_does_not() {
        let text = "warning: IOMMU group 7 of 0000:03:10.0 is not viable: VFIO will refuse it (`sriov-doctor check -d 0000:03:10.0 --root tests/hosts/seed-group-shared/root` says how)\n    virsh attach-device GUEST hostdev.xml --config --live --persistent --current\nshort\n";
        let out = prose_lines(text, 80);
        assert_eq!(
            out,
            "warning: IOMMU group 7 of 0000:03:10.0 is not viable: VFIO will refuse it\n  (`sriov-doctor check -d 0000:03:10.0 --root tests/hosts/seed-group-shared/root`\n  says how)\n    virsh attach-device GUEST hostdev.xml --config --live --persistent --current\nshort\n"
        );
    }

    #[test]
    fn a_backticked_command_is_never_broken() {
        let cmd = "`grubby --update-kernel=ALL --args=\"intel_iommu=on iommu=pt\"`";
        let text = format!("Change the kernel command line with grubby: {cmd}.");
        let out = fill("       1. ", &text, 10, 60);
        assert!(out.contains(&format!("{cmd}.")), "{out}");
        assert!(out.lines().count() >= 2, "{out}");
    }

    #[test]
    fn a_separator_stays_at_the_end_of_its_line() {
        let out = fill(
            "Host: ",
            "Debian GNU/Linux 12 · kernel 6.1.0-18-amd64 · Intel",
            6,
            40,
        );
        assert_eq!(
            out,
            "Host: Debian GNU/Linux 12 · kernel\n      6.1.0-18-amd64 · Intel\n"
        );
    }

    #[test]
    fn a_word_longer_than_the_line_stands_alone_unbroken() {
        let long = "x".repeat(100);
        let out = fill("  ", &format!("a {long} b"), 4, 40);
        assert_eq!(out, format!("  a\n    {long}\n    b\n"));
    }
}
