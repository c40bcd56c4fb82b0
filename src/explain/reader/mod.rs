//! The generic reader under the signatures: on any line, what it names —
//! PCI addresses in every form people and programs write them, IOMMU
//! groups, VFIO device files, mdev UUIDs, libvirt domain names and errno
//! values. Pure functions of the text ([`read_line`]); what a name stands
//! for on this host is looked up by [`resolve`].
//!
//! False positives cost more than misses here (a wrong address focuses the
//! checks on the wrong device), so every form is anchored: an address must
//! stand alone (not inside a timestamp such as 08:06:48.563, a MAC, an IPv6
//! address or a version), its device number is at most 1f and its function
//! 0-7; a group needs the word group (or /dev/vfio/N); a number is read as
//! an errno only where a program prints one.

mod domain;
mod errno;

use std::sync::OnceLock;

use regex::Regex;
use schemars::JsonSchema;
use serde::Serialize;

use crate::address::PciAddress;
use crate::hostfs::{base_name, HostFs};

pub use domain::domains;
pub use errno::{errno_name, ERRNOS};

/// What a name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A PCI function.
    Device,
    /// An IOMMU group (its number).
    Group,
    /// A VFIO device file of the iommufd interface (`vfioN`).
    VfioDevice,
    /// A mediated device (its UUID).
    Mdev,
    /// A libvirt domain (or KubeVirt VMI) name.
    Domain,
    /// An error number, name or text.
    Errno,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Device => "device",
            Kind::Group => "group",
            Kind::VfioDevice => "vfio_device",
            Kind::Mdev => "mdev",
            Kind::Domain => "domain",
            Kind::Errno => "errno",
        }
    }
}

/// One thing a line names, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mention {
    pub kind: Kind,
    /// As written (a group's and a VFIO device's number or name alone).
    pub value: String,
    /// The errno name, for [`Kind::Errno`].
    pub errno: Option<&'static str>,
}

/// A built-in pattern, compiled once. Its word boundaries are ASCII ones
/// (what the lines' names are made of), which keeps the matching on the
/// fast engines for input of any size.
fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| compile(pattern))
}

fn compile(pattern: &str) -> Regex {
    Regex::new(&pattern.replace(r"\b", r"(?-u:\b)")).expect("a valid built-in pattern")
}

/// Everything `line` names, in the order of the kinds, each once.
pub fn read_line(line: &str) -> Vec<Mention> {
    let mut out: Vec<Mention> = Vec::new();
    let mut push = |kind: Kind, value: &str, errno: Option<&'static str>| {
        let same = |m: &Mention| {
            m.kind == kind
                && match kind {
                    Kind::Device => canonical(&m.value) == canonical(value),
                    Kind::Errno => m.errno == errno,
                    _ => m.value == value,
                }
        };
        if !out.iter().any(same) {
            out.push(Mention {
                kind,
                value: value.to_string(),
                errno,
            });
        }
    };
    for a in addresses(line) {
        push(Kind::Device, a, None);
    }
    for g in groups(line) {
        push(Kind::Group, g, None);
    }
    for v in vfio_devices(line) {
        push(Kind::VfioDevice, v, None);
    }
    for u in mdevs(line) {
        push(Kind::Mdev, u, None);
    }
    for d in domains(line) {
        push(Kind::Domain, d, None);
    }
    for (value, name) in errno::errnos(line) {
        push(Kind::Errno, value, Some(name));
    }
    out
}

/// Characters that may stand right before an address.
fn opens(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => c.is_whitespace() || "=\"'([{</,|;>@".contains(c),
    }
}

/// Whether an address ends at byte `end` of `line`: the next character
/// closes it (a '.' or ':' only when no letter or digit follows).
fn closes(line: &str, end: usize) -> bool {
    let mut rest = line[end..].chars();
    match rest.next() {
        None => true,
        Some(c) if c.is_whitespace() || "\"')]},;!>|/".contains(c) => true,
        Some('.' | ':') => rest.next().is_none_or(|n| !n.is_ascii_alphanumeric()),
        Some(_) => false,
    }
}

/// The PCI addresses on a line, as written: `0000:03:10.0`, `03:10.0`,
/// `3:10.0`, `pci_0000_03_10_0`, wherever they stand alone (after `host=`,
/// in JSON, in sysfs paths, in brackets).
pub fn addresses(line: &str) -> Vec<&str> {
    static PCI: OnceLock<Regex> = OnceLock::new();
    static LIBVIRT: OnceLock<Regex> = OnceLock::new();
    let mut out = Vec::new();
    if !line.contains('.') && !line.contains("pci_") {
        return out;
    }
    let pci = re(
        &PCI,
        r"(?i)(?:[0-9a-f]{4,8}:)?[0-9a-f]{1,2}:[0-9a-f]{2}\.[0-9a-f]",
    );
    for m in pci.find_iter(line) {
        let before = line[..m.start()].chars().next_back();
        if !opens(before) || !closes(line, m.end()) {
            continue;
        }
        if PciAddress::parse(&pad(m.as_str())).is_ok() {
            out.push(m.as_str());
        }
    }
    let libvirt = re(
        &LIBVIRT,
        r"(?i)\bpci_[0-9a-f]{4}_[0-9a-f]{2}_[0-9a-f]{2}_[0-7]\b",
    );
    for m in libvirt.find_iter(line) {
        if PciAddress::parse(m.as_str()).is_ok() {
            out.push(m.as_str());
        }
    }
    out
}

/// `3:10.0` → `03:10.0`, which [`PciAddress::parse`] reads.
fn pad(text: &str) -> String {
    match text.split_once(':') {
        Some((b, rest)) if b.len() == 1 && !rest.contains(':') => format!("0{text}"),
        _ => text.to_string(),
    }
}

/// bus:device.function of an address in any form, lower case (to compare).
pub fn canonical(text: &str) -> Option<String> {
    let text = if text.contains('_') {
        text.to_string()
    } else {
        pad(text)
    };
    PciAddress::parse(&text)
        .ok()
        .map(|(a, _)| format!("{:02x}:{:02x}.{}", a.bus, a.device, a.function))
}

/// IOMMU groups: `group N`, `iommu_group N`, `VFIO group N`, `/dev/vfio/N`,
/// `iommu_groups/N`.
pub fn groups(line: &str) -> Vec<&str> {
    static WORD: OnceLock<Regex> = OnceLock::new();
    static PATH: OnceLock<Regex> = OnceLock::new();
    let mut out = Vec::new();
    let lower = line.to_ascii_lowercase();
    if !lower.contains("group") && !lower.contains("/dev/vfio/") {
        return out;
    }
    let word = re(
        &WORD,
        r"(?i)(?:\b(?:iommu[_ ]|vfio )?group\s*[:#=]?\s*)([0-9]{1,5})\b",
    );
    for c in word.captures_iter(line) {
        let (whole, n) = (c.get(0).expect("match"), c.get(1).expect("group"));
        // Not "process group 12" nor "thread group".
        let before = line[..whole.start()].trim_end().to_ascii_lowercase();
        if before.ends_with("process") || before.ends_with("thread") {
            continue;
        }
        // Not a count ("group 2 of 5" is rare; "1 group" has no number after).
        out.push(n.as_str());
    }
    let path = re(&PATH, r"(?:/dev/vfio/|iommu_groups/)([0-9]{1,5})\b");
    for c in path.captures_iter(line) {
        out.push(c.get(1).expect("group").as_str());
    }
    out
}

/// VFIO device files of the iommufd interface: `/dev/vfio/devices/vfioN`.
pub fn vfio_devices(line: &str) -> Vec<&str> {
    static CDEV: OnceLock<Regex> = OnceLock::new();
    if !line.contains("/dev/vfio/devices/") {
        return Vec::new();
    }
    re(&CDEV, r"/dev/vfio/devices/(vfio[0-9]{1,5})\b")
        .captures_iter(line)
        .filter_map(|c| c.get(1).map(|m| m.as_str()))
        .collect()
}

/// mdev UUIDs, where the line says they are mdevs: under a sysfs device
/// (`/sys/bus/mdev/devices/UUID`, `/sys/bus/pci/devices/ADDR/UUID`), after
/// `sysfsdev=` or `mdev`, or written to an mdev type's `create`.
pub fn mdevs(line: &str) -> Vec<&str> {
    static UUID: OnceLock<Regex> = OnceLock::new();
    let lower = line.to_ascii_lowercase();
    if !lower.contains("mdev") && !lower.contains("/sys/") {
        return Vec::new();
    }
    let uuid = re(
        &UUID,
        r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
    );
    let about_mdev = lower.contains("mdev");
    uuid.find_iter(line)
        .filter(|m| {
            let before = &line[..m.start()];
            about_mdev || before.ends_with('/') && before.contains("/sys/")
        })
        .map(|m| m.as_str())
        .collect()
}

/// What a mention stands for on this host: a device's full address (a
/// short one widened to the one device of that bus, slot and function),
/// the PCI parent of an mdev (through /sys/bus/mdev/devices/UUID) or of a
/// VFIO device file (/sys/class/vfio-dev/vfioN/device), an errno's name.
/// None when the host has no such thing.
pub fn resolve(fs: &dyn HostFs, present: &[PciAddress], m: &Mention) -> Option<String> {
    match m.kind {
        Kind::Device => device_on_host(present, &m.value).map(|a| a.to_string()),
        Kind::Mdev => {
            let target = fs
                .read_link(&format!("/sys/bus/mdev/devices/{}", m.value.to_lowercase()))
                .ok()?;
            let parent = target.trim_end_matches('/').rsplit('/').nth(1)?;
            parent.parse::<PciAddress>().ok().map(|a| a.to_string())
        }
        Kind::VfioDevice => {
            let target = fs
                .read_link(&format!("/sys/class/vfio-dev/{}/device", m.value))
                .ok()?;
            base_name(&target)
                .parse::<PciAddress>()
                .ok()
                .map(|a| a.to_string())
        }
        Kind::Errno => m.errno.map(str::to_string),
        Kind::Group | Kind::Domain => None,
    }
}

/// The device of this host an address names (short forms: the only one
/// with that bus, slot and function).
pub fn device_on_host(present: &[PciAddress], text: &str) -> Option<PciAddress> {
    let text = if text.contains('_') {
        text.to_string()
    } else {
        pad(text)
    };
    let (a, form) = PciAddress::parse(&text).ok()?;
    match form {
        crate::address::AddressForm::Full => present.contains(&a).then_some(a),
        crate::address::AddressForm::Short => {
            let mut same = present
                .iter()
                .filter(|p| (p.bus, p.device, p.function) == (a.bus, a.device, a.function));
            match (same.next(), same.next()) {
                (Some(one), None) => Some(*one),
                _ => None,
            }
        }
    }
}

#[cfg(test)]
mod tests;
