//! `explain --guest NAME`: the input read from the guest's libvirt log and
//! the kernel log, on seed-guest-log (web01's last start failed with "group
//! 7 is not viable").

use crate::common::{run, scratch};

const ROOT: &str = "tests/hosts/seed-guest-log/root";

fn json(args: &[&str]) -> (i32, serde_json::Value) {
    let r = run(args);
    let v = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr));
    (r.code, v)
}

#[test]
fn the_last_start_of_the_guest_log_is_read_and_its_device_checked() {
    let (code, e) = json(&[
        "explain", "--guest", "web01", "--root", ROOT, "--format", "json",
    ]);
    assert_eq!(code, 1, "{e}");
    // Only the last start: the earlier one (2024-01-12) ran and shut down.
    let read: Vec<&str> = e["read_from"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        read[0].starts_with("input lines 1-14: /var/log/libvirt/qemu/web01.log lines 14-27")
            && read[0].contains("2024-01-15 10:23:45.123+0000"),
        "{read:?}"
    );
    // The kernel's lines: from boot (before the start) and about 03:10.1
    // (not web01's device) after it: none is read.
    assert!(
        read[1].starts_with("no input line: /var/log/dmesg"),
        "{read:?}"
    );
    assert_eq!(e["input_lines"], 14);
    let sigs: Vec<&str> = e["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["signature"].as_str().unwrap())
        .collect();
    assert!(sigs.contains(&"vfio-group-not-viable"), "{sigs:?}");
    assert_eq!(e["focus"], serde_json::json!(["0000:03:10.0"]));
    assert_eq!(e["causes"][0]["rule"], "iommu.group");
    assert_eq!(e["causes"][0]["subject"], "0000:03:10.0");
    assert_eq!(e["causes"][0]["status"], "fail");
}

#[test]
fn a_message_given_beside_the_guest_comes_first_and_options_follow_it() {
    let r = run(&[
        "explain",
        "error: Failed to start domain 'web01'",
        "--guest",
        "web01",
        "--root",
        ROOT,
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("input lines 2-15: /var/log/libvirt/qemu/web01.log"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("1. FAIL iommu.group  0000:03:10.0"),
        "{}",
        r.stdout
    );
}

#[test]
fn without_the_guest_log_or_with_a_path_for_a_name_it_says_why() {
    let r = run(&["explain", "--guest", "web02", "--root", ROOT]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(
            "no libvirt log for guest \"web02\": /var/log/libvirt/qemu/web02.log does not exist"
        ),
        "{}",
        r.stderr
    );
    for bad in ["../../../etc/shadow", "a/b", ".."] {
        let r = run(&["explain", "--guest", bad, "--root", ROOT]);
        assert_eq!(r.code, 2, "{bad}");
        assert!(
            r.stderr.contains("is not a guest name libvirt would use"),
            "{}",
            r.stderr
        );
        assert!(r.stdout.is_empty());
    }
}

#[test]
fn a_log_without_a_start_line_is_read_from_its_end_and_said_so() {
    let dir = scratch("explain-guest-no-header");
    let root = dir.join("root");
    crate::common::copy_tree(std::path::Path::new(ROOT), &root);
    let log = root.join("var/log/libvirt/qemu/web01.log");
    std::fs::write(
        &log,
        "qemu-kvm: -device vfio-pci,host=0000:03:10.0: vfio 0000:03:10.0: group 7 is not viable\n",
    )
    .unwrap();
    let (code, e) = json(&[
        "explain",
        "--guest",
        "web01",
        "--root",
        root.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let first = e["read_from"][0].as_str().unwrap();
    assert!(
        first.contains("the last 1 line(s) of /var/log/libvirt/qemu/web01.log, which has no \"starting up\" line"),
        "{first}"
    );
    let second = e["read_from"][1].as_str().unwrap();
    assert!(
        second.contains("from any time (the guest's log gives no start time)"),
        "{second}"
    );
    assert_eq!(e["causes"][0]["rule"], "iommu.group");
}

#[test]
fn a_bundle_keeps_no_guest_log_and_says_so() {
    let dir = scratch("explain-guest-bundle");
    let out = dir.join("b.tar.gz");
    let out = out.to_str().unwrap();
    let r = run(&["bundle", "--root", ROOT, "--no-redact", "-o", out]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["explain", "--guest", "web01", "--bundle", out]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains(
            "a bundle keeps no guest logs: run `sriov-doctor explain --guest web01` on the host"
        ),
        "{}",
        r.stderr
    );
}
