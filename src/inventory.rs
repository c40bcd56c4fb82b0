//! The SR-IOV inventory behind `list` and `hostdev`: each PF with its VFs,
//! their drivers, groups and holders, taken from the facts.

use serde::Serialize;

use crate::address::PciAddress;
use crate::facts::{DeviceFacts, DeviceKind, Facts, Known};

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
    /// No one holds it and no guest definition names it.
    pub free: bool,
}

fn ids(d: &DeviceFacts) -> String {
    format!(
        "{}:{}",
        d.vendor.value().map(String::as_str).unwrap_or("????"),
        d.device.value().map(String::as_str).unwrap_or("????")
    )
}

fn vf_entry(d: &DeviceFacts) -> VfEntry {
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
    VfEntry {
        address: d.address.to_string(),
        libvirt_name: d.libvirt_name.clone(),
        ids: ids(d),
        driver: d.driver.value().cloned().flatten(),
        iommu_group: d.iommu_group.value().copied().flatten(),
        free: holders.is_empty() && holders_unknown.is_none() && d.defined_in.is_empty(),
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
    let mut pfs = Vec::new();
    for pf in facts.devices.iter().filter(|d| d.kind == DeviceKind::Pf) {
        let sriov = pf.sriov.as_ref();
        let vf_addrs: Vec<String> = sriov
            .and_then(|s| s.vfs.value().cloned())
            .unwrap_or_default();
        let vfs = vf_addrs
            .iter()
            .filter_map(|a| by_address.get(a))
            .map(|d| vf_entry(d))
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

/// The first VF of `pf` that no one holds and no guest names; VFs already on
/// vfio-pci or unbound first, since they need no detaching.
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
        .ok_or_else(|| {
            format!(
                "no free VF on {pf}: {} VF(s), all held or named by a guest (sriov-doctor list shows them)",
                entry.vfs.len()
            )
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
