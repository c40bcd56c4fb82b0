//! /proc/iomem: the kernel's tree of physical address ranges, one a line,
//! `START-END : NAME`, two spaces of indent a level deeper. A PCI device's
//! BARs are entries named by its address ("0000:03:00.0"); what a driver
//! or the firmware's console claimed inside a BAR is an entry one level
//! below ("vfio-pci", "nvidia", "efifb", "BOOTFB"). Read without root, every
//! address reads zero (kernel/resource.c hides them). Pure functions over
//! text; the probe (`probes::pci::bar_claims`) reads the file.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Nesting level: 0 for a top-level range.
    pub depth: usize,
    /// "fd000000-fdffffff", as the file writes it.
    pub range: String,
    pub name: String,
}

/// The file's entries in order; lines that are not `RANGE : NAME` are left
/// out (the file is data: a tree's or bundle's may hold anything).
pub fn entries(text: &str) -> Vec<Entry> {
    text.lines()
        .filter_map(|line| {
            let trimmed = line.trim_start_matches(' ');
            let depth = (line.len() - trimmed.len()) / 2;
            let (range, name) = trimmed.split_once(" : ")?;
            let (start, end) = range.split_once('-')?;
            let hex = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit());
            (hex(start) && hex(end)).then(|| Entry {
                depth,
                range: range.to_string(),
                name: crate::sanitize::clean(name.trim_end()).into_owned(),
            })
        })
        .collect()
}

/// Whether the addresses are hidden: the file was read without the
/// privilege to see them (every range reads 00000000-00000000).
pub fn addresses_hidden(entries: &[Entry]) -> bool {
    !entries.is_empty()
        && entries
            .iter()
            .all(|e| e.range.bytes().all(|b| b == b'0' || b == b'-'))
}

/// A range held inside one of a device's own ranges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inner {
    /// The device's range (a BAR) it sits in.
    pub bar: String,
    pub range: String,
    /// Who holds it: a driver's name, or the firmware console's.
    pub holder: String,
}

/// A device's ranges in the file: its BARs (entries named by its address)
/// and what sits directly inside each, in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeviceRanges {
    pub bars: Vec<String>,
    pub inner: Vec<Inner>,
}

/// Whether a name is a PCI address as the kernel names a device's
/// resources ("0000:03:10.0").
fn is_address(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() == 12
        && b[4] == b':'
        && b[7] == b':'
        && b[10] == b'.'
        && b.iter()
            .enumerate()
            .all(|(i, c)| matches!(i, 4 | 7 | 10) || c.is_ascii_hexdigit())
}

/// Every device's ranges, by address, in one pass over the file (a host
/// with thousands of VFs looks each up once).
pub fn by_device(entries: &[Entry]) -> HashMap<&str, DeviceRanges> {
    let mut out: HashMap<&str, DeviceRanges> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        if !is_address(&e.name) {
            continue;
        }
        let r = out.entry(e.name.as_str()).or_default();
        r.bars.push(e.range.clone());
        for c in entries[i + 1..]
            .iter()
            .take_while(|c| c.depth > e.depth)
            .filter(|c| c.depth == e.depth + 1)
        {
            r.inner.push(Inner {
                bar: e.range.clone(),
                range: c.range.clone(),
                holder: c.name.clone(),
            });
        }
    }
    out
}

/// The names the firmware's console framebuffer claims a GPU's memory
/// under: sysfb's platform resource ("BOOTFB", drivers/firmware/sysfb*.c),
/// and the framebuffer drivers that take it over (efifb, vesafb, simplefb,
/// simpledrm, vga16fb, offb); each driver requests the range in its own
/// name.
pub const CONSOLE_HOLDERS: [&str; 8] = [
    "BOOTFB",
    "efifb",
    "vesafb",
    "simplefb",
    "simple-framebuffer",
    "simpledrm",
    "vga16fb",
    "offb",
];

/// Whether `holder` is the firmware's console framebuffer.
pub fn is_console(holder: &str) -> bool {
    CONSOLE_HOLDERS
        .iter()
        .any(|c| c.eq_ignore_ascii_case(holder.trim()))
}

/// Whether `holder` is VFIO's own claim (vfio-pci requests a BAR when a
/// user maps it, in the name "vfio-pci" or, before 5.x, "vfio").
pub fn is_vfio(holder: &str) -> bool {
    matches!(holder.trim(), "vfio-pci" | "vfio")
}

/// Whether `holder` names the driver `driver` (drivers request regions in
/// their module's name, which may write '-' where the driver has '_').
pub fn is_driver(holder: &str, driver: &str) -> bool {
    let norm = |s: &str| s.trim().replace('-', "_").to_ascii_lowercase();
    norm(holder) == norm(driver)
}

fn cant_reserve_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // drivers/pci/pci.c __pci_request_region: "BAR %d: can't reserve %pR"
        // (3.x to 6.x); forums turn the apostrophe into a typographic one.
        Regex::new(r"BAR [0-9]+: can[’']t reserve \[").expect("valid regex")
    })
}

/// Whether a kernel log line says a driver could not reserve a BAR.
pub fn cant_reserve(line: &str) -> bool {
    cant_reserve_pattern().is_match(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines of /proc/iomem as the test bed's Debian 6.12 kernel wrote them
    /// (tests/vm/scenarios/bar-claimed.toml): QEMU's VGA at 00:02.0 with the
    /// VESA console on its BAR 0.
    const TESTBED: &str = "\
c0000000-febfffff : PCI Bus 0000:00
  fd000000-fdffffff : 0000:00:02.0
    fd000000-fdffffff : vesafb
  fe000000-fe1fffff : PCI Bus 0000:01
    fe000000-fe01ffff : 0000:01:00.0
    fe020000-fe03ffff : 0000:01:00.0
  fe200000-fe203fff : 0000:00:01.0
    fe200000-fe203fff : virtio-pci-modern
  fea11000-fea11fff : 0000:00:02.0
fec00000-fec003ff : IOAPIC 0
";

    #[test]
    fn finds_what_sits_inside_a_device_s_bars() {
        let e = entries(TESTBED);
        assert_eq!(e.len(), 10);
        let d = by_device(&e);
        assert_eq!(d.len(), 3);
        let vga = &d["0000:00:02.0"];
        assert_eq!(vga.bars, vec!["fd000000-fdffffff", "fea11000-fea11fff"]);
        assert_eq!(
            vga.inner,
            vec![Inner {
                bar: "fd000000-fdffffff".into(),
                range: "fd000000-fdffffff".into(),
                holder: "vesafb".into(),
            }]
        );
        assert_eq!(d["0000:01:00.0"].bars.len(), 2);
        assert!(d["0000:01:00.0"].inner.is_empty());
        assert_eq!(d["0000:00:01.0"].inner[0].holder, "virtio-pci-modern");
        assert!(!d.contains_key("0000:09:00.0"));
        assert!(!d.contains_key("PCI Bus 0000:00"));
        assert!(!addresses_hidden(&e));
    }

    #[test]
    fn tells_hidden_addresses_and_skips_garbage() {
        let hidden = "00000000-00000000 : Reserved\n  00000000-00000000 : 0000:00:02.0\n    00000000-00000000 : BOOTFB\n";
        let e = entries(hidden);
        assert!(addresses_hidden(&e));
        assert!(!addresses_hidden(&[]));
        let junk = "no range here\nzz-yy : x\n\u{1b}[31m : red\n  1000-1fff : 0000:00:02.0\n    1000-1fff : ok\u{7}\n";
        let e = entries(junk);
        assert_eq!(e.len(), 2);
        assert!(!by_device(&e)["0000:00:02.0"].inner[0]
            .holder
            .contains('\u{7}'));
    }

    #[test]
    fn names_the_console_vfio_and_drivers() {
        for c in [
            "BOOTFB",
            "efifb",
            "vesafb",
            "simpledrm",
            "simple-framebuffer",
        ] {
            assert!(is_console(c), "{c}");
        }
        assert!(!is_console("nvidia"));
        assert!(is_vfio("vfio-pci") && is_vfio("vfio") && !is_vfio("vfio-pci-core-x"));
        assert!(is_driver("xhci-hcd", "xhci_hcd"));
        assert!(is_driver("nvidia", "nvidia"));
        assert!(!is_driver("efifb", "vfio-pci"));
    }

    #[test]
    fn tells_a_bar_that_could_not_be_reserved() {
        // pci.c's format with its dev_printk prefix, and as a forum quoted it.
        assert!(cant_reserve(
            "vfio-pci 0000:01:00.0: BAR 3: can't reserve [mem 0xa0000000-0xa1ffffff 64bit pref]"
        ));
        assert!(cant_reserve(
            "vfio-pci 0000:b3:00.0: BAR 1: can’t reserve [mem 0xe0000000-0xefffffff 64bit pref]"
        ));
        assert!(!cant_reserve(
            "pci 0000:03:00.0: BAR 1: assigned [mem 0xe0000000-0xefffffff 64bit pref]"
        ));
    }
}
