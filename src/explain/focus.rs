//! What the input names (the signatures' captures and the reader's
//! findings, line by line) and the devices explain checks for it.

use schemars::JsonSchema;
use serde::Serialize;

use super::reader::{self, Kind, Mention};
use super::Match;
use crate::address::{AddressForm, PciAddress};
use crate::hostfs::{base_name, HostFs};

/// One thing a line of the input names.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Named {
    /// 1-based line of the input.
    pub line_number: usize,
    pub kind: Kind,
    /// As written.
    pub value: String,
    /// What it is on this host: a device's full address (an mdev's or a
    /// VFIO device file's parent device), an errno's name; null when this
    /// host has no such thing (or, for a group or a domain, always).
    pub resolved: Option<String>,
    /// A signature's capture or the generic reader.
    pub by: By,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum By {
    Signature,
    Reader,
}

/// Which devices the checks were focused on, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The devices the input (or --device) names, an mdev's parent.
    Named,
    /// The members of the IOMMU groups the input names.
    Group,
    /// The devices of the guest the input names.
    Guest,
    /// The input names no device: every VF, every device bound to a VFIO
    /// driver and every device of a group with firmware-reserved memory,
    /// where host-wide causes show.
    Candidates,
    /// No device: the input names none this host has, and it has no
    /// candidate.
    Host,
}

fn same(a: &Named, kind: Kind, value: &str, resolved: Option<&str>) -> bool {
    a.kind == kind
        && match kind {
            Kind::Device => reader::canonical(&a.value) == reader::canonical(value),
            Kind::Errno => a.resolved.as_deref() == resolved,
            _ => a.value == value,
        }
}

/// Everything the lines name: first what the signatures matched on a line
/// captured, then what the reader finds there besides.
pub fn named(
    fs: &dyn HostFs,
    present: &[PciAddress],
    lines: &[String],
    found: &[Match],
) -> Vec<Named> {
    let mut out: Vec<Named> = Vec::new();
    let mut by_line: std::collections::BTreeMap<usize, Vec<&Match>> = Default::default();
    for m in found {
        by_line.entry(m.line_number).or_default().push(m);
    }
    for (i, line) in lines.iter().enumerate() {
        let line_number = i + 1;
        let start = out.len();
        let captured = by_line
            .get(&line_number)
            .into_iter()
            .flatten()
            .flat_map(|m| m.captures.iter())
            .filter_map(|(k, v)| {
                let kind = match k.as_str() {
                    "device" => Kind::Device,
                    "group" => Kind::Group,
                    "domain" => Kind::Domain,
                    _ => return None,
                };
                Some((
                    Mention {
                        kind,
                        value: v.clone(),
                        errno: None,
                    },
                    By::Signature,
                ))
            });
        let read = reader::read_line(line).into_iter().map(|m| (m, By::Reader));
        for (m, by) in captured.collect::<Vec<_>>().into_iter().chain(read) {
            let resolved = reader::resolve(fs, present, &m);
            if out[start..]
                .iter()
                .any(|n| same(n, m.kind, &m.value, resolved.as_deref()))
            {
                continue;
            }
            out.push(Named {
                line_number,
                kind: m.kind,
                value: m.value,
                resolved,
                by,
            });
        }
    }
    out
}

/// The devices to check: those named (short addresses widened to the
/// host's devices with that bus, slot and function; mdevs and VFIO device
/// files through their parent), else the members of the groups named, else
/// the named guest's devices, else every assignment candidate. Also the
/// addresses named that this host does not have.
pub fn focus(
    fs: &dyn HostFs,
    named: &[Named],
    asked: super::Asked,
    present: &[PciAddress],
) -> (Vec<PciAddress>, Vec<String>, Scope) {
    let devices = asked.devices;
    let mut focus = Vec::new();
    let mut missing = Vec::new();
    let written = named
        .iter()
        .filter(|n| n.kind == Kind::Device)
        .map(|n| n.value.as_str())
        .chain(devices.iter().map(String::as_str));
    for dev in written {
        let padded = match dev.split_once(':') {
            Some((b, rest)) if b.len() == 1 && !rest.contains(':') => format!("0{dev}"),
            _ => dev.to_string(),
        };
        match PciAddress::parse(&padded) {
            Ok((a, AddressForm::Short)) => {
                let same: Vec<&PciAddress> = present
                    .iter()
                    .filter(|p| (p.bus, p.device, p.function) == (a.bus, a.device, a.function))
                    .collect();
                match same.as_slice() {
                    [] => missing.push(a.to_string()),
                    many => focus.extend(many.iter().copied()),
                }
            }
            Ok((a, _)) if present.contains(&a) => focus.push(a),
            Ok((a, _)) => missing.push(a.to_string()),
            Err(_) => {}
        }
    }
    focus.extend(
        named
            .iter()
            .filter(|n| matches!(n.kind, Kind::Mdev | Kind::VfioDevice))
            .filter_map(|n| n.resolved.as_deref()?.parse::<PciAddress>().ok()),
    );
    let mut scope = Scope::Named;
    // A group stands for its devices only when no message names a device
    // (a group next to a device this host does not have is that other
    // machine's group).
    if focus.is_empty() && missing.is_empty() {
        scope = Scope::Group;
        for n in named.iter().filter(|n| n.kind == Kind::Group) {
            let dir = format!("/sys/kernel/iommu_groups/{}/devices", n.value);
            for name in fs.list_dir(&dir).unwrap_or_default() {
                if let Ok(a) = name.parse::<PciAddress>() {
                    focus.push(a);
                }
            }
        }
    }
    // Nothing on this host named: the guest named, or every candidate,
    // unless the input names devices this host does not have.
    let names_devices = named.iter().any(|n| {
        matches!(
            n.kind,
            Kind::Device | Kind::Group | Kind::Mdev | Kind::VfioDevice
        )
    }) || !devices.is_empty();
    if focus.is_empty() && !names_devices {
        let domains: Vec<&str> = named
            .iter()
            .filter(|n| n.kind == Kind::Domain)
            .map(|n| n.value.as_str())
            .chain(asked.guests.iter().map(String::as_str))
            .collect();
        let guests = guest_devices(fs, &domains, present);
        if guests.is_empty() {
            scope = Scope::Candidates;
            focus = candidates(fs, present);
        } else {
            scope = Scope::Guest;
            focus = guests;
        }
    }
    if focus.is_empty() {
        scope = Scope::Host;
    }
    focus.sort();
    focus.dedup();
    missing.sort();
    missing.dedup();
    (focus, missing, scope)
}

/// The devices of this host the named guests are given (libvirt or xl).
fn guest_devices(fs: &dyn HostFs, domains: &[&str], present: &[PciAddress]) -> Vec<PciAddress> {
    if domains.is_empty() {
        return Vec::new();
    }
    let guests = crate::probes::guests::probe(fs);
    let Some(guests) = guests.value() else {
        return Vec::new();
    };
    guests
        .iter()
        .filter(|g| domains.contains(&g.name.as_str()))
        .flat_map(|g| g.hostdevs.iter())
        .filter_map(|h| h.parse::<PciAddress>().ok())
        .filter(|a| present.contains(a))
        .collect()
}

/// Every VF, every device bound to a VFIO driver, and every device of an
/// IOMMU group the firmware reserves memory in (a `direct` region of its
/// reserved_regions: an RMRR or IVMD, which VFIO refuses, and which a
/// managed device returned to its host driver after the failure still
/// has): what a guest could have been given here.
fn candidates(fs: &dyn HostFs, present: &[PciAddress]) -> Vec<PciAddress> {
    let mut out: Vec<PciAddress> = present
        .iter()
        .filter(|a| {
            let dir = format!("/sys/bus/pci/devices/{a}");
            let vf = fs.read_link(&format!("{dir}/physfn")).is_ok();
            vf || fs
                .read_link(&format!("{dir}/driver"))
                .is_ok_and(|d| base_name(&d).contains("vfio"))
        })
        .copied()
        .collect();
    const GROUPS: &str = "/sys/kernel/iommu_groups";
    for g in fs.list_dir(GROUPS).unwrap_or_default() {
        let regions = fs
            .read_text(&format!("{GROUPS}/{g}/reserved_regions"))
            .unwrap_or_default();
        if !regions
            .lines()
            .any(|l| l.split_whitespace().nth(2) == Some("direct"))
        {
            continue;
        }
        for name in fs
            .list_dir(&format!("{GROUPS}/{g}/devices"))
            .unwrap_or_default()
        {
            if let Ok(a) = name.parse::<PciAddress>() {
                if present.contains(&a) {
                    out.push(a);
                }
            }
        }
    }
    out
}

impl Scope {
    /// What the checks covered, for the note.
    pub fn describe(self) -> &'static str {
        match self {
            Scope::Named => "the devices it names and on this host",
            Scope::Group => "the devices of the IOMMU groups it names and on this host",
            Scope::Guest => "the devices of the guest it names and on this host",
            Scope::Candidates => {
                "every VF, VFIO-bound and RMRR-encumbered device of this host (the input names no device) and on the host"
            }
            Scope::Host => "this host",
        }
    }
}
