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
