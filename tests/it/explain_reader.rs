//! explain's generic reader and ranking: a line no signature knows still
//! focuses the checks on what it names and says what it found; a failure
//! ranks above a warning; a message that names no device is checked on
//! every assignment candidate, so host-wide causes show.

use serde_json::Value;

use crate::common::run;

fn explain_json(host: &str, text: &str) -> Value {
    let root = format!("tests/hosts/{host}/root");
    let r = run(&["explain", "--root", &root, "--format", "json", text]);
    assert!(matches!(r.code, 0 | 1), "exit {}: {}", r.code, r.stderr);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
}

fn rules(v: &Value) -> Vec<String> {
    v["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn an_unrecognised_line_focuses_on_what_it_names_and_says_so() {
    let text = "mytool: cannot open 3:10.0: Device or resource busy";
    let v = explain_json("seed-host-driver", text);
    assert!(v["matches"].as_array().unwrap().is_empty(), "{v}");
    assert_eq!(v["focus"], serde_json::json!(["0000:03:10.0"]), "{v}");
    assert_eq!(v["scope"], "named");
    let named: Vec<(String, String, String, String)> = v["named"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let s = |k: &str| n[k].as_str().unwrap_or("null").to_string();
            (s("kind"), s("value"), s("resolved"), s("by"))
        })
        .collect();
    let want = |k: &str, v: &str, r: &str| (k.into(), v.into(), r.into(), "reader".into());
    assert_eq!(
        named,
        [
            want("device", "3:10.0", "0000:03:10.0"),
            want("errno", "Device or resource busy", "EBUSY")
        ]
    );
    // The device's own failure leads; the note stays honest.
    assert_eq!(v["causes"][0]["rule"], "device.host-driver", "{v}");
    assert_eq!(v["causes"][0]["subject"], "0000:03:10.0");
    let note = v["note"].as_str().unwrap();
    assert!(
        note.starts_with("no known message in the input (it names 0000:03:10.0, EBUSY)"),
        "{note}"
    );
    assert!(note.contains("not a diagnosis"), "{note}");
    let r = run(&[
        "explain",
        "--root",
        "tests/hosts/seed-host-driver/root",
        "--color",
        "never",
        text,
    ]);
    assert!(
        r.stdout
            .contains("line 1: no known message; it names 0000:03:10.0, EBUSY"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_guest_named_alone_stands_for_its_devices() {
    let v = explain_json("seed-memlock-low", "error: Failed to start domain 'db01'");
    assert_eq!(v["scope"], "guest", "{v}");
    assert_eq!(v["focus"], serde_json::json!(["0000:03:10.0"]), "{v}");
    assert_eq!(v["named"][0]["kind"], "domain");
    assert_eq!(v["named"][0]["value"], "db01");
    assert!(rules(&v).contains(&"device.memlock".to_string()), "{v}");
}

#[test]
fn a_failure_always_ranks_above_a_warning() {
    // The signature names kernel.vfio-noiommu (a warning here) before
    // kernel.iommu (a failure): the failure leads.
    for (host, text) in [
        (
            "seed-noiommu",
            "vfio-pci 0000:03:10.0: Adding kernel taint for vfio-noiommu group on device",
        ),
        (
            "seed-group-shared",
            "vfio 0000:03:10.0: group 7 is not viable",
        ),
        ("hp-rmrr", "something odd happened"),
        ("seed-no-vtd", "something odd happened"),
    ] {
        let v = explain_json(host, text);
        let statuses: Vec<&str> = v["causes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["status"].as_str().unwrap())
            .collect();
        assert!(statuses.contains(&"fail"), "{host}: {v}");
        let first_warn = statuses.iter().position(|s| *s == "warn");
        if let Some(w) = first_warn {
            assert!(
                statuses[w..].iter().all(|s| *s == "warn"),
                "{host}: {statuses:?}"
            );
        }
    }
    let v = explain_json(
        "seed-noiommu",
        "vfio-pci 0000:03:10.0: Adding kernel taint for vfio-noiommu group on device",
    );
    let r = rules(&v);
    assert_eq!(r[..2], ["kernel.iommu", "kernel.vfio-noiommu"], "{v}");
}

#[test]
fn a_message_naming_no_device_reaches_the_hosts_rmrr() {
    // On the HP Gen8 the NIC to assign is back on tg3 (libvirt reattaches a
    // managed device after the failure); its group has firmware-reserved
    // memory, so it is a candidate and firmware.rmrr is evaluated on it.
    let v = explain_json(
        "hp-rmrr",
        "vfio: failed to set iommu for container: Operation not permitted",
    );
    let matched: Vec<&str> = v["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["signature"].as_str().unwrap())
        .collect();
    assert_eq!(matched, ["vfio-set-iommu-eperm"], "{v}");
    assert_eq!(v["scope"], "candidates", "{v}");
    let focus: Vec<&str> = v["focus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    for d in ["0000:03:00.0", "0000:06:10.0", "0000:06:10.1"] {
        assert!(focus.contains(&d), "{d} not in {focus:?}");
    }
    // Not every device of the host: bridges without reserved memory stay out.
    assert!(!focus.contains(&"0000:00:01.0"), "{focus:?}");
    assert_eq!(v["causes"][0]["rule"], "firmware.rmrr", "{v}");
    assert!(v["note"].is_null(), "{v}");
    // Before, with no device named, nothing was a target and the message's
    // advice was contradicted: now its own check fails.
    assert!(
        v["matches"][0]["host_checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["rule"] == "firmware.rmrr" && c["status"] == "fail"),
        "{v}"
    );
}

#[test]
fn a_device_not_on_this_host_keeps_its_group_number_off_this_hosts_group() {
    // 00:02.0 is not on this host: its group 1 is the other machine's, and
    // group 1 here (a root port) is not checked in its stead.
    let v = explain_json(
        "seed-no-vfio",
        "qemu-system-x86_64: -device vfio-pci,host=00:02.0,bus=port.1,multifunction=on: vfio 0000:00:02.0: failed to open /dev/vfio/1: No such file or directory",
    );
    assert_eq!(v["focus"], serde_json::json!([]), "{v}");
    assert_eq!(v["not_on_host"], serde_json::json!(["0000:00:02.0"]), "{v}");
    assert_eq!(v["causes"][0]["rule"], "modules.vfio", "{v}");
}
