//! Who holds a device: running libvirt guests (state files and their QEMU
//! command lines), confirmed by the holders' own fd tables; every process's
//! fds are read only for opened devices nothing else explains. (Reading a
//! process is in `processes`.)

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::address::PciAddress;
use crate::facts::{DeviceFacts, GuestFacts, Holder, Known, MemlockFacts, ProcessScan};
use crate::hostfs::HostFs;

use super::processes::{read_guests, read_process, GuestProcesses, Process};

/// The processes that may hold a device, by IOMMU group and by address:
/// a device is matched against these few, not against every process read.
#[derive(Default)]
struct ProcessIndex {
    by_group: HashMap<u32, Vec<u32>>,
    by_address: HashMap<PciAddress, Vec<u32>>,
}

impl ProcessIndex {
    fn add(&mut self, pid: u32, p: &Process) {
        for g in p.vfio_groups.keys() {
            self.by_group.entry(*g).or_default().push(pid);
        }
        for a in p.sysfs_devices.keys().chain(&p.cmdline_devices) {
            self.by_address.entry(*a).or_default().push(pid);
        }
    }

    /// The pids that may hold `d`, ascending, each once.
    fn candidates(&self, d: &DeviceFacts) -> Vec<u32> {
        let mut pids = Vec::new();
        if let Some(Some(g)) = d.iommu_group.value() {
            pids.extend(self.by_group.get(g).into_iter().flatten());
        }
        pids.extend(self.by_address.get(&d.address).into_iter().flatten());
        pids.sort_unstable();
        pids.dedup();
        pids
    }
}

fn holds(p: &Process, d: &DeviceFacts) -> Vec<String> {
    let mut how = Vec::new();
    if let Some(Some(g)) = d.iommu_group.value() {
        if let Some(fd) = p.vfio_groups.get(g) {
            how.push(fd.clone());
        }
    }
    if let Some(fd) = p.sysfs_devices.get(&d.address) {
        how.push(fd.clone());
    }
    if p.cmdline_devices.contains(&d.address) {
        how.push("QEMU command line".to_string());
    }
    how
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
        .filter(|&i| devices[i].kind == "vf" || devices[i].target)
        .collect();
    let guest_list = match guests {
        Known::Value(g) => g,
        Known::Unknown(r) => {
            let r = r.clone();
            for &i in &subjects {
                devices[i].holders = Known::unknown(format!("guests unknown: {r}"));
            }
            return ProcessScan {
                needed: false,
                scanned: 0,
                note: format!("not run: {r}"),
            };
        }
    };
    // With --device targets, only the guests that name a device in a
    // target's IOMMU group (in their state or on their command line) have
    // their open files read: a guest that holds such a device without naming
    // it leaves it opened but unexplained, which the full scan below finds.
    let focused = devices.iter().any(|d| d.target);
    let named: BTreeSet<PciAddress> = devices
        .iter()
        .filter(|d| d.target)
        .flat_map(|d| {
            let members = d.group.value().map(|g| g.members.as_slice()).unwrap_or(&[]);
            members
                .iter()
                .filter_map(|m| m.address.parse().ok())
                .chain([d.address])
        })
        .collect();
    let mut procs = match guest_processes {
        Some(procs) => procs.0,
        None => read_guests(fs, guest_list, focused.then_some(&named)).0,
    };
    let mut index = ProcessIndex::default();
    for (pid, p) in &procs {
        index.add(*pid, p);
    }
    let held_by = |index: &ProcessIndex, procs: &BTreeMap<u32, Process>, d: &DeviceFacts| {
        index
            .candidates(d)
            .into_iter()
            .filter_map(|pid| {
                let how = holds(procs.get(&pid)?, d);
                (!how.is_empty()).then_some((pid, how))
            })
            .collect::<Vec<_>>()
    };
    // Devices a user has opened: vfio-pci and pci-assign enable them. (A
    // device whose driver cannot be read may be on either.)
    let may_be_open: Vec<usize> = subjects
        .iter()
        .copied()
        .filter(|&i| {
            let role = devices[i].driver_role.value().map(String::as_str);
            !role.is_some_and(|r| !matches!(r, "vfio" | "legacy-stub"))
        })
        .collect();
    let enabled = crate::par::map(&may_be_open, 256, |&i| {
        fs.read_text(&format!(
            "/sys/bus/pci/devices/{}/enable",
            devices[i].address
        ))
        .map(|e| e == "1")
        .unwrap_or(true)
    });
    let mut unexplained: Vec<usize> = Vec::new();
    for (&i, enabled) in may_be_open.iter().zip(enabled) {
        let explained = !held_by(&index, &procs, &devices[i]).is_empty();
        if enabled && !explained {
            unexplained.push(i);
        }
    }
    let mut scan = ProcessScan {
        needed: !unexplained.is_empty(),
        scanned: 0,
        note: if unexplained.is_empty() {
            "not needed: every opened VFIO device is accounted for by a running guest".to_string()
        } else {
            String::new()
        },
    };
    let mut scan_error: Option<String> = None;
    if !unexplained.is_empty() {
        match fs.list_dir("/proc") {
            Ok(entries) => {
                for pid in entries.iter().filter_map(|e| e.parse::<u32>().ok()) {
                    if procs.contains_key(&pid) {
                        continue;
                    }
                    scan.scanned += 1;
                    match read_process(fs, pid, |_| true) {
                        Ok(p) => {
                            // What it explains (what the processes read
                            // before it did not).
                            let before = unexplained.len();
                            unexplained.retain(|&i| holds(&p, &devices[i]).is_empty());
                            if unexplained.len() < before {
                                index.add(pid, &p);
                                procs.insert(pid, p);
                            }
                        }
                        // A process that ended while we read is no holder.
                        Err(e) if e.is_not_found() => {}
                        Err(e) => {
                            scan_error.get_or_insert_with(|| e.to_string());
                        }
                    }
                    if unexplained.is_empty() {
                        break;
                    }
                }
                scan.note = format!("read the fds of {} processes", scan.scanned);
            }
            Err(e) => scan_error = Some(e.to_string()),
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
    for &i in &subjects {
        let d = &devices[i];
        let mut holders = Vec::new();
        for (pid, mut how) in held_by(&index, &procs, d) {
            let Some(p) = procs.get(&pid) else { continue };
            let guest = guest_list.iter().find(|g| g.running && g.pid == Some(pid));
            if let Some(g) = guest.filter(|g| g.hostdevs.contains(&d.address.to_string())) {
                how.insert(0, format!("libvirt state {}", g.source));
            }
            holders.push(Holder {
                pid,
                comm: p.comm.clone(),
                uid: p.uid,
                domain: guest.map(|g| g.name.clone()),
                how,
            });
        }
        let unresolved = unexplained.contains(&i);
        let addr = d.address.to_string();
        // Without its driver or IOMMU group, a process's /dev/vfio/N fd
        // cannot be told to hold the device, so "nobody holds it" is unknown.
        let unrecognizable = match (&d.driver_role, &d.iommu_group) {
            (Known::Unknown(r), _) | (_, Known::Unknown(r)) => Some(r),
            _ => None,
        };
        devices[i].holders = match (&scan_error, unresolved, holders.is_empty(), unrecognizable) {
            (Some(e), true, true, _) => Known::unknown(format!(
                "{addr} is open (enable = 1) and no readable process holds it: {e}"
            )),
            (None, true, true, Some(r)) => Known::unknown(format!(
                "{addr} may be open, and its holders cannot be recognized: {r}"
            )),
            _ => Known::Value(holders),
        };
        // Every guest definition that names the device, running or not, once
        // per guest (a running libvirt guest has a state file and usually a
        // persistent definition).
        let named_by = naming.get(addr.as_str()).map_or(&[][..], Vec::as_slice);
        let mut defined: BTreeMap<(String, String), String> = BTreeMap::new();
        for g in named_by {
            defined
                .entry((g.kind.clone(), g.name.clone()))
                .or_insert_with(|| format!("{} ({})", g.name, g.source));
        }
        devices[i].defined_in = defined.into_values().collect();
        devices[i].memlock = memlock(named_by, &addr);
    }
    scan
}

/// The memory a guest that uses this device pins, against the limit that
/// applies: the running holder's actual limit, or what libvirt will set.
/// `guests` are those that name the device, in their order.
fn memlock(guests: &[&GuestFacts], addr: &str) -> Option<MemlockFacts> {
    let g = guests
        .iter()
        // Legacy KVM assignment pins guest memory without RLIMIT_MEMLOCK;
        // the limit matters for VFIO only.
        .filter(|g| {
            g.kind == "libvirt"
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

/// 8 GiB, 512 MiB, 65536 bytes; unlimited for None.
pub fn human(bytes: Option<u64>) -> String {
    match bytes {
        None => "unlimited".to_string(),
        Some(b) if b >= 1 << 30 && b % (1 << 30) == 0 => format!("{} GiB", b >> 30),
        Some(b) if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        Some(b) => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human(None), "unlimited");
        assert_eq!(human(Some(8 << 30)), "8 GiB");
        assert_eq!(human(Some(512 << 20)), "512 MiB");
        assert_eq!(human(Some(65536)), "65536 bytes");
    }
}
