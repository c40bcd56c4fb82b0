//! On the live machine: the tool changes nothing (every system call that
//! could write is traced), and as an ordinary user it skips what needs root
//! instead of passing it. Needs strace and setpriv (util-linux); CI installs
//! strace. Skipped, with the reason, where they are missing outside CI.

use crate::common;

use std::collections::BTreeSet;
use std::process::Command;

/// System calls that change a file system.
const WRITING: &str = "open,openat,openat2,creat,write,pwrite64,writev,unlink,unlinkat,rename,renameat,renameat2,chmod,fchmod,fchmodat,chown,fchown,lchown,fchownat,mknod,mknodat,mount,umount2,truncate,ftruncate,mkdir,mkdirat,rmdir,symlink,symlinkat,link,linkat,setxattr,lsetxattr,fsetxattr";

/// The name pattern of the temporary file `bundle -o OUT` writes before it
/// renames it to OUT: `.sriov-doctor-bundle-` and six characters, beside
/// OUT. As a prefix to look for in a traced call: the directory and the
/// fixed part (the random part follows).
fn temporary(out: &str) -> String {
    let dir = std::path::Path::new(out)
        .parent()
        .unwrap_or(std::path::Path::new("."));
    format!("{}/.sriov-doctor-bundle-", dir.display())
}

/// Runs the tool under strace and returns every offending call.
fn offending_calls(args: &[&str], allowed_output: Option<&str>) -> (Vec<String>, usize) {
    let dir = std::env::temp_dir().join(format!(
        "sriov-doctor-strace-{}-{}",
        std::process::id(),
        args[0]
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("trace");
    let status = Command::new("strace")
        .args(["-f", "-qq", "-e", &format!("trace={WRITING}"), "-o"])
        .arg(&log)
        .arg(common::bin())
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(
        [0, 1, 3].contains(&status.code().unwrap_or(-1)),
        "{args:?}: exit {status}"
    );
    let text = std::fs::read_to_string(&log).unwrap();
    let mut output_fds: BTreeSet<String> = ["1", "2"].iter().map(|s| s.to_string()).collect();
    let mut bad = Vec::new();
    let mut calls = 0;
    // A call that another thread interrupts is logged in two lines,
    // "openat(AT_FDCWD, "/x", O_RDONLY <unfinished ...>" and later
    // "<... openat resumed>) = 3": joined again here, by thread.
    let mut unfinished: std::collections::HashMap<String, String> = Default::default();
    for line in text.lines() {
        // "1234  openat(AT_FDCWD, "/x", O_RDONLY|O_CLOEXEC) = 3"
        let (pid, call) = line
            .split_once(char::is_whitespace)
            .map(|(p, c)| (p, c.trim_start()))
            .unwrap_or(("", line));
        if let Some(head) = call.strip_suffix("<unfinished ...>") {
            unfinished.insert(pid.to_string(), head.trim_end().to_string());
            continue;
        }
        let joined;
        let call = match call.strip_prefix("<... ") {
            Some(rest) => {
                let tail = rest.split_once("resumed>").map_or("", |(_, t)| t);
                let head = unfinished.remove(pid).unwrap_or_default();
                joined = format!("{head}{tail}");
                joined.as_str()
            }
            None => call,
        };
        let name = call.split('(').next().unwrap_or("");
        if name.is_empty() || call.starts_with("+++") || call.starts_with("---") {
            continue;
        }
        // "???( <detached ...>": a thread stopped at a system call's entry
        // and killed there (another thread's exit_group) before strace could
        // read which call it was. A call killed at its entry never runs, so
        // it changed nothing. Anything else undecoded still counts as bad.
        if name == "???" && call.trim_end().ends_with("<detached ...>") {
            continue;
        }
        calls += 1;
        let ret = call
            .rsplit("= ")
            .next()
            .unwrap_or("")
            .split_whitespace()
            .next()
            .unwrap_or("");
        if ret.starts_with('-') {
            continue; // failed: changed nothing
        }
        match name {
            "open" | "openat" | "openat2" | "creat" => {
                let writes = ["O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND"]
                    .iter()
                    .any(|f| call.contains(f))
                    || name == "creat";
                if writes {
                    match allowed_output {
                        Some(out) if call.contains(&format!("\"{}", temporary(out))) => {
                            output_fds.insert(ret.to_string());
                        }
                        _ => bad.push(call.to_string()),
                    }
                }
            }
            // The bundle's temporary file, renamed into place: nothing else.
            "rename" | "renameat" | "renameat2" => {
                let into_place = allowed_output.is_some_and(|out| {
                    call.contains(&format!("\"{}", temporary(out)))
                        && call.contains(&format!("\"{out}\""))
                });
                if !into_place {
                    bad.push(call.to_string());
                }
            }
            // Writing is allowed only to standard output, standard error and
            // the bundle's own file.
            "write" | "pwrite64" | "writev" | "ftruncate" => {
                let fd = call
                    .split('(')
                    .nth(1)
                    .unwrap_or("")
                    .split(',')
                    .next()
                    .unwrap_or("");
                if !output_fds.contains(fd) {
                    bad.push(call.to_string());
                }
            }
            _ => bad.push(call.to_string()),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    (bad, calls)
}

#[test]
fn every_command_on_the_live_host_changes_nothing() {
    if !common::have("strace", &["--version"], "strace") {
        return;
    }
    let out_dir =
        std::env::temp_dir().join(format!("sriov-doctor-bundle-out-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir).unwrap();
    let out = out_dir.join("b.json.gz");
    let out_s = out.to_str().unwrap().to_string();
    let cases: Vec<(Vec<&str>, Option<&str>)> = vec![
        (vec!["check"], None),
        (vec!["check", "--format", "json"], None),
        (vec!["check", "--format", "junit"], None),
        (vec!["check", "--format", "prometheus"], None),
        (
            vec!["explain", "vfio 0000:00:01.0: group 1 is not viable"],
            None,
        ),
        (vec!["list"], None),
        (vec!["list", "--format", "dot"], None),
        (vec!["rules"], None),
        (vec!["bundle", "-o", &out_s], Some(out_s.as_str())),
    ];
    let mut total = 0;
    for (args, allowed) in &cases {
        let (bad, calls) = offending_calls(args, *allowed);
        assert!(
            bad.is_empty(),
            "{args:?} changed the system:\n{}",
            bad.join("\n")
        );
        total += calls;
    }
    assert!(out.exists(), "bundle -o wrote its file");
    // The tracer catches a write it was not told about.
    let (bad, _) = offending_calls(&["bundle", "-o", &out_s, "--force"], None);
    assert!(
        !bad.is_empty(),
        "a bundle file written without leave must be caught"
    );
    let _ = std::fs::remove_dir_all(&out_dir);
    common::note(&format!("{} commands traced, {total} writing-class calls, all to standard output, standard error or the bundle file", cases.len()));
}

#[test]
fn as_an_ordinary_user_it_skips_what_needs_root_and_never_passes_it() {
    if !common::have("setpriv", &["--version"], "util-linux") {
        return;
    }
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    if !is_root {
        return; // already unprivileged: covered by running the suite itself
    }
    let run = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(common::bin())
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let code = run.status.code().unwrap_or(-1);
    assert!(
        [0, 1].contains(&code),
        "exit {code}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let as_root: serde_json::Value =
        serde_json::from_str(&common::run(&["check", "--format", "json"]).stdout).unwrap();
    // What a user may not read is a skip that says root is needed.
    for f in v["findings"].as_array().unwrap() {
        let msg = f["message"].as_str().unwrap();
        if msg.contains("permission denied") {
            assert_eq!(f["status"], "skip", "{f}");
            assert!(msg.contains("needs root to read"), "{f}");
        }
    }
    // No rule passes as a user that does not pass as root.
    for f in v["findings"].as_array().unwrap() {
        if f["status"] == "pass" {
            let rule = f["rule"].as_str().unwrap();
            let subject = &f["subject"];
            let root_same =
                as_root["findings"].as_array().unwrap().iter().any(|g| {
                    g["rule"] == rule && &g["subject"] == subject && g["status"] == "pass"
                });
            assert!(root_same, "{rule} passes as a user but not as root: {f}");
        }
    }
    let skips = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "skip")
        .count();
    common::note(&format!(
        "as uid 65534: exit {code}, {skips} skips, no pass that root does not also give"
    ));
}
