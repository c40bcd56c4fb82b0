//! INI-style key files: systemd unit and `.link` files (systemd.syntax(7):
//! `[Section]`, `Key=Value`, `#` and `;` comments, a trailing backslash
//! continues a line) and NetworkManager keyfiles (nm-settings-keyfile(5),
//! GLib's key file format: no continuations).

/// One `Key=Value` line, with the section it is in and its line (1-based).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub section: String,
    pub key: String,
    pub value: String,
    pub line: usize,
}

/// The entries of a file in order. `continuations` joins lines ending in a
/// backslash (systemd's syntax; NetworkManager's has none). A line that is
/// neither a section, a comment nor `Key=Value` is left out.
pub fn parse(text: &str, continuations: bool) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut pending: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let (start, mut joined) = match pending.take() {
            Some(p) => p,
            None => {
                if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                    continue;
                }
                if line.starts_with('[') && line.ends_with(']') {
                    section = line[1..line.len() - 1].trim().to_string();
                    continue;
                }
                (i + 1, String::new())
            }
        };
        if continuations {
            if let Some(head) = line.strip_suffix('\\') {
                joined.push_str(head);
                joined.push(' ');
                pending = Some((start, joined));
                continue;
            }
        }
        joined.push_str(line);
        if let Some((k, v)) = joined.split_once('=') {
            out.push(Entry {
                section: section.clone(),
                key: k.trim().to_string(),
                value: v.trim().to_string(),
                line: start,
            });
        }
    }
    out
}

/// The last entry for `section` and `key` (a later assignment overrides).
pub fn last<'a>(entries: &'a [Entry], section: &str, key: &str) -> Option<&'a Entry> {
    entries
        .iter()
        .rev()
        .find(|e| e.section == section && e.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    // systemd.link(5)'s example of SR-IOV VFs, with its [SR-IOV] section.
    const LINK: &str = "[Match]\nPath=pci-0000:03:00.0\n\n[Link]\nSR-IOVVirtualFunctions=4\n# a comment\n\n[SR-IOV]\nVirtualFunction=0\nTrust=true\n";

    // A keyfile as `nmcli connection add type ethernet ifname enp3s0f0
    // sriov.total-vfs 4` writes it.
    const NM: &str = "[connection]\nid=enp3s0f0\nuuid=9a1c7f0e-3b5d-4c2a-8e61-2f4d7b9c0a13\ntype=ethernet\ninterface-name=enp3s0f0\n\n[ethernet]\n\n[sriov]\ntotal-vfs=4\n\n[ipv4]\nmethod=auto\n";

    #[test]
    fn reads_a_link_file() {
        let e = parse(LINK, true);
        assert_eq!(last(&e, "Match", "Path").unwrap().value, "pci-0000:03:00.0");
        let vfs = last(&e, "Link", "SR-IOVVirtualFunctions").unwrap();
        assert_eq!((vfs.value.as_str(), vfs.line), ("4", 5));
        assert_eq!(last(&e, "SR-IOV", "Trust").unwrap().value, "true");
    }

    #[test]
    fn reads_a_networkmanager_keyfile() {
        let e = parse(NM, false);
        assert_eq!(
            last(&e, "connection", "interface-name").unwrap().value,
            "enp3s0f0"
        );
        assert_eq!(last(&e, "sriov", "total-vfs").unwrap().line, 10);
    }

    #[test]
    fn continued_unit_lines_and_garbage() {
        let unit = "[Service]\nExecStart=/bin/sh -c \\\n  'echo 7 > /sys/class/net/ens1f0/device/sriov_numvfs'\nType=oneshot\n";
        let e = parse(unit, true);
        let x = last(&e, "Service", "ExecStart").unwrap();
        assert_eq!(x.line, 2);
        assert!(x.value.ends_with("sriov_numvfs'"));
        assert_eq!(last(&e, "Service", "Type").unwrap().line, 4);
        for t in ["[", "]", "=", "[a\nb\\", "\\"] {
            let _ = parse(t, true);
        }
    }
}
