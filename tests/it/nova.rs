//! OpenStack Nova: platform.nova-pci on the nova-* hosts (tools/hostgen/
//! scenarios/nova.py): the spec and alias on the VF's id pass, the PF's
//! id under a type-VF alias and an address on an empty bus fail, naming
//! the spec or alias, why, and the exact change; the restart is RHEL's
//! unit; a host without nova.conf skips; a bundle keeps no secret of it.

use crate::common::{copy_tree, finding, run, scratch};

fn nova_pci(host: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let root = format!("tests/hosts/{host}/root");
    let mut args = vec!["check", "--root", root.as_str(), "--format", "json"];
    args.extend_from_slice(extra);
    let r = run(&args);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    (r.code, finding(&v, "platform.nova-pci", "host").clone())
}

#[test]
fn the_vf_id_passes_and_says_what_matches() {
    let (code, f) = nova_pci("nova-ready", &[]);
    assert_eq!(code, 0);
    assert_eq!(f["status"], "pass", "{f}");
    assert_eq!(
        f["message"],
        "device_spec #1 matches 2 VFs; alias igb-vf (type-VF) can get 2 devices"
    );
}

#[test]
fn the_pf_id_under_a_type_vf_alias_fails_with_the_vf_id_as_fix() {
    let (code, f) = nova_pci("nova-pf-id", &[]);
    assert_eq!(code, 1);
    assert_eq!(f["status"], "fail", "{f}");
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.starts_with("alias igb-vf (type-VF, 8086:10c9) at /etc/nova/nova.conf:"),
        "{msg}"
    );
    assert!(msg.contains("not of its VFs (10ca)"), "{msg}");
    let fix = f["remediation"][0].as_str().unwrap();
    assert!(
        fix.contains("set \"product_id\": \"10ca\" (the VF's) instead of \"10c9\""),
        "{fix}"
    );
    // The seed host is RHEL 9: RDO's unit name.
    let restart = f["remediation"][1].as_str().unwrap();
    assert!(
        restart.contains("systemctl restart openstack-nova-compute"),
        "{restart}"
    );
}

#[test]
fn an_address_matching_nothing_fails_naming_the_spec() {
    let (_, f) = nova_pci("nova-no-match", &[]);
    assert_eq!(f["status"], "fail", "{f}");
    let msg = f["message"].as_str().unwrap();
    assert!(msg.starts_with("device_spec #2 "), "{msg}");
    assert!(msg.contains("0000:04:10.*"), "{msg}");
    assert!(!msg.contains("device_spec #1"), "{msg}");
}

#[test]
fn legacy_names_and_the_config_dir_pass() {
    let (_, f) = nova_pci("nova-legacy", &[]);
    assert_eq!(f["status"], "pass", "{f}");
    let ev = f["evidence"][0].as_str().unwrap();
    assert!(ev.contains("/etc/nova/nova.conf.d/50-pci.conf"), "{ev}");
}

#[test]
fn with_device_targets_the_unread_devices_are_still_matched() {
    // --device reads only what bears on the target; nova's check reads the
    // ids of the others itself, so the PFs still count.
    let (_, f) = nova_pci("nova-pf-id", &["--device", "0000:03:10.0"]);
    assert_eq!(f["status"], "fail", "{f}");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("(0000:03:00.0, 0000:03:00.1)"),
        "{f}"
    );
}

#[test]
fn with_device_targets_a_devname_of_an_unread_pf_still_matches() {
    // 03:00.0 (enp3s0f0) does not bear on 03:10.1, so --device leaves it
    // unread; its interface still decides spec #1.
    let (_, f) = nova_pci("nova-legacy", &["--device", "0000:03:10.1"]);
    assert_eq!(f["status"], "pass", "{f}");
    let ev = f["evidence"][1].as_str().unwrap();
    assert!(
        ev.starts_with(
            "pci_passthrough_whitelist #1 at /etc/nova/nova.conf:5: 0000:03:00.0, 0000:03:10.0;"
        ),
        "{ev}"
    );
}

#[test]
fn no_nova_conf_is_a_skip() {
    let (_, f) = nova_pci("seed-ready", &[]);
    assert_eq!(f["status"], "skip", "{f}");
    assert_eq!(f["message"], "not applicable: no /etc/nova/nova.conf");
}

#[test]
fn a_bundle_keeps_the_pci_options_but_not_the_passwords() {
    let r = run(&["bundle", "--root", "tests/hosts/nova-ready/root", "-o", "-"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("device_spec"),
        "no device_spec in the bundle"
    );
    for secret in ["RABBIT_PASS", "NOVA_DBPASS"] {
        assert!(!r.stdout.contains(secret), "the bundle carries {secret}");
    }
    // Replayed, the bundle's own check gives the same verdict.
    let b: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let f = finding(&b["check"], "platform.nova-pci", "host");
    assert_eq!(f["status"], "pass", "{f}");
}

/// nova-ready's tree with its nova.conf replaced, and the finding.
fn with_conf(name: &str, conf: &str) -> serde_json::Value {
    with_files(name, &[("etc/nova/nova.conf", conf)])
}

/// nova-ready's tree with some files replaced, and the finding.
fn with_files(name: &str, files: &[(&str, &str)]) -> serde_json::Value {
    let dir = scratch(name);
    copy_tree(std::path::Path::new("tests/hosts/nova-ready/root"), &dir);
    for (path, text) in files {
        std::fs::write(dir.join(path), text).unwrap();
    }
    let root = dir.to_string_lossy().into_owned();
    let r = run(&["check", "--root", &root, "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    finding(&v, "platform.nova-pci", "host").clone()
}

#[test]
fn bad_json_a_file_oslo_refuses_and_a_spec_on_a_host_driver_fail_without_panic() {
    let f = with_conf(
        "nova-bad-json",
        "[pci]\ndevice_spec = {\"vendor_id\": \"8086\",\n",
    );
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.starts_with("device_spec at /etc/nova/nova.conf:2 is invalid: \"Invalid [pci]device_spec config: Invalid entry: "),
        "{msg}"
    );
    let f = with_conf("nova-no-section", "device_spec = {}\n");
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.contains("Section must be started before assignment"),
        "{msg}"
    );
    assert_eq!(f["evidence"][0], "read: /etc/nova/nova.conf");
    // A type-PF alias whose PFs no spec matches: the fix adds one.
    let f = with_conf(
        "nova-type-pf",
        "[pci]\ndevice_spec = {\"product_id\": \"10ca\"}\nalias = {\"name\": \"pf\", \"vendor_id\": \"8086\", \"product_id\": \"10c9\", \"device_type\": \"type-PF\"}\n",
    );
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.contains("this host has 2 devices of that type and ids (0000:03:00.0, 0000:03:00.1), but no device_spec matches them"),
        "{msg}"
    );
    let fix = f["remediation"][0].as_str().unwrap();
    assert!(
        fix.contains("device_spec = {\"vendor_id\": \"8086\", \"product_id\": \"10c9\"}"),
        "{fix}"
    );
}

#[test]
fn on_ubuntu_the_restart_is_nova_compute() {
    let pf_id = std::fs::read_to_string("tests/hosts/nova-pf-id/root/etc/nova/nova.conf").unwrap();
    let f = with_files(
        "nova-ubuntu",
        &[
            ("etc/nova/nova.conf", &pf_id),
            (
                "etc/os-release",
                "PRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\nID=ubuntu\nID_LIKE=debian\n",
            ),
        ],
    );
    assert_eq!(f["status"], "fail", "{f}");
    let restart = f["remediation"][1].as_str().unwrap();
    assert!(
        restart.contains("`systemctl restart nova-compute`") && !restart.contains("openstack-"),
        "{restart}"
    );
}

#[test]
fn a_compute_node_with_an_alias_and_no_spec_fails() {
    let f = with_conf(
        "nova-alias-only",
        "[pci]\nalias = {\"name\": \"igb-vf\", \"vendor_id\": \"8086\", \"product_id\": \"10ca\", \"device_type\": \"type-VF\"}\n",
    );
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.starts_with(
            "this is a compute node (nova-compute is installed) and no [pci] device_spec is set"
        ),
        "{msg}"
    );
}
