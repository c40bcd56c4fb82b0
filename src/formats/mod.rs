//! Pure parsers: the bytes or text of one file format in, values out. No
//! I/O here (no `HostFs`, no `std::fs`): the probes read the files
//! through the host's root and build the facts from what these return. One
//! module per file format, each tested on real samples.

pub mod acpi;
pub mod cmdline;
pub mod etc_passwd;
pub mod interrupts;
pub mod kernel_config;
pub mod kernel_log;
pub mod kernel_release;
pub mod libvirt_conf;
pub mod libvirt_log;
pub mod libvirt_xml;
pub mod modprobe_d;
pub mod modules_alias;
pub mod modules_builtin;
pub mod modules_dep;
pub mod nova_conf;
pub mod os_release;
pub mod pci_config;
pub mod pci_power;
pub mod pci_resource;
pub mod pcidp_config;
pub mod proc_fd;
pub mod proc_iomem;
pub mod proc_limits;
pub mod proc_net_route;
pub mod proc_status;
pub mod pve;
pub mod pve_reservations;
pub mod qemu_cmdline;
pub mod xl_cfg;

// Boot configuration that recreates VFs (sriov.persistence).
pub mod fnmatch;
pub mod keyfile;
pub mod numvfs_write;
pub mod sriov_operator;
pub mod udev_rules;

#[cfg(test)]
mod samples;
