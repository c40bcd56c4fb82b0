//! libvirt's configuration files (qemu.conf; virConfParse): blank lines,
//! `#` comments, and `name = value` settings whose value is a quoted
//! string, a number or a `[list]`.

/// A `key = value` setting of qemu.conf that is not commented out.
pub fn value(text: &str, key: &str) -> Option<String> {
    text.lines()
        .rev()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| k.trim() == key)
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
        .next()
}

/// Why `text` is not in libvirt's configuration format (virConfParse), or
/// None: blank lines, `#` comments, and `name = value` settings whose value
/// is a quoted string, a number or a `[list]` (which may span lines).
/// libvirtd does not start with anything else, so what such a file sets is
/// unknown; reading past the damage would fall back to defaults that the
/// file may well override (dynamic_ownership = 0).
pub fn syntax_error(text: &str) -> Option<String> {
    let mut in_list = false;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if in_list {
            in_list = !line.contains(']');
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || {
            let shown: String = line.chars().take(40).collect();
            Some(format!("line {} ({shown:?}) is not a setting", n + 1))
        };
        let Some((name, value)) = line.split_once('=') else {
            return bad();
        };
        let name = name.trim();
        let name_ok = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        let value = value.trim();
        let value_ok = if let Some(rest) = value.strip_prefix('"') {
            rest.contains('"')
        } else if let Some(rest) = value.strip_prefix('\'') {
            rest.contains('\'')
        } else if value.starts_with('[') {
            in_list = !value.contains(']');
            true
        } else {
            let number = value.split('#').next().unwrap_or("").trim();
            let digits = number.strip_prefix('-').unwrap_or(number);
            !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
        };
        if !name_ok || !value_ok {
            return bad();
        }
    }
    in_list.then(|| "a [list] is not closed".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::samples::repo_file;

    fn text(path: &str) -> String {
        String::from_utf8(repo_file(path)).unwrap()
    }

    #[test]
    fn reads_a_test_hosts_settings() {
        let t = text("tests/hosts/seed-vfio-perm/root/etc/libvirt/qemu.conf");
        assert_eq!(syntax_error(&t), None);
        assert_eq!(value(&t, "user").as_deref(), Some("qemu"));
        assert_eq!(value(&t, "group").as_deref(), Some("qemu"));
        assert_eq!(value(&t, "dynamic_ownership").as_deref(), Some("0"));
        assert_eq!(value(&t, "security_driver"), None);
    }

    #[test]
    fn comments_set_nothing() {
        let t = text("tests/hosts/amd-ready/root/etc/libvirt/qemu.conf");
        assert_eq!(syntax_error(&t), None);
        assert_eq!(value(&t, "user"), None);
        assert_eq!(
            value("#user = \"root\"\nuser = \"qemu\"\n", "user").as_deref(),
            Some("qemu")
        );
    }

    #[test]
    fn says_where_a_file_is_not_libvirts_format() {
        assert_eq!(
            syntax_error("user = \"qemu\"\ngroup qemu\n").as_deref(),
            Some("line 2 (\"group qemu\") is not a setting")
        );
        assert_eq!(
            syntax_error("cgroup_device_acl = [\n  \"/dev/null\",\n").as_deref(),
            Some("a [list] is not closed")
        );
        assert_eq!(syntax_error("max_files = 32768 # comment\n"), None);
    }

    #[test]
    fn qemu_conf_settings_ignore_comments() {
        let conf =
            "#user = \"root\"\nuser = \"qemu\"\n# dynamic_ownership = 1\ndynamic_ownership = 0\n";
        assert_eq!(value(conf, "user").as_deref(), Some("qemu"));
        assert_eq!(value(conf, "dynamic_ownership").as_deref(), Some("0"));
        assert_eq!(value(conf, "group"), None);
        assert_eq!(syntax_error(conf), None);
    }

    #[test]
    fn qemu_conf_that_libvirt_cannot_parse_is_told_apart() {
        let lists = "cgroup_device_acl = [\n    \"/dev/null\", \"/dev/full\",\n]\nnamespaces = [ \"mount\" ]\nmax_files = 32768 # a comment\n";
        assert_eq!(syntax_error(lists), None);
        assert!(syntax_error("dynamic_ownership = \n").is_some());
        assert!(syntax_error("user = \"qe").is_some());
        assert!(syntax_error("\u{fffd}\u{1}x\n").is_some());
        assert!(syntax_error("security_driver = [ \"selinux\"").is_some());
    }
}
