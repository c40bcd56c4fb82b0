use super::*;

fn table(body: &[u8]) -> Vec<u8> {
    let mut t = vec![0u8; 48];
    t[0..4].copy_from_slice(b"IVRS");
    t[8] = 2;
    t[36..40].copy_from_slice(&0x0020_3041u32.to_le_bytes());
    t.extend_from_slice(body);
    let len = t.len() as u32;
    t[4..8].copy_from_slice(&len.to_le_bytes());
    let sum = t.iter().fold(0u8, |a, &b| a.wrapping_add(b));
    t[9] = 0u8.wrapping_sub(sum);
    t
}

fn ivhd40(entries: &[u8]) -> Vec<u8> {
    let mut b = vec![TYPE_IVHD_40, 0xb0, 0, 0, 0x02, 0, 0x40, 0];
    b.extend_from_slice(&0xfd20_0000u64.to_le_bytes());
    b.extend_from_slice(&[0; 8]); // segment, info, attributes
    b.extend_from_slice(&0x1234u64.to_le_bytes());
    b.extend_from_slice(&[0; 8]);
    b.extend_from_slice(entries);
    let len = b.len() as u16;
    b[2..4].copy_from_slice(&len.to_le_bytes());
    b
}

#[test]
fn decodes_entries() {
    let mut e = vec![
        ENTRY_RANGE_START,
        0x08,
        0,
        0,
        ENTRY_RANGE_END,
        0xfe,
        0xff,
        0,
    ];
    e.extend_from_slice(&[ENTRY_SPECIAL, 0, 0, 0xd7, 0x21, 0xa0, 0, SPECIAL_IOAPIC]);
    e.extend_from_slice(&[ENTRY_ACPI_HID, 0xa5, 0, 0x40]);
    e.extend_from_slice(b"AMDI0020");
    e.extend_from_slice(&[0; 8]);
    e.extend_from_slice(&[UID_STRING, 9]);
    e.extend_from_slice(b"\\_SB.FUR0");
    e.extend_from_slice(&[ENTRY_ACPI_HID, 0x60, 0, 0x40]);
    e.extend_from_slice(&[0x41, 0xd0, 0x0c, 0x50, 0, 0, 0, 0]); // PNP0C50
    e.extend_from_slice(&[0; 8]);
    e.extend_from_slice(&[UID_INTEGER, 2, 1, 0]);
    let t = table(&ivhd40(&e));
    let ivrs = parse(&t);
    assert!(ivrs.checksum_ok);
    assert!(ivrs.stop.is_none(), "{:?}", ivrs.stop);
    let IvrsKind::Ivhd { efr, entries, .. } = &ivrs.blocks[0].kind else {
        panic!("not an IVHD")
    };
    assert_eq!(*efr, Some(0x1234));
    assert_eq!(entries.len(), 5);
    assert_eq!(entries[1].device_id, 0xfffe);
    assert_eq!(
        entries[2].kind,
        IvhdEntryKind::Special {
            handle: 0x21,
            source: 0xa0,
            variety: SPECIAL_IOAPIC
        }
    );
    assert_eq!(
        entries[3].kind,
        IvhdEntryKind::AcpiHid {
            hid: "AMDI0020".into(),
            cid: String::new(),
            uid: "\\_SB.FUR0".into()
        }
    );
    assert_eq!(
        entries[4].kind,
        IvhdEntryKind::AcpiHid {
            hid: "PNP0C50".into(),
            cid: String::new(),
            uid: "1".into()
        }
    );
    let fields = ivrs.fields();
    assert!(fields.iter().any(|f| f.name == "UID" && f.len == 2));
}

#[test]
fn unknown_block_is_kept_and_skipped() {
    let mut body = vec![0x51, 0x08, 0x20, 0];
    body.extend_from_slice(&[0; 28]);
    body.extend_from_slice(&ivhd40(&[ENTRY_SELECT, 0, 1, 0]));
    let ivrs = parse(&table(&body));
    assert!(ivrs.stop.is_none());
    assert_eq!(ivrs.blocks.len(), 2);
    assert!(matches!(&ivrs.blocks[0].kind, IvrsKind::Unknown { bytes } if bytes.len() == 32));
    assert_eq!(ivrs.blocks[1].block_type, TYPE_IVHD_40);
}

#[test]
fn unknown_variable_entry_takes_the_rest_of_the_block() {
    let t = table(&ivhd40(&[ENTRY_SELECT, 0, 1, 0, 0x90, 1, 2, 3, 4, 5]));
    let ivrs = parse(&t);
    assert!(ivrs.stop.is_none());
    let IvrsKind::Ivhd { entries, .. } = &ivrs.blocks[0].kind else {
        panic!()
    };
    assert_eq!(entries.len(), 2);
    assert_eq!(
        entries[1].kind,
        IvhdEntryKind::Unknown {
            bytes: vec![0x90, 1, 2, 3, 4, 5]
        }
    );
}

#[test]
fn zero_length_block_stops() {
    let ivrs = parse(&table(&[0x10, 0, 0, 0, 0, 0, 0, 0]));
    assert_eq!(ivrs.stop.expect("stop").offset, 48);
}

#[test]
fn truncation_is_reported() {
    let t = table(&ivhd40(&[ENTRY_SELECT, 0, 1, 0]));
    for n in 0..t.len() {
        let ivrs = parse(&t[..n]);
        let stop = ivrs.stop.unwrap_or_else(|| panic!("no stop at {n}"));
        assert!(stop.offset <= n);
    }
}
