//! What holds a device's memory BARs besides VFIO and its own driver
//! (/proc/iomem), whether vfio-pci would remove the firmware's console
//! from it, and the kernel log lines saying a BAR could not be reserved:
//! device.bar-claimed.

use crate::facts::{
    BarClaim, BarClaimFacts, DeviceFacts, DeviceKind, DriverRole, KernelLogFacts, Known,
};
use crate::formats::kernel_log::naming;
use crate::formats::{kernel_release, proc_iomem};
use crate::hostfs::HostFs;

/// At most this many log lines are kept per device, the latest.
const LOG_LINES: usize = 5;

pub const IOMEM: &str = "/proc/iomem";

/// Whether this kernel's vfio-pci removes the firmware console from a VGA
/// device it binds: Linux 6.0 and later. A RHEL-family kernel older than
/// that cannot be told (Red Hat backports VFIO changes): None.
fn removes_console(release: &str) -> Option<bool> {
    let (major, minor) = kernel_release::version(release)?;
    if (major, minor) >= (6, 0) {
        Some(true)
    } else if release.contains(".el") {
        None
    } else {
        Some(false)
    }
}

/// The facts of one device from the parsed file.
fn claims(
    ranges: Option<&proc_iomem::DeviceRanges>,
    d: &DeviceFacts,
    release: Option<&str>,
    log: Option<(&str, &[String])>,
) -> BarClaimFacts {
    let address = d.address.to_string();
    let driver = d.driver.value().cloned().flatten();
    let on_host_driver = matches!(d.driver_role.value(), Some(DriverRole::Host));
    let none = proc_iomem::DeviceRanges::default();
    let ranges = ranges.unwrap_or(&none);
    let inner = &ranges.inner;
    let mut shown: Vec<String> = Vec::new();
    let mut claims = Vec::new();
    for i in inner {
        shown.push(format!("{} holds {} {}", i.bar, i.holder, i.range));
        let console = proc_iomem::is_console(&i.holder);
        let own = proc_iomem::is_vfio(&i.holder)
            || driver
                .as_deref()
                .is_some_and(|drv| proc_iomem::is_driver(&i.holder, drv));
        if console || (!own && !on_host_driver) {
            claims.push(BarClaim {
                bar: i.bar.clone(),
                range: i.range.clone(),
                holder: i.holder.clone(),
                console,
            });
        }
    }
    if ranges.bars.is_empty() {
        shown.push(format!("no range named {address}"));
    } else if inner.is_empty() {
        shown.push(format!("{}: nothing inside", ranges.bars.join(", ")));
    }
    let vga = d
        .class
        .value()
        .map(|c| c.trim().trim_start_matches("0x").starts_with("0300"));
    let vfio_removes_console = match vga {
        Some(false) => Some(false),
        Some(true) => release.and_then(removes_console),
        None => None,
    };
    let cant_reserve = match log {
        Some((_, lines)) => {
            let mut v: Vec<String> = naming(lines, &address)
                .filter(|l| proc_iomem::cant_reserve(l))
                .cloned()
                .collect();
            let over = v.len().saturating_sub(LOG_LINES);
            v.drain(..over);
            v
        }
        None => Vec::new(),
    };
    BarClaimFacts {
        claims,
        vfio_removes_console,
        cant_reserve,
        log_source: log.map(|(s, _)| s.to_string()),
        shown,
    }
}

/// Why the file's entries cannot tell what holds a device's BARs (the
/// check is then a skip, never a pass): no range at all, addresses hidden
/// from a reader without privilege, or no range named by a PCI device (a
/// file cut short, or not this host's). `devices`: how many devices the
/// file names.
fn unusable(entries: &[proc_iomem::Entry], devices: usize) -> Option<String> {
    if entries.is_empty() {
        Some(format!("{IOMEM} lists no address range"))
    } else if proc_iomem::addresses_hidden(entries) {
        Some(format!(
            "{IOMEM} shows every address as zero: the kernel hides them from a reader without CAP_SYS_ADMIN (run as root)"
        ))
    } else if devices == 0 {
        Some(format!(
            "{IOMEM} names no PCI device's range (cut short, or not this host's)"
        ))
    } else {
        None
    }
}

/// Reads /proc/iomem once and the bar claims of the VFs and the --device
/// targets.
pub fn probe(
    fs: &dyn HostFs,
    devices: &mut [DeviceFacts],
    release: &Known<String>,
    log: &Known<KernelLogFacts>,
) {
    if !devices.iter().any(|d| d.kind == DeviceKind::Vf || d.target) {
        return;
    }
    let entries = fs
        .read_text(IOMEM)
        .map(|text| proc_iomem::entries(&text))
        .map_err(|e| e.to_string());
    let index = entries.as_ref().map_err(String::clone).and_then(|e| {
        let by = proc_iomem::by_device(e);
        match unusable(e, by.len()) {
            Some(why) => Err(why),
            None => Ok(by),
        }
    });
    let release = release.value().map(String::as_str);
    let lines = log.value().map(|l| (l.source.as_str(), l.lines.as_slice()));
    for d in devices.iter_mut() {
        if d.kind == DeviceKind::Vf || d.target {
            d.bar_claims = match &index {
                Ok(by) => {
                    let address = d.address.to_string();
                    Known::Value(claims(by.get(address.as_str()), d, release, lines))
                }
                Err(why) => Known::unknown(why.to_string()),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_cannot_tell_is_a_reason_to_skip() {
        let named = |t: &str| {
            let e = proc_iomem::entries(t);
            let n = proc_iomem::by_device(&e).len();
            unusable(&e, n)
        };
        assert!(named("").unwrap().contains("no address range"));
        assert!(named("00000000-00000000 : 0000:00:02.0\n")
            .unwrap()
            .contains("CAP_SYS_ADMIN"));
        assert!(named("00001000-0009ffff : System RAM\n")
            .unwrap()
            .contains("no PCI device"));
        assert_eq!(named("fd000000-fdffffff : 0000:00:02.0\n"), None);
    }

    #[test]
    fn knows_which_kernels_remove_the_console() {
        assert_eq!(removes_console("6.1.0-57-amd64"), Some(true));
        assert_eq!(removes_console("6.0.0"), Some(true));
        assert_eq!(removes_console("5.15.0-91-generic"), Some(false));
        assert_eq!(removes_console("5.15.131-2-pve"), Some(false));
        assert_eq!(removes_console("5.14.0-427.13.1.el9_4.x86_64"), None);
        assert_eq!(removes_console("garbage"), None);
    }
}
