//! XML 1.0 escaping for the JUnit report: the five markup characters, and
//! the characters XML 1.0 cannot carry at all (most C0 controls, U+FFFE,
//! U+FFFF), which become U+FFFD so that one odd byte in a sysfs file cannot
//! make the whole report unreadable.

/// Whether XML 1.0 allows the character anywhere in a document
/// (the `Char` production of the XML 1.0 specification, section 2.2).
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes character data (element content).
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            // `]]>` may not appear in content; escaping every `>` rules it out.
            '>' => out.push_str("&gt;"),
            // A literal CR would be turned into LF by the parser.
            '\r' => out.push_str("&#13;"),
            c if !allowed(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Escapes an attribute value, to be written between double quotes.
/// Tab, newline and CR are written as character references: a parser
/// would otherwise normalize them to spaces.
pub fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if !allowed(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &[&str] = &[
        "",
        "plain",
        "<script>alert('x')</script>",
        "a & b && c &amp; d",
        "quote \" apostrophe ' both \"'",
        "]]> ends CDATA, <![CDATA[ starts it",
        "<!-- comment --> <?pi?> <!DOCTYPE x [<!ENTITY e \"boom\">]> &e;",
        "tab\there\nnewline\r\ncrlf\rlone cr",
        "nul \0 bell \u{7} escape \u{1b}[31m vt \u{b} ff \u{c}",
        "del \u{7f} c1 \u{85} \u{9f}",
        "non-characters \u{FFFE} \u{FFFF} and \u{FFFD}",
        "astral 🦀 \u{10FFFF} and CJK 設定",
        "&#0; &#x1b; literal references stay literal",
    ];

    /// The string a conforming parser will hand back: forbidden characters
    /// replaced by U+FFFD, everything else as it was.
    fn expected(s: &str) -> String {
        s.chars()
            .map(|c| if allowed(c) { c } else { '\u{FFFD}' })
            .collect()
    }

    #[test]
    fn hostile_strings_survive_a_real_parser_in_content_and_attributes() {
        for s in HOSTILE {
            let doc = format!("<r a=\"{}\">{}</r>", attr(s), text(s));
            let parsed =
                roxmltree::Document::parse(&doc).unwrap_or_else(|e| panic!("{s:?} → {doc:?}: {e}"));
            let root = parsed.root_element();
            assert_eq!(root.attribute("a"), Some(expected(s).as_str()), "{s:?}");
            // An empty element has no text node.
            assert_eq!(root.text().unwrap_or(""), expected(s), "{s:?}");
        }
    }

    #[test]
    fn forbidden_characters_are_replaced_and_allowed_ones_kept() {
        assert_eq!(text("a\0b\u{1}c\u{1f}d"), "a\u{FFFD}b\u{FFFD}c\u{FFFD}d");
        assert_eq!(text("\u{FFFE}\u{FFFF}"), "\u{FFFD}\u{FFFD}");
        assert_eq!(text("\t\n"), "\t\n");
        assert_eq!(text("\u{7f}\u{85}🦀"), "\u{7f}\u{85}🦀");
        assert_eq!(attr("\t\n\r"), "&#9;&#10;&#13;");
        assert_eq!(attr("\u{0}"), "\u{FFFD}");
    }

    #[test]
    fn markup_never_survives_as_markup() {
        for s in HOSTILE {
            for escaped in [text(s), attr(s)] {
                assert!(!escaped.contains('<'), "{escaped:?}");
                assert!(!escaped.contains("]]>"), "{escaped:?}");
            }
            assert!(!attr(s).contains('"'), "{s:?}");
        }
    }
}
