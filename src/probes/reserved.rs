//! Memory the firmware says devices use behind the OS's back: DMAR RMRRs
//! (Intel) and IVRS IVMDs (AMD), resolved to the devices they name. Linux
//! will not put such a device in a VFIO domain.

use std::collections::BTreeMap;

use crate::address::PciAddress;
use crate::facts::{DeviceFacts, Known, ReservedRegion, ReservedTable};
use crate::formats::acpi::{dmar, ivrs, scope};
use crate::formats::pci_config;
use crate::hostfs::HostFs;

/// A bridge's secondary bus, read from its config space through the root.
pub fn secondary_bus(fs: &dyn HostFs, bridge: PciAddress) -> Option<u8> {
    let bytes = fs
        .read(&format!("/sys/bus/pci/devices/{bridge}/config"))
        .ok()?;
    pci_config::secondary_bus(&bytes)
}

/// Like [`secondary_bus`], but tells a bridge that is not there (the path
/// truthfully leads nowhere) from one whose config space cannot be read
/// (Err: where the path leads is unknown).
fn secondary_bus_or_doubt(fs: &dyn HostFs, bridge: PciAddress) -> Result<Option<u8>, String> {
    let path = format!("/sys/bus/pci/devices/{bridge}/config");
    match fs.read(&path) {
        Ok(bytes) if bytes.len() < 0x1a => Err(format!(
            "{path}: {} bytes, too short for a header",
            bytes.len()
        )),
        Ok(bytes) => Ok(pci_config::secondary_bus(&bytes)),
        Err(e) if e.is_not_found() => match fs.exists(&format!("/sys/bus/pci/devices/{bridge}")) {
            Ok(false) => Ok(None),
            Ok(true) => Err(e.to_string()),
            Err(e) => Err(e.to_string()),
        },
        Err(e) => Err(e.to_string()),
    }
}

/// Every device an RMRR names, with the region; and why an RMRR path could
/// not be followed, when a bridge on it could not be read.
pub fn from_dmar(
    fs: &dyn HostFs,
    table: &dmar::Dmar,
) -> (BTreeMap<PciAddress, Vec<ReservedRegion>>, Vec<String>) {
    let mut out: BTreeMap<PciAddress, Vec<ReservedRegion>> = BTreeMap::new();
    let mut doubts = Vec::new();
    for s in &table.structures {
        if let dmar::DmarKind::Rmrr {
            segment,
            base,
            limit,
            scopes,
        } = &s.kind
        {
            for sc in scopes.iter().filter(|sc| matches!(sc.scope_type, 1 | 2)) {
                let unreadable = std::cell::RefCell::new(None);
                let resolved = scope::resolve(*segment, sc.start_bus, &sc.path, &|b| {
                    secondary_bus_or_doubt(fs, b).unwrap_or_else(|why| {
                        unreadable.borrow_mut().get_or_insert(why);
                        None
                    })
                });
                match resolved {
                    Ok(addr) => out.entry(addr).or_default().push(ReservedRegion {
                        table: ReservedTable::Rmrr,
                        at: format!("{:#05x}", s.offset),
                        base: format!("{base:#x}"),
                        limit: format!("{limit:#x}"),
                    }),
                    Err(_) => {
                        if let Some(why) = unreadable.into_inner() {
                            doubts.push(format!(
                                "the device the RMRR at {:#05x} names is unknown: {why}",
                                s.offset
                            ));
                        }
                    }
                }
            }
        }
    }
    (out, doubts)
}

/// Devices named by IVMD blocks for one device (21h) or a range (22h);
/// 20h applies to all devices and is not a per-device restriction here.
pub fn from_ivrs(
    table: &ivrs::Ivrs,
    present: &[PciAddress],
) -> BTreeMap<PciAddress, Vec<ReservedRegion>> {
    let mut out: BTreeMap<PciAddress, Vec<ReservedRegion>> = BTreeMap::new();
    for b in &table.blocks {
        let ivrs::IvrsKind::Ivmd {
            aux,
            start_address,
            length,
        } = &b.kind
        else {
            continue;
        };
        let (first, last) = match b.block_type {
            0x21 => (b.device_id, b.device_id),
            0x22 => (b.device_id, *aux),
            _ => continue,
        };
        for addr in present.iter().filter(|a| a.domain == 0) {
            let id = (addr.bus as u16) << 8 | (addr.device as u16) << 3 | addr.function as u16;
            if (first..=last).contains(&id) {
                out.entry(*addr).or_default().push(ReservedRegion {
                    table: ReservedTable::Ivmd,
                    at: format!("{:#05x}", b.offset),
                    base: format!("{start_address:#x}"),
                    limit: format!(
                        "{:#x}",
                        start_address.saturating_add(length.saturating_sub(1))
                    ),
                });
            }
        }
    }
    out
}

/// Fills each device's reserved regions; a device named nowhere is unknown
/// when there is a `doubt` that a region could not be read.
pub fn apply(
    devices: &mut [DeviceFacts],
    regions: &BTreeMap<PciAddress, Vec<ReservedRegion>>,
    doubt: Option<&String>,
) {
    for d in devices {
        d.reserved_regions = match (regions.get(&d.address), doubt) {
            (Some(r), _) => Known::Value(r.clone()),
            (None, Some(why)) => Known::unknown(why.clone()),
            (None, None) => Known::Value(Vec::new()),
        };
    }
}
