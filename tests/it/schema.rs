//! The JSON Schemas in docs/ are the ones the types generate
//! (src/schema.rs), and real reports and bundles are valid against them,
//! checked by Python's jsonschema (the reference implementation;
//! tools/validate-json.py), which also rejects documents that break them.
//!
//! After changing a type: `UPDATE_SCHEMAS=1 cargo test --test it schema::`, then
//! review `git diff docs/` and commit.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{hosts, run, scratch};

#[test]
fn committed_schemas_match_the_types() {
    let update = std::env::var_os("UPDATE_SCHEMAS").is_some();
    for (file, generated) in sriov_doctor::schema::all() {
        if update {
            std::fs::write(file, &generated).unwrap();
            continue;
        }
        let committed = std::fs::read_to_string(file).unwrap_or_default();
        if committed == generated {
            continue;
        }
        let line = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        panic!(
            "{file} differs from the schema the types generate (first at line {}: {:?}, generated {:?}).\n\
             Regenerate it with `UPDATE_SCHEMAS=1 cargo test --test it schema::`, review `git diff docs/`, and commit it.",
            line + 1,
            committed.lines().nth(line).unwrap_or("<end of file>"),
            generated.lines().nth(line).unwrap_or("<end of file>"),
        );
    }
}

/// Python's jsonschema is there, or (outside CI) the test is skipped.
#[allow(clippy::disallowed_macros)]
fn have_jsonschema() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import jsonschema"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var_os("CI").is_some() {
            panic!("Python's jsonschema is not installed: .ci/run installs it");
        }
        crate::common::skipped("Python's jsonschema is not installed here");
    }
    ok
}

/// tools/validate-json.py SCHEMA FILES: success, and one line per file.
fn validate(schema: &str, files: &[PathBuf]) -> (bool, String) {
    let out = Command::new("python3")
        .arg("tools/validate-json.py")
        .arg(schema)
        .args(files)
        .output()
        .expect("run python3");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

fn all_valid(schema: &str, files: &[PathBuf]) {
    let (ok, said) = validate(schema, files);
    assert!(ok, "{said}");
    for f in files {
        assert!(
            said.contains(&format!("{}: valid\n", f.display())),
            "{}: not validated:\n{said}",
            f.display()
        );
    }
}

#[test]
fn every_report_is_valid_against_the_report_schema() {
    let dir = scratch("schema-reports");
    let mut files = Vec::new();
    for host in hosts() {
        for (mode, targets) in [("all", Vec::new()), ("targets", host.targets.clone())] {
            let mut args = vec!["check", "--root", &host.root, "--format", "json"];
            for t in &targets {
                args.push("--device");
                args.push(t);
            }
            let r = run(&args);
            if r.code == 2 {
                // A target the host lacks (seed-no-igb, seed-no-vfs): no report.
                assert!(r.stdout.is_empty(), "{}: {}", host.name, r.stdout);
                continue;
            }
            let file = dir.join(format!("{}-{mode}.json", host.name));
            std::fs::write(&file, &r.stdout).unwrap();
            files.push(file);
            if host.targets.is_empty() {
                break;
            }
        }
    }
    assert!(files.len() >= 40, "{} reports", files.len());
    if have_jsonschema() {
        all_valid("docs/report.schema.json", &files);
    }
}

#[test]
fn explain_reports_are_valid_against_the_explain_schema() {
    let dir = scratch("schema-explain");
    let mut files = Vec::new();
    for (host, text) in [
        (
            "seed-host-driver",
            "init_assigned_device: Error: Couldn't get real device (03:10.0)!",
        ),
        (
            "seed-group-shared",
            "vfio 0000:03:10.0: group 7 is not viable",
        ),
        (
            "hp-rmrr",
            "vfio: failed to set iommu for container: Operation not permitted",
        ),
        ("seed-memlock-low", "error: Failed to start domain 'db01'"),
        (
            "seed-host-driver",
            "mytool: cannot open 3:10.0: Device or resource busy",
        ),
        ("seed-ready", "something odd happened"),
        (
            "dev-vm-no-iommu",
            "  QEMU: Checking for hardware virtualization                                 : PASS",
        ),
    ] {
        let root = format!("tests/hosts/{host}/root");
        let r = run(&["explain", "--root", &root, "--format", "json", "--", text]);
        assert!(matches!(r.code, 0 | 1), "{host}: {}", r.stderr);
        let file = dir.join(format!("{host}-{}.json", files.len()));
        std::fs::write(&file, &r.stdout).unwrap();
        files.push(file);
    }
    if have_jsonschema() {
        all_valid("docs/explain.schema.json", &files);
    }
}

fn bundle(root: &str, out: &Path, extra: &[&str]) {
    let out_s = out.to_str().unwrap();
    let r = run(&[&["bundle", "--root", root, "-o", out_s], extra].concat());
    assert_eq!(r.code, 0, "{root}: {}", r.stderr);
}

#[test]
fn bundles_are_valid_against_the_bundle_schema() {
    let dir = scratch("schema-bundles");
    let mut files = Vec::new();
    for name in ["seed-guest-holds", "hp-rmrr", "xen-ready", "amd-ready"] {
        let file = dir.join(format!("{name}.json"));
        bundle(&format!("tests/hosts/{name}/root"), &file, &[]);
        files.push(file);
    }
    let file = dir.join("seed-vfio-perm-unredacted.json");
    bundle("tests/hosts/seed-vfio-perm/root", &file, &["--no-redact"]);
    files.push(file);
    // The smallest bundle the reader accepts.
    let minimal = dir.join("minimal.json");
    std::fs::write(
        &minimal,
        r#"{"schema_version": 1, "files": [{"path": "/", "type": "dir"}]}"#,
    )
    .unwrap();
    let replay = run(&["list", "--bundle", minimal.to_str().unwrap()]);
    assert_eq!(replay.code, 0, "{}", replay.stderr);
    files.push(minimal);
    if have_jsonschema() {
        all_valid("docs/bundle.schema.json", &files);
    }
}

/// Each document breaks the schema in one way; the validator must say so,
/// or the tests above prove nothing.
#[test]
fn documents_that_break_the_schemas_are_rejected() {
    if !have_jsonschema() {
        return;
    }
    let dir = scratch("schema-invalid");
    let r = run(&[
        "check",
        "--root",
        "tests/hosts/seed-guest-holds/root",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    type Break = fn(&mut serde_json::Value);
    let report_breaks: [(&str, Break); 5] = [
        ("status", |v| v["findings"][0]["status"] = "maybe".into()),
        ("subject", |v| {
            v["findings"][0]["subject"] = "03:10.0".into()
        }),
        ("message", |v| {
            v["findings"][0].as_object_mut().unwrap().remove("message");
        }),
        ("version", |v| v["schema_version"] = 2.into()),
        ("hostname", |v| {
            v["host"].as_object_mut().unwrap().remove("hostname");
        }),
    ];
    let mut bad = Vec::new();
    for (name, f) in report_breaks {
        let mut v = report.clone();
        f(&mut v);
        let file = dir.join(format!("report-{name}.json"));
        std::fs::write(&file, v.to_string()).unwrap();
        bad.push(("docs/report.schema.json", file));
    }
    let entry_breaks = [
        ("link-without-target", r#"{"path": "/a", "type": "link"}"#),
        (
            "char-without-major",
            r#"{"path": "/dev/x", "type": "char"}"#,
        ),
        (
            "text-and-base64",
            r#"{"path": "/a", "type": "file", "text": "x", "base64": "eA=="}"#,
        ),
        ("dot-dot", r#"{"path": "/a/../b", "type": "file"}"#),
        ("neither-type-nor-error", r#"{"path": "/a"}"#),
        (
            "unknown-field",
            r#"{"path": "/a", "type": "file", "owner": "root"}"#,
        ),
        (
            "bad-entry-name",
            r#"{"path": "/a", "type": "dir", "entries": [".."]}"#,
        ),
        (
            "bad-mode",
            r#"{"path": "/a", "type": "file", "mode": "0999"}"#,
        ),
    ];
    for (name, entry) in entry_breaks {
        let file = dir.join(format!("bundle-{name}.json"));
        std::fs::write(
            &file,
            format!(r#"{{"schema_version": 1, "files": [{entry}]}}"#),
        )
        .unwrap();
        bad.push(("docs/bundle.schema.json", file));
    }
    for (schema, file) in bad {
        let (ok, said) = validate(schema, std::slice::from_ref(&file));
        assert!(
            !ok && said.contains(": invalid: "),
            "{} passed {schema}:\n{said}",
            file.display()
        );
        // The reader refuses the broken bundles too.
        if schema.contains("bundle") {
            let replay = run(&["list", "--bundle", file.to_str().unwrap()]);
            assert_eq!(replay.code, 2, "{}: {}", file.display(), replay.stdout);
        }
    }
}
