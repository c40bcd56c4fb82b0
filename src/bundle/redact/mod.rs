//! Redaction: what a bundle keeps of a host that is not needed to check it.
//! Names (host name, guest names), MAC addresses, UUIDs, IP addresses,
//! serial numbers and asset tags are replaced by stand-ins, the same value
//! by the same stand-in everywhere (contents, paths, link targets, listings,
//! the kernel log); /etc/passwd and /etc/group keep root, the QEMU user and
//! their groups; of each process only its pid, comm, the Uid line of status,
//! its VFIO fd links, the locked-memory limit and, for QEMU, argv[0] and the
//! `-device` arguments that assign host devices are kept. Binary files
//! (ACPI tables, PCI config space) are kept as they are.

use std::collections::{BTreeMap, BTreeSet};

use regex::Regex;

use crate::bundle::as_text;
use crate::facts::Facts;
use crate::hostfs::{FsErrorKind, Node};

mod keep;
mod scrub;
#[cfg(test)]
mod tests;

use keep::{processes, users_and_groups};
use scrub::Redactor;

fn text_of(nodes: &BTreeMap<String, Node>, path: &str) -> Option<String> {
    nodes
        .get(path)
        .and_then(|n| n.content.as_deref())
        .map(|c| String::from_utf8_lossy(c).into_owned())
}

/// Guest names: from the facts, the libvirt and xl files themselves, and
/// QEMU command lines (`-name guest=NAME`).
fn guest_names(nodes: &BTreeMap<String, Node>, facts: &Facts) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    if let Some(g) = facts.host.guests.value() {
        names.extend(g.iter().map(|g| g.name.clone()));
    }
    let xml_name = Regex::new(r"<name>([^<]+)</name>").expect("valid regex");
    let qemu_name = Regex::new(r"-name\x00(?:guest=)?([^,\x00]+)").expect("valid regex");
    for (path, n) in nodes {
        let Some(c) = &n.content else { continue };
        let text = String::from_utf8_lossy(c);
        let libvirt = ["/run/libvirt/qemu/", "/etc/libvirt/qemu/"]
            .iter()
            .any(|d| path.starts_with(d));
        if libvirt && path.ends_with(".xml") {
            match crate::formats::libvirt_xml::parse(&text) {
                Ok(d) => {
                    names.insert(d.name);
                }
                Err(_) => names.extend(xml_name.captures(&text).map(|c| c[1].to_string())),
            }
        } else if path.starts_with("/etc/xen/") {
            if let Some(c) = crate::formats::xl_cfg::parse(&text) {
                names.insert(c.name);
            }
        } else if path.starts_with("/proc/") && path.ends_with("/cmdline") {
            names.extend(qemu_name.captures_iter(&text).map(|c| c[1].to_string()));
        }
    }
    // libvirt names its state files after the guest.
    for path in nodes.keys() {
        if let Some(file) = path.strip_prefix("/run/libvirt/qemu/") {
            if let Some(stem) = file.strip_suffix(".xml").or(file.strip_suffix(".pid")) {
                if !stem.contains('/') {
                    names.insert(stem.to_string());
                }
            }
        }
    }
    names.retain(|n| !n.trim().is_empty());
    names
}

/// DMI serial numbers, asset tags and the product UUID.
fn is_serial(path: &str) -> bool {
    let base = crate::hostfs::base_name(path);
    (path.starts_with("/sys/class/dmi/") || path.starts_with("/sys/devices/virtual/dmi/"))
        && (base.contains("serial") || base.contains("asset_tag") || base == "product_uuid")
}

/// Redacts the recorded entries and the kernel log lines.
pub fn redact(
    nodes: BTreeMap<String, Node>,
    log: Vec<String>,
    facts: &Facts,
) -> (BTreeMap<String, Node>, Vec<String>) {
    let mut nodes = nodes;
    let mut names = BTreeMap::new();
    let mut host_n = 0;
    for path in ["/proc/sys/kernel/hostname", "/etc/hostname"] {
        let Some(h) = text_of(&nodes, path) else {
            continue;
        };
        let h = h.trim().to_string();
        if h.is_empty() || h == "localhost" || h == "localhost.localdomain" {
            continue;
        }
        let short = h.split('.').next().unwrap_or(&h).to_string();
        if !names.contains_key(&h) {
            host_n += 1;
            let stand_in = format!("host-{host_n}");
            names.insert(short, stand_in.clone());
            names.insert(h, stand_in);
        }
    }
    for (i, g) in guest_names(&nodes, facts).into_iter().enumerate() {
        names.entry(g).or_insert_with(|| format!("guest-{}", i + 1));
    }
    users_and_groups(&mut nodes, facts);
    processes(&mut nodes);
    let mut r = Redactor::new(names);
    let mut out = BTreeMap::new();
    for (path, mut n) in nodes {
        if is_serial(&path) && n.content.is_some() {
            let v =
                text_of(&BTreeMap::from([(path.clone(), n.clone())]), &path).unwrap_or_default();
            n.content = Some(
                r.stand_in("serial", v.trim(), |k| format!("serial-{k}\n"))
                    .into_bytes(),
            );
        }
        if let Some(c) = &n.content {
            if let Some(t) = as_text(c) {
                n.content = Some(r.scrub(t).into_bytes());
            }
        }
        if let Some(t) = &n.target {
            n.target = Some(
                t.split('/')
                    .map(|c| r.scrub(c))
                    .collect::<Vec<_>>()
                    .join("/"),
            );
        }
        if let Some(names) = &n.entries {
            n.entries = Some(names.iter().map(|e| r.scrub(e)).collect());
        }
        if let Some(FsErrorKind::Other(why)) = &n.error {
            n.error = Some(FsErrorKind::Other(r.scrub(why)));
        }
        out.insert(r.scrub_path(&path), n);
    }
    let log = log.iter().map(|l| r.scrub(l)).collect();
    (out, log)
}
