//! Probes turn raw files into facts. Correlation (which group holds which
//! device, which module a PF needs) happens here, once.

pub mod access;
pub mod assignable;
pub mod firmware;
pub mod guest_memory;
pub mod guests;
pub mod holders;
pub mod host;
pub mod iommu;
pub mod iommu_width;
pub mod irq;
pub mod isolation;
pub mod k8s;
pub mod kernel_log;
pub mod modules;
pub mod nova;
pub mod pci;
pub mod persistence;
pub mod processes;
pub mod reserved;

use crate::address::{AddressForm, PciAddress};
use crate::catalog::Catalog;
use crate::facts::{DeviceKind, Facts, HostFacts, Known, SriovSummary};
use crate::hostfs::HostFs;

/// A --device target its PF has not created yet: VF `index` of `pf`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PendingVf {
    pub address: PciAddress,
    pub pf: PciAddress,
    pub index: u32,
}

/// The --device targets: devices of this host, and (where allowed) VFs
/// their PFs have not created yet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Targets {
    pub present: Vec<PciAddress>,
    pub pending: Vec<PendingVf>,
}

/// Turns what the user typed into devices of this host: short addresses are
/// widened to the domain that has them. An address the host lacks is an
/// error, but for a VF that a PF of this host would create once it has
/// enough VFs when `pending_ok` (check's: a finding of sriov.vfs, whose fix
/// creates it).
pub fn resolve_targets(
    fs: &dyn HostFs,
    typed: &[String],
    present: &[PciAddress],
    pending_ok: bool,
) -> Result<Targets, String> {
    let mut out = Vec::new();
    let mut pending: Vec<PendingVf> = Vec::new();
    for t in typed {
        let (addr, form) = PciAddress::parse(t)?;
        let found = if form == AddressForm::Short {
            let same: Vec<&PciAddress> = present
                .iter()
                .filter(|p| (p.bus, p.device, p.function) == (addr.bus, addr.device, addr.function))
                .collect();
            match same.as_slice() {
                [one] => Some(**one),
                [] => None,
                many => {
                    let list: Vec<String> = many.iter().map(|a| a.to_string()).collect();
                    return Err(format!(
                        "{t} is ambiguous on this host: {}; give the domain",
                        list.join(", ")
                    ));
                }
            }
        } else {
            present.contains(&addr).then_some(addr)
        };
        match found {
            Some(a) if !out.contains(&a) => out.push(a),
            Some(_) => {}
            None => {
                let future = future_vf(fs, present, addr);
                if let (true, Some((pf, index))) = (pending_ok, future) {
                    if !pending.iter().any(|p| p.address == addr) {
                        pending.push(PendingVf {
                            address: addr,
                            pf,
                            index,
                        });
                    }
                    continue;
                }
                let hint = future
                    .map(|(pf, n)| {
                        format!(
                            "; it would be VF {n} of {pf} once that PF has at least {} VFs (sriov.vfs)",
                            n + 1
                        )
                    })
                    .unwrap_or_default();
                return Err(format!(
                    "no PCI device {addr} on {} ({}/{addr} not found){hint}",
                    fs.describe(),
                    pci::DEVICES
                ));
            }
        }
    }
    Ok(Targets {
        present: out,
        pending,
    })
}

/// Whether `addr` is where a PF would put one of its VFs: routing ID of VF n
/// = PF's + sriov_offset + n × sriov_stride (PCIe SR-IOV 9.3.3.9–10).
pub fn future_vf(
    fs: &dyn HostFs,
    present: &[PciAddress],
    addr: PciAddress,
) -> Option<(PciAddress, u32)> {
    let rid = |a: &PciAddress| (a.bus as u32) << 8 | (a.device as u32) << 3 | a.function as u32;
    for pf in present.iter().filter(|p| p.domain == addr.domain) {
        let dir = format!("{}/{pf}", pci::DEVICES);
        let num = |name: &str| {
            fs.read_text(&format!("{dir}/{name}"))
                .ok()?
                .parse::<u32>()
                .ok()
        };
        let (Some(total), Some(offset), Some(stride)) = (
            num("sriov_totalvfs"),
            num("sriov_offset"),
            num("sriov_stride"),
        ) else {
            continue;
        };
        let first = rid(pf) + offset;
        let target = rid(&addr);
        if stride > 0 && target >= first && (target - first) % stride == 0 {
            let n = (target - first) / stride;
            if n < total {
                return Some((*pf, n));
            }
        }
    }
    None
}

/// RMRR and IVMD regions by device: known when the table that would list
/// them was read whole, or is absent. A damaged table may have lost some of
/// its regions, and an RMRR path through a bridge whose config space cannot
/// be read names an unknown device: then a device named nowhere is unknown,
/// not free of reserved memory (one that is named is known to be restricted).
fn reserved_regions(
    fs: &dyn HostFs,
    firmware: &crate::facts::FirmwareFacts,
    tables: &firmware::Tables,
    devices: &mut [crate::facts::DeviceFacts],
) {
    if let Known::Unknown(r) = &firmware.iommu_table {
        for d in devices.iter_mut() {
            d.reserved_regions = Known::unknown(r.clone());
        }
        return;
    }
    let mut doubts: Vec<String> = Vec::new();
    for table in [&firmware.dmar, &firmware.ivrs] {
        match table {
            Known::Unknown(r) => doubts.push(r.clone()),
            Known::Value(t) if t.present && !t.problems.is_empty() => doubts.push(format!(
                "the {} table is damaged ({}): the memory it reserves is not all known",
                t.name,
                t.problems.join("; ")
            )),
            Known::Value(_) => {}
        }
    }
    let mut regions = std::collections::BTreeMap::new();
    if let Some(d) = &tables.dmar {
        let (named, unresolved) = reserved::from_dmar(fs, d);
        regions.extend(named);
        doubts.extend(unresolved);
    }
    if let Some(v) = &tables.ivrs {
        let present: Vec<PciAddress> = devices.iter().map(|d| d.address).collect();
        for (addr, mut r) in reserved::from_ivrs(v, &present) {
            regions.entry(addr).or_insert_with(Vec::new).append(&mut r);
        }
    }
    reserved::apply(devices, &regions, doubts.first());
}

/// VFIO's unsafe no-IOMMU mode.
fn noiommu(fs: &dyn HostFs) -> Known<crate::facts::NoIommuFacts> {
    let enabled = match iommu::noiommu_param(fs) {
        Known::Value(on) => on,
        Known::Unknown(r) => return Known::unknown(r),
    };
    // Evidence is what was read: a kernel without CONFIG_VFIO_NOIOMMU has
    // no such parameter even with vfio loaded.
    let param_read = match fs.read_text(iommu::NOIOMMU_PARAM) {
        Ok(v) => format!("{}: {v}", iommu::NOIOMMU_PARAM),
        Err(_) => match fs.metadata("/sys/module/vfio") {
            Ok(_) => format!(
                "{}: not present: vfio is loaded, so this kernel was built without \
                 VFIO no-IOMMU support (CONFIG_VFIO_NOIOMMU)",
                iommu::NOIOMMU_PARAM
            ),
            Err(_) => format!("{}: not present: vfio is not loaded", iommu::NOIOMMU_PARAM),
        },
    };
    let nodes = match fs.list_dir("/dev/vfio") {
        Ok(n) => n
            .into_iter()
            .filter(|n| n.starts_with("noiommu-"))
            .collect(),
        Err(e) if e.is_not_found() => Vec::new(),
        Err(e) => return Known::unknown(e.to_string()),
    };
    Known::Value(crate::facts::NoIommuFacts {
        enabled,
        param_read,
        nodes,
    })
}

/// Runs every probe over the root.
pub fn collect(
    fs: &dyn HostFs,
    addresses: &Known<Vec<PciAddress>>,
    all_targets: &Targets,
    catalog: &Catalog,
) -> Facts {
    let targets = all_targets.present.as_slice();
    let pending = all_targets.pending.as_slice();
    let cpu = host::cpu(fs);
    let kernel = host::kernel(fs);
    let distro = host::distro(fs);
    let xen = host::xen(fs);
    let xen_present = xen.value().is_some_and(|x| x.present);
    let xen_dom0 = xen.value().is_some_and(|x| x.dom0);
    let (firmware, tables) = firmware::probe(fs, &cpu, xen_present);
    let table = firmware
        .iommu_table
        .value()
        .filter(|t| t.present)
        .map(|t| t.name.as_str());
    let iommu = iommu::probe(fs, &cpu, table, &kernel);
    // Interrupt remapping and the guests do not depend on the devices: read
    // beside them; so are the running guests' processes, unless --device
    // targets decide whose open files are read.
    let ((irq_remapping, mut guests, guest_processes), (mut devices, modules, qemu)) =
        crate::par::both(
            || {
                let mut guests = guests::probe(fs);
                let processes = match (&mut guests, targets.is_empty() && pending.is_empty()) {
                    (Known::Value(list), true) => Some(processes::read_guests(fs, list, None)),
                    _ => None,
                };
                (irq::probe(fs, &kernel), guests, processes)
            },
            || {
                let mut devices = match addresses {
                    Known::Value(a) => pci::probe(fs, a, all_targets, catalog, xen_dom0),
                    Known::Unknown(_) => Vec::new(),
                };
                let modules = modules::probe(fs, &kernel.release, &mut devices, catalog);
                let qemu = access::qemu(fs, &distro);
                access::devices(fs, &mut devices, &qemu);
                isolation::probe(fs, &mut devices);
                reserved_regions(fs, &firmware, &tables, &mut devices);
                (devices, modules, qemu)
            },
        );
    let process_scan = holders::probe(fs, &mut devices, &mut guests, guest_processes);
    iommu_width::probe(fs, &mut devices);
    let vfio_noiommu = noiommu(fs);
    // With targets, unrelated VFs are not read: count them from their PFs.
    let vf_count = if targets.is_empty() && pending.is_empty() {
        devices.iter().filter(|d| d.kind == DeviceKind::Vf).count()
    } else {
        devices
            .iter()
            .filter_map(|d| d.sriov.as_ref()?.numvfs.value().copied())
            .map(|n| n as usize)
            .sum()
    };
    // With targets, their VFs only: a target VF, or a VF of a target PF.
    let target_names: Vec<String> = targets.iter().map(|t| t.to_string()).collect();
    let counted = devices.iter().filter(|d| {
        targets.is_empty() || d.target || d.pf.as_ref().is_some_and(|pf| target_names.contains(pf))
    });
    let a = assignable::assignable(counted, xen_dom0);
    let sriov = SriovSummary {
        pf_count: devices.iter().filter(|d| d.kind == DeviceKind::Pf).count(),
        vf_count,
        assignable_vfs: a.vfs,
        after_detach_vfs: a.after_detach,
        blocked_vfs: a.blocked,
        blocked_count: a.blocked_count,
    };
    let kernel_log = kernel_log::probe(fs);
    pci::bars::probe_resets(fs, &mut devices);
    pci::bars::attach_log(&mut devices, &kernel_log);
    pci::power::probe(fs, &mut devices, &kernel_log);
    pci::bar_claims::probe(fs, &mut devices, &kernel.release, &kernel_log);
    persistence::probe(fs, &kernel.params, &mut devices);
    let hostname = host::hostname(fs);
    let default_route = host::default_route(fs);
    let proxmox = fs.exists("/etc/pve").unwrap_or(false);
    let nova = nova::probe(fs, &devices);
    let k8s = k8s::probe(fs, addresses, &default_route);
    Facts {
        host: HostFacts {
            // Last: after every read.
            not_read: fs.not_read(),
            root: fs.describe(),
            hostname,
            cpu,
            kernel,
            distro,
            firmware,
            iommu,
            modules,
            xen,
            proxmox,
            qemu,
            irq_remapping,
            guests,
            process_scan,
            default_route,
            vfio_noiommu,
            sriov,
            kernel_log,
            pci: addresses.clone().map(|a| a.len()),
            targets: targets
                .iter()
                .chain(pending.iter().map(|p| &p.address))
                .map(|t| t.to_string())
                .collect(),
            nova,
            k8s,
        },
        devices,
    }
}
