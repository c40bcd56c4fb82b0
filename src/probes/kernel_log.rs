//! The kernel log as a fact: the lines that bear on assignment, from
//! whatever log the root keeps (see [`HostFs::kernel_log`]).

use crate::facts::{KernelLogFacts, Known};
use crate::formats::kernel_log::{relevant, MAX_KEPT_LINES};
use crate::hostfs::HostFs;

pub fn probe(fs: &dyn HostFs) -> Known<KernelLogFacts> {
    let log = match fs.kernel_log() {
        Ok(log) => log,
        Err(e) if e.is_not_found() => {
            return Known::unknown(format!(
                "{} not found: this root keeps no kernel log",
                e.path
            ))
        }
        Err(e) => return Known::unknown(e.to_string()),
    };
    let (lines, over) = relevant(log.lines.iter().map(String::as_str));
    let mut cut: Vec<String> = log.cut.into_iter().collect();
    if over > 0 {
        cut.push(format!(
            "{over} earlier matching lines left out (at most {MAX_KEPT_LINES}, the latest)"
        ));
    }
    Known::Value(KernelLogFacts {
        source: log.source,
        lines,
        cut: (!cut.is_empty()).then(|| cut.join("; ")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hostfs::BundleFs;

    #[test]
    fn a_bundle_gives_its_lines_and_a_tree_without_a_log_none() {
        let fs = BundleFs::new("t", Default::default()).with_kernel_log(vec![
            "[    1.0] pci 0000:03:00.0: BAR 7: no space for [mem size 0x00100000 64bit]".into(),
            "[    2.0] random unrelated line".into(),
        ]);
        let Known::Value(k) = probe(&fs) else {
            panic!("known")
        };
        assert_eq!(k.source, "the bundle's kernel_log");
        assert_eq!(k.lines.len(), 1);
        let empty = BundleFs::new("t", Default::default());
        assert!(matches!(probe(&empty), Known::Unknown(_)));
    }
}
