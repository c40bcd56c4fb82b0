//! Which VFs a guest could be given now, from what the other probes found:
//! a VF whose IOMMU group holds no other endpoint on a host driver, and
//! that no guest or process holds. A VF whose group is not viable cannot
//! be given without taking a device from the host, often its own PF
//! (detaching which removes the VF itself).

use crate::facts::{DeviceFacts, DeviceKind, DriverRole, Known};

/// How many blocked VFs are named before "and N more".
const NAMED: usize = 5;

/// What [`assignable`] found: the VFs a guest could have, those among them
/// that need a detach first, and why each other VF cannot be given.
#[derive(Debug, PartialEq)]
pub struct Assignable {
    /// Every VF a guest could have, now or after a detach (unknown when
    /// none is known to be and some VF's group or holders could not be read).
    pub vfs: Known<Vec<String>>,
    /// Of those, the ones on a host driver or on none: libvirt's
    /// managed='yes' detaches and binds them at guest start (on a Xen dom0,
    /// `xl pci-assignable-add` gives them to pciback).
    pub after_detach: Vec<String>,
    /// Why each other VF cannot be given, the first [`NAMED`], then a count.
    pub blocked: Vec<String>,
    /// How many VFs cannot be given.
    pub blocked_count: usize,
}

/// The VFs a guest could have, and why each of the others cannot be given.
/// On a Xen dom0, Xen drives the IOMMU: there are no groups to read, and
/// pciback, not VFIO, sets a VF aside.
pub fn assignable<'a>(
    devices: impl IntoIterator<Item = &'a DeviceFacts>,
    xen_dom0: bool,
) -> Assignable {
    let mut free = Vec::new();
    let mut after_detach = Vec::new();
    let mut blocked = Vec::new();
    let mut unknown = None;
    for d in devices.into_iter().filter(|d| d.kind == DeviceKind::Vf) {
        match (&d.group, xen_dom0) {
            (_, true) => {}
            (Known::Unknown(why), false) => {
                unknown.get_or_insert_with(|| why.clone());
                continue;
            }
            (Known::Value(group), false) if !group.blockers.is_empty() => {
                let users: Vec<String> = group
                    .blockers
                    .iter()
                    .map(|m| format!("{} on {}", m.address, m.driver.as_deref().unwrap_or("?")))
                    .collect();
                blocked.push(format!(
                    "{}: group {} is not viable ({})",
                    d.address,
                    group.id,
                    users.join(", ")
                ));
                continue;
            }
            (Known::Value(_), false) => {}
        }
        match &d.holders {
            Known::Value(h) if h.is_empty() => {
                let ready = match d.driver_role.value() {
                    Some(DriverRole::XenPciback) => true,
                    Some(r) => !xen_dom0 && r.sets_aside(),
                    None => {
                        unknown.get_or_insert_with(|| format!("driver of {}", d.address));
                        continue;
                    }
                };
                if !ready {
                    after_detach.push(d.address.to_string());
                }
                free.push(d.address.to_string());
            }
            Known::Value(h) => {
                let who: Vec<String> = h
                    .iter()
                    .map(|x| match &x.domain {
                        Some(g) => format!("guest {g}"),
                        None => format!("{} pid {}", x.comm, x.pid),
                    })
                    .collect();
                blocked.push(format!("{}: held by {}", d.address, who.join(", ")));
            }
            Known::Unknown(why) => {
                unknown.get_or_insert_with(|| format!("holders of {}: {why}", d.address));
            }
        }
    }
    let blocked_count = blocked.len();
    if blocked.len() > NAMED {
        let more = blocked.len() - NAMED;
        blocked.truncate(NAMED);
        blocked.push(format!("and {more} more"));
    }
    let vfs = match (free.is_empty(), unknown) {
        (true, Some(why)) => Known::unknown(why),
        _ => Known::Value(free),
    };
    Assignable {
        vfs,
        after_detach,
        blocked,
        blocked_count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixture hosts' devices, as the probes find them.
    fn devices(host: &str) -> Vec<DeviceFacts> {
        let root = format!("{}/tests/hosts/{host}/root", env!("CARGO_MANIFEST_DIR"));
        let fs = crate::hostfs::DirFs::tree(std::path::Path::new(&root)).unwrap();
        crate::gather(&fs, &[]).unwrap().devices
    }

    #[test]
    fn a_shared_group_blocks_every_vf_and_says_why() {
        let a = assignable(&devices("seed-group-shared"), false);
        let (free, blocked) = (a.vfs, a.blocked);
        assert_eq!(a.blocked_count, 2);
        assert_eq!(free, Known::Value(Vec::new()));
        assert_eq!(blocked.len(), 2, "{blocked:?}");
        assert!(
            blocked[0].starts_with("0000:03:10.0: group 7 is not viable (0000:03:00.0 on igb"),
            "{blocked:?}"
        );
    }

    #[test]
    fn free_vfs_are_listed_and_held_ones_are_not() {
        let a = assignable(&devices("seed-ready"), false);
        assert!(a.after_detach.is_empty(), "{a:?}");
        let (free, blocked) = (a.vfs, a.blocked);
        assert_eq!(
            free,
            Known::Value(vec!["0000:03:10.0".into(), "0000:03:10.1".into()])
        );
        assert!(blocked.is_empty());
        let a = assignable(&devices("seed-guest-holds"), false);
        let (free, blocked) = (a.vfs, a.blocked);
        let free = free.value().unwrap().clone();
        assert!(!free.contains(&"0000:03:10.0".to_string()), "{free:?}");
        assert!(
            blocked
                .iter()
                .any(|b| b == "0000:03:10.0: held by guest web01"),
            "{blocked:?}"
        );
    }

    #[test]
    fn no_group_is_unknown_not_blocked() {
        let a = assignable(&devices("seed-iommu-off"), false);
        let (free, blocked) = (a.vfs, a.blocked);
        assert!(free.value().is_none(), "{free:?}");
        assert!(blocked.is_empty());
    }

    #[test]
    fn a_vf_on_its_host_driver_counts_after_a_detach() {
        // seed-host-driver: 03:10.0 on igbvf, alone in its group.
        let a = assignable(&devices("seed-host-driver"), false);
        assert!(
            a.after_detach.contains(&"0000:03:10.0".to_string()),
            "{a:?}"
        );
        assert!(a.vfs.value().unwrap().contains(&"0000:03:10.0".to_string()));
        // Xen: no groups; pciback is ready, igbvf needs xl pci-assignable-add.
        let a = assignable(&devices("xen-no-pciback"), true);
        assert_eq!(a.after_detach.len(), 2, "{a:?}");
        assert_eq!(a.blocked_count, 0);
        // xen-ready: 03:10.0 is pciback's, assignable as it is.
        let a = assignable(&devices("xen-ready"), true);
        assert!(a.vfs.value().unwrap().contains(&"0000:03:10.0".to_string()));
        assert!(
            !a.after_detach.contains(&"0000:03:10.0".to_string()),
            "{a:?}"
        );
    }
}
