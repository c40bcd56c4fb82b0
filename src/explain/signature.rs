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
    #[serde(default)]
    format: Vec<Spanned<FormatCite>>,
    unsourced: Option<Spanned<String>>,
}

/// A message format string, quoted from the source of the program that
/// prints it, which the signature's pattern matches once expanded.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct FormatCite {
    /// The program that prints it: kernel, qemu, libvirt, dpdk...
    pub program: String,
    /// The format string as written in the source (C escapes kept).
    pub format: String,
    /// Where: "owner/repository:path" of the source file.
    pub source: String,
    /// The releases that print it, as "v5.4..v6.12" or a sentence.
    pub versions: String,
    /// What the program puts before the formatted text ("vfio %s: ",
    /// "EAL: ", a kernel device prefix "pci %s: "), itself a format.
    #[serde(default)]
    pub prefix: String,
    /// What the program appends after it (": <strerror>" that QEMU's
    /// error_setg_errno and libvirt's system errors add).
    #[serde(default)]
    pub suffix: String,
    /// Sample values for the placeholders of prefix, format then suffix, in order,
    /// where the default sample of a placeholder does not fit.
    #[serde(default)]
    pub args: Vec<String>,
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
    /// A failure no rule checks: outside device assignment, or a cause
    /// the host's files do not show (its meaning says what to look at).
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
    /// The format strings the pattern matches.
    pub formats: Vec<FormatCite>,
    /// Why no format string is cited (a message no source prints as such).
    pub unsourced: Option<String>,
}

/// Whether a format's source names the file it is in: "owner/repository:path"
/// for a repository on GitHub, or a tree and a path for one that is not
/// ("qemu-kvm hw/device-assignment.c").
fn valid_source(source: &str) -> bool {
    let word = |w: &str| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    if let Some((repo, path)) = source.split_once(':') {
        if let Some((owner, name)) = repo.split_once('/') {
            if word(owner) && word(name) && !path.trim().is_empty() {
                return true;
            }
        }
    }
    source
        .split([' ', ':', '(', ')', ','])
        .any(|t| t.contains('/') && t.rsplit('/').next().is_some_and(|f| f.contains('.')))
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
        for f in &raw.format {
            let c = f.get_ref();
            let blank = [
                ("program", &c.program),
                ("format", &c.format),
                ("versions", &c.versions),
            ]
            .into_iter()
            .find(|(_, v)| v.trim().is_empty());
            if let Some((field, _)) = blank {
                return Err(err(line(f.span()), format!("format: {field} is empty")));
            }
            if !valid_source(&c.source) {
                return Err(err(
                    line(f.span()),
                    format!(
                        "format: source '{}' names no file: write \"owner/repository:path\"",
                        c.source
                    ),
                ));
            }
        }
        if let Some(u) = &raw.unsourced {
            if u.get_ref().trim().is_empty() {
                return Err(err(
                    line(u.span()),
                    "unsourced: say why no format string is cited".into(),
                ));
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
            formats: raw.format.into_iter().map(Spanned::into_inner).collect(),
            unsourced: raw.unsourced.map(Spanned::into_inner),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIG: &str = r#"title = "t"
pattern = 'site-tool: (?P<device>[0-9a-f:.]+) refused'
meaning = "m"
rules = ["device.host-driver"]
"#;

    fn load(extra: &str) -> Result<Signature, RuleError> {
        Signature::load(
            "rules/signatures/site-tool.toml",
            &format!("{SIG}{extra}"),
            &["device.host-driver"],
        )
    }

    #[test]
    fn a_cited_format_is_loaded_with_its_prefix_suffix_and_args() {
        let s = load(
            "\n[[format]]\nprogram = 'qemu'\nformat = 'failed to open %s'\nsource = 'qemu/qemu:hw/vfio/common.c'\nversions = 'v2.8.0..'\nprefix = 'vfio %s: '\nsuffix = ': Permission denied'\nargs = ['0000:03:10.0', '/dev/vfio/7']\n",
        )
        .unwrap();
        assert_eq!(s.formats.len(), 1);
        assert_eq!(s.formats[0].prefix, "vfio %s: ");
        assert_eq!(s.formats[0].suffix, ": Permission denied");
        assert_eq!(s.formats[0].args.len(), 2);
        assert!(s.unsourced.is_none());
    }

    #[test]
    fn a_format_without_a_file_or_with_an_unknown_field_is_refused() {
        let bad_source = load(
            "\n[[format]]\nprogram = 'qemu'\nformat = 'x'\nsource = 'somewhere'\nversions = 'all'\n",
        )
        .unwrap_err();
        assert!(
            bad_source.reason.contains("names no file"),
            "{}",
            bad_source.reason
        );
        assert_eq!(bad_source.line, Some(6));
        let unknown = load(
            "\n[[format]]\nprogram = 'qemu'\nformat = 'x'\nsource = 'qemu/qemu:a.c'\nversions = 'all'\nline = 3\n",
        );
        assert!(unknown.is_err());
        let empty = load(
            "\n[[format]]\nprogram = 'qemu'\nformat = ' '\nsource = 'qemu/qemu:a.c'\nversions = 'all'\n",
        )
        .unwrap_err();
        assert!(empty.reason.contains("format is empty"), "{}", empty.reason);
        // A tree that is not on GitHub names its file by path.
        assert!(valid_source("qemu-kvm hw/device-assignment.c (RHEL6)"));
        assert!(!valid_source("Ubuntu jammy qemu"));
    }

    #[test]
    fn unsourced_must_say_why() {
        let s = Signature::load(
            "rules/signatures/site-tool.toml",
            &SIG.replace(
                "rules = ",
                "unsourced = \"a shell's own message\"\nrules = ",
            ),
            &["device.host-driver"],
        )
        .unwrap();
        assert_eq!(s.unsourced.as_deref(), Some("a shell's own message"));
        let e = Signature::load(
            "rules/signatures/site-tool.toml",
            &SIG.replace("rules = ", "unsourced = \"  \"\nrules = "),
            &["device.host-driver"],
        )
        .unwrap_err();
        assert!(e.reason.contains("unsourced"), "{}", e.reason);
    }
}
