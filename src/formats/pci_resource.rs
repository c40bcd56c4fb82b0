//! A PCI device's sysfs `resource` file: one line per resource,
//! `0xSTART 0xEND 0xFLAGS`. Lines 0–5 are the BARs, 6 the expansion ROM,
//! 7–12 the SR-IOV VF BARs (the IOV resources, each covering that BAR of
//! every VF), then a bridge's windows.

/// The kernel's resource flags (include/linux/ioport.h).
pub const IORESOURCE_IO: u64 = 0x0000_0100;
pub const IORESOURCE_MEM: u64 = 0x0000_0200;
pub const IORESOURCE_MEM_64: u64 = 0x0010_0000;
pub const IORESOURCE_UNSET: u64 = 0x2000_0000;

/// The first IOV resource (PCI_IOV_RESOURCES) and how many there are.
pub const IOV_FIRST: usize = 7;
pub const IOV_COUNT: usize = 6;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resource {
    pub start: u64,
    pub end: u64,
    pub flags: u64,
}

impl Resource {
    /// The kernel gave it address space: an address, and not marked unset
    /// (a resource that failed assignment reads `0 0 0`, or on newer
    /// kernels keeps its size with IORESOURCE_UNSET).
    pub fn assigned(&self) -> bool {
        (self.start != 0 || self.end != 0) && self.flags & IORESOURCE_UNSET == 0
    }

    /// Bytes it spans (0 for an empty line).
    pub fn size(&self) -> u64 {
        if self.end > self.start {
            self.end - self.start + 1
        } else {
            0
        }
    }
}

fn hex(s: &str) -> Option<u64> {
    u64::from_str_radix(s.strip_prefix("0x").unwrap_or(s), 16).ok()
}

/// Every line, in order; None if any line is not three hex numbers.
pub fn parse(text: &str) -> Option<Vec<Resource>> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut f = l.split_whitespace();
            let r = Resource {
                start: hex(f.next()?)?,
                end: hex(f.next()?)?,
                flags: hex(f.next()?)?,
            };
            f.next().is_none().then_some(r)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_pfs_resource_file() {
        // An 82576 PF as the kernel shows it: BARs 0, 1, 2 (I/O) and 3, the
        // ROM, VF BARs 0 and 3 (lines 7 and 10, 64-bit, 8 VFs × 16 KiB).
        let text = "\
0x00000000fbe20000 0x00000000fbe3ffff 0x0000000000040200
0x00000000fb800000 0x00000000fbbfffff 0x0000000000040200
0x000000000000e020 0x000000000000e03f 0x0000000000040101
0x00000000fbe44000 0x00000000fbe47fff 0x0000000000040200
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x00000000fbd00000 0x00000000fbd1ffff 0x0000000000140204
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x00000000fbd20000 0x00000000fbd3ffff 0x0000000000140204
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000000000000000 0x0000000000000000 0x0000000000000000
";
        let r = parse(text).unwrap();
        assert_eq!(r.len(), 13);
        assert!(r[IOV_FIRST].assigned());
        assert_eq!(r[IOV_FIRST].size(), 0x20000);
        assert!(r[IOV_FIRST].flags & IORESOURCE_MEM_64 != 0);
        assert!(!r[IOV_FIRST + 1].assigned());
        assert_eq!(parse("0x1 0x2\n"), None);
        assert_eq!(parse("zz 0x2 0x3\n"), None);
        let unset = Resource {
            start: 0,
            end: 0x1ffff,
            flags: IORESOURCE_MEM | IORESOURCE_UNSET,
        };
        assert!(!unset.assigned());
    }
}
