//! Memory the firmware says devices use behind the OS's back: DMAR RMRRs
//! (Intel) and IVRS IVMDs (AMD), resolved to the devices they name. Linux
//! will not put such a device in a VFIO domain.

use std::collections::BTreeMap;

use crate::acpi::{dmar, ivrs, scope};
use crate::address::PciAddress;
use crate::facts::{DeviceFacts, Known, ReservedRegion};
use crate::hostfs::HostFs;
use crate::probes::config;

/// A bridge's secondary bus, read from its config space through the root.
pub fn secondary_bus(fs: &dyn HostFs, bridge: PciAddress) -> Option<u8> {
    let bytes = fs
        .read(&format!("/sys/bus/pci/devices/{bridge}/config"))
        .ok()?;
    config::secondary_bus(&bytes)
}

/// Every device an RMRR names, with the region.
pub fn from_dmar(fs: &dyn HostFs, table: &dmar::Dmar) -> BTreeMap<PciAddress, Vec<ReservedRegion>> {
    let mut out: BTreeMap<PciAddress, Vec<ReservedRegion>> = BTreeMap::new();
    for s in &table.structures {
        if let dmar::DmarKind::Rmrr {
            segment,
            base,
            limit,
            scopes,
        } = &s.kind
        {
            for sc in scopes.iter().filter(|sc| matches!(sc.scope_type, 1 | 2)) {
                let resolved =
                    scope::resolve(*segment, sc.start_bus, &sc.path, &|b| secondary_bus(fs, b));
                if let Ok(addr) = resolved {
                    out.entry(addr).or_default().push(ReservedRegion {
                        table: "RMRR".to_string(),
                        at: format!("{:#05x}", s.offset),
                        base: format!("{base:#x}"),
                        limit: format!("{limit:#x}"),
                    });
                }
            }
        }
    }
    out
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
                    table: "IVMD".to_string(),
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

/// Fills each device's reserved regions.
pub fn apply(devices: &mut [DeviceFacts], regions: &BTreeMap<PciAddress, Vec<ReservedRegion>>) {
    for d in devices {
        d.reserved_regions = Known::Value(regions.get(&d.address).cloned().unwrap_or_default());
    }
}
