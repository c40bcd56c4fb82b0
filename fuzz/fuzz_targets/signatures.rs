//! Feeds arbitrary text to the explain signature loader as a site signature
//! file (TOML, the regex, its captures, the rules and confirm commands it
//! names), and runs a loaded signature's pattern on its own examples. A
//! rejection names the file and a reason; nothing may panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sriov_doctor::explain::Signature;
use sriov_doctor::rules::{file_stem, BUILTIN_RULES};

fuzz_target!(|data: &[u8]| {
    static KNOWN: OnceLock<Vec<String>> = OnceLock::new();
    let known = KNOWN.get_or_init(|| BUILTIN_RULES.iter().map(|(f, _)| file_stem(f)).collect());
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Signature::load("site-fuzz.toml", text, &known) {
        Ok(sig) => {
            assert_eq!(sig.id, "site-fuzz");
            for e in &sig.examples {
                let _ = sig.pattern.captures(&e.text);
            }
            if let Some(t) = &sig.test {
                let _ = sig.pattern.captures(&t.text);
            }
        }
        Err(e) => {
            assert_eq!(e.file, "site-fuzz.toml");
            assert!(!e.reason.is_empty());
        }
    }
});
