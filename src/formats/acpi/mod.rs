//! Binary decoders for the ACPI tables that describe the IOMMU: Intel's DMAR
//! (VT-d, [`dmar`]) and AMD's IVRS (AMD-Vi, [`ivrs`]), plus the resolution of
//! a DMAR device scope to a PCI address ([`scope`]).
//!
//! The decoders never panic and never trust a length field: they decode as
//! far as the bytes are sound and record where and why they stopped
//! ([`Stop`]). Each decoded table can list every field at its byte offset
//! ([`Field`]), the way ACPICA's `iasl -d` prints it, so the decode can be
//! compared with iasl's and shown to a user.

pub mod dmar;
pub mod ivrs;
pub mod scope;

use serde::Serialize;

/// Size of the standard ACPI table header.
pub const HEADER_LEN: usize = 36;

/// The standard ACPI table header (ACPI spec 5.2.6).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Header {
    pub signature: String,
    pub length: u32,
    pub revision: u8,
    pub checksum: u8,
    pub oem_id: String,
    pub oem_table_id: String,
    pub oem_revision: u32,
    pub creator_id: String,
    pub creator_revision: u32,
}

/// Where and why decoding stopped before the end of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stop {
    pub offset: usize,
    pub reason: String,
}

/// The value of one field, as a table dump shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum FieldValue {
    Int(u64),
    Str(String),
    Bytes(Vec<u8>),
}

/// One field of a decoded table, at its byte offset in the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    pub offset: usize,
    pub len: usize,
    pub name: &'static str,
    pub value: FieldValue,
}

/// Little-endian reads that return `None` past the end of the slice.
pub(crate) fn read_u8(b: &[u8], at: usize) -> Option<u8> {
    b.get(at).copied()
}

pub(crate) fn read_u16(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([s[0], s[1]]))
}

pub(crate) fn read_u32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

pub(crate) fn read_u64(b: &[u8], at: usize) -> Option<u64> {
    let s = b.get(at..at.checked_add(8)?)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(s);
    Some(u64::from_le_bytes(a))
}

/// Reads `len` (at most 8) bytes at `at` as a little-endian integer.
pub(crate) fn read_uint(b: &[u8], at: usize, len: usize) -> Option<u64> {
    let s = b.get(at..at.checked_add(len)?)?;
    Some(
        s.iter()
            .rev()
            .take(8)
            .fold(0u64, |acc, &byte| (acc << 8) | u64::from(byte)),
    )
}

/// Shows bytes from a table as text: printable ASCII is kept, every other
/// byte is written `\xNN`, and trailing NULs and spaces are trimmed.
pub fn ascii(bytes: &[u8]) -> String {
    let end = bytes
        .iter()
        .rposition(|&b| b != 0 && b != b' ')
        .map_or(0, |i| i + 1);
    let mut out = String::with_capacity(end);
    for &b in &bytes[..end] {
        if (0x20..0x7f).contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// The bytes of a NUL-terminated string field that fills at most `bytes`:
/// the text before the first NUL, and how many bytes the field takes
/// (the text and its NUL, or all of `bytes` when there is no NUL).
pub(crate) fn c_string(bytes: &[u8]) -> (&[u8], usize) {
    match bytes.iter().position(|&b| b == 0) {
        Some(nul) => (&bytes[..nul], nul + 1),
        None => (bytes, bytes.len()),
    }
}

/// Decodes the header from the first bytes of a table. Bytes past the end of
/// a short table read as zero; the caller reports the truncation.
pub(crate) fn parse_header(bytes: &[u8]) -> Header {
    let mut h = [0u8; HEADER_LEN];
    let n = bytes.len().min(HEADER_LEN);
    h[..n].copy_from_slice(&bytes[..n]);
    let u32_at = |at: usize| u32::from_le_bytes([h[at], h[at + 1], h[at + 2], h[at + 3]]);
    Header {
        signature: ascii(&h[0..4]),
        length: u32_at(4),
        revision: h[8],
        checksum: h[9],
        oem_id: ascii(&h[10..16]),
        oem_table_id: ascii(&h[16..24]),
        oem_revision: u32_at(24),
        creator_id: ascii(&h[28..32]),
        creator_revision: u32_at(32),
    }
}

/// True when the bytes the header claims are all present and sum to zero.
pub(crate) fn checksum_ok(bytes: &[u8], header: &Header) -> bool {
    let len = header.length as usize;
    len >= HEADER_LEN
        && bytes.len() >= len
        && bytes[..len].iter().fold(0u8, |acc, &b| acc.wrapping_add(b)) == 0
}

/// Where a table's body ends, or why it cannot be decoded at all. `fixed` is
/// the size of the header plus the table's own fixed fields.
pub(crate) struct Bounds {
    /// One past the last byte that may be decoded.
    pub end: usize,
    /// Set when the bytes run out before the header's length.
    pub truncated: Option<Stop>,
}

pub(crate) fn bounds(bytes: &[u8], header: &Header, fixed: usize) -> Result<Bounds, Stop> {
    if bytes.len() < fixed {
        return Err(Stop {
            offset: bytes.len(),
            reason: format!(
                "table truncated: {} bytes, fewer than the {fixed} of its header and fixed fields",
                bytes.len()
            ),
        });
    }
    let claimed = header.length as usize;
    if claimed < fixed {
        return Err(Stop {
            offset: 4,
            reason: format!(
                "table length field is {claimed}, less than the {fixed} bytes of its header and fixed fields"
            ),
        });
    }
    if bytes.len() < claimed {
        return Ok(Bounds {
            end: bytes.len(),
            truncated: Some(Stop {
                offset: bytes.len(),
                reason: format!(
                    "table truncated: the header says {claimed} bytes, only {} present",
                    bytes.len()
                ),
            }),
        });
    }
    Ok(Bounds {
        end: claimed,
        truncated: None,
    })
}

/// Builds the list of [`Field`]s of a table, leaving out fields that lie
/// past the bytes that were given.
pub(crate) struct Fields<'a> {
    raw: &'a [u8],
    out: Vec<Field>,
}

impl<'a> Fields<'a> {
    pub fn new(raw: &'a [u8]) -> Self {
        Fields {
            raw,
            out: Vec::new(),
        }
    }

    fn fits(&self, offset: usize, len: usize) -> bool {
        offset
            .checked_add(len)
            .is_some_and(|end| end <= self.raw.len())
    }

    /// An integer field whose value the caller decoded.
    pub fn int(&mut self, offset: usize, len: usize, name: &'static str, value: u64) {
        if self.fits(offset, len) {
            self.out.push(Field {
                offset,
                len,
                name,
                value: FieldValue::Int(value),
            });
        }
    }

    /// An integer field read straight from the table (reserved fields, which
    /// the decoded structures do not keep).
    pub fn raw_int(&mut self, offset: usize, len: usize, name: &'static str) {
        if let Some(v) = read_uint(self.raw, offset, len) {
            self.int(offset, len, name, v);
        }
    }

    pub fn str(&mut self, offset: usize, len: usize, name: &'static str, value: String) {
        if self.fits(offset, len) {
            self.out.push(Field {
                offset,
                len,
                name,
                value: FieldValue::Str(value),
            });
        }
    }

    pub fn bytes(&mut self, offset: usize, name: &'static str, value: Vec<u8>) {
        if self.fits(offset, value.len()) {
            self.out.push(Field {
                offset,
                len: value.len(),
                name,
                value: FieldValue::Bytes(value),
            });
        }
    }

    /// A byte array read straight from the table.
    pub fn raw_bytes(&mut self, offset: usize, len: usize, name: &'static str) {
        if let Some(end) = offset.checked_add(len) {
            if let Some(b) = self.raw.get(offset..end) {
                self.bytes(offset, name, b.to_vec());
            }
        }
    }

    pub fn header(&mut self, h: &Header) {
        self.str(0, 4, "Signature", h.signature.clone());
        self.int(4, 4, "Table Length", u64::from(h.length));
        self.int(8, 1, "Revision", u64::from(h.revision));
        self.int(9, 1, "Checksum", u64::from(h.checksum));
        self.str(10, 6, "Oem ID", h.oem_id.clone());
        self.str(16, 8, "Oem Table ID", h.oem_table_id.clone());
        self.int(24, 4, "Oem Revision", u64::from(h.oem_revision));
        self.str(28, 4, "Asl Compiler ID", h.creator_id.clone());
        self.int(
            32,
            4,
            "Asl Compiler Revision",
            u64::from(h.creator_revision),
        );
    }

    pub fn finish(self) -> Vec<Field> {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_escapes_and_trims() {
        assert_eq!(ascii(b"INTEL \0\0"), "INTEL");
        assert_eq!(ascii(b"SKL \0\0\0\0"), "SKL");
        assert_eq!(ascii(&[0xd2, 0x04, 0, 0]), "\\xd2\\x04");
        assert_eq!(ascii(&[b'A', 0, b'B', 0]), "A\\x00B");
        assert_eq!(ascii(b"      "), "");
    }

    #[test]
    fn reads_stop_at_the_end() {
        let b = [1u8, 2, 3];
        assert_eq!(read_u16(&b, 1), Some(0x0302));
        assert_eq!(read_u16(&b, 2), None);
        assert_eq!(read_u32(&b, usize::MAX), None);
        assert_eq!(read_uint(&b, 0, 3), Some(0x030201));
    }
}
