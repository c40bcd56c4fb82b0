//! The DMA Remapping Reporting table (DMAR), which describes Intel VT-d
//! remapping hardware (Intel VT-d specification, chapter 8).
//!
//! Layout: the 36-byte ACPI header; Host Address Width (value = width - 1)
//! at 36; Flags at 37; 10 reserved bytes; then from offset 48 remapping
//! structures, each starting with a 16-bit type and a 16-bit length.

use serde::Serialize;

use super::{Header, Stop};

mod decode;
mod fields;
#[cfg(test)]
mod tests;

pub use decode::parse;

/// DMAR flag: the platform supports interrupt remapping.
pub const INTR_REMAP: u8 = 1;
/// DMAR flag: firmware asks the OS not to enable x2APIC mode.
pub const X2APIC_OPT_OUT: u8 = 2;
/// DMAR flag: firmware opted in to DMA protection of its own (platform) ranges.
pub const DMA_CTRL_PLATFORM_OPT_IN: u8 = 4;

/// DRHD flag: the unit covers every PCI device of its segment that no other
/// DRHD lists.
pub const DRHD_INCLUDE_PCI_ALL: u8 = 1;
/// ATSR flag: every root port of the segment supports ATS.
pub const ATSR_ALL_PORTS: u8 = 1;
/// SATC flag: the listed devices require ATC to work.
pub const SATC_ATC_REQUIRED: u8 = 1;

/// Remapping structure types.
pub const TYPE_DRHD: u16 = 0;
pub const TYPE_RMRR: u16 = 1;
pub const TYPE_ATSR: u16 = 2;
pub const TYPE_RHSA: u16 = 3;
pub const TYPE_ANDD: u16 = 4;
pub const TYPE_SATC: u16 = 5;
pub const TYPE_SIDP: u16 = 6;

/// Device scope types.
pub const SCOPE_ENDPOINT: u8 = 1;
pub const SCOPE_BRIDGE: u8 = 2;
pub const SCOPE_IOAPIC: u8 = 3;
pub const SCOPE_HPET: u8 = 4;
pub const SCOPE_NAMESPACE: u8 = 5;

/// A decoded DMAR table.
#[derive(Debug, Clone, Serialize)]
pub struct Dmar {
    pub header: Header,
    /// The bytes the header's length names are all present and sum to zero.
    pub checksum_ok: bool,
    /// The DMA address width in bits (the table's field + 1).
    pub host_address_width: u8,
    pub flags: u8,
    pub structures: Vec<DmarStructure>,
    /// Set when decoding stopped before the end of the table.
    pub stop: Option<Stop>,
    /// The bytes decoded, for [`Dmar::fields`] (reserved fields).
    #[serde(skip)]
    raw: Vec<u8>,
}

/// One remapping structure, at its byte offset in the table.
#[derive(Debug, Clone, Serialize)]
pub struct DmarStructure {
    pub offset: usize,
    pub length: u16,
    pub kind: DmarKind,
}

#[derive(Debug, Clone, Serialize)]
pub enum DmarKind {
    /// DMA Remapping Hardware Unit Definition. `flags` bit 0: INCLUDE_PCI_ALL.
    Drhd {
        flags: u8,
        size: u8,
        segment: u16,
        register_base: u64,
        scopes: Vec<DeviceScope>,
    },
    /// Reserved Memory Region Reporting: `base..=limit` must stay mapped for
    /// the devices in `scopes`.
    Rmrr {
        segment: u16,
        base: u64,
        limit: u64,
        scopes: Vec<DeviceScope>,
    },
    /// Root Port ATS Capability. `flags` bit 0: ALL_PORTS.
    Atsr {
        flags: u8,
        segment: u16,
        scopes: Vec<DeviceScope>,
    },
    /// Remapping Hardware Static Affinity.
    Rhsa {
        register_base: u64,
        proximity_domain: u32,
    },
    /// ACPI Name-space Device Declaration.
    Andd {
        device_number: u8,
        object_name: String,
    },
    /// SoC Integrated Address Translation Cache. `flags` bit 0: ATC_REQUIRED.
    Satc {
        flags: u8,
        segment: u16,
        scopes: Vec<DeviceScope>,
    },
    /// SoC Integrated Device Property.
    Sidp {
        segment: u16,
        scopes: Vec<DeviceScope>,
    },
    /// A structure type this decoder does not know; `bytes` is the whole
    /// structure, header included.
    Unknown { structure_type: u16, bytes: Vec<u8> },
}

impl DmarKind {
    /// The structure's type number in the table.
    pub fn type_code(&self) -> u16 {
        match self {
            DmarKind::Drhd { .. } => TYPE_DRHD,
            DmarKind::Rmrr { .. } => TYPE_RMRR,
            DmarKind::Atsr { .. } => TYPE_ATSR,
            DmarKind::Rhsa { .. } => TYPE_RHSA,
            DmarKind::Andd { .. } => TYPE_ANDD,
            DmarKind::Satc { .. } => TYPE_SATC,
            DmarKind::Sidp { .. } => TYPE_SIDP,
            DmarKind::Unknown { structure_type, .. } => *structure_type,
        }
    }

    /// The short name the VT-d specification uses.
    pub fn name(&self) -> &'static str {
        match self {
            DmarKind::Drhd { .. } => "DRHD",
            DmarKind::Rmrr { .. } => "RMRR",
            DmarKind::Atsr { .. } => "ATSR",
            DmarKind::Rhsa { .. } => "RHSA",
            DmarKind::Andd { .. } => "ANDD",
            DmarKind::Satc { .. } => "SATC",
            DmarKind::Sidp { .. } => "SIDP",
            DmarKind::Unknown { .. } => "unknown",
        }
    }

    /// The device scopes of the structure (empty for types without any).
    pub fn scopes(&self) -> &[DeviceScope] {
        match self {
            DmarKind::Drhd { scopes, .. }
            | DmarKind::Rmrr { scopes, .. }
            | DmarKind::Atsr { scopes, .. }
            | DmarKind::Satc { scopes, .. }
            | DmarKind::Sidp { scopes, .. } => scopes,
            _ => &[],
        }
    }
}

/// A device scope: the device (or the bridge, and all below it) that a
/// structure applies to, named by a start bus and a path of (device,
/// function) steps. See [`super::scope::resolve`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceScope {
    pub offset: usize,
    /// 1 endpoint, 2 bridge, 3 IOAPIC, 4 HPET, 5 ACPI namespace device.
    pub scope_type: u8,
    pub length: u8,
    pub flags: u8,
    pub enumeration_id: u8,
    pub start_bus: u8,
    pub path: Vec<(u8, u8)>,
}

impl DeviceScope {
    /// The name of the scope type.
    pub fn type_name(&self) -> &'static str {
        match self.scope_type {
            SCOPE_ENDPOINT => "PCI endpoint",
            SCOPE_BRIDGE => "PCI bridge",
            SCOPE_IOAPIC => "IOAPIC",
            SCOPE_HPET => "HPET",
            SCOPE_NAMESPACE => "ACPI namespace device",
            _ => "reserved",
        }
    }
}

impl Dmar {
    /// True when the firmware reports interrupt remapping support.
    pub fn intr_remap(&self) -> bool {
        self.flags & INTR_REMAP != 0
    }
}
