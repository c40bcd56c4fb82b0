//! Damaged trees give a finding or a clear error, never a panic or a pass
//! for a rule whose input was destroyed.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{copy_tree, replace_with_link};

const DEV: &str = "sys/devices/pci0000:00/0000:00:01.0";

/// (name, damage, rule that must not pass, its subject)
type Damage = (&'static str, fn(&Path), &'static str, &'static str);

fn damages() -> Vec<Damage> {
    vec![
        (
            "cpuinfo garbage",
            |r| fs::write(r.join("proc/cpuinfo"), [0xff, 0x00, 0x13, 0x37].repeat(300)).unwrap(),
            "cpu.virtualization",
            "host",
        ),
        (
            "cpuinfo empty",
            |r| fs::write(r.join("proc/cpuinfo"), "").unwrap(),
            "cpu.virtualization",
            "host",
        ),
        (
            "modules garbage",
            |r| fs::write(r.join("proc/modules"), "igb\n\u{0}\u{0}\nvfio_pci x y\n").unwrap(),
            "modules.vfio",
            "host",
        ),
        (
            "DMAR truncated",
            |r| {
                let p = r.join("sys/firmware/acpi/tables/DMAR");
                let b = fs::read(&p).unwrap();
                fs::write(&p, &b[..10]).unwrap()
            },
            "firmware.iommu",
            "host",
        ),
        (
            "DMAR is a directory",
            |r| file_to_dir(&r.join("sys/firmware/acpi/tables/DMAR")),
            "firmware.iommu",
            "host",
        ),
        (
            "iommu_groups is a file",
            |r| {
                let p = r.join("sys/kernel/iommu_groups");
                fs::remove_dir_all(&p).unwrap();
                fs::write(&p, "7").unwrap()
            },
            "kernel.iommu",
            "host",
        ),
        (
            "class/iommu loops",
            |r| replace_with_link(&r.join("sys/class/iommu"), "iommu"),
            "kernel.iommu",
            "host",
        ),
        (
            "VF driver link dangles out of the root",
            |r| replace_with_link(&r.join(format!("{DEV}/0000:03:10.0/driver")), "/etc/passwd"),
            "device.host-driver",
            "0000:03:10.0",
        ),
        (
            "VF group link loops",
            |r| {
                replace_with_link(
                    &r.join(format!("{DEV}/0000:03:10.0/iommu_group")),
                    "iommu_group",
                )
            },
            "iommu.group",
            "0000:03:10.0",
        ),
        (
            "numvfs not a number",
            |r| fs::write(r.join(format!("{DEV}/0000:03:00.0/sriov_numvfs")), "lots\n").unwrap(),
            "sriov.vfs",
            "0000:03:00.0",
        ),
        (
            "virtfn link escapes",
            |r| {
                replace_with_link(
                    &r.join(format!("{DEV}/0000:03:00.0/virtfn0")),
                    "../../../../../../../../etc",
                )
            },
            "sriov.vfs",
            "0000:03:00.0",
        ),
        (
            "config gone",
            |r| fs::remove_file(r.join(format!("{DEV}/0000:03:10.0/config"))).unwrap(),
            "",
            "",
        ),
        (
            "devices dir unreadable as a file",
            |r| {
                let p = r.join("sys/bus/pci/devices");
                fs::remove_dir_all(&p).unwrap();
                fs::write(&p, "").unwrap()
            },
            "sriov.vfs",
            "host",
        ),
    ]
}

/// Replaces a file or link with an empty directory, which no one, root
/// included, can read as a file or a link.
fn file_to_dir(path: &Path) {
    fs::remove_file(path).unwrap();
    fs::create_dir(path).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "sriov-doctor-bad-{}-{}",
        std::process::id(),
        name.replace([' ', '/'], "-")
    ));
    let _ = fs::remove_dir_all(&d);
    d
}

#[test]
fn damaged_trees_never_panic_and_never_pass_what_they_destroyed() {
    let good = Path::new("tests/hosts/seed-ready/root");
    let mut outcomes = std::collections::BTreeMap::new();
    for (name, damage, rule, subject) in damages() {
        let root = scratch(name);
        copy_tree(good, &root);
        damage(&root);
        let root_s = root.to_str().unwrap();
        for args in [
            vec!["check", "--root", root_s, "--format", "json"],
            vec![
                "check", "--root", root_s, "--format", "json", "-d", "03:10.0",
            ],
            vec![
                "check", "--root", root_s, "--format", "text", "-d", "03:10.0",
            ],
        ] {
            let r = common::run(&args);
            assert!(
                [0, 1, 2, 3].contains(&r.code),
                "{name}: exit {} {}",
                r.code,
                r.stderr
            );
            assert!(!r.stderr.contains("panicked"), "{name}: {}", r.stderr);
            *outcomes.entry(r.code).or_insert(0) += 1;
            if r.code == 2 {
                assert!(
                    r.stderr.starts_with("sriov-doctor: "),
                    "{name}: {}",
                    r.stderr
                );
                continue;
            }
            if args[4] != "json" || rule.is_empty() {
                continue;
            }
            let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
            for f in v["findings"].as_array().unwrap() {
                if f["rule"] == rule && f["subject"] == subject {
                    assert_ne!(
                        f["status"], "pass",
                        "{name}: {rule} passed on destroyed input: {f}"
                    );
                }
            }
        }
        let _ = fs::remove_dir_all(&root);
    }
    let summary = format!(
        "{} damaged trees, outcomes by exit code: {outcomes:?}",
        damages().len()
    );
    common::note(&summary);
}

/// Damages that the corruption suite (tests/it/corruption) found passing (once,
/// failing) a rule whose input they destroyed, each fixed in src/: the rule
/// must now skip and say why, or give the pristine tree's answer when the
/// tool can still find it. (host, name, damage, --device or "", rule, subject, status)
type Regression = (
    &'static str,
    &'static str,
    fn(&Path),
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

fn regressions() -> Vec<Regression> {
    vec![
        (
            "seed-ready",
            "DMAR cut in half: the RMRRs past the cut are lost",
            |r| {
                let p = r.join("sys/firmware/acpi/tables/DMAR");
                let b = fs::read(&p).unwrap();
                fs::write(&p, &b[..b.len() / 2]).unwrap()
            },
            "03:10.0",
            "firmware.rmrr",
            "0000:03:10.0",
            "skip",
        ),
        (
            "hp-rmrr",
            "config of the bridge on the RMRR path to the NIC emptied",
            |r| fs::write(r.join("sys/devices/pci0000:00/0000:00:1c.4/config"), b"").unwrap(),
            "03:00.0",
            "firmware.rmrr",
            "0000:03:00.0",
            "skip",
        ),
        (
            "seed-config-denied",
            "qemu.conf (dynamic_ownership = 0) overwritten with garbage",
            |r| {
                fs::write(
                    r.join("etc/libvirt/qemu.conf"),
                    [0xff, 0x00, 0x13, 0x37].repeat(300),
                )
                .unwrap()
            },
            "03:10.0",
            "device.config-access",
            "0000:03:10.0",
            "skip",
        ),
        (
            "seed-ready",
            "/proc/cmdline a link to itself: whether iommu=pt is asked is unknown",
            |r| replace_with_link(&r.join("proc/cmdline"), "cmdline"),
            "03:10.0",
            "iommu.mode",
            "0000:03:10.0",
            "skip",
        ),
        (
            "xen-ready",
            "XMAR (dom0's view of DMAR) is a link to itself: not an absent table",
            |r| replace_with_link(&r.join("sys/firmware/acpi/tables/XMAR"), "XMAR"),
            "03:10.0",
            "firmware.rmrr",
            "0000:03:10.0",
            "skip",
        ),
        (
            "seed-ready",
            "/proc/cmdline is garbage: it asks for nothing, or for iommu=pt, nobody knows",
            |r| fs::write(r.join("proc/cmdline"), [0xff, 0x00, 0x13, 0x37].repeat(40)).unwrap(),
            "03:10.0",
            "iommu.mode",
            "0000:03:10.0",
            "skip",
        ),
        (
            "seed-noiommu",
            "iommu_groups dangles: whether group 0 is VFIO's no-IOMMU group is unknown",
            |r| replace_with_link(&r.join("sys/kernel/iommu_groups"), "missing"),
            "03:10.0",
            "iommu.group",
            "0000:03:10.0",
            "skip",
        ),
        (
            "seed-noiommu",
            "enable_unsafe_noiommu_mode is garbage: group names must be read",
            |r| {
                fs::write(
                    r.join("sys/module/vfio/parameters/enable_unsafe_noiommu_mode"),
                    "\u{1}\u{2}garbage",
                )
                .unwrap()
            },
            "03:10.0",
            "iommu.group",
            "0000:03:10.0",
            "skip",
        ),
        (
            "seed-noiommu",
            "enable_unsafe_noiommu_mode dangles: /dev/vfio/noiommu-0 still tells",
            |r| {
                replace_with_link(
                    &r.join("sys/module/vfio/parameters/enable_unsafe_noiommu_mode"),
                    "missing",
                )
            },
            "03:10.0",
            "iommu.group",
            "0000:03:10.0",
            "skip",
        ),
        (
            "amd-ready",
            "enable_unsafe_noiommu_mode is garbage: the mode is unknown, not off",
            |r| {
                fs::write(
                    r.join("sys/module/vfio/parameters/enable_unsafe_noiommu_mode"),
                    "\u{1}\u{2}garbage",
                )
                .unwrap()
            },
            "41:02.0",
            "kernel.vfio-noiommu",
            "host",
            "skip",
        ),
        (
            "hp-rmrr",
            "the NIC's group listing is a file: --device reads every device instead",
            |r| {
                let p = r.join("sys/kernel/iommu_groups/11/devices");
                fs::remove_dir_all(&p).unwrap();
                fs::write(&p, "").unwrap()
            },
            "03:00.0",
            "iommu.group",
            "0000:03:00.0",
            "fail",
        ),
        (
            "seed-iommu-off",
            "the VF's directory (on igbvf) dangles: no driver link is not 'unbound'",
            |r| replace_with_link(&r.join(format!("{DEV}/0000:03:10.0")), "missing"),
            "03:10.0",
            "device.host-driver",
            "0000:03:10.0",
            "skip",
        ),
        (
            "xen-ready",
            "the VF's bus link is an empty directory",
            |r| file_to_dir(&r.join("sys/bus/pci/devices/0000:03:10.0")),
            "03:10.0",
            "device.host-driver",
            "0000:03:10.0",
            "skip",
        ),
        (
            "seed-dpdk-holds",
            "the VF's driver link is a directory: DPDK's fd on its group is still found",
            |r| file_to_dir(&r.join(format!("{DEV}/0000:03:10.1/driver"))),
            "03:10.1",
            "device.in-use",
            "0000:03:10.1",
            "fail",
        ),
        (
            "seed-dpdk-holds",
            "the VF's iommu_group link is a directory: a /dev/vfio fd cannot be matched",
            |r| file_to_dir(&r.join(format!("{DEV}/0000:03:10.1/iommu_group"))),
            "03:10.1",
            "device.in-use",
            "0000:03:10.1",
            "skip",
        ),
        (
            "xen-xl-twice",
            "vm1.cfg is a directory: what it defines is unknown",
            |r| file_to_dir(&r.join("etc/xen/vm1.cfg")),
            "03:10.0",
            "device.defined-twice",
            "0000:03:10.0",
            "skip",
        ),
        (
            "seed-guest-holds",
            "QEMU's fd directory is gone while its /proc entry is there",
            |r| fs::remove_dir_all(r.join("proc/4242/fd")).unwrap(),
            "03:10.0",
            "device.in-use",
            "0000:03:10.0",
            "skip",
        ),
        (
            "seed-dpdk-holds",
            "DPDK's fd on /dev/vfio/10 is a link to itself",
            |r| replace_with_link(&r.join("proc/5151/fd/11"), "11"),
            "03:10.1",
            "device.in-use",
            "0000:03:10.1",
            "skip",
        ),
        (
            "seed-dpdk-holds",
            "DPDK's fd on /dev/vfio/10 is a directory",
            |r| file_to_dir(&r.join("proc/5151/fd/11")),
            "03:10.1",
            "device.in-use",
            "0000:03:10.1",
            "skip",
        ),
        (
            "seed-vfio-perm",
            "the VF unbound: managed mode binds it to vfio-pci, and /dev/vfio/9 stays root's",
            |r| fs::remove_file(r.join(format!("{DEV}/0000:03:10.0/driver"))).unwrap(),
            "03:10.0",
            "device.config-access",
            "0000:03:10.0",
            "fail",
        ),
        (
            "seed-config-denied",
            "the pci-stub VF's driver link dangles: /dev/vfio/9 will be root's",
            |r| replace_with_link(&r.join(format!("{DEV}/0000:03:10.0/driver")), "gone"),
            "03:10.0",
            "device.config-access",
            "0000:03:10.0",
            "warn",
        ),
        (
            "seed-vfio-perm",
            "the VF's iommu_group link dangles: which /dev/vfio node QEMU opens is unknown",
            |r| replace_with_link(&r.join(format!("{DEV}/0000:03:10.0/iommu_group")), "gone"),
            "03:10.0",
            "device.config-access",
            "0000:03:10.0",
            "skip",
        ),
        (
            "seed-ready",
            "the device list is a file: no SR-IOV device is a guess, not a finding",
            |r| {
                let p = r.join("sys/bus/pci/devices");
                fs::remove_dir_all(&p).unwrap();
                fs::write(&p, "").unwrap()
            },
            "",
            "sriov.vfs",
            "host",
            "skip",
        ),
    ]
}

#[test]
fn damages_that_once_passed_a_rule_pass_it_no_more() {
    for (host, name, damage, device, rule, subject, status) in regressions() {
        let root = scratch(&format!("{host}-{rule}-{subject}"));
        copy_tree(Path::new(&format!("tests/hosts/{host}/root")), &root);
        damage(&root);
        let root_s = root.to_str().unwrap();
        let mut args = vec!["check", "--root", root_s, "--format", "json"];
        if !device.is_empty() {
            args.extend(["--device", device]);
        }
        let r = common::run(&args);
        assert!([0, 1, 3].contains(&r.code), "{host}, {name}: {}", r.stderr);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let f = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == rule && f["subject"] == subject)
            .unwrap_or_else(|| panic!("{host}, {name}: no {rule} finding for {subject}"));
        assert_eq!(f["status"], status, "{host}, {name}: {f}");
        if status == "skip" {
            assert!(
                f["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("could not check: "),
                "{host}, {name}: {f}"
            );
        }
        let _ = fs::remove_dir_all(&root);
    }
}

#[test]
fn a_check_that_could_not_read_its_inputs_makes_the_verdict_incomplete() {
    // Nothing fails when the device list is a file, but the device rules
    // could not look: that is not READY.
    let root = scratch("incomplete-verdict");
    copy_tree(Path::new("tests/hosts/seed-ready/root"), &root);
    let p = root.join("sys/bus/pci/devices");
    fs::remove_dir_all(&p).unwrap();
    fs::write(&p, "").unwrap();
    let r = common::run(&["check", "--root", root.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stdout.contains("Result: INCOMPLETE · 0 failed"),
        "{}",
        r.stdout
    );
    let _ = fs::remove_dir_all(&root);
}
