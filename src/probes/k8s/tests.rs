//! The plugin's selection semantics on a made-up host: a PF with VFs, three
//! VFs on two drivers, and a NIC that carries the default route.
use super::cand::Cand;
use super::select::evaluate;
use crate::facts::K8sFacts;
use crate::formats::pcidp_config::parse;

fn vf(addr: &str, pf: &str, name: &str, i: i64, driver: &str) -> Cand {
    Cand {
        addr: addr.into(),
        class: Some(2),
        vendor: "8086".into(),
        device: "10ca".into(),
        driver: Some(driver.into()),
        is_vf: true,
        pf_addr: pf.into(),
        pf_name: name.into(),
        vf_index: i,
        ..Cand::default()
    }
}

fn host() -> Vec<Cand> {
    let pf = Cand {
        addr: "0000:03:00.0".into(),
        class: Some(2),
        vendor: "8086".into(),
        device: "10c9".into(),
        driver: Some("igb".into()),
        pf_with_vfs: true,
        vf_index: -1,
        ..Cand::default()
    };
    let mgmt = Cand {
        addr: "0000:05:00.0".into(),
        class: Some(2),
        vendor: "8086".into(),
        device: "1533".into(),
        driver: Some("igb".into()),
        default_route: Some("eno1".into()),
        vf_index: -1,
        ..Cand::default()
    };
    vec![
        pf,
        vf("0000:03:10.0", "0000:03:00.0", "ens1f0", 0, "vfio-pci"),
        vf("0000:03:10.2", "0000:03:00.0", "ens1f0", 1, "iavf"),
        vf("0000:03:10.4", "0000:03:00.0", "ens1f0", 2, "vfio-pci"),
        mgmt,
    ]
}

fn run(config: &str) -> K8sFacts {
    evaluate("/etc/pcidp/config.json", &parse(config).unwrap(), &host())
}

#[test]
fn a_device_goes_to_the_first_resource_and_selector_lists_add_up() {
    let f = run(r#"{"resourceList":[
        {"resourceName":"a","selectors":{"pfNames":["ens1f0#0-1"]}},
        {"resourceName":"b","selectors":[{"drivers":["vfio-pci"]},{"drivers":["iavf"]}]}]}"#);
    assert_eq!(f.resources[0].devices, ["0000:03:10.0", "0000:03:10.2"]);
    assert_eq!(f.resources[1].devices, ["0000:03:10.4"]);
    assert!(f.failures.is_empty(), "{:?}", f.failures);
    let d = f
        .devices
        .iter()
        .find(|d| d.address == "0000:03:10.0")
        .unwrap();
    assert_eq!(d.resource.as_deref(), Some("intel.com/a"));
}

#[test]
fn neither_a_pf_with_vfs_nor_the_default_route_device_is_offered() {
    let f =
        run(r#"{"resourceList":[{"resourceName":"a","selectors":{"devices":["10c9","1533"]}}]}"#);
    assert_eq!(f.failures.len(), 1);
    assert!(
        f.failures[0].contains("10c9 is the id of PF 0000:03:00.0"),
        "{}",
        f.failures[0]
    );
    assert_eq!(
        f.fixes,
        ["In intel.com/a's selectors set \"devices\": [\"10ca\"]."]
    );
}

#[test]
fn a_resource_left_with_taken_devices_fails_and_says_by_whom() {
    let f = run(r#"{"resourceList":[{"resourceName":"a","selectors":{}},
        {"resourceName":"b","selectors":{"drivers":["iavf"]}}]}"#);
    assert_eq!(f.resources[0].vfs, 3);
    assert!(
        f.failures[0].contains("taken by intel.com/a"),
        "{:?}",
        f.failures
    );
    let d = f
        .devices
        .iter()
        .find(|d| d.address == "0000:03:10.2")
        .unwrap();
    assert_eq!(d.resource.as_deref(), Some("intel.com/a"));
}

#[test]
fn refused_files_and_skipped_resources_are_failures() {
    let f = run(r#"{"resourceList":[{"resourceName":"a b","selectors":{}}]}"#);
    assert!(f.failures[0].contains("invalid characters"));
    let f = run(r#"{"resourceList":[{"resourceName":"a","deviceType":"gpu","selectors":{}}]}"#);
    assert!(f.failures[0].contains("unsupported deviceType"));
    let f = run(r#"{"resourceList":[{"resourceName":"a","selectors":{"drivers":"vfio-pci"}}]}"#);
    assert!(f.failures[0].contains("the plugin skips it"));
    let f = run(r#"{"resourceList":[{"resourceName":"a","selectors":{"vendors":["0x8086"]}}]}"#);
    assert!(f.failures[0].contains("lowercase hex"), "{:?}", f.failures);
    assert_eq!(
        f.fixes,
        ["In intel.com/a's selectors set \"vendors\": [\"8086\"]."]
    );
}
