//! Embeds every rules/*.toml into the binary, so one file runs anywhere and a
//! rule file cannot be forgotten in a registration list.

use std::fs;
use std::path::Path;

#[allow(clippy::disallowed_macros)] // cargo reads build-script instructions from stdout
fn main() {
    let dir = Path::new("rules");
    println!("cargo:rerun-if-changed=rules");
    let mut entries: Vec<String> = fs::read_dir(dir)
        .expect("rules/ exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    entries.sort();
    let mut out = String::from("/// (file name, contents) of every built-in rule.\npub const BUILTIN_RULES: &[(&str, &str)] = &[\n");
    for name in entries {
        println!("cargo:rerun-if-changed=rules/{name}");
        out.push_str(&format!(
            "    ({name:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/rules/{name}\"))),\n"
        ));
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("builtin_rules.rs");
    fs::write(dest, out).unwrap();
}
