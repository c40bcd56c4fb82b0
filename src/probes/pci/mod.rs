//! PCI devices from /sys/bus/pci/devices: ids, driver, IOMMU group, SR-IOV
//! links, and the group each device shares.

use std::collections::{BTreeSet, HashSet};

use crate::address::PciAddress;
use crate::catalog::Catalog;
use crate::facts::{DeviceFacts, DriverRole, Known};
use crate::hostfs::{join, FsResult, HostFs};

pub mod bar_claims;
pub mod bars;
mod device;
mod group;
pub mod power;

use device::{link_name, one_device, unrelated_device, vf_addresses, virtfns};

pub const DEVICES: &str = "/sys/bus/pci/devices";

/// Lists the PCI addresses on the host.
pub fn addresses(fs: &dyn HostFs) -> FsResult<Vec<PciAddress>> {
    let mut out: Vec<PciAddress> = fs
        .list_dir(DEVICES)?
        .iter()
        .filter_map(|n| n.parse().ok())
        .collect();
    out.sort();
    Ok(out)
}

/// How a driver relates to assignment.
pub fn driver_role(driver: Option<&str>) -> DriverRole {
    match driver {
        None => DriverRole::Unbound,
        Some("vfio-pci") => DriverRole::Vfio,
        // Vendor variant drivers built on vfio-pci-core (mlx5_vfio_pci, …).
        Some(d) if d.ends_with("_vfio_pci") || d.ends_with("-vfio-pci") => DriverRole::Vfio,
        Some("pci-stub") => DriverRole::LegacyStub,
        Some("pciback") | Some("xen-pciback") => DriverRole::XenPciback,
        Some(_) => DriverRole::Host,
    }
}

/// The targets, their PFs, a PF target's VFs, and their IOMMU groups'
/// members; None when a target's group cannot be listed: then every device
/// is read, as without targets, and the group's members come from their own
/// iommu_group links (leaving them out would make the group look viable).
fn related(fs: &dyn HostFs, targets: &[PciAddress]) -> Option<BTreeSet<PciAddress>> {
    let mut out: BTreeSet<PciAddress> = targets.iter().copied().collect();
    for t in targets {
        let dir = format!("{DEVICES}/{t}");
        if let Known::Value(vfs) = virtfns(fs, &dir) {
            out.extend(vfs.iter().filter_map(|v| v.parse::<PciAddress>().ok()));
        }
        if let Some(Some(pf)) = link_name(fs, &join(&dir, "physfn")).value() {
            out.extend(pf.parse::<PciAddress>().ok());
        }
        if let Some(Some(g)) = link_name(fs, &join(&dir, "iommu_group")).value() {
            let members = fs
                .list_dir(&format!("/sys/kernel/iommu_groups/{g}/devices"))
                .ok()?;
            out.extend(members.iter().filter_map(|m| m.parse::<PciAddress>().ok()));
        }
    }
    Some(out)
}

/// Every device in full. A large host's devices are read in contiguous runs
/// on up to min(cores, 8) threads and put back in address order: reading
/// sysfs is mostly waiting on system calls, which the cores share.
fn read_all(fs: &dyn HostFs, addresses: &[PciAddress], catalog: &Catalog) -> Vec<DeviceFacts> {
    crate::par::map(addresses, 512, |a| one_device(fs, *a, catalog))
}

/// Reads every device, marks targets (and the PFs of targets they have not
/// created yet, with the VFs those need), and works out each group's
/// members.
pub fn probe(
    fs: &dyn HostFs,
    addresses: &[PciAddress],
    all_targets: &super::Targets,
    catalog: &Catalog,
    xen_dom0: bool,
) -> Vec<DeviceFacts> {
    let targets = all_targets.present.as_slice();
    let pending = all_targets.pending.as_slice();
    // With --device targets, only the devices that bear on them are read in
    // full: the targets, their PFs and the members of their IOMMU groups.
    // The others are only looked at to count the host's PFs; a VF is never
    // a PF, and a PF's VFs come after it in address order, so once a PF is
    // seen its VFs are known without a look.
    let related = (!targets.is_empty() || !pending.is_empty())
        .then(|| related(fs, targets))
        .flatten()
        .map(|mut r| {
            r.extend(pending.iter().map(|p| p.pf));
            r
        });
    let mut vfs_seen: HashSet<PciAddress> = HashSet::new();
    let mut devices: Vec<DeviceFacts> = Vec::with_capacity(addresses.len());
    if related.is_none() {
        devices = read_all(fs, addresses, catalog);
    }
    for a in addresses.iter().filter(|_| related.is_some()) {
        let d = match &related {
            Some(r) if !r.contains(a) => unrelated_device(fs, *a, vfs_seen.contains(a)),
            _ => one_device(fs, *a, catalog),
        };
        if related.is_some() {
            vfs_seen.extend(vf_addresses(fs, &d));
        }
        devices.push(d);
    }
    let target_pfs: Vec<String> = devices
        .iter()
        .filter(|d| targets.contains(&d.address))
        .map(|d| d.pf.clone().unwrap_or_else(|| d.address.to_string()))
        .collect();
    for d in &mut devices {
        d.target = targets.contains(&d.address);
        let mine: Vec<&super::PendingVf> = pending.iter().filter(|p| p.pf == d.address).collect();
        d.target_pf =
            d.sriov.is_some() && (target_pfs.contains(&d.address.to_string()) || !mine.is_empty());
        if let Some(sriov) = d.sriov.as_mut() {
            sriov.needed_vfs = mine.iter().map(|p| p.index + 1).max().unwrap_or(0);
            sriov.missing_targets = mine.iter().map(|p| p.address.to_string()).collect();
        }
    }
    group::fill(fs, &mut devices, xen_dom0);
    devices
}
