//! PCI configuration space, the bytes of a device's sysfs `config` file:
//! the extended capability list (ACS) and a bridge's secondary bus.

/// ACS capability ID (PCIe Base Specification 7.7.8).
pub const EXT_CAP_ACS: u16 = 0x000d;

/// ACS controls the kernel enables and requires for isolation
/// (drivers/pci: REQ_ACS_FLAGS): Source Validation, P2P Request Redirect,
/// P2P Completion Redirect, Upstream Forwarding.
pub const ACS_REQUIRED: [(u16, &str); 4] = [
    (0x0001, "SrcValid"),
    (0x0004, "ReqRedir"),
    (0x0008, "CmpltRedir"),
    (0x0010, "UpstreamFwd"),
];

fn u16_at(b: &[u8], off: usize) -> Option<u16> {
    Some(u16::from_le_bytes([*b.get(off)?, *b.get(off + 1)?]))
}

fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_le_bytes([
        *b.get(off)?,
        *b.get(off + 1)?,
        *b.get(off + 2)?,
        *b.get(off + 3)?,
    ]))
}

/// Offset of an extended capability, walking the list from 0x100. A config
/// file of 256 bytes (read as non-root, or a conventional device) has none.
pub fn ext_capability(config: &[u8], id: u16) -> Option<usize> {
    let mut off = 0x100;
    // Each capability takes at least 4 bytes: more steps than that is a loop.
    for _ in 0..(4096 - 0x100) / 4 {
        let header = u32_at(config, off)?;
        if header == 0 || header == 0xffff_ffff {
            return None;
        }
        if (header & 0xffff) as u16 == id {
            return Some(off);
        }
        let next = ((header >> 20) & 0xffc) as usize;
        if next < 0x100 {
            return None;
        }
        off = next;
    }
    None
}

/// SR-IOV capability ID (PCIe Base Specification 9.3.3).
pub const EXT_CAP_SRIOV: u16 = 0x0010;

/// The six VF BAR registers of the SR-IOV capability (at 0x24 in it): a
/// BAR's type bits (bit 0 I/O, bits 2:1 = 10b 64-bit) are there even when
/// the firmware gave it no address. None without the capability (a config
/// file read as non-root stops at 256 bytes).
pub fn sriov_vf_bars(config: &[u8]) -> Option<[u32; 6]> {
    let off = ext_capability(config, EXT_CAP_SRIOV)?;
    let mut regs = [0u32; 6];
    for (i, r) in regs.iter_mut().enumerate() {
        *r = u32_at(config, off + 0x24 + 4 * i)?;
    }
    Some(regs)
}

/// (capability, control) registers of the ACS capability.
pub fn acs(config: &[u8]) -> Option<(u16, u16)> {
    let off = ext_capability(config, EXT_CAP_ACS)?;
    Some((u16_at(config, off + 4)?, u16_at(config, off + 6)?))
}

/// The secondary bus number of a type 1 (bridge) header.
pub fn secondary_bus(config: &[u8]) -> Option<u8> {
    let header_type = config.get(0x0e)? & 0x7f;
    (header_type == 1)
        .then(|| config.get(0x19).copied())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::samples::captured;

    #[test]
    fn reads_a_real_root_ports_config_space() {
        // QEMU's pcie-root-port 00:03.0 as a real 6.12 kernel shows it
        // (4096 bytes, read as root): AER at 0x100, then ACS at 0x148.
        let c = captured("6.12/ready", "/sys/devices/pci0000:00/0000:00:03.0/config");
        assert_eq!(c.len(), 4096);
        assert_eq!(secondary_bus(&c), Some(1));
        assert_eq!(ext_capability(&c, 0x0001), Some(0x100));
        assert_eq!(ext_capability(&c, EXT_CAP_ACS), Some(0x148));
        let (cap, ctrl) = acs(&c).unwrap();
        assert_eq!((cap, ctrl), (0x5f, 0x1d));
        assert!(ACS_REQUIRED.iter().all(|(bit, _)| ctrl & bit != 0));
        assert_eq!(acs(&c[..256]), None, "as read without root");
    }

    fn with_ext(caps: &[(u16, usize, u16, u16)]) -> Vec<u8> {
        let mut c = vec![0u8; 4096];
        for (i, &(id, off, cap, ctrl)) in caps.iter().enumerate() {
            let next = caps.get(i + 1).map(|n| n.1).unwrap_or(0) as u32;
            let header = id as u32 | (1 << 16) | (next << 20);
            c[off..off + 4].copy_from_slice(&header.to_le_bytes());
            c[off + 4..off + 6].copy_from_slice(&cap.to_le_bytes());
            c[off + 6..off + 8].copy_from_slice(&ctrl.to_le_bytes());
        }
        c
    }

    #[test]
    fn finds_acs_along_the_list() {
        let c = with_ext(&[(0x0001, 0x100, 0, 0), (EXT_CAP_ACS, 0x150, 0x1f, 0x1d)]);
        assert_eq!(acs(&c), Some((0x1f, 0x1d)));
        assert_eq!(acs(&c[..256]), None, "no extended space");
    }

    #[test]
    fn a_looping_list_ends() {
        let mut c = vec![0u8; 4096];
        let header: u32 = 0x0001 | (1 << 16) | (0x100 << 20);
        c[0x100..0x104].copy_from_slice(&header.to_le_bytes());
        assert_eq!(ext_capability(&c, EXT_CAP_ACS), None);
    }

    #[test]
    fn secondary_bus_only_for_bridges() {
        let mut c = vec![0u8; 256];
        c[0x0e] = 0x81;
        c[0x19] = 3;
        assert_eq!(secondary_bus(&c), Some(3));
        c[0x0e] = 0x80;
        assert_eq!(secondary_bus(&c), None);
    }
}
