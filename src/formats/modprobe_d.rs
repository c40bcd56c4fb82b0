//! modprobe.d(5) configuration: `options MODULE PARAM=VALUE …` lines.

/// The value the first `options` line for `module` (a normalized name,
/// `vfio_iommu_type1`) gives `param`.
pub fn option<'a>(text: &'a str, module: &str, param: &str) -> Option<&'a str> {
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.len() >= 3 && words[0] == "options" && words[1].replace('-', "_") == module {
            for opt in &words[2..] {
                if let Some(v) = opt
                    .strip_prefix(param)
                    .and_then(|rest| rest.strip_prefix('='))
                {
                    return Some(v);
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::samples::repo_file;

    fn text(path: &str) -> String {
        String::from_utf8(repo_file(path)).unwrap()
    }

    #[test]
    fn reads_a_test_hosts_vfio_options() {
        let t = text("tests/hosts/seed-unsafe-interrupts/root/etc/modprobe.d/vfio.conf");
        assert_eq!(
            option(&t, "vfio_iommu_type1", "allow_unsafe_interrupts"),
            Some("1")
        );
        assert_eq!(option(&t, "vfio", "allow_unsafe_interrupts"), None);
    }

    #[test]
    fn dashes_in_the_module_name_and_longer_names() {
        let t = "# comment\noptions vfio-iommu-type1 allow_unsafe_interrupts_x=2 allow_unsafe_interrupts=Y\n";
        assert_eq!(
            option(t, "vfio_iommu_type1", "allow_unsafe_interrupts"),
            Some("Y")
        );
    }
}
