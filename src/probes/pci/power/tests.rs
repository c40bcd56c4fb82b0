use std::collections::BTreeMap;

use super::*;
use crate::hostfs::{BundleFs, EntryKind, Metadata, Node};

const DEV: &str = "/sys/bus/pci/devices/0000:04:00.0";

fn file(content: &[u8]) -> Node {
    Node {
        meta: Some(Metadata {
            kind: EntryKind::File,
            mode: 0o644,
            uid: 0,
            gid: 0,
            device: None,
        }),
        content: Some(content.to_vec()),
        ..Node::default()
    }
}

/// A root with the device's files `files` (name, content) under DEV.
fn root(files: &[(&str, &[u8])]) -> BundleFs {
    let mut nodes = BTreeMap::new();
    for (name, content) in files {
        nodes.insert(format!("{DEV}/{name}"), file(content));
    }
    BundleFs::new("t", nodes)
}

fn facts(fs: &BundleFs, target: bool, log: Option<(&str, &[String])>) -> Known<PowerFacts> {
    power(fs, DEV, target, Some(false), log, "0000:04:00.0")
}

const NVME: &[u8] = &[
    0x4d, 0x14, 0x08, 0xa8, 0x06, 0x04, 0x10, 0x00, 0x00, 0x02, 0x08, 0x01, 0x00, 0x00, 0x00, 0x00,
];

#[test]
fn d3cold_is_not_woken_to_read_config_space() {
    let fs = root(&[
        ("power_state", b"D3cold\n"),
        ("d3cold_allowed", b"1\n"),
        ("power/runtime_status", b"suspended\n"),
        ("power/control", b"auto\n"),
        ("config", &[0xff; 64]),
    ]);
    let Known::Value(p) = facts(&fs, true, None) else {
        panic!("known")
    };
    assert_eq!(p.state.as_deref(), Some("D3cold"));
    assert_eq!(p.d3cold_allowed, Some(true));
    assert_eq!(p.runtime_status.as_deref(), Some("suspended"));
    assert_eq!(p.runtime_control.as_deref(), Some("auto"));
    // Not read: on a live host the read would resume it.
    assert_eq!(p.config_all_ones, None);
    assert!(
        p.shown.iter().any(|s| s.contains("not read")),
        "{:?}",
        p.shown
    );
}

#[test]
fn a_device_that_fell_off_the_bus_reads_all_ones() {
    let fs = root(&[
        ("power_state", b"D0\n"),
        ("power/runtime_status", b"active\n"),
        ("config", &[0xff; 4096]),
    ]);
    let Known::Value(p) = facts(&fs, true, None) else {
        panic!("known")
    };
    assert_eq!(p.config_all_ones, Some(true));
    // Not a target: config space is not read at all.
    let Known::Value(p) = facts(&fs, false, None) else {
        panic!("known")
    };
    assert_eq!(p.config_all_ones, None);
    let fs = root(&[("power/runtime_status", b"active\n"), ("config", NVME)]);
    let Known::Value(p) = facts(&fs, true, None) else {
        panic!("known")
    };
    assert_eq!((p.state, p.config_all_ones), (None, Some(false)));
    assert!(
        p.shown.iter().any(|s| s.contains("class 010802")),
        "{:?}",
        p.shown
    );
}

#[test]
fn log_lines_of_this_device_only_and_nothing_read_is_unknown() {
    let log: Vec<String> = [
        "[ 88.1] pcieport 0000:00:03.0: PME: Spurious native interrupt!",
        "[ 89.2] vfio-pci 0000:04:00.0: not ready 1023ms after resume; giving up",
        "[ 89.3] vfio-pci 0000:04:00.0: can't change power state from D3cold to D0 (config space inaccessible)",
        "[ 90.0] vfio-pci 0000:05:00.0: Unable to change power state from D3cold to D0, device inaccessible",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let empty = root(&[]);
    let Known::Value(p) = facts(&empty, true, Some(("/var/log/dmesg", &log))) else {
        panic!("known from the log alone")
    };
    assert_eq!(p.wake_failed.len(), 1, "{:?}", p.wake_failed);
    assert!(p.wake_failed[0].contains("D3cold to D0"));
    assert_eq!(p.gave_up.len(), 1);
    assert_eq!(p.log_source.as_deref(), Some("/var/log/dmesg"));
    // No file and no log: nothing tells, and the reason says what was tried.
    let Known::Unknown(why) = facts(&empty, true, None) else {
        panic!("unknown")
    };
    assert!(why.contains("no power_state"), "{why}");
}

#[test]
fn hostile_values_are_kept_as_data() {
    let fs = root(&[
        ("power_state", b"\x1b[2JD0\n"),
        ("power/runtime_status", b"active\rResult: READY\n"),
    ]);
    let Known::Value(p) = facts(&fs, false, None) else {
        panic!("known")
    };
    // Not a state the kernel writes: kept, escaped, and not D0.
    let state = p.state.unwrap();
    assert_ne!(state, "D0");
    assert!(!state.chars().any(char::is_control), "{state:?}");
    assert!(!p.runtime_status.unwrap().chars().any(char::is_control));
}

#[test]
fn the_test_hosts() {
    // seed-d3cold: 04:00.0 lost its power and did not come back, on a 5.14
    // kernel (no power_state).
    let root = format!(
        "{}/tests/hosts/seed-d3cold/root",
        env!("CARGO_MANIFEST_DIR")
    );
    let fs = crate::hostfs::DirFs::tree(std::path::Path::new(&root)).unwrap();
    let all = crate::gather(&fs, &["0000:04:00.0".to_string()]).unwrap();
    let d = all
        .devices
        .iter()
        .find(|d| d.address.to_string() == "0000:04:00.0")
        .unwrap();
    let Known::Value(p) = &d.power else {
        panic!("known")
    };
    assert_eq!(p.state, None);
    assert_eq!(p.config_all_ones, Some(true));
    assert_eq!(p.wake_failed.len(), 1, "{:?}", p.wake_failed);
    assert!(p.gave_up.is_empty(), "{:?}", p.gave_up);
    // Its VFs (read in a run without targets) are runtime-active, and not
    // named in the log.
    let all = crate::gather(&fs, &[]).unwrap();
    let vf = all
        .devices
        .iter()
        .find(|d| d.address.to_string() == "0000:03:10.0")
        .unwrap();
    let Known::Value(v) = &vf.power else {
        panic!("known")
    };
    assert_eq!(v.runtime_status.as_deref(), Some("active"));
    assert!(v.wake_failed.is_empty() && v.gave_up.is_empty());
}
