//! A kernel's build configuration (/boot/config-RELEASE): `CONFIG_X=y`
//! lines, and `# CONFIG_X is not set` for an option that is off.

/// Whether `option` (`CONFIG_INTEL_IOMMU_DEFAULT_ON`) is built in (`=y`).
pub fn is_y(text: &str, option: &str) -> bool {
    text.lines().any(|l| {
        l.trim()
            .strip_prefix(option)
            .is_some_and(|rest| rest == "=y")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::samples::repo_file;

    #[test]
    fn reads_a_test_hosts_config() {
        // RHEL 9's config: CONFIG_INTEL_IOMMU=y, but not on by default.
        let text =
            repo_file("tests/hosts/seed-no-intremap/root/boot/config-5.14.0-427.13.1.el9_4.x86_64");
        let text = std::str::from_utf8(&text).unwrap();
        assert!(text.contains("# CONFIG_INTEL_IOMMU_DEFAULT_ON is not set"));
        assert!(!is_y(text, "CONFIG_INTEL_IOMMU_DEFAULT_ON"));
        assert!(is_y(text, "CONFIG_INTEL_IOMMU"));
        assert!(is_y(
            "CONFIG_INTEL_IOMMU_DEFAULT_ON=y\n",
            "CONFIG_INTEL_IOMMU_DEFAULT_ON"
        ));
        assert!(!is_y(
            "CONFIG_INTEL_IOMMU_DEFAULT_ON=m\n",
            "CONFIG_INTEL_IOMMU_DEFAULT_ON"
        ));
    }
}
