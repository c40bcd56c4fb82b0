//! Embeds every rules/*.toml into the binary, so one file runs anywhere and a
//! rule file cannot be forgotten in a registration list.

use std::fs;
use std::path::Path;

fn main() {
    let mut out = String::new();
    out.push_str(&embed("rules", "BUILTIN_RULES", "every built-in rule"));
    out.push_str(&embed(
        "rules/signatures",
        "BUILTIN_SIGNATURES",
        "every built-in explain signature",
    ));
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("builtin_rules.rs");
    fs::write(dest, out).unwrap();
}

/// A const slice of (file name, contents) for the *.toml files of `dir`.
#[allow(clippy::disallowed_macros)] // cargo reads build-script instructions from stdout
fn embed(dir: &str, name: &str, what: &str) -> String {
    println!("cargo:rerun-if-changed={dir}");
    let mut entries: Vec<String> = match fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .collect(),
        Err(_) => Vec::new(),
    };
    entries.sort();
    let mut out =
        format!("/// (file name, contents) of {what}.\npub const {name}: &[(&str, &str)] = &[\n");
    for file in entries {
        println!("cargo:rerun-if-changed={dir}/{file}");
        out.push_str(&format!(
            "    ({file:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{dir}/{file}\"))),\n"
        ));
    }
    out.push_str("];\n");
    out
}
