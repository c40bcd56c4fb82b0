//! modules.alias (depmod(8)): `alias PATTERN module` lines; the PCI ones
//! (`pci:v…d…sv…sd…bc…sc…i…`) say which modules bind a device, matched
//! against its modalias as modprobe matches them (shell globs).

use super::modules_dep::normalize;

/// (pattern, module) of every `alias pci:…` line.
pub fn pci_aliases(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            match (w.next(), w.next(), w.next()) {
                (Some("alias"), Some(p), Some(m)) if p.starts_with("pci:") => {
                    Some((p.to_string(), normalize(m)))
                }
                _ => None,
            }
        })
        .collect()
}

/// Shell-style match with `*` and `?`, as modprobe uses for aliases.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::samples::repo_file;

    #[test]
    fn alias_globs_match_modaliases() {
        let alias = "pci:v00008086d000010C9sv*sd*bc*sc*i*";
        assert!(glob_match(
            alias,
            "pci:v00008086d000010C9sv00008086sd0000A03Cbc02sc00i00"
        ));
        assert!(!glob_match(
            alias,
            "pci:v00008086d000010CAsv00008086sd0000A03Cbc02sc00i00"
        ));
        assert!(glob_match("a?c*", "abcdef"));
        assert!(!glob_match("", "x"));
    }

    #[test]
    fn reads_a_test_hosts_aliases() {
        // A RHEL 9 test host's modules.alias, which has the 82576's PF and
        // VF drivers.
        let text = repo_file(
            "tests/hosts/seed-no-intremap/root/lib/modules/5.14.0-427.13.1.el9_4.x86_64/modules.alias",
        );
        let aliases = pci_aliases(std::str::from_utf8(&text).unwrap());
        let vf = "pci:v00008086d000010CAsv00008086sd0000A03Cbc02sc00i00";
        let bind: Vec<&str> = aliases
            .iter()
            .filter(|(p, _)| glob_match(p, vf))
            .map(|(_, m)| m.as_str())
            .collect();
        assert!(bind.contains(&"igbvf"), "{aliases:?}");
        assert!(!bind.contains(&"igb"));
    }
}
