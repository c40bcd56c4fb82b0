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

/// `hostdev ADDR > hostdev.xml` writes the element alone: every other word
/// goes to standard error.
#[test]
fn hostdev_writes_only_the_element_on_stdout() {
    let r = run(&[
        "hostdev",
        "03:10.1",
        "--root",
        "tests/hosts/seed-ready/root",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("<hostdev "), "{}", r.stdout);
    assert!(r.stdout.trim_end().ends_with("</hostdev>"), "{}", r.stdout);
    assert!(r.stderr.contains("virsh attach-device"), "{}", r.stderr);
    // --bundle reads a bundle like the other commands.
    let dir = crate::common::scratch("hostdev-bundle");
    let bundle = dir.join("b.json");
    let b = run(&[
        "bundle",
        "--root",
        "tests/hosts/seed-ready/root",
        "-o",
        bundle.to_str().unwrap(),
    ]);
    assert_eq!(b.code, 0, "{}", b.stderr);
    let r2 = run(&["hostdev", "03:10.1", "--bundle", bundle.to_str().unwrap()]);
    assert_eq!(r2.code, 0, "{}", r2.stderr);
    assert_eq!(r2.stdout, r.stdout);
}

/// A held device, a bridge, a PF with VFs, a group that is not viable, a
/// host-used device with managed='no': a warning, no element, exit 1;
/// --force prints the element with the warning.
#[test]
fn hostdev_refuses_what_a_guest_cannot_have_unless_forced() {
    let cases = [
        ("seed-guest-holds", "03:10.0", "no", "held by guest web01"),
        ("seed-ready", "00:1f.0", "yes", "ISA/LPC bridge"),
        ("seed-ready", "00:00.0", "yes", "host bridge"),
        ("seed-ready", "00:01.0", "yes", "a PCI bridge"),
        ("seed-ready", "03:00.0", "yes", "1 VF(s) enabled"),
        ("seed-group-shared", "03:10.0", "yes", "group 7"),
        (
            "seed-group-shared",
            "03:00.0",
            "yes",
            "default route (enp3s0f0)",
        ),
        ("seed-host-driver", "03:10.0", "no", "managed='no'"),
    ];
    for (host, dev, managed, why) in cases {
        let root = format!("tests/hosts/{host}/root");
        let args = ["hostdev", dev, "--managed", managed, "--root", &root];
        let r = run(&args);
        assert_eq!(r.code, 1, "{host} {dev}: {}", r.transcript());
        assert!(r.stdout.is_empty(), "{host} {dev}: {}", r.stdout);
        assert!(r.stderr.contains(why), "{host} {dev}: {}", r.stderr);
        let mut forced = args.to_vec();
        forced.push("--force");
        let r = run(&forced);
        assert_eq!(r.code, 0, "{host} {dev}: {}", r.transcript());
        assert!(r.stdout.starts_with("<hostdev "), "{}", r.stdout);
        assert!(r.stderr.contains(why), "{host} {dev}: {}", r.stderr);
    }
    // managed='yes' on a host-used VF is fine: libvirt detaches it.
    let r = run(&[
        "hostdev",
        "03:10.0",
        "--root",
        "tests/hosts/seed-host-driver/root",
    ]);
    assert_eq!(r.code, 0, "{}", r.transcript());
}

#[test]
fn hostdev_prints_xl_and_proxmox_forms() {
    let r = run(&[
        "hostdev",
        "03:10.0",
        "--for",
        "xl",
        "--root",
        "tests/hosts/xen-no-pciback/root",
    ]);
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert_eq!(r.stdout, "pci = [ '0000:03:10.0' ]\n");
    assert!(
        r.stderr.contains("xl pci-assignable-add 0000:03:10.0"),
        "{}",
        r.stderr
    );
    let r = run(&[
        "hostdev",
        "03:10.0",
        "--for",
        "xl",
        "--root",
        "tests/hosts/xen-ready/root",
    ]);
    assert!(
        r.stderr.contains("already owned by pciback"),
        "{}",
        r.stderr
    );
    let r = run(&[
        "hostdev",
        "03:10.1",
        "--for",
        "proxmox",
        "--root",
        "tests/hosts/seed-ready/root",
    ]);
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert_eq!(r.stdout, "hostpci0: 0000:03:10.1\n");
    assert!(
        r.stderr.contains("qm set VMID --hostpci0 0000:03:10.1"),
        "{}",
        r.stderr
    );
}

/// `list` calls a VF free only where `check` finds nothing that keeps a
/// guest from it, and says what `check` says where it does: the host uses
/// it (device.host-driver), its group is shared (iommu.group), someone
/// holds it (device.in-use). No NUMA node is not printed as -1.
#[test]
fn list_states_agree_with_check() {
    let mut seen = std::collections::BTreeSet::new();
    for host in hosts() {
        let list = run(&["list", "--root", &host.root, "--format", "json"]);
        let inv: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
        for vf in inv["pfs"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["vfs"].as_array().unwrap())
        {
            let addr = vf["address"].as_str().unwrap();
            let state = vf["state"].as_str().unwrap();
            let at = format!("{}: {addr} is {state}", host.name);
            // With the VF as a target, as an operator about to give it asks.
            let check = run(&[
                "check", "--root", &host.root, "-d", addr, "--format", "json",
            ]);
            let report: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
            let status = |rule: &str| -> String {
                report["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|f| f["rule"] == rule && f["subject"] == addr)
                    .map(|f| f["status"].as_str().unwrap().to_string())
                    .unwrap_or_else(|| "none".into())
            };
            let bad = |rule: &str| matches!(status(rule).as_str(), "fail" | "warn");
            match state {
                "free" => {
                    for rule in ["device.host-driver", "iommu.group", "device.in-use"] {
                        assert!(!bad(rule), "{at}, but {rule} is {}", status(rule));
                    }
                    assert_eq!(vf["free"], true, "{at}");
                }
                "host" => assert!(bad("device.host-driver"), "{at}"),
                "group-shared" => assert!(bad("iommu.group"), "{at}"),
                "held" => assert!(bad("device.in-use"), "{at}"),
                _ => {}
            }
            if state != "free" {
                assert_eq!(vf["free"], false, "{at}");
            }
            seen.insert(state.to_string());
        }
        let text = run(&["list", "--root", &host.root, "--color", "never"]);
        assert!(
            !text.stdout.contains("NUMA -1"),
            "{}: {}",
            host.name,
            text.stdout
        );
    }
    // The hosts show every state a test host can.
    for state in [
        "free",
        "host",
        "group-shared",
        "held",
        "no-group",
        "unknown",
    ] {
        assert!(
            seen.contains(state),
            "no test host has a {state} VF: {seen:?}"
        );
    }
}

#[test]
fn list_says_why_a_vf_is_not_free() {
    let line = |host: &str, vf: &str| -> String {
        let r = run(&[
            "list",
            "--root",
            &format!("tests/hosts/{host}/root"),
            "--color",
            "never",
        ]);
        // The VF's line and the lines its state wraps onto, as one.
        let mut lines = r
            .stdout
            .lines()
            .skip_while(|l| !l.contains(&format!("─ {vf}")));
        let first = lines
            .next()
            .unwrap_or_else(|| panic!("{host}: no {vf}: {}", r.stdout))
            .to_string();
        lines
            .take_while(|l| l.starts_with("        ") && !l.trim().is_empty())
            .fold(first, |acc, l| format!("{acc} {}", l.trim()))
    };
    let shared = line("seed-group-shared", "0000:03:10.1");
    assert!(
        shared.ends_with("group 7     shared with 0000:03:00.0 (igb), 0000:03:00.1 (igb)"),
        "{shared}"
    );
    let host = line("seed-host-driver", "0000:03:10.0");
    assert!(host.ends_with("host: igbvf (enp3s16)"), "{host}");
    let held = line("seed-guest-holds", "0000:03:10.0");
    assert!(held.ends_with("held by guest web01 (pid 4242)"), "{held}");
}
