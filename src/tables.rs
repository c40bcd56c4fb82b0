//! The `acpi` command's input: DMAR and IVRS from the root, or a raw table
//! dump from a file, decoded, with DMAR scopes resolved on the root's buses.

use std::path::Path;

use crate::formats::acpi::{dmar, ivrs, scope};
use crate::hostfs::HostFs;
use crate::probes::reserved::secondary_bus;
use crate::render::acpi::{Decoded, Resolved};

const TABLES: &str = "/sys/firmware/acpi/tables";

fn decode(bytes: &[u8], source: String, fs: &dyn HostFs) -> Result<Decoded, String> {
    match bytes.get(..4) {
        Some(b"DMAR") | Some(b"XMAR") => {
            let d = dmar::parse(bytes);
            let mut resolved = Vec::new();
            for s in &d.structures {
                let segment = match &s.kind {
                    dmar::DmarKind::Drhd { segment, .. }
                    | dmar::DmarKind::Rmrr { segment, .. }
                    | dmar::DmarKind::Atsr { segment, .. }
                    | dmar::DmarKind::Satc { segment, .. }
                    | dmar::DmarKind::Sidp { segment, .. } => *segment,
                    _ => continue,
                };
                for sc in s.kind.scopes() {
                    let r =
                        scope::resolve(segment, sc.start_bus, &sc.path, &|b| secondary_bus(fs, b));
                    resolved.push(match r {
                        Ok(a) => Resolved {
                            offset: sc.offset,
                            address: Some(a.to_string()),
                            // IOAPIC and HPET scopes name platform devices, not PCI functions.
                            present: matches!(sc.scope_type, 1 | 2).then(|| {
                                fs.exists(&format!("/sys/bus/pci/devices/{a}"))
                                    .unwrap_or(false)
                            }),
                            error: None,
                        },
                        Err(e) => Resolved {
                            offset: sc.offset,
                            address: None,
                            present: None,
                            error: Some(e),
                        },
                    });
                }
            }
            Ok(Decoded::Dmar {
                source,
                dmar: d,
                resolved,
            })
        }
        Some(b"IVRS") => Ok(Decoded::Ivrs {
            source,
            ivrs: ivrs::parse(bytes),
        }),
        Some(sig) => Err(format!(
            "{source}: signature '{}' is neither DMAR nor IVRS",
            String::from_utf8_lossy(sig)
        )),
        None => Err(format!(
            "{source}: {} bytes, too short for an ACPI table",
            bytes.len()
        )),
    }
}

/// `which`: None for every IOMMU table on the root, "DMAR"/"IVRS" for one,
/// anything else a file holding a raw table.
pub fn load(fs: &dyn HostFs, which: Option<&str>) -> Result<Vec<Decoded>, String> {
    let names: Vec<&str> = match which {
        None => vec!["DMAR", "XMAR", "IVRS"],
        Some(n) if n.eq_ignore_ascii_case("dmar") => vec!["DMAR", "XMAR"],
        Some(n) if n.eq_ignore_ascii_case("ivrs") => vec!["IVRS"],
        Some(file) => {
            let path = Path::new(file);
            let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => format!(
                    "{file}: no such table or file: expected DMAR or IVRS (the host's table), or a file holding a raw table dump (acpidump -b)"
                ),
                _ => format!("{file}: {e}"),
            })?;
            if meta.len() > 1 << 20 {
                return Err(format!(
                    "{file}: {} bytes, larger than any ACPI table",
                    meta.len()
                ));
            }
            let bytes = std::fs::read(path).map_err(|e| format!("{file}: {e}"))?;
            return Ok(vec![decode(&bytes, file.to_string(), fs)?]);
        }
    };
    let mut out = Vec::new();
    for name in names {
        let path = format!("{TABLES}/{name}");
        match fs.read(&path) {
            Ok(bytes) => out.push(decode(&bytes, path, fs)?),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    if out.is_empty() {
        return Err(format!(
            "no {} table in {TABLES} on {}",
            which.unwrap_or("DMAR or IVRS"),
            fs.describe()
        ));
    }
    Ok(out)
}
