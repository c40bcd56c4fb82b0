//! ACPI tables that announce an IOMMU: DMAR (Intel VT-d) and IVRS (AMD-Vi).
//! The header is checked (signature, length, checksum) and the table is
//! decoded: a DMAR without remapping hardware is as bad as none.

use std::collections::BTreeMap;

use crate::facts::{AcpiTableFacts, CpuFacts, FirmwareFacts, Known};
use crate::formats::acpi::{dmar, ivrs};
use crate::hostfs::HostFs;

const TABLES: &str = "/sys/firmware/acpi/tables";
/// Header (36 bytes) plus the fixed fields that follow it in both DMAR
/// (host address width, flags, reserved) and IVRS (IVinfo, reserved).
const MIN_LENGTH: usize = 48;

/// The tables as read and decoded, for probes that need their contents.
#[derive(Default)]
pub struct Tables {
    pub dmar: Option<dmar::Dmar>,
    pub ivrs: Option<ivrs::Ivrs>,
}

pub fn probe(fs: &dyn HostFs, cpu: &Known<CpuFacts>, xen_present: bool) -> (FirmwareFacts, Tables) {
    let mut tables = Tables::default();
    let dmar = table(fs, "DMAR", xen_present, &mut tables);
    let ivrs = table(fs, "IVRS", false, &mut tables);
    let expected = cpu.value().and_then(|c| match c.vendor.as_str() {
        "GenuineIntel" => Some("DMAR".to_string()),
        "AuthenticAMD" | "HygonGenuine" => Some("IVRS".to_string()),
        _ => None,
    });
    // The table the firmware gave decides, whatever the CPU's vendor: a
    // KVM guest on an AMD host is often given an Intel vIOMMU (DMAR), the
    // usual setup for nested VFIO. The vendor only breaks a tie (both
    // tables, or neither, or one that cannot be read).
    let present = |t: &Known<AcpiTableFacts>| t.value().is_some_and(|t| t.present);
    let iommu_table = match (present(&dmar), present(&ivrs), expected.as_deref()) {
        (true, false, _) if ivrs.value().is_some() => dmar.clone(),
        (false, true, _) if dmar.value().is_some() => ivrs.clone(),
        (_, _, Some("DMAR")) => dmar.clone(),
        (_, _, Some(_)) => ivrs.clone(),
        (false, true, None) => ivrs.clone(),
        (_, _, None) => dmar.clone(),
    };
    (
        FirmwareFacts {
            expected,
            dmar,
            ivrs,
            iommu_table,
        },
        tables,
    )
}

fn table(
    fs: &dyn HostFs,
    name: &str,
    xen_present: bool,
    tables: &mut Tables,
) -> Known<AcpiTableFacts> {
    let mut path = format!("{TABLES}/{name}");
    let mut hidden_by_xen = false;
    let mut bytes = fs.read(&path);
    if xen_present && matches!(&bytes, Err(e) if e.is_not_found()) {
        // Xen keeps the IOMMU to itself and renames DMAR to XMAR in dom0's view.
        let xmar = format!("{TABLES}/XMAR");
        match fs.read(&xmar) {
            Ok(b) => {
                path = xmar;
                hidden_by_xen = true;
                bytes = Ok(b);
            }
            Err(e) if e.is_not_found() => {}
            // An XMAR that cannot be read is not an absent DMAR.
            Err(e) => bytes = Err(e),
        }
    }
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) if e.is_not_found() => {
            return Known::Value(AcpiTableFacts {
                name: name.to_string(),
                present: false,
                path: None,
                hidden_by_xen: false,
                signature: None,
                length: None,
                file_size: None,
                revision: None,
                checksum_ok: None,
                oem_id: None,
                problems: Vec::new(),
                structures: BTreeMap::new(),
                intr_remap: None,
            })
        }
        Err(e) => return Known::unknown(e.to_string()),
    };
    let mut facts = check_header(name, path, hidden_by_xen, &bytes);
    decode(name, &bytes, &mut facts, tables);
    Known::Value(facts)
}

/// Decodes the remapping structures: what the firmware describes, and
/// whether it describes any remapping hardware at all.
fn decode(name: &str, bytes: &[u8], facts: &mut AcpiTableFacts, tables: &mut Tables) {
    let mut count = |k: String| *facts.structures.entry(k).or_insert(0) += 1;
    let stop = if name == "DMAR" {
        let d = dmar::parse(bytes);
        for s in &d.structures {
            count(s.kind.name().to_string());
        }
        let stop = d.stop.clone();
        facts.intr_remap = Some(d.intr_remap());
        if !facts.structures.contains_key("DRHD") {
            facts
                .problems
                .push("no DRHD structure: the table describes no remapping hardware".to_string());
        }
        tables.dmar = Some(d);
        stop
    } else {
        let v = ivrs::parse(bytes);
        let mut ioapic = false;
        for b in &v.blocks {
            let kind = match &b.kind {
                ivrs::IvrsKind::Ivhd { entries, .. } => {
                    ioapic |= entries
                        .iter()
                        .any(|e| matches!(e.kind, ivrs::IvhdEntryKind::Special { variety: 1, .. }));
                    format!("IVHD {:02x}h", b.block_type)
                }
                ivrs::IvrsKind::Ivmd { .. } => format!("IVMD {:02x}h", b.block_type),
                ivrs::IvrsKind::Unknown { .. } => format!("unknown {:02x}h", b.block_type),
            };
            count(kind);
        }
        let stop = v.stop.clone();
        // The AMD driver remaps interrupts only when IVRS maps the IOAPIC.
        facts.intr_remap = Some(ioapic);
        if !facts.structures.keys().any(|k| k.starts_with("IVHD")) {
            facts
                .problems
                .push("no IVHD block: the table describes no IOMMU".to_string());
        }
        tables.ivrs = Some(v);
        stop
    };
    if let Some(s) = stop {
        facts.problems.push(format!(
            "decoding stopped at offset {:#x}: {}",
            s.offset, s.reason
        ));
    }
}

/// Checks an ACPI table's header against its bytes.
pub fn check_header(name: &str, path: String, hidden_by_xen: bool, bytes: &[u8]) -> AcpiTableFacts {
    let mut problems = Vec::new();
    let size = bytes.len();
    let printable = |b: &[u8]| {
        b.iter()
            .map(|&c| {
                if c.is_ascii_graphic() || c == b' ' {
                    c as char
                } else {
                    '.'
                }
            })
            .collect::<String>()
    };
    let signature = (size >= 4).then(|| printable(&bytes[..4]));
    let want_sig = if hidden_by_xen { "XMAR" } else { name };
    if let Some(sig) = &signature {
        if sig != want_sig {
            problems.push(format!("signature is '{sig}', expected '{want_sig}'"));
        }
    }
    let length = (size >= 8).then(|| u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]));
    let revision = (size >= 9).then(|| bytes[8]);
    let oem_id = (size >= 16).then(|| {
        printable(&bytes[10..16])
            .trim_end_matches(['.', ' '])
            .to_string()
    });
    let mut checksum_ok = None;
    if size < 36 {
        problems.push(format!(
            "{size} bytes: shorter than an ACPI table header (36 bytes)"
        ));
    } else if let Some(len) = length {
        let len = len as usize;
        if len != size {
            problems.push(format!("header says {len} bytes but the file has {size}"));
        }
        if len < MIN_LENGTH {
            problems.push(format!(
                "length {len} is too short for a {name} table (at least {MIN_LENGTH})"
            ));
        }
        let covered = &bytes[..len.min(size)];
        let sum = covered.iter().fold(0u8, |a, b| a.wrapping_add(*b));
        checksum_ok = Some(sum == 0 && len <= size);
        if sum != 0 {
            problems.push(format!(
                "checksum does not add up to zero (sum is 0x{sum:02x})"
            ));
        }
    }
    AcpiTableFacts {
        name: name.to_string(),
        present: true,
        path: Some(path),
        hidden_by_xen,
        signature,
        length,
        file_size: Some(size),
        revision,
        checksum_ok,
        oem_id,
        problems,
        structures: BTreeMap::new(),
        intr_remap: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus(name: &str) -> Vec<u8> {
        let p = format!("{}/corpus/acpi/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    #[test]
    fn every_corpus_table_has_a_sound_header() {
        for kind in ["dmar", "ivrs"] {
            let dir = format!("{}/corpus/acpi/{kind}", env!("CARGO_MANIFEST_DIR"));
            let mut n = 0;
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "bin") {
                    let bytes = std::fs::read(&path).unwrap();
                    let t = check_header(&kind.to_uppercase(), "x".into(), false, &bytes);
                    assert!(
                        t.problems.is_empty(),
                        "{}: {:?}",
                        path.display(),
                        t.problems
                    );
                    assert_eq!(t.checksum_ok, Some(true));
                    n += 1;
                }
            }
            assert!(n > 20, "{kind}: only {n} tables");
        }
    }

    #[test]
    fn damaged_tables_say_what_is_wrong() {
        let good = corpus("dmar/linuxhw_Server_Supermicro_X8DTT_CE92DF29C87C.bin");
        let mut bad_sum = good.clone();
        bad_sum[40] ^= 0x01;
        let t = check_header("DMAR", "x".into(), false, &bad_sum);
        assert_eq!(t.checksum_ok, Some(false));
        assert!(t.problems[0].contains("checksum"), "{:?}", t.problems);

        let t = check_header("DMAR", "x".into(), false, &good[..100]);
        assert!(
            t.problems.iter().any(|p| p.contains("header says 288")),
            "{:?}",
            t.problems
        );

        let t = check_header("DMAR", "x".into(), false, &good[..10]);
        assert!(t
            .problems
            .iter()
            .any(|p| p.contains("shorter than an ACPI")));

        let t = check_header("IVRS", "x".into(), false, &good);
        assert!(t.problems.iter().any(|p| p.contains("signature is 'DMAR'")));

        for cut in 0..good.len() {
            let _ = check_header("DMAR", "x".into(), false, &good[..cut]);
        }
    }
}
