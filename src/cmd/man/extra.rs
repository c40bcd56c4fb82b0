//! The sections of a man page that the command-line definition cannot
//! give: EXIT STATUS (the codes of [`crate::error::exit_code`]), EXAMPLES
//! (real command lines; a test parses every one) and SEE ALSO.

use clap_mangen::roff::{bold, roman, Roff};

/// Every exit code, as [`crate::error::exit_code`] gives them.
pub const EXIT_CODES: &[(i32, &str)] = &[
    (0, "Nothing failed (warnings allowed)."),
    (
        1,
        "At least one check failed (acpi: a table is not sound; summarize: a host failed a check).",
    ),
    (
        2,
        "Usage or tool error: a wrong command line, an input, host, rule or bundle that could \
         not be read, or output that could not be written.",
    ),
    (
        3,
        "Incomplete: nothing failed, but a check that applies could not read its inputs \
         (most often: not run as root), so the answer is not a yes.",
    ),
];

/// What a command line does, and the line.
pub type Example = (&'static str, &'static str);

/// The examples of a page: `None` is sriov-doctor(1).
pub fn examples(command: Option<&str>) -> &'static [Example] {
    match command {
        None => &[
            ("Check this machine for everything VF assignment needs:", "sudo sriov-doctor check"),
            (
                "Check it for one VF that will be assigned (its checks lead the report):",
                "sudo sriov-doctor check -d 0000:03:10.0",
            ),
            (
                "Write libvirt's <hostdev> element for it, and give it to guest web01:",
                "sudo sriov-doctor hostdev 0000:03:10.0 > hostdev.xml",
            ),
            ("", "virsh attach-device web01 hostdev.xml --config"),
            (
                "Find why a guest did not start:",
                "virsh start web01 2>&1 | sudo sriov-doctor explain",
            ),
        ],
        Some("check") => &[
            ("Check this machine:", "sudo sriov-doctor check"),
            ("Check two VFs that will be assigned:", "sudo sriov-doctor check -d 03:10.0 -d 03:10.1"),
            ("One JSON document, for scripts:", "sudo sriov-doctor check --format json > report.json"),
            (
                "With the site's own rules added:",
                "sudo sriov-doctor check --rules /etc/sriov-doctor/rules",
            ),
            ("Check the host a support bundle was made on:", "sriov-doctor check --bundle host1.json.gz"),
        ],
        Some("explain") => &[
            ("Explain why a guest did not start:", "virsh start web01 2>&1 | sudo sriov-doctor explain"),
            ("Explain a guest's log:", "sudo sriov-doctor explain --file /var/log/libvirt/qemu/web01.log"),
            ("Explain what virt-host-validate said:", "virt-host-validate qemu 2>&1 | sudo sriov-doctor explain"),
        ],
        Some("list") => &[
            ("Each PF with its VFs, drivers, groups and holders:", "sudo sriov-doctor list"),
            ("The same as JSON:", "sudo sriov-doctor list --format json"),
        ],
        Some("hostdev") => &[
            ("The element for one VF:", "sudo sriov-doctor hostdev 0000:03:10.0 > hostdev.xml"),
            ("Given to guest web01:", "virsh attach-device web01 hostdev.xml --config"),
            ("For a VF of a PF that no one holds:", "sudo sriov-doctor hostdev --free --pf 0000:03:00.0"),
        ],
        Some("acpi") => &[
            ("Decode this machine's DMAR or IVRS table:", "sudo sriov-doctor acpi"),
            ("Only the DMAR table, as JSON:", "sudo sriov-doctor acpi DMAR --format json"),
            ("A table dumped elsewhere (acpidump -b):", "sriov-doctor acpi dmar.dat"),
        ],
        Some("bundle") => &[
            ("Write a support bundle:", "sudo sriov-doctor bundle -o host1.json.gz"),
            ("Check it on another machine:", "sriov-doctor check --bundle host1.json.gz"),
        ],
        Some("summarize") => &[
            ("Hosts by rules, from a directory of reports:", "sriov-doctor summarize reports/"),
            ("The same as a Markdown table:", "sriov-doctor summarize --format markdown reports/"),
        ],
        Some("completions") => &[
            (
                "Bash, for one user (bash-completion loads it):",
                "sriov-doctor completions bash > ~/.local/share/bash-completion/completions/sriov-doctor",
            ),
            ("Fish, for one user:", "sriov-doctor completions fish > ~/.config/fish/completions/sriov-doctor.fish"),
        ],
        Some("man") => &[
            ("Read the page of check without installing it:", "sriov-doctor man check | man -l -"),
        ],
        Some("rules") => &[
            ("Every rule: id, scope, severity, title:", "sriov-doctor rules"),
            ("What one rule checks, why, and how to fix it:", "sriov-doctor rules kernel.iommu"),
        ],
        Some(_) => &[],
    }
}

/// The pages SEE ALSO names, besides sriov-doctor's own.
fn see_also(command: Option<&str>) -> &'static [&'static str] {
    match command {
        None => &[
            "virt-host-validate(1)",
            "virsh(1)",
            "xl(1)",
            "lspci(8)",
            "dmesg(1)",
        ],
        Some("check") => &["virt-host-validate(1)", "lspci(8)"],
        Some("explain") => &["virsh(1)", "virt-host-validate(1)", "dmesg(1)"],
        Some("list" | "acpi" | "bundle") => &["lspci(8)"],
        Some("hostdev") => &["virsh(1)", "xl(1)"],
        Some("completions") => &["bash(1)", "zsh(1)", "fish(1)"],
        Some("man") => &["man(1)"],
        Some(_) => &[],
    }
}

/// EXIT STATUS, EXAMPLES and SEE ALSO as roff (without the preamble
/// clap_mangen already wrote).
pub fn sections(command: Option<&str>) -> String {
    let mut roff = Roff::new();
    roff.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in EXIT_CODES {
        roff.control("TP", []);
        roff.text([bold(code.to_string())]);
        roff.text([roman(*meaning)]);
    }
    let examples = examples(command);
    if !examples.is_empty() {
        roff.control("SH", ["EXAMPLES"]);
        for e in examples {
            if !e.0.is_empty() {
                roff.control("PP", []);
                roff.text([roman(e.0)]);
            }
            roff.control("RS", ["4"]);
            roff.control("nf", []);
            roff.text([roman(e.1)]);
            roff.control("fi", []);
            roff.control("RE", []);
        }
    }
    roff.control("SH", ["SEE ALSO"]);
    let mut pages: Vec<String> = match command {
        None => super::man_commands()
            .iter()
            .map(|c| format!("sriov-doctor-{c}(1)"))
            .collect(),
        Some(_) => vec!["sriov-doctor(1)".to_string()],
    };
    pages.extend(see_also(command).iter().map(|p| p.to_string()));
    let mut line = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        let (name, section) = page.split_once('(').unwrap_or((page, ""));
        line.push(bold(name));
        let sep = if i + 1 < pages.len() { ", " } else { "" };
        line.push(roman(format!("({section}{sep}")));
    }
    roff.text(line);
    roff.to_roff()
}
