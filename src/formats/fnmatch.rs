//! Shell-style patterns as udev rules, systemd `.link` files and
//! NetworkManager's `match` setting write them (fnmatch(3) without flags):
//! `*`, `?`, `[abc]`, `[a-z]`, `[!a]` / `[^a]`; a backslash quotes the next
//! character. udev also separates alternatives with `|` ([`any_of`]).

/// Whether `text` matches `pattern` as a whole. Iterative, with one
/// backtrack point for the last `*`: linear in practice, never recursive, so
/// a hostile pattern cannot exhaust the stack.
pub fn matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        let step = if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ti));
                    pi += 1;
                    continue;
                }
                '?' => Some(pi + 1),
                '[' => class(&p, pi, t[ti]),
                '\\' if pi + 1 < p.len() => (p[pi + 1] == t[ti]).then_some(pi + 2),
                c => (c == t[ti]).then_some(pi + 1),
            }
        } else {
            None
        };
        match (step, star) {
            (Some(next), _) => {
                pi = next;
                ti += 1;
            }
            (None, Some((sp, st))) => {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            }
            (None, None) => return false,
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// A bracket expression at `p[start]` against `c`: the index after it when
/// `c` is in it. An unterminated `[` is a literal `[`.
fn class(p: &[char], start: usize, c: char) -> Option<usize> {
    let mut i = start + 1;
    let negate = matches!(p.get(i), Some('!') | Some('^'));
    if negate {
        i += 1;
    }
    let mut found = false;
    let mut first = true;
    while i < p.len() && (first || p[i] != ']') {
        first = false;
        if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
            found |= p[i] <= c && c <= p[i + 2];
            i += 3;
        } else {
            found |= p[i] == c;
            i += 1;
        }
    }
    if i >= p.len() {
        // No closing bracket: a literal '['.
        return (c == '[').then_some(start + 1);
    }
    (found != negate).then_some(i + 1)
}

/// udev's form: alternatives separated by `|`, any of which may match.
pub fn any_of(patterns: &str, text: &str) -> bool {
    patterns.split('|').any(|p| matches(p, text))
}

/// Whether the pattern has no special character: it matches one text only.
pub fn is_literal(pattern: &str) -> bool {
    !pattern.contains(['*', '?', '[', '\\', '|'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_as_udev_and_systemd_write_them() {
        assert!(matches("0000:03:00.0", "0000:03:00.0"));
        assert!(!matches("0000:03:00.0", "0000:03:00.1"));
        assert!(matches("0000:??:00.0", "0000:03:00.0"));
        assert!(matches("0000:03:00.[01]", "0000:03:00.1"));
        assert!(!matches("0000:03:00.[!01]", "0000:03:00.1"));
        assert!(matches("0000:03:00.[0-3]", "0000:03:00.2"));
        assert!(matches("enp3s0f*", "enp3s0f0"));
        assert!(matches("*", ""));
        assert!(matches("pci-0000:03:00.*", "pci-0000:03:00.0"));
        assert!(!matches("eth*", "enp3s0f0"));
        assert!(matches("a*b*c", "aXbYbZc"));
        assert!(matches("x\\*", "x*"));
        assert!(!matches("x\\*", "xy"));
        assert!(matches("[", "["));
        assert!(any_of("igb|ixgbe", "ixgbe"));
        assert!(!any_of("igb|ixgbe", "i40e"));
        assert!(is_literal("0000:03:00.0"));
        assert!(!is_literal("0000:03:*"));
    }

    #[test]
    fn a_hostile_pattern_is_quick() {
        let p = "*a".repeat(2000) + "b";
        let t = "a".repeat(4000);
        assert!(!matches(&p, &t));
    }
}
