//! `sriov-doctor acpi`: a decoded DMAR or IVRS table, with every device scope
//! shown both as written and as the PCI address it names on this host.

use std::fmt::Write;

use serde::Serialize;

use crate::formats::acpi::dmar::{self, DeviceScope, Dmar, DmarKind};
use crate::formats::acpi::ivrs::{IvhdEntryKind, Ivrs, IvrsKind};
use crate::formats::acpi::{Header, Stop};

/// A decoded table, with its scopes resolved where the host allows.
#[derive(Serialize)]
#[serde(tag = "table")]
pub enum Decoded {
    #[serde(rename = "DMAR")]
    Dmar {
        source: String,
        #[serde(flatten)]
        dmar: Dmar,
        /// Device scopes resolved to PCI addresses, by the scope's offset.
        resolved: Vec<Resolved>,
    },
    #[serde(rename = "IVRS")]
    Ivrs {
        source: String,
        #[serde(flatten)]
        ivrs: Ivrs,
    },
}

#[derive(Serialize)]
pub struct Resolved {
    pub offset: usize,
    /// The address, or why it could not be resolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Whether the host has a device at that address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub present: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Envelope for JSON output.
#[derive(Serialize)]
pub struct AcpiReport<'a> {
    pub schema_version: u32,
    pub tables: Vec<&'a Decoded>,
}

impl Decoded {
    /// Whether the table decoded whole with a valid checksum.
    pub fn sound(&self) -> bool {
        match self {
            Decoded::Dmar { dmar, .. } => dmar.checksum_ok && dmar.stop.is_none(),
            Decoded::Ivrs { ivrs, .. } => ivrs.checksum_ok && ivrs.stop.is_none(),
        }
    }
}

fn header(out: &mut String, source: &str, h: &Header, checksum_ok: bool) {
    let _ = writeln!(
        out,
        "{}  {}  {} bytes, revision {}, checksum {}",
        h.signature,
        source,
        h.length,
        h.revision,
        if checksum_ok { "valid" } else { "INVALID" }
    );
    let _ = writeln!(
        out,
        "  OEM {} {} rev {:#x}, creator {} {:#x}",
        h.oem_id, h.oem_table_id, h.oem_revision, h.creator_id, h.creator_revision
    );
}

fn stop(out: &mut String, stop: &Option<Stop>) {
    if let Some(s) = stop {
        let _ = writeln!(out, "  decoding stopped at {:#05x}: {}", s.offset, s.reason);
    }
}

fn flag_names(flags: u8, names: &[(u8, &str)]) -> String {
    let set: Vec<&str> = names
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|(_, n)| *n)
        .collect();
    if set.is_empty() {
        format!("{flags:#04x}")
    } else {
        format!("{flags:#04x} {}", set.join(" "))
    }
}

fn scope_type(t: u8) -> &'static str {
    match t {
        1 => "endpoint",
        2 => "bridge",
        3 => "IOAPIC",
        4 => "HPET",
        5 => "ACPI device",
        _ => "unknown",
    }
}

/// `00:01.0/00.0`: the start bus with the first step, then each further step.
pub fn path_text(s: &DeviceScope) -> String {
    let mut out = String::new();
    for (i, (dev, func)) in s.path.iter().enumerate() {
        if i == 0 {
            let _ = write!(out, "{:02x}:{dev:02x}.{func:x}", s.start_bus);
        } else {
            let _ = write!(out, "/{dev:02x}.{func:x}");
        }
    }
    if out.is_empty() {
        let _ = write!(out, "{:02x}:(empty path)", s.start_bus);
    }
    out
}

fn scopes(out: &mut String, scopes: &[DeviceScope], resolved: &[Resolved]) {
    for s in scopes {
        let r = resolved.iter().find(|r| r.offset == s.offset);
        let target = match r {
            Some(Resolved {
                address: Some(a),
                present: Some(false),
                ..
            }) => format!(" → {a} (no device there)"),
            Some(Resolved {
                address: Some(a), ..
            }) => format!(" → {a}"),
            Some(Resolved { error: Some(e), .. }) => format!(" → unresolved: {e}"),
            _ => String::new(),
        };
        let id = if (3..=5).contains(&s.scope_type) {
            format!(" id {}", s.enumeration_id)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "          {}{id}  {}{target}",
            scope_type(s.scope_type),
            path_text(s)
        );
    }
}

pub fn text(tables: &[Decoded]) -> String {
    let mut out = String::new();
    for (i, t) in tables.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        match t {
            Decoded::Dmar {
                source,
                dmar,
                resolved,
            } => dmar_text(&mut out, source, dmar, resolved),
            Decoded::Ivrs { source, ivrs } => ivrs_text(&mut out, source, ivrs),
        }
    }
    // The lines are the decoder's; a control character inside one came
    // from the table or its path, and is shown escaped.
    crate::sanitize::clean_keep_newlines(&out).into_owned()
}

fn dmar_text(out: &mut String, source: &str, d: &Dmar, resolved: &[Resolved]) {
    header(out, source, &d.header, d.checksum_ok);
    let _ = writeln!(out, "  Host address width: {} bits", d.host_address_width);
    let _ = writeln!(
        out,
        "  Flags: {}",
        flag_names(
            d.flags,
            &[
                (dmar::INTR_REMAP, "INTR_REMAP"),
                (dmar::X2APIC_OPT_OUT, "X2APIC_OPT_OUT"),
                (dmar::DMA_CTRL_PLATFORM_OPT_IN, "DMA_CTRL_PLATFORM_OPT_IN"),
            ]
        )
    );
    for s in &d.structures {
        let at = format!("  [{:#05x}]", s.offset);
        match &s.kind {
            DmarKind::Drhd {
                flags,
                size,
                segment,
                register_base,
                scopes: sc,
            } => {
                let _ = writeln!(
                    out,
                    "{at} DRHD  flags {}  size {size}  segment {segment:04x}  registers {register_base:#x}",
                    flag_names(*flags, &[(1, "INCLUDE_PCI_ALL")])
                );
                scopes(out, sc, resolved);
            }
            DmarKind::Rmrr {
                segment,
                base,
                limit,
                scopes: sc,
            } => {
                let _ = writeln!(
                    out,
                    "{at} RMRR  segment {segment:04x}  {base:#x}-{limit:#x}"
                );
                scopes(out, sc, resolved);
            }
            DmarKind::Atsr {
                flags,
                segment,
                scopes: sc,
            } => {
                let _ = writeln!(
                    out,
                    "{at} ATSR  flags {}  segment {segment:04x}",
                    flag_names(*flags, &[(1, "ALL_PORTS")])
                );
                scopes(out, sc, resolved);
            }
            DmarKind::Rhsa {
                register_base,
                proximity_domain,
            } => {
                let _ = writeln!(
                    out,
                    "{at} RHSA  registers {register_base:#x}  proximity domain {proximity_domain}"
                );
            }
            DmarKind::Andd {
                device_number,
                object_name,
            } => {
                let _ = writeln!(out, "{at} ANDD  device {device_number}  {object_name}");
            }
            DmarKind::Satc {
                flags,
                segment,
                scopes: sc,
            } => {
                let _ = writeln!(
                    out,
                    "{at} SATC  flags {}  segment {segment:04x}",
                    flag_names(*flags, &[(1, "ATC_REQUIRED")])
                );
                scopes(out, sc, resolved);
            }
            DmarKind::Sidp {
                segment,
                scopes: sc,
            } => {
                let _ = writeln!(out, "{at} SIDP  segment {segment:04x}");
                scopes(out, sc, resolved);
            }
            DmarKind::Unknown {
                structure_type,
                bytes,
            } => {
                let _ = writeln!(
                    out,
                    "{at} unknown structure type {structure_type}, {} bytes: {}",
                    bytes.len(),
                    hex(bytes)
                );
            }
        }
    }
    stop(out, &d.stop);
}

fn bdf(id: u16) -> String {
    format!("{:02x}:{:02x}.{:x}", id >> 8, (id >> 3) & 0x1f, id & 7)
}

fn ivrs_text(out: &mut String, source: &str, v: &Ivrs) {
    header(out, source, &v.header, v.checksum_ok);
    let _ = writeln!(
        out,
        "  IVinfo: {:#010x} (virtual address size {} bits, physical {} bits)",
        v.ivinfo,
        (v.ivinfo >> 15) & 0x7f,
        (v.ivinfo >> 8) & 0x7f
    );
    for b in &v.blocks {
        let at = format!("  [{:#05x}]", b.offset);
        match &b.kind {
            IvrsKind::Ivhd {
                capability_offset,
                base_address,
                segment,
                info,
                entries,
                efr,
                ..
            } => {
                let _ = writeln!(
                    out,
                    "{at} IVHD {:02x}h  flags {:#04x}  IOMMU {segment:04x}:{}  capability {capability_offset:#x}  base {base_address:#x}  info {info:#06x}{}",
                    b.block_type,
                    b.flags,
                    bdf(b.device_id),
                    efr.map(|e| format!("  EFR {e:#x}")).unwrap_or_default()
                );
                for e in entries {
                    let what = match &e.kind {
                        IvhdEntryKind::Pad => "padding".to_string(),
                        IvhdEntryKind::All => "all devices".to_string(),
                        IvhdEntryKind::Select => format!("select {}", bdf(e.device_id)),
                        IvhdEntryKind::RangeStart => format!("range from {}", bdf(e.device_id)),
                        IvhdEntryKind::RangeEnd => format!("range to {}", bdf(e.device_id)),
                        IvhdEntryKind::AliasSelect { source } => {
                            format!("alias {} → {}", bdf(e.device_id), bdf(*source))
                        }
                        IvhdEntryKind::AliasRangeStart { source } => {
                            format!("alias range from {} → {}", bdf(e.device_id), bdf(*source))
                        }
                        IvhdEntryKind::ExtSelect { ext } => {
                            format!("extended select {} ({ext:#x})", bdf(e.device_id))
                        }
                        IvhdEntryKind::ExtRangeStart { ext } => {
                            format!("extended range from {} ({ext:#x})", bdf(e.device_id))
                        }
                        IvhdEntryKind::Special {
                            handle,
                            source,
                            variety,
                        } => format!(
                            "special {} handle {handle} → {}",
                            match variety {
                                1 => "IOAPIC",
                                2 => "HPET",
                                _ => "unknown",
                            },
                            bdf(*source)
                        ),
                        IvhdEntryKind::AcpiHid { hid, cid, uid } => {
                            format!(
                                "ACPI device {hid} (CID {cid}, UID {uid}) at {}",
                                bdf(e.device_id)
                            )
                        }
                        IvhdEntryKind::Unknown { bytes } => {
                            format!("unknown entry type {:#04x}: {}", e.entry_type, hex(bytes))
                        }
                    };
                    let setting = if e.data_setting != 0 {
                        format!("  (setting {:#04x})", e.data_setting)
                    } else {
                        String::new()
                    };
                    let _ = writeln!(out, "          {what}{setting}");
                }
            }
            IvrsKind::Ivmd {
                aux,
                start_address,
                length,
            } => {
                let whom = match b.block_type {
                    0x20 => "all devices".to_string(),
                    0x21 => bdf(b.device_id),
                    _ => format!("{} to {}", bdf(b.device_id), bdf(*aux)),
                };
                let _ = writeln!(
                    out,
                    "{at} IVMD {:02x}h  flags {:#04x}  {whom}  {start_address:#x} + {length:#x}",
                    b.block_type, b.flags
                );
            }
            IvrsKind::Unknown { bytes } => {
                let _ = writeln!(
                    out,
                    "{at} unknown block type {:#04x}, {} bytes: {}",
                    b.block_type,
                    bytes.len(),
                    hex(bytes)
                );
            }
        }
    }
    stop(out, &v.stop);
}

fn hex(bytes: &[u8]) -> String {
    let shown: Vec<String> = bytes.iter().take(32).map(|b| format!("{b:02x}")).collect();
    let more = if bytes.len() > 32 { " …" } else { "" };
    format!("{}{more}", shown.join(" "))
}
