//! A host tree built from the input, with FIFOs, sockets and device nodes
//! among its files, at the paths the probes read: `check` on it must end
//! (a FIFO or /dev/kmsg opened would block: libFuzzer's -timeout catches
//! it), never panic, and its text report has one `Result:` line (no data
//! starts a line). Needs root for device nodes (mknod); as another user
//! they are left out.
#![no_main]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use rustix::fs::{mknodat, FileType, Mode, CWD};
use sriov_doctor::rules::Engine;

/// Paths the probes read, so that the input reaches them.
const PATHS: &[&str] = &[
    "proc/cmdline",
    "proc/cpuinfo",
    "proc/modules",
    "proc/interrupts",
    "proc/sys/kernel/hostname",
    "etc/os-release",
    "etc/hostname",
    "sys/firmware/acpi/tables/DMAR",
    "sys/firmware/acpi/tables/IVRS",
    "sys/class/iommu/dmar0",
    "sys/kernel/iommu_groups/7/devices/0000:03:10.0",
    "sys/bus/pci/devices/0000:03:10.0",
    "sys/devices/pci0000:00/0000:03:10.0/vendor",
    "sys/devices/pci0000:00/0000:03:10.0/device",
    "sys/devices/pci0000:00/0000:03:10.0/class",
    "sys/devices/pci0000:00/0000:03:10.0/driver",
    "sys/devices/pci0000:00/0000:03:10.0/iommu_group",
    "sys/devices/pci0000:00/0000:03:10.0/physfn",
    "sys/devices/pci0000:00/0000:03:10.0/config",
    "sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts",
    "run/libvirt/qemu/guest.xml",
    "run/libvirt/qemu/guest.pid",
    "proc/100/cmdline",
    "proc/100/comm",
    "proc/100/status",
    "proc/100/fd/3",
    "var/log/messages",
];

fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| std::env::temp_dir().join(format!("sriov-doctor-fuzz-tree-{}", std::process::id())))
}

fn make(root: &Path, rel: &str, kind: u8, data: &[u8]) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        let _ = fs::create_dir_all(parent);
    }
    let _ = fs::remove_file(&path);
    let _ = fs::remove_dir_all(&path);
    match kind % 7 {
        0 | 1 => {
            let _ = fs::write(&path, data);
        }
        2 => {
            let _ = fs::create_dir_all(&path);
        }
        3 => {
            // A link to another probed path, or out of the tree.
            let target = match data.first().copied().unwrap_or(0) % 3 {
                0 => format!("/{}", PATHS[data.len() % PATHS.len()]),
                1 => "../../../../../../../../etc/passwd".to_string(),
                _ => format!("{}", String::from_utf8_lossy(data)),
            };
            let _ = std::os::unix::fs::symlink(target, &path);
        }
        4 => {
            let _ = mknodat(CWD, &path, FileType::Fifo, Mode::from_raw_mode(0o644), 0);
        }
        5 => {
            // A Unix socket: opening one fails (ENXIO), but it is no file.
            let _ = std::os::unix::net::UnixListener::bind(&path);
        }
        _ => {
            // /dev/null, /dev/kmsg, /dev/zero, /dev/tty: each would be the
            // fuzzing machine's own device if it were opened.
            let (major, minor) = [(1, 3), (1, 11), (1, 5), (5, 0)][data.len() % 4];
            let dev = rustix::fs::makedev(major, minor);
            let _ = mknodat(CWD, &path, FileType::CharacterDevice, Mode::from_raw_mode(0o644), dev);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    let engine = ENGINE.get_or_init(|| Engine::load(None).expect("built-in rules load"));
    let root = scratch();
    let _ = fs::remove_dir_all(root);
    fs::create_dir_all(root).expect("scratch directory");
    // Records of (path, kind, length, bytes).
    let mut rest = data;
    while rest.len() >= 3 {
        let (path, kind, len) = (rest[0] as usize % PATHS.len(), rest[1], rest[2] as usize);
        let body = &rest[3..(3 + len).min(rest.len())];
        make(root, PATHS[path], kind, body);
        rest = &rest[3 + body.len()..];
    }
    let Ok(fs) = sriov_doctor::hostfs::DirFs::tree(root) else {
        return;
    };
    if let Ok(report) = sriov_doctor::check(&fs, &[], engine) {
        assert!(report.findings.iter().all(|f| !f.rule.is_empty()));
        let text = sriov_doctor::render::text::render(
            &report,
            &sriov_doctor::render::text::Style { color: false },
        );
        // Every line is the report's own: no data starts one.
        assert!(text.lines().filter(|l| l.starts_with("Result:")).count() == 1);
    }
});
