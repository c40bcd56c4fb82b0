//! What a damaged report must not say: a pass for a rule whose input the
//! damage destroyed (inputs::TABLE), or a pass where the pristine tree did
//! not pass, unless inputs::TRUTHFUL_PASSES says why that is the truth.

use std::collections::BTreeMap;

use crate::corruption::damage::{Damage, Entry};
use crate::corruption::inputs::{self, effect, is_pci_address, matches, Effect, Subjects, TABLE};

/// (rule, subject) → (status, message).
pub type Statuses = BTreeMap<(String, String), (String, String)>;

pub fn statuses(stdout: &str) -> Option<Statuses> {
    let v: serde_json::Value = serde_json::from_str(stdout).ok()?;
    let mut out = BTreeMap::new();
    for f in v["findings"].as_array()? {
        let s = |k: &str| f[k].as_str().unwrap_or("").to_string();
        out.insert((s("rule"), s("subject")), (s("status"), s("message")));
    }
    Some(out)
}

/// "pid N" in the device.in-use findings: which process holds which device.
pub fn holders(reports: &[&Statuses], view: &mut HostView) {
    for report in reports {
        for ((rule, subject), (_, message)) in report.iter() {
            if rule != "device.in-use" {
                continue;
            }
            for part in message.split("pid ").skip(1) {
                let pid: String = part.chars().take_while(char::is_ascii_digit).collect();
                if !pid.is_empty() {
                    let held = view.held_by.entry(pid).or_default();
                    if !held.contains(subject) {
                        held.push(subject.clone());
                    }
                }
            }
        }
    }
}

/// What the pristine tree says that the table needs: groups and holders.
#[derive(Default)]
pub struct HostView {
    pub group_of: BTreeMap<String, String>,
    /// pid → devices it holds (from the pristine targeted report).
    pub held_by: BTreeMap<String, Vec<String>>,
}

/// A (rule, subject) whose input a damage destroyed; subject "*" is every device.
#[derive(Clone, Debug)]
pub struct Destroyed {
    pub rule: &'static str,
    pub subject: String,
    pub targets_only: bool,
    pub input: String,
    pub effect: Effect,
}

fn subjects(view: &HostView, s: Subjects, path: &str) -> Vec<String> {
    let comps: Vec<&str> = path.split('/').collect();
    let device = comps
        .iter()
        .rev()
        .find(|c| is_pci_address(c))
        .map(|c| c.to_string());
    let group_members = |g: &str| -> Vec<String> {
        view.group_of
            .iter()
            .filter(|(_, v)| *v == g)
            .map(|(k, _)| k.clone())
            .collect()
    };
    match s {
        Subjects::Host => vec!["host".into()],
        Subjects::AllDevices => vec!["*".into()],
        Subjects::PathDevice => device.into_iter().collect(),
        Subjects::GroupOfPathDevice => match device {
            Some(d) => match view.group_of.get(&d) {
                Some(g) => group_members(g),
                None => vec![d],
            },
            None => Vec::new(),
        },
        Subjects::GroupInPath => comps
            .iter()
            .position(|c| *c == "iommu_groups")
            .and_then(|i| comps.get(i + 1))
            .map(|g| group_members(g))
            .unwrap_or_default(),
        Subjects::HeldByPathPid => comps
            .get(1)
            .filter(|_| comps[0] == "proc")
            .and_then(|pid| view.held_by.get(*pid).cloned())
            .unwrap_or_default(),
    }
}

/// Every (rule, subject) whose input the damage of `damaged` destroyed.
pub fn destroyed(
    view: &HostView,
    pristine: &[Entry],
    damaged: &Entry,
    damage: Damage,
) -> Vec<Destroyed> {
    let below = format!("{}/", damaged.path);
    let mut out = Vec::new();
    for input in pristine
        .iter()
        .filter(|e| e.path == damaged.path || e.path.starts_with(&below))
    {
        let effect = effect(damage, damaged, input);
        for row in TABLE
            .iter()
            .filter(|r| r.destroyed_by.contains(&effect) && matches(r.pattern, &input.path))
        {
            for subject in subjects(view, row.subjects, &input.path) {
                for rule in row.rules {
                    out.push(Destroyed {
                        rule,
                        subject: subject.clone(),
                        targets_only: row.targets_only,
                        input: input.path.clone(),
                        effect,
                    });
                }
            }
        }
    }
    out
}

/// What one damaged report says about its passes.
#[derive(Default)]
pub struct Verdicts {
    /// Findings whose input was destroyed, by status: what the table checked.
    pub on_destroyed: BTreeMap<String, usize>,
    /// Passing findings that the pristine report has too.
    pub compared: usize,
    /// Passes on destroyed inputs.
    pub destroyed: Vec<String>,
    /// Passes where the pristine tree did not pass, unexplained.
    pub turned: Vec<String>,
    /// Passes where the pristine tree did not pass, and why that is true.
    pub truthful: Vec<&'static str>,
}

/// Judges the findings of `report`, from the tree with `damage` on
/// `damaged`; `targeted` is the --device target of the run, if any.
pub fn judge(
    report: &Statuses,
    pristine: &Statuses,
    destroyed: &[Destroyed],
    targeted: Option<&str>,
    damaged: &Entry,
    damage: Damage,
) -> Verdicts {
    let mut v = Verdicts::default();
    let self_effect = inputs::effect(damage, damaged, damaged);
    for ((rule, subject), (status, message)) in report {
        let hits: Vec<&Destroyed> = destroyed
            .iter()
            .filter(|d| {
                d.rule == rule
                    && (d.subject == *subject || (d.subject == "*" && subject != "host"))
                    && (!d.targets_only || targeted == Some(subject.as_str()))
            })
            .collect();
        if !hits.is_empty() {
            *v.on_destroyed.entry(status.clone()).or_insert(0) += 1;
        }
        if status != "pass" {
            continue;
        }
        for d in hits {
            v.destroyed.push(format!(
                "{rule} passed for {subject} although its input {} is {:?}: {message}",
                d.input, d.effect
            ));
        }
        let Some((before, _)) = pristine.get(&(rule.clone(), subject.clone())) else {
            continue;
        };
        v.compared += 1;
        if before == "pass" {
            continue;
        }
        match inputs::truthful_pass(&damaged.path, self_effect, rule) {
            Some(why) => v.truthful.push(why),
            None => v.turned.push(format!(
                "{rule} for {subject} was {before} on the pristine tree and passes now: {message}"
            )),
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corruption::damage::EntryKind;

    fn statuses(rows: &[(&str, &str, &str)]) -> Statuses {
        rows.iter()
            .map(|(r, s, st)| ((r.to_string(), s.to_string()), (st.to_string(), "m".into())))
            .collect()
    }

    #[test]
    fn the_judge_catches_both_kinds_of_false_pass() {
        let cpuinfo = Entry {
            path: "proc/cpuinfo".into(),
            kind: EntryKind::File,
            size: 100,
        };
        let view = HostView::default();
        let gone = destroyed(
            &view,
            std::slice::from_ref(&cpuinfo),
            &cpuinfo,
            Damage::RandomBytes,
        );
        assert_eq!(gone.len(), 1, "{gone:?}");
        let pristine = statuses(&[
            ("cpu.virtualization", "host", "pass"),
            ("kernel.iommu", "host", "fail"),
        ]);
        let damaged = statuses(&[
            ("cpu.virtualization", "host", "pass"),
            ("kernel.iommu", "host", "pass"),
        ]);
        let v = judge(
            &damaged,
            &pristine,
            &gone,
            None,
            &cpuinfo,
            Damage::RandomBytes,
        );
        assert_eq!((v.destroyed.len(), v.turned.len()), (1, 1));
        assert_eq!(v.on_destroyed.get("pass"), Some(&1));
        // Half a cpuinfo may still hold the flags: not destroyed.
        let half = destroyed(
            &view,
            std::slice::from_ref(&cpuinfo),
            &cpuinfo,
            Damage::TruncateHalf,
        );
        assert!(half.is_empty(), "{half:?}");
    }
}
