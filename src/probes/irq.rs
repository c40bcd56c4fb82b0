//! Interrupt remapping as the kernel runs it (/proc/interrupts: chips named
//! IR-…), and VFIO's escape hatch, vfio_iommu_type1's allow_unsafe_interrupts.

use crate::facts::{IrqRemapFacts, KernelFacts, Known};
use crate::formats::{interrupts, modprobe_d};
use crate::hostfs::{join, HostFs};

const PARAM: &str = "/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts";

fn truthy(v: &str) -> bool {
    matches!(v.trim(), "1" | "Y" | "y" | "on" | "true")
}

pub fn probe(fs: &dyn HostFs, kernel: &KernelFacts) -> IrqRemapFacts {
    let (kernel_enabled, kernel_chips) = match fs.read_text("/proc/interrupts") {
        Ok(text) => {
            let chips = interrupts::chips(&text);
            let remapped = chips.iter().any(|c| c.starts_with("IR-"));
            let plain = chips.iter().any(|c| !c.starts_with("IR-"));
            let state = if remapped {
                Known::Value(true)
            } else if plain {
                Known::Value(false)
            } else {
                Known::unknown("/proc/interrupts lists no IO-APIC or MSI interrupts")
            };
            (state, chips.into_iter().collect())
        }
        Err(e) => (Known::unknown(e.to_string()), Vec::new()),
    };
    let (allow_unsafe_interrupts, allow_unsafe_source) = unsafe_interrupts(fs, kernel);
    IrqRemapFacts {
        kernel_enabled,
        kernel_chips,
        allow_unsafe_interrupts,
        allow_unsafe_source,
    }
}

/// The module's live parameter when loaded; else what would apply at load
/// (command line, then /etc/modprobe.d).
fn unsafe_interrupts(fs: &dyn HostFs, kernel: &KernelFacts) -> (Known<bool>, String) {
    match fs.read_text(PARAM) {
        Ok(v) => return (Known::Value(truthy(&v)), PARAM.to_string()),
        Err(e) if !e.is_not_found() => return (Known::unknown(e.to_string()), PARAM.to_string()),
        Err(_) => {}
    }
    if let Some(v) = kernel
        .params
        .value()
        .and_then(|p| p.get("vfio_iommu_type1.allow_unsafe_interrupts"))
    {
        return (Known::Value(truthy(v)), "/proc/cmdline".to_string());
    }
    let dir = "/etc/modprobe.d";
    let files = match fs.list_dir(dir) {
        Ok(f) => f,
        Err(e) if e.is_not_found() => Vec::new(),
        Err(e) => return (Known::unknown(e.to_string()), dir.to_string()),
    };
    for f in files.iter().filter(|f| f.ends_with(".conf")) {
        let path = join(dir, f);
        let Ok(text) = fs.read_text(&path) else {
            continue;
        };
        if let Some(v) = modprobe_d::option(&text, "vfio_iommu_type1", "allow_unsafe_interrupts") {
            return (Known::Value(truthy(v)), path);
        }
    }
    (Known::Value(false), "default (not set)".to_string())
}
