//! libvirt domain names as libvirt, virsh, QEMU and KubeVirt write them.

use std::sync::OnceLock;

use regex::Regex;

use super::re;

/// Words libvirt and virsh put before an unquoted domain name ("Failed to
/// start domain web01", "PCI device %s is in use by domain %s"; also after
/// a comma: "in use by driver %s, domain %s").
const BEFORE_NAME: &[&str] = &[
    "start",
    "starting",
    "started",
    "define",
    "defined",
    "undefine",
    "undefined",
    "create",
    "created",
    "creating",
    "destroy",
    "destroyed",
    "resume",
    "resumed",
    "suspend",
    "suspended",
    "shutdown",
    "reboot",
    "rebooted",
    "restore",
    "restored",
    "save",
    "saved",
    "migrate",
    "migrated",
    "migrating",
    "boot",
    "lookup",
    "find",
    "get",
    "to",
    "from",
    "for",
    "by",
];

/// What libvirt says after "Domain NAME" at the start of a sentence
/// ("Domain web01 started", "Domain web01 is already active").
const AFTER_NAME: &[&str] = &[
    "started",
    "is",
    "was",
    "has",
    "defined",
    "destroyed",
    "created",
    "undefined",
    "resumed",
    "suspended",
    "saved",
    "restored",
    "shut",
    "rebooted",
    "marked",
];

/// libvirt domain names: `domain 'NAME'`, `Domain 'NAME'`, `domain NAME`,
/// QEMU's `-name guest=NAME,…`, KubeVirt's `VirtualMachineInstance NS/NAME`.
pub fn domains(line: &str) -> Vec<&str> {
    static QUOTED: OnceLock<Regex> = OnceLock::new();
    static BARE: OnceLock<Regex> = OnceLock::new();
    static GUEST: OnceLock<Regex> = OnceLock::new();
    static VMI: OnceLock<Regex> = OnceLock::new();
    let mut out = Vec::new();
    let lower = line.to_ascii_lowercase();
    if lower.contains("domain") {
        for c in re(&QUOTED, r"\b[Dd]omain\s+'([^'\s]{1,64})'").captures_iter(line) {
            out.push(c.get(1).expect("name").as_str());
        }
        let bare = re(
            &BARE,
            r"(?:^|[\s(])([Dd]omain)\s+([A-Za-z0-9_][A-Za-z0-9_.+-]{0,63})(?:\s+([a-z]+))?",
        );
        for c in bare.captures_iter(line) {
            let (word, name) = (c.get(1).expect("word"), c.get(2).expect("name"));
            let name_str = name.as_str().trim_end_matches('.');
            let prev = line[..word.start()]
                .split_whitespace()
                .next_back()
                .unwrap_or_default()
                .to_ascii_lowercase();
            let next = c.get(3).map_or("", |m| m.as_str());
            let hexish = name_str.chars().all(|c| c.is_ascii_hexdigit());
            let after_verb = BEFORE_NAME.contains(&prev.as_str())
                || (prev.ends_with(',') && word.as_str() == "domain");
            let sentence = word.as_str() == "Domain" && AFTER_NAME.contains(&next);
            if name_str.is_empty() || hexish || !(after_verb || sentence) {
                continue;
            }
            out.push(&line[name.start()..name.start() + name_str.len()]);
        }
    }
    if line.contains("guest=") {
        for c in re(&GUEST, r"(?:^|[\s,])guest=([^,\s'\x22]{1,64})").captures_iter(line) {
            out.push(c.get(1).expect("name").as_str());
        }
    }
    if line.contains("VirtualMachineInstance") {
        let vmi = re(
            &VMI,
            r"\bVirtualMachineInstance\s+([a-z0-9][a-z0-9.-]{0,62}/[a-z0-9][a-z0-9.-]{0,62})",
        );
        for c in vmi.captures_iter(line) {
            out.push(c.get(1).expect("name").as_str());
        }
    }
    out
}
