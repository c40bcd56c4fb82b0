//! `explain`: reads an error message or a log, finds the known messages in
//! it (signatures), runs the checks focused on the devices and groups they
//! name, and ranks the failing findings as causes.

mod focus;
pub mod guest_log;
pub mod rank;
pub mod reader;
pub mod signature;

use std::collections::BTreeMap;
use std::path::Path;

use schemars::JsonSchema;
use serde::Serialize;

use crate::address::PciAddress;
use crate::findings::{Finding, Status};
use crate::hostfs::HostFs;
use crate::report::{HostSummary, Report};
use crate::rules::{Engine, RuleError, BUILTIN_SIGNATURES};
pub use focus::{By, Named, Scope};
pub use reader::Kind;
pub use signature::{Outcome, Signature};

/// The most input explain reads: a long journal excerpt, not a whole disk.
pub const MAX_INPUT: usize = 4 << 20;

/// The built-in signatures plus those in `site_dir/signatures`.
/// `known_rules` are the ids of the rules loaded with the same `site_dir`
/// ([`Engine::rule_ids`] gives them without compiling the rules).
pub fn load_signatures(
    known_rules: &[String],
    site_dir: Option<&Path>,
) -> Result<Vec<Signature>, Vec<RuleError>> {
    let known: Vec<&str> = known_rules.iter().map(String::as_str).collect();
    let mut by_id: BTreeMap<String, Signature> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut files: Vec<(String, String)> = BUILTIN_SIGNATURES
        .iter()
        .map(|(f, t)| (f.to_string(), t.to_string()))
        .collect();
    if let Some(dir) = site_dir
        .map(|d| d.join("signatures"))
        .filter(|d| d.is_dir())
    {
        match crate::rules::read_toml_dir(&dir) {
            Ok(site) => files.extend(site),
            Err(e) => errors.push(e),
        }
    }
    for (file, text) in files {
        let name = Path::new(&file)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match Signature::load(&name, &text, &known) {
            Ok(s) => {
                by_id.insert(s.id.clone(), s);
            }
            Err(mut e) => {
                e.file = file;
                errors.push(e);
            }
        }
    }
    if errors.is_empty() {
        Ok(by_id.into_values().collect())
    } else {
        Err(errors)
    }
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Match {
    pub signature: String,
    pub title: String,
    pub meaning: String,
    /// 1-based line of the input.
    pub line_number: usize,
    pub line: String,
    pub captures: BTreeMap<String, String>,
    /// Whether the line reports a problem, a pass, or a problem outside
    /// device assignment.
    #[schemars(with = "OutcomeName")]
    pub outcome: Outcome,
    /// What this host's own checks of the signature's rules found (on the
    /// devices the input names, or the host): the signature's advice holds
    /// only where they do not pass.
    pub host_checks: Vec<HostCheck>,
}

/// [`Outcome`] as the JSON writes it.
#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum OutcomeName {
    Problem,
    Pass,
    Other,
}

/// One of this host's findings for a rule a matched signature names.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct HostCheck {
    pub rule: String,
    pub subject: String,
    pub status: Status,
    pub message: String,
}

impl Match {
    /// True when the host's own checks of every rule the signature names
    /// pass (or do not apply): the message does not describe this host now,
    /// and its advice would contradict them.
    pub fn contradicted(&self) -> bool {
        self.outcome == Outcome::Problem
            && !self.host_checks.is_empty()
            && self
                .host_checks
                .iter()
                .all(|c| matches!(c.status, Status::Pass | Status::Skip))
            && self.host_checks.iter().any(|c| c.status == Status::Pass)
    }
}

/// What `explain --format json` writes: what matched in the input, what
/// each line names, the devices checked, and the failing and warning
/// findings, most likely cause first.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Explanation {
    pub schema_version: u32,
    pub host: HostSummary,
    pub input_lines: usize,
    pub matches: Vec<Match>,
    /// What each line names: the signatures' captures and what the generic
    /// reader finds on every line (recognised or not).
    pub named: Vec<Named>,
    /// Devices checked as targets: those the messages name (widened to
    /// this host's domain), or, when they name none, the guest's devices or
    /// every assignment candidate (`scope` says which).
    pub focus: Vec<String>,
    pub scope: Scope,
    /// Addresses the messages name that this host does not have.
    pub not_on_host: Vec<String>,
    /// Addresses the messages name where a PF of this host puts a VF it has
    /// not created yet: checked as targets (sriov.vfs says how to create
    /// them).
    pub not_created_yet: Vec<String>,
    /// Failing and warning findings, most likely cause first.
    pub causes: Vec<Cause>,
    /// Commands that confirm the cause.
    pub confirm: Vec<String>,
    pub note: Option<String>,
    /// What `--guest` read from the host as input: one sentence per
    /// source (the guest's log from its last start, the kernel log since);
    /// absent when the input was given.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schemars(default)]
    pub read_from: Vec<String>,
}

/// A failing or warning finding, and what puts it among the causes.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Cause {
    #[serde(flatten)]
    pub finding: Finding,
    /// "signature" or "errno" when the input points at it; "host" when it
    /// is listed only because it fails or warns here.
    pub pointed_by: rank::PointedBy,
}

impl std::ops::Deref for Cause {
    type Target = Finding;
    fn deref(&self) -> &Finding {
        &self.finding
    }
}

impl Explanation {
    pub fn exit_code(&self) -> i32 {
        if self.causes.iter().any(|c| c.status == Status::Fail) {
            1
        } else {
            0
        }
    }
}

/// The input's lines as explain numbers them: journal and libvirt logs
/// escape newlines inside one message as "\n".
pub fn lines(input: &str) -> Vec<String> {
    input
        .replace("\\n", "\n")
        .lines()
        .map(|l| l.trim_end().to_string())
        .collect()
}

fn matches(lines: &[String], signatures: &[Signature]) -> Vec<Match> {
    let mut out = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        match_line(n, line, signatures, &mut out);
    }
    // A message quoted from a forum or an issue is often wrapped: two
    // neighbouring lines that no signature knows are tried again as one,
    // the match counted on the first.
    let matched: std::collections::BTreeSet<usize> = out.iter().map(|m| m.line_number).collect();
    for n in 0..lines.len().saturating_sub(1) {
        let (a, b) = (lines[n].trim_end(), lines[n + 1].trim_start());
        if a.is_empty() || b.is_empty() || matched.contains(&(n + 1)) || matched.contains(&(n + 2))
        {
            continue;
        }
        match_line(n, &format!("{a} {b}"), signatures, &mut out);
    }
    out.sort_by_key(|m| m.line_number);
    out
}

/// Every signature that matches `line`, taken as input line `n` (from 0).
fn match_line(n: usize, line: &str, signatures: &[Signature], out: &mut Vec<Match>) {
    for s in signatures {
        if let Some(c) = s.pattern.captures(line) {
            let captures = s
                .pattern
                .capture_names()
                .flatten()
                .filter_map(|name| {
                    c.name(name)
                        .map(|m| (name.to_string(), m.as_str().to_string()))
                })
                .collect();
            out.push(Match {
                signature: s.id.clone(),
                title: s.title.clone(),
                meaning: s.meaning.clone(),
                line_number: n + 1,
                line: line.to_string(),
                captures,
                outcome: s.outcome,
                host_checks: Vec::new(),
            });
        }
    }
}

/// " (it names 0000:03:10.0, EBUSY)": what the input names, each once,
/// at most eight; empty when it names nothing.
fn said_names(named: &[Named]) -> String {
    let mut said: Vec<&str> = Vec::new();
    for n in named {
        let v = match n.kind {
            Kind::Errno | Kind::Device => n.resolved.as_deref().unwrap_or(&n.value),
            _ => &n.value,
        };
        if !said.contains(&v) {
            said.push(v);
        }
    }
    match said.len() {
        0 => String::new(),
        1..=8 => format!(" (it names {})", said.join(", ")),
        more => format!(" (it names {} and {} more)", said[..8].join(", "), more - 8),
    }
}

fn substitute(
    template: &str,
    captures: &BTreeMap<String, String>,
    focus: &[PciAddress],
) -> Option<String> {
    let mut out = template.to_string();
    for name in signature::CAPTURES {
        let key = format!("{{{name}}}");
        if out.contains(&key) {
            let value = match (*name, captures.get(*name)) {
                // The full address of the device the message names.
                ("device", Some(d)) => PciAddress::parse(d)
                    .ok()
                    .and_then(|(a, _)| {
                        focus
                            .iter()
                            .find(|f| {
                                (f.bus, f.device, f.function) == (a.bus, a.device, a.function)
                            })
                            .map(|f| f.to_string())
                    })
                    .unwrap_or_else(|| d.clone()),
                (_, Some(v)) => v.clone(),
                (_, None) => return None,
            };
            out = out.replace(&key, &value);
        }
    }
    Some(out)
}

/// What the user names beside the message.
#[derive(Clone, Copy, Debug, Default)]
pub struct Asked<'a> {
    /// Devices (`--device`), checked as if the message named them.
    pub devices: &'a [String],
    /// Guests (`--guest`), whose devices are checked when the input names
    /// no device.
    pub guests: &'a [String],
}

/// Reads the host, matches the input, runs the checks and ranks the causes.
pub fn explain(
    fs: &dyn HostFs,
    input: &str,
    engine: &Engine,
    signatures: &[Signature],
    asked: Asked,
) -> Result<Explanation, String> {
    let lines = lines(input);
    let found = matches(&lines, signatures);
    // Listed once, for the focus and for the facts.
    let addresses: crate::facts::Known<Vec<PciAddress>> = crate::probes::pci::addresses(fs).into();
    let present = addresses.value().cloned().unwrap_or_default();
    let named = focus::named(fs, &present, &lines, &found);
    let (mut focus, missing, scope) = focus::focus(fs, &named, asked, &present);
    let (not_created_yet, not_on_host): (Vec<String>, Vec<String>) =
        missing.into_iter().partition(|m| {
            m.parse::<PciAddress>()
                .is_ok_and(|a| crate::probes::future_vf(fs, &present, a).is_some())
        });
    focus.extend(
        not_created_yet
            .iter()
            .filter_map(|m| m.parse::<PciAddress>().ok()),
    );
    let targets: Vec<String> = focus.iter().map(|a| a.to_string()).collect();
    let facts = crate::gather_from_pending_ok(fs, addresses, &targets)?;
    let findings = engine.run(&facts);
    let report = Report::new(&facts, findings);
    let mut found = found;
    for m in &mut found {
        let Some(s) = signatures.iter().find(|s| s.id == m.signature) else {
            continue;
        };
        m.host_checks = report
            .findings
            .iter()
            .filter(|f| s.rules.contains(&f.rule))
            .filter(|f| f.subject == "host" || f.target || targets.is_empty())
            .map(|f| HostCheck {
                rule: f.rule.clone(),
                subject: f.subject.clone(),
                status: f.status,
                message: f.message.clone(),
            })
            .collect();
    }

    // Rank (see rank.rs): failures first; then the matched signatures'
    // rules, ordered by the errnos of their lines; then the errnos' rules;
    // the named devices before the host.
    let sig_rules: Vec<&str> = found
        .iter()
        .filter(|m| m.outcome == Outcome::Problem)
        .filter_map(|m| signatures.iter().find(|s| s.id == m.signature))
        .flat_map(|s| s.rules.iter().map(String::as_str))
        .collect();
    let errno_rules = rank::errno_rules_of(&lines, &named, &found);
    let ranking = rank::Ranking {
        signature: &sig_rules,
        errno: &errno_rules,
        focused: !focus.is_empty(),
        named_first: scope != Scope::Candidates,
    };
    let mut causes: Vec<Cause> = report
        .findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Warn))
        .filter(|f| focus.is_empty() || f.target || f.subject == "host")
        .map(|f| Cause {
            finding: f.clone(),
            pointed_by: ranking.pointed_by(f),
        })
        .collect();
    causes.sort_by_key(|c| ranking.key(&c.finding));

    let mut confirm = Vec::new();
    for m in &found {
        if let Some(s) = signatures.iter().find(|s| s.id == m.signature) {
            for c in &s.confirm {
                if let Some(cmd) = substitute(c, &m.captures, &focus) {
                    if !confirm.contains(&cmd) {
                        confirm.push(cmd);
                    }
                }
            }
        }
    }
    let problems = found
        .iter()
        .filter(|m| m.outcome == Outcome::Problem)
        .count();
    let said = said_names(&named);
    let note = if found.is_empty() && causes.is_empty() {
        Some(format!("no known message in the input{said}, and no check fails or warns on this host: nothing here points to a cause (sriov-doctor check shows every check)"))
    } else if found.is_empty() {
        Some(format!(
            "no known message in the input{said}; showing every check that fails or warns on {}: a list to look through, not a diagnosis",
            scope.describe()
        ))
    } else if problems == 0 {
        let passed = found.iter().filter(|m| m.outcome == Outcome::Pass).count();
        let unchecked = found.iter().filter(|m| m.outcome == Outcome::Other).count();
        Some(if unchecked == 0 {
            format!("the input reports no problem ({passed} line(s) pass); showing every check that fails on this host")
        } else {
            format!("no check of this tool bears on what the input reports ({passed} line(s) pass, {unchecked} report a failure no rule checks: their meaning says what to look at); showing every check that fails on this host")
        })
    } else if causes.is_empty() {
        Some("the messages are known, but no check fails on this host now: the cause may be gone (a guest stopped, a driver rebound) or lie outside what sriov-doctor reads".to_string())
    } else {
        None
    };
    Ok(Explanation {
        schema_version: crate::report::SCHEMA_VERSION,
        host: report.host.clone(),
        input_lines: lines.len(),
        matches: found,
        named,
        focus: targets,
        scope,
        not_on_host,
        not_created_yet,
        causes,
        confirm,
        note,
        read_from: Vec::new(),
    })
}
