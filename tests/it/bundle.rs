//! Support bundles: a bundle replays as the host it was made from (every
//! test host, with and without targets, plain and gzip), a redacted bundle
//! replays as its own embedded report and holds none of the names it
//! replaced, and a hand-made bundle can neither read outside itself nor get
//! past the limits.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::common::{hosts, run};
use serde_json::Value;

/// A scratch directory for this test process, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let p =
            std::env::temp_dir().join(format!("sriov-doctor-bundle-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Scratch(p)
    }
    fn file(&self, name: &str) -> String {
        self.0.join(name).to_string_lossy().into_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// The report without `host.root` (`root` in list), which names the root.
fn without_root(mut v: Value) -> Value {
    if let Some(h) = v.get_mut("host") {
        h["root"] = Value::Null;
    }
    if let Some(r) = v.get_mut("root") {
        *r = Value::Null;
    }
    v
}

fn check_args<'a>(how: &'a str, path: &'a str, targets: &'a [String]) -> Vec<&'a str> {
    let mut a = vec!["check", how, path, "--format", "json"];
    for t in targets {
        a.push("-d");
        a.push(t);
    }
    a
}

#[test]
fn every_host_replays_from_its_bundle() {
    let dir = Scratch::new("hosts");
    for host in hosts() {
        let plain = dir.file(&format!("{}.json", host.name));
        let r = run(&["bundle", "--root", &host.root, "--no-redact", "-o", &plain]);
        assert_eq!(r.code, 0, "{}: {}", host.name, r.stderr);
        let b = json(&std::fs::read_to_string(&plain).unwrap());
        assert_eq!(b["schema_version"], 1);
        assert_eq!(b["redacted"], false);
        for targets in [Vec::new(), host.targets.clone()] {
            let want = run(&check_args("--root", &host.root, &targets));
            let got = run(&check_args("--bundle", &plain, &targets));
            assert_eq!(
                got.code, want.code,
                "{} {targets:?}: {}",
                host.name, got.stderr
            );
            if want.code == 2 {
                // A target the host lacks: the same error, naming the bundle.
                let tree = format!("captured tree {}", host.root);
                let bundle = format!("bundle {plain}");
                assert_eq!(got.stderr, want.stderr.replace(&tree, &bundle));
                continue;
            }
            assert_eq!(
                without_root(json(&got.stdout)),
                without_root(json(&want.stdout)),
                "{} {targets:?}",
                host.name
            );
            assert_eq!(json(&got.stdout)["host"]["root"], format!("bundle {plain}"));
        }
        let want = run(&["list", "--root", &host.root, "--format", "json"]);
        let got = run(&["list", "--bundle", &plain, "--format", "json"]);
        assert_eq!(got.code, want.code, "{}", host.name);
        assert_eq!(
            without_root(json(&got.stdout)),
            without_root(json(&want.stdout)),
            "{}",
            host.name
        );

        // Redacted: the replay is exactly the report the bundle carries.
        let red = dir.file(&format!("{}-redacted.json", host.name));
        let r = run(&["bundle", "--root", &host.root, "-o", &red]);
        assert_eq!(r.code, 0, "{}: {}", host.name, r.stderr);
        let b = json(&std::fs::read_to_string(&red).unwrap());
        assert_eq!(b["redacted"], true);
        let got = run(&check_args("--bundle", &red, &[]));
        assert_eq!(json(&got.stdout), b["check"], "{}", host.name);
        assert_eq!(b["host"], b["check"]["host"]);
        // Redaction changes names, never a verdict.
        let verdicts = |v: &Value| -> Vec<(Value, Value, Value)> {
            v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| (f["rule"].clone(), f["subject"].clone(), f["status"].clone()))
                .collect()
        };
        let tree = json(&run(&check_args("--root", &host.root, &[])).stdout);
        assert_eq!(verdicts(&b["check"]), verdicts(&tree), "{}", host.name);
    }
}

#[test]
fn a_gzip_bundle_replays_as_the_plain_one() {
    let dir = Scratch::new("gz");
    let root = "tests/hosts/seed-host-driver/root";
    let (plain, gz) = (dir.file("b.json"), dir.file("b.json.gz"));
    for out in [&plain, &gz] {
        let r = run(&["bundle", "--root", root, "--no-redact", "-o", out]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    assert_eq!(&std::fs::read(&gz).unwrap()[..2], &[0x1f, 0x8b]);
    let targets = vec!["03:10.0".to_string()];
    let a = run(&check_args("--bundle", &plain, &targets));
    let b = run(&check_args("--bundle", &gz, &targets));
    assert_eq!(a.code, 1);
    assert_eq!(b.code, a.code);
    assert_eq!(without_root(json(&a.stdout)), without_root(json(&b.stdout)));
    // explain and acpi replay too.
    for args in [
        vec![
            "explain",
            "--format",
            "json",
            "vfio 0000:03:10.0: group 9 is not viable",
        ],
        vec!["acpi", "--format", "json"],
    ] {
        let mut on_root = args.clone();
        on_root.splice(1..1, ["--root", root]);
        let mut on_gz = args.clone();
        on_gz.splice(1..1, ["--bundle", gz.as_str()]);
        let (x, y) = (run(&on_root), run(&on_gz));
        assert_eq!(x.code, y.code, "{args:?}: {}", y.stderr);
        assert_eq!(without_root(json(&x.stdout)), without_root(json(&y.stdout)));
    }
}

/// Copies a tree (links kept as links).
fn copy_tree(from: &Path, to: &Path) {
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .unwrap();
    assert!(status.success());
}

fn xml_values(root: &Path, re: &regex::Regex) -> Vec<String> {
    let mut out = Vec::new();
    for dir in ["etc/libvirt/qemu", "run/libvirt/qemu"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
            out.extend(re.find_iter(&text).map(|m| m.as_str().to_string()));
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn redaction_replaces_every_name_consistently() {
    let dir = Scratch::new("redact");
    let root = dir.0.join("root");
    copy_tree(Path::new("tests/hosts/seed-guest-holds/root"), &root);
    std::fs::write(
        root.join("proc/sys/kernel/hostname"),
        "kvm-node7.example.com\n",
    )
    .unwrap();
    std::fs::write(root.join("etc/hostname"), "kvm-node7.example.com\n").unwrap();
    let uuids = xml_values(
        &root,
        &regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
            .unwrap(),
    );
    let macs = xml_values(
        &root,
        &regex::Regex::new(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}").unwrap(),
    );
    assert!(!uuids.is_empty() && !macs.is_empty());

    let out = dir.file("redacted.json");
    let r = run(&["bundle", "--root", root.to_str().unwrap(), "-o", &out]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(&out).unwrap();
    let mut secrets = vec![
        "kvm-node7",
        "example.com",
        "web01",
        "web02",
        "sshd",
        "chrony",
    ];
    secrets.extend(uuids.iter().map(String::as_str));
    secrets.extend(macs.iter().map(String::as_str));
    for s in &secrets {
        assert!(!text.contains(s), "{s} is in the redacted bundle");
    }
    let b = json(&text);
    assert_eq!(b["redacted"], true);
    assert_eq!(b["host"]["hostname"], "host-1");

    // The guest that runs keeps one stand-in: in its state file's path, in
    // its XML, and in the report.
    let files = b["files"].as_array().unwrap();
    let file = |p: &str| files.iter().find(|f| f["path"] == p);
    let state = file("/run/libvirt/qemu/guest-1.xml").expect("guest-1's state file");
    assert!(state["text"]
        .as_str()
        .unwrap()
        .contains("<name>guest-1</name>"));
    assert!(file("/etc/libvirt/qemu/guest-2.xml").is_some());
    let listing = file("/run/libvirt/qemu").unwrap()["entries"].clone();
    assert!(listing
        .as_array()
        .unwrap()
        .contains(&Value::from("guest-1.xml")));

    // Users: root and qemu, and their groups.
    let passwd = file("/etc/passwd").unwrap()["text"]
        .as_str()
        .unwrap()
        .to_string();
    let users: Vec<&str> = passwd
        .lines()
        .map(|l| l.split(':').next().unwrap())
        .collect();
    assert_eq!(users, ["root", "qemu"]);
    // The QEMU process: argv[0] and the assigned device, nothing else.
    let cmdline = file("/proc/4242/cmdline").unwrap()["text"]
        .as_str()
        .unwrap()
        .to_string();
    let args: Vec<&str> = cmdline.trim_end_matches('\0').split('\0').collect();
    assert_eq!(args.len(), 3, "{args:?}");
    assert_eq!(args[0], "/usr/libexec/qemu-kvm");
    assert!(args[2].contains("vfio-pci") && args[2].contains("0000:03:10.0"));
    let status = file("/proc/4242/status").unwrap()["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(status.lines().all(|l| l.starts_with("Uid:")), "{status}");

    // Replayed, the guest still holds the VF, under its stand-in.
    let r = run(&check_args("--bundle", &out, &["0000:03:10.0".to_string()]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report = json(&r.stdout);
    let in_use = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "device.in-use" && f["subject"] == "0000:03:10.0")
        .unwrap();
    assert_eq!(in_use["status"], "fail");
    let msg = in_use["message"].as_str().unwrap();
    assert!(
        msg.contains("held by guest guest-1, qemu-kvm pid 4242"),
        "{msg}"
    );
    assert!(msg.contains("/run/libvirt/qemu/guest-1.xml"), "{msg}");

    // Without redaction, everything is there.
    let raw = dir.file("raw.json");
    let r = run(&[
        "bundle",
        "--root",
        root.to_str().unwrap(),
        "--no-redact",
        "-o",
        &raw,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(&raw).unwrap();
    assert!(text.contains("web01") && text.contains("kvm-node7.example.com"));
    assert_eq!(json(&text)["redacted"], false);
}

/// A bundle of the given files.
fn bundle(files: Value) -> String {
    serde_json::json!({"schema_version": 1, "files": files}).to_string()
}

fn write(dir: &Scratch, name: &str, bytes: &[u8]) -> String {
    let p = dir.file(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn refused(path: &str, why: &str) {
    let r = run(&["check", "--bundle", path]);
    assert_eq!(r.code, 2, "{path}: {}", r.stdout);
    assert!(
        r.stderr.contains(why),
        "{path}: expected '{why}' in: {}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
}

#[test]
fn hand_made_bundles_cannot_escape_or_overflow() {
    let dir = Scratch::new("escape");
    let file = |path: &str, text: &str| serde_json::json!({"path": path, "type": "file", "mode": "0644", "text": text});

    // Links out of the bundle are values, never followed, never read.
    let p = write(
        &dir,
        "links.json",
        bundle(serde_json::json!([
            {"path": "/proc/cpuinfo", "type": "link", "target": "/etc/passwd"},
            {"path": "/etc/os-release", "type": "link", "target": "../../../../../etc/passwd"},
            {"path": "/proc/cmdline", "type": "link", "target": "../sys/../../../etc/shadow"},
            {"path": "/etc/passwd", "type": "link", "target": "/etc/passwd"},
            {"path": "/etc/group", "type": "link", "target": "group"},
            file("/proc/sys/kernel/osrelease", "5.14.0"),
        ]))
        .as_bytes(),
    );
    for format in ["json", "text"] {
        let r = run(&["check", "--bundle", &p, "--format", format]);
        assert!([0, 1].contains(&r.code), "{}", r.stderr);
        assert!(!r.stdout.contains("root:x:0:0"), "{}", r.stdout);
        assert!(r.stdout.contains("leaves the root"), "{}", r.stdout);
    }
    let r = run(&["list", "--bundle", &p]);
    assert!(!r.stdout.contains("root:x:0:0"));

    let cases: Vec<(&str, String, &str)> = vec![
        (
            "dotdot",
            bundle(serde_json::json!([file("/etc/../../etc/passwd", "x")])),
            "normalized",
        ),
        (
            "relative",
            bundle(serde_json::json!([file("etc/passwd", "x")])),
            "normalized",
        ),
        (
            "trailing",
            bundle(serde_json::json!([file("/etc/passwd/", "x")])),
            "normalized",
        ),
        (
            "deep",
            bundle(serde_json::json!([file(&"/d".repeat(65), "x")])),
            "limit of 64",
        ),
        (
            "huge",
            bundle(
                serde_json::json!([{"path": "/proc/cpuinfo", "type": "file", "size": 17u64 << 20, "text": "x"}]),
            ),
            "limit of 16 MiB",
        ),
        (
            "size-lie",
            bundle(
                serde_json::json!([{"path": "/proc/cpuinfo", "type": "file", "size": 3, "text": "x"}]),
            ),
            "size says 3",
        ),
        (
            "bad-entry",
            bundle(serde_json::json!([{"path": "/sys", "type": "dir", "entries": ["../etc"]}])),
            "not a file name",
        ),
        (
            "twice",
            bundle(serde_json::json!([file("/a", "x"), file("/a", "y")])),
            "appears twice",
        ),
        (
            "version",
            serde_json::json!({"schema_version": 2, "files": []}).to_string(),
            "schema_version 2 is not supported",
        ),
        (
            "no-version",
            "{\"files\": []}".to_string(),
            "no schema_version",
        ),
        (
            "malformed",
            "{\"schema_version\": 1, \"files\": [".to_string(),
            "not valid JSON",
        ),
        (
            "no-files",
            "{\"schema_version\": 1}".to_string(),
            "does not follow the bundle format",
        ),
    ];
    for (name, text, why) in cases {
        let p = write(&dir, &format!("{name}.json"), text.as_bytes());
        refused(&p, why);
    }

    // A truncated gzip bundle.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(
        bundle(serde_json::json!([file(
            "/proc/cpuinfo",
            &"processor : 0\n".repeat(1000)
        )]))
        .as_bytes(),
    )
    .unwrap();
    let bytes = gz.finish().unwrap();
    let p = write(&dir, "cut.json.gz", &bytes[..bytes.len() / 2]);
    refused(&p, "gzip");

    // A gzip bundle that expands beyond 256 MiB is stopped while it is
    // decompressed.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..257 {
        gz.write_all(&chunk).unwrap();
    }
    let p = write(&dir, "bomb.json.gz", &gz.finish().unwrap());
    refused(&p, "expands beyond the limit of 256 MiB");
}

#[test]
fn bundle_writes_to_standard_output() {
    let r = run(&["bundle", "--root", "tests/hosts/seed-ready/root", "-o", "-"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let b = json(&r.stdout);
    assert_eq!(b["schema_version"], 1);
    assert_eq!(b["tool"]["name"], "sriov-doctor");
    assert!(b["rules_version"].as_str().unwrap().starts_with("fnv1a64:"));
    let created = b["created"].as_str().unwrap();
    assert!(created.len() == 20 && created.ends_with('Z'), "{created}");
    assert!(b["facts"]["host"].is_object());
    assert!(b["files"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["path"] == "/sys/firmware/acpi/tables/DMAR" && f["base64"].is_string()));
    let r = run(&[
        "check",
        "--root",
        "tests/hosts/seed-ready/root",
        "--bundle",
        "x.json",
    ]);
    assert_eq!(r.code, 2);
}
