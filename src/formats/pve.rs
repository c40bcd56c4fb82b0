//! Proxmox VE's guest files: a VM's configuration
//! (/etc/pve/qemu-server/VMID.conf: `key: value` lines; snapshots and
//! pending changes follow in `[name]` sections, which are not the running
//! configuration) and the cluster's PCI resource mappings
//! (/etc/pve/mapping/pci.cfg: a section per mapping, a line with its id,
//! then indented `key value` lines, `map` repeated once per node).
//!
//! Formats as qemu-server's PVE/QemuServer/PCI.pm ($hostpci_fmt: the host
//! key `HOSTPCIID[;HOSTPCIID2…]`, each `[domain:]bus:dev[.func]` in hex, a
//! missing function meaning every function of the device; or `mapping=ID`;
//! up to 16 devices, hostpci0 to hostpci15) and pve-guest-common's
//! PVE/Mapping/PCI.pm (`map` property strings with node, path, id,
//! iommugroup; several `;`-separated paths are alternatives, the first
//! free one taken at guest start) read them.

/// The most hostpciN entries a VM can have (qemu-server's
/// $MAX_HOSTPCI_DEVICES).
pub const MAX_HOSTPCI: usize = 16;

/// One `hostpciN:` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPci {
    /// N of hostpciN.
    pub index: usize,
    /// The host key's ids as written (`0000:03:10.0`, `03:10.0`, `03:10`).
    pub ids: Vec<String>,
    /// `mapping=ID`: a cluster-wide resource mapping.
    pub mapping: Option<String>,
}

/// What a VM's configuration says about its PCI devices.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PveVm {
    pub name: Option<String>,
    /// `memory:` in MiB (Proxmox's default is 512 when absent).
    pub memory_mib: Option<u64>,
    pub hostpci: Vec<HostPci>,
}

/// The current configuration of a VM (the lines before the first `[…]`
/// section).
pub fn parse_vm(text: &str) -> PveVm {
    let mut vm = PveVm::default();
    for line in text.lines() {
        let line = line.trim_end();
        if line.starts_with('[') {
            break;
        }
        if line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        match key {
            "name" if !value.is_empty() => vm.name = Some(value.to_string()),
            "memory" => vm.memory_mib = value.parse().ok(),
            _ => {
                if let Some(n) = key.strip_prefix("hostpci") {
                    if let Some(h) = n
                        .parse::<usize>()
                        .ok()
                        .filter(|n| *n < MAX_HOSTPCI)
                        .map(|index| hostpci(index, value))
                    {
                        vm.hostpci.push(h);
                    }
                }
            }
        }
    }
    vm
}

/// A `hostpciN` value: comma-separated properties, the first one without
/// a key being the host key.
fn hostpci(index: usize, value: &str) -> HostPci {
    let mut ids = Vec::new();
    let mut mapping = None;
    for (i, part) in value.split(',').enumerate() {
        let part = part.trim();
        let host = match part.split_once('=') {
            Some(("host", v)) => Some(v),
            Some(("mapping", v)) => {
                mapping = Some(v.to_string());
                None
            }
            Some(_) => None,
            None if i == 0 => Some(part),
            None => None,
        };
        if let Some(h) = host {
            ids.extend(
                h.split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            );
        }
    }
    HostPci {
        index,
        ids,
        mapping,
    }
}

/// One node's entry of a mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingEntry {
    pub node: String,
    /// The `path` alternatives, as written.
    pub paths: Vec<String>,
}

/// The mappings of pci.cfg: id and its entries, in file order.
pub fn parse_mappings(text: &str) -> Vec<(String, Vec<MappingEntry>)> {
    let mut out: Vec<(String, Vec<MappingEntry>)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if !line.starts_with([' ', '\t']) {
            out.push((line.trim().to_string(), Vec::new()));
            continue;
        }
        let Some((_, entries)) = out.last_mut() else {
            continue;
        };
        let Some(("map", props)) = line.trim().split_once([' ', '\t']) else {
            continue;
        };
        let mut node = None;
        let mut paths = Vec::new();
        for p in props.trim().split(',') {
            match p.split_once('=') {
                Some(("node", v)) => node = Some(v.trim().to_string()),
                Some(("path", v)) => {
                    paths = v
                        .split(';')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect();
                }
                _ => {}
            }
        }
        if let Some(node) = node {
            entries.push(MappingEntry { node, paths });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A VM as `qm set` writes it, with a snapshot section whose older
    /// hostpci0 is not the current configuration.
    const VM: &str = "\
boot: order=scsi0;net0
cores: 4
hostpci0: 0000:03:10.0,pcie=1
hostpci1: 03:10.1;03:10.2,rombar=0
hostpci2: mapping=sriov-vf,pcie=1
hostpci3: 04:00
machine: q35
memory: 8192
name: web01
net0: virtio=BC:24:11:2A:3B:4C,bridge=vmbr0
ostype: l26
scsi0: local-lvm:vm-101-disk-0,size=32G
smbios1: uuid=3e9c1f5a-7b2d-4c8e-9a61-0d4f2b8c7e15

[before-upgrade]
hostpci0: 0000:05:00.0
name: web01
snaptime: 1733212345
";

    #[test]
    fn reads_every_form_of_hostpci_and_stops_at_the_first_section() {
        let vm = parse_vm(VM);
        assert_eq!(vm.name.as_deref(), Some("web01"));
        assert_eq!(vm.memory_mib, Some(8192));
        let ids: Vec<(usize, Vec<&str>, Option<&str>)> = vm
            .hostpci
            .iter()
            .map(|h| {
                (
                    h.index,
                    h.ids.iter().map(String::as_str).collect(),
                    h.mapping.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            ids,
            vec![
                (0, vec!["0000:03:10.0"], None),
                (1, vec!["03:10.1", "03:10.2"], None),
                (2, vec![], Some("sriov-vf")),
                (3, vec!["04:00"], None),
            ]
        );
    }

    #[test]
    fn host_as_a_key_and_out_of_range_indices() {
        let vm = parse_vm("hostpci0: host=0000:03:10.0,pcie=1\nhostpci16: 03:10.1\nhostpcix: 1\n");
        assert_eq!(vm.hostpci.len(), 1);
        assert_eq!(vm.hostpci[0].ids, ["0000:03:10.0"]);
        assert_eq!(parse_vm(""), PveVm::default());
    }

    /// pci.cfg as the Datacenter → Resource Mappings dialog writes it: two
    /// nodes for one mapping, a pool of alternatives for another.
    const MAPPINGS: &str = "\
sriov-vf
\tmap id=8086:10ca,iommugroup=9,node=pve1,path=0000:03:10.0,subsystem-id=8086:a02c
\tmap id=8086:10ca,iommugroup=9,node=pve2,path=0000:03:10.0,subsystem-id=8086:a02c

vf-pool
\tdescription VFs of port 1
\tmap id=8086:10ca,node=pve1,path=0000:03:10.1;0000:03:10.3
";

    #[test]
    fn reads_mappings_per_node_with_their_alternatives() {
        let m = parse_mappings(MAPPINGS);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].0, "sriov-vf");
        assert_eq!(
            m[0].1,
            vec![
                MappingEntry {
                    node: "pve1".into(),
                    paths: vec!["0000:03:10.0".into()]
                },
                MappingEntry {
                    node: "pve2".into(),
                    paths: vec!["0000:03:10.0".into()]
                },
            ]
        );
        assert_eq!(m[1].0, "vf-pool");
        assert_eq!(m[1].1[0].paths, ["0000:03:10.1", "0000:03:10.3"]);
        assert!(parse_mappings("\tmap node=x,path=0000:00:00.0\n").is_empty());
    }
}
