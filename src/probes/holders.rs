//! Who holds a device: every process whose open files hold it (its VFIO
//! group file, its VFIO cdev, or for legacy assignment its sysfs config or
//! resource files), and every running libvirt guest whose live state (which
//! only root can write) names it. A command line is a claim any user can
//! make: it names a guest, it never makes a holder. The `enable` count is
//! no guide either: a process holding only the group file leaves it at 0.
//! So whenever a VF or target is bound to a VFIO or stub driver, every
//! process's fds are read, on all cores. (Reading a process is in
//! `processes`.)

use std::collections::{BTreeMap, HashMap};

use crate::facts::{
    DeviceFacts, DeviceKind, DriverRole, GuestFacts, GuestKind, Holder, Known, ProcessScan,
};
use crate::hostfs::HostFs;

use super::guest_memory;
use super::processes::{holds_any, read_fds, read_guests, read_identity, GuestProcesses, Process};

/// The fd evidence that `p` holds `d`: its group file, its cdev, its sysfs files.
fn holds(p: &Process, d: &DeviceFacts, cdev: Option<u32>) -> Vec<String> {
    let mut how = Vec::new();
    if let Some(Some(g)) = d.iommu_group.value() {
        if let Some(fd) = p.vfio_groups.get(g) {
            how.push(fd.clone());
        }
    }
    if let Some(fd) = cdev.and_then(|n| p.vfio_cdevs.get(&n)) {
        how.push(fd.clone());
        if let Some(fd) = &p.iommufd {
            how.push(fd.clone());
        }
    }
    if let Some(fd) = p.sysfs_devices.get(&d.address) {
        how.push(fd.clone());
    }
    how
}

/// Whether open files can hold `d`: it is on a VFIO or stub driver (or its
/// driver is unknown).
fn holdable(d: &DeviceFacts) -> bool {
    d.driver_role.value().is_none_or(|r| r.sets_aside())
}

/// The N of the VFIO cdev /dev/vfio/devices/vfioN of a device bound to a
/// VFIO driver, from /sys/bus/pci/devices/ADDR/vfio-dev/vfioN (kernels with
/// CONFIG_VFIO_DEVICE_CDEV); None without one.
fn cdev_of(fs: &dyn HostFs, d: &DeviceFacts) -> Option<u32> {
    if d.driver_role.value() != Some(&DriverRole::Vfio) {
        return None;
    }
    let names = fs
        .list_dir(&format!("/sys/bus/pci/devices/{}/vfio-dev", d.address))
        .ok()?;
    names
        .iter()
        .find_map(|n| n.strip_prefix("vfio").and_then(|n| n.parse().ok()))
}

/// What reading every other process found: the processes that hold
/// anything, how many were read, and the first error with how many failed.
struct Scan {
    found: BTreeMap<u32, Process>,
    read: usize,
    unreadable: usize,
    first_error: Option<String>,
}

/// Reads the fds of every process in /proc but `skip`, side by side;
/// identity (comm, uid, command line) only for those that hold something.
fn scan_all(fs: &dyn HostFs, skip: &BTreeMap<u32, Process>) -> Result<Scan, String> {
    let pids: Vec<u32> = fs
        .list_dir("/proc")
        .map_err(|e| e.to_string())?
        .iter()
        .filter_map(|e| e.parse::<u32>().ok())
        .filter(|pid| !skip.contains_key(pid))
        .collect();
    let results = crate::par::map(&pids, 256, |&pid| {
        let mut p = Process::default();
        match read_fds(fs, pid, &mut p) {
            Ok(()) if holds_any(&p) => {
                read_identity(fs, pid, &mut p);
                Ok(Some(p))
            }
            Ok(()) => Ok(None),
            // A process that ended while we read is no holder.
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    });
    let mut scan = Scan {
        found: BTreeMap::new(),
        read: pids.len(),
        unreadable: 0,
        first_error: None,
    };
    for (pid, r) in pids.into_iter().zip(results) {
        match r {
            Ok(Some(p)) => {
                scan.found.insert(pid, p);
            }
            Ok(None) => {}
            Err(e) => {
                scan.unreadable += 1;
                scan.first_error.get_or_insert(e);
            }
        }
    }
    Ok(scan)
}

/// Fills `holders`, `defined_in` and `memlock` for the devices that may be
/// assigned; returns what the process scan did.
/// `guest_processes`: the running guests' processes when they were read
/// already (a run without targets reads them beside the devices).
pub fn probe(
    fs: &dyn HostFs,
    devices: &mut [DeviceFacts],
    guests: &mut Known<Vec<GuestFacts>>,
    guest_processes: Option<GuestProcesses>,
) -> ProcessScan {
    let subjects: Vec<usize> = (0..devices.len())
        .filter(|&i| devices[i].kind == DeviceKind::Vf || devices[i].target)
        .collect();
    let guest_list = match guests {
        Known::Value(g) => g,
        Known::Unknown(r) => {
            let r = r.clone();
            for &i in &subjects {
                devices[i].holders = Known::unknown(format!("guests unknown: {r}"));
                // Which guest uses it, and with what limit, is as unknown.
                devices[i].memlock = Known::unknown(format!("guests unknown: {r}"));
                devices[i].guest_ram = Known::unknown(format!("guests unknown: {r}"));
            }
            return ProcessScan {
                needed: false,
                scanned: 0,
                note: format!("not run: {r}"),
            };
        }
    };
    let needed = subjects.iter().any(|&i| holdable(&devices[i]));
    // The running guests' processes, every one with its fds: they are
    // processes like any other for the scan below.
    let mut procs = match guest_processes {
        Some(procs) => procs.0,
        None => read_guests(fs, guest_list, None).0,
    };
    let mut scan = ProcessScan {
        needed,
        scanned: 0,
        note: "not needed: no VF or target is bound to a VFIO or stub driver, so no open file can hold one".to_string(),
    };
    // Why an empty holder list is not known to be empty.
    let mut doubt: Option<String> = None;
    if needed {
        match scan_all(fs, &procs) {
            Ok(s) => {
                scan.scanned = s.read + procs.len();
                scan.note = format!("read the open files of {} processes", scan.scanned);
                if let Some(e) = s.first_error {
                    doubt = Some(format!(
                        "the open files of {} of {} processes could not be read ({e})",
                        s.unreadable, scan.scanned
                    ));
                    scan.note = format!("{}; {}", scan.note, doubt.as_deref().unwrap_or(""));
                }
                procs.extend(s.found);
            }
            Err(e) => {
                doubt = Some(format!("cannot list the processes: {e}"));
                scan.note = format!("not run: {e}");
            }
        }
    }
    // The guests that name each device, in their order.
    let guest_list: &[GuestFacts] = guest_list;
    let mut naming: HashMap<&str, Vec<&GuestFacts>> = HashMap::new();
    for g in guest_list {
        for h in &g.hostdevs {
            let named = naming.entry(h.as_str()).or_default();
            if !named.last().is_some_and(|last| std::ptr::eq(*last, g)) {
                named.push(g);
            }
        }
    }
    // Which processes may hold what, so that a device is matched against
    // those few (no devices × processes step): by group, cdev and address
    // from their fds, and the running guests by pid and by what they name.
    let mut by_group: HashMap<u32, Vec<u32>> = HashMap::new();
    let mut by_cdev: HashMap<u32, Vec<u32>> = HashMap::new();
    let mut by_address: HashMap<String, Vec<u32>> = HashMap::new();
    for (&pid, p) in &procs {
        for g in p.vfio_groups.keys() {
            by_group.entry(*g).or_default().push(pid);
        }
        for n in p.vfio_cdevs.keys() {
            by_cdev.entry(*n).or_default().push(pid);
        }
        for a in p.sysfs_devices.keys() {
            by_address.entry(a.to_string()).or_default().push(pid);
        }
    }
    let mut running: HashMap<u32, &GuestFacts> = HashMap::new();
    for g in guest_list.iter().filter(|g| g.running) {
        if let Some(pid) = g.pid {
            running.entry(pid).or_insert(g);
            if procs.contains_key(&pid) {
                for h in g.hostdevs.iter().chain(&g.reserved) {
                    by_address.entry(h.clone()).or_default().push(pid);
                }
            }
        }
    }
    for &i in &subjects {
        let d = &devices[i];
        let addr = d.address.to_string();
        let cdev = if needed { cdev_of(fs, d) } else { None };
        let mut candidates: Vec<u32> = Vec::new();
        if let Some(Some(g)) = d.iommu_group.value() {
            candidates.extend(by_group.get(g).into_iter().flatten());
        }
        if let Some(n) = cdev {
            candidates.extend(by_cdev.get(&n).into_iter().flatten());
        }
        candidates.extend(by_address.get(&addr).into_iter().flatten());
        candidates.sort_unstable();
        candidates.dedup();
        let mut holders = Vec::new();
        for pid in candidates {
            let Some(p) = procs.get(&pid) else { continue };
            let guest = running.get(&pid).copied();
            let mut how = holds(p, d, cdev);
            // libvirt's live state, and a running Proxmox VM's configuration
            // (root's files both): it holds what it names.
            if let Some(g) = guest.filter(|g| g.reserved.contains(&addr)) {
                how.insert(
                    0,
                    format!(
                        "qemu-server reservation {} (VMID {} pid {pid})",
                        crate::probes::guests::PVE_RESERVATIONS,
                        g.vmid.map_or_else(|| "?".to_string(), |v| v.to_string())
                    ),
                );
            }
            if let Some(g) = guest.filter(|g| g.hostdevs.contains(&addr)) {
                let said = match g.kind {
                    GuestKind::Proxmox => format!("Proxmox VM config {}", g.source),
                    _ => format!("libvirt state {}", g.source),
                };
                how.insert(0, said);
            }
            if how.is_empty() {
                continue;
            }
            holders.push(Holder {
                pid,
                comm: p.comm.clone(),
                uid: p.uid,
                domain: guest
                    .map(|g| g.name.clone())
                    .or_else(|| p.qemu_name.clone()),
                vmid: guest.and_then(|g| g.vmid).or(p.qemu_vmid),
                how,
            });
        }
        // Without its driver or IOMMU group, a process's /dev/vfio/N fd
        // cannot be told to hold the device, so "nobody holds it" is unknown.
        let unrecognizable = match (&d.driver_role, &d.iommu_group) {
            (Known::Unknown(r), _) | (_, Known::Unknown(r)) => Some(r.clone()),
            _ => None,
        };
        let doubt_here = holdable(d).then(|| doubt.clone()).flatten();
        devices[i].holders = match (holders.is_empty(), doubt_here, unrecognizable) {
            (true, Some(why), _) => Known::unknown(format!(
                "{addr} is bound to {} and no holder was found, but {why}",
                d.driver
                    .value()
                    .cloned()
                    .flatten()
                    .unwrap_or_else(|| "a VFIO driver".into())
            )),
            (true, None, Some(r)) if holdable(d) => Known::unknown(format!(
                "{addr} may be held, and its holders cannot be recognized: {r}"
            )),
            _ => Known::Value(holders),
        };
        // Every guest definition that names the device, running or not, once
        // per guest (a running libvirt guest has a state file and usually a
        // persistent definition).
        let named_by = naming.get(addr.as_str()).map_or(&[][..], Vec::as_slice);
        let mut defined: BTreeMap<(GuestKind, String), String> = BTreeMap::new();
        for g in named_by {
            defined
                .entry((g.kind, g.name.clone()))
                .or_insert_with(|| format!("{} ({})", g.name, g.source));
        }
        devices[i].defined_in = defined.into_values().collect();
        devices[i].memlock = Known::Value(guest_memory::memlock(named_by, &addr));
        devices[i].guest_ram = Known::Value(guest_memory::guest_ram(named_by, &addr));
    }
    scan
}
