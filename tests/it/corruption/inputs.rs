//! What each rule reads, so that a damage can be mapped to the findings it
//! must not let pass; and the damages after which a pass is the truth.
//!
//! Sources: `needs` and `condition` of rules/*.toml, and where src/probes
//! gets each fact. A row names the effects that destroy an input; an effect
//! it leaves out leaves a value a real host can have (a module-less kernel
//! has no /proc/modules, an unbound device no `driver` link), and the row
//! says so.

use crate::corruption::damage::{Damage, Entry, EntryKind};

/// What a damage did to one input, as the tool meets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// The file is empty.
    Empty,
    /// The file lost its second half.
    Partial,
    /// The file holds random bytes.
    Garbage,
    /// The input itself is gone.
    Missing,
    /// A directory above the input is gone (or a link to it dangles).
    ParentMissing,
    /// Reading it fails: permission denied, a loop, a file where a
    /// directory should be, or the reverse.
    Unreadable,
    /// A link input now names something else: itself, or nothing.
    Retargeted,
}

use Effect::*;

/// The damaged entry and the effect on `input`, which is that entry or
/// lies below it in the pristine tree.
pub fn effect(damage: Damage, damaged: &Entry, input: &Entry) -> Effect {
    if input.path != damaged.path {
        return match damage {
            Damage::Remove | Damage::DanglingLink => ParentMissing,
            _ => Unreadable,
        };
    }
    match damage {
        Damage::TruncateEmpty => Empty,
        Damage::TruncateHalf => Partial,
        Damage::RandomBytes => Garbage,
        Damage::Remove => Missing,
        Damage::DanglingLink if input.kind == EntryKind::Link => Retargeted,
        Damage::DanglingLink => Missing,
        Damage::LinkLoop if input.kind == EntryKind::Link => Retargeted,
        Damage::LinkLoop | Damage::Unreadable | Damage::FileToDir | Damage::DirToFile => Unreadable,
    }
}

/// Whose findings an input decides.
#[derive(Clone, Copy, Debug)]
pub enum Subjects {
    Host,
    /// The device whose directory holds the input.
    PathDevice,
    /// That device and every other member of its IOMMU group.
    GroupOfPathDevice,
    /// The members of the group named in the path (iommu_groups/N/…).
    GroupInPath,
    /// Every device.
    AllDevices,
    /// The devices that the process in the path (proc/PID/…) holds.
    HeldByPathPid,
}

pub struct Input {
    pub pattern: &'static str,
    pub rules: &'static [&'static str],
    pub subjects: Subjects,
    pub destroyed_by: &'static [Effect],
    /// The rule judges this input only for --device targets.
    pub targets_only: bool,
}

const fn row(
    pattern: &'static str,
    rules: &'static [&'static str],
    subjects: Subjects,
    destroyed_by: &'static [Effect],
) -> Input {
    Input {
        pattern,
        rules,
        subjects,
        destroyed_by,
        targets_only: false,
    }
}

const fn target_row(
    pattern: &'static str,
    rules: &'static [&'static str],
    subjects: Subjects,
    destroyed_by: &'static [Effect],
) -> Input {
    Input {
        targets_only: true,
        ..row(pattern, rules, subjects, destroyed_by)
    }
}

/// Not listed, and why: a half-cut text file may still hold what a rule
/// reads (the first processor's flags, the IR- chips), so Partial counts
/// only for ACPI tables, whose header gives their length. Files that only
/// shape a message or a remediation (os-release, boot/config-*, Uid: in
/// status) decide no verdict. modules.dep has a second source (the device
/// catalog's dependencies); passwd and group matter only when libvirt does
/// not hand the files to QEMU; a port's config (ACS) only when the group
/// has more than one device; a running guest's /proc/PID/limits has libvirt's
/// own rule (memory + 1 GiB, or the XML's hard_limit) to fall back on, and
/// the message says which was used. Those are left to the pristine comparison.
#[rustfmt::skip]
pub const TABLE: &[Input] = &[
    // Random bytes or an unreadable file are no cpuinfo; an empty one, or
    // none, neither: every Linux has one.
    row("proc/cpuinfo", &["cpu.virtualization"], Subjects::Host, &[Empty, Garbage, Missing, ParentMissing, Unreadable]),
    // An empty /proc/modules is a kernel with nothing loaded, a missing one
    // a kernel without module support (the probe says so): both real.
    row("proc/modules", &["modules.vfio"], Subjects::Host, &[Garbage, ParentMissing, Unreadable]),
    row("proc/modules", &["modules.pf-driver"], Subjects::AllDevices, &[Garbage, ParentMissing, Unreadable]),
    // A missing table is the firmware offering none: firmware.iommu then
    // fails, and there are no reserved regions to list.
    row("sys/firmware/acpi/tables/DMAR", &["firmware.iommu"], Subjects::Host, &[Empty, Partial, Garbage, Unreadable]),
    row("sys/firmware/acpi/tables/DMAR", &["firmware.rmrr"], Subjects::AllDevices, &[Empty, Partial, Garbage, Unreadable]),
    row("sys/firmware/acpi/tables/XMAR", &["firmware.iommu"], Subjects::Host, &[Empty, Partial, Garbage, Unreadable]),
    row("sys/firmware/acpi/tables/XMAR", &["firmware.rmrr"], Subjects::AllDevices, &[Empty, Partial, Garbage, Unreadable]),
    row("sys/firmware/acpi/tables/IVRS", &["firmware.iommu"], Subjects::Host, &[Empty, Partial, Garbage, Unreadable]),
    row("sys/firmware/acpi/tables/IVRS", &["firmware.rmrr"], Subjects::AllDevices, &[Empty, Partial, Garbage, Unreadable]),
    row("sys/firmware/acpi/tables", &["firmware.iommu"], Subjects::Host, &[Unreadable]),
    row("sys/firmware/acpi/tables", &["firmware.rmrr"], Subjects::AllDevices, &[Unreadable]),
    // An empty command line is possible (a kernel booted without
    // arguments); the rules then judge that line, truthfully.
    row("proc/cmdline", &["xen.e820-access"], Subjects::Host, &[Garbage, Missing, ParentMissing, Unreadable]),
    row("proc/cmdline", &["iommu.mode"], Subjects::AllDevices, &[Garbage, Missing, ParentMissing, Unreadable]),
    row("proc/interrupts", &["kernel.interrupt-remapping"], Subjects::Host, &[Empty, Garbage, Missing, ParentMissing, Unreadable]),
    // No /sys/class/iommu or /sys/kernel/iommu_groups is an IOMMU that is
    // off; unreadable ones are unknown.
    row("sys/class/iommu", &["kernel.iommu"], Subjects::Host, &[Unreadable]),
    row("sys/kernel/iommu_groups", &["kernel.iommu"], Subjects::Host, &[Unreadable]),
    row("sys/kernel/iommu_groups", &["iommu.mode"], Subjects::AllDevices, &[Unreadable]),
    row("sys/kernel/iommu_groups/*/type", &["iommu.mode"], Subjects::GroupInPath, &[Empty, Garbage, Unreadable]),
    row("sys/module/vfio/parameters/enable_unsafe_noiommu_mode", &["kernel.vfio-noiommu"], Subjects::Host, &[Empty, Garbage, Unreadable]),
    // A device's attributes. No `driver` link is an unbound device; a
    // listed device whose directory is gone is a broken tree.
    row("sys/devices/**/driver", &["device.host-driver", "modules.pf-driver"], Subjects::PathDevice, &[ParentMissing, Unreadable]),
    row("sys/devices/**/driver", &["iommu.group"], Subjects::GroupOfPathDevice, &[ParentMissing, Unreadable]),
    target_row("sys/devices/**/driver", &["device.config-access"], Subjects::PathDevice, &[ParentMissing, Unreadable]),
    // With the IOMMU on, every device has a group: none is not an answer.
    row("sys/devices/**/iommu_group", &["iommu.group", "iommu.mode", "iommu.acs"], Subjects::PathDevice, &[Missing, ParentMissing, Unreadable, Retargeted]),
    row("sys/devices/**/iommu_group", &["iommu.group"], Subjects::GroupOfPathDevice, &[Missing, ParentMissing, Unreadable, Retargeted]),
    row("sys/devices/**/sriov_numvfs", &["sriov.vfs"], Subjects::PathDevice, &[Empty, Garbage, Missing, ParentMissing, Unreadable]),
    row("sys/devices/**/virtfn*", &["sriov.vfs"], Subjects::PathDevice, &[ParentMissing, Unreadable, Retargeted]),
    row("sys/bus/pci/devices/*", &["device.host-driver", "iommu.group", "sriov.vfs", "modules.pf-driver"], Subjects::PathDevice, &[Unreadable, Retargeted]),
    // Who holds a device. A process that is gone, an fd that is closed, a
    // guest that is not running hold nothing: those removals are real.
    target_row("proc/*/fd", &["device.in-use"], Subjects::HeldByPathPid, &[Missing, Unreadable]),
    target_row("proc/*/fd/*", &["device.in-use"], Subjects::HeldByPathPid, &[Unreadable, Retargeted]),
    target_row("run/libvirt/qemu", &["device.in-use"], Subjects::AllDevices, &[Unreadable]),
    row("run/libvirt/qemu", &["device.memlock", "device.defined-twice"], Subjects::AllDevices, &[Unreadable]),
    row("etc/libvirt/qemu", &["device.memlock", "device.defined-twice"], Subjects::AllDevices, &[Unreadable]),
    target_row("run/libvirt/qemu/*.xml", &["device.in-use"], Subjects::AllDevices, &[Empty, Garbage, Unreadable]),
    row("run/libvirt/qemu/*.xml", &["device.memlock", "device.defined-twice"], Subjects::AllDevices, &[Empty, Garbage, Unreadable]),
    row("etc/libvirt/qemu/*.xml", &["device.memlock", "device.defined-twice"], Subjects::AllDevices, &[Empty, Garbage, Unreadable]),
    // An xl config that is read but names no guest defines none (see
    // TRUTHFUL_PASSES); one that cannot be read may define any.
    row("etc/xen/*.cfg", &["device.defined-twice"], Subjects::AllDevices, &[Unreadable]),
    row("etc/xen", &["device.defined-twice"], Subjects::AllDevices, &[Unreadable]),
    // No qemu.conf, or an empty one, is libvirt's defaults.
    target_row("etc/libvirt/qemu.conf", &["device.config-access"], Subjects::AllDevices, &[Garbage, Unreadable]),
];

/// Entries worth damaging that decide no rule alone (see TABLE's comment),
/// and the tree's skeleton.
pub const ALSO_TARGETED: &[&str] = &[
    "sys/bus/pci/devices",
    "sys/bus/pci/drivers/*/module",
    "sys/devices/**/config",
    "sys/devices/**/enable",
    "sys/devices/**/physfn",
    "sys/devices/**/vendor",
    "sys/devices/**/device",
    "sys/devices/**/class",
    "sys/devices/**/modalias",
    "sys/devices/**/sriov_totalvfs",
    "sys/kernel/iommu_groups/*/devices/*",
    "sys/module/*/parameters/*",
    "sys/hypervisor/**",
    "dev/vfio/*",
    "etc/passwd",
    "etc/group",
    "etc/modprobe.d/*",
    "etc/xen/*",
    "proc/*/cmdline",
    "proc/*/comm",
    "proc/*/status",
    "proc/xen/*",
    "proc/sys/kernel/osrelease",
    "lib/modules/*/*",
    "boot/*",
];

/// `*` within one component, `**` for any number of components.
pub fn matches(pattern: &str, path: &str) -> bool {
    fn comp(p: &[u8], s: &[u8]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some((b'*', rest)) => (0..=s.len()).any(|i| comp(rest, &s[i..])),
            Some((c, rest)) => s.first() == Some(c) && comp(rest, &s[1..]),
        }
    }
    fn walk(p: &[&str], s: &[&str]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some((&"**", rest)) => (0..=s.len()).any(|i| walk(rest, &s[i..])),
            Some((c, rest)) => {
                !s.is_empty() && comp(c.as_bytes(), s[0].as_bytes()) && walk(rest, &s[1..])
            }
        }
    }
    let p: Vec<&str> = pattern.split('/').collect();
    let s: Vec<&str> = path.split('/').collect();
    walk(&p, &s)
}

pub fn is_pci_address(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 12
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b':',
            10 => *c == b'.',
            11 => (b'0'..=b'7').contains(c),
            _ => c.is_ascii_hexdigit(),
        })
}

/// Damages after which a finding that did not pass on the pristine tree may
/// truthfully pass: (pattern of the damaged path, effect on it, rule, why).
/// Each was seen in a run (or is the same case for a sibling rule or path)
/// and judged; none hides a destroyed input.
pub const TRUTHFUL_PASSES: &[(&str, Effect, &str, &str)] = &[
    (
        "sys/firmware/**",
        Missing,
        "firmware.rmrr",
        "no DMAR or IVRS is firmware that reserves no memory for any device (firmware.iommu fails instead)",
    ),
    (
        "proc/*",
        Missing,
        "device.in-use",
        "a process that is gone holds nothing (its libvirt state file is then stale)",
    ),
    (
        "etc/libvirt/**",
        Missing,
        "device.config-access",
        "no qemu.conf is libvirt's defaults, dynamic_ownership = 1 among them",
    ),
    (
        "etc/libvirt/qemu.conf",
        Empty,
        "device.config-access",
        "an empty qemu.conf is libvirt's defaults, dynamic_ownership = 1 among them",
    ),
    (
        "etc/libvirt/qemu.conf",
        Partial,
        "device.config-access",
        "a qemu.conf cut in a comment or between lines is a valid, shorter file: libvirt applies its defaults to what was cut",
    ),
    (
        "etc/libvirt/**",
        Missing,
        "device.defined-twice",
        "a removed libvirt definition (or directory of them) defines nothing",
    ),
    (
        "etc/xen/**",
        Missing,
        "device.defined-twice",
        "a removed xl config (or /etc/xen) defines nothing",
    ),
    (
        "sys/devices/**/driver",
        Missing,
        "device.host-driver",
        "a device without a driver link is unbound, which libvirt can take over",
    ),
    (
        "sys/devices/**/driver",
        Missing,
        "iommu.group",
        "a group member without a driver link is unbound, which blocks no one",
    ),
    (
        "etc/xen/*.cfg",
        Empty,
        "device.defined-twice",
        "an empty xl config defines no guest, so it names no device",
    ),
    (
        "etc/xen/*.cfg",
        Garbage,
        "device.defined-twice",
        "an xl config with no readable name defines no guest (xl cannot create one from it)",
    ),
    (
        "etc/xen/*.cfg",
        Partial,
        "device.defined-twice",
        "the first half of an xl config defines only what it still says",
    ),
];

pub fn truthful_pass(path: &str, effect: Effect, rule: &str) -> Option<&'static str> {
    TRUTHFUL_PASSES
        .iter()
        .find(|(p, e, r, _)| *e == effect && *r == rule && matches(p, path))
        .map(|t| t.3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_components() {
        assert!(matches(
            "sys/devices/**/driver",
            "sys/devices/pci0000:00/0000:00:01.0/0000:03:10.0/driver"
        ));
        assert!(!matches(
            "sys/devices/**/driver",
            "sys/devices/pci0000:00/0000:00:01.0/driver_override"
        ));
        assert!(matches("proc/*/fd/*", "proc/4242/fd/21"));
        assert!(!matches("proc/*/fd", "proc/4242/fd/21"));
        assert!(matches(
            "sys/devices/**/virtfn*",
            "sys/devices/a/0000:03:00.0/virtfn0"
        ));
        assert!(is_pci_address("0000:03:10.0") && !is_pci_address("pci0000:00"));
    }
}
