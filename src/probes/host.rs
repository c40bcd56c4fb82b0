//! Host-wide facts: CPU, kernel command line, distribution, hypervisor.

use std::io::Cursor;

use procfs_core::{CpuInfo, FromBufRead};

use crate::facts::{CpuFacts, DistroFacts, DistroFamily, KernelFacts, Known, XenFacts};
use crate::formats::{cmdline, kernel_config, kernel_release, os_release};
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

/// /proc/cmdline: one line of text, as the kernel prints its command line
/// (a C string: no NUL, and in practice no control characters). Anything
/// else, random bytes for one, is no command line: unknown, not the empty
/// set of parameters that a parse of it would give.
fn cmdline(fs: &dyn HostFs) -> Known<String> {
    let bytes = match fs.read("/proc/cmdline") {
        Ok(b) => b,
        Err(e) => return Known::unknown(e.to_string()),
    };
    match cmdline::line(&bytes) {
        Ok(line) => Known::Value(line.to_string()),
        Err(cmdline::NotACmdline::NotText) => {
            Known::unknown("/proc/cmdline is not text: not a kernel command line")
        }
        Err(cmdline::NotACmdline::ControlCharacters) => {
            Known::unknown("/proc/cmdline holds control characters: not a kernel command line")
        }
        Err(cmdline::NotACmdline::Unterminated) => Known::unknown(
            "/proc/cmdline does not end in the newline the kernel always prints: empty or cut short",
        ),
    }
}

pub fn kernel(fs: &dyn HostFs) -> KernelFacts {
    let release: Known<String> = fs.read_text("/proc/sys/kernel/osrelease").into();
    let cmdline = cmdline(fs);
    let params = cmdline.clone().map(|c| cmdline::parse(&c));
    let intel_iommu_default_on = release.clone().and_then(|rel| {
        let path = format!("/boot/config-{rel}");
        match fs.read_text(&path) {
            Ok(text) => Known::Value(kernel_config::is_y(&text, "CONFIG_INTEL_IOMMU_DEFAULT_ON")),
            Err(e) => Known::unknown(e.to_string()),
        }
    });
    let legacy_kvm_assignment =
        release
            .clone()
            .and_then(|rel| match kernel_release::version(&rel) {
                Some(v) => Known::Value(v < (4, 12)),
                None => Known::unknown(format!("kernel release '{rel}' has no version number")),
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
    let fields = os_release::parse(&text);
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

/// The interfaces with a usable IPv4 default route (/proc/net/route: the
/// network namespace the tool runs in, on a live host).
pub fn default_route(fs: &dyn HostFs) -> Known<Vec<String>> {
    let text: Known<String> = fs.read_text("/proc/net/route").into();
    text.map(|t| crate::formats::proc_net_route::default_route_interfaces(&t))
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
