//! /proc/PID/limits: a header line, then one line per limit (name, soft
//! limit, hard limit, units).

/// "Max locked memory" soft limit; Some(None) = unlimited, None = no such line.
pub fn memlock_limit(limits: &str) -> Option<Option<u64>> {
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max locked memory"))?;
    let soft = line["Max locked memory".len()..]
        .split_whitespace()
        .next()?;
    if soft == "unlimited" {
        Some(None)
    } else {
        soft.parse().ok().map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::samples::repo_file;

    #[test]
    fn reads_the_locked_memory_limit() {
        let t = "Limit                     Soft Limit           Hard Limit           Units     \nMax locked memory         4294967296           4294967296           bytes     \n";
        assert_eq!(memlock_limit(t), Some(Some(4294967296)));
        let t = "Max locked memory         unlimited            unlimited            bytes\n";
        assert_eq!(memlock_limit(t), Some(None));
        assert_eq!(memlock_limit("Limit Soft Limit\n"), None);
    }

    #[test]
    fn reads_a_whole_limits_file() {
        // A QEMU process's limits on a test host: 8 MiB of locked memory.
        let text = repo_file("tests/hosts/xen-xl-twice/root/proc/702/limits");
        let text = std::str::from_utf8(&text).unwrap();
        assert_eq!(memlock_limit(text), Some(Some(8388608)));
    }
}
