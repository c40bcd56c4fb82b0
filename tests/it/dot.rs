//! `list --format dot` is a graph Graphviz renders: `dot -Tsvg` (Debian's
//! graphviz, which CI installs) draws every test host's topology, and a
//! larger synthetic host's (tools/mkbighost.py), without a word on stderr,
//! and the SVG shows every PF, VF, IOMMU group and holder of `list --format
//! json`.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::common::{have, hosts, run, scratch};
use sriov_doctor::inventory::{Inventory, PfEntry, VfEntry, VfState};

/// dot -Tsvg on the graph: exit status, SVG, stderr.
fn dot_svg(graph: &str) -> (bool, String, String) {
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run dot");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(graph.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The text lines the SVG shows (one `<text>` element per label line).
fn svg_text(svg: &str) -> Vec<String> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(svg, opts).expect("dot wrote valid SVG");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").replace('\u{a0}', " "))
        .collect()
}

/// Renders the host's graph and checks the picture against its inventory.
fn renders(root: &str, name: &str) {
    let graph = run(&["list", "--root", root, "--format", "dot"]);
    assert_eq!(graph.code, 0, "{name}: {}", graph.stderr);
    let json = run(&["list", "--root", root, "--format", "json"]);
    let inv: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let (ok, svg, said) = dot_svg(&graph.stdout);
    assert!(ok && said.is_empty(), "{name}: dot: {said}");
    let text = svg_text(&svg);
    let shows = |line: String| {
        assert!(
            text.contains(&line),
            "{name}: the picture lacks {line:?}: {text:?}"
        );
    };
    for pf in inv["pfs"].as_array().unwrap() {
        shows(format!("PF {}", pf["address"].as_str().unwrap()));
        for vf in pf["vfs"].as_array().unwrap() {
            shows(format!("VF {}", vf["address"].as_str().unwrap()));
            if let Some(g) = vf["iommu_group"].as_u64() {
                shows(format!("IOMMU group {g}"));
            }
            for h in vf["holders"].as_array().unwrap() {
                shows(h.as_str().unwrap().to_string());
            }
            for d in vf["defined_in"].as_array().unwrap() {
                shows(d.as_str().unwrap().to_string());
            }
        }
    }
}

#[test]
fn dot_draws_every_test_host() {
    if !have("dot", &["-V"], "graphviz") {
        return;
    }
    for host in hosts() {
        renders(&host.root, &host.name);
    }
}

/// A larger host: 2 E810 PFs × 24 VFs, a quarter of the vfio VFs held by
/// running guests, from the benchmark's generator.
#[test]
#[allow(clippy::disallowed_macros)]
fn dot_draws_a_larger_synthetic_host() {
    if !have("dot", &["-V"], "graphviz") || !have("python3", &["--version"], "python3") {
        return;
    }
    if !std::path::Path::new("corpus").is_dir() {
        if std::env::var_os("CI").is_some() {
            panic!("corpus is missing: tools/mkbighost.py needs its ACPI tables");
        }
        crate::common::skipped("corpus is missing");
        return;
    }
    let root = scratch("dot-bighost").join("root");
    let out = Command::new("python3")
        .arg("tools/mkbighost.py")
        .arg(&root)
        .args(["--pfs", "2", "--vfs-per-pf", "24", "--procs", "40"])
        .args(["--guest-every", "4"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "mkbighost: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let root = root.to_str().unwrap();
    let json = run(&["list", "--root", root, "--format", "json"]);
    let inv: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let vfs: usize = inv["pfs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["vfs"].as_array().unwrap().len())
        .sum();
    assert_eq!(vfs, 48);
    assert!(json.stdout.contains("guest guest1 (pid"), "no held VF");
    renders(root, "synthetic host");
}

fn vf(address: &str, holder: &str) -> VfEntry {
    VfEntry {
        address: address.into(),
        libvirt_name: String::new(),
        ids: "8086:10ca".into(),
        driver: Some("vfio\"pci\\".into()),
        iommu_group: Some(7),
        holders: vec![holder.to_string()],
        holders_unknown: None,
        defined_in: vec![format!("{holder} (/etc/libvirt/qemu/x.xml)")],
        state: VfState::Held,
        state_text: format!("held by {holder}"),
        free: false,
    }
}

/// Names come from guests' XML and processes' comm: quotes, backslashes,
/// braces, arrows, entities and control characters must stay text.
#[test]
fn hostile_names_stay_labels() {
    if !have("dot", &["-V"], "graphviz") {
        return;
    }
    let hostile = [
        "guest \"web\" \\N \\G \\l",
        "} -> \"x\" [color=red]; digraph { a -- b",
        "&lt;b&gt; &amp; <i>html</i> &#60;",
        "ctl \u{1b}[31m \u{7} \r tab\t 設定 🦀",
    ];
    let inv = Inventory {
        schema_version: 1,
        root: hostile[1].to_string(),
        pfs: vec![PfEntry {
            address: "0000:03:00.0".into(),
            ids: "8086:10c9".into(),
            name: Some(hostile[2].to_string()),
            vendor_name: None,
            driver: Some(hostile[0].to_string()),
            netdevs: vec![hostile[3].to_string()],
            numvfs: Some(4),
            totalvfs: Some(7),
            numa_node: Some(0),
            vfs: hostile
                .iter()
                .enumerate()
                .map(|(i, h)| vf(&format!("0000:03:10.{i}"), h))
                .collect(),
        }],
    };
    let graph = sriov_doctor::render::dot::render(&inv);
    let (ok, svg, said) = dot_svg(&graph);
    assert!(ok && said.is_empty(), "dot: {said}\n{graph}");
    let text = svg_text(&svg);
    for h in hostile {
        let want: String = h
            .chars()
            .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
            .collect();
        assert!(text.contains(&want), "{want:?} not in {text:?}");
    }
    // Four VFs, one shared group, four holders: no label leaked into the graph.
    let nodes = svg.matches("class=\"node\"").count();
    assert_eq!(nodes, 1 + 4 + 1 + 4 + 4, "{graph}");
}

/// dot is not a rubber stamp: it rejects a broken graph.
#[test]
fn dot_rejects_a_broken_graph() {
    if !have("dot", &["-V"], "graphviz") {
        return;
    }
    let (ok, _, said) = dot_svg("digraph { \"a\" -> ; }\n");
    assert!(!ok, "dot accepted a broken graph: {said}");
    assert!(said.contains("syntax error"), "{said}");
}

#[test]
fn dot_graphs_match_their_snapshots() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for host in ["seed-guest-holds", "seed-group-shared"] {
            let root = format!("tests/hosts/{host}/root");
            let r = run(&["list", "--root", &root, "--format", "dot"]);
            insta::assert_snapshot!(format!("list__{host}__dot"), r.transcript());
        }
    });
}

#[test]
fn list_help_lists_the_dot_format() {
    let r = run(&["list", "--help"]);
    assert!(r.stdout.contains("- dot:"), "{}", r.stdout);
}
