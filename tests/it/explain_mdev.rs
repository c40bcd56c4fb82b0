//! QEMU names a mediated device (sysfsdev=/sys/bus/mdev/devices/UUID) by
//! its UUID where it names a PCI device by its address ("vfio UUID: ..."),
//! so the VFIO signatures that read "vfio BDF: " read that form too.

fn signatures_and_groups(text: &str) -> Vec<(String, Option<String>)> {
    crate::common::explain_matches("tests/hosts/seed-ready/root", text)
        .iter()
        .map(|m| {
            (
                m["signature"].as_str().unwrap().to_string(),
                m["captures"]["group"].as_str().map(str::to_string),
            )
        })
        .collect()
}

#[test]
fn a_vfio_message_naming_an_mdev_uuid_is_recognised_with_its_group() {
    let uuid = "8afd6be6-3e6a-11e9-ac86-571db62e56d6";
    for (text, want) in [
        (
            format!("qemu-system-x86_64: -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/{uuid}: vfio {uuid}: group 12 is not viable"),
            "vfio-group-not-viable",
        ),
        (
            format!("kvm: -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/{uuid}: vfio error: {uuid}: failed to setup container for group 12: Failed to set iommu for container: Operation not permitted"),
            "vfio-set-iommu-eperm",
        ),
    ] {
        let got = signatures_and_groups(&text);
        assert!(
            got.iter()
                .any(|(s, g)| s == want && g.as_deref() == Some("12")),
            "{want} with group 12 expected, got {got:?}"
        );
    }
    // An address-shaped name is still read as the device.
    let got = signatures_and_groups("vfio 0000:03:10.0: group 7 is not viable");
    assert!(
        got.iter().any(|(s, _)| s == "vfio-group-not-viable"),
        "{got:?}"
    );
}
