//! Facts about one PCI device: identity, driver, SR-IOV state, IOMMU
//! group, reserved memory, ACS and file access (who uses it, and what that
//! guest needs, is in `device_use`).

use schemars::JsonSchema;
use serde::Serialize;

use super::{
    BarClaimFacts, GuestRamFacts, Holder, IommuWidthFacts, Known, MemlockFacts, ModuleState,
};
use crate::address::PciAddress;

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct DeviceFacts {
    pub address: PciAddress,
    /// `pci_0000_03_10_0`, libvirt's node-device name.
    pub libvirt_name: String,
    /// The real device directory inside the root.
    pub sysfs: Known<String>,
    pub vendor: Known<String>,
    pub device: Known<String>,
    pub class: Known<String>,
    pub vendor_name: Option<String>,
    pub device_name: Option<String>,
    pub is_bridge: bool,
    /// "pf" (SR-IOV capable), "vf", or "device".
    pub kind: DeviceKind,
    pub driver: Known<Option<String>>,
    /// "vfio", "legacy-stub", "xen-pciback", "unbound" or "host".
    pub driver_role: Known<DriverRole>,
    pub iommu_group: Known<Option<u32>>,
    pub numa_node: Known<i64>,
    pub netdevs: Vec<String>,
    /// Those of `netdevs` whose `operstate` reads "up": the host is passing
    /// traffic over them now.
    pub netdevs_up: Vec<String>,
    /// Named with --device.
    pub target: bool,
    /// A PF whose VF is a target (or a PF that is itself a target).
    pub target_pf: bool,
    /// SR-IOV state of a PF.
    pub sriov: Option<SriovFacts>,
    /// The PF of a VF.
    pub pf: Option<String>,
    /// The driver module a PF needs, and its state.
    pub pf_driver: Option<Known<PfDriverFacts>>,
    pub catalog: Option<CatalogFacts>,
    pub group: Known<GroupFacts>,
    /// Processes (guests, DPDK, …) that hold the device.
    pub holders: Known<Vec<Holder>>,
    /// Guest definitions that name the device (libvirt state or persistent
    /// XML, xl configs), one per guest: "web01 (/etc/libvirt/qemu/web01.xml)".
    pub defined_in: Vec<String>,
    /// Locked memory of the guest that uses (or is defined to use) the
    /// device; none when no guest does; unknown when the guests are.
    pub memlock: Known<Option<MemlockFacts>>,
    /// The RAM of the libvirt or Proxmox guest that uses (or is defined to
    /// use) the device; none when no such guest does.
    pub guest_ram: Known<Option<GuestRamFacts>>,
    /// Memory the firmware reserves for this device (DMAR RMRR, IVRS IVMD).
    pub reserved_regions: Known<Vec<ReservedRegion>>,
    /// ACS on each bridge between the device and its root, nearest first.
    pub acs_path: Known<Vec<PortAcs>>,
    pub config: Known<FileAccess>,
    /// /dev/vfio/GROUP, when the device has a group.
    pub vfio_node: Option<Known<FileAccess>>,
    /// How the kernel can reset the device (read for VFs and --device
    /// targets).
    pub reset: Known<ResetFacts>,
    /// The device's power state, and whether the host could bring it back
    /// to full power (read for VFs and --device targets).
    pub power: Known<PowerFacts>,
    /// What else holds the device's memory BARs (/proc/iomem), such as the
    /// firmware's console framebuffer (read for VFs and --device targets).
    pub bar_claims: Known<BarClaimFacts>,
    /// How far the IOMMU unit in front of the device can map DMA addresses:
    /// read when a libvirt or Proxmox guest uses the device (`guest_ram` is
    /// set); none for
    /// an AMD unit, whose page tables reach any guest address.
    pub iommu_width: Known<Option<IommuWidthFacts>>,
}

/// What a device is to SR-IOV.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeviceKind {
    /// A physical function: the device has SR-IOV capability.
    Pf,
    /// A virtual function of a PF.
    Vf,
    /// Any other device.
    Device,
}

/// How a device's driver relates to assignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DriverRole {
    /// vfio-pci, or a vendor variant driver built on vfio-pci-core.
    Vfio,
    /// pci-stub, for KVM's legacy device assignment.
    LegacyStub,
    /// Xen's pciback.
    XenPciback,
    /// No driver is bound.
    Unbound,
    /// A host driver: the host uses the device.
    Host,
}

impl DriverRole {
    /// VFIO or a stub driver: the device is set aside for a guest.
    pub fn sets_aside(self) -> bool {
        matches!(self, DriverRole::Vfio | DriverRole::LegacyStub)
    }
}

/// The firmware table that reserves a memory region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum ReservedTable {
    /// A DMAR Reserved Memory Region Reporting structure (Intel VT-d).
    Rmrr,
    /// An IVRS I/O Virtualization Memory Definition block (AMD-Vi).
    Ivmd,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct SriovFacts {
    pub totalvfs: Known<u32>,
    pub numvfs: Known<u32>,
    /// VF addresses from the virtfnN links, in VF order.
    pub vfs: Known<Vec<String>>,
    /// How many VFs the --device targets need this PF to have: one more
    /// than the highest VF number among the targets it has not created
    /// yet; 0 when every target exists.
    pub needed_vfs: u32,
    /// The --device targets that would be this PF's VFs once it has
    /// `needed_vfs` of them: they do not exist yet.
    pub missing_targets: Vec<String>,
    /// Whether the PF's VF BARs got address space (lines 7–12 of its
    /// `resource` file, against the SR-IOV capability's VF BAR registers).
    pub vf_bars: Known<VfBarSpace>,
    /// What recreates this PF's VFs at boot (sriov.persistence): read from
    /// modprobe.d, the kernel command line, udev rules, NetworkManager
    /// keyfiles, systemd-networkd `.link` files, enabled systemd units and
    /// the SR-IOV network operator's configuration.
    pub persistence: Known<VfPersistence>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct VfBarSpace {
    /// VF BARs (0–5) the SR-IOV capability declares: a VF BAR register
    /// with type bits or an address in config space, or an IOV resource
    /// line with flags. The upper half of a 64-bit BAR is not one.
    pub declared: Vec<u32>,
    /// Of those, the ones whose IOV resource (line 7+N of `resource`) has
    /// no address space: `0 0 0`, or marked unset. While any is, writes to
    /// sriov_numvfs fail with ENOMEM.
    pub unassigned: Vec<u32>,
    /// Each declared VF BAR as read, for evidence.
    pub shown: Vec<String>,
    /// What `declared` was decided from: "config space and resource" or
    /// "resource only" (config space read without its extended part).
    pub source: String,
    /// Kernel log lines about this PF's VF BAR space, the latest five: the
    /// failures ("not enough MMIO resources for SR-IOV", "BAR 7: no space
    /// for …", "VF BAR 0 …: can't assign; no space") and the assignments
    /// ("VF BAR 0 [mem …]: assigned", "BAR 7: assigned [mem …]"), which
    /// follow the failures when `pci=realloc` moved the bridge windows.
    pub log: Vec<String>,
    /// Whether any kernel log line about this PF says its VF BARs got no
    /// space.
    pub log_says_no_space: bool,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct ResetFacts {
    /// The device has a reset method the kernel (and so VFIO) can use.
    pub available: bool,
    /// The methods `reset_method` lists, in the kernel's order of use
    /// (flr, af_flr, pm, bus, cxl_bus, device_specific, acpi); empty on a
    /// kernel before 5.15, which only has `reset`.
    pub methods: Vec<String>,
    /// `reset_method` exists and reads empty: a write of an empty string
    /// disabled every method the kernel had found.
    pub disabled: bool,
    /// What was read, for evidence.
    pub shown: String,
    /// Kernel log lines naming the device about resets and power states,
    /// the latest five.
    pub log: Vec<String>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct PowerFacts {
    /// `power_state` (Linux 5.19 and later): D0, D1, D2, D3hot, D3cold,
    /// unknown or error; null on an older kernel, which has no such file.
    pub state: Option<String>,
    /// `d3cold_allowed`: whether the kernel may cut the device's power
    /// (D3cold) when it is idle; null when the file is absent, or not read
    /// (only for a --device target or a device in D3cold, in error or
    /// named in a failure line of the kernel log).
    pub d3cold_allowed: Option<bool>,
    /// `power/runtime_status`: active, suspended, suspending, resuming,
    /// error or unsupported; null when absent, or not read (a VF that is
    /// not a target, whose power_state answers).
    pub runtime_status: Option<String>,
    /// `power/control`: "auto" (runtime power management on) or "on"; read
    /// when `d3cold_allowed` is.
    pub runtime_control: Option<String>,
    /// The first bytes of the device's config space read all ones: it does
    /// not answer (powered off, or gone from the bus). Null when config
    /// space was not read: the device is in D3cold or runtime-suspended
    /// (the read would wake it), or the file could not be read.
    pub config_all_ones: Option<bool>,
    /// vfio-pci's `disable_idle_d3` parameter (true: vfio-pci leaves idle
    /// devices in D0); null when vfio-pci is not loaded.
    pub vfio_disable_idle_d3: Option<bool>,
    /// Kernel log lines naming the device that say it did not come back to
    /// D0 from D3hot or D3cold ("Unable to change power state from D3cold
    /// to D0, device inaccessible", "Refused to change power state …"), the
    /// latest five.
    pub wake_failed: Vec<String>,
    /// Kernel log lines naming the device in which the kernel gave up
    /// waiting for it after a reset or resume ("not ready 65535ms after
    /// FLR; giving up"), the latest five.
    pub gave_up: Vec<String>,
    /// The kernel log the lines were looked for in ("/var/log/dmesg",
    /// "/dev/kmsg", "the bundle's kernel_log"); null when none was read.
    pub log_source: Option<String>,
    /// What was read in the device's sysfs directory, one item a file
    /// ("power_state D0", "config reads all ones"), for evidence.
    pub shown: Vec<String>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct PfDriverFacts {
    pub module: String,
    /// How the module was found: "bound driver", "modules.alias" or "device catalog".
    pub source: ModuleSource,
    pub state: ModuleState,
    /// Modules it depends on (transitively), from modules.dep or the catalog.
    pub deps: Vec<String>,
    /// Where `deps` come from: "modules.dep", "device catalog" or "none known".
    pub deps_source: DepsSource,
    /// Dependencies neither loaded nor built in.
    pub missing_deps: Vec<String>,
}

/// How a PF's driver module was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub enum ModuleSource {
    /// The driver bound to the device.
    #[serde(rename = "bound driver")]
    BoundDriver,
    /// The device's modalias, in modules.alias.
    #[serde(rename = "modules.alias")]
    ModulesAlias,
    /// The device catalog's entry for the device.
    #[serde(rename = "device catalog")]
    DeviceCatalog,
}

/// Where a PF driver's dependencies come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub enum DepsSource {
    /// The kernel's modules.dep.
    #[serde(rename = "modules.dep")]
    ModulesDep,
    /// The device catalog's entry for the device.
    #[serde(rename = "device catalog")]
    DeviceCatalog,
    /// Neither lists the module.
    #[serde(rename = "none known")]
    NoneKnown,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct CatalogFacts {
    pub family: String,
    pub pf_driver: String,
    pub vf_driver: Option<String>,
    pub max_vfs: Option<u32>,
    pub legacy_vf_param: Option<String>,
    pub notes: Option<String>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct GroupFacts {
    pub id: u32,
    /// /sys/kernel/iommu_groups/N/type: DMA, DMA-FQ, identity, …; null when the kernel has no such file.
    pub domain_type: Option<String>,
    pub members: Vec<GroupMember>,
    /// How many members are not bridges, this device included: 1 when the
    /// group holds no other endpoint.
    pub endpoints: usize,
    /// Other endpoints in the group bound to a driver other than vfio-pci,
    /// pci-stub or pciback: they make the group not viable.
    pub blockers: Vec<GroupMember>,
    /// Members whose driver could not be read (only listed when a known
    /// blocker already decides the group).
    pub unreadable: Vec<String>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct ReservedRegion {
    /// "RMRR" or "IVMD".
    pub table: ReservedTable,
    /// Offset of the structure in its table (hex), as `sriov-doctor acpi` shows it.
    pub at: String,
    pub base: String,
    pub limit: String,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct PortAcs {
    pub address: String,
    /// The port has an ACS capability.
    pub acs: bool,
    /// ACS is on for every control the kernel requires that the port implements.
    pub isolates: bool,
    /// Required controls the port implements but has off.
    pub missing: Vec<String>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct GroupMember {
    pub address: String,
    pub driver: Option<String>,
    pub is_bridge: bool,
    /// For an SR-IOV physical function, its VFs enabled (sriov_numvfs):
    /// detaching it from its driver removes them. Null for any other
    /// device, or when the count could not be read.
    pub vfs: Option<u32>,
    /// Its network interfaces on the host (a detach takes them down).
    pub netdevs: Vec<String>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct FileAccess {
    pub path: String,
    pub exists: bool,
    /// "0644"
    pub mode: Option<String>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    /// Whether the QEMU user can open it read-write, by owner, group and mode.
    pub qemu_rw: Option<bool>,
    /// As the evidence shows it: "PATH: mode 0600, uid 0, gid 0", or
    /// "PATH: not present".
    pub shown: String,
}

/// What recreates a PF's VFs at boot, each read from the file that says so.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct VfPersistence {
    /// Settings that apply to this PF at boot and set its VF count.
    pub sources: Vec<PersistSource>,
    /// Settings that set a VF count for some device, where this check
    /// cannot tell whether the device is this PF (a udev rule that matches
    /// on a key it cannot evaluate, a script path with a variable).
    pub unsure: Vec<PersistSource>,
    /// Settings for this PF that do not apply at boot: a unit that is not
    /// enabled, a connection that does not autoconnect, a `.link` file
    /// shadowed by an earlier one.
    pub inactive: Vec<PersistSource>,
    /// Where it looked, for evidence: "/etc/udev/rules.d (2 files)".
    pub looked: Vec<String>,
}

/// One setting that sets (or would set) a PF's VF count at boot.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct PersistSource {
    /// "modprobe.d", "kernel command line", "udev rule", "NetworkManager",
    /// "systemd-networkd .link", "systemd unit" or "SR-IOV network operator".
    pub kind: String,
    /// Where: "PATH:LINE", or "/proc/cmdline".
    pub at: String,
    /// The VF count it sets for this PF; null when it is not a literal
    /// number.
    pub vfs: Option<u32>,
    /// The setting as written (at most 200 characters).
    pub shown: String,
    /// Why it is unsure or inactive; empty for a source.
    pub note: String,
}
