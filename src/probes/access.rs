//! Who QEMU runs as (libvirt's qemu.conf, else the distribution's default),
//! from the root's own /etc files (never NSS), and whether it can open the
//! files device assignment needs.

use crate::facts::{
    DeviceFacts, DistroFacts, DistroFamily, DriverRole, FileAccess, Known, QemuFacts,
};
use crate::formats::{etc_passwd, libvirt_conf};
use crate::hostfs::HostFs;

const QEMU_CONF: &str = "/etc/libvirt/qemu.conf";

pub fn qemu(fs: &dyn HostFs, distro: &Known<DistroFacts>) -> Known<QemuFacts> {
    let conf = match fs.read_text(QEMU_CONF) {
        Ok(t) => Some(t),
        Err(e) if e.is_not_found() => None,
        Err(e) => return Known::unknown(e.to_string()),
    };
    if let Some(why) = conf.as_deref().and_then(libvirt_conf::syntax_error) {
        return Known::unknown(format!(
            "{QEMU_CONF}: {why}: libvirt would not read this file"
        ));
    }
    let family = distro.value().map_or(DistroFamily::Other, |d| d.family);
    let (default_user, default_group) = match family {
        DistroFamily::Debian => ("libvirt-qemu", "kvm"),
        _ => ("qemu", "qemu"),
    };
    let conf_user = conf.as_deref().and_then(|c| libvirt_conf::value(c, "user"));
    let conf_group = conf
        .as_deref()
        .and_then(|c| libvirt_conf::value(c, "group"));
    let user_source = if conf_user.is_some() {
        QEMU_CONF.to_string()
    } else {
        format!("default for {} distributions", family.as_str())
    };
    let user = conf_user.unwrap_or_else(|| default_user.to_string());
    let group = conf_group.unwrap_or_else(|| default_group.to_string());
    let dynamic_ownership = conf
        .as_deref()
        .and_then(|c| libvirt_conf::value(c, "dynamic_ownership"))
        .map(|v| v != "0")
        .unwrap_or(true);

    let passwd = fs.read_text("/etc/passwd");
    let groups = fs.read_text("/etc/group");
    let uid: Known<u32> = if let Some(n) = user.strip_prefix('+') {
        n.parse()
            .map(Known::Value)
            .unwrap_or_else(|_| Known::unknown(format!("bad uid {user}")))
    } else {
        match &passwd {
            Ok(p) => etc_passwd::entry(p, &user)
                .and_then(|f| f.get(2).and_then(|u| u.parse().ok()))
                .map(Known::Value)
                .unwrap_or_else(|| Known::unknown(format!("user {user} is not in /etc/passwd"))),
            Err(e) => Known::unknown(e.to_string()),
        }
    };
    let gids: Known<Vec<u32>> = match (&passwd, &groups) {
        (Ok(p), Ok(g)) => {
            let mut gids = Vec::new();
            if let Some(n) = group.strip_prefix('+').and_then(|n| n.parse().ok()) {
                gids.push(n);
            } else if let Some(gid) =
                etc_passwd::entry(g, &group).and_then(|f| f.get(2)?.parse().ok())
            {
                gids.push(gid);
            }
            if let Some(primary) = etc_passwd::entry(p, &user).and_then(|f| f.get(3)?.parse().ok())
            {
                gids.push(primary);
            }
            gids.extend(etc_passwd::member_of(g, &user));
            gids.sort();
            gids.dedup();
            Known::Value(gids)
        }
        (Err(e), _) | (_, Err(e)) => Known::unknown(e.to_string()),
    };
    Known::Value(QemuFacts {
        user,
        group,
        user_source,
        uid,
        gids,
        dynamic_ownership,
    })
}

/// Mode, owner and whether the QEMU user may open the file read-write.
pub fn file_access(fs: &dyn HostFs, path: &str, qemu: &Known<QemuFacts>) -> Known<FileAccess> {
    let md = match fs.metadata(path) {
        Ok(md) => md,
        Err(e) if e.is_not_found() => {
            return Known::Value(FileAccess {
                path: path.to_string(),
                exists: false,
                mode: None,
                uid: None,
                gid: None,
                qemu_rw: None,
                shown: format!("{path}: not present"),
            })
        }
        Err(e) => return Known::unknown(e.to_string()),
    };
    let qemu_rw = qemu.value().and_then(|q| {
        let uid = *q.uid.value()?;
        let gids = q.gids.value()?;
        Some(if uid == 0 {
            true
        } else if md.uid == uid {
            md.mode & 0o600 == 0o600
        } else if gids.contains(&md.gid) {
            md.mode & 0o060 == 0o060
        } else {
            md.mode & 0o006 == 0o006
        })
    });
    Known::Value(FileAccess {
        path: path.to_string(),
        exists: true,
        mode: Some(format!("{:04o}", md.mode)),
        uid: Some(md.uid),
        gid: Some(md.gid),
        qemu_rw,
        shown: format!(
            "{path}: mode {:04o}, uid {}, gid {}",
            md.mode, md.uid, md.gid
        ),
    })
}

/// Fills config and /dev/vfio access for the devices that may be assigned.
pub fn devices(fs: &dyn HostFs, devices: &mut [DeviceFacts], qemu: &Known<QemuFacts>) {
    for d in devices.iter_mut() {
        // device.config-access looks at --device targets and devices on
        // pci-stub (legacy assignment).
        let legacy = d.driver_role.value() == Some(&DriverRole::LegacyStub);
        if !d.target && !legacy {
            d.config = Known::unknown("only checked for --device targets and devices on pci-stub");
            continue;
        }
        d.config = file_access(
            fs,
            &format!("/sys/bus/pci/devices/{}/config", d.address),
            qemu,
        );
        // No group: no node to check; a group that cannot be read: the
        // node is unknown, not absent (legacy assignment does not use it).
        d.vfio_node = match &d.iommu_group {
            Known::Value(Some(g)) => Some(file_access(fs, &format!("/dev/vfio/{g}"), qemu)),
            Known::Unknown(r) if !legacy => Some(Known::unknown(r.clone())),
            _ => None,
        };
    }
}
