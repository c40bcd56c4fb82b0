//! modules.builtin: the path of every module built into the kernel, one a
//! line (`kernel/drivers/pci/pci-stub.ko`).

use std::collections::BTreeSet;

use super::modules_dep::module_name;

/// The built-in modules, by name.
pub fn parse(text: &str) -> BTreeSet<String> {
    text.lines().map(module_name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::samples::captured_text;

    #[test]
    fn reads_a_real_debian_modules_builtin() {
        let builtin = parse(&captured_text(
            "6.12/ready",
            "/lib/modules/6.12.95+deb12-amd64/modules.builtin",
        ));
        assert!(builtin.contains("virtio_pci"), "{builtin:?}");
        assert!(builtin.contains("8250_pci"));
        assert!(builtin.contains("amd_uncore"));
        // Debian builds VFIO as modules.
        assert!(!builtin.contains("vfio_pci"));
    }
}
