//! Xen's xl domain configuration (xl.cfg(5)): `key = value` lines; only the
//! guest's name and its `pci = [ … ]` list are read.

use regex::Regex;

use crate::address::PciAddress;

/// What an xl config says about a guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XlConfig {
    pub name: String,
    /// The devices of its `pci` list, in order.
    pub pci: Vec<PciAddress>,
}

/// PCI devices an xl config names: `pci = [ '0000:03:10.0,permissive=1', '03:10.1' ]`.
/// None when it has no name (xl cannot use it).
pub fn parse(text: &str) -> Option<XlConfig> {
    let name_re = Regex::new(r#"(?m)^\s*name\s*=\s*["']([^"']+)["']"#).expect("valid regex");
    let pci_re = Regex::new(r"(?ms)^\s*pci\s*=\s*\[(.*?)\]").expect("valid regex");
    let item_re = Regex::new(r#"["']([^"']+)["']"#).expect("valid regex");
    let name = name_re.captures(text)?.get(1)?.as_str().to_string();
    let mut pci = Vec::new();
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
                pci.push(a);
            }
        }
    }
    Some(XlConfig { name, pci })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::samples::repo_file;

    fn pci(c: &XlConfig) -> Vec<String> {
        c.pci.iter().map(|a| a.to_string()).collect()
    }

    #[test]
    fn reads_xl_pci_lists() {
        let c = parse(
            "name = \"vm1\"\nmemory = 4096\npci = [ '0000:03:10.0,permissive=0', '03:10.1' ]\n",
        )
        .unwrap();
        assert_eq!(c.name, "vm1");
        assert_eq!(pci(&c), ["0000:03:10.0", "0000:03:10.1"]);
    }

    #[test]
    fn reads_a_test_hosts_config() {
        let text = repo_file("tests/hosts/xen-xl-twice/root/etc/xen/vm1.cfg");
        let c = parse(std::str::from_utf8(&text).unwrap()).unwrap();
        assert_eq!(c.name, "vm1");
        assert_eq!(pci(&c), ["0000:03:10.0"]);
    }

    #[test]
    fn no_name_no_guest() {
        assert_eq!(parse("memory = 1024\npci = [ '03:10.0' ]\n"), None);
    }
}
