//! Inputs that cannot mislead: options anywhere on the line, a `--root` that
//! must be a host tree, and errors that say what was expected.

use crate::common::{run, scratch};

const SEED: &str = "tests/hosts/seed-ready/root";
const GROUP_SHARED: &str = "tests/hosts/seed-group-shared/root";
const MESSAGE: &str = "vfio 0000:03:10.0: group 7 is not viable";

#[test]
fn explain_takes_its_options_after_the_message_too() {
    let before = run(&[
        "explain",
        "--root",
        GROUP_SHARED,
        "--format",
        "json",
        MESSAGE,
    ]);
    let after = run(&[
        "explain",
        MESSAGE,
        "--root",
        GROUP_SHARED,
        "--format",
        "json",
    ]);
    assert_eq!(before.code, after.code, "{}", after.stderr);
    assert_eq!(before.stdout, after.stdout);
    // The options were taken as options: the tree was read, as JSON, and
    // the message is the one line given.
    let v: serde_json::Value = serde_json::from_str(&after.stdout).expect("JSON");
    assert_eq!(
        v["host"]["root"],
        format!("captured tree {GROUP_SHARED}"),
        "{}",
        after.stdout
    );
    assert_eq!(v["input_lines"], 1);
    assert!(
        !v["matches"].as_array().unwrap().is_empty(),
        "{}",
        after.stdout
    );
    // Between the words of a message given unquoted, too.
    let split = run(&[
        "explain",
        "vfio",
        "--format",
        "json",
        "0000:03:10.0:",
        "--root",
        GROUP_SHARED,
    ]);
    let v: serde_json::Value = serde_json::from_str(&split.stdout).expect("JSON");
    assert_eq!(v["input_lines"], 2, "{}", split.stdout);
}

#[test]
fn a_message_that_starts_with_a_dash_goes_after_a_double_dash() {
    let r = run(&[
        "explain",
        "--root",
        SEED,
        "--format",
        "json",
        "--",
        "-device vfio-pci,host=0000:03:10.0: vfio 0000:03:10.0: group 9 is not viable",
        "--root",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    // Both words after `--` are message lines, `--root` included.
    assert_eq!(v["input_lines"], 2, "{}", r.stdout);
    assert_eq!(v["matches"][0]["line_number"], 1, "{}", r.stdout);
    // As pasted, with a space in it: a message, with options after it.
    let r = run(&[
        "explain",
        "-bash: echo: write error: Device or resource busy",
        "--root",
        SEED,
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(v["input_lines"], 1, "{}", r.stdout);
    assert_eq!(
        v["matches"][0]["signature"], "sysfs-write-ebusy",
        "{}",
        r.stdout
    );
    assert_eq!(
        v["matches"][0]["line"], "-bash: echo: write error: Device or resource busy",
        "the message as given"
    );
    // Without a space it could be an option: clap says how to pass it.
    let r = run(&["explain", "--root", SEED, "-EBUSY"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("use '-- "), "{}", r.stderr);
}

/// Every command that takes `--root`, with what it needs besides.
fn root_commands(root: &str) -> Vec<Vec<String>> {
    let out = scratch("inputs-bundle-out").join("b.json");
    [
        vec!["check", "--root", root],
        vec!["explain", "--root", root, MESSAGE],
        vec!["list", "--root", root],
        vec!["hostdev", "03:10.0", "--root", root],
        vec!["acpi", "--root", root],
        vec!["bundle", "--root", root, "-o", out.to_str().unwrap()],
    ]
    .into_iter()
    .map(|a| a.into_iter().map(String::from).collect())
    .collect()
}

#[test]
fn a_root_that_is_not_a_host_tree_is_an_error_that_names_the_tree() {
    let above = "tests/hosts/seed-ready";
    let empty = scratch("inputs-empty-root");
    for (root, hint) in [
        (
            above,
            Some("; tests/hosts/seed-ready/root is one: --root tests/hosts/seed-ready/root"),
        ),
        (empty.to_str().unwrap(), None),
    ] {
        for args in root_commands(root) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let r = run(&args);
            assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
            assert!(r.stdout.is_empty(), "{args:?}: no report: {}", r.stdout);
            assert!(
                r.stderr.starts_with(&format!(
                    "sriov-doctor: --root {root}: not a host tree: expected a copy of a host's / holding the directories sys/ and proc/ (neither is there)"
                )),
                "{args:?}: {}",
                r.stderr
            );
            match hint {
                Some(h) => assert!(r.stderr.trim_end().ends_with(h), "{args:?}: {}", r.stderr),
                None => assert!(!r.stderr.contains(" is one: "), "{args:?}: {}", r.stderr),
            }
        }
    }
    // The host tree itself is one, for every command.
    for args in root_commands(SEED) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = run(&args);
        assert!([0, 1].contains(&r.code), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn errors_about_inputs_say_what_was_expected() {
    let dir = scratch("inputs-errors");
    let empty = dir.join("empty.json");
    std::fs::write(&empty, "").unwrap();
    let report = dir.join("report.json");
    let r = run(&["check", "--root", SEED, "--format", "json"]);
    std::fs::write(&report, r.stdout).unwrap();
    let rules = dir.join("rules");
    std::fs::create_dir(&rules).unwrap();
    let (empty, report, rules) = (
        empty.to_str().unwrap(),
        report.to_str().unwrap(),
        rules.to_str().unwrap(),
    );
    let cases: [(Vec<&str>, String); 5] = [
        (
            vec!["check", "--bundle", empty],
            format!("bundle {empty} is empty; expected a support bundle written by `sriov-doctor bundle`"),
        ),
        (
            vec!["list", "--bundle", report],
            format!("bundle {report} is a report of `sriov-doctor check --format json`, not a support bundle: --bundle takes a file written by `sriov-doctor bundle`"),
        ),
        (
            vec!["check", "--root", SEED, "--rules", rules],
            format!("{rules}: no rule files in this folder: expected one *.toml file per rule"),
        ),
        (
            vec!["explain", "--root", SEED, "--file", "/nonexistent/log"],
            "--file /nonexistent/log: No such file or directory (os error 2); expected a file holding the error message or log to explain".into(),
        ),
        (
            vec!["acpi", "--root", SEED, "FOO"],
            "FOO: no such table or file: expected DMAR or IVRS (the host's table), or a file holding a raw table dump".into(),
        ),
    ];
    for (args, expected) in cases {
        let r = run(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(&expected), "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
    }
    // A site folder with only signatures is one `explain` can use.
    let sigs = dir.join("rules/signatures");
    std::fs::create_dir(&sigs).unwrap();
    std::fs::write(
        sigs.join("site.odd.toml"),
        "title = \"Odd\"\npattern = 'odd thing'\nmeaning = \"odd\"\nrules = [\"kernel.iommu\"]\n",
    )
    .unwrap();
    let r = run(&["check", "--root", SEED, "--rules", rules]);
    assert!(!r.stderr.contains("no rule files"), "{}", r.stderr);
}

#[test]
fn color_is_offered_where_there_is_color_and_format_says_what_it_is() {
    for cmd in ["man", "completions"] {
        let help = run(&[cmd, "--help"]);
        assert!(!help.stdout.contains("--color"), "{cmd}: {}", help.stdout);
    }
    assert_eq!(run(&["man", "--color", "never"]).code, 2);
    // Nor does completion offer it there (the shell asks the tool).
    let complete = |words: &[&str]| {
        let out = std::process::Command::new(crate::common::bin())
            .env("SRIOV_DOCTOR_COMPLETE", "bash")
            .arg("--")
            .args(words)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let man_opts = complete(&["sriov-doctor", "man", "--"]);
    assert!(man_opts.contains("--help"), "{man_opts}");
    assert!(!man_opts.contains("--color"), "{man_opts}");
    assert!(complete(&["sriov-doctor", "check", "--co"]).contains("--color"));
    // Where there is color: after the command, or before it.
    for args in [
        ["check", "--root", SEED, "--color", "always"],
        ["--color", "always", "check", "--root", SEED],
    ] {
        let r = run(&args);
        assert!(r.stdout.contains("\x1b["), "{args:?}: {}", r.stderr);
    }
    let r = run(&[
        "--color", "always", "check", "--root", SEED, "--color", "never",
    ]);
    assert!(
        !r.stdout.contains("\x1b["),
        "the command's own --color wins"
    );
    for cmd in [
        "check",
        "explain",
        "list",
        "hostdev",
        "acpi",
        "rules",
        "summarize",
    ] {
        let help = run(&[cmd, "--help"]).stdout;
        // The description is on the option's line, or on the next (when
        // the values have descriptions of their own).
        let mut lines = help
            .lines()
            .skip_while(|l| !l.trim_start().starts_with("--format <FORMAT>"));
        let line = lines
            .next()
            .unwrap_or_else(|| panic!("{cmd}: no --format: {help}"));
        let said = match line
            .trim_start()
            .trim_start_matches("--format <FORMAT>")
            .trim()
        {
            "" => lines.next().unwrap_or_default().trim(),
            said => said,
        };
        assert!(
            !said.is_empty() && !said.starts_with('['),
            "{cmd}: --format has no description: {help}"
        );
    }
}

#[test]
fn explain_with_nothing_to_explain_says_so() {
    let r = run(&[
        "explain",
        "--root",
        SEED,
        "--color",
        "never",
        "something odd",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The note ends the output (wrapped at 80 columns: looked for with the
    // lines joined again).
    let text = r.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.ends_with(
            "no check fails or warns on this host: nothing here points to a cause (sriov-doctor check shows every check)"
        ),
        "{}",
        r.stdout
    );
}
