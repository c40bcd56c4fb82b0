//! The DMA Remapping Reporting table (DMAR), which describes Intel VT-d
//! remapping hardware (Intel VT-d specification, chapter 8).
//!
//! Layout: the 36-byte ACPI header; Host Address Width (value = width - 1)
//! at 36; Flags at 37; 10 reserved bytes; then from offset 48 remapping
//! structures, each starting with a 16-bit type and a 16-bit length.

use serde::Serialize;

use super::{
    ascii, bounds, c_string, checksum_ok, parse_header, read_u16, read_u32, read_u64, read_u8,
    Field, Fields, Header, Stop,
};

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

/// Where the remapping structures start.
const BODY: usize = 48;
/// Bytes of a device scope before its path.
const SCOPE_HEADER: usize = 6;

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

impl Dmar {
    /// True when the firmware reports interrupt remapping support.
    pub fn intr_remap(&self) -> bool {
        self.flags & INTR_REMAP != 0
    }

    /// Every field, at its byte offset, as `iasl -d` prints it (reserved
    /// fields included); for comparison with iasl and for display.
    pub fn fields(&self) -> Vec<Field> {
        let mut f = Fields::new(&self.raw);
        f.header(&self.header);
        f.int(
            36,
            1,
            "Host Address Width",
            u64::from(self.host_address_width.wrapping_sub(1)),
        );
        f.int(37, 1, "Flags", u64::from(self.flags));
        f.raw_bytes(38, 10, "Reserved");
        for s in &self.structures {
            let o = s.offset;
            f.int(o, 2, "Subtable Type", u64::from(s.kind.type_code()));
            f.int(o + 2, 2, "Length", u64::from(s.length));
            match &s.kind {
                DmarKind::Drhd {
                    flags,
                    size,
                    segment,
                    register_base,
                    ..
                } => {
                    f.int(o + 4, 1, "Flags", u64::from(*flags));
                    f.int(o + 5, 1, "Size", u64::from(*size));
                    f.int(o + 6, 2, "PCI Segment Number", u64::from(*segment));
                    f.int(o + 8, 8, "Register Base Address", *register_base);
                }
                DmarKind::Rmrr {
                    segment,
                    base,
                    limit,
                    ..
                } => {
                    f.raw_int(o + 4, 2, "Reserved");
                    f.int(o + 6, 2, "PCI Segment Number", u64::from(*segment));
                    f.int(o + 8, 8, "Base Address", *base);
                    f.int(o + 16, 8, "End Address (limit)", *limit);
                }
                DmarKind::Atsr { flags, segment, .. } | DmarKind::Satc { flags, segment, .. } => {
                    f.int(o + 4, 1, "Flags", u64::from(*flags));
                    f.raw_int(o + 5, 1, "Reserved");
                    f.int(o + 6, 2, "PCI Segment Number", u64::from(*segment));
                }
                DmarKind::Rhsa {
                    register_base,
                    proximity_domain,
                } => {
                    f.raw_int(o + 4, 4, "Reserved");
                    f.int(o + 8, 8, "Base Address", *register_base);
                    f.int(o + 16, 4, "Proximity Domain", u64::from(*proximity_domain));
                }
                DmarKind::Andd {
                    device_number,
                    object_name,
                } => {
                    f.raw_int(o + 4, 3, "Reserved");
                    f.int(o + 7, 1, "Device Number", u64::from(*device_number));
                    let area = self
                        .raw
                        .get(o + 8..o + usize::from(s.length))
                        .unwrap_or(&[]);
                    let (_, taken) = c_string(area);
                    if taken > 0 {
                        f.str(o + 8, taken, "Device Name", object_name.clone());
                    }
                }
                DmarKind::Sidp { segment, .. } => {
                    f.raw_int(o + 4, 2, "Reserved");
                    f.int(o + 6, 2, "PCI Segment Number", u64::from(*segment));
                }
                DmarKind::Unknown { bytes, .. } => {
                    if bytes.len() > 4 {
                        f.bytes(o + 4, "Data", bytes[4..].to_vec());
                    }
                }
            }
            for sc in s.kind.scopes() {
                let p = sc.offset;
                f.int(p, 1, "Device Scope Type", u64::from(sc.scope_type));
                f.int(p + 1, 1, "Entry Length", u64::from(sc.length));
                f.int(p + 2, 1, "Flags", u64::from(sc.flags));
                f.raw_int(p + 3, 1, "Reserved");
                f.int(p + 4, 1, "Enumeration ID", u64::from(sc.enumeration_id));
                f.int(p + 5, 1, "PCI Bus Number", u64::from(sc.start_bus));
                for (i, (dev, func)) in sc.path.iter().enumerate() {
                    f.bytes(p + 6 + 2 * i, "PCI Path", vec![*dev, *func]);
                }
            }
        }
        f.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A DMAR with a valid header: `body` follows the 48 fixed bytes.
    fn table(body: &[u8]) -> Vec<u8> {
        let mut t = vec![0u8; 48];
        t[0..4].copy_from_slice(b"DMAR");
        t[8] = 1;
        t[10..16].copy_from_slice(b"INTEL ");
        t[36] = 38; // 39 bits
        t[37] = INTR_REMAP | X2APIC_OPT_OUT;
        t.extend_from_slice(body);
        let len = t.len() as u32;
        t[4..8].copy_from_slice(&len.to_le_bytes());
        let sum = t.iter().fold(0u8, |a, &b| a.wrapping_add(b));
        t[9] = 0u8.wrapping_sub(sum);
        t
    }

    fn drhd_with_scopes() -> Vec<u8> {
        let mut s = vec![0u8, 0, 0, 0, DRHD_INCLUDE_PCI_ALL, 0, 0, 0];
        s.extend_from_slice(&0xfed9_1000u64.to_le_bytes());
        // IOAPIC id 2 at f0:1f.0
        s.extend_from_slice(&[SCOPE_IOAPIC, 8, 0, 0, 2, 0xf0, 0x1f, 0]);
        // endpoint behind root port 00:1c.4
        s.extend_from_slice(&[SCOPE_ENDPOINT, 10, 0, 0, 0, 0, 0x1c, 4, 0, 0]);
        let len = s.len() as u16;
        s[2..4].copy_from_slice(&len.to_le_bytes());
        s
    }

    #[test]
    fn decodes_a_drhd() {
        let t = table(&drhd_with_scopes());
        let d = parse(&t);
        assert!(d.checksum_ok);
        assert!(d.stop.is_none(), "{:?}", d.stop);
        assert_eq!(d.host_address_width, 39);
        assert!(d.intr_remap());
        assert_eq!(d.header.oem_id, "INTEL");
        assert_eq!(d.structures.len(), 1);
        let DmarKind::Drhd {
            flags,
            register_base,
            scopes,
            ..
        } = &d.structures[0].kind
        else {
            panic!("not a DRHD: {:?}", d.structures[0]);
        };
        assert_eq!(*flags, DRHD_INCLUDE_PCI_ALL);
        assert_eq!(*register_base, 0xfed9_1000);
        assert_eq!(scopes.len(), 2);
        assert_eq!(scopes[0].offset, 64);
        assert_eq!(scopes[0].type_name(), "IOAPIC");
        assert_eq!(scopes[1].path, vec![(0x1c, 4), (0, 0)]);
        let fields = d.fields();
        assert!(fields
            .iter()
            .any(|f| f.offset == 36 && f.value == super::super::FieldValue::Int(38)));
        assert_eq!(
            fields.iter().filter(|f| f.name == "PCI Path").count(),
            3,
            "{fields:?}"
        );
    }

    #[test]
    fn zero_length_structure_stops() {
        let t = table(&[0, 0, 0, 0, 0, 0, 0, 0]);
        let d = parse(&t);
        let stop = d.stop.expect("a stop");
        assert_eq!(stop.offset, 48);
        assert!(stop.reason.contains("length 0"), "{}", stop.reason);
    }

    #[test]
    fn zero_length_scope_stops() {
        let mut s = drhd_with_scopes();
        s[17] = 0; // first scope's length
        let d = parse(&table(&s));
        assert_eq!(d.structures.len(), 1);
        assert_eq!(d.stop.expect("a stop").offset, 64);
    }

    #[test]
    fn unknown_structure_is_kept_and_skipped() {
        let mut body = vec![0x99, 0, 8, 0, 1, 2, 3, 4];
        body.extend_from_slice(&drhd_with_scopes());
        let d = parse(&table(&body));
        assert!(d.stop.is_none());
        assert_eq!(d.structures.len(), 2);
        assert!(matches!(
            &d.structures[0].kind,
            DmarKind::Unknown { structure_type: 0x99, bytes } if bytes.len() == 8
        ));
        assert_eq!(d.structures[1].kind.name(), "DRHD");
    }

    #[test]
    fn truncation_is_reported() {
        let t = table(&drhd_with_scopes());
        for n in 0..t.len() {
            let d = parse(&t[..n]);
            let stop = d.stop.unwrap_or_else(|| panic!("no stop at {n}"));
            assert!(stop.offset <= n, "{n}: {stop:?}");
            assert!(!d.checksum_ok);
        }
    }
}
