//! /proc/PID/status: `Name:\tvalue` lines.

/// The effective user id (the second of the four ids on the `Uid:` line).
pub fn effective_uid(status: &str) -> Option<u32> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|u| u.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::samples::{captured_holder_pid, captured_text, repo_file};

    #[test]
    fn reads_the_effective_uid() {
        // QEMU running as qemu (107) on a test host.
        let text = repo_file("tests/hosts/seed-guest-holds/root/proc/4242/status");
        assert_eq!(
            effective_uid(std::str::from_utf8(&text).unwrap()),
            Some(107)
        );
        // A real 6.12 kernel's holder process, as a bundle keeps it.
        let pid = captured_holder_pid("6.12/hold-device");
        let text = captured_text("6.12/hold-device", &format!("/proc/{pid}/status"));
        assert_eq!(effective_uid(&text), Some(0));
        assert_eq!(effective_uid("Uid:\t1000\t0\t0\t0\n"), Some(0), "effective");
        assert_eq!(effective_uid("Name:\tx\n"), None);
    }
}
