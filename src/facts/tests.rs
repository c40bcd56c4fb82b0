//! The closed sets of fact values serialize as the strings the rules
//! compare them with (`device.kind == "vf"`): these names are public.

use super::*;

fn name<T: serde::Serialize>(v: T) -> String {
    match serde_json::to_value(v).unwrap() {
        serde_json::Value::String(s) => s,
        other => panic!("not a string: {other}"),
    }
}

#[test]
fn enums_serialize_as_the_names_rules_use() {
    let kinds = [DeviceKind::Pf, DeviceKind::Vf, DeviceKind::Device].map(name);
    assert_eq!(kinds, ["pf", "vf", "device"]);
    let roles = [
        DriverRole::Vfio,
        DriverRole::LegacyStub,
        DriverRole::XenPciback,
        DriverRole::Unbound,
        DriverRole::Host,
    ]
    .map(name);
    assert_eq!(
        roles,
        ["vfio", "legacy-stub", "xen-pciback", "unbound", "host"]
    );
    assert_eq!(
        [GuestKind::Libvirt, GuestKind::Xl, GuestKind::Proxmox].map(name),
        ["libvirt", "xl", "proxmox"]
    );
    assert_eq!(
        [IommuVendor::Intel, IommuVendor::Amd].map(name),
        ["intel", "amd"]
    );
    assert_eq!(
        [ReservedTable::Rmrr, ReservedTable::Ivmd].map(name),
        ["RMRR", "IVMD"]
    );
    let sources = [
        ModuleSource::BoundDriver,
        ModuleSource::ModulesAlias,
        ModuleSource::DeviceCatalog,
    ]
    .map(name);
    assert_eq!(sources, ["bound driver", "modules.alias", "device catalog"]);
    let deps = [
        DepsSource::ModulesDep,
        DepsSource::DeviceCatalog,
        DepsSource::NoneKnown,
    ]
    .map(name);
    assert_eq!(deps, ["modules.dep", "device catalog", "none known"]);
    for f in [
        DistroFamily::Rhel,
        DistroFamily::Debian,
        DistroFamily::Suse,
        DistroFamily::Other,
    ] {
        assert_eq!(name(f), f.as_str());
    }
    assert_eq!(DistroFamily::Rhel.as_str(), "rhel");
}

/// Guests are listed per device in the order of their kind's name.
#[test]
fn guest_kinds_order_as_their_names() {
    assert!(GuestKind::Libvirt < GuestKind::Xl);
    assert!(name(GuestKind::Libvirt) < name(GuestKind::Xl));
}
