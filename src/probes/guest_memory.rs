//! The memory of the guest that uses (or is defined to use) a device: what
//! VFIO pins against its locked-memory limit (`memlock`), and how far its
//! RAM reaches in guest-physical address space (`guest_ram`), which the
//! IOMMU in front of the device must be able to map.

use crate::facts::{GuestFacts, GuestKind, GuestRamFacts, Known, MemlockFacts};

/// The memory a guest that uses this device pins, against the limit that
/// applies: the running holder's actual limit, or what libvirt will set.
/// `guests` are those that name the device, in their order.
pub fn memlock(guests: &[&GuestFacts], addr: &str) -> Option<MemlockFacts> {
    let g = guests
        .iter()
        // Legacy KVM assignment pins guest memory without RLIMIT_MEMLOCK;
        // the limit matters for VFIO only.
        .filter(|g| {
            g.kind == GuestKind::Libvirt
                && g.hostdevs.iter().any(|h| h == addr)
                && !g.legacy_hostdevs.iter().any(|h| h == addr)
        })
        .max_by_key(|g| g.running)?;
    let memory = g.memory_kib? * 1024;
    // libvirt: the <memtune> hard_limit if set, else guest memory + 1 GiB.
    let planned = g
        .hard_limit_kib
        .map(|h| h * 1024)
        .unwrap_or(memory + (1 << 30));
    let (limit, source) = if g.running {
        match &g.memlock_bytes {
            Known::Value(v) => (*v, format!("/proc/{}/limits", g.pid.unwrap_or(0))),
            Known::Unknown(_) => (
                Some(planned),
                "libvirt's rule (the process limits were unreadable)".to_string(),
            ),
        }
    } else {
        (
            Some(planned),
            if g.hard_limit_kib.is_some() {
                "<memtune><hard_limit> in the domain XML".to_string()
            } else {
                "libvirt's default for VFIO (memory + 1 GiB)".to_string()
            },
        )
    };
    Some(MemlockFacts {
        domain: g.name.clone(),
        running: g.running,
        memory_bytes: memory,
        memory: human(Some(memory)),
        limit_bytes: limit,
        limit: human(limit),
        limit_source: source,
    })
}

/// The RAM of the QEMU guest that uses this device, libvirt's or Proxmox's
/// (xl guests are left out: under Xen the hypervisor owns the IOMMU and
/// dom0 sees no remapping unit). Among several guests that name the
/// device, a running one, else the one with the most memory: the worst
/// case of those that may start with it.
pub fn guest_ram(guests: &[&GuestFacts], addr: &str) -> Option<GuestRamFacts> {
    let g = guests
        .iter()
        .filter(|g| {
            matches!(g.kind, GuestKind::Libvirt | GuestKind::Proxmox)
                && g.memory_kib.is_some()
                && (g.hostdevs.iter().any(|h| h == addr) || g.reserved.iter().any(|h| h == addr))
        })
        .max_by_key(|g| (g.running, g.memory_kib))?;
    let memory = g.memory_kib? * 1024;
    let top = ram_top(memory);
    Some(GuestRamFacts {
        domain: g.name.clone(),
        kind: g.kind,
        vmid: g.vmid,
        running: g.running,
        memory_bytes: memory,
        memory: human(Some(memory)),
        ram_top_bytes: top,
        ram_top: human(Some(top)),
        source: g.source.clone(),
    })
}

/// The highest guest-physical address of a guest's RAM on QEMU's x86
/// machines: below 4 GiB they keep at most 2 GiB (q35: 2 GiB once RAM
/// reaches 2.75 GiB; pc: 3 GiB once it reaches 3.5 GiB) and put the rest
/// from 4 GiB up, so the top is memory + 2 GiB at most. Devices' 64-bit
/// windows and hotplugged memory sit above it, so this is a lower bound of
/// what VFIO maps.
pub fn ram_top(memory: u64) -> u64 {
    if memory > 2 << 30 {
        memory.saturating_add(2 << 30)
    } else {
        memory
    }
}

/// 256 TiB, 8 GiB, 512 MiB, 65536 bytes; unlimited for None.
pub fn human(bytes: Option<u64>) -> String {
    match bytes {
        None => "unlimited".to_string(),
        Some(b) if b >= 1 << 40 && b % (1 << 40) == 0 => format!("{} TiB", b >> 40),
        Some(b) if b >= 1 << 30 && b % (1 << 30) == 0 => format!("{} GiB", b >> 30),
        Some(b) if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        Some(b) => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guest(kind: GuestKind, name: &str, mib: u64, running: bool, dev: &str) -> GuestFacts {
        GuestFacts {
            name: name.to_string(),
            kind,
            running,
            pid: None,
            source: format!("/etc/{name}"),
            vmid: (kind == GuestKind::Proxmox).then_some(101),
            memory_kib: Some(mib * 1024),
            hard_limit_kib: None,
            hostdevs: vec![dev.to_string()],
            reserved: Vec::new(),
            legacy_hostdevs: Vec::new(),
            memlock_bytes: Known::unknown("not running"),
        }
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human(None), "unlimited");
        assert_eq!(human(Some(8 << 30)), "8 GiB");
        assert_eq!(human(Some(1 << 48)), "256 TiB");
        assert_eq!(human(Some(1 << 39)), "512 GiB");
        assert_eq!(human(Some(512 << 20)), "512 MiB");
        assert_eq!(human(Some(65536)), "65536 bytes");
    }

    #[test]
    fn ram_above_2_gib_moves_above_4_gib() {
        assert_eq!(ram_top(1 << 30), 1 << 30);
        assert_eq!(ram_top(8 << 30), 10 << 30);
        assert_eq!(ram_top(u64::MAX), u64::MAX);
    }

    #[test]
    fn the_guest_ram_is_the_running_guest_s_else_the_largest() {
        let dev = "0000:03:10.0";
        let small = guest(GuestKind::Libvirt, "small", 4096, false, dev);
        let big = guest(GuestKind::Proxmox, "VMID 101 (big)", 655_360, false, dev);
        let running = guest(GuestKind::Libvirt, "live", 2048, true, dev);
        let xl = guest(GuestKind::Xl, "xen", 1 << 20, true, dev);
        let r = guest_ram(&[&small, &big], dev).unwrap();
        assert_eq!((r.domain.as_str(), r.vmid), ("VMID 101 (big)", Some(101)));
        assert_eq!(r.ram_top, "642 GiB");
        let r = guest_ram(&[&small, &big, &running], dev).unwrap();
        assert_eq!((r.domain.as_str(), r.ram_top.as_str()), ("live", "2 GiB"));
        // An xl guest's memory is Xen's business, not dom0's IOMMU's.
        assert!(guest_ram(&[&xl], dev).is_none());
        // Nor is a guest that does not name this device.
        assert!(guest_ram(&[&small], "0000:03:10.1").is_none());
        // Only libvirt's VFIO guests have a locked-memory limit to check.
        assert!(memlock(&[&big], dev).is_none());
        assert_eq!(memlock(&[&small], dev).unwrap().limit, "5 GiB");
    }
}
