//! What one process holds, read from /proc/PID: the devices on its command
//! line, the VFIO groups and PCI sysfs files among its open fds, its locked
//! memory limit; and the running guests' processes.

use std::collections::{BTreeMap, BTreeSet};

use crate::address::PciAddress;
use crate::facts::{GuestFacts, Known};
use crate::formats::proc_fd::{self, FdTarget};
use crate::formats::proc_limits::memlock_limit;
use crate::formats::proc_status;
use crate::formats::qemu_cmdline::{self, cmdline_devices, qemu_name};
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
    /// The Proxmox VM id on its command line (`-id N`, which qemu-server
    /// passes to kvm): a claim, like `qemu_name`.
    pub qemu_vmid: Option<u32>,
    /// Devices whose sysfs files it has open (legacy pci-assign), with the fd.
    pub sysfs_devices: BTreeMap<PciAddress, String>,
    /// Devices its command line assigns.
    pub cmdline_devices: BTreeSet<PciAddress>,
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
        p.uid = proc_status::effective_uid(&status);
    }
    if let Ok(bytes) = fs.read(&format!("{dir}/cmdline")) {
        let args = qemu_cmdline::args(&bytes);
        p.cmdline_devices = cmdline_devices(&args);
        p.qemu_name = qemu_name(&args);
        p.qemu_vmid = qemu_cmdline::pve_vmid(&args);
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
        let how = || format!("fd {fd} -> {target}");
        match proc_fd::classify(&target) {
            FdTarget::Invalid => {
                return Err(FsError::new(
                    format!("{dir}/fd/{fd}"),
                    FsErrorKind::Other(format!("-> {target}: not an fd link the kernel writes")),
                ));
            }
            FdTarget::VfioGroup(g) => {
                p.vfio_groups.insert(g, how());
            }
            FdTarget::VfioCdev(n) => {
                p.vfio_cdevs.insert(n, how());
            }
            FdTarget::Iommufd => p.iommufd = Some(how()),
            FdTarget::SysfsDevice(a) => {
                p.sysfs_devices.insert(a, how());
            }
            FdTarget::Other => {}
        }
    }
    Ok(())
}

/// Whether the process holds any file that can hold a PCI device.
pub fn holds_any(p: &Process) -> bool {
    !p.vfio_groups.is_empty() || !p.vfio_cdevs.is_empty() || !p.sysfs_devices.is_empty()
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
