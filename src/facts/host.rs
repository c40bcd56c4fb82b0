//! Facts about the host as a whole: CPU, kernel, distribution, firmware
//! tables, IOMMU, modules, interrupt remapping, guests, Xen and QEMU.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

use super::Known;

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct HostFacts {
    /// What was read: "live host" or "captured tree DIR".
    pub root: String,
    /// What the root did not read (see `HostFs::not_read`): for the
    /// report, not for rules.
    #[serde(skip)]
    #[schemars(skip)]
    pub not_read: Vec<String>,
    pub hostname: Known<String>,
    pub cpu: Known<CpuFacts>,
    pub kernel: KernelFacts,
    pub distro: Known<DistroFacts>,
    pub firmware: FirmwareFacts,
    pub iommu: Known<IommuFacts>,
    /// State of the modules that bear on assignment, keyed by module name
    /// (underscores, as /proc/modules writes them).
    pub modules: Known<BTreeMap<String, ModuleState>>,
    pub xen: Known<XenFacts>,
    /// A Proxmox VE node: /etc/pve (the cluster file system) is there.
    pub proxmox: bool,
    pub qemu: Known<QemuFacts>,
    pub irq_remapping: IrqRemapFacts,
    /// Running libvirt guests, persistent libvirt definitions and xl configs.
    pub guests: Known<Vec<GuestFacts>>,
    /// What the search for device holders read.
    pub process_scan: ProcessScan,
    /// Interfaces that carry a usable IPv4 or IPv6 default route, and those
    /// under them (bond slaves, bridge ports, VLAN parents): detaching the
    /// device behind one takes the host off the network.
    pub default_route: Known<Vec<String>>,
    /// VFIO's no-IOMMU mode: enable_unsafe_noiommu_mode, /dev/vfio/noiommu-N.
    pub vfio_noiommu: Known<NoIommuFacts>,
    pub sriov: SriovSummary,
    /// The kernel log's lines that bear on PCI, the IOMMU, VFIO and SR-IOV.
    pub kernel_log: Known<KernelLogFacts>,
    /// Number of PCI devices in /sys/bus/pci/devices.
    pub pci: Known<usize>,
    /// The devices named with --device, in full form.
    pub targets: Vec<String>,
    /// OpenStack Nova's PCI passthrough configuration, checked against the
    /// host's devices.
    pub nova: Known<NovaFacts>,
    /// The Kubernetes SR-IOV network device plugin's configuration and the
    /// devices each of its resources gets on this host.
    pub k8s: Known<K8sFacts>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct CpuFacts {
    pub vendor: String,
    pub model_name: String,
    pub cpus: usize,
    pub vmx: bool,
    pub svm: bool,
    /// The `hypervisor` flag: this host is itself a guest.
    pub hypervisor: bool,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct KernelFacts {
    pub release: Known<String>,
    pub cmdline: Known<String>,
    /// Command-line parameters: name → value ("" for a bare flag); the last
    /// occurrence wins, as in the kernel.
    pub params: Known<BTreeMap<String, String>>,
    /// Linux before 4.12 still has KVM's legacy device assignment (pci-stub
    /// plus QEMU's pci-assign); later kernels have only VFIO.
    pub legacy_kvm_assignment: Known<bool>,
    /// CONFIG_INTEL_IOMMU_DEFAULT_ON from /boot/config-RELEASE.
    pub intel_iommu_default_on: Known<bool>,
    /// /etc/kernel/cmdline exists: systemd-boot (through kernel-install,
    /// or Proxmox VE's proxmox-boot-tool) takes the kernel command line
    /// from it, not from /etc/default/grub. False when it cannot be seen.
    pub etc_kernel_cmdline: bool,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct DistroFacts {
    pub id: String,
    pub pretty_name: String,
    /// "rhel" (grubby), "debian" (update-grub), "suse" or "other".
    pub family: DistroFamily,
}

/// A distribution family: it decides the bootloader command and libvirt's
/// default QEMU user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DistroFamily {
    /// RHEL, Fedora, CentOS and their kin (grubby).
    Rhel,
    /// Debian, Ubuntu (update-grub).
    Debian,
    /// SUSE, SLES.
    Suse,
    /// Any other.
    Other,
}

impl DistroFamily {
    /// The name as the facts write it: "rhel", "debian", "suse", "other".
    pub fn as_str(self) -> &'static str {
        match self {
            DistroFamily::Rhel => "rhel",
            DistroFamily::Debian => "debian",
            DistroFamily::Suse => "suse",
            DistroFamily::Other => "other",
        }
    }
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct FirmwareFacts {
    /// The table that announces this CPU vendor's IOMMU: "DMAR" (Intel VT-d)
    /// or "IVRS" (AMD-Vi); null when the CPU vendor is unknown.
    pub expected: Option<String>,
    pub dmar: Known<AcpiTableFacts>,
    pub ivrs: Known<AcpiTableFacts>,
    /// The table that decides `firmware.iommu`: the one present when only
    /// one is (an Intel vIOMMU on an AMD CPU gives a DMAR), else the
    /// expected one.
    pub iommu_table: Known<AcpiTableFacts>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct AcpiTableFacts {
    /// The signature looked for ("DMAR" or "IVRS").
    pub name: String,
    pub present: bool,
    /// The file read: /sys/firmware/acpi/tables/DMAR, or XMAR on a Xen dom0.
    pub path: Option<String>,
    pub hidden_by_xen: bool,
    pub signature: Option<String>,
    pub length: Option<u32>,
    pub file_size: Option<usize>,
    pub revision: Option<u8>,
    pub checksum_ok: Option<bool>,
    pub oem_id: Option<String>,
    /// What is wrong with the table; empty when it is sound.
    pub problems: Vec<String>,
    /// Decoded structures by kind (DRHD, RMRR, IVHD 10h, IVMD 21h, …).
    pub structures: BTreeMap<String, usize>,
    /// The firmware supports interrupt remapping (DMAR flag INTR_REMAP; for
    /// IVRS, an IOAPIC in the IVHD entries). Null when it cannot be told.
    pub intr_remap: Option<bool>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct IommuFacts {
    pub enabled: bool,
    /// Entries of /sys/class/iommu (dmar0, ivhd0, …).
    pub units: Vec<String>,
    /// Number of groups in /sys/kernel/iommu_groups.
    pub groups: usize,
    /// "intel", "amd", or null.
    pub vendor: Option<IommuVendor>,
    /// Passthrough in effect by the command line: iommu=pt, iommu=nopt and
    /// iommu.passthrough= in order, the last one winning, as the kernel reads them.
    pub passthrough: bool,
    /// Some passthrough setting appears on the command line at all.
    pub passthrough_requested: bool,
    /// Why the IOMMU is in this state, from the command line and the kernel's defaults.
    pub explanation: String,
    /// Command-line parameters to add and remove to enable it.
    pub cmdline_add: Vec<String>,
    pub cmdline_remove: Vec<String>,
    /// Whether the kernel command line was read: without it, the
    /// explanation says so and nothing is said to be (or not be) its cause.
    pub cmdline_read: bool,
}

/// Whose IOMMU the host has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum IommuVendor {
    /// Intel VT-d (DMAR).
    Intel,
    /// AMD-Vi (IVRS).
    Amd,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ModuleState {
    /// In /proc/modules.
    Loaded,
    /// In modules.builtin: part of the kernel image.
    Builtin,
    /// Not loaded, but modules.dep lists it: `modprobe` would load it.
    Installed,
    /// Neither loaded, built in, nor installed.
    Absent,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct IrqRemapFacts {
    /// The kernel remaps interrupts: its interrupt chips are IR-… in /proc/interrupts.
    pub kernel_enabled: Known<bool>,
    /// Interrupt chips seen in /proc/interrupts.
    pub kernel_chips: Vec<String>,
    /// vfio_iommu_type1's allow_unsafe_interrupts: VFIO attaches devices
    /// without interrupt remapping.
    pub allow_unsafe_interrupts: Known<bool>,
    /// Where that came from: the live parameter, the command line, a modprobe.d file, or the default.
    pub allow_unsafe_source: String,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct GuestFacts {
    pub name: String,
    /// "libvirt", "xl" or "proxmox".
    pub kind: GuestKind,
    /// A running libvirt domain (state file with a live pid), or a Proxmox
    /// VM whose pid file names a live process.
    pub running: bool,
    pub pid: Option<u32>,
    /// The file that describes it.
    pub source: String,
    /// A Proxmox VM's id.
    pub vmid: Option<u32>,
    pub memory_kib: Option<u64>,
    /// <memtune><hard_limit>, which libvirt also uses as the locked-memory limit.
    pub hard_limit_kib: Option<u64>,
    /// PCI devices it is given (<hostdev>, <interface type='hostdev'>, xl pci=).
    pub hostdevs: Vec<String>,
    /// A running Proxmox VM's devices in qemu-server's reservations
    /// (/run/qemu-server/pci-id-reservations, `PCIID VMID pid:PID` with
    /// this VM's live pid): among them the one a pool mapping drew.
    pub reserved: Vec<String>,
    /// Of those, the ones given through legacy KVM assignment (<driver name='kvm'/>).
    pub legacy_hostdevs: Vec<String>,
    /// The running QEMU's locked-memory limit in bytes; null = unlimited.
    pub memlock_bytes: Known<Option<u64>>,
}

/// Where a guest is defined. Ordered as the names sort.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum GuestKind {
    /// A libvirt domain: running (state file) or persistent (XML).
    Libvirt,
    /// An xl config of Xen's toolstack.
    Xl,
    /// A Proxmox VE VM (/etc/pve/qemu-server/VMID.conf), named "VMID N"
    /// and its name.
    Proxmox,
}

#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct ProcessScan {
    /// An opened VFIO device was not accounted for by a running guest, so
    /// every process's fds were read.
    pub needed: bool,
    pub scanned: usize,
    pub note: String,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct NoIommuFacts {
    /// vfio's enable_unsafe_noiommu_mode parameter.
    pub enabled: bool,
    /// What was read for it: the file and its value, or why it is missing
    /// (vfio not loaded; a kernel built without CONFIG_VFIO_NOIOMMU).
    pub param_read: String,
    /// /dev/vfio/noiommu-N nodes.
    pub nodes: Vec<String>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct XenFacts {
    pub present: bool,
    pub dom0: bool,
    /// /sys/hypervisor/properties/capabilities, e.g. "xen-3.0-x86_64 hvm-3.0-x86_64".
    pub capabilities: Option<String>,
    /// Xen can run HVM guests (it found VT-x or AMD-V, which dom0's own CPU
    /// flags do not show).
    pub hvm: bool,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct QemuFacts {
    pub user: String,
    pub group: String,
    /// Where the user came from: "/etc/libvirt/qemu.conf" or "default for <distro>".
    pub user_source: String,
    pub uid: Known<u32>,
    /// Primary and supplementary groups of the user.
    pub gids: Known<Vec<u32>>,
    /// libvirt's dynamic_ownership (default on): it chowns device files at start.
    pub dynamic_ownership: bool,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct SriovSummary {
    pub pf_count: usize,
    pub vf_count: usize,
    /// VFs a guest could be given, now or after a detach: no other endpoint
    /// of the VF's IOMMU group is on a host driver, and no guest or process
    /// holds it. Of the VFs read (with --device targets, only theirs).
    pub assignable_vfs: Known<Vec<String>>,
    /// Of `assignable_vfs`, those on a host driver or on none: assignable
    /// once detached (libvirt's managed='yes' does it at guest start; on a
    /// Xen dom0, `xl pci-assignable-add` gives them to pciback). The others
    /// are on vfio-pci, pci-stub or pciback: assignable now.
    pub after_detach_vfs: Vec<String>,
    /// Why each other VF read cannot be given ("0000:03:10.0: group 7 is
    /// not viable (0000:03:00.0 on igb)", "…: held by guest web01"); the
    /// first five, then "and N more".
    pub blocked_vfs: Vec<String>,
    /// How many VFs read cannot be given.
    pub blocked_count: usize,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct KernelLogFacts {
    /// What was read: "/dev/kmsg" (live host, read without waiting),
    /// "/var/log/dmesg" (a captured tree), or "the bundle's kernel_log".
    pub source: String,
    /// The lines about PCI devices, the IOMMU, VFIO and SR-IOV, oldest
    /// first: control characters escaped, each cut to 400 characters, at
    /// most the latest 2,000.
    pub lines: Vec<String>,
    /// What was left out (older lines over the limits), in a sentence; null
    /// when nothing was.
    pub cut: Option<String>,
}

/// Nova's `[pci]` configuration (/etc/nova/nova.conf, then
/// /etc/nova/nova-compute.conf and /etc/nova/nova.conf.d/*.conf) against
/// this host's devices, as nova-compute would match them.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct NovaFacts {
    /// /etc/nova/nova.conf exists.
    pub present: bool,
    /// The files read, in oslo.config's order.
    pub files: Vec<String>,
    /// nova-compute is installed (/usr/bin/nova-compute): a compute node.
    pub compute: bool,
    /// Each device spec and what it matches.
    pub specs: Vec<NovaSpecFacts>,
    /// Each alias and the devices its requests can get.
    pub aliases: Vec<NovaAliasFacts>,
    /// What is wrong, one sentence each naming the spec or alias and why:
    /// a file nova cannot parse, a spec or alias it refuses, a spec that
    /// matches no device, an alias no spec serves, a matched device that
    /// cannot be assigned.
    pub problems: Vec<String>,
    /// The exact changes that fix `problems`, one sentence each.
    pub fixes: Vec<String>,
    /// What each spec matches and each alias can get, one phrase each.
    pub summary: Vec<String>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct NovaSpecFacts {
    /// "device_spec #1" (or the legacy option's name), counted in order.
    pub name: String,
    /// FILE:LINE of the value.
    pub source: String,
    /// The spec as JSON.
    pub spec: String,
    /// The devices it matches.
    pub matches: Vec<String>,
    /// Of those: how many are VFs, PFs and other devices (nova's type-VF,
    /// type-PF, type-PCI).
    pub vfs: usize,
    pub pfs: usize,
    pub others: usize,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct NovaAliasFacts {
    pub name: String,
    pub source: String,
    /// type-VF, type-PF, type-PCI, or null for any.
    pub device_type: Option<String>,
    /// "vendor:product" as the alias asks (either may be "*").
    pub ids: String,
    /// Devices that a device spec matches and that have the alias's ids
    /// and type: what a request for the alias can get on this host.
    pub devices: Vec<String>,
}

/// The SR-IOV network device plugin's /etc/pcidp/config.json, evaluated
/// against this host's devices as the plugin selects them.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct K8sFacts {
    /// The configuration file exists.
    pub config_present: bool,
    /// The file read.
    pub path: String,
    /// Why a resource gets no device, or why the plugin refuses the file:
    /// one sentence each, naming the resource and the selector. Empty when
    /// every resource gets devices.
    pub failures: Vec<String>,
    /// The corrected selector values, from what the host has, one per
    /// failure that has one.
    pub fixes: Vec<String>,
    /// What each resource gets ("intel.com/sriov_dpdk: 2 VFs").
    pub summary: Vec<String>,
    /// What this tool could not evaluate (ddpProfiles, pKeys, vdpaType,
    /// auxNetDevice resources, keys the plugin ignores).
    pub notes: Vec<String>,
    pub resources: Vec<K8sResource>,
    /// Each VF, and each other device a resource gets: where it lands.
    pub devices: Vec<K8sDevice>,
}

/// One `resourceList` entry and what it selects here.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct K8sResource {
    /// PREFIX/NAME, the name pods request.
    pub name: String,
    /// netDevice, accelerator or auxNetDevice.
    pub device_type: String,
    /// Each selector object as written.
    pub selectors: Vec<String>,
    /// The devices it gets, in the plugin's order.
    pub devices: Vec<String>,
    /// Of those, VFs.
    pub vfs: usize,
    /// False when this tool cannot evaluate it (auxNetDevice).
    pub checked: bool,
}

/// Where one device lands.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct K8sDevice {
    pub address: String,
    /// The resource that gets it (PREFIX/NAME), or null.
    pub resource: Option<String>,
    /// When no resource gets it: why, per resource.
    pub why_not: Vec<String>,
}
