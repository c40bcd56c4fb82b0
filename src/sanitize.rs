//! The one text sanitizer. Host data (a hostname, a process's comm, a
//! driver's link name, any value in a tree or bundle, a line that `explain`
//! quotes) may hold control characters: an escape sequence would drive the
//! analyst's terminal, and a newline would start a line of the report that
//! the tool never wrote (`Result: READY` under a forged comm). Every text
//! renderer passes data through here; JSON, JUnit, Prometheus and dot
//! escape by their own grammar.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as it is: C0 and C1 controls and
/// DEL (newline and escape among them), and the Unicode characters that
/// break or reorder lines (line and paragraph separators, bidirectional
/// overrides and isolates, which can make a line read unlike its bytes).
fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
                | '\u{200e}' | '\u{200f}' | '\u{061c}'
        )
}

fn escape(c: char, out: &mut String) {
    use std::fmt::Write;
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x100 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

fn clean_with(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| unsafe_char(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) && !keep(c) {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `s` on one line, every control character shown escaped (`\x1b`, `\n`).
pub fn clean(s: &str) -> Cow<'_, str> {
    clean_with(s, |_| false)
}

/// [`clean`], but newlines kept: for text whose lines are the tool's own
/// (an error message of several lines) with data inside.
pub fn clean_keep_newlines(s: &str) -> Cow<'_, str> {
    clean_with(s, |c| c == '\n')
}

/// Cleans `out` from byte `start` on, in place: what a template appended
/// for one placeholder.
pub fn clean_tail(out: &mut String, start: usize) {
    if let Cow::Owned(cleaned) = clean(&out[start..]) {
        out.truncate(start);
        out.push_str(&cleaned);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_shown_escaped_and_text_is_left_alone() {
        assert_eq!(clean("plain · ü"), "plain · ü");
        assert!(matches!(clean("plain"), Cow::Borrowed(_)));
        assert_eq!(clean("x\nResult: READY"), "x\\nResult: READY");
        assert_eq!(clean("\u{1b}]0;owned\u{7}"), "\\x1b]0;owned\\x07");
        assert_eq!(clean("\u{1b}[31mred"), "\\x1b[31mred");
        assert_eq!(clean("a\u{9b}b\u{7f}"), "a\\x9bb\\x7f");
        assert_eq!(clean("\u{202e}txt.exe"), "\\u{202e}txt.exe");
        assert_eq!(clean("\r\t"), "\\r\\t");
        assert_eq!(clean_keep_newlines("a\nb\u{1b}"), "a\nb\\x1b");
        let mut s = "kept\n".to_string();
        s.push_str("x\ny");
        clean_tail(&mut s, 5);
        assert_eq!(s, "kept\nx\\ny");
    }
}
