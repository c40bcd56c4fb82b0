//! Feeds arbitrary bytes to the DMAR and IVRS decoders: they must never
//! panic, and what they decode must list its fields without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sriov_doctor::acpi::{dmar, ivrs};

fuzz_target!(|data: &[u8]| {
    let d = dmar::parse(data);
    let fields = d.fields();
    assert!(fields.iter().all(|f| f.offset + f.len <= data.len()));
    if d.stop.is_none() && data.len() >= 48 {
        // A table decoded to its end names only whole structures.
        let end = d.header.length as usize;
        assert!(d
            .structures
            .iter()
            .all(|s| s.offset + usize::from(s.length) <= end));
    }

    let i = ivrs::parse(data);
    let fields = i.fields();
    assert!(fields.iter().all(|f| f.offset + f.len <= data.len()));
    if i.stop.is_none() && data.len() >= 48 {
        let end = i.header.length as usize;
        assert!(i
            .blocks
            .iter()
            .all(|b| b.offset + usize::from(b.length) <= end));
    }
});
