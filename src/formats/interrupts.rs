//! /proc/interrupts: a header of CPU columns, then one line per interrupt
//! (number, a count per CPU, the chip, the hardware irq and trigger, the
//! handlers' names).

use std::collections::BTreeSet;

/// Interrupt chip names in /proc/interrupts: `IR-IO-APIC`, `IR-PCI-MSI-0000:03:00.0`, `IO-APIC`, …
pub fn chips(text: &str) -> BTreeSet<String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::samples::captured_text;

    #[test]
    fn reads_a_real_kernels_chips() {
        // A 6.12 kernel with VT-d interrupt remapping: IR-IO-APIC,
        // IR-PCI-MSIX-0000:00:01.0, and the DMAR unit's own DMAR-MSI.
        let c = chips(&captured_text("6.12/ready", "/proc/interrupts"));
        let c: Vec<&str> = c.iter().map(String::as_str).collect();
        assert_eq!(c, ["DMAR-MSI", "IR-IO-APIC", "IR-PCI-MSIX"]);
        // The same kernel, interrupt remapping off (the intremap-off capture).
        let c = chips(&captured_text("6.12/intremap-off", "/proc/interrupts"));
        assert!(c.contains("IO-APIC"), "{c:?}");
        assert!(!c.iter().any(|c| c.starts_with("IR-")), "{c:?}");
    }

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
