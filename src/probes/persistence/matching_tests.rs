//! Tests of matching.rs: real-shaped rules, .link files and keyfiles
//! against a PF.

use super::*;
use crate::formats::{keyfile, udev_rules};

fn pf(netdevs: &[String]) -> Pf<'_> {
    Pf {
        address: "0000:03:00.0",
        netdevs,
        macs: vec!["52:54:00:12:34:56".into()],
        driver: Some("igb"),
        vendor: Some("0x8086".into()),
        device: Some("0x10c9".into()),
        totalvfs: Some(7),
        ancestors: vec![
            "pci0000:00".into(),
            "0000:00:01.0".into(),
            "0000:03:00.0".into(),
        ],
    }
}

fn udev(text: &str, p: &Pf) -> (Tri, Option<String>, Option<u32>) {
    let rules = udev_rules::parse(text);
    let w = udev_write(&rules[0]).expect("writes sriov_numvfs");
    let (a, k) = udev_applies(&rules[0], w.net, p);
    (a, k, udev_count(&w.assign.value, p))
}

#[test]
fn udev_rules_against_the_pf() {
    let n = vec!["enp3s0f0".to_string()];
    let p = pf(&n);
    let r = udev(
        r#"ACTION=="add", SUBSYSTEM=="net", KERNELS=="0000:03:00.0", ATTR{device/sriov_numvfs}="4""#,
        &p,
    );
    assert_eq!(r, (Tri::Yes, None, Some(4)));
    let r = udev(
        r#"ACTION=="add", SUBSYSTEM=="net", ENV{ID_NET_DRIVER}=="ixgbe", ATTR{device/sriov_numvfs}="2""#,
        &p,
    );
    assert_eq!(r.0, Tri::No);
    let r = udev(
        r#"ACTION=="add", SUBSYSTEM=="pci", KERNEL=="0000:03:00.[01]", ATTR{sriov_numvfs}="7""#,
        &p,
    );
    assert_eq!(r.0, Tri::Yes);
    // The form sriov.vfs and sriov.persistence suggest: the PCI device's
    // bind event, when its driver is there to take the write.
    let r = udev(
        r#"ACTION=="bind", SUBSYSTEM=="pci", KERNEL=="0000:03:00.0", ATTR{sriov_numvfs}="1""#,
        &p,
    );
    assert_eq!(r, (Tri::Yes, None, Some(1)));
    // A network interface is not bound: bind on net never fires.
    let r = udev(
        r#"ACTION=="bind", SUBSYSTEM=="net", KERNELS=="0000:03:00.0", ATTR{device/sriov_numvfs}="4""#,
        &p,
    );
    assert_eq!(r.0, Tri::No);
    let r = udev(
        r#"SUBSYSTEM=="pci", ATTR{sriov_numvfs}=="0", ATTR{vendor}=="0x8086", ATTR{sriov_numvfs}="$attr{sriov_totalvfs}""#,
        &p,
    );
    assert_eq!(r, (Tri::Yes, None, Some(7)));
    let r = udev(
        r#"SUBSYSTEM=="pci", TEST=="/sys/$devpath/net/eth0", ATTR{sriov_numvfs}="3""#,
        &p,
    );
    assert_eq!((r.0, r.1.as_deref()), (Tri::Unsure, Some("TEST")));
    // The kernel name of an interface at boot is not its name now.
    let r = udev(
        r#"SUBSYSTEM=="net", KERNEL=="enp3s0f0", ATTR{device/sriov_numvfs}="1""#,
        &p,
    );
    assert_eq!(r.0, Tri::Unsure);
    let r = udev(
        r#"SUBSYSTEM=="net", NAME=="enp3s0f0", ATTR{device/sriov_numvfs}="1""#,
        &p,
    );
    assert_eq!(r.0, Tri::Yes);
    let r = udev(
        r#"SUBSYSTEM=="net", KERNELS=="0000:03:00.1", ATTR{device/sriov_numvfs}="1""#,
        &p,
    );
    assert_eq!(r.0, Tri::No);
    let r = udev(
        r#"ACTION=="remove", SUBSYSTEM=="pci", ATTR{sriov_numvfs}="1""#,
        &p,
    );
    assert_eq!(r.0, Tri::No);
    let r = udev(
        r#"ACTION!="add", SUBSYSTEM=="pci", ATTR{sriov_numvfs}="1""#,
        &p,
    );
    assert_eq!(r.0, Tri::No);
}

#[test]
fn a_udev_rule_that_writes_elsewhere_is_not_one() {
    let rules = udev_rules::parse(r#"SUBSYSTEM=="pci", ATTR{sriov_numvfs}=="0", RUN+="/bin/true""#);
    assert!(udev_write(&rules[0]).is_none());
}

#[test]
fn link_files_against_the_pf() {
    let n = vec!["enp3s0f0".to_string()];
    let p = pf(&n);
    let e = keyfile::parse(
        "[Match]\nPath=pci-0000:03:00.0\n[Link]\nSR-IOVVirtualFunctions=4\n",
        true,
    );
    assert_eq!(link_applies(&e, &p).0, Tri::Yes);
    assert_eq!(link_count(&e), Some((Some(4), 4)));
    let e = keyfile::parse(
        "[Match]\nMACAddress=52:54:00:AA:BB:CC\n[Link]\nSR-IOVVirtualFunctions=4\n",
        true,
    );
    assert_eq!(link_applies(&e, &p).0, Tri::No);
    let e = keyfile::parse(
        "[Match]\nOriginalName=eth0\n[Link]\nSR-IOVVirtualFunctions=4\n",
        true,
    );
    assert_eq!(
        link_applies(&e, &p),
        (Tri::Unsure, Some("OriginalName=".into()))
    );
    let e = keyfile::parse("[Match]\nDriver=!igb\n", true);
    assert_eq!(link_applies(&e, &p).0, Tri::No);
    // An empty [Match] is ignored by systemd.
    let e = keyfile::parse("[Link]\nSR-IOVVirtualFunctions=4\n", true);
    assert_eq!(link_applies(&e, &p).0, Tri::No);
    // Without SR-IOVVirtualFunctions=, the VirtualFunction= sections decide.
    let e = keyfile::parse(
        "[Match]\nDriver=igb\n[SR-IOV]\nVirtualFunction=0\n[SR-IOV]\nVirtualFunction=2\n",
        true,
    );
    assert_eq!(link_count(&e), Some((Some(3), 4)));
}

#[test]
fn networkmanager_connections_against_the_pf() {
    let n = vec!["enp3s0f0".to_string()];
    let p = pf(&n);
    let e = keyfile::parse(
        "[connection]\ninterface-name=enp3s0f0\n[sriov]\ntotal-vfs=4\n",
        false,
    );
    assert_eq!(nm_applies(&e, &p).0, Tri::Yes);
    let e = keyfile::parse("[connection]\ninterface-name=enp3s0f1\n", false);
    assert_eq!(nm_applies(&e, &p).0, Tri::No);
    let e = keyfile::parse("[ethernet]\nmac-address=52:54:00:12:34:56\n", false);
    assert_eq!(nm_applies(&e, &p).0, Tri::Yes);
    let e = keyfile::parse("[match]\ninterface-name=enp3s0f*;!enp3s0f1\n", false);
    assert_eq!(nm_applies(&e, &p).0, Tri::Yes);
    let e = keyfile::parse("[match]\npath=pci-0000:03:00.1\n", false);
    assert_eq!(nm_applies(&e, &p).0, Tri::No);
    let e = keyfile::parse("[connection]\ntype=ethernet\n", false);
    assert_eq!(nm_applies(&e, &p).0, Tri::Unsure);
}
