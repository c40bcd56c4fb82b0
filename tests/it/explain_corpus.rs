//! explain on real messages it was not built from: corpus/explain holds
//! messages quoted verbatim from public threads (corpus/SOURCES.md credits
//! them), each with what it names and, where the thread established it,
//! the rule that names its cause and a test host in that state. A third of
//! the threads (chosen by a hash of the thread's address, so no thread is
//! on both sides) is held out: signatures are written from the build part
//! only, and the held-out score is the one the README reports.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::common::{note, run};

const CORPUS: &str = "corpus/explain/messages.jsonl";

/// The host a message without an established cause is read on: one where
/// every check passes, so no cause is there to be guessed.
const NEUTRAL_HOST: &str = "seed-ready";

/// The lowest figures the corpus may score, as "recognised, extracted,
/// first cause" percentages of the build part and of the held-out part.
/// Raise them when explain gets better; a change that lowers a figure
/// fails here. New messages lower them honestly (2026-12-04: 70 messages
/// from 51 more threads took the build part from 94 % recognised to 85 %,
/// the held-out part from 62 % to 59 %).
const FLOOR_BUILD: [u32; 3] = [100, 98, 97];
const FLOOR_HELD_OUT: [u32; 3] = [67, 95, 60];

struct Entry {
    id: String,
    text: String,
    source: String,
    split: String,
    names: BTreeMap<String, String>,
    rule: String,
    host: Option<String>,
    device: Option<String>,
    cause: String,
    /// How the cause was labelled from the thread (corpus/explain/README.md).
    cause_status: Option<String>,
    cause_evidence: Option<String>,
}

fn load() -> Vec<Entry> {
    let text = std::fs::read_to_string(CORPUS).expect("corpus/explain/messages.jsonl");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            let names = v["names"]
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| {
                            let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                            (k.clone(), v)
                        })
                        .collect()
                })
                .unwrap_or_default();
            Entry {
                id: s("id"),
                text: s("text"),
                source: s("source"),
                split: s("split"),
                names,
                rule: s("rule"),
                host: v["host"].as_str().map(str::to_string),
                device: v["device"].as_str().map(str::to_string),
                cause: s("cause"),
                cause_status: v["cause_status"].as_str().map(str::to_string),
                cause_evidence: v["cause_evidence"].as_str().map(str::to_string),
            }
        })
        .collect()
}

/// FNV-1a, 64 bits: the split is `held-out` when the hash of the thread's
/// address is divisible by 3.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// bus:device.function of a PCI address in any form a message writes it
/// (0000:03:10.0, 03:10.0, 3:10.0, pci_0000_03_10_0), lower case.
fn bdf(text: &str) -> Option<String> {
    let t = text.trim().trim_start_matches("pci_").replace('_', ":");
    let t = if t.matches(':').count() == 3 {
        // pci_0000_03_10_0 → 0000:03:10:0
        let (head, f) = t.rsplit_once(':')?;
        format!("{head}.{f}")
    } else {
        t
    };
    let (rest, func) = t.rsplit_once('.')?;
    let parts: Vec<&str> = rest.split(':').collect();
    let (bus, dev) = match parts.as_slice() {
        [_, b, d] | [b, d] => (*b, *d),
        _ => return None,
    };
    let n = |s: &str| u32::from_str_radix(s, 16).ok();
    Some(format!(
        "{:02x}:{:02x}.{}",
        n(bus)?,
        n(dev)?,
        func.chars().next()?
    ))
}

struct Outcome {
    recognised: bool,
    /// Whether every device, group and domain the message names was found.
    extracted: Option<bool>,
    first_cause: Option<bool>,
}

fn score(e: &Entry) -> Outcome {
    let host = e.host.as_deref().unwrap_or(NEUTRAL_HOST);
    let root = format!("tests/hosts/{host}/root");
    let mut args = vec!["explain", "--root", root.as_str(), "--format", "json"];
    if let Some(d) = &e.device {
        args.extend(["-d", d.as_str()]);
    }
    args.extend(["--", e.text.as_str()]);
    let r = run(&args);
    assert!(
        matches!(r.code, 0 | 1),
        "{} exit {}: {}\n{}",
        e.id,
        r.code,
        r.stderr,
        e.text
    );
    let v: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|err| panic!("{}: {err}: {}", e.id, r.stdout));
    let matches = v["matches"].as_array().cloned().unwrap_or_default();
    let recognised = !matches.is_empty();
    // What explain read out of the input: the signatures' captures, and the
    // generic reader's findings where the explanation has them.
    let mut found: Vec<(String, String)> = Vec::new();
    for m in &matches {
        if let Some(c) = m["captures"].as_object() {
            for (k, val) in c {
                found.push((k.clone(), val.as_str().unwrap_or_default().to_string()));
            }
        }
    }
    if let Some(named) = v["named"].as_array() {
        for n in named {
            let kind = n["kind"].as_str().unwrap_or_default().to_string();
            found.push((kind, n["value"].as_str().unwrap_or_default().to_string()));
        }
    }
    let wanted: Vec<(&str, &String)> = ["device", "group", "domain"]
        .iter()
        .filter_map(|k| e.names.get(*k).map(|v| (*k, v)))
        .collect();
    let extracted = (!wanted.is_empty()).then(|| {
        wanted.iter().all(|(kind, value)| {
            found.iter().any(|(k, v)| {
                k == kind
                    && match *kind {
                        "device" => bdf(v).is_some() && bdf(v) == bdf(value),
                        _ => v.trim() == value.trim(),
                    }
            })
        })
    });
    // Right only when the message points at it: a cause listed because it
    // fails on the host (`pointed_by` "host") is a fallback, not credited.
    let first = &v["causes"][0];
    let first_cause = (!e.rule.is_empty()).then(|| {
        recognised
            && first["rule"].as_str() == Some(e.rule.as_str())
            && first["pointed_by"].as_str() != Some("host")
    });
    Outcome {
        recognised,
        extracted,
        first_cause,
    }
}

/// "n of m (p %)", the percentage (100 when there is nothing to count),
/// and "n of m".
fn figure(hits: usize, of: usize) -> (String, u32, String) {
    let pct = (hits * 100).checked_div(of).map_or(100, |p| p as u32);
    (
        format!("{hits} of {of} ({pct} %)"),
        pct,
        format!("{hits} of {of}"),
    )
}

#[test]
fn the_split_is_the_hash_of_the_thread_and_every_entry_is_complete() {
    let corpus = load();
    assert!(corpus.len() >= 150, "only {} messages", corpus.len());
    let threads: std::collections::BTreeSet<&str> =
        corpus.iter().map(|e| e.source.as_str()).collect();
    assert!(threads.len() >= 80, "only {} threads", threads.len());
    let mut ids = std::collections::BTreeSet::new();
    for e in &corpus {
        assert!(ids.insert(e.id.clone()), "{} twice", e.id);
        assert!(!e.text.trim().is_empty(), "{}: no text", e.id);
        assert!(
            e.source.starts_with("https://"),
            "{}: source {}",
            e.id,
            e.source
        );
        let want = if fnv1a(&e.source) % 3 == 0 {
            "held-out"
        } else {
            "build"
        };
        assert_eq!(e.split, want, "{}: split", e.id);
        // What a message names is in its text.
        for (k, v) in &e.names {
            if k != "errno" {
                assert!(
                    e.text.contains(v.as_str()),
                    "{}: {k} {v} not in the text",
                    e.id
                );
            }
        }
        assert!(!e.cause.trim().is_empty(), "{}: no cause", e.id);
        if let Some(status) = &e.cause_status {
            assert!(
                [
                    "established",
                    "no-diagnosis",
                    "unconfirmed",
                    "partial-read",
                    "not-read"
                ]
                .contains(&status.as_str()),
                "{}: cause_status {status}",
                e.id
            );
            assert_eq!(
                status == "established",
                e.cause != "unknown",
                "{}: cause_status {status} with cause {}",
                e.id,
                e.cause
            );
            assert!(
                e.cause_evidence
                    .as_deref()
                    .is_some_and(|t| !t.trim().is_empty()),
                "{}: cause_status without cause_evidence",
                e.id
            );
        }
        if !e.rule.is_empty() {
            assert_ne!(e.cause, "unknown", "{}: a rule for an unknown cause", e.id);
            let host = e
                .host
                .as_deref()
                .unwrap_or_else(|| panic!("{}: no host", e.id));
            assert!(
                std::path::Path::new(&format!("tests/hosts/{host}/root")).is_dir(),
                "{}: no host {host}",
                e.id
            );
        }
    }
    // The SOURCES.md credits every thread.
    let credits = std::fs::read_to_string("corpus/SOURCES.md").unwrap();
    for t in threads {
        assert!(credits.contains(t), "corpus/SOURCES.md does not credit {t}");
    }
}

#[test]
fn the_bdf_reader_of_this_test_reads_every_form() {
    for (text, want) in [
        ("0000:03:10.0", "03:10.0"),
        ("03:10.0", "03:10.0"),
        ("3:10.0", "03:10.0"),
        ("pci_0000_03_10_0", "03:10.0"),
        ("0000:AF:00.1", "af:00.1"),
    ] {
        assert_eq!(bdf(text).as_deref(), Some(want), "{text}");
    }
    assert_eq!(bdf("group 7"), None);
}

#[test]
fn explain_scores_on_the_corpus_at_least_its_floor() {
    let corpus = load();
    let outcomes: Vec<(&Entry, Outcome)> = std::thread::scope(|s| {
        let half = corpus.len() / 2;
        let (a, b) = corpus.split_at(half);
        let h = s.spawn(move || a.iter().map(|e| (e, score(e))).collect::<Vec<_>>());
        let mut out: Vec<(&Entry, Outcome)> = b.iter().map(|e| (e, score(e))).collect();
        let mut first = h.join().expect("scoring thread");
        first.append(&mut out);
        first
    });
    let mut report = String::new();
    let mut pcts = BTreeMap::new();
    let mut held_out_said: [String; 3] = Default::default();
    for split in ["build", "held-out"] {
        let part: Vec<&(&Entry, Outcome)> =
            outcomes.iter().filter(|(e, _)| e.split == split).collect();
        let rec = figure(
            part.iter().filter(|(_, o)| o.recognised).count(),
            part.len(),
        );
        let with_names: Vec<_> = part.iter().filter_map(|(_, o)| o.extracted).collect();
        let ext = figure(with_names.iter().filter(|x| **x).count(), with_names.len());
        let with_cause: Vec<_> = part.iter().filter_map(|(_, o)| o.first_cause).collect();
        let cause = figure(with_cause.iter().filter(|x| **x).count(), with_cause.len());
        report.push_str(&format!(
            "{split}: recognised {}; named device/group/domain extracted {}; first cause right {}\n",
            rec.0, ext.0, cause.0
        ));
        pcts.insert(split, [rec.1, ext.1, cause.1]);
        if split == "held-out" {
            held_out_said = [rec.2.clone(), ext.2.clone(), cause.2.clone()];
        }
    }
    // Which held-out messages fail is not shown unless asked for: whoever
    // writes signatures must not tune them on the held-out part.
    let show_held_out = std::env::var_os("CORPUS_SHOW_HELD_OUT").is_some();
    for (e, o) in outcomes
        .iter()
        .filter(|(e, _)| show_held_out || e.split == "build")
    {
        if !o.recognised {
            report.push_str(&format!(
                "  not recognised {} ({}): {}\n",
                e.id,
                e.split,
                first_line(&e.text)
            ));
        } else if o.first_cause == Some(false) {
            report.push_str(&format!(
                "  wrong first cause {} ({}, want {}): {}\n",
                e.id,
                e.split,
                e.rule,
                first_line(&e.text)
            ));
        }
    }
    note(&report);
    // The README gives the held-out figures: they are these.
    let readme = std::fs::read_to_string("README.md")
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let said = format!(
        "recognised {}, the device, group or guest named extracted {}, the cause its thread established put first {}.",
        held_out_said[0], held_out_said[1], held_out_said[2]
    );
    assert!(readme.contains(&said), "the README should say: {said}");
    for (split, floor) in [("build", FLOOR_BUILD), ("held-out", FLOOR_HELD_OUT)] {
        let got = pcts[split];
        for (i, what) in ["recognised", "extracted", "first cause"]
            .iter()
            .enumerate()
        {
            assert!(
                got[i] >= floor[i],
                "{split} {what}: {} % is under the floor {} %\n{report}",
                got[i],
                floor[i]
            );
        }
    }
}

fn first_line(text: &str) -> String {
    let l = text.lines().next().unwrap_or_default();
    l.chars().take(100).collect()
}
