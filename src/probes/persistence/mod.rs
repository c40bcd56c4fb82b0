//! What recreates each PF's VFs at boot (`device.sriov.persistence`, for
//! sriov.persistence). Every setting is read from its file and cited by path
//! and line; a comment or a suggestion is not one. The files are data:
//! each is read whole only up to [`MAX_CONF_BYTES`], at most
//! [`MAX_FILES`] per directory, invalid UTF-8 replaced.

mod matching;
mod sources;
mod units;

use std::collections::BTreeMap;

use crate::facts::{DeviceFacts, Known, PersistSource, VfPersistence};
use crate::hostfs::{join, HostFs};

use matching::Pf;

/// A configuration file larger than this is not read (and said so).
pub const MAX_CONF_BYTES: usize = 1 << 20;
/// At most this many files of one directory are read.
pub const MAX_FILES: usize = 1000;

/// Drivers with a module option that creates VFs when they load, from the
/// Linux sources: igb `max_vfs` (drivers/net/ethernet/intel/igb/igb_main.c),
/// ixgbe `max_vfs` (ixgbe_main.c, deprecated but honoured), mlx4_core
/// `num_vfs` (drivers/net/ethernet/mellanox/mlx4/main.c, a list per port),
/// be2net `num_vfs` (drivers/net/ethernet/emulex/benet/be_main.c, obsolete
/// but read). i40e, ice, mlx5_core and bnxt_en have none upstream (their
/// out-of-tree versions had one): sysfs only.
pub const VF_OPTIONS: &[(&str, &str)] = &[
    ("igb", "max_vfs"),
    ("ixgbe", "max_vfs"),
    ("mlx4_core", "num_vfs"),
    ("be2net", "num_vfs"),
];

/// The files of a configuration directory set, one per name: the first
/// directory that has a name wins (`/etc` over `/run` over `/usr/lib`), in
/// name order.
pub struct ConfFiles {
    pub files: Vec<(String, String)>,
    /// "/etc/udev/rules.d (2 files)" for each directory that exists.
    pub looked: Vec<String>,
    /// Directories or files that could not be read.
    pub doubts: Vec<String>,
}

pub fn read_dirs(fs: &dyn HostFs, dirs: &[&str], suffix: &str) -> ConfFiles {
    let mut by_name: BTreeMap<String, String> = BTreeMap::new();
    let mut looked = Vec::new();
    let mut doubts = Vec::new();
    for dir in dirs {
        let names = match fs.list_dir(dir) {
            Ok(n) => n,
            Err(e) if e.is_not_found() => continue,
            Err(e) => {
                doubts.push(e.to_string());
                continue;
            }
        };
        let names: Vec<String> = names.into_iter().filter(|n| n.ends_with(suffix)).collect();
        if names.len() > MAX_FILES {
            doubts.push(format!(
                "{dir}: {} files, only the first {MAX_FILES} read",
                names.len()
            ));
        }
        let n = names.len().min(MAX_FILES);
        looked.push(format!("{dir} ({n} file{})", if n == 1 { "" } else { "s" }));
        for name in names.into_iter().take(MAX_FILES) {
            by_name.entry(name).or_insert_with(|| dir.to_string());
        }
    }
    let mut files = Vec::new();
    for (name, dir) in by_name {
        let path = join(&dir, &name);
        if let Some(text) = read_conf(fs, &path, &mut doubts) {
            files.push((path, text));
        }
    }
    ConfFiles {
        files,
        looked,
        doubts,
    }
}

/// A configuration file as text, bounded; a file masked by a link to
/// /dev/null, or that cannot be read, is none.
pub fn read_conf(fs: &dyn HostFs, path: &str, doubts: &mut Vec<String>) -> Option<String> {
    if fs.read_link(path).is_ok_and(|t| t == "/dev/null") {
        return None;
    }
    match fs.read(path) {
        Ok(b) if b.len() > MAX_CONF_BYTES => {
            doubts.push(format!(
                "{path}: larger than {} KiB, not read",
                MAX_CONF_BYTES >> 10
            ));
            None
        }
        Ok(b) => Some(String::from_utf8_lossy(&b).into_owned()),
        Err(e) if e.is_not_found() => None,
        Err(e) => {
            doubts.push(e.to_string());
            None
        }
    }
}

/// A setting as shown: one line, at most 200 characters.
pub fn shown(text: &str) -> String {
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match one.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &one[..i]),
        None => one,
    }
}

pub fn source(kind: &str, at: String, vfs: Option<u32>, text: &str, note: &str) -> PersistSource {
    PersistSource {
        kind: kind.to_string(),
        at,
        vfs,
        shown: shown(text),
        note: note.to_string(),
    }
}

/// Fills `device.sriov.persistence` of every PF.
pub fn probe(
    fs: &dyn HostFs,
    params: &Known<BTreeMap<String, String>>,
    devices: &mut [DeviceFacts],
) {
    if !devices.iter().any(|d| d.sriov.is_some()) {
        return;
    }
    let unknown = |why: String| {
        move |d: &mut DeviceFacts| {
            if let Some(s) = d.sriov.as_mut() {
                s.persistence = Known::unknown(why.clone());
            }
        }
    };
    // Every host has /etc: without it, "nothing recreates them" would be a
    // guess.
    match fs.exists("/etc") {
        Ok(true) => {}
        Ok(false) => {
            devices.iter_mut().for_each(unknown(
                "/etc is not there: the boot configuration cannot be read".into(),
            ));
            return;
        }
        Err(e) => {
            devices.iter_mut().for_each(unknown(e.to_string()));
            return;
        }
    }
    let config = sources::Config::read(fs, params);
    for d in devices.iter_mut() {
        let Some(sriov) = d.sriov.as_ref() else {
            continue;
        };
        if matches!(d.sysfs, Known::Unknown(_)) {
            // A device read only in part (with --device targets elsewhere).
            continue;
        }
        let address = d.address.to_string();
        let macs = d
            .netdevs
            .iter()
            .filter_map(|n| fs.read_text(&format!("/sys/class/net/{n}/address")).ok())
            .map(|m| m.to_lowercase())
            .collect();
        let driver = match d.driver.value().cloned().flatten() {
            Some(drv) if drv != "vfio-pci" => Some(drv),
            _ => d.catalog.as_ref().map(|c| c.pf_driver.clone()),
        };
        let ancestors = d
            .sysfs
            .value()
            .map(|p| {
                p.split('/')
                    .filter(|c| {
                        c.starts_with("pci") || c.parse::<crate::address::PciAddress>().is_ok()
                    })
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let pf = Pf {
            address: &address,
            netdevs: &d.netdevs,
            macs,
            driver: driver.as_deref(),
            vendor: d.vendor.value().map(|v| hex_attr(v)),
            device: d.device.value().map(|v| hex_attr(v)),
            totalvfs: sriov.totalvfs.value().copied(),
            ancestors,
        };
        let found = config.for_pf(&pf);
        let result = if found.sources.is_empty() && !config.doubts.is_empty() {
            Known::unknown(format!(
                "nothing found that recreates the VFs, but not everything could be read: {}",
                config.doubts.join("; ")
            ))
        } else {
            Known::Value(VfPersistence {
                looked: config.looked.clone(),
                ..found
            })
        };
        if let Some(s) = d.sriov.as_mut() {
            s.persistence = result;
        }
    }
}

/// An id as its sysfs attribute reads: `0x8086`.
fn hex_attr(id: &str) -> String {
    if id.starts_with("0x") {
        id.to_lowercase()
    } else {
        format!("0x{}", id.to_lowercase())
    }
}
