//! What `hostdev` prints: the form that gives a device to a guest on each
//! platform (libvirt's `<hostdev>` element, xl's `pci =` line, Proxmox's
//! `hostpciN:` line), the steps to use it, and what stands in the way of
//! giving the device at all. The element goes to standard output alone;
//! steps and concerns go to standard error (the command decides).

use crate::address::PciAddress;
use crate::facts::{DeviceFacts, DeviceKind, DriverRole, Facts, Known};

/// The toolstack the form is for.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Platform {
    /// libvirt's `<hostdev>` element (virsh attach-device, virsh edit).
    Libvirt,
    /// A `pci = [ 'BDF' ]` line for an xl guest config (xl.cfg(5)).
    Xl,
    /// A `hostpci0: BDF` line for a Proxmox VE VM config (qm.conf(5)).
    Proxmox,
}

/// The form itself, one trailing newline.
pub fn form(platform: Platform, a: PciAddress, managed: bool) -> String {
    match platform {
        Platform::Libvirt => crate::inventory::hostdev_xml(a, managed),
        Platform::Xl => format!("pci = [ '{a}' ]\n"),
        Platform::Proxmox => format!("hostpci0: {a}\n"),
    }
}

/// How to use the form, for standard error.
pub fn steps(platform: Platform, a: PciAddress, dev: Option<&DeviceFacts>) -> String {
    match platform {
        Platform::Libvirt => "save standard output as hostdev.xml (this same command, followed by `> hostdev.xml`), then:\n    virsh attach-device GUEST hostdev.xml --config\nto give it from the guest's next start (add --live to give it to the running guest too), or paste it under <devices> in `virsh edit GUEST`.\n".to_string(),
        Platform::Xl => {
            let pciback = dev
                .and_then(|d| d.driver_role.value().copied())
                .is_some_and(|r| r == DriverRole::XenPciback);
            let assignable = if pciback {
                format!("{a} is already owned by pciback (`xl pci-assignable-list` lists it).\n")
            } else {
                format!(
                    "Make it assignable first: `xl pci-assignable-add {a}` (`xl pci-assignable-list` shows it), or write '{a},seize=1' to let xl do it when the guest starts.\n"
                )
            };
            format!(
                "add the line to the guest's xl config (one pci list holds all its devices), or attach it to a running guest: `xl pci-attach DOMAIN {a}`.\n{assignable}"
            )
        }
        Platform::Proxmox => format!(
            "add the line to /etc/pve/qemu-server/VMID.conf with the next free hostpciN index, or: `qm set VMID --hostpci0 {a}` (add ,pcie=1 for a q35 machine). Proxmox binds it to vfio-pci when the VM starts.\n"
        ),
    }
}

/// What a PCI class (6 hex digits) says a bridge is, when it is one.
fn bridge_kind(class: &str) -> Option<&'static str> {
    let c = class.trim_start_matches("0x");
    if !c.starts_with("06") {
        return None;
    }
    Some(match c.get(2..4) {
        Some("00") => "a host bridge",
        Some("01") => "an ISA/LPC bridge",
        Some("04") => "a PCI bridge",
        _ => "a bridge",
    })
}

/// Why giving `dev` to a guest would fail or take something from the host:
/// one sentence each, empty when nothing stands in the way.
pub fn concerns(
    facts: &Facts,
    dev: &DeviceFacts,
    platform: Platform,
    managed: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    let a = dev.address;
    if let Known::Value(h) = &dev.holders {
        for x in h {
            let who = match &x.domain {
                Some(g) => format!("guest {g} (pid {})", x.pid),
                None => format!("{} (pid {})", x.comm, x.pid),
            };
            out.push(format!(
                "{a} is held by {who}: another guest cannot open it until that one lets it go"
            ));
        }
    }
    if !dev.defined_in.is_empty() {
        out.push(format!(
            "{a} is already named by {}: two guests given one device cannot both start",
            dev.defined_in.join(", ")
        ));
    }
    if let Some(kind) = dev.class.value().map(String::as_str).and_then(bridge_kind) {
        out.push(format!(
            "{a} is {kind}: part of the host's PCI topology, not a device a guest can be given"
        ));
    }
    if dev.kind == DeviceKind::Pf {
        let vfs = dev
            .sriov
            .as_ref()
            .and_then(|s| s.numvfs.value().copied())
            .unwrap_or(0);
        if vfs > 0 {
            out.push(format!(
                "{a} is a physical function with {vfs} VF(s) enabled: detaching it from its driver removes them, and with them any guest's VF (give a guest one of its VFs instead: `sriov-doctor list`)"
            ));
        }
    }
    if let Known::Value(routes) = &facts.host.default_route {
        let carried: Vec<&String> = dev.netdevs.iter().filter(|n| routes.contains(n)).collect();
        if !carried.is_empty() {
            out.push(format!(
                "{a} carries the host's default route ({}): giving it to a guest takes the host off the network",
                carried.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    let host_driver = dev.driver_role.value().copied() == Some(DriverRole::Host);
    if platform == Platform::Libvirt && !managed && host_driver {
        let driver = dev.driver.value().cloned().flatten().unwrap_or_default();
        let nets = if dev.netdevs.is_empty() {
            String::new()
        } else {
            format!(" (interface {})", dev.netdevs.join(", "))
        };
        out.push(format!(
            "{a} is bound to the host driver {driver}{nets} and managed='no' tells libvirt not to detach it, so the guest will not start: detach it first (`virsh nodedev-detach {}`) or use --managed yes",
            dev.libvirt_name
        ));
    }
    let xen = facts.host.xen.value().is_some_and(|x| x.dom0);
    if !xen {
        if let Known::Value(g) = &dev.group {
            if !g.blockers.is_empty() {
                let users: Vec<String> = g
                    .blockers
                    .iter()
                    .map(|m| format!("{} on {}", m.address, m.driver.as_deref().unwrap_or("?")))
                    .collect();
                out.push(format!(
                    "IOMMU group {} of {a} is not viable ({}): VFIO will refuse it (`sriov-doctor check -d {a}` says how to free it)",
                    g.id,
                    users.join(", ")
                ));
            }
        }
        if let Known::Value(None) = &dev.iommu_group {
            out.push(format!(
                "{a} has no IOMMU group: the IOMMU is off, so VFIO cannot take it (see `sriov-doctor check`)"
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(host: &str, dev: &str) -> Facts {
        let root = format!("{}/tests/hosts/{host}/root", env!("CARGO_MANIFEST_DIR"));
        let fs = crate::hostfs::DirFs::tree(std::path::Path::new(&root)).unwrap();
        crate::gather(&fs, &[dev.to_string()]).unwrap()
    }

    fn concerns_of(host: &str, dev: &str, managed: bool) -> Vec<String> {
        let f = facts(host, dev);
        let addr: PciAddress = f.host.targets[0].parse().unwrap();
        let d = f.devices.iter().find(|d| d.address == addr).unwrap();
        concerns(&f, d, Platform::Libvirt, managed)
    }

    #[test]
    fn a_free_vf_has_no_concern() {
        assert!(concerns_of("seed-ready", "03:10.1", true).is_empty());
        assert!(concerns_of("seed-ready", "03:10.0", false).is_empty());
    }

    #[test]
    fn held_bridged_pf_and_host_used_devices_are_named() {
        let c = concerns_of("seed-guest-holds", "03:10.0", true);
        assert!(c.iter().any(|s| s.contains("held by guest web01")), "{c:?}");
        let c = concerns_of("seed-ready", "00:1f.0", true);
        assert!(c.iter().any(|s| s.contains("ISA/LPC bridge")), "{c:?}");
        let c = concerns_of("seed-ready", "00:00.0", true);
        assert!(c.iter().any(|s| s.contains("host bridge")), "{c:?}");
        let c = concerns_of("seed-ready", "03:00.0", true);
        assert!(c.iter().any(|s| s.contains("1 VF(s) enabled")), "{c:?}");
        let c = concerns_of("seed-host-driver", "03:10.0", false);
        assert!(c.iter().any(|s| s.contains("managed='no'")), "{c:?}");
        assert!(concerns_of("seed-host-driver", "03:10.0", true).is_empty());
        let c = concerns_of("seed-group-shared", "03:10.0", true);
        assert!(c.iter().any(|s| s.contains("group 7")), "{c:?}");
    }

    #[test]
    fn forms_follow_each_platform_syntax() {
        let a: PciAddress = "0000:03:10.1".parse().unwrap();
        assert_eq!(form(Platform::Xl, a, true), "pci = [ '0000:03:10.1' ]\n");
        assert_eq!(form(Platform::Proxmox, a, true), "hostpci0: 0000:03:10.1\n");
        assert!(form(Platform::Libvirt, a, false).starts_with("<hostdev "));
    }
}
