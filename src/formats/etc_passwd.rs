//! /etc/passwd and /etc/group: colon-separated fields, one entry a line
//! (passwd(5), group(5)).

/// Fields of the /etc/passwd or /etc/group line whose first field is `name`.
pub fn entry(text: &str, name: &str) -> Option<Vec<String>> {
    text.lines()
        .map(|l| l.split(':').map(str::to_string).collect::<Vec<_>>())
        .find(|f| f.first().map(String::as_str) == Some(name))
}

/// The gids of the /etc/group entries that list `user` among their members
/// (the fourth field, comma-separated), in file order.
pub fn member_of(group: &str, user: &str) -> Vec<u32> {
    let mut gids = Vec::new();
    for line in group.lines() {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() >= 4 && f[3].split(',').any(|m| m == user) {
            if let Ok(gid) = f[2].parse() {
                gids.push(gid);
            }
        }
    }
    gids
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::samples::{captured_text, repo_file};

    #[test]
    fn reads_a_real_passwd() {
        // A bundle of a real 6.1 kernel keeps root's line.
        let p = captured_text("6.1/ready", "/etc/passwd");
        let root = entry(&p, "root").unwrap();
        assert_eq!(root, ["root", "x", "0", "0", "root", "/root", "/bin/sh"]);
        assert_eq!(entry(&p, "qemu"), None);
    }

    #[test]
    fn reads_a_test_hosts_qemu_user_and_groups() {
        let p =
            String::from_utf8(repo_file("tests/hosts/seed-guest-holds/root/etc/passwd")).unwrap();
        let g =
            String::from_utf8(repo_file("tests/hosts/seed-guest-holds/root/etc/group")).unwrap();
        let qemu = entry(&p, "qemu").unwrap();
        assert_eq!((qemu[2].as_str(), qemu[3].as_str()), ("107", "107"));
        assert_eq!(entry(&g, "kvm").unwrap()[2], "36");
        assert_eq!(member_of(&g, "qemu"), [36]);
    }
}
