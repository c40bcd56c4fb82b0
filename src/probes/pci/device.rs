//! One device's sysfs directory read into its facts: ids, driver, IOMMU
//! group, SR-IOV links; or, for a device that does not bear on the
//! --device targets, only whether it is a PF.

use crate::address::PciAddress;
use crate::catalog::{pci_names, Catalog};
use crate::facts::{DeviceFacts, DeviceKind, DriverRole, Known, SriovFacts};
use crate::hostfs::{base_name, join, HostFs};

use super::{driver_role, DEVICES};

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

pub(super) fn number_attr<T: std::str::FromStr>(fs: &dyn HostFs, path: &str) -> Known<T> {
    match fs.read_text(path) {
        Ok(t) => t
            .parse()
            .map(Known::Value)
            .unwrap_or_else(|_| Known::unknown(format!("{path}: '{t}' is not a number"))),
        Err(e) => Known::unknown(e.to_string()),
    }
}

/// Target of an optional link, reduced to its last component.
pub(super) fn link_name(fs: &dyn HostFs, path: &str) -> Known<Option<String>> {
    match fs.read_link(path) {
        Ok(t) => Known::Value(Some(base_name(&t).to_string())),
        Err(e) if e.is_not_found() => Known::Value(None),
        Err(e) => Known::unknown(e.to_string()),
    }
}

pub(super) fn one_device(fs: &dyn HostFs, address: PciAddress, catalog: &Catalog) -> DeviceFacts {
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
        needed_vfs: 0,
        missing_targets: Vec::new(),
        vf_bars: super::bars::vf_bars(fs, &dir),
        persistence: Known::unknown("not read yet"),
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
    let netdevs_up = netdevs
        .iter()
        .filter(|n| {
            fs.read_text(&format!("{dir}/net/{n}/operstate"))
                .is_ok_and(|state| state.trim() == "up")
        })
        .cloned()
        .collect();
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
        netdevs_up,
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
        guest_ram: Known::Value(None),
        config: Known::unknown("not computed"),
        vfio_node: None,
        reset: Known::unknown("only read for VFs and --device targets"),
        power: Known::unknown("only read for VFs and --device targets"),
        bar_claims: Known::unknown("only read for VFs and --device targets"),
        iommu_width: Known::Value(None),
    }
}

/// The VFs a PF has enabled: from its virtfn links when they were read,
/// else computed as the kernel does (routing ID of VF n = the PF's +
/// sriov_offset + n × sriov_stride, PCIe SR-IOV 9.3.3.9–10). Empty for
/// anything else, or when that cannot be read.
pub(super) fn vf_addresses(fs: &dyn HostFs, d: &DeviceFacts) -> Vec<PciAddress> {
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
pub(super) fn unrelated_device(
    fs: &dyn HostFs,
    address: PciAddress,
    known_vf: bool,
) -> DeviceFacts {
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
        netdevs_up: Vec::new(),
        target: false,
        target_pf: false,
        sriov: is_pf.then(|| SriovFacts {
            totalvfs: why(),
            numvfs: number_attr(fs, &join(&dir, "sriov_numvfs")),
            vfs: why(),
            needed_vfs: 0,
            missing_targets: Vec::new(),
            vf_bars: why(),
            persistence: why(),
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
        guest_ram: Known::Value(None),
        config: why(),
        vfio_node: None,
        reset: why(),
        power: why(),
        bar_claims: why(),
        iommu_width: why(),
    }
}

/// VF addresses from the virtfnN links, ordered by N.
pub(super) fn virtfns(fs: &dyn HostFs, dir: &str) -> Known<Vec<String>> {
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
