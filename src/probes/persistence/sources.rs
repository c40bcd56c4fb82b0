//! The boot configuration, read once for all PFs, and what of it applies to
//! one PF.

use std::collections::BTreeMap;

use crate::facts::{Known, VfPersistence};
use crate::formats::numvfs_write::Target;
use crate::formats::{keyfile, sriov_operator, udev_rules};
use crate::hostfs::HostFs;

use super::matching::{self, Pf, Tri};
use super::units::{units, UnitWrite, UNITS};
use super::{read_conf, read_dirs, source, ConfFiles, VF_OPTIONS};

const MODPROBE: &[&str] = &[
    "/etc/modprobe.d",
    "/run/modprobe.d",
    "/usr/local/lib/modprobe.d",
    "/usr/lib/modprobe.d",
    "/lib/modprobe.d",
];
const UDEV: &[&str] = &[
    "/etc/udev/rules.d",
    "/run/udev/rules.d",
    "/usr/local/lib/udev/rules.d",
    "/usr/lib/udev/rules.d",
    "/lib/udev/rules.d",
];
const LINK: &[&str] = &[
    "/etc/systemd/network",
    "/run/systemd/network",
    "/usr/local/lib/systemd/network",
    "/usr/lib/systemd/network",
    "/lib/systemd/network",
];
const NM: &[&str] = &[
    "/etc/NetworkManager/system-connections",
    "/run/NetworkManager/system-connections",
    "/usr/lib/NetworkManager/system-connections",
];
pub const OPERATOR_CONFIG: &str = "/etc/sriov-operator/sriov-interface-config.yaml";
pub const OPERATOR_SERVICE: &str = "/etc/systemd/system/sriov-config.service";

pub struct Config {
    cmdline: Option<BTreeMap<String, String>>,
    modprobe: ConfFiles,
    udev: Vec<(String, Vec<udev_rules::Rule>)>,
    links: Vec<(String, Vec<keyfile::Entry>)>,
    nm: Vec<(String, Vec<keyfile::Entry>)>,
    units: Vec<UnitWrite>,
    operator: Vec<sriov_operator::Interface>,
    operator_service: bool,
    pub looked: Vec<String>,
    pub doubts: Vec<String>,
}

impl Config {
    pub fn read(fs: &dyn HostFs, params: &Known<BTreeMap<String, String>>) -> Config {
        let mut looked = Vec::new();
        let mut doubts = Vec::new();
        let modprobe = read_dirs(fs, MODPROBE, ".conf");
        looked.extend(modprobe.looked.iter().cloned());
        doubts.extend(modprobe.doubts.iter().cloned());
        let cmdline = match params {
            Known::Value(p) => {
                looked.push("/proc/cmdline".into());
                Some(p.clone())
            }
            Known::Unknown(r) => {
                doubts.push(format!("kernel command line: {r}"));
                None
            }
        };
        let mut parsed = |dirs: &[&str], suffix: &str| {
            let c = read_dirs(fs, dirs, suffix);
            looked.extend(c.looked);
            doubts.extend(c.doubts);
            c.files
        };
        let udev = parsed(UDEV, ".rules")
            .into_iter()
            .map(|(p, t)| (p, udev_rules::parse(&t)))
            .collect();
        let links = parsed(LINK, ".link")
            .into_iter()
            .map(|(p, t)| (p, keyfile::parse(&t, true)))
            .collect();
        let nm = parsed(NM, ".nmconnection")
            .into_iter()
            .map(|(p, t)| (p, keyfile::parse(&t, false)))
            .collect();
        let units = units(fs, &mut looked, &mut doubts);
        let operator = match read_conf(fs, OPERATOR_CONFIG, &mut doubts) {
            Some(t) => {
                looked.push(OPERATOR_CONFIG.into());
                sriov_operator::interfaces(&t)
            }
            None => Vec::new(),
        };
        let operator_service = fs.exists(OPERATOR_SERVICE).unwrap_or(false);
        Config {
            cmdline,
            modprobe,
            udev,
            links,
            nm,
            units,
            operator,
            operator_service,
            looked,
            doubts,
        }
    }

    /// What of the configuration sets this PF's VFs at boot.
    pub fn for_pf(&self, pf: &Pf) -> VfPersistence {
        let mut out = VfPersistence::default();
        self.module_options(pf, &mut out);
        self.udev_rules(pf, &mut out);
        self.link_files(pf, &mut out);
        self.connections(pf, &mut out);
        for u in &self.units {
            let kind = "systemd unit";
            let mine = match &u.write.target {
                Target::Netdev(n) => pf.netdevs.contains(n),
                Target::Pci(a) => a == pf.address,
                Target::Unknown(path) => {
                    if u.enabled {
                        let note =
                            format!("{} writes {path}: which device is not in the text", u.unit);
                        out.unsure
                            .push(source(kind, u.at.clone(), u.write.vfs, &u.text, &note));
                    }
                    continue;
                }
            };
            if !mine {
                continue;
            }
            if u.enabled {
                out.sources
                    .push(source(kind, u.at.clone(), u.write.vfs, &u.text, ""));
            } else {
                let note = format!(
                    "{} is not enabled (no link to it in a .wants directory of {UNITS}): `systemctl enable {}`",
                    u.unit, u.unit
                );
                out.inactive
                    .push(source(kind, u.at.clone(), u.write.vfs, &u.text, &note));
            }
        }
        for i in self.operator.iter().filter(|i| i.pci_address == pf.address) {
            let at = format!("{OPERATOR_CONFIG}:{}", i.line);
            let text = format!(
                "pciaddress: {} numvfs: {}",
                i.pci_address,
                i.num_vfs.map_or("?".to_string(), |n| n.to_string())
            );
            let kind = "SR-IOV network operator";
            if self.operator_service {
                out.sources.push(source(kind, at, i.num_vfs, &text, ""));
            } else {
                let note = format!("{OPERATOR_SERVICE}, which applies it at boot, is not there");
                out.inactive.push(source(kind, at, i.num_vfs, &text, &note));
            }
        }
        out
    }

    fn module_options(&self, pf: &Pf, out: &mut VfPersistence) {
        let Some(driver) = pf.driver else { return };
        let Some(&(module, param)) = VF_OPTIONS.iter().find(|(m, _)| *m == driver) else {
            return;
        };
        let count = |v: &str| -> Option<u32> {
            // mlx4_core takes a list (port 1, port 2, both): their sum.
            let sum = v
                .split(',')
                .map(|n| n.trim().parse::<u32>().ok())
                .sum::<Option<u32>>()?;
            Some(pf.totalvfs.map_or(sum, |t| sum.min(t)))
        };
        for (path, text) in &self.modprobe.files {
            for (i, line) in text.lines().enumerate() {
                let words: Vec<&str> = line.split_whitespace().collect();
                if words.len() < 3 || words[0] != "options" || words[1].replace('-', "_") != module
                {
                    continue;
                }
                for w in &words[2..] {
                    if let Some(v) = w.strip_prefix(param).and_then(|r| r.strip_prefix('=')) {
                        let at = format!("{path}:{}", i + 1);
                        out.sources
                            .push(source("modprobe.d", at, count(v), line, ""));
                    }
                }
            }
        }
        if let Some(params) = &self.cmdline {
            for (k, v) in params {
                if let Some((m, p)) = k.split_once('.') {
                    if m.replace('-', "_") == module && p.replace('-', "_") == param {
                        let text = format!("{k}={v}");
                        out.sources.push(source(
                            "kernel command line",
                            "/proc/cmdline".into(),
                            count(v),
                            &text,
                            "",
                        ));
                    }
                }
            }
        }
    }

    fn udev_rules(&self, pf: &Pf, out: &mut VfPersistence) {
        for (path, rules) in &self.udev {
            for rule in rules {
                let Some(w) = matching::udev_write(rule) else {
                    continue;
                };
                let (answer, key) = matching::udev_applies(rule, w.net, pf);
                let at = format!("{path}:{}", rule.line);
                let vfs = matching::udev_count(&w.assign.value, pf);
                match answer {
                    Tri::Yes => out
                        .sources
                        .push(source("udev rule", at, vfs, &rule.text, "")),
                    Tri::Unsure => {
                        let note = format!(
                            "it matches on {}, which this check cannot evaluate for this PF",
                            key.unwrap_or_default()
                        );
                        out.unsure
                            .push(source("udev rule", at, vfs, &rule.text, &note));
                    }
                    Tri::No => {}
                }
            }
        }
    }

    /// systemd applies the first `.link` file (in name order) whose [Match]
    /// matches an interface, and no other.
    fn link_files(&self, pf: &Pf, out: &mut VfPersistence) {
        let kind = "systemd-networkd .link";
        let mut first: Option<&str> = None;
        for (path, entries) in &self.links {
            let (answer, key) = matching::link_applies(entries, pf);
            let count = matching::link_count(entries);
            match (answer, count, first) {
                (Tri::No, _, _) => {}
                (Tri::Yes, Some((vfs, line)), None) => {
                    let at = format!("{path}:{line}");
                    out.sources
                        .push(source(kind, at, vfs, &line_text(entries, line), ""));
                }
                (_, Some((vfs, line)), Some(winner)) => {
                    let at = format!("{path}:{line}");
                    let note = format!("{winner} matches this interface first, and only the first .link file that matches applies");
                    out.inactive
                        .push(source(kind, at, vfs, &line_text(entries, line), &note));
                }
                (Tri::Unsure, Some((vfs, line)), None) => {
                    let at = format!("{path}:{line}");
                    let note = format!(
                        "its [Match] has {}, which this check cannot evaluate for this PF",
                        key.unwrap_or_default()
                    );
                    out.unsure
                        .push(source(kind, at, vfs, &line_text(entries, line), &note));
                }
                (Tri::Yes, None, None) => first = Some(path.as_str()),
                (_, None, _) => {}
            }
            if answer == Tri::Yes && first.is_none() {
                first = Some(path.as_str());
            }
        }
    }

    fn connections(&self, pf: &Pf, out: &mut VfPersistence) {
        let kind = "NetworkManager";
        for (path, entries) in &self.nm {
            let Some(total) = keyfile::last(entries, "sriov", "total-vfs") else {
                continue;
            };
            let vfs = total.value.parse().ok();
            let at = format!("{path}:{}", total.line);
            let text = format!("[sriov] total-vfs={}", total.value);
            let (answer, why) = matching::nm_applies(entries, pf);
            let autoconnect = keyfile::last(entries, "connection", "autoconnect")
                .is_none_or(|e| !matches!(e.value.as_str(), "false" | "no" | "0"));
            match answer {
                Tri::Yes if autoconnect => out.sources.push(source(kind, at, vfs, &text, "")),
                Tri::Yes => {
                    let note = "autoconnect=false: NetworkManager does not activate it at boot";
                    out.inactive.push(source(kind, at, vfs, &text, note));
                }
                Tri::Unsure => {
                    let note = why.map_or(String::new(), |k| {
                        if k.starts_with("match.") {
                            format!(
                                "it matches on {k}, which this check cannot evaluate for this PF"
                            )
                        } else {
                            k
                        }
                    });
                    out.unsure.push(source(kind, at, vfs, &text, &note));
                }
                Tri::No => {}
            }
        }
    }
}

fn line_text(entries: &[keyfile::Entry], line: usize) -> String {
    entries
        .iter()
        .find(|e| e.line == line)
        .map(|e| format!("{}={}", e.key, e.value))
        .unwrap_or_default()
}
