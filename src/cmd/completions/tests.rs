use std::path::PathBuf;

use super::candidates::{self, Kind};
use super::*;

/// The line a completer sees, typed in the repository.
fn line(words: &[&str]) -> Line {
    Line::new(
        words.iter().map(|w| w.to_string()).collect(),
        PathBuf::from(env!("CARGO_MANIFEST_DIR")),
    )
}

/// What is offered at the end of `words`; `words[0]` is the program.
fn offer(words: &[&str]) -> Vec<String> {
    engine::complete(&command(), &line(words))
        .into_iter()
        .map(|c| c.value)
        .collect()
}

const ROOT: &str = "tests/hosts/seed-ready/root";

#[test]
fn guest_names_come_from_the_logs_of_the_root_on_the_line() {
    let root = "tests/hosts/seed-guest-log/root";
    let got = offer(&["sriov-doctor", "explain", "--root", root, "--guest", "w"]);
    assert_eq!(got, ["web01"]);
    let got = offer(&["sriov-doctor", "explain", "--root", ROOT, "--guest", ""]);
    assert!(got.is_empty(), "{got:?}");
}

#[test]
fn device_addresses_come_from_the_root_on_the_line() {
    let got = offer(&["sriov-doctor", "check", "--root", ROOT, "-d", "0000:03:1"]);
    assert_eq!(got, ["0000:03:10.0", "0000:03:10.1"]);
    // Short and libvirt forms answer in their own form; --root=DIR and an
    // option after the device are read too.
    let got = offer(&[
        "sriov-doctor",
        "hostdev",
        &format!("--root={ROOT}"),
        "03:00",
    ]);
    assert_eq!(got, ["03:00.0", "03:00.1"]);
    let got = offer(&[
        "sriov-doctor",
        "check",
        "--root",
        ROOT,
        "--device",
        "pci_0000_03_10",
    ]);
    assert_eq!(got, ["pci_0000_03_10_0", "pci_0000_03_10_1"]);
    let got = offer(&[
        "sriov-doctor",
        "hostdev",
        "--root",
        ROOT,
        "--free",
        "--pf",
        "",
    ]);
    assert_eq!(got.len(), 12, "{got:?}");
    // No such root: nothing, and no error.
    let got = offer(&["sriov-doctor", "check", "--root", "/nonexistent", "-d", ""]);
    assert!(got.is_empty(), "{got:?}");
}

#[test]
fn a_device_candidate_says_its_driver_and_pf() {
    let line = line(&[
        "sriov-doctor",
        "check",
        "--root",
        ROOT,
        "-d",
        "0000:03:10.0",
    ]);
    let got = candidates::devices(&line, "0000:03:10.0");
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].help.as_deref(),
        Some("vfio-pci, VF of 0000:03:00.0"),
        "{got:?}"
    );
}

#[test]
fn rule_ids_and_man_pages_complete() {
    assert_eq!(
        offer(&["sriov-doctor", "rules", "kernel.io"]),
        ["kernel.iommu"]
    );
    let all = offer(&["sriov-doctor", "rules", ""]);
    assert!(
        all.len() > 15 && all.iter().any(|r| r == "iommu.group"),
        "{all:?}"
    );
    assert_eq!(offer(&["sriov-doctor", "man", "su"]), ["summarize"]);
    // Subcommands and options still come from the definition.
    assert_eq!(offer(&["sriov-doctor", "su"]), ["summarize"]);
    assert_eq!(offer(&["sriov-doctor", "check", "--fo"]), ["--format"]);
}

/// Every argument that takes a value completes something, or is free text
/// named here: a renamed argument that lost its completion fails this.
#[test]
fn every_value_completes_or_is_free_text() {
    const FREE: &[(&str, &str)] = &[("explain", "text")];
    let cmd = command();
    let mut kinds = Vec::new();
    for sub in cmd.get_subcommands() {
        for arg in sub.get_arguments() {
            if !arg.get_action().takes_values() || !arg.get_possible_values().is_empty() {
                continue;
            }
            let id = arg.get_id().as_str();
            let kind = candidates::kind_of(sub.get_name(), arg);
            assert!(
                kind.is_some() || FREE.contains(&(sub.get_name(), id)),
                "{} {id}: completes nothing",
                sub.get_name()
            );
            kinds.push((sub.get_name(), id, kind));
        }
    }
    for wanted in [
        ("check", "devices", Some(Kind::Device)),
        ("hostdev", "address", Some(Kind::Device)),
        ("rules", "id", Some(Kind::Rule)),
        ("explain", "guest", Some(Kind::Guest)),
        ("man", "command", Some(Kind::Page)),
        ("check", "root", Some(Kind::Dir)),
    ] {
        assert!(kinds.contains(&wanted), "{wanted:?} not in {kinds:?}");
    }
}

#[test]
fn options_anywhere_and_their_values_complete() {
    // A global option before the command, a value with `=`, a cluster.
    let got = offer(&["sriov-doctor", "--color", "never", "check", "--format=js"]);
    assert_eq!(got, ["--format=json"]);
    assert_eq!(offer(&["sriov-doctor", "--color", "ne"]), ["never"]);
    let got = offer(&[
        "sriov-doctor",
        "check",
        "-d",
        "x",
        "--root",
        ROOT,
        "-d",
        "0000:00:1f",
    ]);
    assert_eq!(got, ["0000:00:1f.0", "0000:00:1f.2"]);
    // Paths: directories with a slash, hidden ones only when asked.
    assert_eq!(
        offer(&["sriov-doctor", "list", "--root", "tests/hosts/seed-rea"]),
        ["tests/hosts/seed-ready/"]
    );
    // An unknown command: nothing rather than a guess.
    assert!(offer(&["sriov-doctor", "nope", ""]).is_empty());
}

#[test]
fn answers_are_in_each_shells_form() {
    let found = [
        candidates::Candidate::new("0000:03:10.0", Some("igbvf".into())),
        candidates::Candidate::new("dir/", None),
        candidates::Candidate::new("a\u{1b}[2Jb", None),
    ];
    assert_eq!(
        scripts::answer(Shell::Bash, &found),
        "0000:03:10.0\u{b}dir/\u{b}a[2Jb"
    );
    assert_eq!(
        scripts::answer(Shell::Zsh, &found),
        "0000\\:03\\:10.0:igbvf\ndir/\na[2Jb\n"
    );
    assert_eq!(
        scripts::answer(Shell::Fish, &found),
        "0000:03:10.0\tigbvf\ndir/\na[2Jb\n"
    );
}

#[test]
fn each_script_asks_this_tool_through_its_own_variable() {
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        let s = scripts::registration(shell).unwrap();
        assert!(s.contains("SRIOV_DOCTOR_COMPLETE="), "{shell:?}: {s}");
        assert!(s.contains("sriov-doctor"), "{shell:?}: {s}");
    }
    let zsh = scripts::registration(Shell::Zsh).unwrap();
    assert!(zsh.starts_with("#compdef sriov-doctor"), "{zsh}");
    assert!(
        zsh.contains("\"$funcstack[1]\" = \"_sriov-doctor\""),
        "{zsh}"
    );
}
