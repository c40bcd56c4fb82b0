//! The targets of /proc/PID/fd links: a path, or `type:[inode]` (pipes,
//! sockets, anon inodes); and what such a target says a process holds.

use crate::address::PciAddress;

/// What an open file is, as far as holding a PCI device goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FdTarget {
    /// /dev/vfio/N: VFIO group N.
    VfioGroup(u32),
    /// /dev/vfio/devices/vfioN: a VFIO device cdev.
    VfioCdev(u32),
    /// /dev/iommu: an iommufd.
    Iommufd,
    /// A file of the device's sysfs directory (legacy pci-assign).
    SysfsDevice(PciAddress),
    /// Anything else a process may have open.
    Other,
    /// Neither an absolute path nor a `type:[inode]`: not a link the
    /// kernel writes.
    Invalid,
}

/// What the target of one fd link is.
pub fn classify(target: &str) -> FdTarget {
    if !target.starts_with('/') && !target.contains(':') {
        return FdTarget::Invalid;
    }
    if let Some(rest) = target.strip_prefix("/dev/vfio/") {
        if let Ok(g) = rest.parse() {
            return FdTarget::VfioGroup(g);
        } else if let Some(Ok(n)) = rest.strip_prefix("devices/vfio").map(str::parse) {
            return FdTarget::VfioCdev(n);
        }
    } else if target == "/dev/iommu" {
        return FdTarget::Iommufd;
    } else if let Some(rest) = target.strip_prefix("/sys/bus/pci/devices/") {
        if let Ok(a) = rest.split('/').next().unwrap_or("").parse() {
            return FdTarget::SysfsDevice(a);
        }
    } else if target.starts_with("/sys/devices/") {
        if let Some(a) = target
            .split('/')
            .rev()
            .skip(1)
            .find_map(|c| c.parse::<PciAddress>().ok())
        {
            return FdTarget::SysfsDevice(a);
        }
    }
    FdTarget::Other
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::samples::{captured, captured_holder_pid};

    #[test]
    fn reads_a_real_vfio_holders_links() {
        // A process holding VFIO group 5 on a real 6.1 kernel: fd 3 is the
        // group, fd 4 the container.
        let target = |fd: u32| {
            let pid = captured_holder_pid("6.1/hold-device");
            let t = captured("6.1/hold-device", &format!("/proc/{pid}/fd/{fd}"));
            String::from_utf8(t).unwrap()
        };
        assert_eq!(classify(&target(3)), FdTarget::VfioGroup(5));
        assert_eq!(classify(&target(4)), FdTarget::Other);
    }

    #[test]
    fn every_kind_of_target() {
        let a: PciAddress = "0000:03:10.0".parse().unwrap();
        assert_eq!(classify("/dev/vfio/devices/vfio0"), FdTarget::VfioCdev(0));
        assert_eq!(classify("/dev/iommu"), FdTarget::Iommufd);
        assert_eq!(
            classify("/sys/bus/pci/devices/0000:03:10.0/resource0"),
            FdTarget::SysfsDevice(a)
        );
        assert_eq!(
            classify("/sys/devices/pci0000:00/0000:00:01.0/0000:03:10.0/config"),
            FdTarget::SysfsDevice(a)
        );
        assert_eq!(classify("anon_inode:[eventfd]"), FdTarget::Other);
        assert_eq!(classify("/dev/null"), FdTarget::Other);
        assert_eq!(classify("vfio"), FdTarget::Invalid);
    }
}
