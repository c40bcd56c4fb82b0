//! JSON output: one envelope with `schema_version`.

use serde::Serialize;

pub fn render<T: Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("reports serialize");
    s.push('\n');
    s
}
