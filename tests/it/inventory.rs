//! `list` on every host, and `hostdev`, as reviewed snapshots.

use crate::common::{hosts, run};

#[test]
fn list_every_host() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for host in hosts() {
            let r = run(&["list", "--root", &host.root, "--color", "never"]);
            assert_eq!(r.code, 0, "{}: {}", host.name, r.stderr);
            insta::assert_snapshot!(format!("list__{}", host.name), r.transcript());
        }
        let r = run(&[
            "list",
            "--root",
            "tests/hosts/seed-ready/root",
            "--format",
            "json",
        ]);
        insta::assert_snapshot!("list__seed-ready__json", r.transcript());
    });
}

#[test]
fn hostdev_prints_the_guides_element() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        let r = run(&[
            "hostdev",
            "pci_0000_03_10_1",
            "--root",
            "tests/hosts/seed-ready/root",
        ]);
        assert_eq!(r.code, 0);
        insta::assert_snapshot!("hostdev__seed-ready__03_10_1", r.transcript());
        let r = run(&[
            "hostdev",
            "03:10.0",
            "--managed",
            "no",
            "--root",
            "tests/hosts/seed-ready/root",
            "--format",
            "json",
        ]);
        insta::assert_snapshot!("hostdev__seed-ready__03_10_0_json", r.transcript());
    });
    // The guide's values: bus 3, slot 16 (0x10), function 1.
    let r = run(&[
        "hostdev",
        "03:10.1",
        "--root",
        "tests/hosts/seed-ready/root",
    ]);
    assert!(r
        .stdout
        .contains("<address domain='0x0000' bus='0x03' slot='0x10' function='0x1'/>"));
    // Not on the host: an error, not an element for a device that is not there.
    let r = run(&[
        "hostdev",
        "03:11.0",
        "--root",
        "tests/hosts/seed-ready/root",
    ]);
    assert_eq!(r.code, 2);
}

#[test]
fn hostdev_free_picks_a_vf_no_one_holds() {
    let r = run(&[
        "hostdev",
        "--free",
        "--pf",
        "03:00.0",
        "--root",
        "tests/hosts/seed-ready/root",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["address"], "0000:03:10.0");
    // A PF with no VFs has nothing free; a VF is not a PF.
    let r = run(&[
        "hostdev",
        "--free",
        "--pf",
        "03:00.0",
        "--root",
        "tests/hosts/seed-no-vfs/root",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no free VF"), "{}", r.stderr);
    let r = run(&[
        "hostdev",
        "--free",
        "--pf",
        "03:10.0",
        "--root",
        "tests/hosts/seed-ready/root",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("not an SR-IOV physical function"),
        "{}",
        r.stderr
    );
}
