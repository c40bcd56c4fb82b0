//! A PCI device's power state as sysfs shows it, and the kernel log lines
//! that say a device did not come back to full power. Pure functions over
//! text; the probe (`probes::pci::power`) reads the files.
//!
//! The log formats are drivers/pci/pci.c's (see corpus/formats): "Unable to
//! change power state from %s to D0, device inaccessible" (6.3+), "can't
//! change power state from %s to %s (config space inaccessible)" (5.x to
//! 6.2), "Refused to change power state from %s to D0" (6.3+), "refused to
//! change power state from %s to %s" (5.10 to 6.2), "Refused to change power
//! state, currently in D%d" (before 5.10), and pci_dev_wait's "not ready
//! %dms after %s; giving up" (4.17+).

use std::sync::OnceLock;

use regex::Regex;

/// The states `power_state` (Linux 5.19+) reads: pci_power_name()'s.
pub const STATES: [&str; 7] = ["error", "D0", "D1", "D2", "D3hot", "D3cold", "unknown"];

/// `power_state`'s text as one of [`STATES`]; None for anything else.
pub fn state(text: &str) -> Option<&'static str> {
    let t = text.trim();
    STATES.iter().copied().find(|s| *s == t)
}

/// A sysfs boolean written as "0"/"1" (`d3cold_allowed`) or "Y"/"N" (a
/// module parameter).
pub fn flag(text: &str) -> Option<bool> {
    match text.trim() {
        "1" | "Y" | "y" => Some(true),
        "0" | "N" | "n" => Some(false),
        _ => None,
    }
}

/// Whether the standard header of a config space read (its first 64 bytes,
/// or what there is of them) is all ones: the device does not answer
/// (powered off, or gone from the bus). Not just the ids: a VF's Vendor and
/// Device ID registers read ffff by design (PCIe SR-IOV 3.4.1.1, 3.4.1.2),
/// while its class code and header type do not. None when fewer than 16
/// bytes were read.
pub fn config_all_ones(config: &[u8]) -> Option<bool> {
    if config.len() < 16 {
        return None;
    }
    let head = config.get(..64).unwrap_or(config);
    Some(head.iter().all(|b| *b == 0xff))
}

fn wake_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"Unable to change power state from \S+ to D0, device inaccessible",
            r"|[Cc]an't change power state from \S+ to D0 \(config space inaccessible\)",
            r"|[Rr]efused to change power state from D3(?:hot|cold) to D0",
            r"|Refused to change power state, currently in D3",
        ))
        .expect("valid regex")
    })
}

/// Whether a kernel log line says the device did not come back to D0 from
/// a low power state.
pub fn wake_failed(line: &str) -> bool {
    wake_pattern().is_match(line)
}

fn gave_up_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"not ready [0-9]+ms after [^;]+; giving up").expect("valid regex")
    })
}

/// Whether a kernel log line says the kernel gave up waiting for the device
/// after a reset or a resume ("not ready 65535ms after FLR; giving up").
pub fn gave_up(line: &str) -> bool {
    gave_up_pattern().is_match(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_and_flags() {
        assert_eq!(state("D3cold\n"), Some("D3cold"));
        assert_eq!(state("D3hot"), Some("D3hot"));
        assert_eq!(state("unknown\n"), Some("unknown"));
        assert_eq!(state("D4\n"), None);
        assert_eq!(state(""), None);
        assert_eq!(flag("1\n"), Some(true));
        assert_eq!(flag("N\n"), Some(false));
        assert_eq!(flag("maybe"), None);
        assert_eq!(config_all_ones(&[0xff; 4096]), Some(true));
        assert_eq!(config_all_ones(&[0xff; 64]), Some(true));
        // A VF: ids ffff ffff by design, a class code and header type that answer.
        let mut vf = [0u8; 64];
        vf[..4].copy_from_slice(&[0xff; 4]);
        vf[0x09..0x0c].copy_from_slice(&[0x00, 0x00, 0x02]);
        assert_eq!(config_all_ones(&vf), Some(false));
        assert_eq!(config_all_ones(&[0xff; 8]), None);
    }

    #[test]
    fn tells_failed_wakes_in_every_kernel_s_wording() {
        // Each format of corpus/formats expanded with sample values.
        for l in [
            "vfio-pci 0000:01:00.0: Unable to change power state from D3cold to D0, device inaccessible",
            "nvme 0000:04:00.0: Unable to change power state from D3hot to D0, device inaccessible",
            "vfio-pci 0000:04:00.0: can't change power state from D3cold to D0 (config space inaccessible)",
            "vfio-pci 0000:03:00.0: Refused to change power state from D3hot to D0",
            "vfio-pci 0000:03:00.0: refused to change power state from D3hot to D0",
            "vfio-pci 0000:03:00.0: Refused to change power state, currently in D3",
        ] {
            assert!(wake_failed(l), "{l}");
        }
        // Going down, or a slow but successful wait, is not a failed wake.
        for l in [
            "pcieport 0000:00:1c.0: refused to change power state from D0 to D3hot",
            "vfio-pci 0000:01:00.0: not ready 1023ms after resume; waiting",
            "vfio-pci 0000:01:00.0: ready 1023ms after resume",
            "vfio-pci 0000:01:00.0: Refused to change power state, currently in D0",
        ] {
            assert!(!wake_failed(l), "{l}");
            assert!(!gave_up(l), "{l}");
        }
        for l in [
            "vfio-pci 0000:03:00.0: not ready 65535ms after FLR; giving up",
            "igc 0000:02:00.0: not ready 65535ms after bus reset; giving up",
            "pcieport 0000:01:00.0: not ready 1023ms after resume; giving up",
        ] {
            assert!(gave_up(l), "{l}");
        }
    }
}
