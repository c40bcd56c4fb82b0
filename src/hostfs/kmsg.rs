//! The live kernel log, from /dev/kmsg: opened without blocking, read one
//! record per `read` until EAGAIN (the end of what is buffered), never
//! waiting for more. Bounded in records and bytes whatever the kernel holds.

use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;

use super::{FsError, FsResult, KernelLog, MAX_KERNEL_LOG_LINES};

/// The kernel's log device.
pub const KMSG: &str = "/dev/kmsg";
/// At most this many bytes of records are read.
const MAX_BYTES: usize = 16 << 20;
/// One record is at most this long (the kernel's own limit is about 8 KiB;
/// a longer one fails with EINVAL and is skipped).
const RECORD: usize = 16 << 10;

/// A /dev/kmsg record, `PRI,SEQ,TS_USEC,FLAGS[,…];TEXT`, as dmesg shows it:
/// `[SECONDS.MICROS] TEXT`. Continuation lines (` KEY=VALUE`, the
/// record's dictionary) are not text: None. A record without the header is
/// kept as it is.
pub fn record_line(record: &str) -> Option<String> {
    let first = record.lines().next()?;
    if first.starts_with(' ') {
        return None;
    }
    let Some((header, text)) = first.split_once(';') else {
        return Some(first.to_string());
    };
    let mut fields = header.split(',');
    let _pri = fields.next();
    let _seq = fields.next();
    match fields.next().and_then(|t| t.parse::<u64>().ok()) {
        Some(usec) => Some(format!(
            "[{:5}.{:06}] {text}",
            usec / 1_000_000,
            usec % 1_000_000
        )),
        None => Some(first.to_string()),
    }
}

/// Reads what /dev/kmsg holds now, and stops.
pub fn read_live() -> FsResult<KernelLog> {
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC | libc::O_NOCTTY)
        .open(KMSG)
        .map_err(|e| FsError::from_io(KMSG, &e))?;
    let mut buf = vec![0u8; RECORD];
    let mut lines = Vec::new();
    let mut bytes = 0usize;
    let mut cut = None;
    // One record per read; at most this many tries, so that even a
    // kernel that never said EAGAIN could not keep us here.
    for _ in 0..(4 * MAX_KERNEL_LOG_LINES + 1024) {
        match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                bytes += n;
                let rec = String::from_utf8_lossy(&buf[..n]);
                if let Some(l) = record_line(&rec) {
                    lines.push(l);
                }
                if bytes >= MAX_BYTES {
                    cut = Some(format!(
                        "{KMSG}: read stopped after {} MiB",
                        MAX_BYTES >> 20
                    ));
                    break;
                }
            }
            Err(e) => match e.raw_os_error() {
                Some(libc::EAGAIN) => break,
                // Records overwritten while reading (EPIPE), or one too
                // long for the buffer (EINVAL): go on with the next.
                Some(libc::EPIPE) | Some(libc::EINVAL) => continue,
                Some(libc::EINTR) => continue,
                _ => {
                    if lines.is_empty() {
                        return Err(FsError::from_io(KMSG, &e));
                    }
                    cut = Some(format!("{KMSG}: read stopped: {e}"));
                    break;
                }
            },
        }
    }
    let mut log = KernelLog::from_lines(KMSG, lines);
    if log.cut.is_none() {
        log.cut = cut;
    }
    Ok(log)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_as_dmesg_shows_them() {
        assert_eq!(
            record_line(
                "3,1234,5123456,-;pci 0000:03:00.0: not enough MMIO resources for SR-IOV\n"
            )
            .as_deref(),
            Some("[    5.123456] pci 0000:03:00.0: not enough MMIO resources for SR-IOV")
        );
        assert_eq!(record_line(" SUBSYSTEM=pci"), None);
        assert_eq!(record_line("no header").as_deref(), Some("no header"));
        assert_eq!(
            record_line("6,7,notanumber,-;text").as_deref(),
            Some("6,7,notanumber,-;text")
        );
    }
}
