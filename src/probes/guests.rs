//! Guests as libvirt, Xen and Proxmox VE describe them: running domains
//! from libvirt's state files (/run/libvirt/qemu/NAME.xml, a <domstatus>
//! around the domain), persistent definitions (/etc/libvirt/qemu/*.xml), xl
//! configs (/etc/xen/*.cfg), and Proxmox VMs (/etc/pve/qemu-server/VMID.conf,
//! running when /run/qemu-server/VMID.pid names a live process); with the
//! PCI devices each one names, and for a running Proxmox VM those
//! qemu-server reserved for it.

use crate::address::{AddressForm, PciAddress};
use crate::facts::{GuestFacts, GuestKind, Known};
use crate::formats::pve_reservations::{self, Claim};
use crate::formats::{libvirt_xml, pve, xl_cfg};
use crate::hostfs::{join, FsError, HostFs};

const RUN: &str = "/run/libvirt/qemu";
const ETC: &str = "/etc/libvirt/qemu";
const XEN: &str = "/etc/xen";
/// On a cluster node a link to /etc/pve/nodes/NODE/qemu-server: this
/// node's VMs.
const PVE_VMS: &str = "/etc/pve/qemu-server";
const PVE_MAPPINGS: &str = "/etc/pve/mapping/pci.cfg";
/// qemu-server's pid files (PVE::QemuServer::Helpers::vm_pidfile_name:
/// /var/run/qemu-server/VMID.pid, /var/run being /run).
const PVE_RUN: &str = "/run/qemu-server";
/// qemu-server's PCI reservations (PVE/QemuServer/PCI.pm).
pub const PVE_RESERVATIONS: &str = "/run/qemu-server/pci-id-reservations";

fn list_xml(fs: &dyn HostFs, dir: &str, ext: &str) -> Result<Vec<String>, FsError> {
    match fs.list_dir(dir) {
        Ok(names) => Ok(names.into_iter().filter(|n| n.ends_with(ext)).collect()),
        Err(e) if e.is_not_found() => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// A guest from its libvirt domain document.
fn libvirt_guest(text: &str, source: &str, running: bool) -> Result<GuestFacts, String> {
    let d = libvirt_xml::parse(text).map_err(|e| format!("{source}: {e}"))?;
    let legacy = d
        .hostdevs
        .iter()
        .filter(|h| h.kvm)
        .map(|h| h.address.to_string())
        .collect();
    Ok(GuestFacts {
        name: d.name,
        kind: GuestKind::Libvirt,
        running,
        pid: d.pid,
        source: source.to_string(),
        vmid: None,
        memory_kib: d.memory_kib,
        hard_limit_kib: d.hard_limit_kib,
        hostdevs: d.hostdevs.iter().map(|h| h.address.to_string()).collect(),
        reserved: Vec::new(),
        legacy_hostdevs: legacy,
        memlock_bytes: Known::unknown("not a running guest"),
    })
}

/// A guest from its xl config; None when xl cannot use it (no name).
fn xl_guest(text: &str, source: &str) -> Option<GuestFacts> {
    let c = xl_cfg::parse(text)?;
    Some(GuestFacts {
        name: c.name,
        kind: GuestKind::Xl,
        running: false,
        pid: None,
        source: source.to_string(),
        vmid: None,
        memory_kib: None,
        hard_limit_kib: None,
        hostdevs: c.pci.iter().map(|a| a.to_string()).collect(),
        reserved: Vec::new(),
        legacy_hostdevs: Vec::new(),
        memlock_bytes: Known::unknown("not a running guest"),
    })
}

/// The host devices a Proxmox id stands for: `[domain:]bus:dev[.func]`,
/// domain 0000 when absent, every function of the device present on this
/// host when the function is absent.
fn pve_devices(fs: &dyn HostFs, id: &str, present: &mut Option<Vec<PciAddress>>) -> Vec<String> {
    let id = id.trim().to_ascii_lowercase();
    let full = if id.matches(':').count() == 1 {
        format!("0000:{id}")
    } else {
        id
    };
    if full.contains('.') {
        return match PciAddress::parse(&full) {
            Ok((a, AddressForm::Full)) => vec![a.to_string()],
            _ => Vec::new(),
        };
    }
    let all = present.get_or_insert_with(|| crate::probes::pci::addresses(fs).unwrap_or_default());
    all.iter()
        .map(|a| a.to_string())
        .filter(|a| {
            a.strip_prefix(full.as_str())
                .is_some_and(|f| f.starts_with('.'))
        })
        .collect()
}

/// This node's name as Proxmox knows it (PVE::INotify::nodename: the
/// hostname up to its first dot).
fn pve_node(fs: &dyn HostFs) -> Option<String> {
    let h = crate::probes::host::hostname(fs);
    let h = h.value()?.trim();
    let short = h.split('.').next().unwrap_or(h);
    (!short.is_empty()).then(|| short.to_string())
}

/// Proxmox VMs of this node. A mapping with one path on this node names
/// that device; one with several paths is a pool Proxmox picks a free
/// device from at start, so it names none of them for certain.
fn pve_guests(fs: &dyn HostFs) -> Result<Vec<GuestFacts>, String> {
    let names = match list_xml(fs, PVE_VMS, ".conf") {
        Ok(n) => n,
        Err(e) => return Err(e.to_string()),
    };
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let mappings = match fs.read_text(PVE_MAPPINGS) {
        Ok(t) => pve::parse_mappings(&t),
        Err(e) if e.is_not_found() => Vec::new(),
        Err(e) => return Err(e.to_string()),
    };
    // Which devices qemu-server reserved for which running VM: also the one
    // a pool mapping drew at start, which the configuration does not name.
    // An unreadable file tells none (the open files still show holders).
    let reservations = fs
        .read_text(PVE_RESERVATIONS)
        .map(|t| pve_reservations::parse(&t))
        .unwrap_or_default();
    let node = pve_node(fs);
    let mut present = None;
    let mut out = Vec::new();
    for n in names {
        let Some(vmid) = n
            .strip_suffix(".conf")
            .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let path = join(PVE_VMS, &n);
        let text = match fs.read_text(&path) {
            Ok(t) => t,
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Err(e.to_string()),
        };
        let vm = pve::parse_vm(&text);
        let mut hostdevs: Vec<String> = Vec::new();
        for h in &vm.hostpci {
            let ids: Vec<String> = match &h.mapping {
                // Which node's entry applies is not known: the devices the
                // mapping gives this VM are not either.
                Some(_) if node.is_none() => {
                    return Err(format!(
                        "{path} uses a resource mapping, and this node's name (its hostname) could not be read"
                    ))
                }
                Some(m) => mappings
                    .iter()
                    .filter(|(id, _)| id == m)
                    .flat_map(|(_, entries)| entries)
                    .filter(|e| Some(&e.node) == node.as_ref() && e.paths.len() == 1)
                    .flat_map(|e| {
                        e.paths[0]
                            .split(';')
                            .map(str::to_string)
                            .collect::<Vec<_>>()
                    })
                    .collect(),
                None => h.ids.clone(),
            };
            for id in ids {
                for d in pve_devices(fs, &id, &mut present) {
                    if !hostdevs.contains(&d) {
                        hostdevs.push(d);
                    }
                }
            }
        }
        let pid = fs
            .read_text(&format!("{PVE_RUN}/{vmid}.pid"))
            .ok()
            .and_then(|t| t.trim().parse::<u32>().ok())
            .filter(|p| fs.exists(&format!("/proc/{p}")).unwrap_or(false));
        // A reservation holds while its pid runs: this VM's, by this pid.
        let mut reserved: Vec<String> = Vec::new();
        if let Some(p) = pid {
            for r in reservations
                .iter()
                .filter(|r| r.vmid.to_string() == vmid && r.claim == Claim::Pid(p))
            {
                for d in pve_devices(fs, &r.id, &mut present) {
                    if !reserved.contains(&d) {
                        reserved.push(d);
                    }
                }
            }
        }
        out.push(GuestFacts {
            name: match &vm.name {
                Some(name) => format!("VMID {vmid} ({name})"),
                None => format!("VMID {vmid}"),
            },
            kind: GuestKind::Proxmox,
            running: pid.is_some(),
            pid,
            source: path,
            vmid: vmid.parse().ok(),
            memory_kib: vm.memory_mib.map(|m| m * 1024),
            hard_limit_kib: None,
            hostdevs,
            reserved,
            legacy_hostdevs: Vec::new(),
            memlock_bytes: Known::unknown("not read for Proxmox VMs"),
        });
    }
    Ok(out)
}

/// Running libvirt guests, persistent libvirt definitions, xl configs and
/// Proxmox VMs.
pub fn probe(fs: &dyn HostFs) -> Known<Vec<GuestFacts>> {
    // Every host has /etc: without it the definitions are not known to be
    // none, and "no guest definition names it" would be a guess.
    match fs.exists("/etc") {
        Ok(true) => {}
        Ok(false) => {
            return Known::unknown("/etc is not there: the guest definitions cannot be read")
        }
        Err(e) => return Known::unknown(e.to_string()),
    }
    let mut out = Vec::new();
    for (dir, running) in [(RUN, true), (ETC, false)] {
        let names = match list_xml(fs, dir, ".xml") {
            Ok(n) => n,
            Err(e) => return Known::unknown(e.to_string()),
        };
        for n in names {
            let path = join(dir, &n);
            let text = match fs.read_text(&path) {
                Ok(t) => t,
                Err(e) => return Known::unknown(e.to_string()),
            };
            match libvirt_guest(&text, &path, running) {
                Ok(g) => out.push(g),
                Err(e) => return Known::unknown(e),
            }
        }
    }
    match list_xml(fs, XEN, ".cfg") {
        Ok(names) => {
            // A config xl cannot read (no name) defines no guest; one that
            // cannot be read at all may define any.
            for n in names {
                let path = join(XEN, &n);
                match fs.read_text(&path) {
                    Ok(text) => out.extend(xl_guest(&text, &path)),
                    Err(e) if e.is_not_found() => {}
                    Err(e) => return Known::unknown(e.to_string()),
                }
            }
        }
        Err(e) => return Known::unknown(e.to_string()),
    }
    match pve_guests(fs) {
        Ok(vms) => out.extend(vms),
        Err(e) => return Known::unknown(e),
    }
    Known::Value(out)
}
