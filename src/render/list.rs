//! `list`: the SR-IOV inventory as a tree.

use std::fmt::Write;

use crate::inventory::Inventory;
use crate::render::text::Style;
use crate::sanitize::clean;

pub fn text(inv: &Inventory, style: &Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} · {}",
        style.heading("sriov-doctor list"),
        env!("CARGO_PKG_VERSION"),
        clean(&inv.root)
    );
    if inv.pfs.is_empty() {
        let _ = writeln!(out, "\nNo SR-IOV capable physical function on this host.");
        return out;
    }
    for pf in &inv.pfs {
        let count = match (pf.numvfs, pf.totalvfs) {
            (Some(n), Some(t)) => format!("{n}/{t} VFs"),
            _ => "VFs unknown".to_string(),
        };
        let _ = writeln!(
            out,
            "\n{}  [{}] {}  driver {}{}  {}  NUMA {}",
            style.heading(&clean(&pf.address)),
            clean(&pf.ids),
            clean(pf.name.as_deref().unwrap_or("(unknown device)")),
            clean(pf.driver.as_deref().unwrap_or("none")),
            if pf.netdevs.is_empty() {
                String::new()
            } else {
                format!(" ({})", clean(&pf.netdevs.join(", ")))
            },
            count,
            pf.numa_node
                .map(|n| n.to_string())
                .unwrap_or_else(|| "?".into())
        );
        for (i, vf) in pf.vfs.iter().enumerate() {
            let branch = if i + 1 == pf.vfs.len() {
                "└─"
            } else {
                "├─"
            };
            let who = if let Some(r) = &vf.holders_unknown {
                format!("holder unknown: {r}")
            } else if !vf.holders.is_empty() {
                format!("held by {}", vf.holders.join(", "))
            } else if !vf.defined_in.is_empty() {
                format!("free now, named by {}", vf.defined_in.join("; "))
            } else {
                "free".to_string()
            };
            let _ = writeln!(
                out,
                "  {branch} {}  [{}]  {:<10} group {:<5} {}",
                clean(&vf.address),
                clean(&vf.ids),
                clean(vf.driver.as_deref().unwrap_or("(none)")),
                vf.iommu_group
                    .map(|g| g.to_string())
                    .unwrap_or_else(|| "-".into()),
                clean(&who)
            );
        }
    }
    out
}
