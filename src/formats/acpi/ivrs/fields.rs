//! A decoded IVRS listed field by field, at the byte offsets `iasl -d`
//! prints (the tables view and the comparison with iasl).

use super::*;
use crate::formats::acpi::{ascii, c_string, Field, Fields};

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
