//! A rule file's TOML as written, before it is checked and compiled
//! (`load`).

use serde::Deserialize;
use toml::Spanned;

use super::{Doc, RuleTest, Scope, Severity};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RuleToml {
    pub(super) title: String,
    pub(super) scope: Scope,
    pub(super) severity: Severity,
    #[serde(default)]
    pub(super) needs: Vec<Spanned<String>>,
    pub(super) applies: Option<Spanned<String>>,
    pub(super) not_applicable: Option<Spanned<String>>,
    pub(super) condition: Spanned<String>,
    pub(super) warn_if: Option<Spanned<String>>,
    pub(super) no_subjects: Option<Spanned<NoSubjectsToml>>,
    pub(super) message: MessageToml,
    #[serde(default)]
    pub(super) remediation: Vec<Spanned<RemediationToml>>,
    pub(super) doc: Doc,
    #[serde(default)]
    pub(super) test: Vec<Spanned<RuleTest>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NoSubjectsToml {
    pub(super) status: Spanned<String>,
    pub(super) message: String,
    #[serde(default)]
    pub(super) remediation: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MessageToml {
    pub(super) pass: Spanned<String>,
    pub(super) fail: Spanned<String>,
    #[serde(default)]
    pub(super) evidence: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) variant: Vec<VariantToml>,
}

/// `[[message.variant]]`: a message for one case, chosen by `when`
/// instead of a conditional inside the message.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct VariantToml {
    pub(super) status: Spanned<String>,
    pub(super) when: Spanned<String>,
    pub(super) text: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RemediationToml {
    pub(super) text: Spanned<String>,
    pub(super) when: Option<Spanned<String>>,
}
