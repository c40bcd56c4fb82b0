//! Whether a udev rule, a systemd `.link` file or a NetworkManager keyfile
//! applies to a PF, judged only on what the PF's facts say: a key that
//! cannot be evaluated makes the answer [`Tri::Unsure`], never a guess.

use crate::formats::fnmatch;
use crate::formats::keyfile::{self, Entry};
use crate::formats::udev_rules::{Pair, Rule};

/// What the facts say about one PF.
pub struct Pf<'a> {
    pub address: &'a str,
    pub netdevs: &'a [String],
    /// MAC addresses of `netdevs`, lower case.
    pub macs: Vec<String>,
    pub driver: Option<&'a str>,
    /// `0x8086`, `0x10c9`, as sysfs writes them.
    pub vendor: Option<String>,
    pub device: Option<String>,
    pub totalvfs: Option<u32>,
    /// The PF's sysfs path components (`pci0000:00`, `0000:00:01.0`, the PF
    /// itself): what udev's KERNELS can match.
    pub ancestors: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tri {
    Yes,
    No,
    Unsure,
}

/// All of the answers: No if any is, else Unsure if any is.
fn all(answers: impl IntoIterator<Item = Tri>) -> Tri {
    let mut out = Tri::Yes;
    for a in answers {
        match a {
            Tri::No => return Tri::No,
            Tri::Unsure => out = Tri::Unsure,
            Tri::Yes => {}
        }
    }
    out
}

fn tri(b: bool) -> Tri {
    if b {
        Tri::Yes
    } else {
        Tri::No
    }
}

/// A udev rule that writes a VF count: on the PCI device itself
/// (`ATTR{sriov_numvfs}`) or from its network interface
/// (`ATTR{device/sriov_numvfs}`).
pub struct UdevWrite<'a> {
    pub assign: &'a Pair,
    pub net: bool,
}

/// The rule's write of sriov_numvfs, if it has one that can take effect.
pub fn udev_write(rule: &Rule) -> Option<UdevWrite<'_>> {
    let assign = rule.pairs.iter().find(|p| {
        p.key == "ATTR"
            && (p.op == "=" || p.op == ":=")
            && p.attr
                .as_deref()
                .is_some_and(|a| a.ends_with("sriov_numvfs"))
    })?;
    let net = match assign.attr.as_deref() {
        Some("sriov_numvfs") => false,
        Some("device/sriov_numvfs") => true,
        _ => return None,
    };
    Some(UdevWrite { assign, net })
}

/// The count a udev assignment writes.
pub fn udev_count(value: &str, pf: &Pf) -> Option<u32> {
    let v = value.trim();
    if let Ok(n) = v.parse() {
        return Some(n);
    }
    // `$attr{sriov_totalvfs}` (or `%s{…}`): all the PF can have.
    if v.contains("{sriov_totalvfs}") || v.contains("{device/sriov_totalvfs}") {
        return pf.totalvfs;
    }
    None
}

/// Whether the rule applies to the PF at boot, and the first key that
/// could not be evaluated.
pub fn udev_applies(rule: &Rule, net: bool, pf: &Pf) -> (Tri, Option<String>) {
    let mut unsure_key = None;
    let answers = rule.pairs.iter().filter(|p| p.is_match()).map(|p| {
        let a = udev_pair(p, net, pf);
        let a = if p.op == "!=" {
            match a {
                Tri::Yes => Tri::No,
                Tri::No => Tri::Yes,
                Tri::Unsure => Tri::Unsure,
            }
        } else {
            a
        };
        if a == Tri::Unsure && unsure_key.is_none() {
            unsure_key = Some(match &p.attr {
                Some(at) => format!("{}{{{at}}}", p.key),
                None => p.key.clone(),
            });
        }
        a
    });
    let answer = all(answers.collect::<Vec<_>>());
    (answer, unsure_key)
}

/// One match key against the PF (or its interface, for `net`).
fn udev_pair(p: &Pair, net: bool, pf: &Pf) -> Tri {
    let any = |texts: &[&str]| tri(texts.iter().any(|t| fnmatch::any_of(&p.value, t)));
    let netdevs: Vec<&str> = pf.netdevs.iter().map(String::as_str).collect();
    let attr = p.attr.as_deref().unwrap_or("");
    let sysattr = |name: &str| -> Option<String> {
        match name {
            "vendor" => pf.vendor.clone(),
            "device" => pf.device.clone(),
            "sriov_totalvfs" => pf.totalvfs.map(|n| n.to_string()),
            // At boot, before anything set them.
            "sriov_numvfs" => Some("0".into()),
            _ => None,
        }
    };
    match (p.key.as_str(), net) {
        // At boot an interface is added; a PCI device is added, then bound
        // to its driver (the "bind" event, Linux 4.14 and later), which is
        // when sriov_numvfs can be written.
        ("ACTION", true) => any(&["add"]),
        ("ACTION", false) => any(&["add", "bind"]),
        ("SUBSYSTEM", _) => any(&[if net { "net" } else { "pci" }]),
        ("SUBSYSTEMS", _) => any(&["pci"]),
        ("KERNEL", false) => any(&[pf.address]),
        // A network interface's kernel name at "add" is the one the driver
        // gave it (eth0), before udev renames it: only a pattern that
        // matches any name can be told.
        ("KERNEL", true) if p.value == "*" => Tri::Yes,
        ("NAME", true) if !netdevs.is_empty() => any(&netdevs),
        // The device and its parents: the PF and the bridges above it (and
        // the interface itself, for `net`).
        ("KERNELS", _) => {
            let mut names: Vec<&str> = pf.ancestors.iter().map(String::as_str).collect();
            if net {
                names.extend(&netdevs);
            }
            any(&names)
        }
        ("DRIVER", false) | ("DRIVERS", _) => match pf.driver {
            Some(d) => any(&[d]),
            None => Tri::Unsure,
        },
        ("ENV", true) if attr == "ID_NET_DRIVER" => match pf.driver {
            Some(d) => any(&[d]),
            None => Tri::Unsure,
        },
        ("ENV", false) if attr == "PCI_SLOT_NAME" => any(&[pf.address]),
        ("ENV", false) if attr == "DRIVER" => match pf.driver {
            Some(d) => any(&[d]),
            None => Tri::Unsure,
        },
        ("ATTR", false) | ("ATTRS", _) => match sysattr(attr) {
            Some(v) => any(&[&v]),
            None => Tri::Unsure,
        },
        ("ATTR", true) if attr == "address" && !pf.macs.is_empty() => {
            let macs: Vec<&str> = pf.macs.iter().map(String::as_str).collect();
            any(&macs)
        }
        ("ATTR", true) => match attr.strip_prefix("device/").and_then(sysattr) {
            Some(v) => any(&[&v]),
            None => Tri::Unsure,
        },
        _ => Tri::Unsure,
    }
}

/// A whitespace-separated list of patterns as `.link` [Match] keys take
/// them; a leading `!` inverts the whole list.
fn link_list(value: &str, texts: &[&str]) -> Tri {
    let (invert, list) = match value.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, value),
    };
    let hit = list
        .split_whitespace()
        .any(|p| texts.iter().any(|t| fnmatch::matches(p, t)));
    tri(hit != invert)
}

/// Whether a `.link` file's [Match] section matches the PF's interface.
pub fn link_applies(entries: &[Entry], pf: &Pf) -> (Tri, Option<String>) {
    let keys: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.section == "Match" && !e.value.is_empty())
        .collect();
    if keys.is_empty() || pf.netdevs.is_empty() {
        // systemd ignores a .link file with an empty [Match].
        return (Tri::No, None);
    }
    let path = format!("pci-{}", pf.address);
    let mut unsure = None;
    let mut answers = Vec::new();
    for e in keys {
        let a = match e.key.as_str() {
            "Path" => link_list(&e.value, &[&path]),
            "Driver" => match pf.driver {
                Some(d) => link_list(&e.value, &[d]),
                None => Tri::Unsure,
            },
            "MACAddress" if !pf.macs.is_empty() => {
                let want: Vec<String> = e.value.split_whitespace().map(str::to_lowercase).collect();
                tri(pf.macs.iter().any(|m| want.contains(m)))
            }
            "Type" => link_list(&e.value, &["ether"]),
            // The kernel's name before any rename: only `*` can be told.
            "OriginalName" if e.value.split_whitespace().any(|p| p == "*") => Tri::Yes,
            _ => Tri::Unsure,
        };
        if a == Tri::Unsure && unsure.is_none() {
            unsure = Some(format!("{}=", e.key));
        }
        answers.push(a);
    }
    (all(answers), unsure)
}

/// The VF count a `.link` file sets: SR-IOVVirtualFunctions=, else one more
/// than the highest VirtualFunction= of its [SR-IOV] sections.
pub fn link_count(entries: &[Entry]) -> Option<(Option<u32>, usize)> {
    if let Some(e) = keyfile::last(entries, "Link", "SR-IOVVirtualFunctions") {
        return Some((e.value.parse().ok(), e.line));
    }
    let vfs: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.section == "SR-IOV" && e.key == "VirtualFunction")
        .collect();
    let first = vfs.first()?.line;
    let max = vfs.iter().filter_map(|e| e.value.parse::<u32>().ok()).max();
    Some((max.map(|m| m + 1), first))
}

/// Whether a NetworkManager connection is for the PF's interface.
pub fn nm_applies(entries: &[Entry], pf: &Pf) -> (Tri, Option<String>) {
    if pf.netdevs.is_empty() {
        return (Tri::No, None);
    }
    if let Some(e) = keyfile::last(entries, "connection", "interface-name") {
        return (tri(pf.netdevs.contains(&e.value)), None);
    }
    if let Some(e) = keyfile::last(entries, "ethernet", "mac-address") {
        let want = e.value.to_lowercase();
        if !pf.macs.is_empty() {
            return (tri(pf.macs.contains(&want)), None);
        }
    }
    let matches: Vec<&Entry> = entries.iter().filter(|e| e.section == "match").collect();
    if matches.is_empty() {
        return (
            Tri::Unsure,
            Some("no interface-name: it applies to whichever interface it is activated on".into()),
        );
    }
    let path = format!("pci-{}", pf.address);
    let mut unsure = None;
    let mut answers = Vec::new();
    for e in matches {
        let texts: Vec<&str> = match e.key.as_str() {
            "interface-name" => pf.netdevs.iter().map(String::as_str).collect(),
            "path" => vec![path.as_str()],
            "driver" => pf.driver.into_iter().collect(),
            _ => Vec::new(),
        };
        let a = if texts.is_empty() {
            Tri::Unsure
        } else {
            nm_list(&e.value, &texts)
        };
        if a == Tri::Unsure && unsure.is_none() {
            unsure = Some(format!("match.{}", e.key));
        }
        answers.push(a);
    }
    (all(answers), unsure)
}

/// NetworkManager's match lists (nm-settings-nmcli(5), `match`): patterns
/// separated by `;` or `,`; `!` excludes, `|` (the default) is optional.
fn nm_list(value: &str, texts: &[&str]) -> Tri {
    let mut any_positive = false;
    let mut hit = false;
    for p in value
        .split([';', ','])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        if let Some(neg) = p.strip_prefix('!') {
            if texts.iter().any(|t| fnmatch::matches(neg, t)) {
                return Tri::No;
            }
        } else {
            any_positive = true;
            let p = p.trim_start_matches(['|', '&']);
            hit |= texts.iter().any(|t| fnmatch::matches(p, t));
        }
    }
    tri(hit || !any_positive)
}

#[cfg(test)]
#[path = "matching_tests.rs"]
mod tests;
