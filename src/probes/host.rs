//! Host-wide facts: CPU, kernel command line, distribution, hypervisor.

use std::collections::BTreeMap;
use std::io::Cursor;

use procfs_core::{CpuInfo, FromBufRead};

use crate::facts::{CpuFacts, DistroFacts, DistroFamily, KernelFacts, Known, XenFacts};
use crate::hostfs::HostFs;

pub fn cpu(fs: &dyn HostFs) -> Known<CpuFacts> {
    let text = match fs.read_text("/proc/cpuinfo") {
        Ok(t) => t,
        Err(e) => return Known::unknown(e.to_string()),
    };
    if !text.lines().any(|l| l.starts_with("processor")) {
        return Known::unknown("/proc/cpuinfo has no 'processor' entry: not a cpuinfo file");
    }
    let info = match CpuInfo::from_buf_read(Cursor::new(text.as_bytes())) {
        Ok(i) => i,
        Err(e) => return Known::unknown(format!("/proc/cpuinfo: {e}")),
    };
    let flags: Vec<&str> = info.flags(0).unwrap_or_default();
    let has = |f: &str| flags.contains(&f);
    Known::Value(CpuFacts {
        vendor: info.vendor_id(0).unwrap_or("").to_string(),
        model_name: info.model_name(0).unwrap_or("").to_string(),
        cpus: info.num_cores(),
        vmx: has("vmx"),
        svm: has("svm"),
        hypervisor: has("hypervisor"),
    })
}

/// Splits a kernel command line as the kernel does: whitespace separates,
/// double quotes group, and everything after `--` belongs to init.
pub fn parse_cmdline(line: &str) -> BTreeMap<String, String> {
    let mut params = BTreeMap::new();
    let mut word = String::new();
    let mut in_quotes = false;
    let mut words = Vec::new();
    for c in line.chars() {
        match c {
            '"' => in_quotes = !in_quotes,
            c if c.is_whitespace() && !in_quotes => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    for w in words {
        if w == "--" {
            break;
        }
        let (k, v) = w.split_once('=').unwrap_or((w.as_str(), ""));
        // The kernel treats '-' and '_' in parameter names alike.
        params.insert(k.replace('-', "_"), v.to_string());
    }
    params
}

/// /proc/cmdline: one line of text, as the kernel prints its command line
/// (a C string: no NUL, and in practice no control characters). Anything
/// else, random bytes for one, is no command line: unknown, not the empty
/// set of parameters that a parse of it would give.
fn cmdline(fs: &dyn HostFs) -> Known<String> {
    let bytes = match fs.read("/proc/cmdline") {
        Ok(b) => b,
        Err(e) => return Known::unknown(e.to_string()),
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Known::unknown("/proc/cmdline is not text: not a kernel command line");
    };
    let line = text.strip_suffix('\n').unwrap_or(text);
    if line.chars().any(|c| c.is_control() && c != '\t') {
        return Known::unknown("/proc/cmdline holds control characters: not a kernel command line");
    }
    Known::Value(line.trim().to_string())
}

pub fn kernel(fs: &dyn HostFs) -> KernelFacts {
    let release: Known<String> = fs.read_text("/proc/sys/kernel/osrelease").into();
    let cmdline = cmdline(fs);
    let params = cmdline.clone().map(|c| parse_cmdline(&c));
    let intel_iommu_default_on = release.clone().and_then(|rel| {
        let path = format!("/boot/config-{rel}");
        match fs.read_text(&path) {
            Ok(text) => Known::Value(
                text.lines()
                    .any(|l| l.trim() == "CONFIG_INTEL_IOMMU_DEFAULT_ON=y"),
            ),
            Err(e) => Known::unknown(e.to_string()),
        }
    });
    let legacy_kvm_assignment = release.clone().and_then(|rel| {
        let mut nums = rel
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse::<u32>().ok());
        match (nums.next(), nums.next()) {
            (Some(major), Some(minor)) => Known::Value((major, minor) < (4, 12)),
            _ => Known::unknown(format!("kernel release '{rel}' has no version number")),
        }
    });
    KernelFacts {
        legacy_kvm_assignment,
        release,
        cmdline,
        params,
        intel_iommu_default_on,
    }
}

pub fn distro(fs: &dyn HostFs) -> Known<DistroFacts> {
    // /usr/lib/os-release is the fallback for a missing /etc/os-release
    // only: one that cannot be read says why.
    let text = match fs.read_text("/etc/os-release") {
        Ok(t) => t,
        Err(e) if !e.is_not_found() => return Known::unknown(e.to_string()),
        Err(_) => match fs.read_text("/usr/lib/os-release") {
            Ok(t) => t,
            Err(e) => return Known::unknown(e.to_string()),
        },
    };
    let mut fields = BTreeMap::new();
    for line in text.lines() {
        if let Some((k, v)) = line.split_once('=') {
            fields.insert(k.trim().to_string(), v.trim().trim_matches('"').to_string());
        }
    }
    let id = fields.get("ID").cloned().unwrap_or_default();
    let like = fields.get("ID_LIKE").cloned().unwrap_or_default();
    let all = format!("{id} {like}");
    let family = if ["rhel", "fedora", "centos"].iter().any(|f| all.contains(f)) {
        DistroFamily::Rhel
    } else if ["debian", "ubuntu"].iter().any(|f| all.contains(f)) {
        DistroFamily::Debian
    } else if all.contains("suse") || all.contains("sles") {
        DistroFamily::Suse
    } else {
        DistroFamily::Other
    };
    Known::Value(DistroFacts {
        pretty_name: fields
            .get("PRETTY_NAME")
            .cloned()
            .unwrap_or_else(|| id.clone()),
        id,
        family,
    })
}

pub fn hostname(fs: &dyn HostFs) -> Known<String> {
    match fs.read_text("/proc/sys/kernel/hostname") {
        Ok(h) => Known::Value(h),
        Err(_) => fs.read_text("/etc/hostname").into(),
    }
}

pub fn xen(fs: &dyn HostFs) -> Known<XenFacts> {
    let proc_xen = match fs.exists("/proc/xen") {
        Ok(b) => b,
        Err(e) => return Known::unknown(e.to_string()),
    };
    let hv_type = match fs.read_text("/sys/hypervisor/type") {
        Ok(t) => Some(t),
        Err(e) if e.is_not_found() => None,
        Err(e) => return Known::unknown(e.to_string()),
    };
    let present = proc_xen || hv_type.as_deref() == Some("xen");
    let dom0 = present
        && fs
            .read_text("/proc/xen/capabilities")
            .map(|c| c.contains("control_d"))
            .unwrap_or(false);
    let capabilities = fs.read_text("/sys/hypervisor/properties/capabilities").ok();
    let hvm = capabilities
        .as_deref()
        .is_some_and(|c| c.split_whitespace().any(|w| w.starts_with("hvm-")));
    Known::Value(XenFacts {
        present,
        dom0,
        capabilities,
        hvm,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmdline_follows_kernel_rules() {
        let p = parse_cmdline(
            "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet intel_iommu=on,sm_on iommu=pt foo=\"a b\" intel-iommu=off -- single",
        );
        assert_eq!(p["intel_iommu"], "off", "last occurrence wins, '-' is '_'");
        assert_eq!(p["iommu"], "pt");
        assert_eq!(p["quiet"], "");
        assert_eq!(p["foo"], "a b");
        assert!(!p.contains_key("single"), "after -- is init's");
    }
}
