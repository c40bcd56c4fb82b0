//! The probe on the nova-* test hosts: what each spec matches and each
//! alias gets, and the problems with their fixes.

use crate::facts::{Known, NovaFacts};

fn nova(host: &str) -> NovaFacts {
    let root = format!("{}/tests/hosts/{host}/root", env!("CARGO_MANIFEST_DIR"));
    let fs = crate::hostfs::DirFs::tree(std::path::Path::new(&root)).unwrap();
    match crate::gather(&fs, &[]).unwrap().host.nova {
        Known::Value(n) => n,
        Known::Unknown(r) => panic!("{host}: {r}"),
    }
}

#[test]
fn no_nova_conf_is_not_present() {
    let n = nova("seed-ready");
    assert!(!n.present);
    assert!(n.specs.is_empty() && n.problems.is_empty());
}

#[test]
fn the_vf_id_matches_both_vfs_and_serves_the_alias() {
    let n = nova("nova-ready");
    assert!(n.present && n.compute);
    assert_eq!(n.problems, Vec::<String>::new());
    assert_eq!(n.specs.len(), 1);
    assert_eq!(n.specs[0].matches, ["0000:03:10.0", "0000:03:10.1"]);
    assert_eq!((n.specs[0].vfs, n.specs[0].pfs), (2, 0));
    assert_eq!(n.specs[0].source, "/etc/nova/nova.conf:24");
    assert_eq!(n.aliases[0].devices, ["0000:03:10.0", "0000:03:10.1"]);
    assert_eq!(
        n.summary,
        [
            "device_spec #1 matches 2 VFs",
            "alias igb-vf (type-VF) can get 2 devices"
        ]
    );
}

#[test]
fn the_pf_id_under_a_type_vf_alias_names_the_vf_id() {
    let n = nova("nova-pf-id");
    assert_eq!(n.specs[0].matches, ["0000:03:00.0", "0000:03:00.1"]);
    assert_eq!(n.specs[0].pfs, 2);
    assert!(n.aliases[0].devices.is_empty());
    assert_eq!(n.problems.len(), 1, "{:?}", n.problems);
    assert!(
        n.problems[0].contains(
            "10c9 is the product id of the PF (0000:03:00.0, 0000:03:00.1), not of its VFs (10ca)"
        ),
        "{:?}",
        n.problems
    );
    assert_eq!(
        n.fixes,
        ["In alias igb-vf set \"product_id\": \"10ca\" (the VF's) instead of \"10c9\" (the PF's), and the same in device_spec #1."]
    );
}

#[test]
fn an_address_on_an_empty_bus_matches_nothing() {
    let n = nova("nova-no-match");
    assert_eq!(n.specs[0].matches.len(), 2);
    assert!(n.specs[1].matches.is_empty());
    assert_eq!(n.problems.len(), 1, "{:?}", n.problems);
    assert!(
        n.problems[0].starts_with("device_spec #2 "),
        "{:?}",
        n.problems
    );
    assert!(
        n.problems[0]
            .ends_with("matches no device: no device on this host is at an address it matches"),
        "{:?}",
        n.problems
    );
    assert_eq!(n.aliases[0].devices.len(), 2);
}

#[test]
fn legacy_names_lists_devname_regex_and_config_dir() {
    let n = nova("nova-legacy");
    assert_eq!(
        n.files,
        ["/etc/nova/nova.conf", "/etc/nova/nova.conf.d/50-pci.conf"]
    );
    assert_eq!(n.problems, Vec::<String>::new());
    let names: Vec<&str> = n.specs.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "pci_passthrough_whitelist #1",
            "pci_passthrough_whitelist #2",
            "passthrough_whitelist #3",
            "passthrough_whitelist #4"
        ]
    );
    // devname of the PF: the PF and its VF.
    assert_eq!(n.specs[0].matches, ["0000:03:00.0", "0000:03:10.0"]);
    // bus 03, slot 10, function [1-7].
    assert_eq!(n.specs[1].matches, ["0000:03:10.1"]);
    assert_eq!(n.specs[2].matches, ["0000:03:10.0", "0000:03:10.1"]);
    assert_eq!(n.aliases[0].devices, ["0000:03:10.0", "0000:03:10.1"]);
}
