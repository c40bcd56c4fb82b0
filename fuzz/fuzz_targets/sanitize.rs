//! The text sanitizer on arbitrary text: what it returns has no character
//! that drives a terminal or breaks a line (newlines kept only where asked),
//! text without such characters comes back unchanged, and cleaning twice
//! changes nothing more.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sriov_doctor::sanitize::{clean, clean_keep_newlines};

fn inert(s: &str, newline_ok: bool) -> bool {
    s.chars().all(|c| {
        (newline_ok && c == '\n')
            || !(c.is_control()
                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}'))
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let one = clean(&text);
    assert!(inert(&one, false), "{one:?}");
    assert_eq!(clean(&one), one, "cleaning twice changed it");
    if inert(&text, false) {
        assert_eq!(one, text);
    }
    let kept = clean_keep_newlines(&text);
    assert!(inert(&kept, true), "{kept:?}");
    assert_eq!(kept.lines().count(), text.lines().count());
});
