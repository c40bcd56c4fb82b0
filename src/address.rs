//! PCI addresses as users type them and as sysfs names them.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

/// A PCI function address: domain, bus, device (slot) and function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PciAddress {
    pub domain: u32,
    pub bus: u8,
    pub device: u8,
    pub function: u8,
}

/// How an address was written: the short form has no domain, which the
/// caller widens to the host's domain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressForm {
    Full,
    Short,
}

impl PciAddress {
    /// Parses `0000:03:10.0`, `03:10.0` or libvirt's `pci_0000_03_10_0`.
    pub fn parse(text: &str) -> Result<(PciAddress, AddressForm), String> {
        let text = text.trim();
        match PciAddress::parse_full(text.as_bytes()) {
            Some(address) => Ok((address, AddressForm::Full)),
            None => PciAddress::parse_long(text),
        }
    }

    /// The full form as sysfs writes it (`0000:03:10.0`, any case), without
    /// allocating: most addresses a run parses are directory entries. None
    /// for anything else, which `parse` reads (or rejects) the long way.
    fn parse_full(b: &[u8]) -> Option<PciAddress> {
        if b.len() != 12 || b[4] != b':' || b[7] != b':' || b[10] != b'.' {
            return None;
        }
        let hex = |range: std::ops::Range<usize>| {
            b[range].iter().try_fold(0u32, |v, &c| {
                let d = char::from(c).to_digit(16)?;
                Some(v * 16 + d)
            })
        };
        let (domain, bus, device, function) = (hex(0..4)?, hex(5..7)?, hex(8..10)?, hex(11..12)?);
        if device > 0x1f || function > 7 {
            return None;
        }
        Some(PciAddress {
            domain,
            bus: bus as u8,
            device: device as u8,
            function: function as u8,
        })
    }

    /// Any of the three forms, or why not.
    fn parse_long(text: &str) -> Result<(PciAddress, AddressForm), String> {
        let bad = |why: &str| {
            format!(
                "invalid PCI address '{text}': {why} (expected 0000:03:10.0, 03:10.0 or pci_0000_03_10_0)"
            )
        };
        let (domain, rest, form) = if let Some(libvirt) = text.strip_prefix("pci_") {
            let parts: Vec<&str> = libvirt.split('_').collect();
            if parts.len() != 4 {
                return Err(bad("a libvirt name has four parts"));
            }
            let domain = parse_hex(parts[0], 4, 0xffff).ok_or_else(|| bad("bad domain"))?;
            let rest = format!("{}:{}.{}", parts[1], parts[2], parts[3]);
            (domain, rest, AddressForm::Full)
        } else {
            let colons = text.matches(':').count();
            match colons {
                2 => {
                    let (d, rest) = text.split_once(':').expect("two colons");
                    let domain = parse_hex(d, 4, 0xffff).ok_or_else(|| bad("bad domain"))?;
                    (domain, rest.to_string(), AddressForm::Full)
                }
                1 => (0, text.to_string(), AddressForm::Short),
                _ => return Err(bad("wrong number of ':'")),
            }
        };
        let (bus, slot_fn) = rest.split_once(':').ok_or_else(|| bad("missing ':'"))?;
        let (slot, func) = slot_fn.split_once('.').ok_or_else(|| bad("missing '.'"))?;
        let bus = parse_hex(bus, 2, 0xff).ok_or_else(|| bad("bad bus"))?;
        let device = parse_hex(slot, 2, 0x1f).ok_or_else(|| bad("device must be 00 to 1f"))?;
        let function = parse_hex(func, 1, 7).ok_or_else(|| bad("function must be 0 to 7"))?;
        Ok((
            PciAddress {
                domain,
                bus: bus as u8,
                device: device as u8,
                function: function as u8,
            },
            form,
        ))
    }

    /// The libvirt node-device name, `pci_0000_03_10_0`.
    pub fn libvirt_name(&self) -> String {
        format!(
            "pci_{:04x}_{:02x}_{:02x}_{:x}",
            self.domain, self.bus, self.device, self.function
        )
    }

    /// `03:10.0`, as lspci and QEMU print it.
    pub fn short(&self) -> String {
        format!("{:02x}:{:02x}.{:x}", self.bus, self.device, self.function)
    }
}

fn parse_hex(text: &str, max_len: usize, max: u32) -> Option<u32> {
    if text.is_empty() || text.len() > max_len || !text.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(text, 16).ok().filter(|v| *v <= max)
}

impl fmt::Display for PciAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04x}:{:02x}:{:02x}.{:x}",
            self.domain, self.bus, self.device, self.function
        )
    }
}

impl FromStr for PciAddress {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PciAddress::parse(s).map(|(a, _)| a)
    }
}

impl Serialize for PciAddress {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Serialized as its full form, `0000:03:10.0`.
impl schemars::JsonSchema for PciAddress {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PciAddress".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_forms() {
        let full = PciAddress::parse("0000:03:10.0").unwrap();
        assert_eq!(full.1, AddressForm::Full);
        assert_eq!(full.0.to_string(), "0000:03:10.0");
        let short = PciAddress::parse("03:10.1").unwrap();
        assert_eq!(short.1, AddressForm::Short);
        assert_eq!(short.0.function, 1);
        let libvirt = PciAddress::parse("pci_0000_03_10_0").unwrap();
        assert_eq!(libvirt.0, full.0);
        assert_eq!(libvirt.0.libvirt_name(), "pci_0000_03_10_0");
        assert_eq!(PciAddress::parse("0001:a0:1f.7").unwrap().0.domain, 1);
    }

    /// The short cut for sysfs's form reads what the long way reads, and
    /// leaves to it whatever it would reject.
    #[test]
    fn the_full_form_short_cut_agrees_with_the_long_way() {
        let mut inputs: Vec<String> = [
            "0000:03:10.0",
            "ABCD:EF:1F.7",
            "0000:03:1f.7",
            "0000:03:20.0",
            "0000:03:10.8",
            "0000:03:10:0",
            "0000.03:10.0",
            "000g:03:10.0",
            "0000:+3:10.0",
            "0000: 3:10.0",
            "0000:03:10.é",
            "0000:03:1é.0",
            "+000:03:10.0",
            "ffff:ff:1f.7",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for device in 0..0x24 {
            for function in 0..10 {
                inputs.push(format!("0001:a0:{device:02x}.{function:x}"));
                inputs.push(format!("0001:A0:{device:02X}.{function:X}"));
            }
        }
        for text in &inputs {
            let long = PciAddress::parse_long(text)
                .ok()
                .filter(|(_, f)| *f == AddressForm::Full);
            let short_cut = PciAddress::parse_full(text.as_bytes());
            assert_eq!(short_cut, long.map(|(a, _)| a), "{text}");
        }
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "",
            "03:10",
            "03.10.0",
            "0000:03:20.0",
            "0000:03:10.8",
            "zz:10.0",
            "pci_0000_03_10",
            "1:2:3:4",
            "00000:03:10.0",
            "03:10.0x",
        ] {
            assert!(PciAddress::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn short_form_matches_qemu() {
        assert_eq!(
            "0000:03:10.0".parse::<PciAddress>().unwrap().short(),
            "03:10.0"
        );
    }
}
