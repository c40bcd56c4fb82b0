//! udev rules files (udev(7)): one rule per line (a trailing backslash
//! continues it), `#` comments, comma-separated `KEY[{attr}]OP"value"`
//! pairs with the operators `==`, `!=` (match) and `=`, `+=`, `-=`, `:=`
//! (assign).

/// One key of a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pair {
    pub key: String,
    /// The part in braces: `ATTR{sriov_numvfs}`, `ENV{ID_NET_DRIVER}`.
    pub attr: Option<String>,
    pub op: String,
    pub value: String,
}

impl Pair {
    /// A match (`==` or `!=`), not an assignment.
    pub fn is_match(&self) -> bool {
        self.op == "==" || self.op == "!="
    }
}

/// A rule: its first line (1-based), its text (continuations joined) and
/// its pairs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub line: usize,
    pub text: String,
    pub pairs: Vec<Pair>,
}

/// The rules of one file. A line that does not parse is left out, as udev
/// ignores it (with a log message).
pub fn parse(text: &str) -> Vec<Rule> {
    let mut out = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let (start, mut joined) = match pending.take() {
            Some((s, j)) => (s, j),
            None => (i + 1, String::new()),
        };
        let line = raw.trim();
        if joined.is_empty() && (line.is_empty() || line.starts_with('#')) {
            continue;
        }
        if let Some(head) = line.strip_suffix('\\') {
            joined.push_str(head);
            joined.push(' ');
            pending = Some((start, joined));
            continue;
        }
        joined.push_str(line);
        if let Some(pairs) = pairs(&joined) {
            if !pairs.is_empty() {
                out.push(Rule {
                    line: start,
                    text: joined,
                    pairs,
                });
            }
        }
    }
    out
}

/// The pairs of one rule line, or None when it does not parse.
fn pairs(line: &str) -> Option<Vec<Pair>> {
    let b: Vec<char> = line.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    loop {
        while i < b.len() && (b[i] == ',' || b[i].is_whitespace()) {
            i += 1;
        }
        if i >= b.len() || b[i] == '#' {
            return Some(out);
        }
        let k = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == '_') {
            i += 1;
        }
        if i == k {
            return None;
        }
        let key: String = b[k..i].iter().collect();
        let mut attr = None;
        if b.get(i) == Some(&'{') {
            let a = i + 1;
            while i < b.len() && b[i] != '}' {
                i += 1;
            }
            if i >= b.len() {
                return None;
            }
            attr = Some(b[a..i].iter().collect());
            i += 1;
        }
        while i < b.len() && b[i].is_whitespace() {
            i += 1;
        }
        let op = ["==", "!=", "+=", "-=", ":=", "="].into_iter().find(|op| {
            op.chars()
                .enumerate()
                .all(|(j, c)| b.get(i + j) == Some(&c))
        })?;
        i += op.len();
        while i < b.len() && b[i].is_whitespace() {
            i += 1;
        }
        // udev also takes e"…" (escapes) and s"…" (substitution) prefixes.
        if matches!(b.get(i), Some('e') | Some('s')) && b.get(i + 1) == Some(&'"') {
            i += 1;
        }
        if b.get(i) != Some(&'"') {
            return None;
        }
        i += 1;
        let mut value = String::new();
        loop {
            match b.get(i) {
                None => return None,
                Some('"') => break,
                Some('\\') if b.get(i + 1) == Some(&'"') => {
                    value.push('"');
                    i += 2;
                }
                Some(&c) => {
                    value.push(c);
                    i += 1;
                }
            }
        }
        i += 1;
        out.push(Pair {
            key,
            attr,
            op: op.to_string(),
            value,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The forms of the udev(7) manual, Red Hat's and Intel's SR-IOV guides.
    const SAMPLE: &str = r#"# SR-IOV VFs at boot
ACTION=="add", SUBSYSTEM=="net", ENV{ID_NET_DRIVER}=="ixgbe", ATTR{device/sriov_numvfs}="2"

ACTION=="add", SUBSYSTEM=="pci", KERNEL=="0000:03:00.0", \
    ATTR{sriov_numvfs}="7"
SUBSYSTEM=="pci", ATTR{sriov_numvfs}=="0", ATTR{vendor}=="0x8086", ATTR{sriov_numvfs}="$attr{sriov_totalvfs}"
this is not a rule
KERNEL=="sd*", SYMLINK+="disk/%k", OPTIONS:="nowatch" # trailing comment
"#;

    #[test]
    fn reads_the_rules_as_udev_does() {
        let rules = parse(SAMPLE);
        assert_eq!(rules.len(), 4);
        assert_eq!(rules[0].line, 2);
        assert_eq!(rules[0].pairs.len(), 4);
        assert_eq!(
            rules[0].pairs[2],
            Pair {
                key: "ENV".into(),
                attr: Some("ID_NET_DRIVER".into()),
                op: "==".into(),
                value: "ixgbe".into()
            }
        );
        assert_eq!(
            rules[0].pairs[3].attr.as_deref(),
            Some("device/sriov_numvfs")
        );
        assert_eq!(rules[0].pairs[3].op, "=");
        assert!(!rules[0].pairs[3].is_match());
        // A continued rule starts on its first line.
        assert_eq!(rules[1].line, 4);
        assert_eq!(rules[1].pairs[3].value, "7");
        assert_eq!(rules[2].pairs[3].value, "$attr{sriov_totalvfs}");
        assert_eq!(rules[3].pairs[2].op, ":=");
    }

    #[test]
    fn garbage_and_bad_utf8_never_panic() {
        for t in [
            "ATTR{",
            "KEY",
            "KEY==",
            "KEY==\"open",
            "==\"x\"",
            "A{b}=\"c\"\\",
            "\\\n\\\n",
        ] {
            let _ = parse(t);
        }
        let lossy = String::from_utf8_lossy(b"KERNEL==\"\xff\xfe\", ATTR{sriov_numvfs}=\"1\"");
        assert_eq!(parse(&lossy).len(), 1);
    }
}
