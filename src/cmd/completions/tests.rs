use std::ffi::OsString;
use std::path::Path;
use std::sync::Arc;

use super::*;

/// The line a completer sees.
fn line(words: &[&str]) -> Line {
    Line::new(words.iter().map(OsString::from).collect())
}

/// What clap's engine offers at the end of `words`, as the shell's script
/// asks it; `words[0]` is the program.
fn offer(words: &[&str]) -> Vec<String> {
    let line = Arc::new(line(words));
    let mut cmd = command(&line);
    let args: Vec<OsString> = words.iter().map(OsString::from).collect();
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    clap_complete::engine::complete(&mut cmd, args, words.len() - 1, Some(here))
        .unwrap()
        .iter()
        .map(|c| c.get_value().to_string_lossy().into_owned())
        .collect()
}

const ROOT: &str = "tests/hosts/seed-ready/root";

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
    let got = candidates::devices(&line, "0000:03:10.0".as_ref());
    assert_eq!(got.len(), 1);
    let help = got[0].get_help().map(|h| h.to_string());
    assert_eq!(
        help.as_deref(),
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
/// named here: a renamed argument that lost its completer fails this.
#[test]
fn every_value_completes_or_is_free_text() {
    const FREE: &[(&str, &str)] = &[("explain", "text")];
    let cmd = command(&Default::default());
    let mut kinds = Vec::new();
    for sub in cmd.get_subcommands() {
        for arg in sub.get_arguments() {
            if !arg.get_action().takes_values() || !arg.get_possible_values().is_empty() {
                continue;
            }
            let id = arg.get_id().as_str();
            let completes = arg
                .get::<clap_complete::engine::ArgValueCompleter>()
                .is_some()
                || arg.get_value_hint() != clap::ValueHint::Unknown;
            assert!(
                completes || FREE.contains(&(sub.get_name(), id)),
                "{} {id}: completes nothing",
                sub.get_name()
            );
            kinds.push((sub.get_name(), id, candidates::kind_of(sub.get_name(), arg)));
        }
    }
    for wanted in [
        ("check", "devices", Some(Kind::Device)),
        ("hostdev", "address", Some(Kind::Device)),
        ("rules", "id", Some(Kind::Rule)),
        ("man", "command", Some(Kind::Page)),
        ("check", "root", Some(Kind::Dir)),
    ] {
        assert!(kinds.contains(&wanted), "{wanted:?} not in {kinds:?}");
    }
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
