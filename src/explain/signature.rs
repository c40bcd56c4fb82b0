//! An explain signature: a regex for a real error message, what it means,
//! and the rules that bear on it. One TOML file per signature in
//! rules/signatures/, id = file stem.

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::rules::{file_stem, line_of, toml_error, valid_id, RuleError};

/// Named captures the tool understands.
pub const CAPTURES: &[&str] = &["device", "group", "driver", "domain"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignatureToml {
    title: String,
    pattern: Spanned<String>,
    meaning: String,
    #[serde(default)]
    outcome: Outcome,
    rules: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    confirm: Vec<Spanned<String>>,
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

/// What a matched line reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// A failure that the named rules bear on (the default).
    #[default]
    Problem,
    /// A check that passed (a validator's PASS line): never a cause.
    Pass,
    /// A failure outside device assignment, which no rule checks.
    Other,
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
    pub outcome: Outcome,
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
        let line = |span: std::ops::Range<usize>| Some(line_of(text, span.start));
        let pattern = regex::RegexBuilder::new(raw.pattern.get_ref())
            .size_limit(1 << 20)
            .build()
            .map_err(|e| err(line(raw.pattern.span()), format!("pattern: {e}")))?;
        for name in pattern.capture_names().flatten() {
            if !CAPTURES.contains(&name) {
                return Err(err(
                    line(raw.pattern.span()),
                    format!(
                        "pattern: capture '{name}' is not one of {}",
                        CAPTURES.join(", ")
                    ),
                ));
            }
        }
        if raw.rules.get_ref().is_empty() && raw.outcome == Outcome::Problem {
            return Err(err(
                line(raw.rules.span()),
                "rules: name at least one rule that bears on the message (or set outcome = \"pass\" or \"other\")".into(),
            ));
        }
        for r in raw.rules.get_ref() {
            if !known_rules.contains(&r.get_ref().as_str()) {
                return Err(err(
                    line(r.span()),
                    format!("rules: no rule '{}'", r.get_ref()),
                ));
            }
        }
        // A command that names a capture the pattern does not have would
        // never be shown.
        let captured: Vec<&str> = pattern.capture_names().flatten().collect();
        for c in &raw.confirm {
            for name in CAPTURES {
                if c.get_ref().contains(&format!("{{{name}}}")) && !captured.contains(name) {
                    return Err(err(
                        line(c.span()),
                        format!(
                            "confirm: '{{{name}}}' is not a capture of the pattern (it has {})",
                            if captured.is_empty() {
                                "none".to_string()
                            } else {
                                captured.join(", ")
                            }
                        ),
                    ));
                }
            }
        }
        Ok(Signature {
            id,
            title: raw.title,
            pattern,
            meaning: raw.meaning,
            outcome: raw.outcome,
            rules: raw
                .rules
                .into_inner()
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            confirm: raw.confirm.into_iter().map(Spanned::into_inner).collect(),
            examples: raw.example,
            test: raw.test,
        })
    }
}
