//! Decoding a DMAR table's bytes into [`Dmar`].

use super::*;
use crate::formats::acpi::{
    ascii, bounds, c_string, checksum_ok, parse_header, read_u16, read_u32, read_u64, read_u8, Stop,
};

/// Where the remapping structures start.
const BODY: usize = 48;
/// Bytes of a device scope before its path.
const SCOPE_HEADER: usize = 6;

/// Decodes a DMAR table. Never panics: it decodes as far as the bytes are
/// sound and records in `stop` where and why it stopped early.
pub fn parse(bytes: &[u8]) -> Dmar {
    let header = parse_header(bytes);
    let mut dmar = Dmar {
        checksum_ok: checksum_ok(bytes, &header),
        header,
        host_address_width: read_u8(bytes, 36).map_or(0, |w| w.wrapping_add(1)),
        flags: read_u8(bytes, 37).unwrap_or(0),
        structures: Vec::new(),
        stop: None,
        raw: bytes.to_vec(),
    };
    let b = match bounds(bytes, &dmar.header, BODY) {
        Ok(b) => b,
        Err(stop) => {
            dmar.stop = Some(stop);
            return dmar;
        }
    };
    let end = b.end;
    let mut at = BODY;
    while at < end {
        let left = end - at;
        if left < 4 {
            dmar.stop = Some(Stop {
                offset: at,
                reason: format!("{left} byte(s) left at the end, too few for a structure header"),
            });
            break;
        }
        let ty = read_u16(bytes, at).unwrap_or(0);
        let len = read_u16(bytes, at + 2).unwrap_or(0);
        if usize::from(len) < 4 {
            dmar.stop = Some(Stop {
                offset: at,
                reason: format!(
                    "structure of type {ty} has length {len}, less than its 4-byte header"
                ),
            });
            break;
        }
        if usize::from(len) > left {
            dmar.stop = Some(Stop {
                offset: at,
                reason: format!(
                    "structure of type {ty} has length {len}, past the end of the table ({left} bytes left)"
                ),
            });
            break;
        }
        let s = &bytes[at..at + usize::from(len)];
        match structure(at, ty, s) {
            Ok((kind, inner_stop)) => {
                dmar.structures.push(DmarStructure {
                    offset: at,
                    length: len,
                    kind,
                });
                if inner_stop.is_some() {
                    dmar.stop = inner_stop;
                    break;
                }
            }
            Err(stop) => {
                dmar.stop = Some(stop);
                break;
            }
        }
        at += usize::from(len);
    }
    if let Some(truncated) = b.truncated {
        dmar.stop = Some(match dmar.stop.take() {
            Some(s) => Stop {
                offset: s.offset,
                reason: format!("{}; {}", s.reason, truncated.reason),
            },
            None => truncated,
        });
    }
    dmar
}

/// Decodes one structure `s` found at table offset `at`. An error means the
/// structure is too short for its fixed fields; a stop means its device
/// scopes were decoded only in part.
fn structure(at: usize, ty: u16, s: &[u8]) -> Result<(DmarKind, Option<Stop>), Stop> {
    let need = match ty {
        TYPE_DRHD => 16,
        TYPE_RMRR => 24,
        TYPE_RHSA => 20,
        TYPE_ATSR | TYPE_ANDD | TYPE_SATC | TYPE_SIDP => 8,
        _ => 4,
    };
    if s.len() < need {
        return Err(Stop {
            offset: at,
            reason: format!(
                "structure of type {ty} has length {}, less than the {need} bytes of its fixed fields",
                s.len()
            ),
        });
    }
    // The reads below are within `need`, so they cannot fail.
    let u8_at = |o: usize| read_u8(s, o).unwrap_or(0);
    let u16_at = |o: usize| read_u16(s, o).unwrap_or(0);
    let u64_at = |o: usize| read_u64(s, o).unwrap_or(0);
    Ok(match ty {
        TYPE_DRHD => {
            let (scopes, stop) = scopes(at, s, 16);
            let kind = DmarKind::Drhd {
                flags: u8_at(4),
                size: u8_at(5),
                segment: u16_at(6),
                register_base: u64_at(8),
                scopes,
            };
            (kind, stop)
        }
        TYPE_RMRR => {
            let (scopes, stop) = scopes(at, s, 24);
            let kind = DmarKind::Rmrr {
                segment: u16_at(6),
                base: u64_at(8),
                limit: u64_at(16),
                scopes,
            };
            (kind, stop)
        }
        TYPE_ATSR => {
            let (scopes, stop) = scopes(at, s, 8);
            let kind = DmarKind::Atsr {
                flags: u8_at(4),
                segment: u16_at(6),
                scopes,
            };
            (kind, stop)
        }
        TYPE_RHSA => (
            DmarKind::Rhsa {
                register_base: u64_at(8),
                proximity_domain: read_u32(s, 16).unwrap_or(0),
            },
            None,
        ),
        TYPE_ANDD => {
            let (name, _) = c_string(&s[8..]);
            (
                DmarKind::Andd {
                    device_number: u8_at(7),
                    object_name: ascii(name),
                },
                None,
            )
        }
        TYPE_SATC => {
            let (scopes, stop) = scopes(at, s, 8);
            let kind = DmarKind::Satc {
                flags: u8_at(4),
                segment: u16_at(6),
                scopes,
            };
            (kind, stop)
        }
        TYPE_SIDP => {
            let (scopes, stop) = scopes(at, s, 8);
            let kind = DmarKind::Sidp {
                segment: u16_at(6),
                scopes,
            };
            (kind, stop)
        }
        _ => (
            DmarKind::Unknown {
                structure_type: ty,
                bytes: s.to_vec(),
            },
            None,
        ),
    })
}

/// Decodes the device scopes of structure `s` (at table offset `at`) from
/// byte `from` of the structure to its end.
fn scopes(at: usize, s: &[u8], from: usize) -> (Vec<DeviceScope>, Option<Stop>) {
    let mut out = Vec::new();
    let mut p = from;
    while p < s.len() {
        let left = s.len() - p;
        let bad = |reason: String| Stop {
            offset: at + p,
            reason,
        };
        if left < SCOPE_HEADER {
            return (
                out,
                Some(bad(format!(
                    "device scope: {left} byte(s) left in the structure at {at:#x}, fewer than a scope's 6"
                ))),
            );
        }
        let len = usize::from(s[p + 1]);
        if len < SCOPE_HEADER {
            return (
                out,
                Some(bad(format!(
                    "device scope has length {len}, less than its 6-byte header"
                ))),
            );
        }
        if len > left {
            return (
                out,
                Some(bad(format!(
                    "device scope has length {len}, past the end of the structure at {at:#x} ({left} bytes left)"
                ))),
            );
        }
        if (len - SCOPE_HEADER) % 2 != 0 {
            return (
                out,
                Some(bad(format!(
                    "device scope has length {len}: its path is not a whole number of (device, function) pairs"
                ))),
            );
        }
        let path = s[p + SCOPE_HEADER..p + len]
            .chunks_exact(2)
            .map(|pair| (pair[0], pair[1]))
            .collect();
        out.push(DeviceScope {
            offset: at + p,
            scope_type: s[p],
            length: s[p + 1],
            flags: s[p + 2],
            enumeration_id: s[p + 4],
            start_bus: s[p + 5],
            path,
        });
        p += len;
    }
    (out, None)
}
