//! modules.dep (depmod(8)): `path/to/module.ko[.xz]: dependency.ko …`,
//! one line per installed module, its dependencies listed transitively.
//! Also how a module file's path names the module.

use std::collections::HashMap;

/// `igb.ko.xz` or `kernel/.../vfio-pci.ko` → `vfio_pci`.
pub fn module_name(path: &str) -> String {
    let file = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path);
    let stem = file.split(".ko").next().unwrap_or(file);
    normalize(stem)
}

/// The kernel treats `-` and `_` in module names alike: `vfio-pci` is
/// `vfio_pci`.
pub fn normalize(name: &str) -> String {
    name.replace('-', "_")
}

/// Module → its dependencies, by name.
pub fn parse(text: &str) -> HashMap<String, Vec<String>> {
    text.lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(m, d)| {
            (
                module_name(m),
                d.split_whitespace().map(module_name).collect(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::samples::captured_text;

    #[test]
    fn module_names_are_normalized() {
        assert_eq!(
            module_name("kernel/drivers/vfio/pci/vfio-pci.ko.xz"),
            "vfio_pci"
        );
        assert_eq!(
            module_name("kernel/drivers/net/ethernet/intel/igb/igb.ko"),
            "igb"
        );
    }

    #[test]
    fn reads_a_real_debian_modules_dep() {
        let deps = parse(&captured_text(
            "6.12/ready",
            "/lib/modules/6.12.95+deb12-amd64/modules.dep",
        ));
        assert_eq!(deps["vfio_pci"], ["vfio_pci_core", "irqbypass", "vfio"]);
        assert_eq!(deps["igb"], ["i2c_algo_bit", "dca"]);
        assert_eq!(deps["vfio_iommu_type1"], ["vfio"]);
        assert!(deps["pci_stub"].is_empty());
    }
}
