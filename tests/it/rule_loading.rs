//! Site rules and signatures (`--rules DIR`) that do not parse, name facts
//! that do not exist, or have CEL type errors are rejected at load: exit 2,
//! nothing on standard output, and `FILE:LINE: reason` on standard error,
//! before any check runs.

use crate::common::run;

const SEED: &str = "tests/hosts/seed-ready/root";

/// A directory of site rules, removed when dropped.
struct SiteDir(std::path::PathBuf);

impl SiteDir {
    fn new(name: &str, files: &[(&str, &str)]) -> SiteDir {
        let dir = std::env::temp_dir().join(format!(
            "sriov-doctor-loading-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        for (file, text) in files {
            let path = dir.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        std::fs::create_dir_all(&dir).unwrap();
        SiteDir(dir)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for SiteDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A valid host rule; the cases below break one line of it.
const RULE: &str = r#"title = "Hosts run a RHEL-family distribution"
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
"#;

/// A valid device rule.
const DEVICE_RULE: &str = r#"title = "VFs are on vfio-pci"
scope = "vf"
severity = "warning"
needs = ["device.driver"]
condition = "device.driver == 'vfio-pci'"
[message]
pass = "{{ device.address }} is on vfio-pci"
fail = "{{ device.address }} is on {{ device.driver == null ? 'no driver' : device.driver }}"
[doc]
what = "Site policy."
why = "Support contract."
"#;

/// Runs `check` with one site rule file and expects it rejected with
/// `FILE:LINE:` and `want` in the message, and no report.
fn rejected(file: &str, text: &str, line: usize, want: &str) {
    let dir = SiteDir::new(file, &[(file, text)]);
    for format in ["text", "json"] {
        let r = run(&[
            "check",
            "--root",
            SEED,
            "--rules",
            dir.path(),
            "--format",
            format,
        ]);
        assert_eq!(r.code, 2, "{file}: {}", r.stderr);
        assert!(
            r.stdout.is_empty(),
            "{file}: no check may run: {}",
            r.stdout
        );
        let at = format!("{}/{file}:{line}: ", dir.path());
        assert!(
            r.stderr.contains(&at),
            "{file}: want '{at}' in {}",
            r.stderr
        );
        assert!(
            r.stderr.contains(want),
            "{file}: want '{want}' in {}",
            r.stderr
        );
    }
}

#[test]
fn the_valid_site_rules_load_and_run() {
    let dir = SiteDir::new(
        "valid",
        &[("site.distro.toml", RULE), ("site.vfio.toml", DEVICE_RULE)],
    );
    let r = run(&[
        "check",
        "--root",
        SEED,
        "--rules",
        dir.path(),
        "--color",
        "never",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("PASS site.distro"), "{}", r.stdout);
    assert!(r.stdout.contains("site.vfio"), "{}", r.stdout);
}

#[test]
fn a_rule_that_does_not_parse_is_rejected() {
    // TOML syntax.
    rejected(
        "bad.toml-syntax.toml",
        &RULE.replace("severity = \"warning\"", "severity = "),
        3,
        "string values must be quoted",
    );
    // CEL syntax in the condition.
    rejected(
        "bad.cel-syntax.toml",
        &RULE.replace("family == 'rhel'", "family == "),
        5,
        "condition: CEL does not parse",
    );
    // CEL syntax in a message placeholder.
    rejected(
        "bad.placeholder-syntax.toml",
        &RULE.replace(
            "pass = \"{{ host.distro.pretty_name }}\"",
            "pass = \"{{ host.distro. }}\"",
        ),
        7,
        "message.pass: placeholder {{ host.distro. }} does not parse",
    );
}

#[test]
fn a_rule_that_names_an_unknown_fact_is_rejected() {
    rejected(
        "bad.condition-fact.toml",
        &RULE.replace("host.distro.family ==", "host.distro.famly =="),
        5,
        "condition: unknown fact 'host.distro.famly': host.distro has no field 'famly'; did you mean host.distro.family?",
    );
    rejected(
        "bad.template-fact.toml",
        &RULE.replace(
            "{{ host.distro.pretty_name }} is not",
            "{{ host.distro.prety }} is not",
        ),
        8,
        "message.fail: placeholder {{ host.distro.prety }}: unknown fact 'host.distro.prety'",
    );
    rejected(
        "bad.needs-fact.toml",
        &RULE.replace("needs = [\"host.distro\"]", "needs = [\"host.distrox\"]"),
        4,
        "needs 'host.distrox': unknown fact 'host.distrox'",
    );
    rejected(
        "bad.unknown-name.toml",
        &RULE.replace("host.distro.family ==", "hots.distro.family =="),
        5,
        "condition: unknown name 'hots'",
    );
    // A field of a list element, inside a comprehension.
    rejected(
        "bad.element-fact.toml",
        &RULE.replace(
            "host.distro.family == 'rhel'",
            "host.guests.all(g, g.nme != 'test')",
        ),
        5,
        "condition: unknown fact 'g.nme': g has no field 'nme'; did you mean g.name?",
    );
    // device in a host rule.
    rejected(
        "bad.device-in-host.toml",
        &RULE.replace("host.distro.family == 'rhel'", "device.driver == null"),
        5,
        "condition: 'device' is not available in a host rule",
    );
    // A device rule's fact, in a remediation's `when`.
    let text = format!(
        "{DEVICE_RULE}\n[[remediation]]\ntext = \"Bind it.\"\nwhen = \"device.drivr == null\"\n"
    );
    rejected(
        "bad.when-fact.toml",
        &text,
        line_with(&text, "device.drivr"),
        "remediation when: unknown fact 'device.drivr': device has no field 'drivr'; did you mean device.driver?",
    );
}

/// The 1-based line of `text` that holds `needle`.
fn line_with(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn a_rule_with_a_cel_type_error_is_rejected() {
    rejected(
        "bad.string-vs-number.toml",
        &RULE.replace("host.distro.family == 'rhel'", "host.distro.family == 7"),
        5,
        "condition: `host.distro.family == 7` compares a string with an int: they are never equal",
    );
    rejected(
        "bad.size-of-bool.toml",
        &RULE.replace("host.distro.family == 'rhel'", "size(host.cpu.vmx) > 0"),
        5,
        "condition: `size(host.cpu.vmx)`: type error on a bool: found no matching overload for 'size' applied to '(bool)'",
    );
    rejected(
        "bad.list-condition.toml",
        &RULE.replace("host.distro.family == 'rhel'", "host.iommu.units"),
        5,
        "condition: `host.iommu.units` is a list of strings, not a bool",
    );
    rejected(
        "bad.template-type.toml",
        &RULE.replace(
            "pass = \"{{ host.distro.pretty_name }}\"",
            "pass = \"{{ host.distro.pretty_name + host.cpu.cpus }}\"",
        ),
        7,
        "message.pass: placeholder {{ host.distro.pretty_name + host.cpu.cpus }}: `host.distro.pretty_name + host.cpu.cpus`: type error on a string and an int",
    );
    // In a multi-line condition, the line of the offending part.
    rejected(
        "bad.multi-line.toml",
        &RULE.replace(
            "condition = \"host.distro.family == 'rhel'\"",
            "condition = '''\nhost.distro.family == 'rhel'\n  && host.cpu.cpus > 'four'\n'''",
        ),
        7,
        "type error on an int and a string",
    );
}

/// Long chains grow CEL's syntax tree without the parser's nesting limit;
/// checking or evaluating them recursed until the stack overflowed (an
/// index chain aborted the `rules` fuzz target), and the parser itself
/// overflows on a long enough one. Now both are errors.
#[test]
fn a_chain_too_deep_to_walk_is_rejected_not_a_stack_overflow() {
    for (name, condition, levels) in [
        (
            "bad.index-chain.toml",
            format!("host.iommu.units{} == ''", "[0]".repeat(1300)),
            1304,
        ),
        (
            "bad.select-chain.toml",
            format!("host{} == ''", ".a".repeat(2000)),
            2002,
        ),
        (
            "bad.add-chain.toml",
            format!("1{} > 0", " + 1".repeat(1000)),
            1002,
        ),
    ] {
        let text = RULE.replace(
            "condition = \"host.distro.family == 'rhel'\"",
            &format!("condition = \"{condition}\""),
        );
        rejected(
            name,
            &text,
            5,
            &format!(
                "condition: the expression nests {levels} levels deep, more than the 100 allowed"
            ),
        );
    }
    let text = RULE.replace(
        "pass = \"{{ host.distro.pretty_name }}\"",
        &format!(
            "pass = \"{{{{ host.iommu.units{} }}}}\"",
            "[0]".repeat(1500)
        ),
    );
    rejected(
        "bad.deep-placeholder.toml",
        &text,
        7,
        "message.pass: placeholder {{ host.iommu.units[0]",
    );
    // 100,000 links: the CEL parser alone overflows the stack on this, so
    // it must not see it.
    let long = format!("host.iommu.units{} == ''", "[0]".repeat(100_000));
    rejected(
        "bad.long-chain.toml",
        &RULE.replace(
            "condition = \"host.distro.family == 'rhel'\"",
            &format!("condition = \"{long}\""),
        ),
        5,
        &format!(
            "condition: the expression is {} characters long, more than the 4096 allowed",
            long.len()
        ),
    );
    rejected(
        "bad.long-placeholder.toml",
        &RULE.replace("{{ host.distro.pretty_name }} is not", &format!("{{{{ {long} }}}} is not")),
        8,
        "message.fail: placeholder {{ host.iommu.units[0][0][0][0][0][0][0][0] … }}: the expression is 300022 characters long",
    );
}

/// A message is text with values in it: a placeholder over 500 characters
/// (a program of nested conditionals) is refused, with the way out.
#[test]
fn a_placeholder_over_the_length_limit_is_rejected() {
    let long = format!("{}'.'", "'word ' + ".repeat(60));
    assert!(long.chars().count() > 500);
    rejected(
        "bad.long-message.toml",
        &RULE.replace(
            "fail = \"{{ host.distro.pretty_name }} is not",
            &format!("fail = \"{{{{ {long} }}}} is not"),
        ),
        8,
        &format!(
            "message.fail: placeholder {{{{ 'word ' + 'word ' + 'word ' + 'word ' +  … }}}} has {} characters, over 500: give each case its own [[message.variant]]",
            long.chars().count()
        ),
    );
    // One just under the limit loads.
    let short = format!("{}'.'", "'word ' + ".repeat(49));
    assert!(short.chars().count() <= 500);
    let dir = SiteDir::new(
        "long-ok",
        &[(
            "site.long-ok.toml",
            &RULE.replace(
                "fail = \"{{ host.distro.pretty_name }} is not",
                &format!("fail = \"{{{{ {short} }}}} is not"),
            ),
        )],
    );
    let r = run(&["check", "--root", SEED, "--rules", dir.path()]);
    assert_ne!(r.code, 2, "{}", r.stderr);
}

#[test]
fn a_placeholder_in_a_remediation_is_checked() {
    let text =
        format!("{DEVICE_RULE}\n[[remediation]]\ntext = \"Bind it: {{{{ device.adress }}}}\"\n");
    rejected(
        "bad.remediation-fact.toml",
        &text,
        line_with(&text, "device.adress"),
        "remediation 1: placeholder {{ device.adress }}: unknown fact 'device.adress'",
    );
}

#[test]
fn every_rejected_file_is_reported_not_just_the_first() {
    let dir = SiteDir::new(
        "two",
        &[
            ("a.one.toml", &RULE.replace("family ==", "famly ==")),
            ("b.two.toml", &RULE.replace("'rhel'", "1")),
        ],
    );
    let r = run(&["check", "--root", SEED, "--rules", dir.path()]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr.contains("a.one.toml:5: condition: unknown fact"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("b.two.toml:5: condition: `host.distro.family == 1`"),
        "{}",
        r.stderr
    );
}

/// A valid site signature; the cases break one line of it.
const SIGNATURE: &str = r#"title = "Site message"
pattern = '''site-tool: (?P<device>[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) refused'''
meaning = "The site tool refused the device."
rules = ["device.host-driver"]
confirm = ["lspci -nnk -s {device}"]
"#;

fn signature_rejected(text: &str, line: usize, want: &str) {
    let dir = SiteDir::new("sig", &[("signatures/site-tool.toml", text)]);
    let r = run(&[
        "explain",
        "--root",
        SEED,
        "--rules",
        dir.path(),
        "site-tool: 0000:03:10.0 refused",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "nothing explained: {}", r.stdout);
    let at = format!("signatures/site-tool.toml:{line}: {want}");
    assert!(r.stderr.contains(&at), "want '{at}' in {}", r.stderr);
}

#[test]
fn site_signatures_are_checked_at_load_too() {
    let dir = SiteDir::new("sig-ok", &[("signatures/site-tool.toml", SIGNATURE)]);
    let r = run(&[
        "explain",
        "--root",
        SEED,
        "--rules",
        dir.path(),
        "site-tool: 0000:03:10.0 refused",
    ]);
    assert!(r.code < 2, "{}", r.stderr);
    assert!(r.stdout.contains("site-tool"), "{}", r.stdout);

    signature_rejected(
        &SIGNATURE.replace("refused'''", "refused('''"),
        2,
        "pattern: regex parse error",
    );
    signature_rejected(
        &SIGNATURE.replace("(?P<device>", "(?P<bdf>"),
        2,
        "pattern: capture 'bdf' is not one of device, group, driver, domain",
    );
    signature_rejected(
        &SIGNATURE.replace("[\"device.host-driver\"]", "[\"device.host-drivers\"]"),
        4,
        "rules: no rule 'device.host-drivers'",
    );
    signature_rejected(
        &SIGNATURE.replace("-s {device}", "-s {device}; ls /dev/vfio/{group}"),
        5,
        "confirm: '{group}' is not a capture of the pattern (it has device)",
    );
    signature_rejected(
        &SIGNATURE.replace("meaning = ", "meening = "),
        3,
        "unknown field `meening`",
    );
}
