//! Shell commands that write `sriov_numvfs`, as units' `ExecStart=` lines
//! and the scripts they run write them: `echo 7 > /sys/class/net/ens1f0/device/sriov_numvfs`,
//! `echo 4 | tee /sys/bus/pci/devices/0000:03:00.0/sriov_numvfs`, inside
//! `sh -c '…'` or not. Only what is literally written is read: a count or a
//! path built from variables is not guessed.

/// One write found in a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Write {
    /// The count echoed; None when it is not a literal number.
    pub vfs: Option<u32>,
    /// Which device the path names.
    pub target: Target,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// `/sys/class/net/NAME/device/sriov_numvfs`.
    Netdev(String),
    /// `/sys/bus/pci/devices/ADDR/sriov_numvfs` or `/sys/devices/…/ADDR/sriov_numvfs`.
    Pci(String),
    /// A path with a variable or a pattern in it: the device is not known.
    Unknown(String),
}

/// The `sriov_numvfs` writes of one line of shell (comments left out).
pub fn scan(line: &str) -> Vec<Write> {
    let code = line.trim_start();
    if code.starts_with('#') || !code.contains("sriov_numvfs") {
        return Vec::new();
    }
    let mut out = Vec::new();
    // Commands: split on ; && || and newlines, but keep pipes together
    // (`echo 4 | tee PATH`).
    let normalized = code.replace("&&", ";").replace("||", ";");
    for command in normalized.split(';') {
        let words: Vec<String> = command
            .split_whitespace()
            .map(|w| w.trim_matches(|c| c == '\'' || c == '"').to_string())
            .collect();
        let Some(pos) = words.iter().position(|w| w.ends_with("/sriov_numvfs")) else {
            continue;
        };
        let path = words[pos].trim_start_matches('>').to_string();
        let redirected = words[pos].starts_with('>')
            || (pos > 0 && (words[pos - 1] == ">" || words[pos - 1].ends_with("tee")))
            || words[..pos]
                .iter()
                .any(|w| w == "tee" || w.ends_with("/tee"));
        if !redirected {
            // Read (`cat …/sriov_numvfs`), not written.
            continue;
        }
        let vfs = words
            .iter()
            .position(|w| w == "echo" || w.ends_with("/echo") || w == "printf")
            .and_then(|e| words.get(e + 1))
            .and_then(|n| n.parse::<u32>().ok());
        out.push(Write {
            vfs,
            target: target(&path),
        });
    }
    out
}

fn target(path: &str) -> Target {
    let unknown = || Target::Unknown(path.to_string());
    if path.contains(['$', '*', '?', '[', '`']) {
        return unknown();
    }
    let parts: Vec<&str> = path.trim_end_matches("/sriov_numvfs").split('/').collect();
    if let Some(name) = path
        .strip_prefix("/sys/class/net/")
        .and_then(|r| r.strip_suffix("/device/sriov_numvfs"))
        .filter(|n| !n.contains('/'))
    {
        return Target::Netdev(name.to_string());
    }
    if path.starts_with("/sys/bus/pci/devices/") || path.starts_with("/sys/devices/") {
        if let Some(last) = parts
            .last()
            .filter(|a| a.parse::<crate::address::PciAddress>().is_ok())
        {
            return Target::Pci(last.to_string());
        }
    }
    unknown()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forms_units_and_scripts_use() {
        let w = scan("/bin/sh -c 'echo 7 > /sys/class/net/ens1f0/device/sriov_numvfs'");
        assert_eq!(
            w,
            vec![Write {
                vfs: Some(7),
                target: Target::Netdev("ens1f0".into())
            }]
        );
        let w = scan("/usr/bin/bash -c \"echo 0 > /sys/bus/pci/devices/0000:03:00.0/sriov_numvfs && echo 4 > /sys/bus/pci/devices/0000:03:00.0/sriov_numvfs\"");
        assert_eq!(w.len(), 2);
        assert_eq!(w[1].vfs, Some(4));
        assert_eq!(w[1].target, Target::Pci("0000:03:00.0".into()));
        let w = scan("echo 4 | tee /sys/devices/pci0000:00/0000:00:01.0/0000:03:00.1/sriov_numvfs");
        assert_eq!(w[0].target, Target::Pci("0000:03:00.1".into()));
        let w = scan("echo 8 >/sys/class/net/$IF/device/sriov_numvfs");
        assert_eq!(
            w[0].target,
            Target::Unknown("/sys/class/net/$IF/device/sriov_numvfs".into())
        );
        let w = scan("cat /sys/class/net/ens1f0/device/sriov_totalvfs > /sys/class/net/ens1f0/device/sriov_numvfs");
        assert_eq!(w[0].vfs, None);
    }

    #[test]
    fn reads_and_comments_are_not_writes() {
        assert!(scan("cat /sys/class/net/ens1f0/device/sriov_numvfs").is_empty());
        assert!(scan("# echo 7 > /sys/class/net/ens1f0/device/sriov_numvfs").is_empty());
        assert!(scan("ExecStart=/usr/bin/true").is_empty());
    }
}
