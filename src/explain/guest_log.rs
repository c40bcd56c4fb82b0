//! `explain --guest NAME`: the input read from the host instead of pasted:
//! the guest's libvirt log from its last start attempt on, and the kernel
//! log lines that bear on assignment printed since then.

use super::reader::{canonical, read_line, Kind};
use crate::formats::kernel_log::relevant;
use crate::formats::libvirt_log::{boot_time, dmesg_seconds, last_start};
use crate::hostfs::HostFs;

/// Where libvirt's QEMU driver keeps each guest's log.
pub const LOG_DIR: &str = "/var/log/libvirt/qemu";
/// Lines of a log without a start header that are read, the last ones.
const TAIL_LINES: usize = 200;
/// Kernel lines kept when they cannot be placed in time, the latest.
const UNTIMED_KERNEL_LINES: usize = 50;

/// What was read for a guest: the lines to explain, and what they are.
#[derive(Debug)]
pub struct GuestInput {
    pub lines: Vec<String>,
    /// One sentence per source read (or left out, and why).
    pub read_from: Vec<String>,
}

/// A libvirt domain name that is safe to make a file name of: not empty,
/// no '/', not "." or "..", no control character, at most 255 bytes.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty()
        || name.len() > 255
        || name == "."
        || name == ".."
        || name.contains('/')
        || name.chars().any(char::is_control)
    {
        return Err(format!(
            "--guest {:?} is not a guest name libvirt would use (no '/', no control characters, not '.' or '..')",
            crate::sanitize::clean(name)
        ));
    }
    Ok(())
}

/// Reads guest `name`'s log and the kernel log through `fs`. `first_line`
/// is the input line the log's first line becomes (after a message given
/// beside it), for the sentences that say which input lines came from where.
pub fn read(fs: &dyn HostFs, name: &str, first_line: usize) -> Result<GuestInput, String> {
    check_name(name)?;
    let path = format!("{LOG_DIR}/{name}.log");
    let text = match fs.read_text(&path) {
        Ok(t) => t,
        Err(e) if e.is_not_found() => {
            return Err(format!(
                "no libvirt log for guest {name:?}: {path} does not exist ({}). Is {name:?} the guest's libvirt name (`virsh list --all`), and was it ever started here? Otherwise pass the error message itself",
                fs.describe()
            ))
        }
        Err(e) => return Err(format!("cannot read the guest's log: {e}")),
    };
    let span = |from: usize, n: usize| match n {
        0 => "no input line".to_string(),
        1 => format!("input line {from}"),
        _ => format!("input lines {from}-{}", from + n - 1),
    };
    let mut read_from = Vec::new();
    let (mut lines, since): (Vec<String>, Option<i64>) = match last_start(&text) {
        Some(start) => {
            let n = start.lines.len();
            let input = super::lines(&start.lines.join("\n"));
            read_from.push(format!(
                "{}: {path} lines {}-{}, its last start (at {})",
                span(first_line, input.len()),
                start.line,
                start.line + n - 1,
                start.stamp
            ));
            (input, start.at)
        }
        None => {
            let all: Vec<&str> = text.lines().collect();
            let from = all.len().saturating_sub(TAIL_LINES);
            let n = all.len() - from;
            let input = super::lines(&all[from..].join("\n"));
            read_from.push(format!(
                "{}: the last {n} line(s) of {path}, which has no \"starting up\" line to find the last start by",
                span(first_line, input.len())
            ));
            (input, None)
        }
    };
    let devices = devices_named(&lines);
    let (kernel, said) = kernel_lines(fs, since, &devices);
    read_from.push(format!(
        "{}: {said}",
        span(first_line + lines.len(), kernel.len())
    ));
    lines.extend(kernel);
    Ok(GuestInput { lines, read_from })
}

/// The devices the guest's log names (its command line names every device
/// it was given), as bus:device.function.
fn devices_named(lines: &[String]) -> Vec<String> {
    let mut out: Vec<String> = lines
        .iter()
        .flat_map(|l| read_line(l))
        .filter(|m| m.kind == Kind::Device)
        .filter_map(|m| canonical(&m.value))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Whether a kernel line is about the guest: it names one of `devices`, or
/// no device at all (an IOMMU fault, a VFIO or DMAR line about the host).
fn about_guest(line: &str, devices: &[String]) -> bool {
    let named: Vec<String> = read_line(line)
        .into_iter()
        .filter(|m| m.kind == Kind::Device)
        .filter_map(|m| canonical(&m.value))
        .collect();
    named.is_empty() || named.iter().any(|d| devices.contains(d))
}

/// The kernel log's lines about the guest's `devices` (or no device) that
/// bear on assignment, printed at or after `since` (seconds since the
/// epoch) when the log's stamps and the boot time place them; else the
/// latest few. And what was read, in a sentence.
fn kernel_lines(fs: &dyn HostFs, since: Option<i64>, devices: &[String]) -> (Vec<String>, String) {
    let log = match fs.kernel_log() {
        Ok(log) => log,
        Err(e) => return (Vec::new(), format!("no kernel log read: {e}")),
    };
    let (kept, _) = relevant(log.lines.iter().map(String::as_str));
    let kept: Vec<String> = kept
        .into_iter()
        .filter(|l| about_guest(l, devices))
        .collect();
    let boot = fs.read_text("/proc/stat").ok().and_then(|s| boot_time(&s));
    if let (Some(since), Some(boot)) = (since, boot) {
        if kept.iter().all(|l| dmesg_seconds(l).is_some()) {
            // One second of slack: the stamps are the kernel's monotonic
            // clock and libvirt's wall clock, which drift apart.
            let after = (since - boot - 1) as f64;
            let timed: Vec<String> = kept
                .into_iter()
                .filter(|l| dmesg_seconds(l).is_some_and(|t| t >= after))
                .collect();
            return (
                timed,
                format!(
                    "{}, its lines about the guest's devices or the IOMMU since that start (the boot time from /proc/stat places them)",
                    log.source
                ),
            );
        }
    }
    let why = match (since, boot) {
        (None, _) => "the guest's log gives no start time",
        (_, None) => "no /proc/stat boot time to place its lines",
        _ => "its lines carry no dmesg time stamps",
    };
    let from = kept.len().saturating_sub(UNTIMED_KERNEL_LINES);
    (
        kept[from..].to_vec(),
        format!(
            "{}, its latest lines about the guest's devices or the IOMMU, from any time ({why})",
            log.source
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hostfs::BundleFs;

    #[test]
    fn names_that_are_not_file_names_are_refused() {
        for bad in [
            "",
            ".",
            "..",
            "../../etc/shadow",
            "a/b",
            "web\n01",
            &"x".repeat(256),
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        for good in [
            "web01",
            "instance-00000038",
            "my vm",
            "vm.example.com",
            "ünïcode",
        ] {
            assert!(check_name(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn kernel_lines_since_the_start_when_the_boot_time_is_known() {
        // Booted at 1705300000; the guest started at 1705314225, 14225 s later.
        let mut files = std::collections::BTreeMap::new();
        files.insert(
            "/proc/stat".to_string(),
            crate::hostfs::Node {
                meta: Some(crate::hostfs::Metadata {
                    kind: crate::hostfs::EntryKind::File,
                    mode: 0o444,
                    uid: 0,
                    gid: 0,
                    device: None,
                }),
                content: Some(b"cpu 1\nbtime 1705300000\n".to_vec()),
                ..Default::default()
            },
        );
        let fs = BundleFs::new("t", files).with_kernel_log(vec![
            "[    2.000000] pci 0000:03:00.0: BAR 7: no space for [mem size 0x00100000 64bit]"
                .into(),
            "[14225.500000] vfio-pci 0000:03:10.0: enabling device (0000 -> 0002)".into(),
            "[14226.000000] unrelated line about a disk".into(),
        ]);
        let mine = vec!["03:10.0".to_string()];
        let (lines, said) = kernel_lines(&fs, Some(1_705_314_225), &mine);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].contains("enabling device"));
        assert!(said.contains("since that start"), "{said}");
        // Another guest's device is not this guest's business.
        let (lines, _) = kernel_lines(&fs, Some(1_705_314_225), &["03:10.1".to_string()]);
        assert!(lines.is_empty(), "{lines:?}");
        // Without a start time every line about its devices, and why.
        let (lines, said) = kernel_lines(&fs, None, &mine);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            said.contains("from any time (the guest's log gives no start time)"),
            "{said}"
        );
    }
}
