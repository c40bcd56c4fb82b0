//! An explain signature: a regex for a real error message, what it means,
//! and the rules that bear on it. One TOML file per signature in
//! rules/signatures/, id = file stem.

use regex::Regex;
use serde::Deserialize;

use crate::rules::{file_stem, toml_error, valid_id, RuleError};

/// Named captures the tool understands.
pub const CAPTURES: &[&str] = &["device", "group", "driver", "domain"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignatureToml {
    title: String,
    pattern: String,
    meaning: String,
    rules: Vec<String>,
    #[serde(default)]
    confirm: Vec<String>,
    #[serde(default)]
    example: Vec<Example>,
    test: Option<SignatureTest>,
}

#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub text: String,
    pub source: String,
}

/// A test host on which the signature's message must get `first_cause` first.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureTest {
    pub host: String,
    pub first_cause: String,
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct Signature {
    pub id: String,
    pub title: String,
    pub pattern: Regex,
    pub meaning: String,
    /// Rule ids that bear on the message, most likely cause first.
    pub rules: Vec<String>,
    pub confirm: Vec<String>,
    pub examples: Vec<Example>,
    pub test: Option<SignatureTest>,
}

impl Signature {
    /// Parses one signature file; `known_rules` are the ids it may name.
    pub fn load(file: &str, text: &str, known_rules: &[&str]) -> Result<Signature, RuleError> {
        let err = |line: Option<usize>, reason: String| RuleError {
            file: file.to_string(),
            line,
            reason,
        };
        let id = file_stem(file);
        let ok_id = !id.is_empty() && valid_id(&format!("signature.{id}"));
        if !ok_id {
            return Err(err(
                None,
                format!("'{id}' is not a signature id: use lowercase kebab-case"),
            ));
        }
        let raw: SignatureToml = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
        let pattern = regex::RegexBuilder::new(&raw.pattern)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| err(None, format!("pattern: {e}")))?;
        for name in pattern.capture_names().flatten() {
            if !CAPTURES.contains(&name) {
                return Err(err(
                    None,
                    format!(
                        "pattern: capture '{name}' is not one of {}",
                        CAPTURES.join(", ")
                    ),
                ));
            }
        }
        if raw.rules.is_empty() {
            return Err(err(
                None,
                "rules: name at least one rule that bears on the message".into(),
            ));
        }
        for r in &raw.rules {
            if !known_rules.contains(&r.as_str()) {
                return Err(err(None, format!("rules: no rule '{r}'")));
            }
        }
        Ok(Signature {
            id,
            title: raw.title,
            pattern,
            meaning: raw.meaning,
            rules: raw.rules,
            confirm: raw.confirm,
            examples: raw.example,
            test: raw.test,
        })
    }
}
