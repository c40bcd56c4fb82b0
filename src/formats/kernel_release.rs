//! A kernel release string (/proc/sys/kernel/osrelease, `uname -r`):
//! `6.12.95+deb12-amd64`, `5.14.0-427.13.1.el9_4.x86_64`.

/// (major, minor): the first two numbers in it.
pub fn version(release: &str) -> Option<(u32, u32)> {
    let mut nums = release
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse::<u32>().ok());
    Some((nums.next()?, nums.next()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::samples::captured_text;

    #[test]
    fn reads_real_releases() {
        let r = captured_text("6.12/ready", "/proc/sys/kernel/osrelease");
        assert_eq!(version(&r), Some((6, 12)), "{r}");
        let r = captured_text("6.1/ready", "/proc/sys/kernel/osrelease");
        assert_eq!(version(&r), Some((6, 1)), "{r}");
        assert_eq!(version("5.14.0-427.13.1.el9_4.x86_64"), Some((5, 14)));
        assert_eq!(version("3.10.0-1160.el7.x86_64"), Some((3, 10)));
        assert_eq!(version("linux"), None);
    }
}
