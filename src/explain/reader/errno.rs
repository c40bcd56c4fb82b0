//! Error numbers as programs print them: the name (`EBUSY`, `-EIO`), the
//! C library's text ("Device or resource busy"), and the number where a
//! program prints one (`-16`, `= -22`, `(-12)`, `error 22`, `os error 22`,
//! `Error(14)`, `[Errno 25]`). Only Linux's generic numbers, which are the
//! same on every architecture that runs VFIO.

use std::sync::OnceLock;

use regex::Regex;

use super::{compile, re};

/// Name, number and glibc's strerror text (plus other programs' wordings).
pub const ERRNOS: &[(&str, u32, &[&str])] = &[
    ("EPERM", 1, &["Operation not permitted"]),
    ("ENOENT", 2, &["No such file or directory"]),
    ("EIO", 5, &["Input/output error", "I/O error"]),
    ("ENXIO", 6, &["No such device or address"]),
    ("ENOMEM", 12, &["Cannot allocate memory", "Out of memory"]),
    ("EACCES", 13, &["Permission denied"]),
    ("EFAULT", 14, &["Bad address"]),
    ("EBUSY", 16, &["Device or resource busy"]),
    ("EEXIST", 17, &["File exists"]),
    ("ENODEV", 19, &["No such device"]),
    ("EINVAL", 22, &["Invalid argument"]),
    ("ENOTTY", 25, &["Inappropriate ioctl for device"]),
    ("ENOSPC", 28, &["No space left on device"]),
    (
        "ERANGE",
        34,
        &["Numerical result out of range", "Result not representable"],
    ),
    ("ENOSYS", 38, &["Function not implemented"]),
    ("EOPNOTSUPP", 95, &["Operation not supported"]),
    ("ETIMEDOUT", 110, &["Connection timed out", "Timer expired"]),
];

/// The name of an errno given as a name or a number.
pub fn errno_name(text: &str) -> Option<&'static str> {
    let t = text.trim().trim_start_matches('-');
    if let Ok(n) = t.parse::<u32>() {
        return ERRNOS.iter().find(|e| e.1 == n).map(|e| e.0);
    }
    ERRNOS.iter().find(|e| e.0 == t).map(|e| e.0)
}

fn by_text(text: &str) -> Option<&'static str> {
    let t = text.trim().to_ascii_lowercase();
    ERRNOS
        .iter()
        .find(|e| e.2.iter().any(|s| s.to_ascii_lowercase() == t))
        .map(|e| e.0)
        .or_else(|| errno_name(text.trim()))
}

/// (as written, errno name) for each errno on the line.
pub(super) fn errnos(line: &str) -> Vec<(&str, &'static str)> {
    static NAME: OnceLock<Regex> = OnceLock::new();
    static NUMBER: OnceLock<Regex> = OnceLock::new();
    static TEXT: OnceLock<Regex> = OnceLock::new();
    let mut out = Vec::new();
    // Names: EBUSY, -EIO.
    let name = re(&NAME, r"(?:^|[^A-Za-z0-9_])(-?E[A-Z0-9]{2,15})\b");
    for c in name.captures_iter(line) {
        let m = c.get(1).expect("name");
        if let Some(n) = errno_name(m.as_str()) {
            out.push((m.as_str(), n));
        }
    }
    // Numbers where programs print errnos; a number followed by another
    // program's code in parentheses ("-5 (IAVF_ERR_PARAM)") is not one.
    let number = re(
        &NUMBER,
        r"(?ix)
        (?: \b(?:error|err|errno|rc|ret|returned)\s*[:=]?\s*(?P<neg>-[0-9]{1,3})\b
          | \)\s*=\s*(?P<eq>-[0-9]{1,3})\b
          | \((?:rc:|ret=|err=|error\s)?(?P<paren>-[0-9]{1,3})\)
          | \b(?:os\s)?error\s(?P<pos>[0-9]{1,3})\b
          | \bError\((?P<call>[0-9]{1,3})\)
          | \[Errno\s(?P<py>[0-9]{1,3})\]
        )(?:\s*\((?P<said>[^)]{1,40})\))?",
    );
    for c in number.captures_iter(line) {
        let Some(m) = ["neg", "eq", "paren", "pos", "call", "py"]
            .iter()
            .find_map(|k| c.name(k))
        else {
            continue;
        };
        let Some(n) = errno_name(m.as_str()) else {
            continue;
        };
        if let Some(said) = c.name("said") {
            if by_text(said.as_str()).is_none_or(|s| s != n) {
                continue;
            }
        }
        out.push((m.as_str(), n));
    }
    // The C library's texts, whatever the case.
    let text = TEXT.get_or_init(|| compile(&text_pattern()));
    for m in text.find_iter(line) {
        if let Some(n) = by_text(m.as_str()) {
            out.push((m.as_str(), n));
        }
    }
    out
}

/// One alternation of every text, longest first ("No such device or
/// address" before "No such device").
fn text_pattern() -> String {
    let mut texts: Vec<&str> = ERRNOS.iter().flat_map(|e| e.2.iter().copied()).collect();
    texts.sort_by_key(|t| std::cmp::Reverse(t.len()));
    let alts: Vec<String> = texts.iter().map(|t| regex::escape(t)).collect();
    format!(r"(?i)\b(?:{})\b", alts.join("|"))
}
