//! A process's command line (/proc/PID/cmdline: arguments ended by NULs),
//! and what a QEMU command line says: the host devices it assigns and the
//! guest's name.

use std::collections::BTreeSet;

use crate::address::PciAddress;

/// The arguments of /proc/PID/cmdline (each one lossily decoded).
pub fn args(bytes: &[u8]) -> Vec<String> {
    bytes
        .split(|b| *b == 0)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect()
}

/// The host addresses in a QEMU command line: `-device vfio-pci,host=…`,
/// the JSON form `-device {"driver":"vfio-pci","host":"…"}`, legacy
/// `pci-assign,host=…`.
pub fn cmdline_devices(args: &[String]) -> BTreeSet<PciAddress> {
    let mut out = BTreeSet::new();
    for pair in args.windows(2) {
        if pair[0] != "-device" {
            continue;
        }
        let arg = &pair[1];
        let host = if arg.starts_with('{') {
            serde_json::from_str::<serde_json::Value>(arg)
                .ok()
                .and_then(|v| {
                    let driver = v.get("driver")?.as_str()?;
                    (driver.contains("vfio-pci") || driver == "pci-assign")
                        .then(|| v.get("host")?.as_str().map(str::to_string))
                        .flatten()
                })
        } else {
            let mut parts = arg.split(',');
            let driver = parts.next().unwrap_or("");
            if driver.contains("vfio-pci") || driver == "pci-assign" || driver == "kvm-pci-assign" {
                parts.find_map(|p| p.strip_prefix("host=").map(str::to_string))
            } else {
                None
            }
        };
        if let Some(Ok((a, _))) = host.map(|h| PciAddress::parse(&h)) {
            out.insert(a);
        }
    }
    out
}

/// The Proxmox VM id qemu-server gives its kvm process: `-id N` (N a
/// number; QEMU itself has no `-id` option).
pub fn pve_vmid(args: &[String]) -> Option<u32> {
    let pair = args.windows(2).find(|w| w[0] == "-id")?;
    pair[1].parse().ok()
}

/// The guest name QEMU was given: `-name guest=NAME,…` or `-name NAME`.
pub fn qemu_name(args: &[String]) -> Option<String> {
    let pair = args.windows(2).find(|w| w[0] == "-name")?;
    let first = pair[1].split(',').next().unwrap_or("");
    let name = first.strip_prefix("guest=").unwrap_or(first);
    (!name.is_empty()).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::samples::repo_file;

    fn args_of(s: &[&str]) -> Vec<String> {
        s.iter().map(|a| a.to_string()).collect()
    }

    #[test]
    fn finds_assigned_devices_in_every_qemu_form() {
        let a = cmdline_devices(&args_of(&[
            "qemu-kvm",
            "-device",
            r#"{"driver":"vfio-pci","host":"0000:03:10.0","id":"hostdev0"}"#,
            "-device",
            "vfio-pci,host=03:10.1,id=hostdev1",
            "-device",
            "pci-assign,host=04:00.0,id=hostdev2,configfd=25",
            "-device",
            "virtio-net-pci,netdev=n0",
        ]));
        let got: Vec<String> = a.iter().map(|a| a.to_string()).collect();
        assert_eq!(got, ["0000:03:10.0", "0000:03:10.1", "0000:04:00.0"]);
    }

    #[test]
    fn reads_a_libvirt_guests_command_line() {
        // The QEMU process of the running libvirt guest web01 on a test host.
        let a = args(&repo_file(
            "tests/hosts/seed-guest-holds/root/proc/4242/cmdline",
        ));
        assert!(a[0].contains("qemu"), "{a:?}");
        assert_eq!(qemu_name(&a).as_deref(), Some("web01"));
        let devices: Vec<String> = cmdline_devices(&a).iter().map(|a| a.to_string()).collect();
        assert_eq!(devices, ["0000:03:10.0"]);
    }

    #[test]
    fn names_with_and_without_guest_prefix() {
        let a = args(b"qemu-system-x86_64\0-name\0guest=vm1,debug-threads=on\0");
        assert_eq!(qemu_name(&a).as_deref(), Some("vm1"));
        let a = args(b"qemu-system-x86_64\0-name\0vm2\0");
        assert_eq!(qemu_name(&a).as_deref(), Some("vm2"));
        assert_eq!(qemu_name(&args(b"sleep\x00100\x00")), None);
    }
}
