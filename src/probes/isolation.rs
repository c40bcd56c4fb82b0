//! What isolates a device: ACS on the ports between it and its root port
//! (read from their config space), and its group's domain type.

use std::collections::HashMap;

use crate::address::PciAddress;
use crate::facts::{DeviceFacts, DeviceKind, Known, PortAcs};
use crate::formats::pci_config::{self, ACS_REQUIRED};
use crate::hostfs::HostFs;

/// The bridges above a device, nearest first, from its real sysfs path
/// (`/sys/devices/pci0000:00/0000:00:01.0/0000:03:10.0` → `0000:00:01.0`).
fn upstream(sysfs: &str, me: PciAddress) -> Vec<PciAddress> {
    let mut out: Vec<PciAddress> = sysfs
        .split('/')
        .filter_map(|c| c.parse::<PciAddress>().ok())
        .filter(|a| *a != me)
        .collect();
    out.reverse();
    out
}

fn port_acs(fs: &dyn HostFs, port: PciAddress) -> Known<PortAcs> {
    let path = format!("/sys/bus/pci/devices/{port}/config");
    let bytes = match fs.read(&path) {
        Ok(b) => b,
        Err(e) => return Known::unknown(e.to_string()),
    };
    if bytes.len() <= 0x100 {
        return Known::unknown(format!(
            "{path}: only {} bytes: the extended configuration space needs root to read",
            bytes.len()
        ));
    }
    let (capability, control) = match pci_config::acs(&bytes) {
        Some(acs) => (true, Some(acs)),
        None => (false, None),
    };
    let missing: Vec<String> = match control {
        // The kernel requires only the controls the port implements.
        Some((cap, ctrl)) => ACS_REQUIRED
            .iter()
            .filter(|(bit, _)| cap & bit != 0 && ctrl & bit == 0)
            .map(|(_, name)| name.to_string())
            .collect(),
        None => Vec::new(),
    };
    Known::Value(PortAcs {
        address: port.to_string(),
        acs: capability,
        isolates: capability && missing.is_empty(),
        missing,
    })
}

/// Fills ACS along the path to the root for the devices that may be
/// assigned, reading each port once.
pub fn probe(fs: &dyn HostFs, devices: &mut [DeviceFacts]) {
    let mut ports: HashMap<PciAddress, Known<PortAcs>> = HashMap::new();
    for d in devices.iter_mut() {
        if d.kind != DeviceKind::Vf && !d.target {
            continue;
        }
        let Known::Value(sysfs) = &d.sysfs else {
            d.acs_path = Known::unknown("the device's sysfs directory could not be resolved");
            continue;
        };
        let mut path = Vec::new();
        let mut unknown = None;
        for port in upstream(sysfs, d.address) {
            match ports.entry(port).or_insert_with(|| port_acs(fs, port)) {
                Known::Value(p) => path.push(p.clone()),
                Known::Unknown(r) => {
                    unknown = Some(r.clone());
                    break;
                }
            }
        }
        d.acs_path = match unknown {
            Some(r) => Known::unknown(r),
            None => Known::Value(path),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_ports_nearest_first() {
        let me: PciAddress = "0000:05:00.0".parse().unwrap();
        let up = upstream(
            "/sys/devices/pci0000:00/0000:00:01.0/0000:03:00.0/0000:04:01.0/0000:05:00.0",
            me,
        );
        let up: Vec<String> = up.iter().map(|a| a.to_string()).collect();
        assert_eq!(up, ["0000:04:01.0", "0000:03:00.0", "0000:00:01.0"]);
    }
}
