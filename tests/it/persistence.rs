//! sriov.persistence on the persist-* hosts (tools/hostgen/scenarios/persistence.py):
//! what it cites, what a hostile configuration file does to it, and that the
//! udev rule it suggests is one it then finds.

use std::path::Path;

use crate::common::{copy_tree, finding, run, scratch};

const RULE: &str = "sriov.persistence";

fn check(root: &Path) -> serde_json::Value {
    let r = run(&[
        "check",
        "--root",
        root.to_str().unwrap(),
        "--format",
        "json",
    ]);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.transcript()))
}

fn text(f: &serde_json::Value) -> String {
    format!("{} {} {}", f["message"], f["evidence"], f["remediation"])
}

#[test]
fn a_count_that_differs_names_both_numbers_and_every_source() {
    let v = check(Path::new("tests/hosts/persist-count-differs/root"));
    let f = finding(&v, RULE, "0000:03:00.1");
    assert_eq!(f["status"], "warn", "{f}");
    let t = text(f);
    assert!(
        t.contains("/etc/modprobe.d/igb.conf:1 sets 7") && t.contains("has 1 now"),
        "{t}"
    );
    // The enabled unit's script, found through its ExecStart.
    assert!(t.contains("/usr/local/sbin/sriov-vfs.sh:3"), "{t}");
}

#[test]
fn a_unit_that_is_not_enabled_does_not_count() {
    let v = check(Path::new("tests/hosts/persist-none/root"));
    let f = finding(&v, RULE, "0000:03:00.1");
    assert_eq!(f["status"], "warn");
    assert!(
        text(f).contains("systemctl enable sriov-vfs.service"),
        "{f}"
    );
}

#[test]
fn the_suggested_udev_rule_is_one_the_check_then_finds() {
    let dir = scratch("persist-suggested");
    copy_tree(Path::new("tests/hosts/persist-none/root"), &dir);
    let v = check(&dir);
    let f = finding(&v, RULE, "0000:03:00.0");
    assert_eq!(f["status"], "warn");
    let fix = f["remediation"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r.as_str())
        .find(|r| r.contains("udev rule"))
        .unwrap_or_else(|| panic!("no udev fix: {f}"));
    // `echo 'RULE' >> /etc/udev/rules.d/70-sriov-vfs.rules`
    let rule = fix
        .split("echo '")
        .nth(1)
        .unwrap()
        .split("' >> ")
        .next()
        .unwrap();
    let rules = dir.join("etc/udev/rules.d");
    std::fs::create_dir_all(&rules).unwrap();
    std::fs::write(rules.join("70-sriov-vfs.rules"), format!("{rule}\n")).unwrap();
    let v = check(&dir);
    let f = finding(&v, RULE, "0000:03:00.0");
    assert_eq!(f["status"], "pass", "{f}");
    assert!(
        text(f).contains("/etc/udev/rules.d/70-sriov-vfs.rules:1"),
        "{f}"
    );
}

#[test]
fn hostile_configuration_files_are_data() {
    let dir = scratch("persist-hostile");
    copy_tree(Path::new("tests/hosts/persist-none/root"), &dir);
    let rules = dir.join("etc/udev/rules.d");
    std::fs::create_dir_all(&rules).unwrap();
    // Invalid UTF-8 around a rule for 03:00.1: replaced, the rule still read.
    let mut bad = b"# \xff\xfe\n".to_vec();
    bad.extend_from_slice(b"ACTION==\"add\", SUBSYSTEM==\"net\", KERNELS==\"0000:03:00.1\", ATTR{device/sriov_numvfs}=\"1\" # \xc3\x28\n");
    std::fs::write(rules.join("71-bad.rules"), bad).unwrap();
    // A comment is not a setting.
    std::fs::write(
        rules.join("72-comment.rules"),
        "# ACTION==\"add\", SUBSYSTEM==\"net\", KERNELS==\"0000:03:00.0\", ATTR{device/sriov_numvfs}=\"1\"\n",
    )
    .unwrap();
    // A file masked by a link to /dev/null is not read.
    std::os::unix::fs::symlink("/dev/null", rules.join("73-masked.rules")).unwrap();
    // A huge file: not read, and said so.
    let line = "KERNEL==\"x\", ATTR{sriov_numvfs}=\"1\"\n";
    std::fs::write(
        rules.join("99-huge.rules"),
        line.repeat((2 << 20) / line.len()),
    )
    .unwrap();
    let v = check(&dir);
    let f = finding(&v, RULE, "0000:03:00.1");
    assert_eq!(f["status"], "pass", "{f}");
    assert!(text(f).contains("71-bad.rules:2"), "{f}");
    // Nothing found for 03:00.0, but not everything was read: a skip with
    // the reason, not a warning that nothing is there.
    let f = finding(&v, RULE, "0000:03:00.0");
    assert_eq!(f["status"], "skip", "{f}");
    assert!(
        text(f).contains("99-huge.rules: larger than 1024 KiB"),
        "{f}"
    );
}
