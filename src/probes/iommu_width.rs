//! The address width of the IOMMU unit in front of a device a guest uses:
//! iommu.address-width compares it with the guest's memory.

use std::collections::BTreeMap;

use crate::facts::{DeviceFacts, IommuWidthFacts, Known};
use crate::hostfs::{join, HostFs};

use super::guest_memory::human;

/// The width an Intel VT-d unit's capability register gives (MGAW, bits
/// 21:16, plus one), None when the text is not a register in hex or the
/// width is not one a unit can have.
pub fn mgaw(cap: &str) -> Option<u32> {
    let cap = cap.trim();
    let cap = cap.strip_prefix("0x").unwrap_or(cap);
    if cap.is_empty() || cap.len() > 16 {
        return None;
    }
    let value = u64::from_str_radix(cap, 16).ok()?;
    let bits = ((value >> 16) & 0x3f) as u32 + 1;
    // VT-d defines widths from 2^12 (one page) to 2^64; the kernel refuses
    // units below 39 bits. Anything outside 12..=64 is not a register.
    (12..=64).contains(&bits).then_some(bits)
}

/// The width facts of the unit the device's `iommu` link names; a unit's
/// register is read once, for all the devices behind it (`units`).
fn width(
    fs: &dyn HostFs,
    dir: &str,
    units: &mut BTreeMap<String, Known<Option<IommuWidthFacts>>>,
) -> Known<Option<IommuWidthFacts>> {
    let link = join(dir, "iommu");
    let unit = match fs.read_link(&link) {
        Ok(target) => target.rsplit('/').next().unwrap_or_default().to_string(),
        Err(e) if e.is_not_found() => {
            return Known::unknown(format!(
                "{link} not found: the device is behind no IOMMU unit the kernel runs"
            ))
        }
        Err(e) => return Known::unknown(e.to_string()),
    };
    let unit = crate::sanitize::clean(&unit).into_owned();
    if unit.starts_with("ivhd") {
        // AMD-Vi's host page tables have up to six levels: any guest-physical
        // address a guest can have is mapped.
        return Known::Value(None);
    }
    if !unit.starts_with("dmar") {
        return Known::unknown(format!(
            "{link} names {unit}, neither an Intel (dmar) nor an AMD (ivhd) unit"
        ));
    }
    units
        .entry(unit.clone())
        .or_insert_with(|| unit_width(fs, unit))
        .clone()
}

/// The width of Intel unit `unit` (dmarN), from its capability register.
fn unit_width(fs: &dyn HostFs, unit: String) -> Known<Option<IommuWidthFacts>> {
    let source = format!("/sys/class/iommu/{unit}/intel-iommu/cap");
    match fs.read_text(&source) {
        Ok(text) => {
            let cap = crate::sanitize::clean(text.trim()).into_owned();
            match mgaw(&cap) {
                Some(bits) => {
                    let limit = 1u64.checked_shl(bits).unwrap_or(u64::MAX);
                    let max_memory = limit.saturating_sub(2 << 30);
                    Known::Value(Some(IommuWidthFacts {
                        unit,
                        bits,
                        limit_bytes: limit,
                        limit: human(Some(limit)),
                        max_guest_memory_kib: max_memory / 1024,
                        max_guest_memory_mib: max_memory >> 20,
                        max_guest_memory: human(Some(max_memory)),
                        cap,
                        source,
                    }))
                }
                None => Known::unknown(format!(
                    "{source}: '{cap}' is not a VT-d capability register"
                )),
            }
        }
        Err(e) => Known::unknown(e.to_string()),
    }
}

/// Reads the width for every device a libvirt or Proxmox guest uses (whose
/// guest_ram facts name the guest); the others keep "none".
pub fn probe(fs: &dyn HostFs, devices: &mut [DeviceFacts]) {
    let mut units = BTreeMap::new();
    for d in devices.iter_mut() {
        if !matches!(d.guest_ram, Known::Value(Some(_))) {
            continue;
        }
        d.iommu_width = match &d.sysfs {
            Known::Value(dir) => width(fs, dir, &mut units),
            Known::Unknown(r) => Known::unknown(r.clone()),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_width_is_bits_21_to_16_plus_one() {
        // 0x26 and 0x2f in bits 21:16: 39 and 48 bits. The first two are
        // what Linux 6.1 and 6.12 showed for QEMU 10's intel-iommu with
        // aw-bits=39 and 48 (tests/captures/*/iommu-width-*.json).
        assert_eq!(mgaw("d2008c22260206"), Some(39));
        assert_eq!(mgaw("d2008c222f0606"), Some(48));
        assert_eq!(mgaw("d2008c40660462"), Some(39));
        assert_eq!(mgaw("c90780106f0462"), Some(48));
        assert_eq!(mgaw("0x00000000002f0000"), Some(48));
    }

    #[test]
    fn what_is_not_a_register_gives_no_width() {
        for bad in ["", "zz", "12345678901234567", "-1", "0", "0x"] {
            assert_eq!(mgaw(bad), None, "{bad:?}");
        }
    }
}
