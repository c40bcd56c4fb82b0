//! `summarize`: reports of several test hosts, written by `check --format
//! json`, become one table; each format is a reviewed snapshot, the counts
//! agree with the reports, and bad files are named errors (exit 2).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{bin, hosts, run};

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs sriov-doctor in `dir`, so that file names in the output are relative.
fn run_in(dir: &Path, args: &[&str]) -> Out {
    let out = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run sriov-doctor");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A fresh directory under cargo's temporary directory for tests.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("summarize-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `check --format json` of a test host (with its scenario's targets
/// when `targets`) to DIR/NAME.json.
fn report(dir: &Path, host: &str, name: &str, targets: bool) -> String {
    let root = format!("tests/hosts/{host}/root");
    let mut args = vec!["check", "--root", &root, "--format", "json"];
    let h = hosts().into_iter().find(|h| h.name == host).unwrap();
    if targets {
        for t in &h.targets {
            args.push("--device");
            args.push(t);
        }
    }
    let mut r = run(&args);
    if r.code == 2 && targets {
        // A scenario whose target is missing on purpose (a VF not created yet).
        assert!(r.stderr.contains("no PCI device"), "{host}: {}", r.stderr);
        r = run(&args[..5]);
    }
    assert!([0, 1].contains(&r.code), "{host}: {}", r.stderr);
    std::fs::write(dir.join(format!("{name}.json")), &r.stdout).unwrap();
    r.stdout
}

/// Five hosts: ready, a targeted host-driver failure, a shared group that
/// warns, an AMD host without interrupt remapping, a Xen dom0 without e820 access.
fn fleet(dir: &Path) {
    report(dir, "seed-ready", "web01", false);
    report(dir, "seed-host-driver", "web02", true);
    report(dir, "seed-group-shared", "web03", false);
    report(dir, "amd-no-intremap", "db01", true);
    report(dir, "xen-e820-missing", "xen01", true);
}

#[test]
fn a_fleet_summary_matches_its_snapshots() {
    let dir = scratch("fleet");
    fleet(&dir);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for format in ["text", "markdown", "json"] {
            // A directory reads every *.json in it, sorted.
            let r = run_in(&dir, &["summarize", ".", "--format", format]);
            assert_eq!(r.code, 1, "a host failed: exit 1 ({})", r.stderr);
            assert!(r.stderr.is_empty(), "{}", r.stderr);
            insta::assert_snapshot!(format!("summarize__fleet__{format}"), r.stdout);
        }
    });
    // Files named one by one give the same table.
    let files = [
        "xen01.json",
        "web03.json",
        "web02.json",
        "web01.json",
        "db01.json",
    ];
    let mut args = vec!["summarize"];
    args.extend(files);
    let by_name = run_in(&dir, &args);
    let by_dir = run_in(&dir, &["summarize", "."]);
    let strip = |s: &str| s.replace("./", "");
    assert_eq!(strip(&by_dir.stdout), by_name.stdout);
}

/// Every test host, one report each: the summary's counts are the reports'.
#[test]
fn the_counts_are_those_of_each_report() {
    let dir = scratch("all");
    let mut expected = Vec::new();
    for h in hosts() {
        let json = report(&dir, &h.name, &h.name, true);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        // A report is named by the host's name when the tree has one.
        let name = std::fs::read_to_string(format!("{}/proc/sys/kernel/hostname", h.root))
            .map_or_else(|_| h.name.clone(), |n| n.trim().to_string());
        expected.push((name, v["summary"].clone(), v["findings"].clone()));
    }
    let r = run_in(&dir, &["summarize", ".", "--format", "json"]);
    assert!([0, 1].contains(&r.code), "{}", r.stderr);
    let s: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let got = s["hosts"].as_array().unwrap();
    assert_eq!(got.len(), expected.len());
    let mut not_ready = 0;
    for (name, summary, findings) in &expected {
        let h = got
            .iter()
            .find(|h| h["name"] == name.as_str())
            .unwrap_or_else(|| panic!("{name} missing"));
        for k in ["fail", "warn", "skip", "pass"] {
            assert_eq!(h["counts"][k], summary[k], "{name} {k}");
        }
        if summary["fail"].as_u64().unwrap() > 0 {
            not_ready += 1;
            assert_eq!(h["result"], "not-ready", "{name}");
        }
        // Every failing finding is listed under its rule.
        for f in findings.as_array().unwrap() {
            if f["status"] == "fail" {
                let rule = f["rule"].as_str().unwrap();
                let failing = h["rules"][rule]["failing"].as_array().unwrap();
                assert!(failing.contains(&f["subject"]), "{name} {rule}");
                assert_eq!(h["rules"][rule]["status"], "fail");
            }
        }
    }
    assert!(
        not_ready > 10,
        "most test hosts fail something: {not_ready}"
    );
    assert_eq!(s["not_ready"], not_ready);
    assert_eq!(r.code, 1);
}

#[test]
fn a_ready_fleet_exits_0() {
    let dir = scratch("ready");
    report(&dir, "seed-ready", "a", true);
    report(&dir, "amd-ready", "b", true);
    let r = run_in(&dir, &["summarize", "a.json", "b.json"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("No check failed or warned on any host"),
        "{}",
        r.stdout
    );
}

#[test]
fn bad_files_are_named_and_the_rest_still_summarized() {
    let dir = scratch("bad");
    let good = report(&dir, "seed-host-driver", "good", true);
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    write("empty.json", "");
    write("garbage.json", "{ not json");
    write("array.json", "[1, 2]");
    write(
        "future.json",
        &good.replace("\"schema_version\": 1", "\"schema_version\": 9"),
    );
    write("nofindings.json", r#"{"schema_version": 1, "host": {}}"#);
    write(
        "bundle.json",
        r#"{"schema_version": 1, "files": [], "report": {}}"#,
    );
    write("explain.json", r#"{"schema_version": 1, "causes": []}"#);
    std::fs::write(dir.join("gz.json"), [0x1f, 0x8b, 8, 0]).unwrap();
    std::fs::create_dir_all(dir.join("nothing-here")).unwrap();
    let cases = [
        ("missing.json", "No such file"),
        ("empty.json", "empty file"),
        ("garbage.json", "not JSON"),
        ("array.json", "not a JSON object"),
        ("future.json", "schema_version 9"),
        ("nofindings.json", "missing field"),
        ("bundle.json", "a support bundle"),
        ("explain.json", "an `explain` report"),
        ("gz.json", "gzip-compressed"),
        ("nothing-here", "no *.json report"),
    ];
    for (file, why) in cases {
        let r = run_in(&dir, &["summarize", "good.json", file]);
        assert_eq!(r.code, 2, "{file}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!("sriov-doctor: {file}: ")) && r.stderr.contains(why),
            "{file}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("panicked"), "{file}: {}", r.stderr);
        // The readable report is still summarized, and the table says one was not read.
        assert!(r.stdout.contains("good  NOT READY"), "{file}: {}", r.stdout);
        assert!(
            r.stdout.contains("1 report(s) not read"),
            "{file}: {}",
            r.stdout
        );
        // Alone, it is an error with no table.
        let r = run_in(&dir, &["summarize", file]);
        assert_eq!(r.code, 2, "{file}");
        assert!(r.stdout.is_empty(), "{file}: {}", r.stdout);
        assert!(r.stderr.contains(why), "{file}: {}", r.stderr);
    }
    // JSON lists the files it could not read.
    let r = run_in(
        &dir,
        &["summarize", "good.json", "garbage.json", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["errors"][0]["file"], "garbage.json");
    assert_eq!(v["hosts"].as_array().unwrap().len(), 1);
    // No argument at all is a usage error.
    assert_eq!(run(&["summarize"]).code, 2);
}

/// Two reports of hosts with the same name (or none, in files of the same
/// name in two directories) are told apart by their file.
#[test]
fn same_names_are_told_apart_by_file() {
    let dir = scratch("same");
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::create_dir_all(dir.join("b")).unwrap();
    let json = report(&dir.join("a"), "seed-ready", "host", false);
    report(&dir.join("b"), "seed-no-vfio", "host", false);
    let named = json.replace("\"hostname\": null", "\"hostname\": \"web01\"");
    assert_ne!(named, json, "the report has a hostname field");
    std::fs::write(dir.join("named.json"), &named).unwrap();
    let r = run_in(
        &dir,
        &["summarize", "a/host.json", "b/host.json", "named.json"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.contains("host (a/host.json)  READY"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("host (b/host.json)  NOT READY"),
        "{}",
        r.stdout
    );
    // A report that carries its host name is named by it, not by its file.
    assert!(r.stdout.contains("\nweb01 "), "{}", r.stdout);
    assert!(!r.stdout.contains("named"), "{}", r.stdout);
}
