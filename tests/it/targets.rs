//! What a --device target is: a VF its PF has not created yet is a failure
//! whose fix creates it, and a bridge or a PF with VFs is said to be one.

use crate::common::{finding, run};

const SEED: &str = "tests/hosts/seed-ready/root";

#[test]
fn a_vf_not_created_yet_is_a_failure_whose_fix_creates_it() {
    // 03:10.7 is VF 3 of 03:00.1 (offset 0x80, stride 2), which has 1 VF.
    let r = run(&["check", "--root", SEED, "-d", "03:10.7", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["summary"]["result"], "not_ready");
    assert_eq!(v["host"]["targets"][0], "0000:03:10.7");
    let f = finding(&v, "sriov.vfs", "0000:03:00.1");
    assert_eq!(f["status"], "fail", "{f}");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .starts_with("--device 0000:03:10.7 does not exist yet: this PF creates it once it has 4 VFs, and it has 1"),
        "{f}"
    );
    // The VF's own checks wait for it, and say so.
    let g = finding(&v, "iommu.group", "host");
    assert_eq!(g["status"], "skip", "{g}");
    assert_eq!(
        g["message"],
        "could not check: --device 0000:03:10.7 does not exist yet (sriov.vfs says how to create it)"
    );
    // The PF has a VF already: the count changes only through 0, which the
    // fix says before it gives the command.
    let fix = f["remediation"][0].as_str().unwrap();
    assert!(
        fix.contains("destroys this PF's 1 VF(s) (0000:03:10.1)"),
        "{fix}"
    );
    assert!(
        fix.contains("`echo 0 > /sys/bus/pci/devices/0000:03:00.1/sriov_numvfs && echo 4 > /sys/bus/pci/devices/0000:03:00.1/sriov_numvfs`"),
        "{fix}"
    );
    // A PF with no VFs: the fix is the one write.
    let r = run(&[
        "check",
        "--root",
        "tests/hosts/seed-no-vfs/root",
        "-d",
        "03:10.2",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let f = finding(&v, "sriov.vfs", "0000:03:00.0");
    assert_eq!(f["status"], "fail", "{f}");
    assert_eq!(
        f["remediation"][0],
        "Create them: `echo 2 > /sys/bus/pci/devices/0000:03:00.0/sriov_numvfs`."
    );
    // In text, as an operator reads it.
    let r = run(&["check", "--root", SEED, "-d", "03:10.7", "--color", "never"]);
    // The VF is not there to have checks of its own: its PF's come under
    // their own heading, where sriov.vfs fails.
    assert!(!r.stdout.contains("\nTargets\n"), "{}", r.stdout);
    let pf_part = r
        .stdout
        .split("\nPF of the target\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no PF heading: {}", r.stdout));
    assert!(
        pf_part.contains("FAIL sriov.vfs  0000:03:00.1"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Result: NOT READY"), "{}", r.stdout);
    // An address no PF of the host would give a VF stays an error.
    for bad in ["0000:05:00.0", "03:01.0", "03:12.0"] {
        let r = run(&["check", "--root", SEED, "-d", bad]);
        assert_eq!(r.code, 2, "{bad}: {}", r.stderr);
        assert!(r.stderr.contains("no PCI device"), "{bad}: {}", r.stderr);
    }
}

#[test]
fn a_bridge_or_a_pf_with_vfs_as_a_target_is_said_to_be_one() {
    for (target, subject, says) in [
        (
            "0000:00:00.0",
            "0000:00:00.0",
            "a host bridge (class 0x060000)",
        ),
        ("00:01.0", "0000:00:01.0", "a PCI bridge (class 0x060400)"),
        ("00:1f.0", "0000:00:1f.0", "an ISA bridge"),
        (
            "03:00.0",
            "0000:03:00.0",
            "a physical function with 1 VF(s) (0000:03:10.0)",
        ),
    ] {
        let r = run(&["check", "--root", SEED, "-d", target, "--format", "json"]);
        assert_eq!(r.code, 1, "{target}: {}", r.stderr);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let f = finding(&v, "device.kind", subject);
        assert_eq!(f["status"], "fail", "{f}");
        assert!(f["message"].as_str().unwrap().starts_with(says), "{f}");
    }
    // The PF's fix offers its VFs first, and says what removing them takes.
    let r = run(&["check", "--root", SEED, "-d", "03:00.0", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let fix = &finding(&v, "device.kind", "0000:03:00.0")["remediation"];
    assert!(fix[0]
        .as_str()
        .unwrap()
        .contains("sriov-doctor hostdev --free --pf 0000:03:00.0"));
    assert!(fix[1]
        .as_str()
        .unwrap()
        .contains("once no guest or process holds them"));
    // A VF, and a PF with no VFs, pass; without --device the rule says nothing.
    for (root, target, subject) in [
        (SEED, "03:10.0", "0000:03:10.0"),
        ("tests/hosts/seed-no-vfs/root", "03:00.0", "0000:03:00.0"),
    ] {
        let r = run(&["check", "--root", root, "-d", target, "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(finding(&v, "device.kind", subject)["status"], "pass");
    }
    let r = run(&["check", "--root", SEED, "--format", "json"]);
    assert!(!r.stdout.contains("device.kind"), "{}", r.stdout);
}
