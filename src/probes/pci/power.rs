//! A device's power state (`power_state`, `d3cold_allowed`, `power/`), a
//! look at its config space when that cannot wake it, and the kernel log
//! lines that say it did not come back to full power: device.power.

use crate::facts::{DeviceFacts, DeviceKind, KernelLogFacts, Known, PowerFacts};
use crate::formats::kernel_log::naming;
use crate::formats::pci_power;
use crate::hostfs::{join, FsResult, HostFs};

use super::DEVICES;

/// At most this many log lines of each kind are kept per device, the latest.
const LOG_LINES: usize = 5;

/// vfio-pci's parameter: true leaves idle devices in D0.
const IDLE_D3: &str = "/sys/module/vfio_pci/parameters/disable_idle_d3";

/// A file's text, None when it does not exist; an error otherwise, said.
fn optional(fs: &dyn HostFs, dir: &str, name: &str, shown: &mut Vec<String>) -> Option<String> {
    match fs.read_text(&join(dir, name)) {
        Ok(t) => {
            let t = crate::sanitize::clean(&t).into_owned();
            shown.push(format!("{name} {t}"));
            Some(t)
        }
        Err(e) if e.is_not_found() => None,
        Err(e) => {
            shown.push(e.to_string());
            None
        }
    }
}

fn latest<'a>(lines: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut v: Vec<String> = lines.cloned().collect();
    let over = v.len().saturating_sub(LOG_LINES);
    v.drain(..over);
    v
}

/// The power facts of the device whose sysfs directory is `dir`. Config
/// space is read only when `read_config` (a --device target: reading every
/// VF's would cost a live host with thousands of them seconds) and only when
/// the read cannot wake the device: not in D3cold, not runtime-suspended
/// (the kernel resumes a device in D3cold to read its config space).
/// `d3cold_allowed` and `power/control` are read for a target or a device
/// in trouble; `power/runtime_status` also where there is no power_state.
pub(super) fn power(
    fs: &dyn HostFs,
    dir: &str,
    read_config: bool,
    idle_d3_disabled: Option<bool>,
    log: Option<(&str, &[String])>,
    address: &str,
) -> Known<PowerFacts> {
    let mut shown = Vec::new();
    let state_path = join(dir, "power_state");
    let state = match fs.read_text(&state_path) {
        Ok(t) => {
            let t = crate::sanitize::clean(&t).into_owned();
            shown.push(format!("power_state {t}"));
            Some(pci_power::state(&t).map_or(t, str::to_string))
        }
        Err(e) if e.is_not_found() => {
            shown.push("no power_state (before Linux 5.19, or not captured)".to_string());
            None
        }
        Err(e) => {
            shown.push(e.to_string());
            None
        }
    };
    let (wake_failed, gave_up) = match log {
        Some((_, lines)) => (
            latest(naming(lines, address).filter(|l| pci_power::wake_failed(l))),
            latest(naming(lines, address).filter(|l| pci_power::gave_up(l))),
        ),
        None => (Vec::new(), Vec::new()),
    };
    // The rest is read for a target, or for a device something is wrong
    // with; for the other VFs, power_state alone (or the runtime status on a
    // kernel without it) answers: a host with thousands reads no more.
    let detail = read_config
        || !matches!(
            state.as_deref(),
            None | Some("D0" | "D1" | "D2" | "D3hot" | "unknown")
        )
        || !wake_failed.is_empty()
        || !gave_up.is_empty();
    let runtime_status = if detail || state.is_none() {
        optional(fs, dir, "power/runtime_status", &mut shown)
    } else {
        None
    };
    let (d3cold_allowed, runtime_control) = if detail {
        (
            optional(fs, dir, "d3cold_allowed", &mut shown)
                .as_deref()
                .and_then(pci_power::flag),
            optional(fs, dir, "power/control", &mut shown),
        )
    } else {
        (None, None)
    };
    let asleep = state.as_deref() == Some("D3cold")
        || matches!(runtime_status.as_deref(), Some("suspended" | "suspending"));
    let config_path = join(dir, "config");
    let config_all_ones = if !read_config {
        None
    } else if asleep {
        shown.push("config not read (the kernel would wake the device to read it)".to_string());
        None
    } else {
        let read: FsResult<Vec<u8>> = fs.read(&config_path);
        match read {
            Ok(bytes) => {
                let ones = pci_power::config_all_ones(&bytes);
                match (ones, bytes.get(..12)) {
                    (Some(true), _) => shown.push("config reads all ones".to_string()),
                    (Some(false), Some(h)) => shown.push(format!(
                        "config answers (class {:02x}{:02x}{:02x})",
                        h[11], h[10], h[9]
                    )),
                    _ => shown.push(format!("config: {} bytes", bytes.len())),
                }
                ones
            }
            Err(e) => {
                shown.push(e.to_string());
                None
            }
        }
    };
    if state.is_none() && runtime_status.is_none() && config_all_ones.is_none() && log.is_none() {
        return Known::unknown(format!(
            "nothing tells its power state: {}; and no kernel log was read",
            shown.join("; ")
        ));
    }
    Known::Value(PowerFacts {
        state,
        d3cold_allowed,
        runtime_status,
        runtime_control,
        config_all_ones,
        vfio_disable_idle_d3: idle_d3_disabled,
        wake_failed,
        gave_up,
        log_source: log.map(|(source, _)| source.to_string()),
        shown,
    })
}

/// Reads the power facts of the VFs and the --device targets.
pub fn probe(fs: &dyn HostFs, devices: &mut [DeviceFacts], log: &Known<KernelLogFacts>) {
    let idle_d3 = fs
        .read_text(IDLE_D3)
        .ok()
        .as_deref()
        .and_then(pci_power::flag);
    let lines = log.value().map(|l| (l.source.as_str(), l.lines.as_slice()));
    for d in devices.iter_mut() {
        if d.kind == DeviceKind::Vf || d.target {
            let address = d.address.to_string();
            d.power = power(
                fs,
                &format!("{DEVICES}/{address}"),
                d.target,
                idle_d3,
                lines,
                &address,
            );
        }
    }
}

#[cfg(test)]
mod tests;
