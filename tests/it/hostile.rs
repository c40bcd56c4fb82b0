//! Hostile and broken inputs (issue 16): what a customer's tree, a local
//! user, a full disk or a tight ulimit must not do to the tool. Each test
//! names the case it holds; each failed on the code before the fix.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{bin, copy_tree, scratch};

/// A copy of test host `host`'s tree in a scratch directory named `name`.
fn tree(host: &str, name: &str) -> PathBuf {
    let dir = scratch(name);
    let root = dir.join("root");
    copy_tree(&Path::new("tests/hosts").join(host).join("root"), &root);
    root
}

/// A directory under the system's temporary directory that any user can
/// reach (the checkout may sit under a home that nobody can enter), with a
/// copy of the binary and of test host `host`'s tree: for runs as nobody.
fn public_copy(host: &str, name: &str) -> (PathBuf, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!(
        "sriov-doctor-hostile-{name}-{}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
    let root = dir.join("root");
    copy_tree(&Path::new("tests/hosts").join(host).join("root"), &root);
    let exe = dir.join("sriov-doctor");
    fs::copy(bin(), &exe).unwrap();
    fs::set_permissions(&exe, fs::Permissions::from_mode(0o755)).unwrap();
    Command::new("chmod")
        .arg("-R")
        .arg("a+rX")
        .arg(&root)
        .status()
        .unwrap();
    (root, exe)
}

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the binary with `args` through `sh -c` (for ulimits and
/// redirections: `$BIN` is the binary), killed after 30 s: a hang is a
/// failure, not a stuck test run. The output is read once the child has
/// ended, so it must fit in a pipe (64 KiB): larger output goes to a file.
fn sh(script: &str) -> Outcome {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .env("BIN", bin())
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sh");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("hung for 30 s: {script}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    Outcome {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
}

/// Replaces `path` (a file in a tree) with a FIFO.
fn make_fifo(path: &Path) {
    let _ = fs::remove_file(path);
    let ok = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(ok.success(), "mkfifo {}", path.display());
}

/// Replaces `path` with a character device node, when this user may make
/// one (root); false otherwise.
fn make_char_device(path: &Path, major: u32, minor: u32) -> bool {
    let _ = fs::remove_file(path);
    Command::new("mknod")
        .arg(path)
        .arg("c")
        .arg(major.to_string())
        .arg(minor.to_string())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Case 1: a FIFO anywhere in a tree blocked every command in `openat`.
/// Now each is reported for what it is, and the run ends.
#[test]
fn fifos_in_a_tree_are_named_never_opened() {
    for (name, file, rule) in [
        ("fifo-cmdline", "proc/cmdline", ""),
        ("fifo-os-release", "etc/os-release", ""),
        (
            "fifo-attribute",
            "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/sriov_numvfs",
            "",
        ),
        (
            "fifo-dmar",
            "sys/firmware/acpi/tables/DMAR",
            "firmware.iommu",
        ),
    ] {
        let root = tree("seed-ready", name);
        let path = root.join(file);
        if !path.exists() {
            continue;
        }
        make_fifo(&path);
        let out = sh(&format!(
            "\"$BIN\" check --root {} --format json",
            quote(&root)
        ));
        assert!(
            out.stdout.contains("is a FIFO, not a file: not read"),
            "{file}: the FIFO is not named:\n{}{}",
            out.stdout,
            out.stderr
        );
        if !rule.is_empty() {
            let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
            let status = report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["rule"] == rule)
                .map(|f| f["status"].as_str().unwrap_or("").to_string());
            assert_ne!(status.as_deref(), Some("pass"), "{file}: {rule} passed");
        }
        assert!(
            !out.stdout.contains("the command line lacks"),
            "{file}: a command line that was not read is said to lack a parameter"
        );
        let out = sh(&format!("\"$BIN\" acpi --root {}", quote(&root)));
        assert!(out.code.is_some(), "acpi did not end");
    }
}

/// The third kind of special file: a Unix socket in a tree (opening one
/// fails, ENXIO, but it is no file of the host either) is named for what
/// it is, in the report and in a bundle.
#[test]
fn sockets_in_a_tree_are_named_never_opened() {
    let root = tree("seed-ready", "socket-cmdline");
    let path = root.join("proc/cmdline");
    fs::remove_file(&path).unwrap();
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let out = sh(&format!(
        "\"$BIN\" check --root {} --format json",
        quote(&root)
    ));
    assert!(
        out.stdout.contains("is a socket, not a file: not read"),
        "the socket is not named:\n{}{}",
        out.stdout,
        out.stderr
    );
    assert!(!out.stdout.contains("the command line lacks"));
    // To a file: sh() reads the output once the child has ended, and a
    // bundle is more than a pipe holds.
    let file = root.with_file_name("socket.json");
    let out = sh(&format!(
        "\"$BIN\" bundle --root {} -o {} --force",
        quote(&root),
        quote(&file)
    ));
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let b: serde_json::Value = serde_json::from_str(&fs::read_to_string(&file).unwrap()).unwrap();
    let entry = b["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "/proc/cmdline")
        .expect("the socket has an entry");
    assert_eq!(entry["error"], "not_a_file: a socket", "{entry}");
    drop(listener);
}

/// Case 2: a device node in a tree was opened on the analyst's machine
/// (`/dev/kmsg` as proc/cmdline gave READY and the analyst's log in the
/// bundle; `/dev/null` a PASS saying the parameter was missing).
#[test]
fn device_nodes_in_a_tree_are_named_never_opened() {
    for (name, major, minor) in [("kmsg-cmdline", 1, 11), ("null-cmdline", 1, 3)] {
        let root = tree("seed-ready", name);
        if !make_char_device(&root.join("proc/cmdline"), major, minor) {
            common::skipped("this user cannot make device nodes (mknod needs root)");
            return;
        }
        let out = sh(&format!(
            "\"$BIN\" check --root {} --format json",
            quote(&root)
        ));
        let what = format!("is a character device {major}:{minor}, not a file: not read");
        assert!(out.stdout.contains(&what), "{name}:\n{}", out.stdout);
        // The IOMMU is judged by sysfs; nothing may be said of a command
        // line that was not read.
        assert!(
            !out.stdout.contains("the command line lacks"),
            "{name}:\n{}",
            out.stdout
        );
        assert!(
            out.stdout.contains("the kernel command line is unknown"),
            "{name}"
        );
        let bundle = root.parent().unwrap().join("out.json");
        let out = sh(&format!(
            "\"$BIN\" bundle --root {} -o {}",
            quote(&root),
            quote(&bundle)
        ));
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        let text = fs::read_to_string(&bundle).unwrap();
        assert!(
            text.contains(&format!("not_a_file: a character device {major}:{minor}")),
            "{name}: the bundle does not say what proc/cmdline was"
        );
    }
}

/// Case 3: a command line is a claim any user can make. A process of
/// nobody's whose command line assigns the VF is no holder, and the real
/// holder (root, with the group fd open) is still named.
#[test]
fn a_command_line_cannot_frame_a_process_or_hide_the_holder() {
    let root = tree("seed-dpdk-holds", "framed");
    let p = root.join("proc/6000");
    fs::create_dir_all(p.join("fd")).unwrap();
    fs::write(p.join("comm"), "qemu-kvm\n").unwrap();
    fs::write(
        p.join("cmdline"),
        "qemu-kvm\0-name\0guest=framed\0-device\0vfio-pci,host=0000:03:10.1\0",
    )
    .unwrap();
    fs::write(
        p.join("status"),
        "Name:\tqemu-kvm\nUid:\t65534\t65534\t65534\t65534\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("/dev/null", p.join("fd/0")).unwrap();
    let out = sh(&format!(
        "\"$BIN\" check --root {} --device 0000:03:10.1 --format json",
        quote(&root)
    ));
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let in_use = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "device.in-use" && f["subject"] == "0000:03:10.1")
        .expect("device.in-use on the VF")
        .clone();
    let message = in_use["message"].as_str().unwrap();
    assert_eq!(in_use["status"], "fail", "{message}");
    assert!(message.contains("pid 5151"), "{message}");
    assert!(!message.contains("pid 6000"), "{message}");
}

/// Case 6: output that could not be written was reported as success. (A
/// standard output closed at start, `>&-`, is not among them: Rust's
/// runtime puts /dev/null in its place before `main`, read-write, exactly
/// as Python's subprocess.DEVNULL and systemd do for output thrown away on
/// purpose, so the two cannot be told apart.)
#[test]
fn lost_output_is_exit_2_with_a_message() {
    if !Path::new("/dev/full").exists() {
        common::skipped("no /dev/full here");
        return;
    }
    let root = "tests/hosts/seed-ready/root";
    for cmd in [
        format!("\"$BIN\" check --root {root} --format json >/dev/full"),
        format!("\"$BIN\" check --root {root} >/dev/full"),
        format!("\"$BIN\" bundle --root {root} >/dev/full"),
        "\"$BIN\" man >/dev/full".to_string(),
        "\"$BIN\" rules >/dev/full".to_string(),
    ] {
        let out = sh(&cmd);
        assert_eq!(out.code, Some(2), "{cmd}: {}", out.stderr);
        assert!(
            out.stderr.contains("cannot write to standard output"),
            "{cmd}: {}",
            out.stderr
        );
    }
    // Output thrown away on purpose is not lost.
    let out = sh(&format!("\"$BIN\" check --root {root} >/dev/null"));
    assert_eq!(out.code, Some(0), "{}", out.stderr);
}

/// Case 9: threads that cannot be made were a panic ("failed to spawn
/// thread"). With no thread to spare (RLIMIT_NPROC 1, as a user whose
/// limit counts: nobody, when the test runs as root), the work is done on
/// one thread and the report is the same.
#[test]
fn no_threads_is_no_panic() {
    if !common::have("prlimit", &["--version"], "util-linux") {
        return;
    }
    let (root, exe) = public_copy("seed-ready", "nproc");
    let (root, exe) = (quote(&root), quote(&exe));
    let normal = sh(&format!("{exe} check --root {root} --format json"));
    let limited = || {
        sh(&format!(
            "if [ \"$(id -u)\" = 0 ]; then drop='setpriv --reuid=65534 --regid=65534 --clear-groups'; fi; \
             prlimit --nproc=1 $drop {exe} check --root {root} --format json"
        ))
    };
    // The limit counts every process of the user: while another process
    // runs as nobody (a parallel test, a service), the tool cannot even be
    // started (exec fails with EAGAIN, exit 126). Tried again a few times;
    // if it never starts, nothing was checked, and the test says so.
    let mut out = limited();
    for _ in 0..10 {
        if !(out.code == Some(126) && out.stderr.contains("Resource temporarily unavailable")) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
        out = limited();
    }
    if out.code == Some(126) && out.stderr.contains("Resource temporarily unavailable") {
        common::skipped("no_threads_is_no_panic: the tool could not be started under RLIMIT_NPROC 1 (another process runs as nobody)");
        return;
    }
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert_eq!(out.code, normal.code, "{}", out.stderr);
    assert_eq!(out.stdout, normal.stdout);
}

/// Case 10: the 1 MiB limit on a rules file was checked on the link, and
/// the link's target (400 MB) was then read whole.
#[test]
fn a_rules_file_limit_holds_for_a_link_target() {
    let dir = scratch("rules-link");
    let big = dir.join("big");
    let f = fs::File::create(&big).unwrap();
    f.set_len(400 << 20).unwrap();
    let rules = dir.join("rules");
    fs::create_dir_all(&rules).unwrap();
    std::os::unix::fs::symlink(&big, rules.join("site.toml")).unwrap();
    let out = sh(&format!("\"$BIN\" rules --rules {}", quote(&rules)));
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(
        out.stderr.contains("larger than 1024 KiB"),
        "{}",
        out.stderr
    );
    // A FIFO named *.toml is skipped by kind, and never waited on: the
    // folder then has no rule file, which is said.
    make_fifo(&rules.join("wait.toml"));
    fs::remove_file(rules.join("site.toml")).unwrap();
    let out = sh(&format!("\"$BIN\" rules --rules {}", quote(&rules)));
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("no rule files"), "{}", out.stderr);
}

/// Case 13: directory names under sys/kernel/iommu_groups that are not
/// numbers were counted as groups (an IOMMU seen where there is none).
#[test]
fn only_numbered_directories_are_iommu_groups() {
    let root = tree("seed-iommu-off", "bogus-groups");
    let groups = root.join("sys/kernel/iommu_groups");
    for name in ["x\u{1b}[31m", "new\nline", "vfio"] {
        fs::create_dir_all(groups.join(name).join("devices")).unwrap();
    }
    let clean = sh("\"$BIN\" check --root tests/hosts/seed-iommu-off/root --format json");
    let bogus = sh(&format!(
        "\"$BIN\" check --root {} --format json",
        quote(&root)
    ));
    let status = |out: &Outcome| -> Vec<(String, String)> {
        let r: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    format!("{}@{}", f["rule"], f["subject"]),
                    f["status"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(status(&bogus), status(&clean));
    assert_eq!(bogus.code, clean.code);
}

/// No byte that drives a terminal: controls other than newline, DEL, C1.
fn assert_inert(what: &str, text: &str) {
    for (n, line) in text.lines().enumerate() {
        let bad: Vec<char> = line
            .chars()
            .filter(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(c))
            .collect();
        assert!(
            bad.is_empty(),
            "{what}: line {}: {bad:?} in {line:?}",
            n + 1
        );
    }
}

/// Case 4: escape sequences and newlines from host data reached the text
/// output raw; a comm of `x\nResult: READY` forged the line that
/// `grep '^Result:'` reads.
#[test]
fn host_data_cannot_drive_the_terminal_or_forge_a_line() {
    let root = tree("seed-dpdk-holds", "escapes");
    let evil = "x\nResult: READY\u{1b}]0;owned\u{7}\u{1b}[2J\u{9b}31m\u{202e}";
    fs::write(root.join("proc/5151/comm"), format!("{evil}\n")).unwrap();
    let _ = fs::create_dir_all(root.join("proc/sys/kernel"));
    fs::write(
        root.join("proc/sys/kernel/hostname"),
        format!("host{evil}\n"),
    )
    .unwrap();
    let os = fs::read_to_string(root.join("etc/os-release")).unwrap_or_default();
    let os: String = os
        .lines()
        .filter(|l| !l.starts_with("PRETTY_NAME="))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(
        root.join("etc/os-release"),
        format!("{os}PRETTY_NAME=\"Linux\u{1b}[31m\u{7}\"\n"),
    )
    .unwrap();
    let cpuinfo = fs::read_to_string(root.join("proc/cpuinfo")).unwrap();
    let cpuinfo = cpuinfo.replace("model name\t: ", "model name\t: \u{1b}[2J\u{1b}[H");
    fs::write(root.join("proc/cpuinfo"), cpuinfo).unwrap();
    let r = quote(&root);
    let check = sh(&format!("\"$BIN\" check --root {r} --color always"));
    assert!(check.stdout.contains("\\x1b"), "{}", check.stdout);
    assert_inert("check", &check.stdout.replace('\u{1b}', ""));
    let check = sh(&format!("\"$BIN\" check --root {r}"));
    assert_inert("check", &check.stdout);
    let results = check
        .stdout
        .lines()
        .filter(|l| l.starts_with("Result:"))
        .count();
    assert_eq!(results, 1, "{}", check.stdout);
    let device = sh(&format!("\"$BIN\" check --root {r} --device 0000:03:10.1"));
    assert_inert("check --device", &device.stdout);
    assert!(
        device.stdout.contains("x\\nResult: READY"),
        "{}",
        device.stdout
    );
    assert_inert("list", &sh(&format!("\"$BIN\" list --root {r}")).stdout);
    let explain = sh(&format!(
        "printf 'vfio 0000:03:10.1: group 10 is not viable\\033]0;x\\007\\n' | \"$BIN\" explain --root {r}"
    ));
    assert_inert("explain", &explain.stdout);
    // A bundle carries the values; replayed, they are as inert.
    let dir = root.parent().unwrap();
    let bundle = dir.join("b.json");
    let out = sh(&format!("\"$BIN\" bundle --root {r} -o {}", quote(&bundle)));
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let replay = sh(&format!("\"$BIN\" check --bundle {}", quote(&bundle)));
    assert_inert("check --bundle", &replay.stdout);
    // Reports from other hosts, summarized.
    let json = dir.join("r.json");
    let out = sh(&format!(
        "\"$BIN\" check --root {r} --format json > {}",
        quote(&json)
    ));
    assert!(out.code.is_some());
    for format in ["text", "markdown"] {
        let s = sh(&format!(
            "\"$BIN\" summarize --format {format} {}",
            quote(&json)
        ));
        assert_inert(&format!("summarize {format}"), &s.stdout);
    }
    // Errors quote what the user gave.
    let e = sh("\"$BIN\" check --root \"$(printf 'no\\033]0;x\\007where')\"");
    assert_eq!(e.code, Some(2));
    assert_inert("error", &e.stderr);
}

/// Case 5: `bundle -o PATH` followed a link at PATH and overwrote its
/// target, created the target of a dangling link, clobbered a file without
/// a word, and a failed write left the old file truncated.
#[test]
fn bundle_output_never_writes_through_a_link_or_over_a_file() {
    let dir = scratch("bundle-out");
    let root = "tests/hosts/seed-ready/root";
    let target = dir.join("precious");
    fs::write(&target, "keep me\n").unwrap();
    let link = dir.join("link.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let dangling = dir.join("dangling.json");
    std::os::unix::fs::symlink(dir.join("created-by-us"), &dangling).unwrap();
    let existing = dir.join("old.json");
    fs::write(&existing, "old bundle\n").unwrap();
    for path in [&link, &dangling, &existing] {
        let out = sh(&format!("\"$BIN\" bundle --root {root} -o {}", quote(path)));
        assert_eq!(out.code, Some(2), "{}: {}", path.display(), out.stderr);
        assert!(out.stderr.contains("not overwritten"), "{}", out.stderr);
    }
    assert_eq!(fs::read_to_string(&target).unwrap(), "keep me\n");
    assert!(!dir.join("created-by-us").exists());
    assert_eq!(fs::read_to_string(&existing).unwrap(), "old bundle\n");
    // --force replaces the link itself; what it pointed to is untouched.
    let out = sh(&format!(
        "\"$BIN\" bundle --root {root} -o {} --force",
        quote(&link)
    ));
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(!link.is_symlink());
    assert!(fs::read_to_string(&link)
        .unwrap()
        .contains("\"schema_version\""));
    assert_eq!(fs::read_to_string(&target).unwrap(), "keep me\n");
    // A write that fails (file size limit: 8 blocks of 512 bytes) leaves
    // the old file whole and no temporary file behind.
    let out = sh(&format!(
        "trap '' XFSZ; ulimit -f 8; \"$BIN\" bundle --root {root} -o {} --force",
        quote(&existing)
    ));
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("old.json"), "{}", out.stderr);
    assert_eq!(fs::read_to_string(&existing).unwrap(), "old bundle\n");
    let left: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".sriov-doctor-bundle-")
        })
        .collect();
    assert!(left.is_empty(), "temporary files left behind");
}

/// Case 7: a run where nothing failed but checks that apply could not read
/// their inputs exited 0 (`ulimit -n 4`: 18 checks unevaluated, READY for
/// a CI preflight). It is now exit 3, "incomplete", in every format.
#[test]
fn checks_that_could_not_run_are_exit_3_not_0() {
    let root = "tests/hosts/seed-ready/root";
    let out = sh(&format!("ulimit -n 4; \"$BIN\" check --root {root}"));
    assert_eq!(out.code, Some(3), "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("Result: INCOMPLETE"), "{}", out.stdout);
    let out = sh(&format!(
        "ulimit -n 4; \"$BIN\" check --root {root} --format json"
    ));
    assert_eq!(out.code, Some(3));
    let r: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(r["summary"]["result"], "incomplete");
    assert_eq!(r["summary"]["exit_code"], 3);
    let out = sh(&format!(
        "ulimit -n 4; \"$BIN\" check --root {root} --format prometheus"
    ));
    assert!(
        out.stdout
            .contains("sriov_doctor_result{result=\"incomplete\"} 1"),
        "{}",
        out.stdout
    );
    let out = sh(&format!(
        "ulimit -n 4; \"$BIN\" check --root {root} --format junit"
    ));
    assert!(out
        .stdout
        .contains("<property name=\"result\" value=\"incomplete\"/>"));
    // With its file descriptors, the same host is ready.
    let out = sh(&format!("\"$BIN\" check --root {root}"));
    assert_eq!(out.code, Some(0), "{}", out.stdout);
}

/// Case 8: a guest list that could not be read was taken for an empty one:
/// as nobody, `device.memlock` said "not applicable: no guest uses these
/// devices" where root gets a FAIL.
#[test]
fn an_unreadable_guest_list_is_unknown_not_empty() {
    let id = Command::new("id").arg("-u").output().expect("id");
    if String::from_utf8_lossy(&id.stdout).trim() != "0" {
        common::skipped("needs root, to run the tool as nobody on a tree root keeps to itself");
        return;
    }
    let (root, bin_copy) = public_copy("seed-memlock-low", "guests");
    for d in ["run/libvirt/qemu", "etc/libvirt/qemu"] {
        Command::new("chmod")
            .arg("700")
            .arg(root.join(d))
            .status()
            .unwrap();
    }
    let out = sh(&format!(
        "setpriv --reuid=65534 --regid=65534 --clear-groups {} check --root {} --format json",
        quote(&bin_copy),
        quote(&root)
    ));
    let r: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", out.stdout, out.stderr));
    let memlock: Vec<&serde_json::Value> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "device.memlock")
        .collect();
    assert!(!memlock.is_empty());
    for f in memlock {
        assert_ne!(f["status"], "pass", "{f}");
        let message = f["message"].as_str().unwrap();
        assert!(!message.contains("not applicable"), "{message}");
        assert!(message.contains("guests unknown"), "{message}");
    }
    assert_eq!(out.code, Some(3), "{}", out.stderr);
}

/// Case 11: a kernel log over 16 MiB was dropped from the bundle without a
/// trace. What is cut is now said in the bundle (`cut`) and, on replay, in
/// the report.
#[test]
fn what_a_bundle_leaves_out_is_said() {
    let root = tree("seed-ready", "big-log");
    let log = root.join("var/log/messages");
    fs::create_dir_all(log.parent().unwrap()).unwrap();
    let f = fs::File::create(&log).unwrap();
    f.set_len(17 << 20).unwrap();
    let bundle = root.parent().unwrap().join("b.json");
    let out = sh(&format!(
        "\"$BIN\" bundle --root {} -o {}",
        quote(&root),
        quote(&bundle)
    ));
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let b: serde_json::Value = serde_json::from_str(&fs::read_to_string(&bundle).unwrap()).unwrap();
    let cut = b["cut"].as_array().expect("the bundle says what it cut");
    assert!(
        cut.iter().any(|c| c
            .as_str()
            .unwrap()
            .contains("/var/log/messages is too large")),
        "{cut:?}"
    );
    let replay = sh(&format!("\"$BIN\" check --bundle {}", quote(&bundle)));
    assert!(
        replay
            .stdout
            .contains("Not read: kernel log: /var/log/messages is too large"),
        "{}",
        replay.stdout
    );
}

/// Case 12 again, with many small entries instead of a few large ones: a
/// bundle of half a million files (the shape of a big host's /proc and
/// /sys) took about 5 times its JSON's size as a map of nodes; packed, it
/// takes about its size.
#[test]
fn many_entries_cost_about_their_size() {
    if !common::have("python3", &["--version"], "python3") {
        return;
    }
    let dir = scratch("many-entries");
    let path = dir.join("many.json");
    let mut text = String::from(r#"{"schema_version":1,"files":["#);
    for d in 0..500 {
        for f in 0..1000 {
            if d + f > 0 {
                text.push(',');
            }
            text.push_str(&format!(
                r#"{{"path":"/var/lib/many/d{d:04}/f{f:04}","type":"file","size":2,"text":"1\n"}}"#
            ));
        }
    }
    text.push_str("]}");
    let json_mib = text.len() as f64 / (1 << 20) as f64;
    fs::write(&path, &text).unwrap();
    drop(text);
    let (code, rss_mib) = peak_rss(&["check", "--bundle", path.to_str().unwrap()]);
    common::note(&format!(
        "check --bundle, 500,000 entries: {json_mib:.0} MiB of JSON, peak RSS {rss_mib:.0} MiB"
    ));
    assert!([0, 1, 3].contains(&code), "exit {code}");
    assert!(
        rss_mib <= 2.0 * json_mib + 48.0,
        "peak RSS {rss_mib:.0} MiB for {json_mib:.0} MiB of JSON"
    );
}

/// The exit code and peak RSS (MiB) of the tool run with these arguments,
/// as the kernel counted it (Python's getrusage of its child).
fn peak_rss(args: &[&str]) -> (i32, f64) {
    let script = "import resource, subprocess, sys\n\
                  r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n\
                  print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(bin())
        .args(args)
        .output()
        .unwrap();
    let line = String::from_utf8_lossy(&out.stdout);
    let mut parts = line.split_whitespace();
    let code: i32 = parts.next().unwrap().parse().unwrap();
    let rss_mib = parts.next().unwrap().parse::<f64>().unwrap() / 1024.0;
    (code, rss_mib)
}

/// Case 12: memory amplification: a 247 KB gzipped bundle needed 690 MB to
/// read. Reading a bundle now needs about its uncompressed size, plus a
/// fixed overhead: the JSON is parsed as it is decompressed, the report and
/// facts it carries are skipped, and each entry is freed as it is used.
#[test]
fn reading_a_bundle_costs_about_its_size() {
    if !common::have("python3", &["--version"], "python3") {
        return;
    }
    let dir = scratch("fat-bundle");
    let plain = dir.join("b.json");
    let out = sh(&format!(
        "\"$BIN\" bundle --root tests/hosts/seed-ready/root -o {}",
        quote(&plain)
    ));
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let mut b: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&plain).unwrap()).unwrap();
    // Four files of 12 MiB (zeros: a gzip bomb in miniature), 64 MiB of JSON.
    let zeros = "A".repeat(16 << 20);
    for i in 0..4 {
        b["files"].as_array_mut().unwrap().push(serde_json::json!({
            "path": format!("/var/tmp/f{i}"), "type": "file", "size": 12 << 20, "base64": zeros,
        }));
    }
    let text = serde_json::to_string(&b).unwrap();
    let json_mib = text.len() as f64 / (1 << 20) as f64;
    let gz = dir.join("b.json.gz");
    let mut enc =
        flate2::write::GzEncoder::new(fs::File::create(&gz).unwrap(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, text.as_bytes()).unwrap();
    enc.finish().unwrap();
    drop(text);
    let (code, rss_mib) = peak_rss(&["check", "--bundle", gz.to_str().unwrap()]);
    common::note(&format!(
        "check --bundle: {json_mib:.0} MiB of JSON, peak RSS {rss_mib:.0} MiB"
    ));
    assert!([0, 1, 3].contains(&code), "exit {code}");
    assert!(
        rss_mib <= 2.0 * json_mib + 48.0,
        "peak RSS {rss_mib:.0} MiB for {json_mib:.0} MiB of JSON"
    );
}

/// A tree's kernel log is data: escape sequences, a forged report line,
/// invalid UTF-8 and a line of a megabyte reach neither the terminal raw
/// nor the report whole, and the rule still cites the real line.
#[test]
fn a_kernel_log_cannot_drive_the_terminal_or_flood_the_report() {
    let root = tree("seed-vf-bar-space", "hostile-dmesg");
    let mut log: Vec<u8> = Vec::new();
    log.extend_from_slice(
        b"[    0.5] pci 0000:03:00.0: BAR 7: no space for \x1b[2J\x1b]0;owned\x07\n",
    );
    log.extend_from_slice(b"[    0.6] pci 0000:03:00.0: BAR 10: no space\rResult: READY\n");
    log.extend_from_slice(b"[    0.7] pci 0000:03:00.0: BAR 10: failed to assign \xff\xfe\n");
    log.extend_from_slice(b"[    0.8] pci 0000:03:00.0: BAR 7: no space ");
    log.extend(std::iter::repeat_n(b'x', 1 << 20));
    log.extend_from_slice(b"\n[  412.7] igb 0000:03:00.0: not enough MMIO resources for SR-IOV\n");
    fs::write(root.join("var/log/dmesg"), &log).unwrap();
    let r = common::run(&["check", "--root", root.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_inert("check", &r.stdout);
    assert!(!r.stdout.lines().any(|l| l.starts_with("Result: READY")));
    assert!(
        r.stdout
            .contains("evidence: kernel log: [ 412.7] igb 0000:03:00.0: not enough MMIO"),
        "{}",
        r.stdout
    );
    // The fact and the bundle keep every line cut and cleaned.
    let b = common::run(&["bundle", "--root", root.to_str().unwrap(), "-o", "-"]);
    assert_eq!(b.code, 0, "{}", b.stderr);
    let v: serde_json::Value = serde_json::from_str(&b.stdout).unwrap();
    let fact = v["facts"]["host"]["kernel_log"]["lines"]
        .as_array()
        .unwrap();
    let kept = v["kernel_log"].as_array().unwrap();
    assert_eq!(fact.len(), 5);
    for l in fact.iter().chain(kept) {
        let l = l.as_str().unwrap();
        assert!(l.chars().count() <= 401, "{} characters", l.chars().count());
        assert!(!l.chars().any(|c| c.is_control()), "{l:?}");
    }
}
