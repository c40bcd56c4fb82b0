//! The I/O Virtualization Reporting Structure (IVRS), which describes AMD-Vi
//! IOMMUs (AMD I/O Virtualization Technology specification, chapter 5).
//!
//! Layout: the 36-byte ACPI header; IVinfo (u32) at 36; 8 reserved bytes;
//! then from offset 48 blocks, each starting with type (u8), flags (u8),
//! length (u16) and device id (u16). IVHD blocks (types 10h, 11h, 40h)
//! describe one IOMMU and list device entries; IVMD blocks (20h, 21h, 22h)
//! describe memory that devices need mapped.

use serde::Serialize;

use super::{
    ascii, bounds, c_string, checksum_ok, parse_header, read_u16, read_u32, read_u64, read_u8,
    read_uint, Field, Fields, Header, Stop,
};

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

/// Where the blocks start.
const BODY: usize = 48;
/// Fixed bytes of an ACPI HID entry before its UID.
const HID_FIXED: usize = 22;
/// Size of an IVMD block.
const IVMD_LEN: usize = 32;

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

/// Decodes an IVRS table. Never panics: it decodes as far as the bytes are
/// sound and records in `stop` where and why it stopped early.
pub fn parse(bytes: &[u8]) -> Ivrs {
    let header = parse_header(bytes);
    let mut ivrs = Ivrs {
        checksum_ok: checksum_ok(bytes, &header),
        header,
        ivinfo: read_u32(bytes, 36).unwrap_or(0),
        blocks: Vec::new(),
        stop: None,
        raw: bytes.to_vec(),
    };
    let b = match bounds(bytes, &ivrs.header, BODY) {
        Ok(b) => b,
        Err(stop) => {
            ivrs.stop = Some(stop);
            return ivrs;
        }
    };
    let end = b.end;
    let mut at = BODY;
    while at < end {
        let left = end - at;
        if left < 4 {
            ivrs.stop = Some(Stop {
                offset: at,
                reason: format!("{left} byte(s) left at the end, too few for a block header"),
            });
            break;
        }
        let ty = bytes[at];
        let len = read_u16(bytes, at + 2).unwrap_or(0);
        if usize::from(len) < 4 {
            ivrs.stop = Some(Stop {
                offset: at,
                reason: format!(
                    "block of type {ty:#04x} has length {len}, less than its 4-byte header"
                ),
            });
            break;
        }
        if usize::from(len) > left {
            ivrs.stop = Some(Stop {
                offset: at,
                reason: format!(
                    "block of type {ty:#04x} has length {len}, past the end of the table ({left} bytes left)"
                ),
            });
            break;
        }
        let s = &bytes[at..at + usize::from(len)];
        match block(at, s) {
            Ok((block, inner_stop)) => {
                ivrs.blocks.push(block);
                if inner_stop.is_some() {
                    ivrs.stop = inner_stop;
                    break;
                }
            }
            Err(stop) => {
                ivrs.stop = Some(stop);
                break;
            }
        }
        at += usize::from(len);
    }
    if let Some(truncated) = b.truncated {
        ivrs.stop = Some(match ivrs.stop.take() {
            Some(s) => Stop {
                offset: s.offset,
                reason: format!("{}; {}", s.reason, truncated.reason),
            },
            None => truncated,
        });
    }
    ivrs
}

/// Decodes one block `s` found at table offset `at`.
fn block(at: usize, s: &[u8]) -> Result<(IvrsBlock, Option<Stop>), Stop> {
    let ty = s[0];
    let fixed = match ty {
        TYPE_IVHD_10 => 24,
        TYPE_IVHD_11 | TYPE_IVHD_40 => 40,
        TYPE_IVMD_ALL | TYPE_IVMD_SELECT | TYPE_IVMD_RANGE => IVMD_LEN,
        _ => 4,
    };
    if s.len() < fixed {
        return Err(Stop {
            offset: at,
            reason: format!(
                "block of type {ty:#04x} has length {}, less than the {fixed} bytes of its fixed fields",
                s.len()
            ),
        });
    }
    let u16_at = |o: usize| read_u16(s, o).unwrap_or(0);
    let u64_at = |o: usize| read_u64(s, o).unwrap_or(0);
    let mut stop = None;
    let kind = match ty {
        TYPE_IVHD_10 | TYPE_IVHD_11 | TYPE_IVHD_40 => {
            let (entries, entry_stop) = entries(at, s, fixed);
            stop = entry_stop;
            IvrsKind::Ivhd {
                capability_offset: u16_at(6),
                base_address: u64_at(8),
                segment: u16_at(16),
                info: u16_at(18),
                feature: read_u32(s, 20).unwrap_or(0),
                efr: (ty != TYPE_IVHD_10).then(|| u64_at(24)),
                entries,
            }
        }
        TYPE_IVMD_ALL | TYPE_IVMD_SELECT | TYPE_IVMD_RANGE => IvrsKind::Ivmd {
            aux: u16_at(6),
            start_address: u64_at(16),
            length: u64_at(24),
        },
        _ => IvrsKind::Unknown { bytes: s.to_vec() },
    };
    Ok((
        IvrsBlock {
            offset: at,
            block_type: ty,
            flags: s[1],
            length: u16_at(2),
            device_id: u16_at(4),
            kind,
        },
        stop,
    ))
}

/// Decodes the device entries of IVHD block `s` (at table offset `at`) from
/// byte `from` to the end of the block.
fn entries(at: usize, s: &[u8], from: usize) -> (Vec<IvhdEntry>, Option<Stop>) {
    let mut out = Vec::new();
    let mut p = from;
    while p < s.len() {
        let left = s.len() - p;
        let ty = s[p];
        let len = match ty {
            0x00..=0x3F => 4,
            0x40..=0x7F => 8,
            ENTRY_ACPI_HID => {
                if left < HID_FIXED {
                    return (
                        out,
                        Some(Stop {
                            offset: at + p,
                            reason: format!(
                                "ACPI HID device entry: {left} byte(s) left in the block at {at:#x}, fewer than its 22 fixed bytes"
                            ),
                        }),
                    );
                }
                HID_FIXED + usize::from(s[p + 21])
            }
            // Types 80h and up other than F0h carry no length we know: keep
            // the rest of the block as one unknown entry.
            _ => left,
        };
        if len > left {
            return (
                out,
                Some(Stop {
                    offset: at + p,
                    reason: format!(
                        "device entry of type {ty:#04x} needs {len} bytes, past the end of the block at {at:#x} ({left} bytes left)"
                    ),
                }),
            );
        }
        let e = &s[p..p + len];
        let byte = |o: usize| read_u8(e, o).unwrap_or(0);
        let word = |o: usize| read_u16(e, o).unwrap_or(0);
        let kind = match ty {
            ENTRY_PAD4 | ENTRY_PAD8 => IvhdEntryKind::Pad,
            ENTRY_ALL => IvhdEntryKind::All,
            ENTRY_SELECT => IvhdEntryKind::Select,
            ENTRY_RANGE_START => IvhdEntryKind::RangeStart,
            ENTRY_RANGE_END => IvhdEntryKind::RangeEnd,
            ENTRY_ALIAS_SELECT => IvhdEntryKind::AliasSelect { source: word(5) },
            ENTRY_ALIAS_RANGE_START => IvhdEntryKind::AliasRangeStart { source: word(5) },
            ENTRY_EXT_SELECT => IvhdEntryKind::ExtSelect {
                ext: read_u32(e, 4).unwrap_or(0),
            },
            ENTRY_EXT_RANGE_START => IvhdEntryKind::ExtRangeStart {
                ext: read_u32(e, 4).unwrap_or(0),
            },
            ENTRY_SPECIAL => IvhdEntryKind::Special {
                handle: byte(4),
                source: word(5),
                variety: byte(7),
            },
            ENTRY_ACPI_HID => IvhdEntryKind::AcpiHid {
                hid: acpi_id(&e[4..12]),
                cid: acpi_id(&e[12..20]),
                uid: uid(e[20], &e[HID_FIXED..]),
            },
            _ => IvhdEntryKind::Unknown { bytes: e.to_vec() },
        };
        out.push(IvhdEntry {
            offset: at + p,
            entry_type: ty,
            device_id: word(1),
            data_setting: byte(3),
            kind,
        });
        p += len;
    }
    (out, None)
}

/// True when an 8-byte HID/CID field holds a 32-bit integer (an EISA id),
/// which the ACPI spec says has its upper four bytes zero.
fn id_is_integer(b: &[u8]) -> bool {
    b.len() == 8 && b[4..].iter().all(|&x| x == 0)
}

/// An 8-byte HID or CID as text: the string, or a compressed EISA id
/// decoded to its usual form (`PNP0C50`); all zeros is empty.
fn acpi_id(b: &[u8]) -> String {
    if b.iter().all(|&x| x == 0) {
        return String::new();
    }
    if id_is_integer(b) {
        // Three 5-bit letters then four hex digits, most significant first.
        let v = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        let letter = |shift: u32| char::from(b'@' + ((v >> shift) & 0x1f) as u8);
        return format!(
            "{}{}{}{:04X}",
            letter(26),
            letter(21),
            letter(16),
            v & 0xffff
        );
    }
    ascii(c_string(b).0)
}

/// The UID of an ACPI HID entry as the kernel matches it: a string, an
/// integer in decimal, or empty when not present.
fn uid(format: u8, b: &[u8]) -> String {
    match format {
        UID_STRING => ascii(c_string(b).0),
        UID_INTEGER if b.len() <= 8 => read_uint(b, 0, b.len()).unwrap_or(0).to_string(),
        UID_INTEGER => format!(
            "0x{}",
            b.iter()
                .rev()
                .map(|x| format!("{x:02x}"))
                .collect::<String>()
        ),
        _ => String::new(),
    }
}

impl Ivrs {
    /// Every field, at its byte offset, as `iasl -d` prints it (reserved
    /// fields included); for comparison with iasl and for display.
    pub fn fields(&self) -> Vec<Field> {
        let mut f = Fields::new(&self.raw);
        f.header(&self.header);
        f.int(36, 4, "Virtualization Info", u64::from(self.ivinfo));
        f.raw_int(40, 8, "Reserved");
        for b in &self.blocks {
            let o = b.offset;
            f.int(o, 1, "Subtable Type", u64::from(b.block_type));
            f.int(o + 1, 1, "Flags", u64::from(b.flags));
            f.int(o + 2, 2, "Length", u64::from(b.length));
            if b.length >= 6 {
                f.int(o + 4, 2, "DeviceId", u64::from(b.device_id));
            }
            match &b.kind {
                IvrsKind::Ivhd {
                    capability_offset,
                    base_address,
                    segment,
                    info,
                    feature,
                    efr,
                    entries,
                } => {
                    f.int(o + 6, 2, "Capability Offset", u64::from(*capability_offset));
                    f.int(o + 8, 8, "Base Address", *base_address);
                    f.int(o + 16, 2, "PCI Segment Group", u64::from(*segment));
                    f.int(o + 18, 2, "Virtualization Info", u64::from(*info));
                    let name = if efr.is_some() {
                        "Attributes"
                    } else {
                        "Feature Reporting"
                    };
                    f.int(o + 20, 4, name, u64::from(*feature));
                    if let Some(efr) = efr {
                        f.int(o + 24, 8, "EFR Image", *efr);
                        f.raw_int(o + 32, 8, "Reserved");
                    }
                    for e in entries {
                        self.entry_fields(&mut f, e);
                    }
                }
                IvrsKind::Ivmd {
                    aux,
                    start_address,
                    length,
                } => {
                    f.int(o + 6, 2, "Auxiliary Data", u64::from(*aux));
                    f.raw_int(o + 8, 8, "Reserved");
                    f.int(o + 16, 8, "Start Address", *start_address);
                    f.int(o + 24, 8, "Memory Length", *length);
                }
                IvrsKind::Unknown { bytes } => {
                    if bytes.len() > 6 {
                        f.bytes(o + 6, "Data", bytes[6..].to_vec());
                    }
                }
            }
        }
        f.finish()
    }

    fn entry_fields(&self, f: &mut Fields, e: &IvhdEntry) {
        let p = e.offset;
        f.int(p, 1, "Subtable Type", u64::from(e.entry_type));
        if let IvhdEntryKind::Unknown { bytes } = &e.kind {
            if e.entry_type >= 0x80 {
                // No known layout: everything after the type is data.
                if bytes.len() > 1 {
                    f.bytes(p + 1, "Data", bytes[1..].to_vec());
                }
                return;
            }
        }
        f.int(p + 1, 2, "Device ID", u64::from(e.device_id));
        f.int(p + 3, 1, "Data Setting", u64::from(e.data_setting));
        match &e.kind {
            IvhdEntryKind::AliasSelect { source } | IvhdEntryKind::AliasRangeStart { source } => {
                f.raw_int(p + 4, 1, "Reserved");
                f.int(p + 5, 2, "Source Used Device ID", u64::from(*source));
                f.raw_int(p + 7, 1, "Reserved");
            }
            IvhdEntryKind::ExtSelect { ext } | IvhdEntryKind::ExtRangeStart { ext } => {
                f.int(p + 4, 4, "Extended Data", u64::from(*ext));
            }
            IvhdEntryKind::Special {
                handle,
                source,
                variety,
            } => {
                f.int(p + 4, 1, "Handle", u64::from(*handle));
                f.int(p + 5, 2, "Source Used Device ID", u64::from(*source));
                f.int(p + 7, 1, "Variety", u64::from(*variety));
            }
            IvhdEntryKind::AcpiHid { hid, cid, .. } => {
                let raw = &self.raw;
                for (at, name, text) in [(p + 4, "ACPI HID", hid), (p + 12, "ACPI CID", cid)] {
                    match raw.get(at..at + 8) {
                        Some(b) if id_is_integer(b) => f.raw_int(at, 8, name),
                        Some(_) => f.str(at, 8, name, text.clone()),
                        None => {}
                    }
                }
                f.raw_int(p + 20, 1, "UID Format");
                f.raw_int(p + 21, 1, "UID Length");
                let format = raw.get(p + 20).copied().unwrap_or(0);
                let len = usize::from(raw.get(p + 21).copied().unwrap_or(0));
                if len > 0 {
                    if let Some(b) = raw.get(p + HID_FIXED..p + HID_FIXED + len) {
                        if format == UID_STRING {
                            f.str(p + HID_FIXED, len, "UID", ascii(c_string(b).0));
                        } else if len <= 8 {
                            f.raw_int(p + HID_FIXED, len, "UID");
                        } else {
                            f.bytes(p + HID_FIXED, "UID", b.to_vec());
                        }
                    }
                }
            }
            IvhdEntryKind::Unknown { bytes } if bytes.len() > 4 => {
                f.bytes(p + 4, "Data", bytes[4..].to_vec());
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(body: &[u8]) -> Vec<u8> {
        let mut t = vec![0u8; 48];
        t[0..4].copy_from_slice(b"IVRS");
        t[8] = 2;
        t[36..40].copy_from_slice(&0x0020_3041u32.to_le_bytes());
        t.extend_from_slice(body);
        let len = t.len() as u32;
        t[4..8].copy_from_slice(&len.to_le_bytes());
        let sum = t.iter().fold(0u8, |a, &b| a.wrapping_add(b));
        t[9] = 0u8.wrapping_sub(sum);
        t
    }

    fn ivhd40(entries: &[u8]) -> Vec<u8> {
        let mut b = vec![TYPE_IVHD_40, 0xb0, 0, 0, 0x02, 0, 0x40, 0];
        b.extend_from_slice(&0xfd20_0000u64.to_le_bytes());
        b.extend_from_slice(&[0; 8]); // segment, info, attributes
        b.extend_from_slice(&0x1234u64.to_le_bytes());
        b.extend_from_slice(&[0; 8]);
        b.extend_from_slice(entries);
        let len = b.len() as u16;
        b[2..4].copy_from_slice(&len.to_le_bytes());
        b
    }

    #[test]
    fn decodes_entries() {
        let mut e = vec![
            ENTRY_RANGE_START,
            0x08,
            0,
            0,
            ENTRY_RANGE_END,
            0xfe,
            0xff,
            0,
        ];
        e.extend_from_slice(&[ENTRY_SPECIAL, 0, 0, 0xd7, 0x21, 0xa0, 0, SPECIAL_IOAPIC]);
        e.extend_from_slice(&[ENTRY_ACPI_HID, 0xa5, 0, 0x40]);
        e.extend_from_slice(b"AMDI0020");
        e.extend_from_slice(&[0; 8]);
        e.extend_from_slice(&[UID_STRING, 9]);
        e.extend_from_slice(b"\\_SB.FUR0");
        e.extend_from_slice(&[ENTRY_ACPI_HID, 0x60, 0, 0x40]);
        e.extend_from_slice(&[0x41, 0xd0, 0x0c, 0x50, 0, 0, 0, 0]); // PNP0C50
        e.extend_from_slice(&[0; 8]);
        e.extend_from_slice(&[UID_INTEGER, 2, 1, 0]);
        let t = table(&ivhd40(&e));
        let ivrs = parse(&t);
        assert!(ivrs.checksum_ok);
        assert!(ivrs.stop.is_none(), "{:?}", ivrs.stop);
        let IvrsKind::Ivhd { efr, entries, .. } = &ivrs.blocks[0].kind else {
            panic!("not an IVHD")
        };
        assert_eq!(*efr, Some(0x1234));
        assert_eq!(entries.len(), 5);
        assert_eq!(entries[1].device_id, 0xfffe);
        assert_eq!(
            entries[2].kind,
            IvhdEntryKind::Special {
                handle: 0x21,
                source: 0xa0,
                variety: SPECIAL_IOAPIC
            }
        );
        assert_eq!(
            entries[3].kind,
            IvhdEntryKind::AcpiHid {
                hid: "AMDI0020".into(),
                cid: String::new(),
                uid: "\\_SB.FUR0".into()
            }
        );
        assert_eq!(
            entries[4].kind,
            IvhdEntryKind::AcpiHid {
                hid: "PNP0C50".into(),
                cid: String::new(),
                uid: "1".into()
            }
        );
        let fields = ivrs.fields();
        assert!(fields.iter().any(|f| f.name == "UID" && f.len == 2));
    }

    #[test]
    fn unknown_block_is_kept_and_skipped() {
        let mut body = vec![0x51, 0x08, 0x20, 0];
        body.extend_from_slice(&[0; 28]);
        body.extend_from_slice(&ivhd40(&[ENTRY_SELECT, 0, 1, 0]));
        let ivrs = parse(&table(&body));
        assert!(ivrs.stop.is_none());
        assert_eq!(ivrs.blocks.len(), 2);
        assert!(matches!(&ivrs.blocks[0].kind, IvrsKind::Unknown { bytes } if bytes.len() == 32));
        assert_eq!(ivrs.blocks[1].block_type, TYPE_IVHD_40);
    }

    #[test]
    fn unknown_variable_entry_takes_the_rest_of_the_block() {
        let t = table(&ivhd40(&[ENTRY_SELECT, 0, 1, 0, 0x90, 1, 2, 3, 4, 5]));
        let ivrs = parse(&t);
        assert!(ivrs.stop.is_none());
        let IvrsKind::Ivhd { entries, .. } = &ivrs.blocks[0].kind else {
            panic!()
        };
        assert_eq!(entries.len(), 2);
        assert_eq!(
            entries[1].kind,
            IvhdEntryKind::Unknown {
                bytes: vec![0x90, 1, 2, 3, 4, 5]
            }
        );
    }

    #[test]
    fn zero_length_block_stops() {
        let ivrs = parse(&table(&[0x10, 0, 0, 0, 0, 0, 0, 0]));
        assert_eq!(ivrs.stop.expect("stop").offset, 48);
    }

    #[test]
    fn truncation_is_reported() {
        let t = table(&ivhd40(&[ENTRY_SELECT, 0, 1, 0]));
        for n in 0..t.len() {
            let ivrs = parse(&t[..n]);
            let stop = ivrs.stop.unwrap_or_else(|| panic!("no stop at {n}"));
            assert!(stop.offset <= n);
        }
    }
}
