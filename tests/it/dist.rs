//! Completions and man pages, checked by the real programs that read them:
//! `bash -n` and bash's completion function called as bash calls it, `zsh
//! -n`, `fish --no-execute` and fish's `complete -C`, and `groff -k -man
//! -ww` (preconv, as man-db runs it) for every page; and
//! contrib/package/assets.sh, which writes them for the packages. A checker
//! that is not installed is reported and skipped, except under CI (CI=true),
//! where .ci/run installs them all and a missing one fails the test.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::common::{bin, run};

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
        crate::common::skipped(&format!("{program} not installed: its check"));
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
    // The script asks the tool at each Tab: it names the tool and the
    // variable that makes it answer, and nothing of the command line.
    for word in ["sriov-doctor", "SRIOV_DOCTOR_COMPLETE="] {
        assert!(r.stdout.contains(word), "{shell} script lacks {word}");
    }
    assert!(!r.stdout.contains("summarize"), "{shell}: {}", r.stdout);
    r.stdout
}

/// The words bash gives a completion function for `line`: split at blanks,
/// and at each run of COMP_WORDBREAKS characters among `:` and `=` (the
/// ones command lines here contain), which is a word of its own: so
/// `-d 0000:03:1` is `-d`, `0000`, `:`, `03`, `:`, `1`.
fn bash_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    for blank_separated in line.split(' ').filter(|w| !w.is_empty()) {
        let mut word = String::new();
        let mut breaks = false;
        for ch in blank_separated.chars() {
            let is_break = ch == ':' || ch == '=';
            if !word.is_empty() && is_break != breaks {
                words.push(std::mem::take(&mut word));
            }
            breaks = is_break;
            word.push(ch);
        }
        words.push(word);
    }
    if line.ends_with(' ') {
        words.push(String::new());
    }
    words
}

/// PATH with this build's sriov-doctor first: the scripts run the
/// `sriov-doctor` they find, as an installed one would.
fn path_with_bin() -> String {
    let dir = bin().parent().unwrap().to_path_buf();
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// What bash, with the script loaded, puts on the line after a Tab at the
/// end of each of `lines`: the function is called as bash calls it
/// (COMP_WORDS split at word breaks, COMP_LINE, COMP_POINT), and each
/// candidate is joined to the part of the word bash keeps.
fn bash_tab(script: &str, lines: &[&str]) -> Vec<Vec<String>> {
    let function = script
        .lines()
        .filter_map(|l| l.trim().strip_prefix("complete "))
        .filter_map(|l| l.split(" -F ").nth(1))
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .next()
        .expect("a `complete … -F FUNCTION sriov-doctor` line");
    let mut probe = format!("{script}\n");
    for line in lines {
        let words = bash_words(line);
        let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        let current = words.last().unwrap();
        // What bash keeps of the word: up to its last break character.
        let kept = line
            .rsplit(' ')
            .next()
            .unwrap()
            .rfind([':', '='])
            .map(|i| &line.rsplit(' ').next().unwrap()[..=i])
            .unwrap_or("");
        probe.push_str(&format!(
            "COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}; COMP_WORDS=({}); COMP_CWORD={}; COMPREPLY=()\n\
             {function} sriov-doctor '{current}' ''\n\
             for c in \"${{COMPREPLY[@]}}\"; do printf '%s ' '{kept}'\"$c\"; done; echo\n",
            quoted.join(" "),
            words.len() - 1
        ));
    }
    let mut child = Command::new("bash")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PATH", path_with_bin())
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
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split_whitespace().map(String::from).collect())
        .collect();
    assert_eq!(answers.len(), lines.len(), "{text}");
    answers
}

#[test]
fn bash_completion_completes_addresses_rule_ids_and_pages() {
    let s = script("bash");
    if !have("bash") {
        return;
    }
    let (code, _, err) = feed("bash", &["-n"], &s);
    assert_eq!(code, 0, "bash -n: {err}");
    let root = "tests/hosts/seed-ready/root";
    let lines = [
        format!("sriov-doctor check --root {root} -d 0000:03:1"),
        format!("sriov-doctor hostdev --root={root} 03:00"),
        format!("sriov-doctor check --root {root} -d pci_0000_03_00"),
        "sriov-doctor rules kernel.io".to_string(),
        "sriov-doctor man su".to_string(),
        "sriov-doctor su".to_string(),
        "sriov-doctor check --fo".to_string(),
        "sriov-doctor summarize --format ".to_string(),
        format!("sriov-doctor list --root {}", &root[..root.len() - 4]),
    ];
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let got = bash_tab(&s, &lines);
    assert_eq!(got[0], ["0000:03:10.0", "0000:03:10.1"], "{got:?}");
    assert_eq!(got[1], ["03:00.0", "03:00.1"], "{got:?}");
    assert_eq!(got[2], ["pci_0000_03_00_0", "pci_0000_03_00_1"], "{got:?}");
    assert_eq!(got[3], ["kernel.iommu"], "{got:?}");
    assert_eq!(got[4], ["summarize"], "{got:?}");
    assert_eq!(got[5], ["summarize"], "{got:?}");
    assert_eq!(got[6], ["--format"], "{got:?}");
    assert_eq!(got[7], ["text", "json", "markdown"], "{got:?}");
    assert_eq!(got[8], [format!("{root}/")], "a directory: {got:?}");
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
    // The function, called as the completion system calls it (words,
    // CURRENT), with compdef and _describe (the completion system's)
    // replaced by stand-ins that print what zsh would offer.
    let function = "_sriov-doctor";
    let probe = format!(
        "compdef() {{ :; }}\n_describe() {{ print -rl -- \"${{(@P)3}}\"; }}\n{s}\n\
         words=(sriov-doctor check --root tests/hosts/seed-ready/root -d 0000:03:10); CURRENT=6; {function}\n\
         echo ---\nwords=(sriov-doctor rules kernel.io); CURRENT=3; {function}\n"
    );
    let mut child = Command::new("zsh")
        .args(["-f"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PATH", path_with_bin())
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
    let (devices, rules) = text.split_once("---\n").expect("two answers");
    let devices: Vec<&str> = devices.lines().collect();
    assert_eq!(
        devices,
        [
            "0000\\:03\\:10.0:vfio-pci, VF of 0000:03:00.0",
            "0000\\:03\\:10.1:vfio-pci, VF of 0000:03:00.1"
        ],
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(rules.starts_with("kernel.iommu:"), "{text}");
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
    let path = path_with_bin();
    let probe = format!(
        "{s}\ncomplete -C 'sriov-doctor su'\necho ---\ncomplete -C 'sriov-doctor summarize --format '\n\
         echo ---\ncomplete -C 'sriov-doctor check --root tests/hosts/seed-ready/root -d 0000:03:10'\n\
         echo ---\ncomplete -C 'sriov-doctor rules kernel.io'\n"
    );
    let mut child = Command::new("fish")
        .args(["--no-config", "-c", "source"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
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
    let answers: Vec<&str> = text.split("---\n").collect();
    assert_eq!(answers.len(), 4, "{text}");
    let (subs, formats) = (answers[0], answers[1]);
    let first = |answer: &str| -> Vec<String> {
        answer
            .lines()
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        first(answers[2]),
        ["0000:03:10.0", "0000:03:10.1"],
        "{text}"
    );
    assert!(answers[2].contains("VF of 0000:03:00.0"), "{text}");
    assert_eq!(first(answers[3]), ["kernel.iommu"], "{text}");
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

/// contrib/package/assets.sh writes what the packages install: a page for
/// sriov-doctor and for each command (gzip, as Debian's policy asks), and
/// the three completion scripts, the same as the binary prints.
#[test]
fn package_assets_are_every_page_and_every_script() {
    if !have("strip") || !have("gzip") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/contrib/package/assets.sh");
    let out = Command::new(script)
        .arg(bin())
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut pages: Vec<String> = std::fs::read_dir(dir.path().join("man"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    let mut wanted: Vec<String> = sriov_doctor::cmd::man_commands()
        .iter()
        .map(|c| format!("sriov-doctor-{c}.1.gz"))
        .collect();
    wanted.push("sriov-doctor.1.gz".into());
    wanted.sort();
    assert_eq!(pages, wanted);
    let check = Command::new("gzip")
        .args(["-dc"])
        .arg(dir.path().join("man/sriov-doctor-check.1.gz"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&check.stdout),
        run(&["man", "check"]).stdout
    );
    for (file, shell) in [
        ("sriov-doctor", "bash"),
        ("_sriov-doctor", "zsh"),
        ("sriov-doctor.fish", "fish"),
    ] {
        let text = std::fs::read_to_string(dir.path().join("completions").join(file)).unwrap();
        assert_eq!(text, run(&["completions", shell]).stdout, "{file}");
    }
    let stripped = dir.path().join("bin/sriov-doctor");
    let r = Command::new(&stripped).arg("--version").output().unwrap();
    assert!(r.status.success());
}
