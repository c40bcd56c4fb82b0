//! A guest's libvirt log, /var/log/libvirt/qemu/NAME.log: at each start
//! libvirt writes a header line, `2024-01-15 10:23:45.123+0000: starting up
//! libvirt version: …` (its clock is always written in UTC, "+0000"), then
//! the QEMU command line, then whatever QEMU prints on standard error,
//! then `… shutting down, reason=…`. The log is kept across starts (virtlogd
//! rotates it), so only the lines from the last header on are about the
//! last attempt. Also the kernel log's dmesg stamps (`[  123.456789]`,
//! seconds since boot) and /proc/stat's `btime`, to keep the kernel lines
//! printed since that start.

use std::sync::OnceLock;

use regex::Regex;

/// The last start attempt in a libvirt guest log.
#[derive(Debug, PartialEq, Eq)]
pub struct LastStart<'a> {
    /// 1-based line of its header in the whole log.
    pub line: usize,
    /// The header's stamp as written ("2024-01-15 10:23:45.123+0000").
    pub stamp: &'a str,
    /// The stamp in seconds since the epoch (UTC), when it reads as a date.
    pub at: Option<i64>,
    /// The header and every line after it.
    pub lines: Vec<&'a str>,
}

fn header() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"^(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:\+0000|Z)?): starting up\b",
        )
        .expect("valid regex")
    })
}

/// The lines from the last `starting up` header on; None when the log has
/// no such header (not a libvirt log, or one cut before the header).
pub fn last_start(text: &str) -> Option<LastStart<'_>> {
    let lines: Vec<&str> = text.lines().collect();
    let (i, stamp) = lines
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, l)| Some((i, header().captures(l)?.get(1)?.as_str())))?;
    Some(LastStart {
        line: i + 1,
        stamp,
        at: utc_seconds(stamp),
        lines: lines[i..].to_vec(),
    })
}

/// "YYYY-MM-DD HH:MM:SS[.fff][+0000|Z]" (libvirt's and QEMU's stamps, both
/// UTC) as seconds since the epoch; None for anything else or an
/// impossible date.
pub fn utc_seconds(stamp: &str) -> Option<i64> {
    let b = stamp.as_bytes();
    if b.len() < 19 || !matches!(b[10], b' ' | b'T') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = stamp.get(r)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())
            .flatten()
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let sep_ok = b[4] == b'-' && b[7] == b'-' && b[13] == b':' && b[16] == b':';
    if !sep_ok || !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3_600 + mi * 60 + s)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (the usual
/// era-of-400-years arithmetic).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// /proc/stat's `btime`: when the host booted, in seconds since the epoch.
pub fn boot_time(proc_stat: &str) -> Option<i64> {
    proc_stat
        .lines()
        .find_map(|l| l.strip_prefix("btime "))
        .and_then(|v| v.trim().parse().ok())
}

/// A dmesg line's stamp, `[  123.456789] …`, in seconds since boot.
pub fn dmesg_seconds(line: &str) -> Option<f64> {
    let rest = line.strip_prefix('[')?;
    let (stamp, _) = rest.split_once(']')?;
    let stamp = stamp.trim();
    if stamp.is_empty() || !stamp.bytes().all(|c| c.is_ascii_digit() || c == b'.') {
        return None;
    }
    stamp.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Shaped as libvirt writes it (qemuProcessStart's log header, the
    // command line, QEMU's stderr with -msg timestamp=on, the shutdown line).
    const LOG: &str = "\
2024-01-15 09:00:01.001+0000: starting up libvirt version: 8.0.0, package: 1ubuntu7 (Ubuntu), qemu version: 6.2.0, kernel: 5.15.0-91-generic, hostname: hv1
LC_ALL=C \\
/usr/bin/qemu-system-x86_64 \\
-name guest=web01,debug-threads=on \\
-device vfio-pci,host=0000:03:10.0,id=hostdev0,bus=pci.0,addr=0x6
2024-01-15 09:05:00.000+0000: shutting down, reason=shutdown
2024-01-15 10:23:45.123+0000: starting up libvirt version: 8.0.0, package: 1ubuntu7 (Ubuntu), qemu version: 6.2.0, kernel: 5.15.0-91-generic, hostname: hv1
LC_ALL=C \\
-device vfio-pci,host=0000:03:10.0,id=hostdev0,bus=pci.0,addr=0x6
2024-01-15T10:23:45.801234Z qemu-system-x86_64: -device vfio-pci,host=0000:03:10.0,id=hostdev0,bus=pci.0,addr=0x6: vfio 0000:03:10.0: group 14 is not viable
2024-01-15 10:23:45.900+0000: shutting down, reason=failed
";

    #[test]
    fn the_last_start_is_the_last_header_and_what_follows() {
        let s = last_start(LOG).expect("a start");
        assert_eq!(s.line, 7);
        assert_eq!(s.stamp, "2024-01-15 10:23:45.123+0000");
        assert_eq!(s.lines.len(), 5);
        assert!(s.lines[3].contains("group 14 is not viable"));
        assert!(s.lines[4].ends_with("reason=failed"));
        // 2024-01-15 10:23:45 UTC, as `date -u -d '2024-01-15 10:23:45' +%s` says.
        assert_eq!(s.at, Some(1_705_314_225));
    }

    #[test]
    fn no_header_is_none_and_bad_stamps_are_not_dates() {
        assert_eq!(last_start("qemu: something\nother\n"), None);
        assert_eq!(last_start(""), None);
        // A header-like line in the middle of another line is not one.
        assert_eq!(
            last_start("x 2024-01-15 10:23:45.123+0000: starting up"),
            None
        );
        assert_eq!(utc_seconds("2024-13-15 10:23:45"), None);
        assert_eq!(utc_seconds("2024-01-15 25:23:45"), None);
        assert_eq!(utc_seconds("2024-01-15"), None);
        assert_eq!(utc_seconds("2024-01-1x 10:23:45"), None);
        assert_eq!(utc_seconds("1970-01-01 00:00:00"), Some(0));
        // Leap day and the turn of a century.
        assert_eq!(utc_seconds("2000-03-01T00:00:00Z"), Some(951_868_800));
        assert_eq!(utc_seconds("2024-02-29 00:00:00"), Some(1_709_164_800));
    }

    #[test]
    fn boot_time_and_dmesg_stamps() {
        let stat = "cpu  1 2 3\nintr 5\nctxt 7\nbtime 1705300000\nprocesses 9\n";
        assert_eq!(boot_time(stat), Some(1_705_300_000));
        assert_eq!(boot_time("cpu 1\n"), None);
        assert_eq!(boot_time("btime soon\n"), None);
        assert_eq!(
            dmesg_seconds("[14225.801234] vfio-pci 0000:03:10.0: enabling device"),
            Some(14_225.801_234)
        );
        assert_eq!(dmesg_seconds("[    1.5] x"), Some(1.5));
        assert_eq!(dmesg_seconds("Jan 15 10:23:45 hv1 kernel: x"), None);
        assert_eq!(dmesg_seconds("[] x"), None);
        assert_eq!(dmesg_seconds("[1.2.3] x"), None);
    }
}
