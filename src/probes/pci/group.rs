//! IOMMU groups: the members of each device's group, which of them keep it
//! from being assigned, and the group's domain type.

use std::collections::{BTreeMap, HashMap};

use crate::facts::{DeviceFacts, DriverRole, GroupFacts, GroupMember, Known};
use crate::hostfs::HostFs;

use super::driver_role;

/// Fills each device's group facts.
pub(super) fn fill(fs: &dyn HostFs, devices: &mut [DeviceFacts], xen_dom0: bool) {
    let groups = group_members(devices);
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
            vfs: m.sriov.as_ref().and_then(|s| s.numvfs.value().copied()),
            netdevs: m.netdevs.clone(),
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
