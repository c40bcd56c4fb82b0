//! The I/O Virtualization Reporting Structure (IVRS), which describes AMD-Vi
//! IOMMUs (AMD I/O Virtualization Technology specification, chapter 5).
//!
//! Layout: the 36-byte ACPI header; IVinfo (u32) at 36; 8 reserved bytes;
//! then from offset 48 blocks, each starting with type (u8), flags (u8),
//! length (u16) and device id (u16). IVHD blocks (types 10h, 11h, 40h)
//! describe one IOMMU and list device entries; IVMD blocks (20h, 21h, 22h)
//! describe memory that devices need mapped.

use serde::Serialize;

use super::{Header, Stop};

mod decode;
mod fields;
#[cfg(test)]
mod tests;

pub use decode::parse;

/// Block types.
pub const TYPE_IVHD_10: u8 = 0x10;
pub const TYPE_IVHD_11: u8 = 0x11;
pub const TYPE_IVHD_40: u8 = 0x40;
/// IVMD for every device.
pub const TYPE_IVMD_ALL: u8 = 0x20;
/// IVMD for the device named by the block's device id.
pub const TYPE_IVMD_SELECT: u8 = 0x21;
/// IVMD for the devices from the block's device id to its aux data.
pub const TYPE_IVMD_RANGE: u8 = 0x22;

/// IVHD device entry types.
pub const ENTRY_PAD4: u8 = 0x00;
pub const ENTRY_ALL: u8 = 0x01;
pub const ENTRY_SELECT: u8 = 0x02;
pub const ENTRY_RANGE_START: u8 = 0x03;
pub const ENTRY_RANGE_END: u8 = 0x04;
pub const ENTRY_PAD8: u8 = 0x40;
pub const ENTRY_ALIAS_SELECT: u8 = 0x42;
pub const ENTRY_ALIAS_RANGE_START: u8 = 0x43;
pub const ENTRY_EXT_SELECT: u8 = 0x46;
pub const ENTRY_EXT_RANGE_START: u8 = 0x47;
pub const ENTRY_SPECIAL: u8 = 0x48;
pub const ENTRY_ACPI_HID: u8 = 0xF0;

/// Special-device varieties.
pub const SPECIAL_IOAPIC: u8 = 1;
pub const SPECIAL_HPET: u8 = 2;

/// UID formats of an ACPI HID entry.
pub const UID_NOT_PRESENT: u8 = 0;
pub const UID_INTEGER: u8 = 1;
pub const UID_STRING: u8 = 2;

/// Fixed bytes of an ACPI HID entry before its UID.
const HID_FIXED: usize = 22;

/// A decoded IVRS table.
#[derive(Debug, Clone, Serialize)]
pub struct Ivrs {
    pub header: Header,
    /// The bytes the header's length names are all present and sum to zero.
    pub checksum_ok: bool,
    pub ivinfo: u32,
    pub blocks: Vec<IvrsBlock>,
    /// Set when decoding stopped before the end of the table.
    pub stop: Option<Stop>,
    /// The bytes decoded, for [`Ivrs::fields`] (reserved fields).
    #[serde(skip)]
    raw: Vec<u8>,
}

/// One IVRS block, at its byte offset in the table.
#[derive(Debug, Clone, Serialize)]
pub struct IvrsBlock {
    pub offset: usize,
    pub block_type: u8,
    pub flags: u8,
    pub length: u16,
    pub device_id: u16,
    pub kind: IvrsKind,
}

#[derive(Debug, Clone, Serialize)]
pub enum IvrsKind {
    /// I/O Virtualization Hardware Definition: one IOMMU. `feature` is
    /// "IOMMU Feature Reporting" in type 10h and "IOMMU Attributes" in 11h
    /// and 40h, which also carry an image of the EFR register.
    Ivhd {
        capability_offset: u16,
        base_address: u64,
        segment: u16,
        info: u16,
        feature: u32,
        efr: Option<u64>,
        entries: Vec<IvhdEntry>,
    },
    /// I/O Virtualization Memory Definition: 20h all devices, 21h one device
    /// (device_id), 22h a range (device_id ..= aux).
    Ivmd {
        aux: u16,
        start_address: u64,
        length: u64,
    },
    /// A block type this decoder does not know; `bytes` is the whole block,
    /// header included.
    Unknown { bytes: Vec<u8> },
}

/// One IVHD device entry, at its byte offset in the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IvhdEntry {
    pub offset: usize,
    pub entry_type: u8,
    pub device_id: u16,
    pub data_setting: u8,
    pub kind: IvhdEntryKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum IvhdEntryKind {
    /// 4-byte (00h) or 8-byte (40h) padding.
    Pad,
    All,
    Select,
    RangeStart,
    RangeEnd,
    AliasSelect {
        source: u16,
    },
    AliasRangeStart {
        source: u16,
    },
    ExtSelect {
        ext: u32,
    },
    ExtRangeStart {
        ext: u32,
    },
    /// An IOAPIC (variety 1) or HPET (variety 2) with its ID (`handle`) and
    /// the device id its requests carry (`source`).
    Special {
        handle: u8,
        source: u16,
        variety: u8,
    },
    /// A device named by ACPI: HID, CID and UID as the kernel matches them
    /// (an integer UID shown in decimal).
    AcpiHid {
        hid: String,
        cid: String,
        uid: String,
    },
    /// An entry type this decoder does not know; `bytes` is the whole entry
    /// (for an unknown variable-length type, the rest of the block).
    Unknown {
        bytes: Vec<u8>,
    },
}

/// True when an 8-byte HID/CID field holds a 32-bit integer (an EISA id),
/// which the ACPI spec says has its upper four bytes zero.
fn id_is_integer(b: &[u8]) -> bool {
    b.len() == 8 && b[4..].iter().all(|&x| x == 0)
}
