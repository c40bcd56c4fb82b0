//! Output that fits: text reports wrap at 80 columns (or COLUMNS) without
//! breaking a command or a word, long evidence is shortened in text only,
//! `--quiet` shows what is not a pass, identical skips fold, and the
//! verdict is coloured.

use std::process::Command;

use crate::common::{bin, hosts, run};

/// Lines wider than `width`, other than those that cannot be broken: a line
/// holding a backticked command, a remediation's own command line, or one
/// word (a path) longer than the room left.
fn too_wide(text: &str, width: usize) -> Vec<String> {
    const COMMANDS: &[&str] = &[
        "echo ",
        "virsh ",
        "xl ",
        "modprobe ",
        "printf ",
        "cat ",
        "ls ",
        "grubby ",
        "$ ",
    ];
    text.lines()
        .filter(|l| l.chars().count() > width)
        .filter(|l| {
            let t = l.trim_start();
            !(l.contains('`') || COMMANDS.iter().any(|c| t.starts_with(c)) || !t.contains(' '))
        })
        .map(String::from)
        .collect()
}

fn run_env(args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let mut c = Command::new(bin());
    c.args(args).env_remove("NO_COLOR").env_remove("COLUMNS");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().expect("run sriov-doctor");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn every_host_report_fits_80_columns() {
    let mut wide = Vec::new();
    let mut lines = 0;
    for host in hosts() {
        for targets in [Vec::new(), host.targets.clone()] {
            let mut args = vec!["check", "--root", &host.root, "--color", "never"];
            for t in &targets {
                args.extend(["-d", t.as_str()]);
            }
            let r = run(&args);
            lines += r.stdout.lines().count();
            for l in too_wide(&r.stdout, 80) {
                wide.push(format!("{}: {l}", host.name));
            }
        }
    }
    assert!(lines > 1000, "only {lines} lines read");
    assert!(
        wide.is_empty(),
        "{} lines over 80:\n{}",
        wide.len(),
        wide.join("\n")
    );
}

#[test]
fn list_and_explain_fit_80_columns_on_every_host() {
    let mut wide = Vec::new();
    let mut lines = 0;
    for host in hosts() {
        let root = host.root.as_str();
        let runs = [
            vec!["list", "--root", root, "--color", "never"],
            vec![
                "explain",
                "--root",
                root,
                "--color",
                "never",
                "vfio 0000:03:10.0: group 7 is not viable",
            ],
        ];
        for args in runs {
            let r = run(&args);
            lines += r.stdout.lines().count();
            for l in too_wide(&r.stdout, 80) {
                wide.push(format!("{} {}: {l}", host.name, args[0]));
            }
        }
    }
    assert!(lines > 500, "only {lines} lines read");
    assert!(
        wide.is_empty(),
        "{} lines over 80:\n{}",
        wide.len(),
        wide.join("\n")
    );
}

#[test]
fn columns_sets_the_width_and_words_stay_whole() {
    let root = "tests/hosts/dev-vm-no-iommu/root";
    let (_, at80) = run_env(&["check", "--root", root], &[]);
    let (_, at60) = run_env(&["check", "--root", root], &[("COLUMNS", "60")]);
    let (_, at200) = run_env(&["check", "--root", root], &[("COLUMNS", "200")]);
    assert!(too_wide(&at60, 60).is_empty(), "{at60}");
    assert!(at60.lines().count() > at80.lines().count());
    assert!(at200.lines().count() < at80.lines().count());
    // The same words in the same order, only the line breaks differ.
    let words = |t: &str| t.split_whitespace().map(String::from).collect::<Vec<_>>();
    assert_eq!(words(&at60), words(&at80));
    assert_eq!(words(&at200), words(&at80));
    // A backticked command is never broken across lines.
    for t in [&at60, &at80] {
        for l in t.lines() {
            assert_eq!(l.matches('`').count() % 2, 0, "command broken: {l}\n{t}");
        }
    }
}

#[test]
fn a_long_kernel_command_line_is_shortened_in_text_and_whole_in_json() {
    let root = "tests/hosts/dev-vm-no-iommu/root";
    let cmdline = std::fs::read_to_string(format!("{root}/proc/cmdline")).unwrap();
    assert!(cmdline.len() > 400, "the test needs a long command line");
    let (_, text) = run_env(&["check", "--root", root], &[]);
    assert!(!text.contains("--firecracker-init"), "{text}");
    assert!(
        text.contains("/proc/cmdline: none of its"),
        "the evidence says what it left out:\n{text}"
    );
    let (_, json) = run_env(&["check", "--root", root, "--format", "json"], &[]);
    assert!(
        json.contains("--firecracker-init"),
        "JSON keeps the whole line"
    );
}

#[test]
fn help_fits_80_columns() {
    let mut wide = Vec::new();
    for cmd in [
        vec!["--help"],
        vec!["check", "--help"],
        vec!["explain", "--help"],
        vec!["list", "--help"],
        vec!["hostdev", "--help"],
        vec!["acpi", "--help"],
        vec!["bundle", "--help"],
        vec!["summarize", "--help"],
        vec!["rules", "--help"],
        vec!["man", "--help"],
        vec!["completions", "--help"],
    ] {
        let (_, out) = run_env(&cmd, &[("COLUMNS", "200")]);
        assert!(out.lines().count() > 3, "{cmd:?}: {out}");
        for l in out.lines().filter(|l| l.chars().count() > 80) {
            wide.push(format!("{cmd:?}: {l}"));
        }
    }
    assert!(wide.is_empty(), "{}", wide.join("\n"));
}

#[test]
fn quiet_shows_only_what_is_not_a_pass() {
    let root = "tests/hosts/seed-host-driver/root";
    let (code, full) = run_env(&["check", "--root", root, "--color", "never"], &[]);
    let (qcode, quiet) = run_env(&["check", "--root", root, "-q", "--color", "never"], &[]);
    assert_eq!(code, qcode, "the exit status is the same");
    assert!(full.contains("  PASS "), "{full}");
    assert!(!quiet.contains("PASS "), "{quiet}");
    for status in ["  FAIL ", "  WARN ", "  SKIP "] {
        assert_eq!(
            full.matches(status).count(),
            quiet.matches(status).count(),
            "{status}\n{quiet}"
        );
    }
    let result = |t: &str| {
        t.lines()
            .find(|l| l.starts_with("Result:"))
            .map(String::from)
    };
    assert_eq!(result(&full), result(&quiet));
    let (_, ready) = run_env(
        &["check", "--root", "tests/hosts/seed-ready/root", "--quiet"],
        &[],
    );
    assert!(!ready.contains("PASS "), "{ready}");
    assert!(ready.contains("Result: READY"), "{ready}");
}

#[test]
fn the_verdict_is_coloured_by_what_it_says() {
    let verdict = |host: &str| {
        let root = format!("tests/hosts/{host}/root");
        let (_, out) = run_env(&["check", "--root", &root, "--color", "always"], &[]);
        out.lines()
            .find(|l| l.starts_with("Result: "))
            .map(String::from)
            .unwrap_or_default()
    };
    let red = "\u{1b}[31m";
    let green = "\u{1b}[32m";
    let yellow = "\u{1b}[33m";
    let not_ready = verdict("seed-iommu-off");
    assert!(
        not_ready.contains(&format!("{red}NOT READY")),
        "{not_ready:?}"
    );
    let warned = verdict("seed-host-driver");
    assert!(
        warned.contains(&format!("{yellow}READY, with warnings")),
        "{warned:?}"
    );
    let ready = verdict("seed-vfio-perm");
    assert!(ready.contains(&format!("{green}READY")), "{ready:?}");
    assert!(!ready.contains(red), "{ready:?}");
    let (_, plain) = run_env(
        &[
            "check",
            "--root",
            "tests/hosts/seed-ready/root",
            "--color",
            "never",
        ],
        &[],
    );
    assert!(!plain.contains('\u{1b}'), "{plain}");
}

#[test]
fn identical_skips_fold_and_xen_advice_appears_once() {
    let (_, out) = run_env(
        &["check", "--root", "tests/hosts/dev-vm-no-iommu/root"],
        &[],
    );
    assert_eq!(
        out.matches("no VF and no --device target to check").count(),
        3,
        "one line per section, not per rule:\n{out}"
    );
    assert!(
        out.contains("SKIP iommu.acs, iommu.group, iommu.mode  no VF and no --device"),
        "{out}"
    );
    for host in hosts().iter().filter(|h| h.name.starts_with("xen-")) {
        for targets in [Vec::new(), host.targets.clone()] {
            let mut args = vec!["check", "--root", &host.root];
            for t in &targets {
                args.extend(["-d", t.as_str()]);
            }
            let r = run(&args);
            assert!(r.stdout.contains("Xen"), "{}", host.name);
            assert!(
                r.stdout
                    .matches("there are no IOMMU groups to check")
                    .count()
                    <= 1,
                "{}: Xen advice repeated:\n{}",
                host.name,
                r.stdout
            );
        }
    }
}
