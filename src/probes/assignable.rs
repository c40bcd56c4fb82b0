//! Which VFs a guest could be given now, from what the other probes found:
//! a VF whose IOMMU group holds no other endpoint on a host driver, and
//! that no guest or process holds. A VF whose group is not viable cannot
//! be given without taking a device from the host, often its own PF
//! (detaching which removes the VF itself).

use crate::facts::{DeviceFacts, DeviceKind, Known};

/// How many blocked VFs are named before "and N more".
const NAMED: usize = 5;

/// The VFs a guest could have (unknown when none is known to be free and
/// some VF's group or holders could not be read), and why each of the
/// others cannot be given (the first [`NAMED`], then a count).
pub fn assignable(devices: &[DeviceFacts]) -> (Known<Vec<String>>, Vec<String>) {
    let mut free = Vec::new();
    let mut blocked = Vec::new();
    let mut unknown = None;
    for d in devices.iter().filter(|d| d.kind == DeviceKind::Vf) {
        let group = match &d.group {
            Known::Value(g) => g,
            Known::Unknown(why) => {
                unknown.get_or_insert_with(|| why.clone());
                continue;
            }
        };
        if !group.blockers.is_empty() {
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
        match &d.holders {
            Known::Value(h) if h.is_empty() => free.push(d.address.to_string()),
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
    if blocked.len() > NAMED {
        let more = blocked.len() - NAMED;
        blocked.truncate(NAMED);
        blocked.push(format!("and {more} more"));
    }
    let free = match (free.is_empty(), unknown) {
        (true, Some(why)) => Known::unknown(why),
        _ => Known::Value(free),
    };
    (free, blocked)
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
        let (free, blocked) = assignable(&devices("seed-group-shared"));
        assert_eq!(free, Known::Value(Vec::new()));
        assert_eq!(blocked.len(), 2, "{blocked:?}");
        assert!(
            blocked[0].starts_with("0000:03:10.0: group 7 is not viable (0000:03:00.0 on igb"),
            "{blocked:?}"
        );
    }

    #[test]
    fn free_vfs_are_listed_and_held_ones_are_not() {
        let (free, blocked) = assignable(&devices("seed-ready"));
        assert_eq!(
            free,
            Known::Value(vec!["0000:03:10.0".into(), "0000:03:10.1".into()])
        );
        assert!(blocked.is_empty());
        let (free, blocked) = assignable(&devices("seed-guest-holds"));
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
        let (free, blocked) = assignable(&devices("seed-iommu-off"));
        assert!(free.value().is_none(), "{free:?}");
        assert!(blocked.is_empty());
    }
}
