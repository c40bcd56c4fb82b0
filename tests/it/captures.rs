//! Real-kernel captures: bundles the test bed (tests/vm/run) made inside
//! Debian's own kernels booted under QEMU, kept in tests/captures/SERIES/.
//! Each is replayed here without QEMU and held to the expectations written
//! beside its scenario (tests/vm/scenarios/NAME.toml, `[expect.CAPTURE]`),
//! and its verdict to one snapshot; what each rule found on each capture is
//! in that rule's snapshot (`rule_tests`). Where a hand-built host disagrees with
//! a capture of the same state, the capture is right.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::run;

pub(crate) const SERIES: [&str; 2] = ["6.1", "6.12"];

pub(crate) struct Scenario {
    pub(crate) name: String,
    pub(crate) targets: Vec<String>,
    /// Capture name ("root", "user") -> its expectations.
    expect: BTreeMap<String, toml::Value>,
}

pub(crate) fn scenarios() -> Vec<Scenario> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("tests/vm/scenarios").expect("tests/vm/scenarios") {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let doc: toml::Value = toml::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let targets = doc
            .get("targets")
            .and_then(|t| t.as_array())
            .map(|a| a.iter().map(|t| t.as_str().unwrap().to_string()).collect())
            .unwrap_or_default();
        let expect = doc
            .get("expect")
            .and_then(|e| e.as_table())
            .unwrap_or_else(|| panic!("{name}: no [expect.CAPTURE] tables"))
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        out.push(Scenario {
            name,
            targets,
            expect,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(
        out.len() >= 14,
        "expected the test bed's scenarios, found {}",
        out.len()
    );
    out
}

pub(crate) fn capture_path(series: &str, scenario: &str, capture: &str) -> PathBuf {
    let suffix = if capture == "root" {
        String::new()
    } else {
        format!("@{capture}")
    };
    Path::new("tests/captures")
        .join(series)
        .join(format!("{scenario}{suffix}.json"))
}

/// (rule, subject) -> status of a JSON report.
fn statuses(stdout: &str) -> BTreeMap<(String, String), String> {
    let report: serde_json::Value = serde_json::from_str(stdout).expect("a JSON report");
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["subject"].as_str().unwrap().to_string(),
                ),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Every expectation of every capture of every scenario, on both kernels.
#[test]
fn every_capture_gives_the_verdicts_its_scenario_expects() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for sc in scenarios() {
        for series in SERIES {
            for (capture, exp) in &sc.expect {
                let path = capture_path(series, &sc.name, capture);
                assert!(
                    path.exists(),
                    "{} is missing: run tests/vm/run --update {}",
                    path.display(),
                    sc.name
                );
                let bundle = path.to_str().unwrap();
                let mut runs = vec![(None, "host", "exit")];
                for t in &sc.targets {
                    runs.push((Some(t.as_str()), "device", "exit_device"));
                }
                for (target, section, exit_key) in runs {
                    let mut args = vec!["check", "--bundle", bundle, "--format", "json"];
                    if let Some(t) = target {
                        args.extend(["--device", t]);
                    }
                    let r = run(&args);
                    let got = statuses(&r.stdout);
                    let what = format!(
                        "{series}/{}@{capture}{}",
                        sc.name,
                        target.map(|t| format!(" --device {t}")).unwrap_or_default()
                    );
                    if let Some(want) = exp.get(exit_key).and_then(|v| v.as_integer()) {
                        checked += 1;
                        if i64::from(r.code) != want {
                            problems.push(format!("{what}: exit {}, expected {want}", r.code));
                        }
                    }
                    let Some(table) = exp.get(section).and_then(|s| s.as_table()) else {
                        continue;
                    };
                    for (key, want) in table {
                        let (rule, subject) = key.split_once('@').unwrap_or((key, "host"));
                        let want = want.as_str().unwrap();
                        let actual = got
                            .get(&(rule.to_string(), subject.to_string()))
                            .map_or("absent", String::as_str);
                        checked += 1;
                        if actual != want {
                            problems.push(format!(
                                "{what}: {rule} on {subject}: expected {want}, got {actual}"
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {checked} expectations differ:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(checked >= 60, "only {checked} expectations checked");
}

/// The verdict line and exit code of every root capture, with and without
/// its scenario's targets, in one snapshot (`captures__verdicts`). What each
/// rule found there is in the rule's own snapshot.
#[test]
fn every_capture_verdict_matches_its_snapshot() {
    let mut text = String::new();
    for sc in scenarios() {
        for series in SERIES {
            let path = capture_path(series, &sc.name, "root");
            let bundle = path.to_str().unwrap();
            let mut runs = vec![Vec::new()];
            runs.extend(sc.targets.iter().map(|t| vec![t.clone()]));
            for targets in runs {
                let mut args = vec!["check", "--bundle", bundle, "--color", "never"];
                for t in &targets {
                    args.extend(["--device", t.as_str()]);
                }
                let r = run(&args);
                let verdict = r
                    .stdout
                    .lines()
                    .rev()
                    .find(|l| l.starts_with("Result: "))
                    .unwrap_or("(no Result line)");
                let device: String = targets.iter().map(|t| format!(" -d {t}")).collect();
                text.push_str(&format!(
                    "{series}/{}{device}: exit {}: {verdict}\n",
                    sc.name, r.code
                ));
            }
        }
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("captures__verdicts", text));
}

/// Neither kernel of the test bed enables the VFIO device cdev or iommufd
/// (CONFIG_VFIO_DEVICE_CDEV, CONFIG_IOMMUFD), which newer distribution
/// kernels do and QEMU 8+ uses with `iommufd`. This takes the 6.12
/// hold-device capture and lays its holder out as such a kernel does
/// (Documentation/driver-api/vfio.rst, "VFIO device cdev"): the device's
/// cdev named by /sys/bus/pci/devices/ADDR/vfio-dev/vfio0, and the holder
/// with /dev/vfio/devices/vfio0 and /dev/iommu open, no group file.
#[test]
fn a_holder_through_the_vfio_cdev_and_iommufd_is_found() {
    let path = capture_path("6.12", "hold-device", "root");
    let mut bundle: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let files = bundle["files"].as_array_mut().unwrap();
    let mut holder = None;
    for f in files.iter_mut() {
        let p = f["path"].as_str().unwrap().to_string();
        if f["target"] == "/dev/vfio/5" && p.starts_with("/proc/") {
            f["target"] = "/dev/vfio/devices/vfio0".into();
            holder = Some(p.split('/').nth(2).unwrap().to_string());
        } else if f["target"] == "/dev/vfio/vfio" && p.starts_with("/proc/") {
            f["target"] = "/dev/iommu".into();
        }
    }
    let holder = holder.expect("the capture's holder has /dev/vfio/5 open");
    // The device's vfio-dev directory, where the capture read its absence.
    let device = "/sys/devices/pci0000:00/0000:00:03.0/0000:01:10.0";
    files.retain(|f| !f["path"].as_str().unwrap().ends_with("/vfio-dev"));
    files.push(serde_json::json!({
        "path": format!("{device}/vfio-dev"), "type": "dir", "mode": "0755",
        "uid": 0, "gid": 0, "entries": ["vfio0"]
    }));
    let dir = common::scratch("cdev-holder");
    let changed = dir.join("hold-cdev.json");
    std::fs::write(&changed, serde_json::to_string(&bundle).unwrap()).unwrap();
    let r = run(&[
        "check",
        "--bundle",
        changed.to_str().unwrap(),
        "--device",
        "0000:01:10.0",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let in_use = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "device.in-use" && f["subject"] == "0000:01:10.0")
        .expect("device.in-use on the VF");
    assert_eq!(in_use["status"], "fail", "{in_use}");
    let message = in_use["message"].as_str().unwrap();
    assert!(message.contains(&format!("pid {holder}")), "{message}");
    assert!(message.contains("/dev/vfio/devices/vfio0"), "{message}");
    assert!(message.contains("/dev/iommu"), "{message}");
    assert_eq!(r.code, 1);
}
