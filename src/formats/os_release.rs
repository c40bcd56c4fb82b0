//! os-release(5): `KEY=value` lines, values optionally quoted.

use std::collections::BTreeMap;

/// Every `KEY=value` line, the value's surrounding quotes taken off.
pub fn parse(text: &str) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    for line in text.lines() {
        if let Some((k, v)) = line.split_once('=') {
            fields.insert(k.trim().to_string(), v.trim().trim_matches('"').to_string());
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::samples::{captured_text, repo_file};

    #[test]
    fn reads_debian_12() {
        let f = parse(&captured_text("6.1/ready", "/etc/os-release"));
        assert_eq!(f["ID"], "debian");
        assert_eq!(f["VERSION_ID"], "12");
        assert_eq!(f["PRETTY_NAME"], "Debian GNU/Linux 12 (bookworm)");
    }

    #[test]
    fn reads_rhel_9() {
        let text = repo_file("tests/hosts/seed-no-intremap/root/etc/os-release");
        let f = parse(std::str::from_utf8(&text).unwrap());
        assert_eq!(f["ID"], "rhel");
        assert!(f["ID_LIKE"].contains("fedora"), "{f:?}");
    }
}
