//! `list`: the SR-IOV inventory as a tree.

use std::fmt::Write;

use crate::inventory::Inventory;
use crate::render::text::Style;
use crate::render::wrap;
use crate::sanitize::clean;

pub fn text(inv: &Inventory, style: &Style) -> String {
    let mut out = String::new();
    let about = format!("{} · {}", env!("CARGO_PKG_VERSION"), clean(&inv.root));
    let first = format!("{} ", style.heading("sriov-doctor list"));
    out.push_str(&wrap::fill(&first, &about, 4, style.width));
    if inv.pfs.is_empty() {
        let _ = writeln!(out, "\nNo SR-IOV capable physical function on this host.");
        return out;
    }
    for pf in &inv.pfs {
        let count = match (pf.numvfs, pf.totalvfs) {
            (Some(n), Some(t)) => format!("{n}/{t} VFs"),
            _ => "VFs unknown".to_string(),
        };
        let head = format!(
            "{}  [{}] {}",
            style.heading(&clean(&pf.address)),
            clean(&pf.ids),
            clean(pf.name.as_deref().unwrap_or("(unknown device)")),
        );
        let tail = format!(
            "driver {}{}  {}{}",
            clean(pf.driver.as_deref().unwrap_or("none")),
            if pf.netdevs.is_empty() {
                String::new()
            } else {
                format!(" ({})", clean(&pf.netdevs.join(", ")))
            },
            count,
            numa(pf.numa_node)
        );
        // One line when it fits, else the driver and counts on the next.
        if wrap::columns(&head) + 2 + wrap::columns(&tail) <= style.width {
            let _ = writeln!(out, "\n{head}  {tail}");
        } else {
            let _ = writeln!(out, "\n{head}\n    {tail}");
        }
        for (i, vf) in pf.vfs.iter().enumerate() {
            let branch = if i + 1 == pf.vfs.len() {
                "└─"
            } else {
                "├─"
            };
            let first = format!(
                "  {branch} {}  [{}]  {:<10} group {:<5} ",
                clean(&vf.address),
                clean(&vf.ids),
                clean(vf.driver.as_deref().unwrap_or("(none)")),
                vf.iommu_group
                    .map(|g| g.to_string())
                    .unwrap_or_else(|| "-".into()),
            );
            // The state wraps under the VF's address.
            out.push_str(&wrap::fill(&first, &clean(&vf.state_text), 8, style.width));
        }
    }
    out
}

/// The PF's NUMA node after two spaces; nothing when the kernel reports none
/// (-1: one node, or the firmware gives no affinity), "NUMA ?" when it could
/// not be read.
pub(crate) fn numa(node: Option<i64>) -> String {
    match node {
        Some(n) if n >= 0 => format!("  NUMA {n}"),
        Some(_) => String::new(),
        None => "  NUMA ?".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::numa;

    #[test]
    fn no_numa_node_prints_nothing() {
        assert_eq!(numa(Some(1)), "  NUMA 1");
        assert_eq!(numa(Some(0)), "  NUMA 0");
        assert_eq!(numa(Some(-1)), "");
        assert_eq!(numa(None), "  NUMA ?");
    }
}
