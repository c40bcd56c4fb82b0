//! The corruption suite: every host in tests/hosts, copied and damaged
//! deterministically (files truncated, filled with random bytes or removed,
//! links made to dangle or loop, directories made unreadable, files and
//! directories swapped for each other). On every variant each command exits
//! 0, 1 or 2 without a panic or a signal, and no rule passes whose input the
//! damage destroyed (inputs.rs), nor one that did not pass on the pristine
//! tree, unless the damaged tree truthfully says so (inputs::TRUTHFUL_PASSES).
//!
//! `cargo test --test it corruption:: -- --nocapture` prints the variants run and
//! their outcomes. SRIOV_DOCTOR_CORRUPTION_SEED and
//! SRIOV_DOCTOR_CORRUPTION_OTHERS (extra random variants per host) explore
//! further than the default run.

use crate::common;
mod damage;
mod inputs;
mod run;
mod verdict;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::time::Instant;

use damage::{Damage, Entry, EntryKind, Prng};
use run::{Outcome, Tool};
use verdict::HostView;

const DEFAULT_SEED: u64 = 0x5352_494f_5644_4f43;
/// Random variants per host beyond one per damage kind.
const DEFAULT_OTHERS: usize = 2;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| {
            let v = v.trim();
            match v.strip_prefix("0x") {
                Some(h) => u64::from_str_radix(h, 16).ok(),
                None => v.parse().ok(),
            }
        })
        .unwrap_or(default)
}

/// The device `check --device` and `explain` name: the scenario's target
/// when the host has it, else a VF, a PF, or any device.
fn choose_device(host: &common::Host, root: &Path) -> String {
    let listed: Vec<String> = fs::read_dir(root.join("sys/bus/pci/devices"))
        .map(|rd| {
            let mut v: Vec<String> = rd
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        })
        .unwrap_or_default();
    let dev = |a: &String, attr: &str| {
        root.join("sys/bus/pci/devices")
            .join(a)
            .join(attr)
            .symlink_metadata()
            .is_ok()
    };
    host.targets
        .iter()
        .find(|t| listed.contains(t))
        .or_else(|| listed.iter().find(|a| dev(a, "physfn")))
        .or_else(|| listed.iter().find(|a| dev(a, "sriov_totalvfs")))
        .or_else(|| listed.first())
        .unwrap_or_else(|| panic!("{}: no PCI device", host.name))
        .clone()
}

fn group_of(root: &Path, addr: &str) -> Option<String> {
    let link = root
        .join("sys/bus/pci/devices")
        .join(addr)
        .join("iommu_group");
    let target = fs::read_link(link).ok()?;
    Some(target.file_name()?.to_string_lossy().into_owned())
}

/// One variant per damage kind, on the inputs the rules read (a pattern
/// first, then an entry, so that no one kind of file crowds out the
/// others; the directory damages on directories that hold them), then
/// `others` with any damage that applies: every other one on the inputs
/// again, the rest on any entry of the tree.
fn plan(entries: &[Entry], rng: &mut Prng, others: usize) -> Vec<(Entry, Damage)> {
    let mut patterns: Vec<&str> = inputs::TABLE.iter().map(|r| r.pattern).collect();
    patterns.extend(inputs::ALSO_TARGETED);
    patterns.dedup();
    // Directories that hold the rules' inputs, by the input's pattern (so
    // that the many device directories do not crowd out /proc/PID/fd or
    // /sys/class/iommu), for the damages done to directories.
    let mut dirs_by_pattern: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for row in inputs::TABLE {
        for e in entries
            .iter()
            .filter(|e| inputs::matches(row.pattern, &e.path))
        {
            let dir = if e.kind == EntryKind::Dir {
                Some(e.path.as_str())
            } else {
                e.path.rsplit_once('/').map(|(parent, _)| parent)
            };
            if let Some(d) = dir {
                dirs_by_pattern
                    .entry(row.pattern)
                    .or_default()
                    .insert(d.to_string());
            }
        }
    }
    let mut out: Vec<(Entry, Damage)> = Vec::new();
    for damage in Damage::ALL {
        let choice = if matches!(damage, Damage::Unreadable | Damage::DirToFile) {
            let by_pattern: Vec<Vec<&Entry>> = dirs_by_pattern
                .values()
                .map(|dirs| {
                    entries
                        .iter()
                        .filter(|e| dirs.contains(&e.path) && damage.applies_to(e))
                        .collect::<Vec<_>>()
                })
                .filter(|c| !c.is_empty())
                .collect();
            rng.pick(&by_pattern).and_then(|c| rng.pick(c).copied())
        } else {
            let by_pattern: Vec<Vec<&Entry>> = patterns
                .iter()
                .map(|p| {
                    entries
                        .iter()
                        .filter(|e| damage.applies_to(e) && inputs::matches(p, &e.path))
                        .collect::<Vec<_>>()
                })
                .filter(|c| !c.is_empty())
                .collect();
            rng.pick(&by_pattern).and_then(|c| rng.pick(c).copied())
        };
        let choice = choice.or_else(|| {
            let any: Vec<&Entry> = entries.iter().filter(|e| damage.applies_to(e)).collect();
            rng.pick(&any).copied()
        });
        if let Some(e) = choice {
            out.push((e.clone(), damage));
        }
    }
    // Half of the others on the rules' inputs (pattern first), half on
    // any entry of the tree.
    for n in 0..others {
        let e = if n % 2 == 0 {
            let by_pattern: Vec<Vec<&Entry>> = patterns
                .iter()
                .map(|p| {
                    entries
                        .iter()
                        .filter(|e| inputs::matches(p, &e.path))
                        .collect::<Vec<_>>()
                })
                .filter(|c| !c.is_empty())
                .collect();
            rng.pick(&by_pattern).and_then(|c| rng.pick(c).copied())
        } else {
            None
        };
        let e = e.unwrap_or_else(|| rng.pick(entries).expect("a tree has entries"));
        let kinds: Vec<Damage> = Damage::ALL
            .into_iter()
            .filter(|d| d.applies_to(e))
            .collect();
        let d = *rng.pick(&kinds).expect("remove applies to everything");
        if !out.iter().any(|(o, od)| o.path == e.path && *od == d) {
            out.push((e.clone(), d));
        }
    }
    out
}

#[derive(Default)]
struct Tally {
    variants: usize,
    by_damage: BTreeMap<&'static str, usize>,
    /// command → exit code → runs
    exits: BTreeMap<&'static str, BTreeMap<i32, usize>>,
    panics: usize,
    signals: usize,
    timeouts: usize,
    /// Passing findings that the pristine tree also has.
    guarded_findings: usize,
    /// Findings whose input was destroyed, by status.
    on_destroyed: BTreeMap<String, usize>,
    /// Passes on destroyed inputs, and passes where the pristine tree did not pass.
    destroyed_passes: usize,
    turned_passes: usize,
    truthful: BTreeMap<&'static str, usize>,
    violations: Vec<String>,
    unreadable_reported: usize,
    /// (command, first line of stderr) of the runs that exited 2
    errors: BTreeMap<(&'static str, String), usize>,
}

fn record(tally: &mut Tally, label: &str, command: &'static str, o: &Outcome, root: &str) {
    let code = o.code.unwrap_or(-1);
    if code == 2 {
        let first = o.stderr.lines().next().unwrap_or("").replace(root, "ROOT");
        *tally.errors.entry((command, first)).or_insert(0) += 1;
    }
    *tally
        .exits
        .entry(command)
        .or_default()
        .entry(code)
        .or_insert(0) += 1;
    if o.stderr.contains("panicked") {
        tally.panics += 1;
        tally
            .violations
            .push(format!("{label}: {command} panicked: {}", o.stderr));
    }
    if let Some(sig) = o.signal {
        tally.signals += 1;
        tally
            .violations
            .push(format!("{label}: {command} died of signal {sig}"));
    }
    if o.timed_out {
        tally.timeouts += 1;
        tally.violations.push(format!(
            "{label}: {command} did not end in {:?}",
            run::TIMEOUT
        ));
    }
    if o.signal.is_none() && !o.timed_out && ![0, 1, 2, 3].contains(&code) {
        tally
            .violations
            .push(format!("{label}: {command} exited {code}: {}", o.stderr));
    }
    if code == 2 && !o.stderr.starts_with("sriov-doctor: ") {
        tally.violations.push(format!(
            "{label}: {command} exited 2 without saying why: {}",
            o.stderr
        ));
    }
}

#[test]
fn every_damaged_host_gives_an_answer_and_no_false_pass() {
    let started = Instant::now();
    let seed = env_number("SRIOV_DOCTOR_CORRUPTION_SEED", DEFAULT_SEED);
    let others = env_number("SRIOV_DOCTOR_CORRUPTION_OTHERS", DEFAULT_OTHERS as u64) as usize;
    let tool = Tool::new();
    let scratch =
        std::env::temp_dir().join(format!("sriov-doctor-corruption-{}", std::process::id()));
    let mut tally = Tally::default();
    let hosts = common::hosts();
    for host in &hosts {
        let pristine = Path::new(&host.root);
        let entries = damage::entries(pristine);
        let device = choose_device(host, pristine);
        let group = group_of(pristine, &device).unwrap_or_else(|| "0".into());
        let mut view = HostView::default();
        for e in &entries {
            if let Some(addr) = e.path.strip_prefix("sys/bus/pci/devices/") {
                if let Some(g) = group_of(pristine, addr) {
                    view.group_of.insert(addr.to_string(), g);
                }
            }
        }
        let baseline_full = tool.run(&run::check(&host.root, None), false, &scratch);
        let baseline_dev = tool.run(&run::check(&host.root, Some(&device)), false, &scratch);
        let full = verdict::statuses(&baseline_full.stdout)
            .unwrap_or_else(|| panic!("{}: pristine check: {}", host.name, baseline_full.stderr));
        let dev = verdict::statuses(&baseline_dev.stdout).unwrap_or_else(|| {
            panic!(
                "{}: pristine check -d {device}: {}",
                host.name, baseline_dev.stderr
            )
        });
        verdict::holders(&[&full, &dev], &mut view);

        let mut rng = Prng::new(seed ^ damage::fnv1a(&host.name));
        // One copy per host; each variant damages it and is undone.
        let root = scratch.join(&host.name);
        common::copy_tree(pristine, &root);
        for (i, (entry, damage)) in plan(&entries, &mut rng, others).into_iter().enumerate() {
            if damage.needs_unprivileged_run() && !tool.can_deny_reads() {
                continue;
            }
            let label = format!("{} #{i} {} {}", host.name, damage.name(), entry.path);
            damage::apply(&root, &entry, damage, &mut rng);
            tally.variants += 1;
            *tally.by_damage.entry(damage.name()).or_insert(0) += 1;
            let destroyed = verdict::destroyed(&view, &entries, &entry, damage);
            let unprivileged = damage.needs_unprivileged_run();
            let root_s = root.to_str().unwrap();
            let explain_text = format!("vfio {device}: group {group} is not viable");
            let bundle_out = run::output_dir(&scratch).join("bundle.json");
            // The previous run's bundle may be root's, which an ordinary user cannot replace.
            let _ = fs::remove_file(&bundle_out);
            let commands: [(&'static str, Vec<String>); 6] = [
                ("check", run::check(root_s, None)),
                ("check --device", run::check(root_s, Some(&device))),
                ("list", run::args(&["list", "--root", root_s])),
                (
                    "explain",
                    run::args(&["explain", "--root", root_s, &explain_text]),
                ),
                ("acpi", run::args(&["acpi", "--root", root_s])),
                (
                    "bundle",
                    run::args(&[
                        "bundle",
                        "--root",
                        root_s,
                        "-o",
                        bundle_out.to_str().unwrap(),
                    ]),
                ),
            ];
            let mut said_needs_root = false;
            for (name, args) in commands {
                let o = tool.run(&args, unprivileged, &scratch);
                record(&mut tally, &label, name, &o, root_s);
                if name == "bundle" && o.code == Some(0) {
                    let size = fs::metadata(&bundle_out).map(|m| m.len()).unwrap_or(0);
                    if size == 0 {
                        tally
                            .violations
                            .push(format!("{label}: bundle exited 0 and wrote nothing"));
                    }
                }
                if !name.starts_with("check") || !matches!(o.code, Some(0 | 1 | 3)) {
                    continue;
                }
                let Some(report) = verdict::statuses(&o.stdout) else {
                    tally
                        .violations
                        .push(format!("{label}: {name} printed no JSON report"));
                    continue;
                };
                said_needs_root |= unprivileged && o.stdout.contains("needs root to read");
                let (pristine_report, targeted) = if name == "check" {
                    (&full, None)
                } else {
                    (&dev, Some(device.as_str()))
                };
                let v = verdict::judge(
                    &report,
                    pristine_report,
                    &destroyed,
                    targeted,
                    &entry,
                    damage,
                );
                tally.guarded_findings += v.compared;
                for (status, n) in v.on_destroyed {
                    *tally.on_destroyed.entry(status).or_insert(0) += n;
                }
                tally.destroyed_passes += v.destroyed.len();
                tally.turned_passes += v.turned.len();
                for why in v.truthful {
                    *tally.truthful.entry(why).or_insert(0) += 1;
                }
                for problem in v.destroyed.iter().chain(&v.turned) {
                    tally
                        .violations
                        .push(format!("{label} ({name}): {problem}"));
                }
            }
            tally.unreadable_reported += usize::from(said_needs_root);
            damage::undo(&root, pristine, &entry, &entries);
        }
        let _ = fs::remove_dir_all(&root);
    }
    damage::restore_modes(&scratch);
    let _ = fs::remove_dir_all(&scratch);
    report(
        &tally,
        hosts.len(),
        seed,
        others,
        started.elapsed().as_secs_f64(),
    );
}

fn report(tally: &Tally, hosts: usize, seed: u64, others: usize, seconds: f64) {
    common::note(&format!(
        "corruption: {} variants of {hosts} hosts (seed {seed:#x}, {others} random per host beyond one per damage kind) in {seconds:.1} s",
        tally.variants
    ));
    common::note(&format!("  by damage: {:?}", tally.by_damage));
    for (command, exits) in &tally.exits {
        common::note(&format!("  {command}: exit codes {exits:?}"));
    }
    common::note(&format!(
        "  panics {}, signals {}, timeouts {}, other exit codes or errors {}",
        tally.panics,
        tally.signals,
        tally.timeouts,
        tally.violations.len()
            - tally.panics
            - tally.signals
            - tally.timeouts
            - tally.destroyed_passes
            - tally.turned_passes
    ));
    common::note(&format!(
        "  rule-pass violations {}: passes on destroyed inputs {}, passes where the pristine tree did not pass {} (of {} passing findings compared); truthful passes after a damage {:?}",
        tally.destroyed_passes + tally.turned_passes,
        tally.destroyed_passes,
        tally.turned_passes,
        tally.guarded_findings,
        tally.truthful
    ));
    common::note(&format!(
        "  findings whose input was destroyed, by status: {:?}",
        tally.on_destroyed
    ));
    let unreadable = tally
        .by_damage
        .get(Damage::Unreadable.name())
        .copied()
        .unwrap_or(0);
    common::note(&format!(
        "  unreadable-directory variants whose report says 'needs root to read': {} of {unreadable}",
        tally.unreadable_reported
    ));
    for ((command, first), n) in &tally.errors {
        common::note(&format!("  exit 2 ×{n}: {command}: {first}"));
    }
    assert!(tally.variants > 0);
    // The denial is real to the tool: some report says so.
    assert!(
        unreadable == 0 || tally.unreadable_reported > 0,
        "no unreadable-directory variant reached a report: is the tool still root?"
    );
    assert!(
        tally.violations.is_empty(),
        "{} violations:\n{}",
        tally.violations.len(),
        tally.violations.join("\n")
    );
}
