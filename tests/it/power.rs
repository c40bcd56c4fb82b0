//! device.power on copies of the test hosts with one device's power files
//! or kernel log changed: each state the rule tells apart, and the fix it
//! prints for each distribution.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{self, copy_tree, finding, scratch};

/// A copy of `host`'s tree with `files` (path in the root, content) written.
fn host_with(name: &str, host: &str, files: &[(&str, &str)]) -> PathBuf {
    let root = scratch(name);
    copy_tree(Path::new(&format!("tests/hosts/{host}/root")), &root);
    for (path, content) in files {
        let p = root.join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, content).unwrap();
    }
    root
}

/// device.power's finding for `dev` (run with --device `dev` when `target`).
fn power(root: &Path, dev: &str, target: bool) -> (serde_json::Value, i32) {
    let mut args = vec![
        "check",
        "--root",
        root.to_str().unwrap(),
        "--format",
        "json",
    ];
    if target {
        args.extend(["--device", dev]);
    }
    let r = common::run(&args);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).expect(&r.stderr);
    (finding(&report, "device.power", dev).clone(), r.code)
}

fn fixes(f: &serde_json::Value) -> String {
    f["remediation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap_or_default().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

const VF: &str = "sys/bus/pci/devices/0000:03:10.0";

#[test]
fn d3cold_fails_for_a_target_and_warns_otherwise_with_the_rhel_fix() {
    let root = host_with(
        "power-d3cold",
        "seed-ready",
        &[
            (&format!("{VF}/power_state"), "D3cold\n"),
            (&format!("{VF}/power/runtime_status"), "suspended\n"),
        ],
    );
    let (f, code) = power(&root, "0000:03:10.0", true);
    assert_eq!((f["status"].as_str(), code), (Some("fail"), 1), "{f}");
    assert!(
        f["message"].as_str().unwrap().starts_with("in D3cold"),
        "{f}"
    );
    let fix = fixes(&f);
    assert!(
        fix.contains("`grubby --update-kernel=ALL --args=vfio-pci.disable_idle_d3=1`"),
        "{fix}"
    );
    assert!(
        fix.contains("echo 0 > /sys/bus/pci/devices/0000:03:10.0/d3cold_allowed"),
        "{fix}"
    );
    // In D3cold with nothing saying it cannot come back: no power cycle yet.
    assert!(!fix.contains("remove its power"), "{fix}");
    // Config space is not read: that would wake it.
    assert!(f["evidence"][0]
        .as_str()
        .unwrap()
        .contains("config not read"));
    let (f, _) = power(&root, "0000:03:10.0", false);
    assert_eq!(f["status"], "warn", "{f}");
    let _ = fs::remove_dir_all(&root);
}

#[test]
fn d3hot_on_vfio_pci_is_its_idle_state_and_passes() {
    let root = host_with(
        "power-d3hot",
        "seed-ready",
        &[
            (&format!("{VF}/power_state"), "D3hot\n"),
            (&format!("{VF}/power/runtime_status"), "suspended\n"),
        ],
    );
    let (f, code) = power(&root, "0000:03:10.0", true);
    assert_eq!((f["status"].as_str(), code), (Some("pass"), 0), "{f}");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("vfio-pci keeps a device no guest uses in D3hot"),
        "{f}"
    );
    let _ = fs::remove_dir_all(&root);
}

#[test]
fn giving_up_fails_on_vfio_pci_only_and_the_ubuntu_fix_uses_update_grub() {
    let log = "[  618.0] vfio-pci 0000:41:02.0: not ready 65535ms after FLR; giving up\n";
    let root = host_with("power-gave-up", "amd-ready", &[("var/log/dmesg", log)]);
    let (f, _) = power(&root, "0000:41:02.0", true);
    assert_eq!(f["status"], "fail", "{f}");
    assert!(f["message"].as_str().unwrap().contains("gave up"), "{f}");
    assert!(f["evidence"][1]
        .as_str()
        .unwrap()
        .ends_with("not ready 65535ms after FLR; giving up"));
    let fix = fixes(&f);
    assert!(fix.contains("remove its power"), "{fix}");
    assert!(fix.contains("`update-grub`"), "{fix}");
    assert!(!fix.contains("grubby"), "{fix}");
    // The line names 41:02.0 only: 41:02.1, also on vfio-pci, passes.
    let (f, _) = power(&root, "0000:41:02.1", true);
    assert_eq!(f["status"], "pass", "{f}");
    let _ = fs::remove_dir_all(&root);
}

#[test]
fn giving_up_on_a_host_driver_is_not_this_rules_failure() {
    // seed-host-driver's 03:10.0 is on igbvf: the host uses it.
    let root = host_with(
        "power-host-driver",
        "seed-host-driver",
        &[(
            "var/log/dmesg",
            "[  1.0] igbvf 0000:03:10.0: not ready 1023ms after bus reset; giving up\n",
        )],
    );
    let (f, _) = power(&root, "0000:03:10.0", true);
    assert_eq!(f["status"], "pass", "{f}");
    let _ = fs::remove_dir_all(&root);
}

#[test]
fn disable_idle_d3_already_on_is_not_suggested_again() {
    let root = host_with(
        "power-idle-d3-on",
        "seed-ready",
        &[
            (&format!("{VF}/power_state"), "error\n"),
            ("sys/module/vfio_pci/parameters/disable_idle_d3", "Y\n"),
        ],
    );
    let (f, _) = power(&root, "0000:03:10.0", true);
    assert_eq!(f["status"], "fail", "{f}");
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("power_state reads error"));
    let fix = fixes(&f);
    assert!(!fix.contains("disable_idle_d3=1"), "{fix}");
    assert!(f["evidence"][2]
        .as_str()
        .unwrap()
        .contains("Y (idle devices stay in D0)"));
    let _ = fs::remove_dir_all(&root);
}
