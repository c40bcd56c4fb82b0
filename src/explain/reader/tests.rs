use std::collections::BTreeMap;

use super::*;
use crate::hostfs::{BundleFs, EntryKind, Metadata, Node};

fn named(line: &str, kind: Kind) -> Vec<String> {
    read_line(line)
        .into_iter()
        .filter(|m| m.kind == kind)
        .map(|m| m.value)
        .collect()
}

fn errnos(line: &str) -> Vec<&'static str> {
    read_line(line)
        .into_iter()
        .filter_map(|m| m.errno)
        .collect()
}

#[test]
fn reads_every_form_of_a_pci_address() {
    for (line, want) in [
        ("vfio 0000:03:10.0: group 7 is not viable", "0000:03:10.0"),
        ("Couldn't get real device (03:10.0)!", "03:10.0"),
        ("-device vfio-pci,host=3:10.0,id=hostdev0", "3:10.0"),
        ("error: Failed to detach device pci_0000_01_00_0", "pci_0000_01_00_0"),
        ("-device vfio-pci,host=44:00.0,bus=pci.1", "44:00.0"),
        (r#"{"driver":"vfio-pci","host":"0000:09:00.0","id":"hostdev0"}"#, "0000:09:00.0"),
        ("sysfsdev=/sys/bus/pci/devices/0000:00:02.0/8afd6be6-3e6a-11e9-ac86-571db62e56d6,rombar=0", "0000:00:02.0"),
        ("cannot create /sys/devices/pci0000:00/0000:00:02.0/sriov_numvfs: Permission denied", "0000:00:02.0"),
        ("pci 0000:3b:0a.0: [8086:154c] type 00 class 0x020000 [0000:3b:0a.0]", "0000:3b:0a.0"),
        ("DMAR: [DMA Write] Request device [00:02.0] PASID ffffffff fault addr 0", "00:02.0"),
        ("vfio-pci 0000:AF:00.1: enabling device", "0000:AF:00.1"),
        ("*-network description: Ethernet bus info: pci@0000:03:00.0", "0000:03:00.0"),
        ("EAL: Driver cannot attach the device (0000:02:01.0)", "0000:02:01.0"),
    ] {
        assert_eq!(named(line, Kind::Device), vec![want], "{line}");
    }
    assert_eq!(canonical("pci_0000_03_10_0").as_deref(), Some("03:10.0"));
    assert_eq!(canonical("3:10.0").as_deref(), Some("03:10.0"));
}

/// Real lines from the corpus's build part (and common kernel and tool
/// output) with times, MACs, IPv6 addresses and versions: no address.
#[test]
fn times_macs_ipv6_and_versions_are_not_addresses() {
    for line in [
        "W0511 16:06:48.839620   74185 utils.go:118] DiscoverSriovDevices(): unable to get device mode",
        "00:04:37.275  *  (FAILED)EAL:   VFIO group is not viable!",
        "00:00:01.128000 VFIO: Could not open VFIO Container",
        "Oct 01 08:06:48.563 myhost kernel: something",
        "Oct 01 08:04:17.275 myhost kernel: something",
        "I0401 06:54:11.257448       1 manager.go:130] no devices in device pool",
        "[Mon Mar  4 14:32:19 2019] gim error:(enable_sriov:311) Fail to enable sriov",
        "2022-07-02T19:41:18.784519Z qemu-system-x86_64: -device vfio-pci",
        "2023-07-31T13:59:56.054Z|00068|dpdk|ERR|EAL: cannot attach",
        "cloud-hypervisor: 154.505510ms: <vmm> ERROR:vfio_device.rs:786 -- Could not get region #8 info",
        "ice 0000:8a:00.0: Setting MAC 52:54:00:12:34:56 on VF 0. VF driver will be reinitialized",
        "inet6 fe80::5054:ff:fe12:3456/64 scope link",
        "connect from ::ffff:10.0.0.1 port 22",
        "QEMU emulator version 8.2.2 (Debian 1:8.2.2+ds-0ubuntu1)",
        "libvirt 1:10.0.0-2ubuntu8, qemu 2:10.0.2-1",
        "iommu width (39) is not sufficient for the mapped address (8800001000)",
    ] {
        let devices: Vec<String> = named(line, Kind::Device)
            .into_iter()
            .filter(|d| !d.starts_with("0000:8a"))
            .collect();
        assert!(devices.is_empty(), "{line}: {devices:?}");
    }
}

#[test]
fn reads_groups_vfio_device_files_and_mdevs() {
    assert_eq!(
        named("vfio 0000:03:10.0: group 7 is not viable", Kind::Group),
        ["7"]
    );
    assert_eq!(named("Group 14 is not viable", Kind::Group), ["14"]);
    assert_eq!(named("VFIO group 5 is not viable", Kind::Group), ["5"]);
    assert_eq!(
        named("iommu_group 12 has another device", Kind::Group),
        ["12"]
    );
    assert_eq!(
        named("failed to open /dev/vfio/47: No such file", Kind::Group),
        ["47"]
    );
    assert_eq!(
        named("ls /sys/kernel/iommu_groups/9/devices", Kind::Group),
        ["9"]
    );
    assert!(named("cgroup 5 memory.max", Kind::Group).is_empty());
    assert!(named("VFIO group is not viable!", Kind::Group).is_empty());
    assert!(named(
        "failed to open /dev/vfio/vfio: Permission denied",
        Kind::Group
    )
    .is_empty());
    assert_eq!(
        named(
            "cannot open VFIO device /dev/vfio/devices/vfio0: No such file",
            Kind::VfioDevice
        ),
        ["vfio0"]
    );
    let uuid = "8afd6be6-3e6a-11e9-ac86-571db62e56d6";
    for line in [
        format!("sysfsdev=/sys/bus/mdev/devices/{uuid},id=hostpci0"),
        format!("sysfsdev=/sys/bus/pci/devices/0000:00:02.0/{uuid},rombar=0"),
        format!("echo \"{uuid}\" > \"/sys/bus/pci/devices/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4/create\""),
        format!("mdev {uuid} is busy"),
    ] {
        assert_eq!(named(&line, Kind::Mdev), [uuid], "{line}");
    }
    // A VM's UUID is not an mdev.
    assert!(named(&format!("Async.VM.start R:{uuid} failed"), Kind::Mdev).is_empty());
}

#[test]
fn reads_domain_names_but_not_iommu_domains() {
    for (line, want) in [
        ("error: Failed to start domain 'web01'", "web01"),
        ("Domain 'db-2' is already active", "db-2"),
        ("error: Failed to start domain web01", "web01"),
        ("Domain web01 started", "web01"),
        (
            "PCI device 0000:03:10.0 is in use by driver QEMU, domain web02",
            "web02",
        ),
        (
            "PCI device 0000:03:10.0 is in use by domain web02.",
            "web02",
        ),
        ("error: failed to get domain 'vm-1'", "vm-1"),
        (
            "qemu-system-x86_64 -name guest=win10,debug-threads=on -S",
            "win10",
        ),
        (
            "reenqueuing VirtualMachineInstance default/test-2",
            "default/test-2",
        ),
    ] {
        assert_eq!(named(line, Kind::Domain), [want], "{line}");
    }
    for line in [
        "iommu: Default domain type: Passthrough",
        "LibvirtError(Code=1, Domain=10, Message='internal error')",
        "DMAR: IOMMU domain 0000 is not ready",
        "PCI domain 0000 bus 03",
        "vfio-pci: device is in an IOMMU domain already",
        "virError(Code=38, Domain=0, Message='x')",
        "the domain does not support it",
        "Domain does not exist",
        "iommu domain attach failed for 0000:03:00.0",
    ] {
        assert!(named(line, Kind::Domain).is_empty(), "{line}");
    }
}

#[test]
fn reads_errno_names_numbers_and_texts() {
    for (line, want) in [
        ("write error: Device or resource busy", "EBUSY"),
        (
            "vfio: failed to set iommu for container: Operation not permitted",
            "EPERM",
        ),
        ("open /dev/vfio/1: Permission denied", "EACCES"),
        ("/dev/vfio/1: No such file or directory", "ENOENT"),
        ("echo: write error: Invalid argument", "EINVAL"),
        ("VFIO_MAP_DMA failed: Cannot allocate memory", "ENOMEM"),
        ("sriov_numvfs: Numerical result out of range", "ERANGE"),
        ("bash: echo: write error: No such device", "ENODEV"),
        (
            "vfio-pci: probe of 0000:b1:01.0 failed with error -22",
            "EINVAL",
        ),
        ("ioctl returned -16", "EBUSY"),
        (
            "vfio_dma_map(0x5, 0x0, 0x8000, 0x7f) = -12 (Cannot allocate memory)",
            "ENOMEM",
        ),
        ("hypervisor memory is too fragmented! (rc:-12)", "ENOMEM"),
        (
            "cannot add vfio group to container, error 22 (invalid argument)",
            "EINVAL",
        ),
        ("VfioDmaMap(IommuDmaMap(Error(14)))", "EFAULT"),
        ("Invalid argument (os error 22)", "EINVAL"),
        ("[Errno 25] Inappropriate ioctl for device", "ENOTTY"),
        ("GUC: CT: Sending action 0x550b failed (-EIO)", "EIO"),
        ("pci_enable_sriov returned EBUSY", "EBUSY"),
    ] {
        assert_eq!(errnos(line), [want], "{line}");
    }
    // Not errnos: other programs' codes, counts, addresses, widths.
    for line in [
        "iavf 0000:ec:01.1: PF returned error -5 (IAVF_ERR_PARAM) to our request 3",
        "intel_iommu_map: iommu width (39) is not sufficient",
        "error: 500  reason: Error from device manager",
        "fd = -1 after open",
        "EAL: VFIO support could not be initialized",
        "No such device or address",
    ] {
        assert!(
            errnos(line).iter().all(|e| *e == "ENXIO"),
            "{line}: {:?}",
            errnos(line)
        );
    }
    assert_eq!(errno_name("-16"), Some("EBUSY"));
    assert_eq!(errno_name("ENODEV"), Some("ENODEV"));
}

fn link(target: &str) -> Node {
    Node {
        meta: Some(Metadata {
            kind: EntryKind::Symlink,
            mode: 0o777,
            uid: 0,
            gid: 0,
            device: None,
        }),
        target: Some(target.to_string()),
        ..Node::default()
    }
}

#[test]
fn an_mdev_and_a_vfio_device_file_resolve_to_their_pci_parent() {
    let uuid = "8afd6be6-3e6a-11e9-ac86-571db62e56d6";
    let mut nodes = BTreeMap::new();
    nodes.insert(
        format!("/sys/bus/mdev/devices/{uuid}"),
        link(&format!("../../../devices/pci0000:00/0000:00:02.0/{uuid}")),
    );
    nodes.insert(
        "/sys/class/vfio-dev/vfio0/device".to_string(),
        link("../../../0000:00:03.0"),
    );
    let fs = BundleFs::new("t", nodes);
    let present: Vec<PciAddress> = ["0000:00:02.0", "0000:00:03.0", "0000:03:10.0"]
        .iter()
        .map(|a| a.parse().unwrap())
        .collect();
    let line = format!("vfio {uuid}: error getting device from group 64 /dev/vfio/devices/vfio0");
    let ms = read_line(&format!("sysfsdev=/sys/bus/mdev/devices/{uuid} {line}"));
    let got: Vec<(Kind, Option<String>)> = ms
        .iter()
        .map(|m| (m.kind, resolve(&fs, &present, m)))
        .collect();
    assert!(
        got.contains(&(Kind::Mdev, Some("0000:00:02.0".into()))),
        "{got:?}"
    );
    assert!(
        got.contains(&(Kind::VfioDevice, Some("0000:00:03.0".into()))),
        "{got:?}"
    );
    assert!(got.contains(&(Kind::Group, None)), "{got:?}");
    // An mdev this host does not have resolves to nothing.
    let other = Mention {
        kind: Kind::Mdev,
        value: "00000000-0000-0000-0000-000000000100".into(),
        errno: None,
    };
    assert_eq!(resolve(&fs, &present, &other), None);
    // A short address widens to the host's one device of that bus:slot.fn.
    assert_eq!(
        device_on_host(&present, "3:10.0").map(|a| a.to_string()),
        Some("0000:03:10.0".into())
    );
    assert_eq!(device_on_host(&present, "0001:03:10.0"), None);
}
