//! Making a bundle: run the probes of check, list, explain and acpi on a
//! recording root, redact what was read, and compute the report from the
//! result, so that replaying the bundle gives exactly the report it carries.

use std::path::Path;
use std::sync::Arc;

use super::{redact, rules_version, time, Bundle, Files, ToolInfo, SCHEMA_VERSION};
use crate::hostfs::{BundleFs, DirFs, HostFs};
use crate::report::Report;
use crate::rules::Engine;

pub struct CaptureOptions<'a> {
    /// A captured tree, or None for this machine.
    pub root: Option<&'a Path>,
    pub redact: bool,
    /// How the bundle will be named in its report (`bundle NAME`).
    pub shown: String,
}

/// Log files read for the `kernel_log` lines besides the root's own
/// kernel log (/dev/kmsg live, /var/log/dmesg in a tree): syslog's.
const LOGS: [&str; 2] = ["/var/log/kern.log", "/var/log/messages"];
/// At most this many log lines, the latest.
const MAX_LOG_LINES: usize = 10_000;

fn open(root: Option<&Path>) -> Result<DirFs, String> {
    match root {
        Some(dir) => DirFs::host_tree(dir),
        None => Ok(DirFs::live()),
    }
}

/// The lines that bear on PCI, the IOMMU, VFIO and SR-IOV in the kernel
/// logs (the filter of the `host.kernel_log` fact), and what was cut from
/// them (a log that could not be read whole, lines over the limit), each in
/// a sentence for the bundle's `cut`.
fn kernel_log(fs: &dyn HostFs) -> (Vec<String>, Vec<String>) {
    use crate::formats::kernel_log::bearing;
    let mut out = Vec::new();
    let mut cut = Vec::new();
    match fs.kernel_log() {
        Ok(log) => {
            out.extend(bearing(log.lines.iter().map(String::as_str)));
            cut.extend(log.cut.map(|c| format!("kernel log: {c}")));
        }
        Err(e) if e.is_not_found() => {}
        Err(e) => cut.push(format!("kernel log: {e}; its lines are not in the bundle")),
    }
    for path in LOGS {
        match fs.read(path) {
            Ok(bytes) => out.extend(bearing(String::from_utf8_lossy(&bytes).lines())),
            Err(e) if e.is_not_found() => {}
            Err(e) => cut.push(format!("kernel log: {e}; its lines are not in the bundle")),
        }
    }
    if out.len() > MAX_LOG_LINES {
        cut.push(format!(
            "kernel log: {} matching lines, the earliest {} left out (at most {MAX_LOG_LINES}, the latest)",
            out.len(),
            out.len() - MAX_LOG_LINES
        ));
        out.drain(..out.len() - MAX_LOG_LINES);
    }
    (out, cut)
}

/// Reads the host as check, list, explain and acpi would (every device as a
/// target, so that any `--device` replays), and makes the bundle.
pub fn capture(opts: &CaptureOptions, engine: &Engine) -> Result<Bundle, String> {
    let fs = open(opts.root)?.recording();
    let facts = crate::gather(&fs, &[])?;
    if let Ok(all) = crate::probes::pci::addresses(&fs) {
        let all: Vec<String> = all.iter().map(|a| a.to_string()).collect();
        let _ = crate::gather(&fs, &all);
        // What a --device naming a VF not created yet reads (which PF
        // would make it).
        for a in &all {
            for name in ["sriov_totalvfs", "sriov_offset", "sriov_stride"] {
                let _ = fs.read(&format!("/sys/bus/pci/devices/{a}/{name}"));
            }
        }
    }
    let _ = crate::tables::load(&fs, None);
    if let Ok(groups) = fs.list_dir("/sys/kernel/iommu_groups") {
        for g in groups.iter().filter(|g| g.parse::<u32>().is_ok()) {
            let _ = fs.list_dir(&format!("/sys/kernel/iommu_groups/{g}/devices"));
        }
    }
    let mut nodes = fs.take_record();
    // Nova's files hold passwords: only what platform.nova-pci reads is kept.
    for (_, n) in nodes
        .iter_mut()
        .filter(|(p, _)| p.starts_with("/etc/nova/"))
    {
        if let Some(c) = n.content.as_mut() {
            *c = crate::formats::nova_conf::keep_pci(&String::from_utf8_lossy(c)).into_bytes();
        }
    }
    // The logs are read apart: only the matching lines go in the bundle.
    let (mut log, cut) = kernel_log(&open(opts.root)?);
    if opts.redact {
        (nodes, log) = redact::redact(nodes, log, &facts);
    }
    let replay = Arc::new(
        BundleFs::new(opts.shown.clone(), nodes)
            .with_cut(cut.clone())
            .with_kernel_log(log.clone()),
    );
    let facts = crate::gather(replay.as_ref(), &[])?;
    let report = Report::new(&facts, engine.run(&facts));
    let b = Bundle {
        schema_version: SCHEMA_VERSION,
        tool: ToolInfo {
            name: env!("CARGO_PKG_NAME").to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        },
        rules_version: rules_version(),
        created: time::now(),
        redacted: opts.redact,
        host: json(&report.host),
        check: json(&report),
        facts: json(&facts),
        kernel_log: log,
        cut,
        files: Files::Captured(replay),
    };
    within_read_limits(&b)?;
    Ok(b)
}

/// A bundle that `check --bundle` would refuse is not written: the limits
/// are the reader's (entries, bytes of JSON), checked on what would be
/// written.
fn within_read_limits(b: &Bundle) -> Result<(), String> {
    struct Count(u64);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len() as u64;
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    if b.files.len() > super::MAX_ENTRIES {
        return Err(format!(
            "the bundle would hold {} entries, over the {} that `check --bundle` reads: not written",
            b.files.len(),
            super::MAX_ENTRIES
        ));
    }
    let mut count = Count(0);
    serde_json::to_writer_pretty(&mut count, b).map_err(|e| e.to_string())?;
    if count.0 + 1 > super::MAX_BUNDLE_BYTES {
        return Err(format!(
            "the bundle would be {} MiB of JSON, over the {} MiB that `check --bundle` reads: not written",
            count.0 >> 20,
            super::MAX_BUNDLE_BYTES >> 20
        ));
    }
    Ok(())
}

/// Reports and facts always serialize.
fn json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).expect("reports serialize")
}
