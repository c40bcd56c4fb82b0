//! Findings and the report that carries them: what renderers take.

use schemars::JsonSchema;
use serde::Serialize;

use crate::facts::Facts;
pub use crate::findings::{sort, Finding, Status};

/// Report format version; bump on any incompatible change to the JSON.
pub const SCHEMA_VERSION: u32 = 1;

/// Findings counted by status, and what they add up to.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq, JsonSchema)]
pub struct Summary {
    pub total: usize,
    pub pass: usize,
    pub fail: usize,
    pub warn: usize,
    pub skip: usize,
    /// Skips whose rule could not read its inputs (the rest did not apply).
    pub inconclusive: usize,
    /// The answer: `not_ready` when a check failed; else `incomplete` when a
    /// check that applies could not read its inputs; else
    /// `ready_with_warnings` or `ready`.
    pub result: Verdict,
    /// The exit code of `check`: 1 not ready, 3 incomplete, 0 ready.
    pub exit_code: i32,
    /// What the VFs read add up to (with --device, the targets' VFs); null
    /// when the host has none.
    pub vfs: Option<VfSummary>,
}

/// How many VFs a guest could be given now, after a detach, or not at all.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq, JsonSchema)]
pub struct VfSummary {
    /// On vfio-pci, pci-stub or pciback, in a viable group, held by no one;
    /// null when it could not be told (see `unknown`).
    pub assignable_now: Option<usize>,
    /// On a host driver or on none, otherwise free: assignable once
    /// detached; null when it could not be told.
    pub after_detach: Option<usize>,
    /// What detaches them: libvirt's managed='yes' at guest start, or on a
    /// Xen dom0 `xl pci-assignable-add`.
    pub detach_with: String,
    /// In a group that is not viable, or held by a guest or process.
    pub not_assignable: usize,
    /// Why, per VF: the first five, then "and N more".
    pub why_not: Vec<String>,
    /// Why the counts could not be told, when they could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown: Option<String>,
}

impl VfSummary {
    fn of(facts: &Facts) -> Option<VfSummary> {
        let s = &facts.host.sriov;
        if s.vf_count == 0 && s.blocked_count == 0 {
            return None;
        }
        let xen = facts.host.xen.value().is_some_and(|x| x.dom0);
        let (now, after, unknown) = match &s.assignable_vfs {
            crate::facts::Known::Value(v) => (
                Some(v.len() - s.after_detach_vfs.len()),
                Some(s.after_detach_vfs.len()),
                None,
            ),
            crate::facts::Known::Unknown(why) => (None, None, Some(why.clone())),
        };
        Some(VfSummary {
            assignable_now: now,
            after_detach: after,
            detach_with: if xen {
                "xl pci-assignable-add"
            } else {
                "libvirt's managed detach"
            }
            .to_string(),
            not_assignable: s.blocked_count,
            why_not: s.blocked_vfs.clone(),
            unknown,
        })
    }

    /// As the text report says it: "VFs: 1 assignable now, 1 more after
    /// libvirt's managed detach, 2 not at all".
    pub fn line(&self) -> String {
        match (self.assignable_now, self.after_detach, &self.unknown) {
            (Some(now), Some(after), _) => format!(
                "VFs: {now} assignable now, {after} more after {}, {} not at all",
                self.detach_with, self.not_assignable
            ),
            (_, _, why) => format!(
                "VFs: not counted ({}), {} not assignable",
                why.as_deref().unwrap_or("unknown"),
                self.not_assignable
            ),
        }
    }
}

/// What a report's findings add up to.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    #[default]
    Ready,
    ReadyWithWarnings,
    /// Nothing failed, but a check that applies could not read its inputs
    /// (most often: not run as root). Never taken for a pass.
    Incomplete,
    NotReady,
}

impl Verdict {
    pub fn of(fail: usize, warn: usize, inconclusive: usize) -> Verdict {
        if fail > 0 {
            Verdict::NotReady
        } else if inconclusive > 0 {
            Verdict::Incomplete
        } else if warn > 0 {
            Verdict::ReadyWithWarnings
        } else {
            Verdict::Ready
        }
    }

    /// As the text report's `Result:` line says it.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Ready => "READY",
            Verdict::ReadyWithWarnings => "READY, with warnings",
            Verdict::Incomplete => "INCOMPLETE",
            Verdict::NotReady => "NOT READY",
        }
    }

    /// As JSON and the metrics name it.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Ready => "ready",
            Verdict::ReadyWithWarnings => "ready_with_warnings",
            Verdict::Incomplete => "incomplete",
            Verdict::NotReady => "not_ready",
        }
    }

    /// 0 ready (warnings allowed), 1 not ready, 3 incomplete. (2 is a
    /// usage or tool error, decided before any report.)
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Ready | Verdict::ReadyWithWarnings => 0,
            Verdict::NotReady => 1,
            Verdict::Incomplete => 3,
        }
    }
}

/// The host the report is about; null where a value could not be read.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct HostSummary {
    /// What was read: `live host /`, `captured tree DIR` or `bundle FILE`.
    pub root: String,
    pub hostname: Option<String>,
    /// Kernel release.
    pub kernel: Option<String>,
    /// CPU model name.
    pub cpu: Option<String>,
    /// The distribution's pretty name (os-release).
    pub distro: Option<String>,
    /// PCI devices on the host.
    pub pci_devices: Option<usize>,
    /// SR-IOV capable physical functions.
    pub sriov_pfs: usize,
    /// Virtual functions enabled.
    pub sriov_vfs: usize,
    /// The --device targets, as full PCI addresses.
    pub targets: Vec<String>,
    /// What was not read: a tree's FIFO, socket or device node (never
    /// opened), or what a bundle says was cut when it was written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_read: Vec<String>,
}

/// The tool that wrote the report.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

/// The report of `sriov-doctor check --format json`.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Report {
    /// Report format version; bumped on any incompatible change.
    #[schemars(extend("const" = SCHEMA_VERSION))]
    pub schema_version: u32,
    pub tool: Tool,
    pub host: HostSummary,
    pub summary: Summary,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn new(facts: &Facts, mut findings: Vec<Finding>) -> Report {
        sort(&mut findings);
        let mut summary = Summary {
            total: findings.len(),
            ..Summary::default()
        };
        for f in &findings {
            match f.status {
                Status::Pass => summary.pass += 1,
                Status::Fail => summary.fail += 1,
                Status::Warn => summary.warn += 1,
                Status::Skip => summary.skip += 1,
            }
            if f.inconclusive {
                summary.inconclusive += 1;
            }
        }
        summary.result = Verdict::of(summary.fail, summary.warn, summary.inconclusive);
        summary.exit_code = summary.result.exit_code();
        summary.vfs = VfSummary::of(facts);
        let h = &facts.host;
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: env!("CARGO_PKG_NAME"),
                version: env!("CARGO_PKG_VERSION"),
            },
            host: HostSummary {
                root: h.root.clone(),
                hostname: h.hostname.value().cloned(),
                kernel: h.kernel.release.value().cloned(),
                cpu: h.cpu.value().map(|c| c.model_name.clone()),
                distro: h.distro.value().map(|d| d.pretty_name.clone()),
                pci_devices: h.pci.value().copied(),
                sriov_pfs: h.sriov.pf_count,
                sriov_vfs: h.sriov.vf_count,
                targets: h.targets.clone(),
                not_read: h.not_read.clone(),
            },
            summary,
            findings,
        }
    }

    /// See [`Verdict::exit_code`].
    pub fn exit_code(&self) -> i32 {
        self.summary.result.exit_code()
    }
}
