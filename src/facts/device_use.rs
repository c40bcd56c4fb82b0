//! Who uses a device and what that use needs: the processes that hold it,
//! the guest's memory (locked, and how far its RAM reaches) and the
//! address width of the IOMMU unit that must map it.

use schemars::JsonSchema;
use serde::Serialize;

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Holder {
    pub pid: u32,
    pub comm: String,
    pub uid: Option<u32>,
    /// The libvirt domain the process runs, when it is one (for a Proxmox
    /// VM, "VMID N (NAME)").
    pub domain: Option<String>,
    /// The Proxmox VM it runs: its state (pid file and configuration) or
    /// its command line's `-id N`.
    pub vmid: Option<u32>,
    /// How it was found: libvirt state file, QEMU command line, fd links.
    pub how: Vec<String>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct MemlockFacts {
    pub domain: String,
    pub running: bool,
    /// Guest memory: VFIO pins all of it.
    pub memory_bytes: u64,
    pub memory: String,
    /// The locked-memory limit that applies; null = unlimited.
    pub limit_bytes: Option<u64>,
    pub limit: String,
    pub limit_source: String,
}

/// The RAM of the QEMU guest (libvirt's or Proxmox's) that uses, or is
/// defined to use, a device.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct GuestRamFacts {
    /// The guest's name (a Proxmox VM's "VMID N (NAME)").
    pub domain: String,
    pub kind: super::GuestKind,
    /// A Proxmox VM's id.
    pub vmid: Option<u32>,
    pub running: bool,
    pub memory_bytes: u64,
    pub memory: String,
    /// The highest guest-physical address of its RAM, as QEMU's x86
    /// machines lay it out: RAM beyond the first 2 GiB (q35; 3 GiB on pc)
    /// starts at 4 GiB, so the top is at most memory + 2 GiB.
    pub ram_top_bytes: u64,
    pub ram_top: String,
    /// The file that gives its memory.
    pub source: String,
}

/// The address width of an Intel VT-d remapping unit, from its capability
/// register: the kernel maps no DMA address at or above 2^bits.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct IommuWidthFacts {
    /// The unit: dmar0, dmar1, ...
    pub unit: String,
    /// Maximum guest address width (MGAW, capability register bits 21:16,
    /// plus one).
    pub bits: u32,
    /// 2^bits.
    pub limit_bytes: u64,
    pub limit: String,
    /// The most memory a guest on QEMU's x86 machines can have with all of
    /// its RAM below the limit (2^bits - 2 GiB, see GuestRamFacts::ram_top),
    /// in KiB as virsh takes it, in MiB as Proxmox's `qm set --memory`
    /// takes it, and as people write it.
    pub max_guest_memory_kib: u64,
    pub max_guest_memory_mib: u64,
    pub max_guest_memory: String,
    /// The capability register as the kernel shows it, and where.
    pub cap: String,
    pub source: String,
}
