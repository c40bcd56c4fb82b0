//! Proxmox VE guests: VMs named in /etc/pve/qemu-server/VMID.conf join
//! libvirt's and xl's in device.defined-twice, a running one is a holder
//! named by VMID, and the fixes are Proxmox's (pve-vms, tools/hostgen).

use crate::common::{finding, run};

const ROOT: &str = "tests/hosts/pve-vms/root";

#[test]
fn vms_naming_one_vf_are_counted_by_their_current_configuration() {
    let r = run(&["check", "--root", ROOT, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let twice = finding(&v, "device.defined-twice", "0000:03:10.0");
    assert_eq!(twice["status"], "warn", "{twice}");
    let msg = twice["message"].as_str().unwrap();
    // Full form (101) and short form (102); not 103's snapshot section,
    // not 104's pool mapping.
    assert!(
        msg.contains("VMID 101 (web01)") && msg.contains("VMID 102 (web02)"),
        "{msg}"
    );
    assert!(
        !msg.contains("VMID 103") && !msg.contains("VMID 104"),
        "{msg}"
    );
    let fix = twice["remediation"][0].as_str().unwrap();
    assert!(
        fix.contains("qm set VMID --hostpciN") && !fix.contains("virsh"),
        "{fix}"
    );
    // 103's mapping resolves, for this node (pve1), to 03:10.1.
    let once = finding(&v, "device.defined-twice", "0000:03:10.1");
    assert_eq!(once["status"], "pass");
    assert!(
        once["message"]
            .as_str()
            .unwrap()
            .contains("VMID 103 (db01)"),
        "{once}"
    );
}

#[test]
fn a_running_vm_holds_its_vf_and_is_stopped_with_qm() {
    let r = run(&["check", "--root", ROOT, "-d", "03:10.0", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let held = finding(&v, "device.in-use", "0000:03:10.0");
    assert_eq!(held["status"], "fail");
    let msg = held["message"].as_str().unwrap();
    assert!(
        msg.contains("VMID 101 (web01)") && msg.contains("pid 4242"),
        "{msg}"
    );
    let fixes: Vec<&str> = held["remediation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(fixes[0].contains("`qm shutdown 101`"), "{fixes:?}");
    assert!(fixes.iter().all(|f| !f.contains("virsh")), "{fixes:?}");
    assert!(
        fixes.iter().any(|f| f.contains("--for proxmox")),
        "{fixes:?}"
    );
}

#[test]
fn a_mapping_on_a_node_whose_name_is_unknown_is_no_pass() {
    // Without the hostname, which node's entry of VM 103's mapping applies
    // is unknown: the guest checks skip rather than pass 03:10.1.
    let dir = crate::common::scratch("pve-no-hostname");
    crate::common::copy_tree(std::path::Path::new(ROOT), &dir);
    for f in ["proc/sys/kernel/hostname", "etc/hostname"] {
        std::fs::remove_file(dir.join(f)).unwrap();
    }
    let root = dir.to_string_lossy().into_owned();
    let r = run(&["check", "--root", &root, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let f = finding(&v, "device.defined-twice", "0000:03:10.1");
    assert_eq!(f["status"], "skip", "{f}");
    assert!(f["message"].as_str().unwrap().contains("hostname"), "{f}");
}

/// A Proxmox VE node booted by systemd-boot takes its kernel command line
/// from /etc/kernel/cmdline: the fix edits that and runs
/// `proxmox-boot-tool refresh`, not /etc/default/grub and `update-grub`.
#[test]
fn a_node_with_etc_kernel_cmdline_is_told_to_use_proxmox_boot_tool() {
    let r = run(&[
        "check",
        "--root",
        "tests/hosts/pve-iommu-off/root",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let f = finding(&v, "kernel.iommu", "host");
    assert_eq!(f["status"], "fail", "{f}");
    let fixes: Vec<&str> = f["remediation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    let first = fixes[0];
    assert!(
        first.contains("in the one line of /etc/kernel/cmdline add intel_iommu=on")
            && first.contains("`proxmox-boot-tool refresh`"),
        "{fixes:?}"
    );
    // GRUB only as the other case, never as a fix of its own.
    assert!(
        !fixes
            .iter()
            .any(|x| x.starts_with("Edit /etc/default/grub")),
        "{fixes:?}"
    );
    // The same node without /etc/kernel/cmdline boots with GRUB: the
    // Debian fix, and no proxmox-boot-tool.
    let dir = crate::common::scratch("pve-grub");
    let root = dir.join("root");
    crate::common::copy_tree(
        std::path::Path::new("tests/hosts/pve-iommu-off/root"),
        &root,
    );
    std::fs::remove_file(root.join("etc/kernel/cmdline")).unwrap();
    let r = run(&[
        "check",
        "--root",
        root.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let f = finding(&v, "kernel.iommu", "host");
    let fixes = f["remediation"].to_string();
    assert!(
        fixes.contains("Edit /etc/default/grub: in GRUB_CMDLINE_LINUX_DEFAULT add intel_iommu=on")
            && !fixes.contains("proxmox-boot-tool"),
        "{fixes}"
    );
}

/// qemu-server's reservations (/run/qemu-server/pci-id-reservations) count
/// while their pid runs: 101's confirms its kvm holds 03:10.0; 103's stale
/// line for 03:10.1 (pid 31337, not running) makes no holder.
#[test]
fn a_reservation_holds_while_its_pid_runs() {
    let r = run(&[
        "check", "--root", ROOT, "-d", "03:10.0", "-d", "03:10.1", "--format", "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let held = finding(&v, "device.in-use", "0000:03:10.0");
    let msg = held["message"].as_str().unwrap();
    assert!(
        msg.contains(
            "qemu-server reservation /run/qemu-server/pci-id-reservations (VMID 101 pid 4242)"
        ),
        "{msg}"
    );
    let free = finding(&v, "device.in-use", "0000:03:10.1");
    assert_eq!(free["status"], "pass", "{free}");
    assert!(!free["message"].as_str().unwrap().contains("103"), "{free}");
}
