//! Completions and man pages, checked by the real programs that read them:
//! `bash -n` and bash's completion machinery, `zsh -n`, `fish --no-execute`
//! and fish's `complete -C`, and `groff -k -man -ww` (preconv, as man-db runs it) for every page. A checker
//! that is not installed is reported and skipped, except under CI (CI=true),
//! where .ci/run installs them all and a missing one fails the test.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::common::{bin, note, run};

/// Whether `program` runs here; under CI its absence is a failure.
fn have(program: &str) -> bool {
    let found = Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        assert!(
            std::env::var("CI").is_err(),
            "{program} is not installed, and CI must run it (.ci/run installs it)"
        );
        note(&format!("{program} not installed: its check is skipped"));
    }
    found
}

/// Runs `program args` with `input` on standard input.
fn feed(program: &str, args: &[&str], input: &str) -> (i32, String, String) {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn script(shell: &str) -> String {
    let r = run(&["completions", shell]);
    assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
    assert!(r.stdout.len() > 1000, "{shell}: {}", r.stdout);
    for word in ["summarize", "check", "root", "bundle", "markdown"] {
        assert!(r.stdout.contains(word), "{shell} script lacks {word}");
    }
    r.stdout
}

#[test]
fn bash_completion_parses_and_completes() {
    let s = script("bash");
    if !have("bash") {
        return;
    }
    let (code, _, err) = feed("bash", &["-n"], &s);
    assert_eq!(code, 0, "bash -n: {err}");
    // The function `complete -F` registers for sriov-doctor.
    let function = s
        .lines()
        .filter_map(|l| l.trim().strip_prefix("complete -F "))
        .filter(|l| l.ends_with(" sriov-doctor"))
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .next()
        .expect("a `complete -F FUNCTION … sriov-doctor` line");
    // Load it and ask it, as bash does at a Tab: `sriov-doctor su<Tab>`,
    // `sriov-doctor check --fo<Tab>`, `sriov-doctor summarize --format <Tab>`.
    let probe = format!(
        "{s}\n\
         ask() {{ COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); COMP_LINE=\"$*\"; COMP_POINT=${{#COMP_LINE}}; COMPREPLY=(); {function} sriov-doctor \"${{@: -1}}\" \"${{@: -2:1}}\"; echo \"${{COMPREPLY[*]}}\"; }}\n\
         ask sriov-doctor su\n\
         ask sriov-doctor check --fo\n\
         ask sriov-doctor summarize --format ''\n"
    );
    let (code, out, err) = feed("bash", &[], &probe);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}{err}");
    assert_eq!(lines[0].trim(), "summarize", "{out}");
    assert_eq!(lines[1].trim(), "--format", "{out}");
    let formats: Vec<&str> = lines[2].split_whitespace().collect();
    assert_eq!(formats, ["text", "json", "markdown"], "{out}");
}

#[test]
fn zsh_completion_parses() {
    let s = script("zsh");
    assert!(s.starts_with("#compdef sriov-doctor"), "{}", &s[..80]);
    if !have("zsh") {
        return;
    }
    let (code, _, err) = feed("zsh", &["-n"], &s);
    assert_eq!(code, 0, "zsh -n: {err}");
}

#[test]
fn fish_completion_parses_and_completes() {
    let s = script("fish");
    if !have("fish") {
        return;
    }
    let (code, _, err) = feed("fish", &["--no-execute"], &s);
    assert_eq!(code, 0, "fish --no-execute: {err}");
    // fish completes for a command it can find; the test binary's directory
    // is put first on PATH so `sriov-doctor` is this build.
    let dir = bin().parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let probe = format!(
        "{s}\ncomplete -C 'sriov-doctor su'\necho ---\ncomplete -C 'sriov-doctor summarize --format '\n"
    );
    let mut child = Command::new("fish")
        .args(["--no-config", "-c", "source"])
        .env("PATH", path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(probe.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let (subs, formats) = text.split_once("---\n").expect("two answers");
    let first: Vec<&str> = subs
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(first, ["summarize"], "{text}");
    let mut formats: Vec<&str> = formats
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    formats.sort();
    assert_eq!(formats, ["json", "markdown", "text"], "{text}");
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let r = run(&["completions", "tcsh"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("possible values: bash, zsh, fish"),
        "{}",
        r.stderr
    );
}

/// Every page renders with groff's man macros and all warnings on, with no
/// warning; and says what the command's --help says.
#[test]
fn every_man_page_renders_without_warnings() {
    let mut pages = vec![None];
    pages.extend(sriov_doctor::cmd::man_commands().into_iter().map(Some));
    assert!(pages.len() > 8, "{pages:?}");
    let groff = have("groff");
    for page in &pages {
        let mut args = vec!["man"];
        args.extend(page.as_deref());
        let r = run(&args);
        assert_eq!(r.code, 0, "{page:?}: {}", r.stderr);
        assert!(r.stdout.starts_with(".ie \\n(.g .ds Aq"), "{page:?}");
        if !groff {
            continue;
        }
        let (code, out, err) = feed("groff", &["-k", "-man", "-Tutf8", "-ww", "-z"], &r.stdout);
        assert_eq!(code, 0, "{page:?}: {err}");
        assert!(err.is_empty(), "groff warns on {page:?}:\n{err}");
        let (_, text, _) = feed(
            "groff",
            &["-man", "-Tascii", "-P-c", "-P-b", "-P-u"],
            &r.stdout,
        );
        assert!(text.contains("NAME"), "{page:?}: {out}{text}");
        if let Some(c) = page {
            assert!(text.contains(&format!("sriov-doctor-{c}")), "{c}: {text}");
        }
    }
    let r = run(&["man", "summarize"]);
    assert!(
        r.stdout.contains("markdown"),
        "summarize's page lists its formats"
    );
    let r = run(&["man", "nope"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no command 'nope'"), "{}", r.stderr);
}
