//! What one process holds, read from /proc/PID: the devices on its command
//! line, the VFIO groups and PCI sysfs files among its open fds, its locked
//! memory limit; and the running guests' processes.

use std::collections::{BTreeMap, BTreeSet};

use crate::address::PciAddress;
use crate::facts::{GuestFacts, Known};
use crate::hostfs::{FsError, FsErrorKind, FsResult, HostFs};

/// What one process holds, read from /proc/PID.
#[derive(Default)]
pub struct Process {
    pub comm: String,
    pub uid: Option<u32>,
    /// Groups whose /dev/vfio/N it has open, with the fd.
    pub vfio_groups: BTreeMap<u32, String>,
    /// VFIO device cdevs (/dev/vfio/devices/vfioN) it has open, by N, with
    /// the fd (kernels with CONFIG_VFIO_DEVICE_CDEV; QEMU 8+ with iommufd).
    pub vfio_cdevs: BTreeMap<u32, String>,
    /// Its fd on /dev/iommu (iommufd), if any.
    pub iommufd: Option<String>,
    /// The guest name on its QEMU command line (`-name guest=NAME` or
    /// `-name NAME`): a claim, shown beside what its open files prove.
    pub qemu_name: Option<String>,
    /// Devices whose sysfs files it has open (legacy pci-assign), with the fd.
    pub sysfs_devices: BTreeMap<PciAddress, String>,
    /// Devices its command line assigns.
    pub cmdline_devices: BTreeSet<PciAddress>,
}

/// The host addresses in a QEMU command line: `-device vfio-pci,host=…`,
/// the JSON form `-device {"driver":"vfio-pci","host":"…"}`, legacy
/// `pci-assign,host=…`.
pub fn cmdline_devices(args: &[String]) -> BTreeSet<PciAddress> {
    let mut out = BTreeSet::new();
    for pair in args.windows(2) {
        if pair[0] != "-device" {
            continue;
        }
        let arg = &pair[1];
        let host = if arg.starts_with('{') {
            serde_json::from_str::<serde_json::Value>(arg)
                .ok()
                .and_then(|v| {
                    let driver = v.get("driver")?.as_str()?;
                    (driver.contains("vfio-pci") || driver == "pci-assign")
                        .then(|| v.get("host")?.as_str().map(str::to_string))
                        .flatten()
                })
        } else {
            let mut parts = arg.split(',');
            let driver = parts.next().unwrap_or("");
            if driver.contains("vfio-pci") || driver == "pci-assign" || driver == "kvm-pci-assign" {
                parts.find_map(|p| p.strip_prefix("host=").map(str::to_string))
            } else {
                None
            }
        };
        if let Some(Ok((a, _))) = host.map(|h| PciAddress::parse(&h)) {
            out.insert(a);
        }
    }
    out
}

/// `want_fds`: whether, given what the process names on its command line,
/// its open files are worth reading too.
pub fn read_process(
    fs: &dyn HostFs,
    pid: u32,
    want_fds: impl Fn(&Process) -> bool,
) -> Result<Process, FsError> {
    let dir = format!("/proc/{pid}");
    let mut p = Process::default();
    read_identity(fs, pid, &mut p);
    if !want_fds(&p) {
        // The fd directory still tells a live process from one that ended.
        fd_table(fs, &dir, |d| fs.list_dir(d))?;
        return Ok(p);
    }
    read_fds(fs, pid, &mut p)?;
    Ok(p)
}

/// Who process `pid` is: comm, uid, and what its command line names.
/// Claims (any user can set them), read for naming and for guests.
pub fn read_identity(fs: &dyn HostFs, pid: u32, p: &mut Process) {
    let dir = format!("/proc/{pid}");
    p.comm = fs.read_text(&format!("{dir}/comm")).unwrap_or_default();
    if let Ok(status) = fs.read_text(&format!("{dir}/status")) {
        p.uid = status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|u| u.split_whitespace().nth(1).and_then(|n| n.parse().ok()));
    }
    if let Ok(bytes) = fs.read(&format!("{dir}/cmdline")) {
        let args: Vec<String> = bytes
            .split(|b| *b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        p.cmdline_devices = cmdline_devices(&args);
        p.qemu_name = qemu_name(&args);
    }
}

/// /proc/PID/fd as `read` reads it (its names, or its links). A process
/// that has ended has no directory at all; a live one always has its fd
/// directory. Anything else is an fd table that cannot be read whole: an
/// error, not "holds nothing".
fn fd_table<T>(
    fs: &dyn HostFs,
    dir: &str,
    read: impl Fn(&str) -> FsResult<T>,
) -> Result<T, FsError> {
    let fd_dir = format!("{dir}/fd");
    match read(&fd_dir) {
        Ok(fds) => Ok(fds),
        Err(e) if e.is_not_found() => match fs.exists(dir) {
            Ok(false) => Err(e),
            Ok(true) => Err(FsError::new(
                &fd_dir,
                FsErrorKind::Other("missing from a process directory that exists".into()),
            )),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    }
}

/// What the open files of process `pid` hold: VFIO groups and cdevs,
/// /dev/iommu, PCI sysfs files. Each link's target is a value: /dev/vfio/9
/// is read, never opened. Links all readable when the table is, naming a
/// path or a `type:[inode]`.
pub fn read_fds(fs: &dyn HostFs, pid: u32, p: &mut Process) -> Result<(), FsError> {
    let dir = format!("/proc/{pid}");
    for (fd, target) in fd_table(fs, &dir, |d| fs.read_links(d))? {
        let target = match target {
            Ok(t) => t,
            // Closed while we read.
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Err(e),
        };
        if !target.starts_with('/') && !target.contains(':') {
            return Err(FsError::new(
                format!("{dir}/fd/{fd}"),
                FsErrorKind::Other(format!("-> {target}: not an fd link the kernel writes")),
            ));
        }
        let how = || format!("fd {fd} -> {target}");
        if let Some(rest) = target.strip_prefix("/dev/vfio/") {
            if let Ok(g) = rest.parse() {
                p.vfio_groups.insert(g, how());
            } else if let Some(Ok(n)) = rest.strip_prefix("devices/vfio").map(str::parse) {
                p.vfio_cdevs.insert(n, how());
            }
        } else if target == "/dev/iommu" {
            p.iommufd = Some(how());
        } else if let Some(rest) = target.strip_prefix("/sys/bus/pci/devices/") {
            if let Ok(a) = rest.split('/').next().unwrap_or("").parse() {
                p.sysfs_devices.insert(a, how());
            }
        } else if target.starts_with("/sys/devices/") {
            if let Some(a) = target
                .split('/')
                .rev()
                .skip(1)
                .find_map(|c| c.parse::<PciAddress>().ok())
            {
                p.sysfs_devices.insert(a, how());
            }
        }
    }
    Ok(())
}

/// Whether the process holds any file that can hold a PCI device.
pub fn holds_any(p: &Process) -> bool {
    !p.vfio_groups.is_empty() || !p.vfio_cdevs.is_empty() || !p.sysfs_devices.is_empty()
}

/// The guest name QEMU was given: `-name guest=NAME,…` or `-name NAME`.
pub fn qemu_name(args: &[String]) -> Option<String> {
    let pair = args.windows(2).find(|w| w[0] == "-name")?;
    let first = pair[1].split(',').next().unwrap_or("");
    let name = first.strip_prefix("guest=").unwrap_or(first);
    (!name.is_empty()).then(|| name.to_string())
}

/// "Max locked memory" soft limit from /proc/PID/limits; None = unlimited.
pub fn memlock_limit(limits: &str) -> Option<Option<u64>> {
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max locked memory"))?;
    let soft = line["Max locked memory".len()..]
        .split_whitespace()
        .next()?;
    if soft == "unlimited" {
        Some(None)
    } else {
        soft.parse().ok().map(Some)
    }
}

/// The running guests' processes by pid, read once.
pub struct GuestProcesses(pub BTreeMap<u32, Process>);

/// Reads the process of every running guest, which confirms it is running
/// (a guest whose pid is gone is marked not running: a stale state file)
/// and gives its locked-memory limit. With `named` (a run with --device
/// targets), a guest's open files are read only when it names one of those
/// devices, in its state or on its command line.
pub fn read_guests(
    fs: &dyn HostFs,
    guests: &mut [GuestFacts],
    named: Option<&BTreeSet<PciAddress>>,
) -> GuestProcesses {
    let mut procs: BTreeMap<u32, Process> = BTreeMap::new();
    for g in guests.iter_mut().filter(|g| g.running) {
        let Some(pid) = g.pid else { continue };
        let want_fds = |p: &Process| match named {
            None => true,
            Some(named) => {
                g.hostdevs
                    .iter()
                    .any(|h| h.parse().is_ok_and(|a: PciAddress| named.contains(&a)))
                    || p.cmdline_devices.iter().any(|a| named.contains(a))
            }
        };
        match read_process(fs, pid, want_fds) {
            Ok(p) => {
                g.memlock_bytes = match fs.read_text(&format!("/proc/{pid}/limits")) {
                    Ok(t) => memlock_limit(&t).map(Known::Value).unwrap_or_else(|| {
                        Known::unknown(format!("/proc/{pid}/limits has no Max locked memory line"))
                    }),
                    Err(e) => Known::unknown(e.to_string()),
                };
                procs.insert(pid, p);
            }
            Err(e) if e.is_not_found() => {
                g.running = false;
                g.memlock_bytes = Known::unknown(format!(
                    "{}: pid {pid} is gone (a stale state file)",
                    g.source
                ));
            }
            Err(e) => g.memlock_bytes = Known::unknown(e.to_string()),
        }
    }
    GuestProcesses(procs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &[&str]) -> Vec<String> {
        s.iter().map(|a| a.to_string()).collect()
    }

    #[test]
    fn finds_assigned_devices_in_every_qemu_form() {
        let a = cmdline_devices(&args(&[
            "qemu-kvm",
            "-device",
            r#"{"driver":"vfio-pci","host":"0000:03:10.0","id":"hostdev0"}"#,
            "-device",
            "vfio-pci,host=03:10.1,id=hostdev1",
            "-device",
            "pci-assign,host=04:00.0,id=hostdev2,configfd=25",
            "-device",
            "virtio-net-pci,netdev=n0",
        ]));
        let got: Vec<String> = a.iter().map(|a| a.to_string()).collect();
        assert_eq!(got, ["0000:03:10.0", "0000:03:10.1", "0000:04:00.0"]);
    }

    #[test]
    fn reads_the_locked_memory_limit() {
        let t = "Limit                     Soft Limit           Hard Limit           Units     \nMax locked memory         4294967296           4294967296           bytes     \n";
        assert_eq!(memlock_limit(t), Some(Some(4294967296)));
        let t = "Max locked memory         unlimited            unlimited            bytes\n";
        assert_eq!(memlock_limit(t), Some(None));
    }
}
