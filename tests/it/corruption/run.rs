//! Runs the real binary on a variant: with a time limit, output to files
//! (a JSON report can exceed a pipe's buffer), and as an ordinary user when
//! a damage denies reads (root reads through mode 000).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const TIMEOUT: Duration = Duration::from_secs(60);

/// The user the tool runs as for unreadable-directory variants.
const NOBODY: &str = "65534";

pub struct Outcome {
    /// None when a signal ended it.
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub stdout: String,
    pub stderr: String,
}

pub struct Tool {
    /// Root needs setpriv to drop to an ordinary user; None when the tests
    /// already run as one (mode 000 then denies by itself).
    setpriv: Option<bool>,
}

impl Tool {
    #[allow(clippy::disallowed_macros)]
    pub fn new() -> Tool {
        // SAFETY: geteuid has no preconditions and cannot fail.
        let root = unsafe { libc::geteuid() } == 0;
        if !root {
            return Tool { setpriv: None };
        }
        let have = Command::new("setpriv")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !have {
            if std::env::var_os("CI").is_some() {
                panic!("setpriv (util-linux) is not installed: the unreadable-directory variants need it");
            }
            eprintln!(
                "skip: setpriv is not installed, so the unreadable-directory variants do not run"
            );
        }
        Tool {
            setpriv: Some(have),
        }
    }

    /// Whether a directory of mode 000 denies the tool's reads.
    pub fn can_deny_reads(&self) -> bool {
        self.setpriv != Some(false)
    }

    pub fn run(&self, args: &[String], unprivileged: bool, scratch: &Path) -> Outcome {
        fs::create_dir_all(scratch).unwrap();
        let (out_path, err_path) = (scratch.join("stdout"), scratch.join("stderr"));
        let mut cmd = if unprivileged && self.setpriv == Some(true) {
            let mut c = Command::new("setpriv");
            c.args([
                &format!("--reuid={NOBODY}"),
                &format!("--regid={NOBODY}"),
                "--clear-groups",
                "--",
            ])
            .arg(super::common::bin());
            c
        } else {
            Command::new(super::common::bin())
        };
        cmd.args(args)
            .env_remove("NO_COLOR")
            .stdin(Stdio::null())
            .stdout(fs::File::create(&out_path).unwrap())
            .stderr(fs::File::create(&err_path).unwrap());
        let mut child = cmd.spawn().expect("run sriov-doctor");
        let start = Instant::now();
        let mut timed_out = false;
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            if start.elapsed() > TIMEOUT {
                let _ = child.kill();
                timed_out = true;
                break child.wait().unwrap();
            }
            std::thread::sleep(Duration::from_millis(1));
        };
        let read =
            |p: &Path| String::from_utf8_lossy(&fs::read(p).unwrap_or_default()).into_owned();
        Outcome {
            code: status.code(),
            signal: if timed_out { None } else { status.signal() },
            timed_out,
            stdout: read(&out_path),
            stderr: read(&err_path),
        }
    }
}

pub fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

pub fn check(root: &str, device: Option<&str>) -> Vec<String> {
    let mut a = args(&["check", "--root", root, "--format", "json"]);
    if let Some(d) = device {
        a.extend(args(&["--device", d]));
    }
    a
}

/// A directory any user may write the bundle to.
pub fn output_dir(scratch: &Path) -> PathBuf {
    let d = scratch.join("out");
    fs::create_dir_all(&d).unwrap();
    fs::set_permissions(&d, fs::Permissions::from_mode(0o777)).unwrap();
    d
}
