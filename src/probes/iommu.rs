//! The IOMMU as the kernel left it: units in /sys/class/iommu and groups in
//! /sys/kernel/iommu_groups decide; the command line only explains.

use crate::facts::{CpuFacts, IommuFacts, IommuVendor, KernelFacts, Known};
use crate::formats::cmdline::passthrough_in_order;
use crate::hostfs::{FsResult, HostFs};

fn list_or_empty(fs: &dyn HostFs, path: &str) -> FsResult<Vec<String>> {
    match fs.list_dir(path) {
        Ok(v) => Ok(v),
        Err(e) if e.is_not_found() => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

pub const NOIOMMU_PARAM: &str = "/sys/module/vfio/parameters/enable_unsafe_noiommu_mode";

/// VFIO's enable_unsafe_noiommu_mode as the kernel prints it (Y or N, or 1
/// or 0); off when vfio is not loaded (no file). Anything else, or a file
/// that cannot be read, is unknown: never "off" by default.
pub fn noiommu_param(fs: &dyn HostFs) -> Known<bool> {
    match fs.read_text(NOIOMMU_PARAM) {
        Ok(v) => match v.as_str() {
            "Y" | "1" => Known::Value(true),
            "N" | "0" => Known::Value(false),
            other => {
                let shown: String = other.chars().take(20).collect();
                Known::unknown(format!("{NOIOMMU_PARAM}: {shown:?} is neither Y nor N"))
            }
        },
        Err(e) if e.is_not_found() => Known::Value(false),
        Err(e) => Known::unknown(e.to_string()),
    }
}

/// Whether VFIO's no-IOMMU groups may exist: the mode is on (or unknown),
/// or /dev/vfio has noiommu-N nodes, which each such group has (the mode
/// may have been turned off since, or its parameter file be missing from a
/// damaged tree).
pub fn noiommu_groups_possible(fs: &dyn HostFs) -> Known<bool> {
    match noiommu_param(fs) {
        Known::Value(false) => match fs.list_dir("/dev/vfio") {
            Ok(nodes) => Known::Value(nodes.iter().any(|n| n.starts_with("noiommu-"))),
            Err(e) if e.is_not_found() => Known::Value(false),
            Err(e) => Known::unknown(e.to_string()),
        },
        other => other,
    }
}

/// Whether IOMMU group `id` is VFIO's no-IOMMU group (named vfio-noiommu).
/// The name is read only when such groups are possible (`possible`, from
/// [`noiommu_groups_possible`]); then a group whose name cannot be read, or
/// whose directory is missing, is unknown.
pub fn is_noiommu_group(fs: &dyn HostFs, possible: &Known<bool>, id: &str) -> Known<bool> {
    if *possible == Known::Value(false) {
        return Known::Value(false);
    }
    let dir = format!("/sys/kernel/iommu_groups/{id}");
    match fs.read_text(&format!("{dir}/name")) {
        Ok(name) => Known::Value(name == "vfio-noiommu"),
        Err(e) if e.is_not_found() => match fs.exists(&dir) {
            Ok(true) => Known::Value(false),
            Ok(false) => Known::unknown(format!(
                "{dir} not found: whether group {id} is VFIO's no-IOMMU group is unknown"
            )),
            Err(e) => Known::unknown(e.to_string()),
        },
        Err(e) => Known::unknown(e.to_string()),
    }
}

/// `table`: the firmware's IOMMU table that is present ("DMAR" or "IVRS"),
/// which says whose IOMMU this is when no unit came up: an Intel vIOMMU on
/// an AMD-vendor CPU is Intel's.
pub fn probe(
    fs: &dyn HostFs,
    cpu: &Known<CpuFacts>,
    table: Option<&str>,
    kernel: &KernelFacts,
) -> Known<IommuFacts> {
    let units = match list_or_empty(fs, "/sys/class/iommu") {
        Ok(u) => u,
        Err(e) => return Known::unknown(e.to_string()),
    };
    // VFIO's no-IOMMU mode makes groups too, named vfio-noiommu: they
    // isolate nothing and do not count.
    let possible = noiommu_groups_possible(fs);
    let groups = match list_or_empty(fs, "/sys/kernel/iommu_groups") {
        Ok(g) => {
            let mut real = 0;
            // The kernel names groups by number: any other name (in a tree
            // or bundle) is not a group.
            for id in g.iter().filter(|id| id.parse::<u32>().is_ok()) {
                match is_noiommu_group(fs, &possible, id) {
                    Known::Value(false) => real += 1,
                    Known::Value(true) => {}
                    Known::Unknown(r) => return Known::unknown(r),
                }
            }
            real
        }
        Err(e) => return Known::unknown(e.to_string()),
    };
    let enabled = groups > 0;
    let vendor = if units.iter().any(|u| u.starts_with("dmar")) {
        Some(IommuVendor::Intel)
    } else if units.iter().any(|u| u.starts_with("ivhd")) {
        Some(IommuVendor::Amd)
    } else if table == Some("DMAR") {
        Some(IommuVendor::Intel)
    } else if table == Some("IVRS") {
        Some(IommuVendor::Amd)
    } else {
        match cpu.value().map(|c| c.vendor.as_str()) {
            Some("GenuineIntel") => Some(IommuVendor::Intel),
            Some("AuthenticAMD") | Some("HygonGenuine") => Some(IommuVendor::Amd),
            _ => None,
        }
    };
    let params = kernel.params.value().cloned().unwrap_or_default();
    let param = |k: &str| params.get(k).map(String::as_str);
    let (passthrough, passthrough_requested) = kernel
        .cmdline
        .value()
        .map(|c| passthrough_in_order(c))
        .unwrap_or((false, false));
    let mut add = Vec::new();
    let mut remove = Vec::new();
    let mut why = Vec::new();
    let cmdline_read = kernel.params.value().is_some();
    if let Known::Unknown(r) = &kernel.params {
        why.push(format!(
            "the kernel command line is unknown ({r}), so what it asks of the IOMMU cannot be said"
        ));
    }
    if param("iommu") == Some("off") {
        why.push("iommu=off is on the kernel command line".to_string());
        remove.push("iommu=off".to_string());
    }
    match vendor {
        _ if !cmdline_read => {}
        Some(IommuVendor::Intel) => {
            let opts: Vec<&str> = param("intel_iommu").unwrap_or("").split(',').collect();
            let on = opts.contains(&"on");
            if opts.contains(&"off") {
                why.push("intel_iommu=off is on the kernel command line".to_string());
                remove.push("intel_iommu=off".to_string());
                add.push("intel_iommu=on".to_string());
            } else if on {
                why.push("intel_iommu=on is on the kernel command line".to_string());
            } else {
                match kernel.intel_iommu_default_on.value() {
                    Some(true) => why.push(
                        "this kernel turns the Intel IOMMU on by default (CONFIG_INTEL_IOMMU_DEFAULT_ON=y)"
                            .to_string(),
                    ),
                    Some(false) => why.push(
                        "the command line lacks intel_iommu=on, which this kernel needs (CONFIG_INTEL_IOMMU_DEFAULT_ON is not set)"
                            .to_string(),
                    ),
                    None => why.push(
                        "the command line lacks intel_iommu=on, which most distribution kernels need"
                            .to_string(),
                    ),
                }
                add.push("intel_iommu=on".to_string());
            }
            if !enabled && (on || kernel.intel_iommu_default_on.value() == Some(&true)) {
                why.push(
                    "yet no IOMMU came up: the firmware gave no usable DMAR table (VT-d off in the BIOS?)"
                        .to_string(),
                );
            }
        }
        Some(IommuVendor::Amd) => {
            if param("amd_iommu") == Some("off") {
                why.push("amd_iommu=off is on the kernel command line".to_string());
                remove.push("amd_iommu=off".to_string());
            } else {
                why.push(
                    "the AMD IOMMU is on by default when the firmware provides IVRS".to_string(),
                );
                if !enabled {
                    why.push(
                        "yet no IOMMU came up: no usable IVRS table (IOMMU/AMD-Vi off in the BIOS?)"
                            .to_string(),
                    );
                }
            }
        }
        _ => why.push("the CPU vendor is unknown".to_string()),
    }
    if passthrough_requested && !passthrough {
        why.push("iommu=pt is overridden by a later setting on the command line (iommu.passthrough=0 or iommu=nopt)".to_string());
    }
    if passthrough {
        why.push(
            "passthrough mode (iommu=pt) maps host devices 1:1, which is fine: devices given to VFIO still get their own domain"
                .to_string(),
        );
    }
    Known::Value(IommuFacts {
        enabled,
        units,
        groups,
        vendor,
        passthrough,
        passthrough_requested,
        explanation: why.join("; "),
        cmdline_add: if enabled { Vec::new() } else { add },
        cmdline_remove: if enabled { Vec::new() } else { remove },
        cmdline_read,
    })
}
