//! The shape of the source: no module imports one that imports it back.
//! A circle hides which part is the lower layer, and it is where a change
//! in one file starts to need a change in another (the command line and
//! its completions, the rules and the report, were such pairs).
//!
//! Edges are read from the text of src/: every `crate::a::b` path (in a
//! `use` or in code) and every `super::x` path, outside `#[cfg(test)]`
//! modules, resolved to the deepest module file that exists. A module's
//! use of its own ancestors is nesting, not an edge.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module path (`rules::engine`) → its file's text, tests cut off.
fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, out: &mut BTreeMap<String, String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix("src").unwrap().with_extension("");
                let mut parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if parts.last().is_some_and(|l| l == "mod") {
                    parts.pop();
                }
                if parts == ["lib"] || parts == ["main"] {
                    continue;
                }
                let text = std::fs::read_to_string(&p).unwrap();
                let text = match text.find("#[cfg(test)]\nmod tests") {
                    Some(i) => text[..i].to_string(),
                    None => text,
                };
                out.insert(parts.join("::"), text);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(Path::new("src"), &mut out);
    out
}

fn edges(mods: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let path = regex::Regex::new(r"\b(crate|super)((?:::[a-z_][a-z0-9_]*)+)").unwrap();
    let resolve = |parts: &[&str]| -> Option<String> {
        (1..=parts.len())
            .rev()
            .map(|k| parts[..k].join("::"))
            .find(|m| mods.contains_key(m))
    };
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, text) in mods {
        let own: Vec<&str> = m.split("::").collect();
        for c in path.captures_iter(text) {
            let tail: Vec<&str> = c[2].trim_start_matches("::").split("::").collect();
            let full: Vec<&str> = if &c[1] == "crate" {
                tail
            } else {
                // super:: is the parent module (of a mod.rs file too: its
                // module is its directory's).
                let parent = &own[..own.len().saturating_sub(1)];
                parent.iter().copied().chain(tail).collect()
            };
            let Some(target) = resolve(&full) else {
                continue;
            };
            if &target == m || m.starts_with(&format!("{target}::")) {
                continue;
            }
            out.entry(m.clone()).or_default().insert(target);
        }
    }
    out
}

/// The circles (strongly connected groups of two or more) of the graph.
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    // Two reachability sets per node are enough for a graph of this size.
    let nodes: BTreeSet<&String> = graph.keys().chain(graph.values().flatten()).collect();
    let reach = |from: &String| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(n) = todo.pop() {
            for t in graph.get(&n).into_iter().flatten() {
                if seen.insert(t.clone()) {
                    todo.push(t.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> =
        nodes.iter().map(|n| (*n, reach(n))).collect();
    let mut done = BTreeSet::new();
    let mut out = Vec::new();
    for n in &nodes {
        if done.contains(*n) {
            continue;
        }
        let group: Vec<String> = nodes
            .iter()
            .filter(|m| reaches[*n].contains(**m) && reaches[**m].contains(*n))
            .map(|m| (*m).clone())
            .collect();
        done.extend(group.iter().cloned());
        if group.len() > 1 {
            out.push(group);
        }
    }
    out
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let mods = modules();
    assert!(mods.contains_key("rules::engine") && mods.contains_key("cmd::check"));
    let graph = edges(&mods);
    // The reader sees what it must: the commands use the rules.
    assert!(graph["cmd::check"].contains("cmd::host"), "{graph:?}");
    assert!(graph["rules::engine"].contains("findings"), "{graph:?}");
    let found = circles(&graph);
    assert!(found.is_empty(), "import circles: {found:?}");
}

#[test]
fn a_circle_is_found() {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("c".into());
    g.entry("c".into()).or_default().insert("a".into());
    g.entry("c".into()).or_default().insert("d".into());
    assert_eq!(circles(&g), vec![vec!["a", "b", "c"]]);
}
