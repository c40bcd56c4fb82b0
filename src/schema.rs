//! JSON Schemas (draft 2020-12) of the documents the tool writes, generated
//! from the types with schemars: the check report (`docs/report.schema.json`),
//! explain's report (`docs/explain.schema.json`) and the support bundle
//! (`docs/bundle.schema.json`). `tests/it/schema.rs`
//! fails when the committed files differ from these, and validates real
//! reports and bundles against the committed files.

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;

/// Where the schemas are published: their `$id`s end in these file names.
const BASE: &str = "https://github.com/sriov-doctor/sriov-doctor/docs/";

/// The committed file of each schema, and its text.
pub fn all() -> Vec<(&'static str, String)> {
    vec![
        ("docs/report.schema.json", report()),
        ("docs/explain.schema.json", explain()),
        ("docs/bundle.schema.json", bundle()),
    ]
}

/// The report of `check --format json`: what the tool writes, so fields
/// that are always written are required (Option fields as null).
pub fn report() -> String {
    render::<crate::report::Report>(
        SchemaSettings::draft2020_12().for_serialize(),
        "report.schema.json",
        "sriov-doctor check report",
    )
}

/// The report of `explain --format json`.
pub fn explain() -> String {
    render::<crate::explain::Explanation>(
        SchemaSettings::draft2020_12().for_serialize(),
        "explain.schema.json",
        "sriov-doctor explain report",
    )
}

/// A support bundle as a reader accepts it: `schema_version` and `files`
/// are required, the rest has defaults.
pub fn bundle() -> String {
    render::<crate::bundle::Bundle>(
        SchemaSettings::draft2020_12().for_deserialize(),
        "bundle.schema.json",
        "sriov-doctor support bundle",
    )
}

fn render<T: JsonSchema>(settings: SchemaSettings, file: &str, title: &str) -> String {
    let mut schema = settings.into_generator().into_root_schema_for::<T>();
    // The type's doc comment is the description; the title names the document.
    schema.insert("$id".into(), format!("{BASE}{file}").into());
    schema.insert("title".into(), title.into());
    let mut value = schema.to_value();
    tidy(&mut value);
    // Back to a Schema, whose serializer puts $id, $schema, title and
    // description first, as people read a schema.
    let schema = schemars::Schema::try_from(value).expect("still an object");
    let mut text = serde_json::to_string_pretty(&schema).expect("schemas serialize");
    text.push('\n');
    text
}

/// Doc comments are wrapped at 80 columns: a description becomes one line
/// per blank-line-separated paragraph. `default`s go: they are what the
/// bundle reader fills in for an absent field (an empty string, null), not
/// valid values, and absent fields are already not `required`.
fn tidy(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(schema) => {
            schema.remove("default");
            if let Some(serde_json::Value::String(d)) = schema.get_mut("description") {
                *d = d
                    .split("\n\n")
                    .map(|para| para.split('\n').collect::<Vec<_>>().join(" "))
                    .collect::<Vec<_>>()
                    .join("\n\n");
            }
            for (key, child) in schema.iter_mut() {
                match (key.as_str(), child) {
                    // Maps from names to schemas: a field called "default"
                    // is a name here, not the keyword.
                    ("properties" | "$defs", serde_json::Value::Object(named)) => {
                        named.values_mut().for_each(tidy)
                    }
                    (_, child) => tidy(child),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}
