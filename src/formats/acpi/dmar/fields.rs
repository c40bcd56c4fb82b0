//! A decoded DMAR listed field by field, at the byte offsets `iasl -d`
//! prints (the tables view and the comparison with iasl).

use super::{Dmar, DmarKind};
use crate::formats::acpi::{c_string, Field, Fields};

impl Dmar {
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
