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
    Site,
}

impl Area {
    pub fn of(rule_id: &str) -> Area {
        match rule_id.split('.').next().unwrap_or("") {
            "cpu" => Area::Cpu,
            "firmware" => Area::Firmware,
            "kernel" => Area::Kernel,
            "modules" => Area::Modules,
            "sriov" => Area::Sriov,
            "iommu" => Area::Iommu,
            "device" => Area::Device,
            "xen" => Area::Xen,
            _ => Area::Site,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Area::Cpu => "CPU",
            Area::Firmware => "Firmware",
            Area::Kernel => "Kernel",
            Area::Modules => "Modules",
            Area::Sriov => "SR-IOV",
            Area::Iommu => "IOMMU groups",
            Area::Device => "Devices",
            Area::Xen => "Xen",
            Area::Site => "Site rules",
        }
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
