//! Fixes that cannot hurt (issue 18): no fix detaches a PF whose VFs are
//! wanted without saying so, Xen's fixes are pciback's, boot fixes are the
//! distribution's, and the summary counts what can be assigned.

use crate::common::run;

fn check(host: &str, device: Option<&str>) -> String {
    let root = format!("tests/hosts/{host}/root");
    let mut args = vec!["check", "--root", &root, "--color", "never"];
    if let Some(d) = device {
        args.extend(["-d", d]);
    }
    let r = run(&args);
    assert!(r.code == 0 || r.code == 1, "{host}: {}", r.stderr);
    // The text wraps at 80 columns: the phrases are looked for with the
    // lines joined again.
    r.stdout.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_group_fix_never_detaches_the_vfs_own_pf() {
    let out = check("seed-group-shared", Some("03:10.0"));
    assert!(
        !out.contains("virsh nodedev-detach pci_0000_03_00_0"),
        "{out}"
    );
    assert!(
        out.contains("Do not detach 0000:03:00.0 (this VF's own PF, 1 VF(s)"),
        "{out}"
    );
    assert!(out.contains("this one among them"), "{out}");
    // Its interface carries the host's default route (proc/net/route).
    assert!(
        out.contains("0000:03:00.0 (interface enp3s0f0) carries the host's default route"),
        "{out}"
    );
    assert!(
        out.contains("Use a VF whose IOMMU group is viable"),
        "{out}"
    );
    // Without -d, neither VF is told to detach a PF.
    let out = check("seed-group-shared", None);
    assert!(!out.contains("nodedev-detach pci_0000_03_00_"), "{out}");
}

#[test]
fn a_pf_with_vfs_as_target_says_detaching_removes_them() {
    let out = check("seed-ready", Some("03:00.0"));
    assert!(
        out.contains("it is a physical function with 1 VF(s) enabled, which detaching it removes"),
        "{out}"
    );
    assert!(
        out.contains("Do not detach this physical function"),
        "{out}"
    );
    assert!(out.contains("hostdev --free --pf 0000:03:00.0"), "{out}");
    // seed-group-shared's 03:00.0 also carries the default route.
    let shared = check("seed-group-shared", Some("03:00.0"));
    assert!(
        shared.contains("and it carries the host's default route, which detaching it takes down"),
        "{shared}"
    );
    assert!(
        shared.contains("It carries the host's default route (enp3s0f0): move the host's network"),
        "{shared}"
    );
    // The detach command only comes after the VFs are removed on purpose.
    assert!(
        !out.contains("Let libvirt detach it at guest start"),
        "{out}"
    );
    assert!(!out.contains("driver_override"), "{out}");
}

#[test]
fn xen_fixes_are_pcibacks() {
    for host in ["xen-no-pciback", "xen-xl-twice"] {
        let out = check(host, None);
        for vfio in [
            "nodedev-detach",
            "driver_override",
            "vfio-pci >",
            "virsh edit",
        ] {
            assert!(!out.contains(vfio), "{host}: {vfio}\n{out}");
        }
        assert!(
            out.contains("xl pci-assignable-add 0000:03:10."),
            "{host}\n{out}"
        );
    }
    let out = check("xen-no-pciback", Some("03:10.0"));
    assert!(out.contains("xen-pciback.hide=(0000:03:10.0)"), "{out}");
    assert!(out.contains("run `update-grub`"), "{out}");
}

#[test]
fn boot_fixes_are_the_distributions() {
    // RHEL 9: dracut, not update-initramfs.
    let out = check("seed-no-vfs", None);
    assert!(out.contains("`dracut -f`"), "{out}");
    assert!(!out.contains("update-initramfs"), "{out}");
}

#[test]
fn the_summary_counts_vfs_now_after_a_detach_and_never() {
    let out = check("seed-group-shared", None);
    assert!(
        out.contains("VFs: 0 assignable now, 0 more after libvirt's managed detach, 2 not at all"),
        "{out}"
    );
    let out = check("seed-host-driver", None);
    assert!(
        out.contains("VFs: 1 assignable now, 1 more after libvirt's managed detach, 0 not at all"),
        "{out}"
    );
    let out = check("xen-no-pciback", None);
    assert!(out.contains("more after xl pci-assignable-add"), "{out}");
    let r = run(&[
        "check",
        "--root",
        "tests/hosts/seed-guest-holds/root",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let vfs = &v["summary"]["vfs"];
    assert_eq!(vfs["not_assignable"], 1, "{vfs}");
    assert_eq!(
        vfs["why_not"][0], "0000:03:10.0: held by guest web01",
        "{vfs}"
    );
}
