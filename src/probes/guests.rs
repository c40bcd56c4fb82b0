//! Guests as libvirt and Xen describe them: running domains from libvirt's
//! state files (/run/libvirt/qemu/NAME.xml, a <domstatus> around the domain),
//! persistent definitions (/etc/libvirt/qemu/*.xml), and xl configs
//! (/etc/xen/*.cfg); with the PCI devices each one names.

use regex::Regex;

use crate::address::PciAddress;
use crate::facts::{GuestFacts, GuestKind, Known};
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

fn num(n: &roxmltree::Node, attr: &str) -> Option<u32> {
    let v = n.attribute(attr)?;
    match v.strip_prefix("0x") {
        Some(h) => u32::from_str_radix(h, 16).ok(),
        None => v.parse().ok(),
    }
}

/// KiB from an element with libvirt's unit attribute (KiB by default).
fn kib(n: roxmltree::Node) -> Option<u64> {
    let value: u64 = n.text()?.trim().parse().ok()?;
    let factor = match n.attribute("unit").unwrap_or("KiB") {
        "b" | "bytes" => return Some(value / 1024),
        "KiB" | "k" | "K" => 1,
        "MiB" | "M" => 1024,
        "GiB" | "G" => 1024 * 1024,
        "TiB" | "T" => 1024 * 1024 * 1024,
        _ => return None,
    };
    value.checked_mul(factor)
}

/// One domain document (a <domain>, or a <domstatus> holding one).
pub fn parse_domain(text: &str, source: &str, running: bool) -> Result<GuestFacts, String> {
    let doc = roxmltree::Document::parse(text).map_err(|e| format!("{source}: {e}"))?;
    let root = doc.root_element();
    let pid = (root.tag_name().name() == "domstatus")
        .then(|| root.attribute("pid").and_then(|p| p.parse().ok()))
        .flatten();
    let domain = if root.tag_name().name() == "domain" {
        root
    } else {
        root.children()
            .find(|c| c.has_tag_name("domain"))
            .ok_or_else(|| format!("{source}: no <domain> element"))?
    };
    let child = |name: &str| domain.children().find(|c| c.has_tag_name(name));
    let name = child("name")
        .and_then(|n| n.text())
        .map(str::to_string)
        .ok_or_else(|| format!("{source}: the domain has no <name>"))?;
    let memory_kib = child("memory").and_then(kib);
    let hard_limit_kib = child("memtune")
        .and_then(|m| m.children().find(|c| c.has_tag_name("hard_limit")))
        .and_then(kib);
    let mut hostdevs = Vec::new();
    let mut legacy = Vec::new();
    // <hostdev> and <interface type='hostdev'> both carry <source><address>.
    for dev in domain.descendants().filter(|n| {
        n.has_tag_name("hostdev")
            || (n.has_tag_name("interface") && n.attribute("type") == Some("hostdev"))
    }) {
        let Some(src) = dev.children().find(|c| c.has_tag_name("source")) else {
            continue;
        };
        let Some(addr) = src.children().find(|c| c.has_tag_name("address")) else {
            continue;
        };
        let (Some(bus), Some(slot), Some(function)) = (
            num(&addr, "bus"),
            num(&addr, "slot"),
            num(&addr, "function"),
        ) else {
            continue;
        };
        let a = PciAddress {
            domain: num(&addr, "domain").unwrap_or(0),
            bus: bus as u8,
            device: slot as u8,
            function: function as u8,
        };
        let kvm = dev
            .children()
            .find(|c| c.has_tag_name("driver"))
            .and_then(|d| d.attribute("name"))
            == Some("kvm");
        hostdevs.push(a.to_string());
        if kvm {
            legacy.push(a.to_string());
        }
    }
    Ok(GuestFacts {
        name,
        kind: GuestKind::Libvirt,
        running,
        pid,
        source: source.to_string(),
        memory_kib,
        hard_limit_kib,
        hostdevs,
        legacy_hostdevs: legacy,
        memlock_bytes: Known::unknown("not a running guest"),
    })
}

/// PCI devices an xl config names: `pci = [ '0000:03:10.0,permissive=1', '03:10.1' ]`.
pub fn parse_xl(text: &str, source: &str) -> Option<GuestFacts> {
    let name_re = Regex::new(r#"(?m)^\s*name\s*=\s*["']([^"']+)["']"#).expect("valid regex");
    let pci_re = Regex::new(r"(?ms)^\s*pci\s*=\s*\[(.*?)\]").expect("valid regex");
    let item_re = Regex::new(r#"["']([^"']+)["']"#).expect("valid regex");
    let name = name_re.captures(text)?.get(1)?.as_str().to_string();
    let mut hostdevs = Vec::new();
    if let Some(list) = pci_re.captures(text).and_then(|c| c.get(1)) {
        for item in item_re.captures_iter(list.as_str()) {
            let spec = item[1]
                .split(',')
                .next()
                .unwrap_or("")
                .split('@')
                .next()
                .unwrap_or("");
            if let Ok((a, _)) = PciAddress::parse(spec.trim()) {
                hostdevs.push(a.to_string());
            }
        }
    }
    Some(GuestFacts {
        name,
        kind: GuestKind::Xl,
        running: false,
        pid: None,
        source: source.to_string(),
        memory_kib: None,
        hard_limit_kib: None,
        hostdevs,
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
            match parse_domain(&text, &path, running) {
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
                    Ok(text) => out.extend(parse_xl(&text, &path)),
                    Err(e) if e.is_not_found() => {}
                    Err(e) => return Known::unknown(e.to_string()),
                }
            }
        }
        Err(e) => return Known::unknown(e.to_string()),
    }
    Known::Value(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_libvirts_own_hostdev_xml() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/corpus/libvirt/domain/hostdev-vfio.xml"
        ))
        .unwrap();
        let g = parse_domain(&text, "hostdev-vfio.xml", false).unwrap();
        assert!(!g.hostdevs.is_empty(), "{g:?}");
        assert!(g.memory_kib.is_some());
    }

    #[test]
    fn reads_xl_pci_lists() {
        let g = parse_xl(
            "name = \"vm1\"\nmemory = 4096\npci = [ '0000:03:10.0,permissive=0', '03:10.1' ]\n",
            "vm1.cfg",
        )
        .unwrap();
        assert_eq!(g.name, "vm1");
        assert_eq!(g.hostdevs, ["0000:03:10.0", "0000:03:10.1"]);
    }

    #[test]
    fn memory_units() {
        let d = "<domain><name>x</name><memory unit='GiB'>8</memory><memtune><hard_limit unit='KiB'>4194304</hard_limit></memtune></domain>";
        let g = parse_domain(d, "x", false).unwrap();
        assert_eq!(g.memory_kib, Some(8 * 1024 * 1024));
        assert_eq!(g.hard_limit_kib, Some(4194304));
    }
}
