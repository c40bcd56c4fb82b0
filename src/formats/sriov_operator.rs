//! The SR-IOV network operator's on-host configuration in its systemd mode:
//! `/etc/sriov-operator/sriov-interface-config.yaml`, which its
//! `sriov-config.service` applies at boot. The operator writes it with Go's
//! yaml.v3 from its SriovNetworkNodeState spec, whose keys are the field
//! names in lower case:
//!
//! ```yaml
//! spec:
//!     interfaces:
//!         - pciaddress: 0000:d8:00.0
//!           numvfs: 4
//!           name: enp216s0f0np0
//! ```
//!
//! Read line by line for the list items under `interfaces:`, not as YAML in
//! general.

/// One interface of the spec: its PCI address, the VF count and the lines
/// they are on (1-based).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interface {
    pub pci_address: String,
    pub num_vfs: Option<u32>,
    pub line: usize,
}

pub fn interfaces(text: &str) -> Vec<Interface> {
    let mut out: Vec<Interface> = Vec::new();
    let mut list_indent: Option<usize> = None;
    let mut in_interfaces = false;
    for (i, raw) in text.lines().enumerate() {
        let indent = raw.len() - raw.trim_start().len();
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line == "interfaces:" {
            in_interfaces = true;
            list_indent = None;
            continue;
        }
        if !in_interfaces {
            continue;
        }
        let (item_start, body) = match line.strip_prefix("- ") {
            Some(rest) => (true, rest.trim_start()),
            None => (false, line),
        };
        if item_start {
            match list_indent {
                None => list_indent = Some(indent),
                Some(l) if indent > l => continue, // a nested list (vfgroups)
                Some(l) if indent < l => {
                    in_interfaces = false;
                    continue;
                }
                Some(_) => {}
            }
            out.push(Interface {
                pci_address: String::new(),
                num_vfs: None,
                line: i + 1,
            });
        } else if list_indent.is_some_and(|l| indent <= l) {
            // Back out of the list.
            in_interfaces = false;
            continue;
        } else if list_indent.is_some_and(|l| indent != l + 2) {
            continue;
        }
        let Some(item) = out.last_mut() else { continue };
        if let Some((k, v)) = body.split_once(':') {
            let v = v.trim().trim_matches('"').trim_matches('\'');
            match k.trim() {
                "pciaddress" => {
                    item.pci_address = v.to_string();
                    item.line = i + 1;
                }
                "numvfs" => item.num_vfs = v.parse().ok(),
                _ => {}
            }
        }
    }
    out.retain(|i| !i.pci_address.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // The shape of the operator's own test data (cmd/sriov-network-config-daemon/service_test.go).
    const CONFIG: &str = "spec:\n    interfaces:\n        - pciaddress: 0000:d8:00.0\n          numvfs: 4\n          mtu: 1500\n          name: enp216s0f0np0\n          linktype: \"\"\n          eswitchmode: legacy\n          vfgroups:\n            - resourcename: legacy\n              devicetype: \"\"\n              vfrange: 0-3\n              policyname: test-legacy\n              mtu: 1500\n          externallymanaged: false\n        - pciaddress: 0000:d8:00.1\n          numvfs: 2\nunsupportedNics: false\nplatformType: 0\nmanageSoftwareBridges: true\n";

    #[test]
    fn reads_the_operators_interfaces() {
        let i = interfaces(CONFIG);
        assert_eq!(
            i,
            vec![
                Interface {
                    pci_address: "0000:d8:00.0".into(),
                    num_vfs: Some(4),
                    line: 3
                },
                Interface {
                    pci_address: "0000:d8:00.1".into(),
                    num_vfs: Some(2),
                    line: 16
                }
            ]
        );
    }

    #[test]
    fn garbage_never_panics() {
        for t in [
            "interfaces:\n-",
            "interfaces:\n  - :",
            "- pciaddress: x",
            "\u{feff}interfaces:\n\t- numvfs: 9",
        ] {
            let _ = interfaces(t);
        }
        assert!(interfaces("spec:\n  interfaces: []\n").is_empty());
    }
}
