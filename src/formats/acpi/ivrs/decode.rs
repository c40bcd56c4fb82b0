//! Decoding an IVRS table's bytes into [`Ivrs`].

use super::*;
use crate::formats::acpi::{
    ascii, bounds, c_string, checksum_ok, parse_header, read_u16, read_u32, read_u64, read_u8,
    read_uint, Stop,
};

/// Where the blocks start.
const BODY: usize = 48;
/// Size of an IVMD block.
const IVMD_LEN: usize = 32;

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
