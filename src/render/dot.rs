//! `list --format dot`: the SR-IOV topology as a Graphviz graph, PF → VF →
//! IOMMU group → holder (the guest or process that has the group open), so
//! who holds what can be seen at a glance: `… | dot -Tsvg > sriov.svg`.
//!
//! VFs are colored by state, as `list` says it (green free, red held, yellow
//! named by a guest definition, orange used by the host, in a shared group or
//! without one, grey unknown); guest definitions that name
//! a VF hang off it with a dashed edge. A group shared by several VFs is one
//! node with several edges in, which is what makes a shared group visible.
//! `tests/it/dot.rs` has `dot -Tsvg` render the graph of every test host.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::inventory::{Inventory, PfEntry, VfEntry, VfState};

/// A DOT double-quoted string. Backslash and double quote are escaped, a
/// newline becomes the `\n` line break, and other control characters, which
/// have no place in a label, become U+FFFD.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A label: quoted, with `&` written as an entity, since Graphviz reads
/// HTML entities (`&amp;`, `&#60;`) in labels and would otherwise turn a
/// literal `&lt;` in a name into `<`.
fn label(lines: &[&str]) -> String {
    quote(&lines.join("\n").replace('&', "&amp;"))
}

struct Graph {
    out: String,
    /// Node ids already declared, and edges already drawn.
    nodes: BTreeSet<String>,
    edges: BTreeSet<(String, String)>,
}

impl Graph {
    fn node(&mut self, id: &str, attrs: &str, lines: &[&str]) {
        if self.nodes.insert(id.to_string()) {
            let _ = writeln!(
                self.out,
                "  {} [{attrs}, label={}];",
                quote(id),
                label(lines)
            );
        }
    }

    fn edge(&mut self, from: &str, to: &str, attrs: &str) {
        if !self.edges.insert((from.to_string(), to.to_string())) {
            return;
        }
        let _ = write!(self.out, "  {} -> {}", quote(from), quote(to));
        if attrs.is_empty() {
            self.out.push_str(";\n");
        } else {
            let _ = writeln!(self.out, " [{attrs}];");
        }
    }
}

pub fn render(inv: &Inventory) -> String {
    let mut g = Graph {
        out: String::new(),
        nodes: BTreeSet::new(),
        edges: BTreeSet::new(),
    };
    let title = format!(
        "sriov-doctor list {} · {}",
        env!("CARGO_PKG_VERSION"),
        inv.root
    );
    g.out.push_str("digraph sriov {\n");
    let _ = writeln!(
        g.out,
        "  graph [rankdir=LR, labelloc=t, fontname=\"sans-serif\", label={}];",
        label(&[&title])
    );
    g.out
        .push_str("  node [fontname=\"sans-serif\", fontsize=10];\n");
    g.out
        .push_str("  edge [fontname=\"sans-serif\", fontsize=9];\n");
    if inv.pfs.is_empty() {
        g.node(
            "none",
            "shape=plaintext",
            &["No SR-IOV capable physical function on this host."],
        );
    }
    for pf in &inv.pfs {
        pf_node(&mut g, pf);
        for vf in &pf.vfs {
            vf_nodes(&mut g, &pf.address, vf);
        }
    }
    g.out.push_str("}\n");
    g.out
}

fn pf_node(g: &mut Graph, pf: &PfEntry) {
    let name = pf.name.as_deref().unwrap_or("(unknown device)");
    let driver = match (&pf.driver, pf.netdevs.is_empty()) {
        (Some(d), true) => format!("[{}] driver {d}", pf.ids),
        (Some(d), false) => format!("[{}] driver {d} ({})", pf.ids, pf.netdevs.join(", ")),
        (None, _) => format!("[{}] no driver", pf.ids),
    };
    let count = match (pf.numvfs, pf.totalvfs) {
        (Some(n), Some(t)) => format!("{n}/{t} VFs"),
        _ => "VFs unknown".to_string(),
    };
    let numa = crate::render::list::numa(pf.numa_node);
    let counts = match numa.trim_start() {
        "" => count,
        numa => format!("{count} · {numa}"),
    };
    g.node(
        &format!("pf {}", pf.address),
        "shape=box, style=\"rounded,bold\"",
        &[&format!("PF {}", pf.address), name, &driver, &counts],
    );
}

fn vf_nodes(g: &mut Graph, pf: &str, vf: &VfEntry) {
    let id = format!("vf {}", vf.address);
    // The holders and the guest definitions have nodes of their own.
    let (state, color) = match vf.state {
        VfState::Unknown => (vf.state_text.clone(), "#eeeeee"),
        VfState::Held => ("held".to_string(), "#f4cccc"),
        VfState::Named => ("named by a guest".to_string(), "#fff2cc"),
        VfState::Free => ("free".to_string(), "#d9ead3"),
        VfState::GroupShared => (format!("group {}", vf.state_text), "#fce5cd"),
        VfState::NoGroup | VfState::Host => (vf.state_text.clone(), "#fce5cd"),
    };
    let driver = format!(
        "[{}] {}",
        vf.ids,
        vf.driver.as_deref().unwrap_or("no driver")
    );
    g.node(
        &id,
        &format!("shape=box, style=\"rounded,filled\", fillcolor=\"{color}\""),
        &[&format!("VF {}", vf.address), &driver, &state],
    );
    g.edge(&format!("pf {pf}"), &id, "");

    // Holders open the group (/dev/vfio/N); without a known group, the VF.
    let holder_from = match vf.iommu_group {
        Some(n) => {
            let group = format!("group {n}");
            g.node(&group, "shape=hexagon", &[&format!("IOMMU group {n}")]);
            g.edge(&id, &group, "");
            group
        }
        None => id.clone(),
    };
    for h in &vf.holders {
        let hid = format!("holder {h}");
        g.node(
            &hid,
            "shape=component, style=filled, fillcolor=\"#f4cccc\"",
            &[h],
        );
        g.edge(&holder_from, &hid, "label=\"held by\"");
    }
    for d in &vf.defined_in {
        let did = format!("definition {d}");
        g.node(&did, "shape=note, style=dashed", &[d]);
        g.edge(&id, &did, "style=dashed, label=\"named by\"");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_escapes_what_dot_reads_specially() {
        assert_eq!(quote("plain"), "\"plain\"");
        assert_eq!(quote("a\"b"), "\"a\\\"b\"");
        assert_eq!(
            quote("back\\slash \\N \\G"),
            "\"back\\\\slash \\\\N \\\\G\""
        );
        assert_eq!(quote("two\nlines"), "\"two\\nlines\"");
        assert_eq!(
            quote("cr\rtab\tnul\0"),
            "\"cr\u{FFFD}tab\u{FFFD}nul\u{FFFD}\""
        );
        assert_eq!(quote("{ } ; -> -- 設定"), "\"{ } ; -> -- 設定\"");
    }

    #[test]
    fn labels_keep_entities_literal() {
        assert_eq!(label(&["a &lt; b", "c"]), "\"a &amp;lt; b\\nc\"");
    }

    fn vf(address: &str, group: Option<u32>, holders: &[&str]) -> VfEntry {
        VfEntry {
            address: address.into(),
            libvirt_name: String::new(),
            ids: "8086:10ca".into(),
            driver: Some("vfio-pci".into()),
            iommu_group: group,
            holders: holders.iter().map(|h| h.to_string()).collect(),
            holders_unknown: None,
            defined_in: Vec::new(),
            state: if holders.is_empty() {
                VfState::Free
            } else {
                VfState::Held
            },
            state_text: String::new(),
            free: holders.is_empty(),
        }
    }

    #[test]
    fn a_shared_group_and_a_shared_holder_are_one_node_each() {
        let inv = Inventory {
            schema_version: 1,
            root: "/".into(),
            pfs: vec![PfEntry {
                address: "0000:03:00.0".into(),
                ids: "8086:10c9".into(),
                name: None,
                vendor_name: None,
                driver: Some("igb".into()),
                netdevs: Vec::new(),
                numvfs: Some(3),
                totalvfs: Some(7),
                numa_node: None,
                vfs: vec![
                    vf("0000:03:10.0", Some(7), &["guest web01 (pid 1)"]),
                    vf("0000:03:10.2", Some(7), &["guest web01 (pid 1)"]),
                    vf("0000:03:10.4", None, &[]),
                ],
            }],
        };
        let dot = render(&inv);
        let declared = |id: &str| dot.matches(&format!("  \"{id}\" [")).count();
        assert_eq!(declared("group 7"), 1, "{dot}");
        assert_eq!(declared("holder guest web01 (pid 1)"), 1, "{dot}");
        assert_eq!(dot.matches("-> \"group 7\"").count(), 2, "{dot}");
        assert_eq!(dot.matches("-> \"holder guest web01 (pid 1)\"").count(), 1);
        assert!(dot.contains("\"pf 0000:03:00.0\" -> \"vf 0000:03:10.4\";"));
        assert!(!dot.contains("\"vf 0000:03:10.4\" ->"), "{dot}");
    }
}
