//! Feeds arbitrary text to the rule loader as a site rule file: TOML
//! parsing, CEL compilation of every condition and placeholder, and the
//! load-time checks against the fact types. It may reject the text, with a
//! file, a reason and (when it has one) a line inside the text; it may
//! never panic or hang.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use sriov_doctor::rules::engine::cel_env;
use sriov_doctor::rules::{Compile, Rule};

fuzz_target!(|data: &[u8]| {
    static ENV: OnceLock<Arc<cel::Env>> = OnceLock::new();
    let env = ENV.get_or_init(cel_env);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Rule::load("site.fuzz.toml", text, "fuzz", env, Compile::Checked) {
        Ok(rule) => assert_eq!(rule.id, "site.fuzz"),
        Err(e) => {
            assert_eq!(e.file, "site.fuzz.toml");
            assert!(!e.reason.is_empty());
            if let Some(line) = e.line {
                assert!(
                    line >= 1 && line <= text.lines().count().max(1) + 1,
                    "line {line}"
                );
            }
        }
    }
});
