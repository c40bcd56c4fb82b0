//! The command-line contract: exit codes, address forms, rule documentation,
//! site rules, colors.

use crate::common;

use crate::common::run;

const SEED: &str = "tests/hosts/seed-ready/root";
const HOST_DRIVER: &str = "tests/hosts/seed-host-driver/root";

#[test]
fn exit_codes_follow_the_contract() {
    assert_eq!(
        run(&["check", "--root", SEED, "-d", "03:10.0"]).code,
        0,
        "ready host"
    );
    assert_eq!(
        run(&["check", "--root", HOST_DRIVER, "-d", "03:10.0"]).code,
        1,
        "failing target"
    );
    // Without a target the same host only warns about the host-bound VF.
    assert_eq!(run(&["check", "--root", HOST_DRIVER]).code, 0);
    assert_eq!(run(&["check", "--root", "tests/hosts/nonexistent"]).code, 2);
    assert_eq!(run(&["check", "--bogus"]).code, 2);
    assert_eq!(run(&["--version"]).code, 0);
}

#[test]
fn the_three_address_forms_name_the_same_device() {
    let full = run(&[
        "check",
        "--root",
        HOST_DRIVER,
        "-d",
        "0000:03:10.0",
        "--format",
        "json",
    ]);
    for other in ["03:10.0", "pci_0000_03_10_0"] {
        let r = run(&[
            "check",
            "--root",
            HOST_DRIVER,
            "-d",
            other,
            "--format",
            "json",
        ]);
        assert_eq!(r.code, full.code);
        assert_eq!(r.stdout, full.stdout, "{other}");
    }
}

#[test]
fn bad_or_absent_addresses_are_errors_not_passes() {
    for bad in ["03:10", "0000:03:20.0", "pci_0000_03_10", "zz:10.0", ""] {
        let r = run(&["check", "--root", SEED, "-d", bad]);
        assert_eq!(r.code, 2, "{bad}: {}", r.stderr);
        assert!(
            r.stderr.contains("invalid PCI address"),
            "{bad}: {}",
            r.stderr
        );
        assert!(r.stdout.is_empty(), "{bad}: no report on a usage error");
    }
    let r = run(&["check", "--root", SEED, "-d", "0000:05:00.0"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no PCI device 0000:05:00.0"),
        "{}",
        r.stderr
    );
    // A VF that its PF has not created yet, for a command that needs it to
    // be there: the error says which one it would be (`check` makes it a
    // finding: tests/it/targets.rs).
    let r = run(&[
        "hostdev",
        "--root",
        "tests/hosts/seed-no-igb/root",
        "03:10.1",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("it would be VF 0 of 0000:03:00.1"),
        "{}",
        r.stderr
    );
}

#[test]
fn targets_lead_the_report_and_turn_warnings_into_failures() {
    let r = run(&["check", "--root", HOST_DRIVER, "--color", "never"]);
    assert!(r
        .stdout
        .contains("WARN device.host-driver  0000:03:10.0: bound to the host driver igbvf"));
    let r = run(&[
        "check",
        "--root",
        HOST_DRIVER,
        "-d",
        "03:10.0",
        "--color",
        "never",
    ]);
    let targets = r.stdout.find("\nTargets\n").expect("a Targets section");
    let cpu = r.stdout.find("\nCPU\n").expect("a CPU section");
    assert!(targets < cpu);
    assert!(r.stdout.contains("FAIL device.host-driver  0000:03:10.0"));
    assert!(r.stdout.contains("virsh nodedev-detach pci_0000_03_10_0"));
}

#[test]
fn rules_lists_every_rule_and_shows_its_documentation() {
    let list = run(&["rules"]);
    assert_eq!(list.code, 0);
    let ids: Vec<&str> = list
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    // The public ids (DESIGN.md): renaming one is a visible break.
    for id in [
        "cpu.virtualization",
        "firmware.iommu",
        "kernel.iommu",
        "modules.pf-driver",
        "modules.vfio",
        "sriov.vfs",
        "iommu.group",
        "device.host-driver",
        "device.config-access",
        "xen.e820-access",
    ] {
        assert!(ids.contains(&id), "{id} missing from `rules`");
    }
    for id in ids {
        let doc = run(&["rules", id]);
        assert_eq!(doc.code, 0, "{id}");
        for section in [
            "What it checks",
            "Why it matters",
            "How to fix",
            "References",
            "Condition",
        ] {
            assert!(doc.stdout.contains(section), "{id}: no '{section}'");
        }
    }
    let missing = run(&["rules", "no.such-rule"]);
    assert_eq!(missing.code, 2);
}

#[test]
fn rule_files_are_named_by_their_ids() {
    for entry in std::fs::read_dir("rules").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            assert!(sriov_doctor::rules::valid_id(&stem), "{stem}");
        }
    }
}

/// A directory of site rules, removed when dropped.
struct SiteDir(std::path::PathBuf);

impl SiteDir {
    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for SiteDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn site_dir(name: &str, files: &[(&str, &str)]) -> SiteDir {
    let dir = std::env::temp_dir().join(format!("sriov-doctor-site-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    SiteDir(dir)
}

const SITE_RULE: &str = r#"
title = "Hosts run a RHEL-family distribution"
scope = "host"
severity = "warning"
needs = ["host.distro"]
condition = "host.distro.family == 'rhel'"
[message]
pass = "{{ host.distro.pretty_name }}"
fail = "{{ host.distro.pretty_name }} is not RHEL-family"
[[remediation]]
text = "Reinstall."
[doc]
what = "Site policy."
why = "Support contract."
references = ["internal wiki"]
"#;

#[test]
fn site_rules_add_and_override_without_a_rebuild() {
    let site = site_dir("ok", &[("site.distro.toml", SITE_RULE)]);
    let dir = site.path();
    let r = run(&[
        "check",
        "--root",
        "tests/hosts/amd-ready/root",
        "--rules",
        dir,
        "--color",
        "never",
    ]);
    assert!(
        r.stdout
            .contains("WARN site.distro  Ubuntu 22.04.4 LTS is not RHEL-family"),
        "{}",
        r.stdout
    );
    let r = run(&["check", "--root", SEED, "--rules", dir, "--color", "never"]);
    assert!(r.stdout.contains("PASS site.distro"), "{}", r.stdout);
    // Overriding a built-in rule by its id.
    let strict = SITE_RULE.replace("severity = \"warning\"", "severity = \"error\"");
    let dir = site_dir("override", &[("cpu.virtualization.toml", &strict)]);
    let r = run(&[
        "check",
        "--root",
        "tests/hosts/amd-ready/root",
        "--rules",
        dir.path(),
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("is not RHEL-family"));
}

#[test]
fn broken_site_rules_are_rejected_before_any_check_with_file_line_and_reason() {
    let cases = [
        (
            "bad.syntax.toml",
            "title = \"x\"\nscope = \n",
            "bad.syntax.toml:2",
        ),
        (
            "bad.cel.toml",
            &SITE_RULE.replace("host.distro.family == 'rhel'", "host.distro.family == "),
            "CEL does not parse",
        ),
        (
            "bad.scope.toml",
            &SITE_RULE.replace("host.distro.family == 'rhel'", "device.driver == null"),
            "'device' is not available in a host rule",
        ),
        (
            "bad.field.toml",
            &format!("{SITE_RULE}\nsurprise = 1\n"),
            "unknown field",
        ),
        ("BadName.toml", SITE_RULE, "is not a rule id"),
        (
            "bad.template.toml",
            &SITE_RULE.replace(
                "pass = \"{{ host.distro.pretty_name }}\"",
                "pass = \"{{ host.distro. }}\"",
            ),
            "placeholder",
        ),
    ];
    for (file, text, want) in cases {
        let dir = site_dir(file, &[(file, text)]);
        let r = run(&["check", "--root", SEED, "--rules", dir.path()]);
        assert_eq!(r.code, 2, "{file}");
        assert!(r.stdout.is_empty(), "{file}: no check may run");
        assert!(
            r.stderr.contains(want),
            "{file}: want '{want}' in {}",
            r.stderr
        );
        assert!(
            r.stderr.contains(file),
            "{file}: the file is named: {}",
            r.stderr
        );
    }
}

#[test]
fn color_is_opt_in_and_honours_no_color() {
    let always = run(&["check", "--root", SEED, "--color", "always"]);
    assert!(always.stdout.contains("\u{1b}["));
    let never = run(&["check", "--root", SEED, "--color", "never"]);
    assert!(!never.stdout.contains("\u{1b}["));
    // auto on a pipe: no color.
    let auto = run(&["check", "--root", SEED]);
    assert!(!auto.stdout.contains("\u{1b}["));
    let out = std::process::Command::new(common::bin())
        .args(["check", "--root", SEED])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("\u{1b}["));
}

#[test]
fn acpi_decodes_the_root_tables_and_files() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for host in ["seed-ready", "hp-rmrr", "amd-ready", "xen-ready"] {
            let root = format!("tests/hosts/{host}/root");
            let r = run(&["acpi", "--root", &root]);
            assert_eq!(r.code, 0, "{host}: {}", r.stderr);
            insta::assert_snapshot!(format!("acpi__{host}__text"), r.transcript());
        }
        let r = run(&[
            "acpi",
            "DMAR",
            "--root",
            "tests/hosts/hp-rmrr/root",
            "--format",
            "json",
        ]);
        insta::assert_snapshot!("acpi__hp-rmrr__json", r.transcript());
    });
    // No table on the root: a clear error.
    let r = run(&["acpi", "--root", "tests/hosts/dev-vm-no-iommu/root"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no DMAR or IVRS table"), "{}", r.stderr);
}

#[test]
fn acpi_on_a_damaged_file_says_where_decoding_stopped() {
    let good = std::fs::read("tests/hosts/hp-rmrr/root/sys/firmware/acpi/tables/DMAR").unwrap();
    let dir = site_dir("acpi", &[]);
    let cut = dir.0.join("DMAR.cut");
    std::fs::write(&cut, &good[..300]).unwrap();
    let r = run(&[
        "acpi",
        cut.to_str().unwrap(),
        "--root",
        "tests/hosts/hp-rmrr/root",
    ]);
    assert_eq!(r.code, 1, "a damaged table is a failure: {}", r.stdout);
    assert!(r.stdout.contains("checksum INVALID"), "{}", r.stdout);
    assert!(r.stdout.contains("decoding stopped at"), "{}", r.stdout);
    let junk = dir.0.join("junk");
    std::fs::write(&junk, b"not an acpi table at all").unwrap();
    let r = run(&["acpi", junk.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("neither DMAR nor IVRS"), "{}", r.stderr);
}
