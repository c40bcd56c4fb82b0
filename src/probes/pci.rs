//! PCI devices from /sys/bus/pci/devices: ids, driver, IOMMU group, SR-IOV
//! links, and the group each device shares.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::address::PciAddress;
use crate::catalog::{pci_names, Catalog};
use crate::facts::{
    DeviceFacts, DeviceKind, DriverRole, GroupFacts, GroupMember, Known, SriovFacts,
};
use crate::hostfs::{base_name, join, FsResult, HostFs};

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

fn hex_attr(fs: &dyn HostFs, dir: &str, name: &str) -> Known<String> {
    match fs.read_text(&join(dir, name)) {
        Ok(t) => {
            let t = t.trim_start_matches("0x").to_ascii_lowercase();
            if !t.is_empty() && t.chars().all(|c| c.is_ascii_hexdigit()) {
                Known::Value(t)
            } else {
                Known::unknown(format!("{dir}/{name}: not a hex number"))
            }
        }
        Err(e) => Known::unknown(e.to_string()),
    }
}

fn number_attr<T: std::str::FromStr>(fs: &dyn HostFs, path: &str) -> Known<T> {
    match fs.read_text(path) {
        Ok(t) => t
            .parse()
            .map(Known::Value)
            .unwrap_or_else(|_| Known::unknown(format!("{path}: '{t}' is not a number"))),
        Err(e) => Known::unknown(e.to_string()),
    }
}

/// Target of an optional link, reduced to its last component.
fn link_name(fs: &dyn HostFs, path: &str) -> Known<Option<String>> {
    match fs.read_link(path) {
        Ok(t) => Known::Value(Some(base_name(&t).to_string())),
        Err(e) if e.is_not_found() => Known::Value(None),
        Err(e) => Known::unknown(e.to_string()),
    }
}

fn one_device(fs: &dyn HostFs, address: PciAddress, catalog: &Catalog) -> DeviceFacts {
    let dir = format!("{DEVICES}/{address}");
    let sysfs: Known<String> = fs.canonical(&dir).into();
    let vendor = hex_attr(fs, &dir, "vendor");
    let device = hex_attr(fs, &dir, "device");
    let class = hex_attr(fs, &dir, "class");
    let (vendor_name, device_name) = match (vendor.value(), device.value()) {
        (Some(v), Some(d)) => pci_names(v, d),
        _ => (None, None),
    };
    let is_bridge = class.value().is_some_and(|c| c.starts_with("0604"));
    // No driver link is an unbound device, but only in a sound device
    // directory: where the directory cannot be resolved or has no vendor
    // (its link dangles, it is empty), the missing link says nothing.
    let driver = match (link_name(fs, &join(&dir, "driver")), &sysfs, &vendor) {
        (Known::Value(None), Known::Unknown(why), _)
        | (Known::Value(None), _, Known::Unknown(why)) => Known::unknown(format!(
            "{dir}/driver not found in a device directory that is not whole: {why}"
        )),
        (driver, _, _) => driver,
    };
    let driver_role = driver.clone().map(|d| driver_role(d.as_deref()));
    let iommu_group = link_name(fs, &join(&dir, "iommu_group")).and_then(|g| match g {
        None => Known::Value(None),
        Some(n) => n
            .parse()
            .map(|n| Known::Value(Some(n)))
            .unwrap_or_else(|_| Known::unknown(format!("{dir}/iommu_group: bad group '{n}'"))),
    });

    let pf = link_name(fs, &join(&dir, "physfn"))
        .value()
        .cloned()
        .flatten()
        .filter(|p| p.parse::<PciAddress>().is_ok());
    // The kernel gives a VF its physfn link and a PF its sriov_* files,
    // never both: a VF is not looked at for them (one lookup less for each
    // of thousands of VFs).
    let is_pf = pf.is_none() && fs.exists(&join(&dir, "sriov_totalvfs")).unwrap_or(false);
    let sriov = is_pf.then(|| SriovFacts {
        totalvfs: number_attr(fs, &join(&dir, "sriov_totalvfs")),
        numvfs: number_attr(fs, &join(&dir, "sriov_numvfs")),
        vfs: virtfns(fs, &dir),
    });
    // Read only where a rule or `list` shows it: NUMA node of PFs, the
    // interfaces of a device a host network driver has.
    let numa_node = if is_pf {
        number_attr(fs, &join(&dir, "numa_node"))
    } else {
        Known::unknown("only read for physical functions")
    };
    let netdevs = if driver_role.value() == Some(&DriverRole::Host) {
        fs.list_dir(&join(&dir, "net")).unwrap_or_default()
    } else {
        Vec::new()
    };
    let kind = if is_pf {
        DeviceKind::Pf
    } else if pf.is_some() {
        DeviceKind::Vf
    } else {
        DeviceKind::Device
    };
    let catalog = match (vendor.value(), device.value()) {
        (Some(v), Some(d)) => catalog.lookup(v, d).map(|f| f.facts()),
        _ => None,
    };
    DeviceFacts {
        address,
        libvirt_name: address.libvirt_name(),
        sysfs,
        vendor,
        device,
        class,
        vendor_name,
        device_name,
        is_bridge,
        kind,
        driver,
        driver_role,
        iommu_group,
        numa_node,
        netdevs,
        target: false,
        target_pf: false,
        sriov,
        pf,
        pf_driver: None,
        catalog,
        group: Known::unknown("not computed"),
        acs_path: Known::unknown("only read for VFs and --device targets"),
        reserved_regions: Known::Value(Vec::new()),
        holders: Known::unknown("only read for VFs and --device targets"),
        defined_in: Vec::new(),
        memlock: Known::Value(None),
        config: Known::unknown("not computed"),
        vfio_node: None,
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

/// The VFs a PF has enabled: from its virtfn links when they were read,
/// else computed as the kernel does (routing ID of VF n = the PF's +
/// sriov_offset + n × sriov_stride, PCIe SR-IOV 9.3.3.9–10). Empty for
/// anything else, or when that cannot be read.
fn vf_addresses(fs: &dyn HostFs, d: &DeviceFacts) -> Vec<PciAddress> {
    let Some(sriov) = &d.sriov else {
        return Vec::new();
    };
    if let Known::Value(vfs) = &sriov.vfs {
        return vfs.iter().filter_map(|v| v.parse().ok()).collect();
    }
    let dir = format!("{DEVICES}/{}", d.address);
    let (Known::Value(numvfs), Known::Value(offset), Known::Value(stride)) = (
        &sriov.numvfs,
        number_attr::<u32>(fs, &join(&dir, "sriov_offset")),
        number_attr::<u32>(fs, &join(&dir, "sriov_stride")),
    ) else {
        return Vec::new();
    };
    let a = d.address;
    let rid = (a.bus as u32) << 8 | (a.device as u32) << 3 | a.function as u32;
    (0..*numvfs)
        .map(|n| rid + offset + n * stride)
        .take_while(|r| *r <= 0xffff)
        .map(|r| PciAddress {
            domain: a.domain,
            bus: (r >> 8) as u8,
            device: ((r >> 3) & 0x1f) as u8,
            function: (r & 0x7) as u8,
        })
        .collect()
}

/// A device that does not bear on the --device targets: whether it is a PF
/// (for the host's SR-IOV counts), and nothing else. `known_vf`: it is the
/// VF of a PF already seen, so it is not a PF and need not be looked at.
fn unrelated_device(fs: &dyn HostFs, address: PciAddress, known_vf: bool) -> DeviceFacts {
    let dir = format!("{DEVICES}/{address}");
    fn why<T>() -> Known<T> {
        Known::unknown("not read: it does not bear on the --device targets")
    }
    let is_pf = !known_vf && fs.exists(&join(&dir, "sriov_totalvfs")).unwrap_or(false);
    DeviceFacts {
        address,
        libvirt_name: address.libvirt_name(),
        sysfs: why(),
        vendor: why(),
        device: why(),
        class: why(),
        vendor_name: None,
        device_name: None,
        is_bridge: false,
        kind: if is_pf {
            DeviceKind::Pf
        } else {
            DeviceKind::Device
        },
        driver: why(),
        driver_role: why(),
        iommu_group: why(),
        numa_node: why(),
        netdevs: Vec::new(),
        target: false,
        target_pf: false,
        sriov: is_pf.then(|| SriovFacts {
            totalvfs: why(),
            numvfs: number_attr(fs, &join(&dir, "sriov_numvfs")),
            vfs: why(),
        }),
        pf: None,
        pf_driver: None,
        catalog: None,
        group: why(),
        acs_path: why(),
        reserved_regions: why(),
        holders: why(),
        defined_in: Vec::new(),
        memlock: Known::Value(None),
        config: why(),
        vfio_node: None,
    }
}

/// VF addresses from the virtfnN links, ordered by N.
fn virtfns(fs: &dyn HostFs, dir: &str) -> Known<Vec<String>> {
    let names = match fs.list_dir(dir) {
        Ok(n) => n,
        Err(e) => return Known::unknown(e.to_string()),
    };
    let mut vfs: Vec<(u32, String)> = Vec::new();
    for name in names {
        if let Some(n) = name.strip_prefix("virtfn").and_then(|n| n.parse().ok()) {
            match fs.read_link(&join(dir, &name)) {
                Ok(t) => match base_name(&t).parse::<PciAddress>() {
                    Ok(a) => vfs.push((n, a.to_string())),
                    Err(_) => {
                        return Known::unknown(format!("{dir}/{name} -> {t}: not a PCI device"))
                    }
                },
                Err(e) => return Known::unknown(e.to_string()),
            }
        }
    }
    vfs.sort();
    Known::Value(vfs.into_iter().map(|(_, a)| a).collect())
}

/// Reads every device, marks targets, and works out each group's members.
pub fn probe(
    fs: &dyn HostFs,
    addresses: &[PciAddress],
    targets: &[PciAddress],
    catalog: &Catalog,
    xen_dom0: bool,
) -> Vec<DeviceFacts> {
    // With --device targets, only the devices that bear on them are read in
    // full: the targets, their PFs and the members of their IOMMU groups.
    // The others are only looked at to count the host's PFs; a VF is never
    // a PF, and a PF's VFs come after it in address order, so once a PF is
    // seen its VFs are known without a look.
    let related = (!targets.is_empty())
        .then(|| related(fs, targets))
        .flatten();
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
        d.target_pf = d.sriov.is_some() && target_pfs.contains(&d.address.to_string());
    }
    let groups = group_members(&devices);
    // A group's domain type; VFIO's no-IOMMU groups are named vfio-noiommu
    // instead, and whether a group is one may be unknown.
    // (A VF has a group of its own: thousands of files on a large host.)
    let noiommu_possible = crate::probes::iommu::noiommu_groups_possible(fs);
    let ids: Vec<u32> = groups.keys().copied().collect();
    let types: HashMap<u32, Known<Option<String>>> = crate::par::map(&ids, 256, |id| {
        let t = crate::probes::iommu::is_noiommu_group(fs, &noiommu_possible, &id.to_string()).map(
            |noiommu| {
                if noiommu {
                    Some("vfio-noiommu".to_string())
                } else {
                    fs.read_text(&format!("/sys/kernel/iommu_groups/{id}/type"))
                        .ok()
                }
            },
        );
        (*id, t)
    })
    .into_iter()
    .collect();
    let group_facts: Vec<Known<GroupFacts>> = devices
        .iter()
        .map(|d| group_facts(d, &groups, &types, xen_dom0))
        .collect();
    for (d, g) in devices.iter_mut().zip(group_facts) {
        d.group = g;
    }
    devices
}

fn group_members(devices: &[DeviceFacts]) -> HashMap<u32, Vec<&DeviceFacts>> {
    let mut groups: HashMap<u32, Vec<&DeviceFacts>> = HashMap::new();
    for d in devices {
        if let Some(Some(g)) = d.iommu_group.value() {
            groups.entry(*g).or_default().push(d);
        }
    }
    groups
}

fn group_facts(
    d: &DeviceFacts,
    groups: &HashMap<u32, Vec<&DeviceFacts>>,
    types: &HashMap<u32, Known<Option<String>>>,
    xen_dom0: bool,
) -> Known<GroupFacts> {
    let id = match &d.iommu_group {
        Known::Value(Some(id)) => *id,
        Known::Value(None) if xen_dom0 => {
            return Known::unknown(
                "Xen dom0: Xen, not this kernel, drives the IOMMU, so there are no IOMMU groups to read (check `xl pci-assignable-list`)",
            )
        }
        Known::Value(None) => {
            return Known::unknown(format!(
                "{} has no IOMMU group: the kernel has not enabled the IOMMU (see kernel.iommu)",
                d.address
            ))
        }
        Known::Unknown(r) => return Known::unknown(r.clone()),
    };
    let domain_type = match types.get(&id) {
        Some(Known::Unknown(r)) => return Known::unknown(r.clone()),
        Some(Known::Value(t)) => t.clone(),
        None => None,
    };
    if domain_type.as_deref() == Some("vfio-noiommu") {
        return Known::unknown(format!(
            "group {id} is VFIO's no-IOMMU group (enable_unsafe_noiommu_mode): no IOMMU isolates {} (see kernel.vfio-noiommu)",
            d.address
        ));
    }
    let mut members = Vec::new();
    let mut blockers = Vec::new();
    let mut by_addr = BTreeMap::new();
    for m in groups.get(&id).map(Vec::as_slice).unwrap_or(&[]) {
        by_addr.insert(m.address, *m);
    }
    let mut unreadable = Vec::new();
    for (addr, m) in by_addr {
        let driver = match &m.driver {
            Known::Value(d) => d.clone(),
            Known::Unknown(r) => {
                unreadable.push(format!("group {id}: {r}"));
                continue;
            }
        };
        let member = GroupMember {
            address: addr.to_string(),
            driver: driver.clone(),
            is_bridge: m.is_bridge,
        };
        if addr != d.address && !m.is_bridge && driver_role(driver.as_deref()) == DriverRole::Host {
            blockers.push(member.clone());
        }
        members.push(member);
    }
    // One known blocker settles it; otherwise an unreadable member leaves
    // viability unknown.
    if blockers.is_empty() && !unreadable.is_empty() {
        return Known::unknown(unreadable.join("; "));
    }
    Known::Value(GroupFacts {
        id,
        domain_type,
        endpoints: members.iter().filter(|m| !m.is_bridge).count(),
        members,
        blockers,
        unreadable,
    })
}
