//! The kernel command line (/proc/cmdline).

use std::collections::BTreeMap;

/// Why the bytes of /proc/cmdline are no kernel command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotACmdline {
    /// Not UTF-8 text.
    NotText,
    /// Control characters (other than tabs) before the final newline.
    ControlCharacters,
    /// No final newline, which the kernel always prints after the command
    /// line (fs/proc/cmdline.c): an empty or cut-short file.
    Unterminated,
}

/// The command line in the bytes of /proc/cmdline: one line of text, as
/// the kernel prints it (a C string: no NUL, and in practice no control
/// characters), trimmed. Anything else, random bytes for one, is no
/// command line, rather than the empty set of parameters a parse of it
/// would give; so is a file without the newline the kernel ends it with
/// (an empty file, or one cut short: its last parameter may be cut too).
pub fn line(bytes: &[u8]) -> Result<&str, NotACmdline> {
    let text = std::str::from_utf8(bytes).map_err(|_| NotACmdline::NotText)?;
    let line = text.strip_suffix('\n').ok_or(NotACmdline::Unterminated)?;
    if line.chars().any(|c| c.is_control() && c != '\t') {
        return Err(NotACmdline::ControlCharacters);
    }
    Ok(line.trim())
}

/// Splits a kernel command line as the kernel does: whitespace separates,
/// double quotes group, and everything after `--` belongs to init.
pub fn parse(line: &str) -> BTreeMap<String, String> {
    let mut params = BTreeMap::new();
    let mut word = String::new();
    let mut in_quotes = false;
    let mut words = Vec::new();
    for c in line.chars() {
        match c {
            '"' => in_quotes = !in_quotes,
            c if c.is_whitespace() && !in_quotes => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    for w in words {
        if w == "--" {
            break;
        }
        let (k, v) = w.split_once('=').unwrap_or((w.as_str(), ""));
        // The kernel treats '-' and '_' in parameter names alike.
        params.insert(k.replace('-', "_"), v.to_string());
    }
    params
}

/// (in effect, requested at all): the kernel applies iommu=pt, iommu=nopt and
/// iommu.passthrough= in command-line order, so the last one wins.
pub fn passthrough_in_order(cmdline: &str) -> (bool, bool) {
    let mut on = false;
    let mut requested = false;
    for word in cmdline.split_whitespace().take_while(|w| *w != "--") {
        let (k, v) = word.split_once('=').unwrap_or((word, ""));
        match (k.replace('-', "_").as_str(), v) {
            ("iommu", v) if v.split(',').any(|o| o == "pt") => {
                on = true;
                requested = true;
            }
            ("iommu", v) if v.split(',').any(|o| o == "nopt") => on = false,
            ("iommu.passthrough", v) => {
                on = matches!(v, "1" | "on" | "y" | "Y");
                requested |= on;
            }
            _ => {}
        }
    }
    (on, requested)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::samples::{captured, captured_text};

    #[test]
    fn the_proc_file_is_one_line_of_text() {
        let bytes = captured("6.12/iommu-pt", "/proc/cmdline");
        assert_eq!(
            line(&bytes),
            Ok("console=ttyS0 panic=-1 loglevel=4 intel_iommu=on iommu=pt")
        );
        assert_eq!(line(b"\xff\xfe ro\n"), Err(NotACmdline::NotText));
        assert_eq!(line(b"ro\0quiet\n"), Err(NotACmdline::ControlCharacters));
        assert_eq!(line(b"ro\tquiet\n"), Ok("ro\tquiet"));
        // The kernel always ends it with a newline: an empty file, or one
        // cut short, is no command line.
        assert_eq!(line(b""), Err(NotACmdline::Unterminated));
        assert_eq!(
            line(b"ro vfio-pci.ids=8086:10"),
            Err(NotACmdline::Unterminated)
        );
        assert_eq!(line(b"\n"), Ok(""));
    }

    #[test]
    fn cmdline_follows_kernel_rules() {
        let p = parse(
            "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet intel_iommu=on,sm_on iommu=pt foo=\"a b\" intel-iommu=off -- single",
        );
        assert_eq!(p["intel_iommu"], "off", "last occurrence wins, '-' is '_'");
        assert_eq!(p["iommu"], "pt");
        assert_eq!(p["quiet"], "");
        assert_eq!(p["foo"], "a b");
        assert!(!p.contains_key("single"), "after -- is init's");
    }

    #[test]
    fn reads_a_real_debian_command_line() {
        // "console=ttyS0 panic=-1 loglevel=4 intel_iommu=on" (6.12, QEMU).
        let line = captured_text("6.12/ready", "/proc/cmdline");
        let p = parse(&line);
        assert_eq!(p["intel_iommu"], "on");
        assert_eq!(p["console"], "ttyS0");
        assert_eq!(p["panic"], "-1");
        assert_eq!(passthrough_in_order(&line), (false, false));
        let pt = captured_text("6.12/iommu-pt", "/proc/cmdline");
        assert_eq!(parse(&pt)["iommu"], "pt", "{pt}");
        assert_eq!(passthrough_in_order(&pt), (true, true));
    }

    #[test]
    fn passthrough_follows_command_line_order() {
        assert_eq!(passthrough_in_order("ro iommu=pt"), (true, true));
        assert_eq!(
            passthrough_in_order("iommu=pt iommu.passthrough=0"),
            (false, true)
        );
        assert_eq!(
            passthrough_in_order("iommu.passthrough=0 iommu=pt"),
            (true, true)
        );
        assert_eq!(passthrough_in_order("quiet -- iommu=pt"), (false, false));
    }
}
