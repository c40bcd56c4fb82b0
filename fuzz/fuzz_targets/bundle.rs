//! Feeds arbitrary bytes to the support bundle reader, as `--bundle FILE`
//! does: plain JSON or gzip (told apart by the magic bytes), the format and
//! limit checks, the in-memory root; a bundle that opens is then checked as
//! a host (every probe reads through that root, every rule runs). Bad input
//! is an error, never a panic, and never a read outside the bundle.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sriov_doctor::bundle;
use sriov_doctor::rules::Engine;

fuzz_target!(|data: &[u8]| {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    let Ok(fs) = bundle::read(data, "fuzz") else {
        return;
    };
    let engine = ENGINE.get_or_init(|| Engine::load(None).expect("built-in rules load"));
    if let Ok(report) = sriov_doctor::check(&fs, &[], engine) {
        assert!(report.findings.iter().all(|f| !f.rule.is_empty()));
    }
});
