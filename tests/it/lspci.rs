//! The test hosts are real enough for pciutils: `lspci -A linux-sysfs` reads
//! each tree as a host and finds the devices, ids and drivers the tree was
//! built with (kept in lspci-nnk.txt beside it), and the same devices
//! sriov-doctor finds.

use crate::common;

use std::process::Command;

/// "03:10.0 Ethernet controller [0200]: Intel … [8086:10ca] (rev 01)" → ("03:10.0", "8086:10ca").
fn device_lines(text: &str) -> Vec<(String, String, Option<String>)> {
    let mut out: Vec<(String, String, Option<String>)> = Vec::new();
    for line in text.lines() {
        if let Some(driver) = line.trim().strip_prefix("Kernel driver in use: ") {
            if let Some(last) = out.last_mut() {
                last.2 = Some(driver.to_string());
            }
        } else if !line.starts_with(char::is_whitespace) && !line.is_empty() {
            let addr = line.split_whitespace().next().unwrap().to_string();
            let ids = line
                .rsplit('[')
                .find(|p| p.len() >= 10 && p.as_bytes()[4] == b':')
                .map(|p| p[..9].to_string())
                .unwrap_or_default();
            out.push((addr, ids, None));
        }
    }
    out
}

#[test]
#[allow(clippy::disallowed_macros)]
fn lspci_reads_every_tree_as_a_host() {
    let probe = Command::new("lspci").arg("--version").output();
    if probe.is_err() {
        if std::env::var_os("CI").is_some() {
            panic!("lspci (pciutils) is not installed: .ci/run installs it");
        }
        crate::common::skipped("lspci (pciutils) is not installed here");
        return;
    }
    for host in common::hosts() {
        let out = Command::new("lspci")
            .args(["-A", "linux-sysfs", "-O"])
            .arg(format!("sysfs.path={}/sys/bus/pci", host.root))
            .arg("-nnk")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}: lspci failed", host.name);
        let ours = device_lines(&String::from_utf8_lossy(&out.stdout));
        let kept =
            std::fs::read_to_string(format!("tests/hosts/{}/lspci-nnk.txt", host.name)).unwrap();
        let kept = device_lines(&kept);
        assert_eq!(
            ours, kept,
            "{}: lspci now reads the tree differently",
            host.name
        );
        assert!(
            ours.iter().all(|(_, ids, _)| ids.len() == 9),
            "{}: {ours:?}",
            host.name
        );

        let report = common::run(&["check", "--root", &host.root, "--format", "json"]);
        let report: serde_json::Value = serde_json::from_str(&report.stdout).unwrap();
        assert_eq!(
            report["host"]["pci_devices"],
            ours.len(),
            "{}: device count",
            host.name
        );
    }
}
