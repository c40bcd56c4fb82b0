//! Guests as libvirt and Xen describe them: running domains from libvirt's
//! state files (/run/libvirt/qemu/NAME.xml, a <domstatus> around the domain),
//! persistent definitions (/etc/libvirt/qemu/*.xml), and xl configs
//! (/etc/xen/*.cfg); with the PCI devices each one names.

use crate::facts::{GuestFacts, GuestKind, Known};
use crate::formats::{libvirt_xml, xl_cfg};
use crate::hostfs::{join, FsError, HostFs};

const RUN: &str = "/run/libvirt/qemu";
const ETC: &str = "/etc/libvirt/qemu";
const XEN: &str = "/etc/xen";

fn list_xml(fs: &dyn HostFs, dir: &str, ext: &str) -> Result<Vec<String>, FsError> {
    match fs.list_dir(dir) {
        Ok(names) => Ok(names.into_iter().filter(|n| n.ends_with(ext)).collect()),
        Err(e) if e.is_not_found() => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// A guest from its libvirt domain document.
fn libvirt_guest(text: &str, source: &str, running: bool) -> Result<GuestFacts, String> {
    let d = libvirt_xml::parse(text).map_err(|e| format!("{source}: {e}"))?;
    let legacy = d
        .hostdevs
        .iter()
        .filter(|h| h.kvm)
        .map(|h| h.address.to_string())
        .collect();
    Ok(GuestFacts {
        name: d.name,
        kind: GuestKind::Libvirt,
        running,
        pid: d.pid,
        source: source.to_string(),
        memory_kib: d.memory_kib,
        hard_limit_kib: d.hard_limit_kib,
        hostdevs: d.hostdevs.iter().map(|h| h.address.to_string()).collect(),
        legacy_hostdevs: legacy,
        memlock_bytes: Known::unknown("not a running guest"),
    })
}

/// A guest from its xl config; None when xl cannot use it (no name).
fn xl_guest(text: &str, source: &str) -> Option<GuestFacts> {
    let c = xl_cfg::parse(text)?;
    Some(GuestFacts {
        name: c.name,
        kind: GuestKind::Xl,
        running: false,
        pid: None,
        source: source.to_string(),
        memory_kib: None,
        hard_limit_kib: None,
        hostdevs: c.pci.iter().map(|a| a.to_string()).collect(),
        legacy_hostdevs: Vec::new(),
        memlock_bytes: Known::unknown("not a running guest"),
    })
}

/// Running libvirt guests, persistent libvirt definitions, and xl configs.
pub fn probe(fs: &dyn HostFs) -> Known<Vec<GuestFacts>> {
    let mut out = Vec::new();
    for (dir, running) in [(RUN, true), (ETC, false)] {
        let names = match list_xml(fs, dir, ".xml") {
            Ok(n) => n,
            Err(e) => return Known::unknown(e.to_string()),
        };
        for n in names {
            let path = join(dir, &n);
            let text = match fs.read_text(&path) {
                Ok(t) => t,
                Err(e) => return Known::unknown(e.to_string()),
            };
            match libvirt_guest(&text, &path, running) {
                Ok(g) => out.push(g),
                Err(e) => return Known::unknown(e),
            }
        }
    }
    match list_xml(fs, XEN, ".cfg") {
        Ok(names) => {
            // A config xl cannot read (no name) defines no guest; one that
            // cannot be read at all may define any.
            for n in names {
                let path = join(XEN, &n);
                match fs.read_text(&path) {
                    Ok(text) => out.extend(xl_guest(&text, &path)),
                    Err(e) if e.is_not_found() => {}
                    Err(e) => return Known::unknown(e.to_string()),
                }
            }
        }
        Err(e) => return Known::unknown(e.to_string()),
    }
    Known::Value(out)
}
