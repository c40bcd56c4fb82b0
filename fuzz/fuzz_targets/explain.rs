//! Feeds arbitrary text to `explain` as the error message or log, against a
//! fixed small host (the seed-group-shared test host as a support bundle,
//! `fixtures/seed-group-shared.json`, replayed from memory): line splitting,
//! every signature's regex, address and group focus, the focused checks and
//! the ranking. It must never panic, and every cause it ranks must be a
//! failing or warning finding.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sriov_doctor::explain::{explain, load_signatures, Signature};
use sriov_doctor::hostfs::BundleFs;
use sriov_doctor::report::Status;
use sriov_doctor::rules::Engine;

struct Fixed {
    fs: BundleFs,
    engine: Engine,
    signatures: Vec<Signature>,
}

fn fixed() -> &'static Fixed {
    static FIXED: OnceLock<Fixed> = OnceLock::new();
    FIXED.get_or_init(|| {
        let shown = "fixtures/seed-group-shared.json";
        let fs = sriov_doctor::bundle::read(
            &include_bytes!("../fixtures/seed-group-shared.json")[..],
            shown,
        )
        .expect("fixture bundle opens");
        let engine = Engine::load(None).expect("built-in rules load");
        let signatures = load_signatures(&Engine::rule_ids(None), None).expect("built-in signatures load");
        Fixed {
            fs,
            engine,
            signatures,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixed();
    let text = String::from_utf8_lossy(data);
    if let Ok(e) = explain(&f.fs, &text, &f.engine, &f.signatures) {
        assert!(e
            .causes
            .iter()
            .all(|c| matches!(c.status, Status::Fail | Status::Warn)));
        assert!(e
            .matches
            .iter()
            .all(|m| m.line_number >= 1 && m.line_number <= e.input_lines));
    }
});
