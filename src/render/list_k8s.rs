//! `list --for k8s`: the SR-IOV inventory with the Kubernetes SR-IOV
//! network device plugin's resources, and the resource each VF lands in (or
//! why none takes it).

use std::fmt::Write;

use serde_json::Value;

use crate::facts::{K8sFacts, Known};
use crate::inventory::Inventory;
use crate::render::text::Style;
use crate::render::wrap;
use crate::sanitize::clean;

/// Where a VF lands, in one line of text.
fn landing(k8s: Option<&K8sFacts>, vf: &str) -> String {
    let Some(k) = k8s.filter(|k| k.config_present) else {
        return "-".into();
    };
    match k.devices.iter().find(|d| d.address == vf) {
        Some(d) => match &d.resource {
            Some(r) => format!("→ {r}"),
            None if d.why_not.is_empty() => "no resource".into(),
            None => format!("no resource: {}", d.why_not.join("; ")),
        },
        None => "no resource".into(),
    }
}

pub fn text(inv: &Inventory, k8s: &Known<K8sFacts>, style: &Style) -> String {
    let mut out = String::new();
    let about = format!("{} · {}", env!("CARGO_PKG_VERSION"), clean(&inv.root));
    let first = format!("{} ", style.heading("sriov-doctor list --for k8s"));
    out.push_str(&wrap::fill(&first, &about, 4, style.width));
    let k = match k8s {
        Known::Value(k) if k.config_present => {
            let _ = writeln!(
                out,
                "\n{}",
                style.heading(&format!("Device plugin resources ({})", clean(&k.path)))
            );
            for r in &k.resources {
                let got = if r.checked {
                    let others = r.devices.len() - r.vfs;
                    let mut s = format!("{} VF{}", r.vfs, if r.vfs == 1 { "" } else { "s" });
                    if others > 0 {
                        let _ = write!(s, " and {others} other devices");
                    }
                    s
                } else {
                    "not checked".into()
                };
                let _ = writeln!(
                    out,
                    "  {}  {}  {}",
                    clean(&r.name),
                    clean(&r.device_type),
                    got
                );
            }
            for f in &k.failures {
                out.push_str(&wrap::fill("  ✗ ", &clean(f), 4, style.width));
            }
            Some(k)
        }
        Known::Value(k) => {
            let _ = writeln!(
                out,
                "\nNo {}: the SR-IOV network device plugin is not configured on this host.",
                clean(&k.path)
            );
            None
        }
        Known::Unknown(r) => {
            let _ = writeln!(
                out,
                "\nThe device plugin's configuration could not be read: {}",
                clean(r)
            );
            None
        }
    };
    if inv.pfs.is_empty() {
        let _ = writeln!(out, "\nNo SR-IOV capable physical function on this host.");
        return out;
    }
    for pf in &inv.pfs {
        let count = match (pf.numvfs, pf.totalvfs) {
            (Some(n), Some(t)) => format!("{n}/{t} VFs"),
            _ => "VFs unknown".to_string(),
        };
        let nets = if pf.netdevs.is_empty() {
            String::new()
        } else {
            format!(" ({})", pf.netdevs.join(", "))
        };
        let _ = writeln!(
            out,
            "\n{}  [{}]  driver {}{}  {}",
            style.heading(&clean(&pf.address)),
            clean(&pf.ids),
            clean(pf.driver.as_deref().unwrap_or("none")),
            clean(&nets),
            count
        );
        for (i, vf) in pf.vfs.iter().enumerate() {
            let branch = if i + 1 == pf.vfs.len() {
                "└─"
            } else {
                "├─"
            };
            let first = format!(
                "  {branch} {}  [{}]  {:<10} ",
                clean(&vf.address),
                clean(&vf.ids),
                clean(vf.driver.as_deref().unwrap_or("(none)")),
            );
            out.push_str(&wrap::fill(
                &first,
                &clean(&landing(k, &vf.address)),
                8,
                style.width,
            ));
        }
    }
    out
}

/// The inventory as JSON, each VF with `k8s_resource` (null when none) and
/// `k8s_why_not`, and the plugin's facts under `k8s`.
pub fn json(inv: &Inventory, k8s: &Known<K8sFacts>) -> String {
    let mut v = serde_json::to_value(inv).unwrap_or(Value::Null);
    let facts = k8s.value().filter(|k| k.config_present);
    if let Some(pfs) = v.get_mut("pfs").and_then(Value::as_array_mut) {
        for vf in pfs
            .iter_mut()
            .filter_map(|p| p.get_mut("vfs")?.as_array_mut())
            .flatten()
        {
            let addr = vf
                .get("address")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let d = facts.and_then(|k| k.devices.iter().find(|d| d.address == addr));
            if let Some(o) = vf.as_object_mut() {
                o.insert(
                    "k8s_resource".into(),
                    serde_json::json!(d.and_then(|d| d.resource.clone())),
                );
                o.insert(
                    "k8s_why_not".into(),
                    serde_json::json!(d.map(|d| d.why_not.clone()).unwrap_or_default()),
                );
            }
        }
    }
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "k8s".into(),
            serde_json::to_value(k8s).unwrap_or(Value::Null),
        );
    }
    crate::render::json::render(&v)
}
