//! Resolving a DMAR device scope to the PCI address it names.
//!
//! A scope names a device by a start bus and a path of (device, function)
//! steps. As the kernel does (drivers/iommu/intel/dmar.c), start on the
//! start bus; every step but the last names a PCI-to-PCI bridge, whose
//! secondary bus number (config space offset 0x19) is the bus of the next
//! step; the last step names the device itself.

use crate::address::PciAddress;

/// Config space offset of a type 1 (bridge) header's secondary bus number.
pub const SECONDARY_BUS_OFFSET: u16 = 0x19;

/// Resolves a scope path. `secondary_bus` reads a bridge's secondary bus
/// number, or `None` when the bridge is not there (or cannot be read).
pub fn resolve(
    segment: u16,
    start_bus: u8,
    path: &[(u8, u8)],
    secondary_bus: &dyn Fn(PciAddress) -> Option<u8>,
) -> Result<PciAddress, String> {
    let Some((last, bridges)) = path.split_last() else {
        return Err("device scope has an empty path".to_string());
    };
    let at = |bus: u8, (device, function): (u8, u8)| -> Result<PciAddress, String> {
        if device > 0x1f || function > 7 {
            return Err(format!(
                "device scope path step {device:02x}.{function:x} on bus {bus:02x} is not a valid device and function"
            ));
        }
        Ok(PciAddress {
            domain: u32::from(segment),
            bus,
            device,
            function,
        })
    };
    let mut bus = start_bus;
    for &step in bridges {
        let bridge = at(bus, step)?;
        bus = secondary_bus(bridge).ok_or_else(|| {
            format!("bridge {bridge} on the device scope path is not present (cannot read its secondary bus number)")
        })?;
    }
    at(bus, *last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(bus: u8, device: u8, function: u8) -> PciAddress {
        PciAddress {
            domain: 0,
            bus,
            device,
            function,
        }
    }

    /// Root port 00:1c.4 leads to bus 3; the bridge 03:00.0 behind it leads
    /// to bus 4.
    fn bridges(a: PciAddress) -> Option<u8> {
        match (a.bus, a.device, a.function) {
            (0, 0x1c, 4) => Some(3),
            (3, 0, 0) => Some(4),
            _ => None,
        }
    }

    #[test]
    fn a_device_on_the_start_bus() {
        assert_eq!(
            resolve(0, 0, &[(0x14, 0)], &bridges).unwrap(),
            addr(0, 0x14, 0)
        );
    }

    #[test]
    fn through_one_bridge() {
        assert_eq!(
            resolve(0, 0, &[(0x1c, 4), (0, 1)], &bridges).unwrap(),
            addr(3, 0, 1)
        );
    }

    #[test]
    fn through_two_bridges() {
        let a = resolve(0, 0, &[(0x1c, 4), (0, 0), (0, 2)], &bridges).unwrap();
        assert_eq!(a, addr(4, 0, 2));
    }

    #[test]
    fn segment_becomes_the_domain() {
        let a = resolve(1, 0x80, &[(2, 0)], &|_| None).unwrap();
        assert_eq!(a.to_string(), "0001:80:02.0");
    }

    #[test]
    fn a_missing_bridge_is_named() {
        let err = resolve(0, 0, &[(0x1c, 7), (0, 0)], &bridges).unwrap_err();
        assert!(err.contains("0000:00:1c.7"), "{err}");
    }

    #[test]
    fn bad_paths_are_errors() {
        assert!(resolve(0, 0, &[], &bridges).is_err());
        assert!(resolve(0, 0, &[(0x20, 0)], &bridges).is_err());
        assert!(resolve(0, 0, &[(0, 8)], &bridges).is_err());
    }
}
