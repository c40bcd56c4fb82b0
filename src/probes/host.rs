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
        etc_kernel_cmdline: fs.exists("/etc/kernel/cmdline").unwrap_or(false),
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

/// How deep `lower_*` links are followed (a bridge over a bond over a
/// VLAN over a NIC is three).
const MAX_STACK: usize = 8;

/// The interfaces that carry a usable default route, IPv4
/// (/proc/net/route) or IPv6 (/proc/net/ipv6_route) — on a live host those
/// of the network namespace the tool runs in — and every interface below
/// them: a bond's slaves, a bridge's ports, a VLAN's parent (their
/// `/sys/class/net/IF/lower_*` links). Detaching any of them takes the
/// route down or degrades it. Unknown only when neither table can be read.
pub fn default_route(fs: &dyn HostFs) -> Known<Vec<String>> {
    use crate::formats::proc_net_route::{default_route6_interfaces, default_route_interfaces};
    let v4 = fs.read_text("/proc/net/route");
    let v6 = fs.read_text("/proc/net/ipv6_route");
    let mut top: Vec<String> = Vec::new();
    match (&v4, &v6) {
        (Err(e), Err(_)) => return Known::unknown(e.to_string()),
        _ => {
            if let Ok(t) = &v4 {
                top.extend(default_route_interfaces(t));
            }
            if let Ok(t) = &v6 {
                top.extend(default_route6_interfaces(t));
            }
        }
    }
    let mut out: Vec<String> = Vec::new();
    let mut level = top;
    for _ in 0..MAX_STACK {
        let mut next = Vec::new();
        for name in level {
            if out.contains(&name) || name.contains('/') || name.starts_with('.') {
                continue;
            }
            let entries = fs
                .list_dir(&format!("/sys/class/net/{name}"))
                .unwrap_or_default();
            next.extend(
                entries
                    .iter()
                    .filter_map(|e| e.strip_prefix("lower_"))
                    .map(str::to_string),
            );
            out.push(name);
        }
        if next.is_empty() {
            break;
        }
        level = next;
    }
    Known::Value(out)
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
mod route_tests {
    use super::default_route;
    use crate::hostfs::DirFs;
    use std::fs;

    /// A bridge over a bond over two NICs, as sysfs links them: the route
    /// is on br0, and every interface under it carries it.
    #[test]
    fn the_ports_under_a_bridge_and_bond_carry_its_default_route() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        fs::create_dir_all(r.join("proc/net")).unwrap();
        fs::write(
            r.join("proc/net/route"),
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
             br0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n",
        )
        .unwrap();
        for (dir, lowers) in [
            ("br0", vec!["bond0"]),
            ("bond0", vec!["enp3s0f0", "enp3s0f1"]),
            ("enp3s0f0", vec![]),
            ("enp3s0f1", vec![]),
            ("enp4s0", vec![]),
        ] {
            let p = r.join("sys/class/net").join(dir);
            fs::create_dir_all(&p).unwrap();
            fs::write(p.join("operstate"), "up\n").unwrap();
            for l in lowers {
                std::os::unix::fs::symlink(format!("../{l}"), p.join(format!("lower_{l}")))
                    .unwrap();
            }
        }
        let f = DirFs::host_tree(r).unwrap();
        let got = default_route(&f).value().cloned().unwrap();
        assert_eq!(got, vec!["br0", "bond0", "enp3s0f0", "enp3s0f1"]);
    }

    #[test]
    fn no_routing_table_is_unknown_and_an_empty_one_is_no_route() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir_all(d.path().join("proc")).unwrap();
        fs::create_dir_all(d.path().join("sys")).unwrap();
        let f = DirFs::host_tree(d.path()).unwrap();
        assert!(default_route(&f).value().is_none());
        fs::create_dir_all(d.path().join("proc/net")).unwrap();
        fs::write(d.path().join("proc/net/ipv6_route"), "").unwrap();
        let f = DirFs::host_tree(d.path()).unwrap();
        assert_eq!(default_route(&f).value().cloned(), Some(vec![]));
    }
}
