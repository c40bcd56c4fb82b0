//! The SR-IOV inventory behind `list` and `hostdev`: each PF with its VFs,
//! their drivers, groups and holders, taken from the facts.

use serde::Serialize;

use crate::address::PciAddress;
use crate::facts::{DeviceFacts, DeviceKind, DriverRole, Facts, Known};

#[derive(Clone, Debug, Serialize)]
pub struct Inventory {
    pub schema_version: u32,
    pub root: String,
    pub pfs: Vec<PfEntry>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PfEntry {
    pub address: String,
    pub ids: String,
    pub name: Option<String>,
    pub vendor_name: Option<String>,
    pub driver: Option<String>,
    pub netdevs: Vec<String>,
    pub numvfs: Option<u32>,
    pub totalvfs: Option<u32>,
    pub numa_node: Option<i64>,
    pub vfs: Vec<VfEntry>,
}

#[derive(Clone, Debug, Serialize)]
pub struct VfEntry {
    pub address: String,
    pub libvirt_name: String,
    pub ids: String,
    pub driver: Option<String>,
    pub iommu_group: Option<u32>,
    /// "guest web01 (pid 4242)", "dpdk-testpmd (pid 5151)"; empty when free.
    pub holders: Vec<String>,
    /// Why the holder is not known, when it is not.
    pub holders_unknown: Option<String>,
    /// Guest definitions that name it.
    pub defined_in: Vec<String>,
    /// Whether a guest could be given it now, as `check` decides it.
    pub state: VfState,
    /// The state in words, as `list` shows it after the group: "free",
    /// "host: igbvf (enp3s16)", "shared with 0000:03:00.0 (igb)" (its
    /// group), "held by guest web01 (pid 4242)", "named by web01 (…)", …
    pub state_text: String,
    /// `state` is free: a guest could be given it now.
    pub free: bool,
}

/// Whether a guest could be given a VF now; the first that applies, in
/// this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VfState {
    /// Who holds it, its group or its driver could not be read, or its
    /// group gives it no isolation (VFIO's no-IOMMU mode).
    Unknown,
    /// A running guest or a process (DPDK, …) holds it.
    Held,
    /// Its IOMMU group holds another device on a host driver: VFIO cannot
    /// take the group while the host uses that device (iommu.group).
    GroupShared,
    /// It has no IOMMU group: the IOMMU is off (kernel.iommu).
    NoGroup,
    /// A guest definition names it: it is spoken for, though no guest runs
    /// with it now.
    Named,
    /// A host driver has it (igbvf, iavf, …): the host uses it, until
    /// libvirt's managed mode or `virsh nodedev-detach` takes it
    /// (device.host-driver).
    Host,
    /// On vfio-pci, a stub or pciback, or no driver; its group viable; no
    /// one holds it and no guest definition names it.
    Free,
}

fn ids(d: &DeviceFacts) -> String {
    format!(
        "{}:{}",
        d.vendor.value().map(String::as_str).unwrap_or("????"),
        d.device.value().map(String::as_str).unwrap_or("????")
    )
}

/// At most this many devices are named in a shared group's state.
const NAMED_BLOCKERS: usize = 3;

/// `d`'s state and its words. `xen_dom0`: Xen, not this kernel, drives the
/// IOMMU, so no VF has a group to read.
fn vf_state(d: &DeviceFacts, holders: &[String], xen_dom0: bool) -> (VfState, String) {
    if let Known::Unknown(r) = &d.holders {
        return (VfState::Unknown, format!("holder unknown: {r}"));
    }
    if !holders.is_empty() {
        return (VfState::Held, format!("held by {}", holders.join(", ")));
    }
    match (&d.group, &d.iommu_group) {
        (Known::Value(g), _) if !g.blockers.is_empty() => {
            let mut users: Vec<String> = g
                .blockers
                .iter()
                .take(NAMED_BLOCKERS)
                .map(|m| format!("{} ({})", m.address, m.driver.as_deref().unwrap_or("?")))
                .collect();
            if g.blockers.len() > NAMED_BLOCKERS {
                users.push(format!("and {} more", g.blockers.len() - NAMED_BLOCKERS));
            }
            // Shown after the group's number.
            return (
                VfState::GroupShared,
                format!("shared with {}", users.join(", ")),
            );
        }
        (Known::Value(_), _) => {}
        (Known::Unknown(_), Known::Value(None)) if xen_dom0 => {}
        (Known::Unknown(_), Known::Value(None)) => {
            return (VfState::NoGroup, "no IOMMU group (the IOMMU is off)".into())
        }
        (Known::Unknown(r), _) => return (VfState::Unknown, r.clone()),
    }
    if !d.defined_in.is_empty() {
        return (
            VfState::Named,
            format!("named by {}", d.defined_in.join("; ")),
        );
    }
    match (&d.driver_role, d.driver.value().cloned().flatten()) {
        (Known::Value(DriverRole::Host), driver) => {
            let netdevs = if d.netdevs.is_empty() {
                String::new()
            } else {
                format!(" ({})", d.netdevs.join(", "))
            };
            (
                VfState::Host,
                format!("host: {}{netdevs}", driver.as_deref().unwrap_or("?")),
            )
        }
        (Known::Unknown(r), _) => (VfState::Unknown, format!("driver unknown: {r}")),
        (Known::Value(_), _) => (VfState::Free, "free".into()),
    }
}

fn vf_entry(d: &DeviceFacts, xen_dom0: bool) -> VfEntry {
    let (holders, holders_unknown) = match &d.holders {
        Known::Value(h) => (
            h.iter()
                .map(|h| match &h.domain {
                    Some(dom) => format!("guest {dom} (pid {})", h.pid),
                    None => format!("{} (pid {})", h.comm, h.pid),
                })
                .collect::<Vec<_>>(),
            None,
        ),
        Known::Unknown(r) => (Vec::new(), Some(r.clone())),
    };
    let (state, state_text) = vf_state(d, &holders, xen_dom0);
    VfEntry {
        address: d.address.to_string(),
        libvirt_name: d.libvirt_name.clone(),
        ids: ids(d),
        driver: d.driver.value().cloned().flatten(),
        iommu_group: d.iommu_group.value().copied().flatten(),
        state,
        state_text,
        free: state == VfState::Free,
        holders,
        holders_unknown,
        defined_in: d.defined_in.clone(),
    }
}

pub fn build(facts: &Facts) -> Inventory {
    let by_address: std::collections::HashMap<String, &DeviceFacts> = facts
        .devices
        .iter()
        .map(|d| (d.address.to_string(), d))
        .collect();
    let xen_dom0 = facts.host.xen.value().is_some_and(|x| x.dom0);
    let mut pfs = Vec::new();
    for pf in facts.devices.iter().filter(|d| d.kind == DeviceKind::Pf) {
        let sriov = pf.sriov.as_ref();
        let vf_addrs: Vec<String> = sriov
            .and_then(|s| s.vfs.value().cloned())
            .unwrap_or_default();
        let vfs = vf_addrs
            .iter()
            .filter_map(|a| by_address.get(a))
            .map(|d| vf_entry(d, xen_dom0))
            .collect();
        pfs.push(PfEntry {
            address: pf.address.to_string(),
            ids: ids(pf),
            name: pf.device_name.clone(),
            vendor_name: pf.vendor_name.clone(),
            driver: pf.driver.value().cloned().flatten(),
            netdevs: pf.netdevs.clone(),
            numvfs: sriov.and_then(|s| s.numvfs.value().copied()),
            totalvfs: sriov.and_then(|s| s.totalvfs.value().copied()),
            numa_node: pf.numa_node.value().copied(),
            vfs,
        });
    }
    Inventory {
        schema_version: crate::report::SCHEMA_VERSION,
        root: facts.host.root.clone(),
        pfs,
    }
}

/// The first VF of `pf` a guest could be given now (on vfio-pci or no
/// driver first, as they need no detaching); else the first that only a
/// host driver has, which libvirt's managed mode detaches at guest start.
pub fn free_vf(inv: &Inventory, pf: PciAddress) -> Result<&VfEntry, String> {
    let pf_s = pf.to_string();
    let entry = inv
        .pfs
        .iter()
        .find(|p| p.address == pf_s)
        .ok_or_else(|| format!("{pf} is not an SR-IOV physical function on this host"))?;
    let ready = |v: &&VfEntry| matches!(v.driver.as_deref(), None | Some("vfio-pci"));
    entry
        .vfs
        .iter()
        .filter(|v| v.free)
        .find(ready)
        .or_else(|| entry.vfs.iter().find(|v| v.free))
        .or_else(|| entry.vfs.iter().find(|v| v.state == VfState::Host))
        .ok_or_else(|| match entry.vfs.len() {
            0 => format!("no free VF on {pf}: it has no VFs (sriov-doctor check shows how to create them)"),
            n => format!(
                "no free VF on {pf}: its {n} VF(s) are held, named by a guest, in a shared IOMMU group or not readable (sriov-doctor list shows which)"
            ),
        })
}

/// libvirt's <hostdev> element for a PCI device, with its address in hex,
/// as `printf %x` gave the seed's reader.
pub fn hostdev_xml(a: PciAddress, managed: bool) -> String {
    format!(
        "<hostdev mode='subsystem' type='pci' managed='{}'>\n  <source>\n    <address domain='0x{:04x}' bus='0x{:02x}' slot='0x{:02x}' function='0x{:x}'/>\n  </source>\n</hostdev>\n",
        if managed { "yes" } else { "no" },
        a.domain,
        a.bus,
        a.device,
        a.function
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostdev_uses_hex_as_the_guide_computes_it() {
        // The guide: bus 3, slot 16, function 1 → bus='0x03' slot='0x10' function='0x01'.
        let a: PciAddress = "0000:03:10.1".parse().unwrap();
        let x = hostdev_xml(a, true);
        assert!(x.contains("bus='0x03' slot='0x10' function='0x1'"), "{x}");
        assert!(x.contains("managed='yes'"));
    }
}
