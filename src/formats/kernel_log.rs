//! Kernel log lines (dmesg's, /dev/kmsg's, syslog's `kernel:` lines): which
//! bear on device assignment, and each made safe to keep and show. The log
//! is data: a tree's or bundle's may hold invalid UTF-8, control
//! characters and lines of any length.

use std::sync::OnceLock;

use regex::Regex;

/// A kept line is cut to this many characters.
pub const MAX_LINE_CHARS: usize = 400;
/// At most this many lines that bear on assignment are kept, the latest.
pub const MAX_KEPT_LINES: usize = 2_000;

fn pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // The IOMMU drivers and VFIO, SR-IOV, the PCI core's lines (which
        // name a device as "pci DDDD:BB:DD.F" or by address), BAR
        // assignment, resets and power states.
        Regex::new(concat!(
            r"(?i)dmar|iommu|amd-vi|vfio|pci-assign|pciback|sr-?iov|\bpci\b|pcieport",
            r"|\b[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\.[0-7]\b|\bBAR\b|\bd3(hot|cold)\b|\bFLR\b",
        ))
        .expect("valid regex")
    })
}

/// Whether a line bears on device assignment.
pub fn bears_on(line: &str) -> bool {
    pattern().is_match(line)
}

/// A line as kept: control characters escaped, cut to
/// [`MAX_LINE_CHARS`] characters (with "…" where it was cut), trailing
/// whitespace dropped.
pub fn clean_line(line: &str) -> String {
    let line = line.trim_end();
    let mut out: String = crate::sanitize::clean(line).into_owned();
    if out.chars().count() > MAX_LINE_CHARS {
        out = out.chars().take(MAX_LINE_CHARS).collect();
        out.push('…');
    }
    out
}

/// The lines that bear on assignment, each cleaned ([`clean_line`]): the
/// one filter of the fact, the bundle and `explain --guest`.
pub fn bearing<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<String> {
    lines.filter(|l| bears_on(l)).map(clean_line).collect()
}

/// The lines that bear on assignment, cleaned, the latest
/// [`MAX_KEPT_LINES`]; and how many matching lines were left out.
pub fn relevant<'a>(lines: impl Iterator<Item = &'a str>) -> (Vec<String>, usize) {
    let mut kept = bearing(lines);
    let over = kept.len().saturating_sub(MAX_KEPT_LINES);
    kept.drain(..over);
    (kept, over)
}

/// The lines that name the device `address` (full form, "0000:03:00.0").
pub fn naming<'a>(lines: &'a [String], address: &'a str) -> impl Iterator<Item = &'a String> {
    lines.iter().filter(move |l| l.contains(address))
}

fn vf_bar_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // drivers/pci/iov.c "not enough MMIO resources for SR-IOV"; the
        // PCI core's "BAR 7: no space for [mem size …]", "BAR 7: failed to
        // assign …" (resources 7–12 are the IOV BARs), and since 6.x "VF
        // BAR 0 [mem size …]: can't assign; no space" / "failed to assign".
        Regex::new(concat!(
            r"(?i)not enough MMIO resources for SR-IOV",
            r"|\bBAR (7|8|9|1[0-2])\b.*(no space|failed to assign|can't assign)",
            r"|\bVF BAR [0-5]\b.*(no space|failed to assign|can't assign)",
            r"|SR-IOV: bus number out of range",
        ))
        .expect("valid regex")
    })
}

/// Whether a line says that a PF's VF BARs got no address space.
pub fn vf_bar_space(line: &str) -> bool {
    vf_bar_pattern().is_match(line)
}

fn vf_bar_assigned_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // drivers/pci/setup-res.c: "BAR 7: assigned [mem …]" ("BAR %d:
        // assigned %pR") before 6.8; since 6.8 "VF BAR 0 [mem …]: assigned"
        // ("%s %pR: assigned"), also in 6.1 stable builds (the test bed's
        // Debian 6.1.192 prints it).
        Regex::new(concat!(
            r"\bBAR (7|8|9|1[0-2]): assigned \[",
            r"|\bVF BAR [0-5] \[[^\]]*\]: assigned\b",
        ))
        .expect("valid regex")
    })
}

/// Whether a line says that the kernel gave a PF's VF BAR address space
/// (after a failure, when `pci=realloc` moved a bridge window).
pub fn vf_bar_assigned(line: &str) -> bool {
    vf_bar_assigned_pattern().is_match(line)
}

fn reset_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"(?i)reset|\bFLR\b|not ready .*after|\bD3cold\b|\bD3hot\b",
            r"|power state|Unable to change power state|stuck in",
        ))
        .expect("valid regex")
    })
}

/// Whether a line is about a device's reset or power state.
pub fn resets_or_power(line: &str) -> bool {
    reset_pattern().is_match(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_bears_on_assignment() {
        let lines = [
            "[    0.000000] DMAR: IOMMU enabled",
            "[    0.512000] pci 0000:03:00.0: BAR 7: no space for [mem size 0x00100000 64bit]",
            "[    0.512001] pci 0000:03:00.0: VF BAR 0 [mem size 0x00020000 64bit]: can't assign; no space",
            "[    2.100000] igb 0000:03:00.0: not enough MMIO resources for SR-IOV",
            "[    3.000000] EXT4-fs (sda1): mounted filesystem",
            "[    4.000000] usb 1-1: new high-speed USB device number 2",
        ];
        let (kept, over) = relevant(lines.iter().copied());
        assert_eq!(over, 0);
        assert_eq!(kept.len(), 4);
        assert!(kept
            .iter()
            .all(|l| !l.contains("EXT4") && !l.contains("usb")));
    }

    #[test]
    fn tells_vf_bar_space_lines() {
        for l in [
            "pci 0000:03:00.0: BAR 7: no space for [mem size 0x00100000 64bit]",
            "pci 0000:03:00.0: BAR 10: failed to assign [mem size 0x00100000 64bit]",
            "pci 0000:03:00.0: VF BAR 0 [mem size 0x00020000 64bit]: can't assign; no space",
            "igb 0000:03:00.0: not enough MMIO resources for SR-IOV",
        ] {
            assert!(vf_bar_space(l), "{l}");
        }
        assert!(!vf_bar_space(
            "pci 0000:03:00.0: BAR 0: assigned [mem 0xfbe20000-0xfbe3ffff]"
        ));
        for l in [
            "pci 0000:03:00.0: BAR 7: assigned [mem 0x30008000-0x30203fff 64bit]",
            "pci 0000:01:00.0: VF BAR 0 [mem 0x30008000-0x30203fff 64bit]: assigned",
        ] {
            assert!(vf_bar_assigned(l) && !vf_bar_space(l), "{l}");
        }
        for l in [
            "pci 0000:03:00.0: BAR 0: assigned [mem 0xfbe20000-0xfbe3ffff]",
            "pci 0000:01:00.0: VF BAR 0 [mem size 0x001fc000 64bit]: failed to assign",
        ] {
            assert!(!vf_bar_assigned(l), "{l}");
        }
        assert!(!vf_bar_space(
            "pci 0000:03:00.0: BAR 1: no space for [mem size 0x00400000]"
        ));
        assert!(resets_or_power(
            "vfio-pci 0000:03:10.0: All device reset methods disabled by user"
        ));
        assert!(resets_or_power("vfio-pci 0000:41:00.0: Unable to change power state from D3cold to D0, device inaccessible"));
    }

    #[test]
    fn hostile_lines_are_made_safe() {
        let l = clean_line("pci 0000:03:00.0: \x1b[2J\rResult: READY\n");
        assert!(!l.chars().any(|c| c.is_control()), "{l:?}");
        let long = format!("pci 0000:03:00.0: {}", "x".repeat(100_000));
        let l = clean_line(&long);
        assert_eq!(l.chars().count(), MAX_LINE_CHARS + 1);
        let many: Vec<String> = (0..MAX_KEPT_LINES + 5)
            .map(|i| format!("pci 0000:03:00.0: line {i}"))
            .collect();
        let (kept, over) = relevant(many.iter().map(String::as_str));
        assert_eq!((kept.len(), over), (MAX_KEPT_LINES, 5));
        assert!(kept[0].ends_with("line 5"));
    }
}
