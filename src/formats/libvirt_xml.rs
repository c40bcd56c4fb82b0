//! libvirt's domain XML: a `<domain>` (a persistent definition in
//! /etc/libvirt/qemu), or a `<domstatus>` around one (a running guest's
//! state file in /run/libvirt/qemu).

use crate::address::PciAddress;

/// What a domain document says about a guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    pub name: String,
    /// The QEMU process, from a `<domstatus pid=…>`.
    pub pid: Option<u32>,
    pub memory_kib: Option<u64>,
    /// `<memtune><hard_limit>`.
    pub hard_limit_kib: Option<u64>,
    /// The host PCI devices it is given, in document order.
    pub hostdevs: Vec<Hostdev>,
}

/// A host PCI device given to the guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hostdev {
    pub address: PciAddress,
    /// `<driver name='kvm'/>`: legacy KVM device assignment (pci-assign).
    pub kvm: bool,
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

/// One domain document (a `<domain>`, or a `<domstatus>` holding one). The
/// error says what is wrong, without the file's name.
pub fn parse(text: &str) -> Result<Domain, String> {
    let doc = roxmltree::Document::parse(text).map_err(|e| e.to_string())?;
    let root = doc.root_element();
    let pid = (root.tag_name().name() == "domstatus")
        .then(|| root.attribute("pid").and_then(|p| p.parse().ok()))
        .flatten();
    let domain = if root.tag_name().name() == "domain" {
        root
    } else {
        root.children()
            .find(|c| c.has_tag_name("domain"))
            .ok_or_else(|| "no <domain> element".to_string())?
    };
    let child = |name: &str| domain.children().find(|c| c.has_tag_name(name));
    let name = child("name")
        .and_then(|n| n.text())
        .map(str::to_string)
        .ok_or_else(|| "the domain has no <name>".to_string())?;
    let memory_kib = child("memory").and_then(kib);
    let hard_limit_kib = child("memtune")
        .and_then(|m| m.children().find(|c| c.has_tag_name("hard_limit")))
        .and_then(kib);
    let mut hostdevs = Vec::new();
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
        let address = PciAddress {
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
        hostdevs.push(Hostdev { address, kvm });
    }
    Ok(Domain {
        name,
        pid,
        memory_kib,
        hard_limit_kib,
        hostdevs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::samples::repo_file;

    fn text(path: &str) -> String {
        String::from_utf8(repo_file(path)).unwrap()
    }

    fn addresses(d: &Domain) -> Vec<String> {
        d.hostdevs.iter().map(|h| h.address.to_string()).collect()
    }

    #[test]
    fn reads_libvirts_own_hostdev_xml() {
        // libvirt's tests/qemuxmlconfdata/hostdev-vfio.xml.
        let d = parse(&text("corpus/libvirt/domain/hostdev-vfio.xml")).unwrap();
        assert_eq!(d.name, "QEMUGuest2");
        assert_eq!(d.memory_kib, Some(219100));
        assert_eq!(d.pid, None);
        assert_eq!(
            addresses(&d),
            [
                "0000:06:12.1",
                "0000:06:12.2",
                "0000:06:12.3",
                "0000:06:12.4"
            ]
        );
        assert!(d.hostdevs.iter().all(|h| !h.kvm));
    }

    #[test]
    fn reads_interface_hostdevs() {
        let d = parse(&text("corpus/libvirt/domain/net-hostdev-vfio.xml")).unwrap();
        assert!(!d.hostdevs.is_empty(), "{d:?}");
    }

    #[test]
    fn memory_units() {
        let d = "<domain><name>x</name><memory unit='GiB'>8</memory><memtune><hard_limit unit='KiB'>4194304</hard_limit></memtune></domain>";
        let d = parse(d).unwrap();
        assert_eq!(d.memory_kib, Some(8 * 1024 * 1024));
        assert_eq!(d.hard_limit_kib, Some(4194304));
    }

    #[test]
    fn a_state_file_gives_the_pid() {
        let d = parse("<domstatus state='running' pid='4242'><domain type='kvm'><name>vm</name></domain></domstatus>").unwrap();
        assert_eq!((d.name.as_str(), d.pid), ("vm", Some(4242)));
        assert_eq!(
            parse("<domstatus pid='1'/>").unwrap_err(),
            "no <domain> element"
        );
        assert_eq!(parse("<domain/>").unwrap_err(), "the domain has no <name>");
    }
}
