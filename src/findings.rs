//! What a check found, shared by the rules that make findings and the
//! report and renderers that show them: a finding, its status and
//! severity, and the area of the report it belongs in.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The outcome of one rule on one subject: `skip` when the rule does not
/// apply or its inputs could not be read, never a pass or a fail.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Fail,
    Warn,
    Skip,
    Pass,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Fail => "FAIL",
            Status::Warn => "WARN",
            Status::Skip => "SKIP",
            Status::Pass => "PASS",
        }
    }
}

/// What one rule found on one subject.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Finding {
    /// The rule id (`kernel.iommu`): a stable public name.
    pub rule: String,
    pub status: Status,
    pub severity: Severity,
    /// "host" or a full PCI address.
    #[schemars(regex(pattern = r"^(host|[0-9a-f]{4,8}:[0-9a-f]{2}:[01][0-9a-f]\.[0-7])$"))]
    pub subject: String,
    /// What the rule checks.
    pub title: String,
    /// What was found, naming the evidence.
    pub message: String,
    /// The files and values read.
    pub evidence: Vec<String>,
    /// Steps to fix it, in order (empty for a pass).
    pub remediation: Vec<String>,
    /// The subject is a --device target (or a target's PF).
    #[serde(skip)]
    pub target: bool,
    /// A skip because an input could not be read or the rule could not be
    /// evaluated (as opposed to a rule that does not apply here).
    #[serde(skip)]
    pub inconclusive: bool,
}

impl Finding {
    pub fn area(&self) -> Area {
        Area::of(&self.rule)
    }
}

/// How much a failing condition matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A failing condition is a failure (exit 1).
    Error,
    /// A failing condition is a warning.
    Warning,
}

/// Report sections, in the order an operator works through them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Area {
    Cpu,
    Firmware,
    Kernel,
    Modules,
    Sriov,
    Iommu,
    Device,
    Xen,
    Platform,
    Site,
}

/// The areas of the built-in rules: the prefix of a rule id (`kernel` of
/// `kernel.iommu`), its area and the title of its section in the report.
/// Looked up both ways, by prefix and by area. A built-in rule's prefix
/// must be here (a unit test loads every built-in rule to check).
const AREAS: [(&str, Area, &str); 9] = [
    ("cpu", Area::Cpu, "CPU"),
    ("firmware", Area::Firmware, "Firmware"),
    ("kernel", Area::Kernel, "Kernel"),
    ("modules", Area::Modules, "Modules"),
    ("sriov", Area::Sriov, "SR-IOV"),
    ("iommu", Area::Iommu, "IOMMU groups"),
    ("device", Area::Device, "Devices"),
    ("xen", Area::Xen, "Xen"),
    ("platform", Area::Platform, "Platforms"),
];

/// The section of every rule whose prefix is not in [`AREAS`]: a site
/// rule (`--rules DIR`) may name any area.
const SITE_TITLE: &str = "Site rules";

impl Area {
    /// The area of a rule id: its prefix's, or [`Area::Site`] for a prefix
    /// no built-in area has.
    pub fn of(rule_id: &str) -> Area {
        Area::named(rule_id.split('.').next().unwrap_or("")).unwrap_or(Area::Site)
    }

    /// The built-in area whose prefix is `prefix`, if there is one.
    pub fn named(prefix: &str) -> Option<Area> {
        AREAS
            .iter()
            .find(|(p, _, _)| *p == prefix)
            .map(|&(_, area, _)| area)
    }

    pub fn title(self) -> &'static str {
        AREAS
            .iter()
            .find(|(_, a, _)| *a == self)
            .map_or(SITE_TITLE, |&(_, _, title)| title)
    }
}

/// Targets first, then by area, rule, and subject (host before devices,
/// devices by address): the same input always gives the same order. The
/// area is worked out once per finding, not once per comparison.
pub fn sort(findings: &mut Vec<Finding>) {
    let mut keyed: Vec<(bool, Area, Finding)> = findings
        .drain(..)
        .map(|f| (!f.target, f.area(), f))
        .collect();
    keyed.sort_by(|(at, aa, a), (bt, ba, b)| {
        (at, aa, &a.rule, a.subject != "host", &a.subject).cmp(&(
            bt,
            ba,
            &b.rule,
            b.subject != "host",
            &b.subject,
        ))
    });
    findings.extend(keyed.into_iter().map(|(_, _, f)| f));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every built-in rule's prefix names an area: a new prefix needs its
    /// row in [`AREAS`], or its rules would land under "Site rules".
    #[test]
    fn every_built_in_rule_has_a_built_in_area() {
        let engine = crate::rules::Engine::load(None).expect("the built-in rules load");
        assert_eq!(engine.rules.len(), crate::rules::BUILTIN_RULES.len());
        for rule in &engine.rules {
            let prefix = rule.id.split('.').next().unwrap_or("");
            assert!(
                Area::named(prefix).is_some(),
                "built-in rule {} has the prefix '{prefix}', which is not in findings::AREAS",
                rule.id
            );
            assert_ne!(rule.area(), Area::Site, "{}", rule.id);
        }
    }

    /// The table reads the same both ways, one row per area.
    #[test]
    fn areas_map_both_ways() {
        for (prefix, area, title) in AREAS {
            assert_eq!(Area::of(&format!("{prefix}.x")), area);
            assert_eq!(area.title(), title);
            assert_eq!(AREAS.iter().filter(|(_, a, _)| *a == area).count(), 1);
        }
        assert_eq!(Area::of("site.own-rule"), Area::Site);
        assert_eq!(Area::of("cpux.y"), Area::Site);
        assert_eq!(Area::Site.title(), "Site rules");
    }
}
