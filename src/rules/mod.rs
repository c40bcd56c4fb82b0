//! Rules are data: one TOML file per rule in rules/, id = file stem, with a
//! scope, a severity, CEL conditions over the facts, message templates and
//! remediation. The built-in rules are compiled into the binary; `--rules DIR`
//! adds or overrides rules without a rebuild.

#[cfg(test)]
mod cel_value;
pub mod engine;
mod evaluate;
mod fact_tree;
mod facts_val;
mod plan;
pub mod schema;
mod spec;
pub mod template;
pub mod typecheck;

pub use engine::read_toml_dir;
pub use engine::Engine;
pub use spec::{
    file_stem, line_of, toml_error, valid_id, Area, Compile, Rule, RuleError, RuleTest, Scope,
    Severity,
};

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// The facts of every test host (`tests/hosts/*/root`), in name order, for
/// the tests that hold the rules' machinery to real facts.
#[cfg(test)]
pub(crate) fn test_host_facts() -> Vec<(std::path::PathBuf, crate::facts::Facts)> {
    let mut dirs: Vec<_> = std::fs::read_dir("tests/hosts")
        .expect("tests/hosts")
        .filter_map(|e| e.ok().map(|e| e.path().join("root")))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|dir| {
            let fs = crate::hostfs::DirFs::tree(&dir).expect("host tree");
            let facts = crate::gather(&fs, &[]).expect("facts");
            (dir, facts)
        })
        .collect()
}
