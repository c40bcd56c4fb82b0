//! A PF's VF BAR space and a device's reset methods, from its sysfs
//! directory; and the kernel log lines that bear on each.

use crate::facts::{DeviceFacts, KernelLogFacts, Known, ResetFacts, VfBarSpace};
use crate::formats::kernel_log::{naming, resets_or_power, vf_bar_assigned, vf_bar_space};
use crate::formats::pci_config::sriov_vf_bars;
use crate::formats::pci_resource::{self, IORESOURCE_MEM_64, IOV_COUNT, IOV_FIRST};
use crate::hostfs::{join, HostFs};

use super::DEVICES;

/// At most this many log lines are kept per device, the latest.
const LOG_LINES: usize = 5;

/// Lines 7–12 of the PF's `resource` file against the SR-IOV capability's
/// VF BAR registers in its config space.
pub(super) fn vf_bars(fs: &dyn HostFs, dir: &str) -> Known<VfBarSpace> {
    let path = join(dir, "resource");
    let text = match fs.read_text(&path) {
        Ok(t) => t,
        Err(e) => return Known::unknown(e.to_string()),
    };
    let Some(res) = pci_resource::parse(&text) else {
        return Known::unknown(format!("{path}: not three hex numbers on every line"));
    };
    if res.len() < IOV_FIRST + IOV_COUNT {
        return Known::unknown(format!(
            "{path} has {} lines, no IOV resources (lines 7–12): a kernel built without SR-IOV support (CONFIG_PCI_IOV)",
            res.len()
        ));
    }
    let regs = fs
        .read(&join(dir, "config"))
        .ok()
        .and_then(|c| sriov_vf_bars(&c));
    let mut declared = Vec::new();
    let mut unassigned = Vec::new();
    let mut shown = Vec::new();
    let mut i = 0;
    while i < IOV_COUNT {
        let r = res[IOV_FIRST + i];
        let reg = regs.map(|g| g[i]);
        let is64 =
            r.flags & IORESOURCE_MEM_64 != 0 || reg.is_some_and(|v| v & 0x1 == 0 && v & 0x6 == 0x4);
        if r.flags != 0 || r.start != 0 || r.end != 0 || reg.is_some_and(|v| v != 0) {
            declared.push(i as u32);
            let line = IOV_FIRST + i;
            let reg_text = reg
                .map(|v| format!(" (register {v:#010x})"))
                .unwrap_or_default();
            if r.assigned() {
                shown.push(format!(
                    "VF BAR {i}: line {line} {:#x}-{:#x}",
                    r.start, r.end
                ));
            } else {
                unassigned.push(i as u32);
                shown.push(format!(
                    "VF BAR {i}: line {line} {:#x} {:#x} {:#x}{reg_text}",
                    r.start, r.end, r.flags
                ));
            }
        }
        i += if is64 { 2 } else { 1 };
    }
    if declared.is_empty() && regs.is_none() {
        return Known::unknown(format!(
            "{path}: lines 7–12 are empty, and the SR-IOV capability in {dir}/config could not be read (read as root to see it): whether the VFs have BARs without address space cannot be told"
        ));
    }
    Known::Value(VfBarSpace {
        declared,
        unassigned,
        shown,
        source: if regs.is_some() {
            "config space and resource".into()
        } else {
            "resource only".into()
        },
        log: Vec::new(),
        log_says_no_space: false,
    })
}

/// How the kernel can reset the device: `reset_method` (Linux 5.15 and
/// later: the methods, in order; empty when every one was disabled), or
/// `reset` on older kernels (present only when the device has a method).
/// Neither file, in a directory whose listing is known: no method.
pub(super) fn reset(fs: &dyn HostFs, dir: &str) -> Known<ResetFacts> {
    let method_path = join(dir, "reset_method");
    let facts = |available: bool, methods: Vec<String>, shown: String| {
        Known::Value(ResetFacts {
            available,
            disabled: false,
            methods,
            shown,
            log: Vec::new(),
        })
    };
    match fs.read_text(&method_path) {
        Ok(t) => {
            let methods: Vec<String> = t
                .split_whitespace()
                .map(|m| crate::sanitize::clean(m).into_owned())
                .collect();
            let shown = if methods.is_empty() {
                format!("{method_path}: empty (every reset method disabled)")
            } else {
                format!("{method_path}: {}", methods.join(" "))
            };
            let disabled = methods.is_empty();
            return facts(!disabled, methods, shown).map(|mut r| {
                r.disabled = disabled;
                r
            });
        }
        Err(e) if !e.is_not_found() => return Known::unknown(e.to_string()),
        Err(_) => {}
    }
    match fs.list_dir_complete(dir) {
        Ok(names) if names.iter().any(|n| n == "reset") => {
            // A bundle whose capture listed the directory but did not read
            // reset_method: `reset` says the kernel found a method at boot.
            let why = if names.iter().any(|n| n == "reset_method") {
                "reset_method was not captured"
            } else {
                "a kernel before 5.15 lists no methods"
            };
            facts(true, Vec::new(), format!("{dir}/reset present ({why})"))
        }
        Ok(_) => facts(
            false,
            Vec::new(),
            format!("{dir}: neither reset_method nor reset (the kernel found no reset method)"),
        ),
        Err(e) => Known::unknown(e.to_string()),
    }
}

/// Reads the reset methods of the VFs and the --device targets.
pub fn probe_resets(fs: &dyn HostFs, devices: &mut [DeviceFacts]) {
    for d in devices.iter_mut() {
        if d.kind == crate::facts::DeviceKind::Vf || d.target {
            d.reset = reset(fs, &format!("{DEVICES}/{}", d.address));
        }
    }
}

fn latest(lines: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = lines.collect();
    let over = v.len().saturating_sub(LOG_LINES);
    v.drain(..over);
    v
}

/// The kernel log lines each PF's VF BAR space and each device's reset
/// facts show.
pub fn attach_log(devices: &mut [DeviceFacts], log: &Known<KernelLogFacts>) {
    let Known::Value(log) = log else {
        return;
    };
    if log.lines.is_empty() {
        return;
    }
    for d in devices.iter_mut() {
        let address = d.address.to_string();
        if let Some(Known::Value(bars)) = d.sriov.as_mut().map(|s| &mut s.vf_bars) {
            bars.log = latest(
                naming(&log.lines, &address)
                    .filter(|l| vf_bar_space(l) || vf_bar_assigned(l))
                    .cloned(),
            );
            bars.log_says_no_space = naming(&log.lines, &address).any(|l| vf_bar_space(l));
        }
        if let Known::Value(r) = &mut d.reset {
            r.log = latest(
                naming(&log.lines, &address)
                    .filter(|l| resets_or_power(l))
                    .cloned(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hostfs::DirFs;

    fn tree(host: &str) -> DirFs {
        let root = format!("{}/tests/hosts/{host}/root", env!("CARGO_MANIFEST_DIR"));
        DirFs::tree(std::path::Path::new(&root)).unwrap()
    }

    #[test]
    fn vf_bars_without_address_space_are_told_from_assigned_ones() {
        let fs = tree("seed-vf-bar-space");
        let Known::Value(bad) = vf_bars(&fs, &format!("{DEVICES}/0000:03:00.0")) else {
            panic!("known")
        };
        assert_eq!(
            (bad.declared.clone(), bad.unassigned.clone()),
            (vec![0, 3], vec![0, 3])
        );
        assert_eq!(bad.source, "config space and resource");
        let Known::Value(good) = vf_bars(&fs, &format!("{DEVICES}/0000:03:00.1")) else {
            panic!("known")
        };
        assert_eq!((good.declared, good.unassigned), (vec![0, 3], vec![]));
        // The log lines that name the PF and its VF BARs, not the others.
        let facts = crate::gather(&fs, &[]).unwrap();
        let pf = facts
            .devices
            .iter()
            .find(|d| d.address.to_string() == "0000:03:00.0");
        let Some(Known::Value(b)) = pf.and_then(|d| d.sriov.as_ref()).map(|s| &s.vf_bars) else {
            panic!("the PF's VF BARs")
        };
        assert_eq!(b.log.len(), 5, "{:?}", b.log);
        assert!(b.log[4].ends_with("not enough MMIO resources for SR-IOV"));
    }

    #[test]
    fn reset_methods_disabled_absent_and_old_kernels() {
        let fs = tree("amd-reset-disabled");
        let Known::Value(off) = reset(&fs, &format!("{DEVICES}/0000:41:02.0")) else {
            panic!("known")
        };
        assert!(!off.available && off.disabled && off.methods.is_empty());
        let Known::Value(on) = reset(&fs, &format!("{DEVICES}/0000:41:02.1")) else {
            panic!("known")
        };
        assert_eq!((on.available, on.methods), (true, vec!["flr".to_string()]));
        // A root port has neither file: no method.
        let Known::Value(none) = reset(&fs, &format!("{DEVICES}/0000:40:01.1")) else {
            panic!("known")
        };
        assert!(!none.available && !none.disabled);
        // RHEL 7's 3.10: only `reset`.
        let old = tree("seed-legacy-assigned");
        let Known::Value(r) = reset(&old, &format!("{DEVICES}/0000:03:10.0")) else {
            panic!("known")
        };
        assert!(r.available && r.methods.is_empty(), "{}", r.shown);
    }
}
