//! Interrupt remapping as the kernel runs it (/proc/interrupts: chips named
//! IR-…), and VFIO's escape hatch, vfio_iommu_type1's allow_unsafe_interrupts.

use std::collections::BTreeSet;

use crate::facts::{IrqRemapFacts, KernelFacts, Known};
use crate::hostfs::{join, HostFs};

const PARAM: &str = "/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts";

/// Interrupt chip names in /proc/interrupts: `IR-IO-APIC`, `IR-PCI-MSI-0000:03:00.0`, `IO-APIC`, …
fn chips(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    // After the header line (CPU0 CPU1 …), the words of every line that
    // start with a capital letter. The per-CPU counts (one column per CPU,
    // hundreds on a big host, a megabyte of digits with thousands of VFs)
    // and the names of interrupts do not: the scan jumps from capital to
    // capital rather than cutting every line into words.
    let bytes = text.as_bytes();
    let mut i = bytes
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |n| n + 1);
    while let Some(n) = bytes[i..].iter().position(u8::is_ascii_uppercase) {
        let start = i + n;
        i = bytes[start..]
            .iter()
            .position(u8::is_ascii_whitespace)
            .map_or(bytes.len(), |n| start + n);
        // A capital inside a word (enp3s0f0-TxRx-0) does not start one.
        if !bytes[start - 1].is_ascii_whitespace() {
            continue;
        }
        // Both ends are next to ASCII bytes: character boundaries.
        let word = &text[start..i];
        let base = word.split("-0000:").next().unwrap_or(word);
        let is_chip = [
            "IO-APIC", "PCI-MSI", "PCIe-MSI", "PCI-MSIX", "DMAR-MSI", "AMD-IR", "INTEL-IR",
        ]
        .iter()
        .any(|c| base.contains(c));
        if is_chip {
            out.insert(base.trim_end_matches('-').to_string());
        }
    }
    out
}

fn truthy(v: &str) -> bool {
    matches!(v.trim(), "1" | "Y" | "y" | "on" | "true")
}

pub fn probe(fs: &dyn HostFs, kernel: &KernelFacts) -> IrqRemapFacts {
    let (kernel_enabled, kernel_chips) = match fs.read_text("/proc/interrupts") {
        Ok(text) => {
            let chips = chips(&text);
            let remapped = chips.iter().any(|c| c.starts_with("IR-"));
            let plain = chips.iter().any(|c| !c.starts_with("IR-"));
            let state = if remapped {
                Known::Value(true)
            } else if plain {
                Known::Value(false)
            } else {
                Known::unknown("/proc/interrupts lists no IO-APIC or MSI interrupts")
            };
            (state, chips.into_iter().collect())
        }
        Err(e) => (Known::unknown(e.to_string()), Vec::new()),
    };
    let (allow_unsafe_interrupts, allow_unsafe_source) = unsafe_interrupts(fs, kernel);
    IrqRemapFacts {
        kernel_enabled,
        kernel_chips,
        allow_unsafe_interrupts,
        allow_unsafe_source,
    }
}

/// The module's live parameter when loaded; else what would apply at load
/// (command line, then /etc/modprobe.d).
fn unsafe_interrupts(fs: &dyn HostFs, kernel: &KernelFacts) -> (Known<bool>, String) {
    match fs.read_text(PARAM) {
        Ok(v) => return (Known::Value(truthy(&v)), PARAM.to_string()),
        Err(e) if !e.is_not_found() => return (Known::unknown(e.to_string()), PARAM.to_string()),
        Err(_) => {}
    }
    if let Some(v) = kernel
        .params
        .value()
        .and_then(|p| p.get("vfio_iommu_type1.allow_unsafe_interrupts"))
    {
        return (Known::Value(truthy(v)), "/proc/cmdline".to_string());
    }
    let dir = "/etc/modprobe.d";
    let files = match fs.list_dir(dir) {
        Ok(f) => f,
        Err(e) if e.is_not_found() => Vec::new(),
        Err(e) => return (Known::unknown(e.to_string()), dir.to_string()),
    };
    for f in files.iter().filter(|f| f.ends_with(".conf")) {
        let path = join(dir, f);
        let Ok(text) = fs.read_text(&path) else {
            continue;
        };
        for line in text.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            if words.len() >= 3
                && words[0] == "options"
                && words[1].replace('-', "_") == "vfio_iommu_type1"
            {
                for opt in &words[2..] {
                    if let Some(v) = opt.strip_prefix("allow_unsafe_interrupts=") {
                        return (Known::Value(truthy(v)), path);
                    }
                }
            }
        }
    }
    (Known::Value(false), "default (not set)".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_chip_names() {
        let text = "            CPU0       CPU1\n  0:         36          0   IO-APIC    2-edge      timer\n 24:          0          0  IR-PCI-MSI-0000:03:00.0   0-edge      enp3s0f0\n 25:  0 0 IR-IO-APIC   9-fasteoi   acpi\n";
        let c = chips(text);
        assert!(c.contains("IR-PCI-MSI"), "{c:?}");
        assert!(c.contains("IR-IO-APIC") && c.contains("IO-APIC"), "{c:?}");
        // Capitals inside a word, or in the header, start no chip name.
        let text = "   CPU0 IO-APIC\n 30:  1  x-IO-APIC 3-edge  eth0-IR-PCI-MSI\n";
        assert!(chips(text).is_empty(), "{:?}", chips(text));
    }
}
