//! explain: every signature's real examples match it, and on the test host
//! its [test] names, explain puts the right rule first. A signature written
//! from the source alone has no example: the format strings it cites are
//! its grounding (tests/it/signature_formats.rs expands and matches them).

use crate::common;

use crate::common::run;

struct Sig {
    id: String,
    pattern: regex::Regex,
    /// Real examples: (text, where it was quoted from).
    examples: Vec<(String, String)>,
    /// It cites at least one format string of the program that prints it.
    cites_a_format: bool,
    test: Option<(String, String, String)>,
}

fn signatures() -> Vec<Sig> {
    let mut out = Vec::new();
    for (id, v) in crate::common::signature_tomls() {
        let examples = v
            .get("example")
            .and_then(|e| e.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|e| {
                        let text = e.get("text")?.as_str()?.to_string();
                        let source = e.get("source")?.as_str().unwrap_or_default().to_string();
                        Some((text, source))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let test = v.get("test").map(|t| {
            let s = |k: &str| {
                t.get(k)
                    .and_then(|x| x.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            (s("host"), s("first_cause"), s("text"))
        });
        let cites_a_format = v
            .get("format")
            .and_then(|f| f.as_array())
            .is_some_and(|a| !a.is_empty());
        out.push(Sig {
            id,
            pattern: regex::Regex::new(v["pattern"].as_str().unwrap()).unwrap(),
            examples,
            cites_a_format,
            test,
        });
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

#[test]
fn at_least_25_signatures_each_matching_its_real_examples() {
    let sigs = signatures();
    assert!(sigs.len() >= 25, "only {} signatures", sigs.len());
    let with_examples = sigs.iter().filter(|s| !s.examples.is_empty()).count();
    assert!(
        with_examples >= 100,
        "only {with_examples} of {} signatures have a real example",
        sigs.len()
    );
    for s in &sigs {
        assert!(
            !s.examples.is_empty() || s.cites_a_format,
            "{}: neither a real example nor a cited format",
            s.id
        );
        for (e, source) in &s.examples {
            // A real example is quoted from where someone met it (a thread,
            // a guide). A source file holds a format, not a message: it is
            // cited as [[format]], and an example "from" it would be made up.
            assert!(
                source.starts_with("https://")
                    && !source.contains("/blob/")
                    && !source.contains("/tree/"),
                "{}: example source {source}: quote a thread, or cite the source file as a [[format]]",
                s.id
            );
            // Inputs arrive with journal-escaped newlines turned into lines.
            let hit = e
                .replace("\\n", "\n")
                .lines()
                .any(|l| s.pattern.is_match(l));
            assert!(hit, "{}: pattern does not match its example: {e}", s.id);
        }
    }
}

#[test]
fn explain_names_the_right_first_cause_on_each_signatures_test_host() {
    let mut tested = 0;
    let mut wrong = Vec::new();
    for s in signatures() {
        let Some((host, first, text)) = &s.test else {
            continue;
        };
        let root = format!("tests/hosts/{host}/root");
        let r = run(&["explain", "--root", &root, "--format", "json", text]);
        assert!(
            [0, 1].contains(&r.code),
            "{}: exit {}: {}",
            s.id,
            r.code,
            r.stderr
        );
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let matched: Vec<&str> = v["matches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["signature"].as_str().unwrap())
            .collect();
        assert!(
            matched.contains(&s.id.as_str()),
            "{}: its test text matched {matched:?}",
            s.id
        );
        let causes = v["causes"].as_array().cloned().unwrap_or_default();
        let got = causes
            .first()
            .and_then(|c| c["rule"].as_str())
            .unwrap_or("(no cause)");
        let by = causes
            .first()
            .and_then(|c| c["pointed_by"].as_str())
            .unwrap_or("(nothing)");
        // The message must point at its cause: a check that only fails on
        // the host is no diagnosis.
        if got != first || by == "host" {
            wrong.push(format!(
                "{} on {host}: first cause {got} (pointed at by {by}), expected {first}",
                s.id
            ));
        }
        tested += 1;
    }
    assert!(
        wrong.is_empty(),
        "{} of {tested}:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(tested >= 20, "only {tested} signatures have a test host");
    common::note(&format!(
        "{tested} signatures explained on their test hosts"
    ));
}

#[test]
fn the_seeds_error_on_the_seeds_host_names_the_host_driver() {
    let seed = "get_real_device: /sys/bus/pci/devices/0000:03:10.0/config: Permission denied\ninit_assigned_device: Error: Couldn't get real device (03:10.0)!\nFailed to initialize assigned device host=03:10.0";
    let r = run(&[
        "explain",
        "--root",
        "tests/hosts/seed-host-driver/root",
        "--color",
        "never",
        seed,
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let first = r.stdout.split("Most likely cause").nth(1).expect("a cause");
    let first_line = first.lines().nth(1).unwrap();
    assert!(
        first_line.contains("device.host-driver") && first_line.contains("igbvf"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("virsh nodedev-detach pci_0000_03_10_0"),
        "{}",
        r.stdout
    );
}

#[test]
fn an_unknown_message_says_so_and_still_checks_the_host() {
    let r = run(&[
        "explain",
        "--root",
        "tests/hosts/seed-no-vtd/root",
        "--format",
        "json",
        "something odd happened",
    ]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v["matches"].as_array().unwrap().is_empty());
    assert!(v["note"].as_str().unwrap().contains("no known message"));
    assert_eq!(v["causes"][0]["rule"], "firmware.iommu", "{}", r.stdout);
    // Nothing in the input points at it, and the report says so.
    assert_eq!(v["causes"][0]["pointed_by"], "host", "{}", r.stdout);
    assert_eq!(r.code, 1);
    let text = run(&[
        "explain",
        "--root",
        "tests/hosts/seed-no-vtd/root",
        "--color",
        "never",
        "something odd happened",
    ]);
    assert!(
        text.stdout
            .contains("Failing on this host (nothing in the input points at it)")
            && !text.stdout.contains("Most likely cause"),
        "{}",
        text.stdout
    );
}

#[test]
fn a_message_wrapped_over_two_lines_is_recognised_on_its_first() {
    let matched = |text: &str| {
        common::explain_matches("tests/hosts/seed-group-shared/root", text)
            .iter()
            .map(|m| {
                (
                    m["signature"].as_str().unwrap().to_string(),
                    m["line_number"].as_u64().unwrap(),
                    m["captures"]["device"].as_str().map(str::to_string),
                )
            })
            .collect::<Vec<_>>()
    };
    // Wrapped as a forum quotes it: neither half is a known message.
    let wrapped = matched(
        "qemu-system-x86_64: -device vfio-pci,host=0000:03:10.0: vfio 0000:03:10.0: group 7 is not\nviable",
    );
    assert!(
        wrapped.contains(&(
            "vfio-group-not-viable".to_string(),
            1,
            Some("0000:03:10.0".to_string())
        )),
        "{wrapped:?}"
    );
    // Lines each known on their own are not joined, and unrelated lines
    // make nothing.
    let two = matched(
        "vfio 0000:03:10.0: group 7 is not viable\nvfio 0000:03:10.1: group 7 is not viable",
    );
    assert!(
        two.iter().all(|(_, line, _)| [1, 2].contains(line)),
        "{two:?}"
    );
    assert_eq!(
        two.iter().filter(|(_, l, _)| *l == 1).count(),
        two.iter().filter(|(_, l, _)| *l == 2).count()
    );
    assert!(matched("something odd\nhappened here").is_empty());
}

#[test]
fn explain_reads_files_and_standard_input() {
    let dir = std::env::temp_dir().join(format!("sriov-doctor-explain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("qemu.log");
    std::fs::write(&log, "2024-01-01T00:00:00.000000Z qemu-kvm: -device vfio-pci,host=0000:03:10.0: vfio 0000:03:10.0: group 7 is not viable\n").unwrap();
    let from_file = run(&[
        "explain",
        "--root",
        "tests/hosts/seed-group-shared/root",
        "--format",
        "json",
        "--file",
        log.to_str().unwrap(),
    ]);
    let out = std::process::Command::new(common::bin())
        .args([
            "explain",
            "--root",
            "tests/hosts/seed-group-shared/root",
            "--format",
            "json",
        ])
        .stdin(std::fs::File::open(&log).unwrap())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), from_file.stdout);
    let v: serde_json::Value = serde_json::from_str(&from_file.stdout).unwrap();
    assert!(
        !v["matches"].as_array().unwrap().is_empty(),
        "{}",
        from_file.stdout
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// One line of virt-host-validate, as libvirt's tools/virt-host-validate-common.c
/// prints it: "%6s: Checking %-60s: " then "PASS" or "WARN (hint)".
fn vhv(prefix: &str, check: &str, result: &str) -> String {
    format!("{prefix:>6}: Checking {check:<60}: {result}")
}

/// What virt-host-validate prints on a virtual machine without VT-x/AMD-V
/// or an IOMMU (dev-vm-no-iommu's live original): 26 lines, the hints
/// quoted from libvirt's tools/virt-host-validate-{qemu,lxc,common}.c.
fn vhv_on_a_vm() -> String {
    let mut l = vec![
        vhv(
            "QEMU",
            "for hardware virtualization",
            "FAIL (Only emulated CPUs are available, performance will be significantly limited)",
        ),
        vhv("QEMU", "if device /dev/vhost-net exists", "PASS"),
        vhv("QEMU", "if device /dev/net/tun exists", "PASS"),
    ];
    for c in ["memory", "cpu", "cpuacct", "cpuset", "devices", "blkio"] {
        l.push(vhv(
            "QEMU",
            &format!("for cgroup '{c}' controller support"),
            "PASS",
        ));
    }
    l.push(vhv(
        "QEMU",
        "for device assignment IOMMU support",
        "WARN (Unknown if this platform has IOMMU support)",
    ));
    l.push(vhv(
        "QEMU",
        "for secure guest support",
        "WARN (Unknown if this platform has Secure Guest support)",
    ));
    l.push(vhv("LXC", "for Linux >= 2.6.26", "PASS"));
    for n in ["ipc", "mnt", "pid", "uts", "net", "user"] {
        l.push(vhv("LXC", &format!("for namespace {n}"), "PASS"));
    }
    for c in [
        "memory", "cpu", "cpuacct", "cpuset", "devices", "freezer", "blkio",
    ] {
        let r = if c == "freezer" {
            "FAIL (Enable 'freezer' in kernel Kconfig file or mount/enable cgroup controller in your system)".to_string()
        } else {
            "PASS".to_string()
        };
        l.push(vhv(
            "LXC",
            &format!("for cgroup '{c}' controller support"),
            &r,
        ));
    }
    l.push(vhv(
        "LXC",
        "if device /sys/fs/fuse/connections exists",
        "PASS",
    ));
    l.join("\n")
}

#[test]
fn virt_host_validate_output_is_read_line_by_line() {
    let input = vhv_on_a_vm();
    assert_eq!(input.lines().count(), 26);
    let r = run(&[
        "explain",
        "--root",
        "tests/hosts/dev-vm-no-iommu/root",
        "--format",
        "json",
        &input,
    ]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let matches = v["matches"].as_array().unwrap();
    // Every line is recognised: each WARN/FAIL explained, each PASS a pass.
    assert_eq!(matches.len(), 26, "{}", r.stdout);
    for m in matches {
        let line = m["line"].as_str().unwrap();
        let pass = line.ends_with(": PASS");
        assert_eq!(m["outcome"] == "pass", pass, "{line}: {m}");
    }
    let sig = |n: usize| {
        matches
            .iter()
            .find(|m| m["line_number"] == n)
            .map(|m| m["signature"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    assert_eq!(sig(1), "virt-host-validate-no-hw-virt");
    assert_eq!(sig(10), "virt-host-validate-iommu-unknown");
    assert_eq!(sig(11), "virt-host-validate-not-assignment");
    assert_eq!(sig(24), "virt-host-validate-not-assignment");
    // Its causes are the host's failures, the CPU first; a PASS is none.
    assert_eq!(v["causes"][0]["rule"], "cpu.virtualization", "{}", r.stdout);
    assert_eq!(r.code, 1);

    // Only PASS lines: known, and said to report no problem.
    let passes: Vec<&str> = input.lines().filter(|l| l.ends_with("PASS")).collect();
    let r = run(&[
        "explain",
        "--root",
        "tests/hosts/seed-ready/root",
        &passes.join("\n"),
    ]);
    assert!(
        r.stdout.contains("22 line(s) report a check that passed"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("the input reports no problem"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("No known message"), "{}", r.stdout);
}

#[test]
fn explain_never_gives_advice_the_hosts_own_check_contradicts() {
    let line = vhv(
        "QEMU",
        "if IOMMU is enabled by kernel",
        "WARN (IOMMU appears to be disabled in kernel. Add intel_iommu=on to kernel cmdline arguments)",
    );
    // The IOMMU works on seed-ready: its check passes, and says so.
    let r = run(&["explain", "--root", "tests/hosts/seed-ready/root", &line]);
    assert!(
        r.stdout
            .contains("This host's own check disagrees: kernel.iommu passes"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("add intel_iommu=on"), "{}", r.stdout);
    assert!(
        !r.stdout.contains("Add intel_iommu=on to the kernel"),
        "{}",
        r.stdout
    );
    // On a VM whose command line is not the cause, nothing tells the user to
    // change it: the advice is kernel.iommu's, which knows.
    let r = run(&[
        "explain",
        "--root",
        "tests/hosts/dev-vm-no-iommu/root",
        &line,
    ]);
    let advice: String = r
        .stdout
        .lines()
        .filter(|l| !l.contains("Checking") && !l.contains("disabled in kernel. Add"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        advice.contains("The command line is not the cause"),
        "{}",
        r.stdout
    );
    assert!(!advice.contains("GRUB_CMDLINE"), "{}", r.stdout);
    assert!(!advice.contains("grubby"), "{}", r.stdout);
    assert!(
        !advice.to_lowercase().contains("add intel_iommu=on"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_message_naming_a_vf_not_created_yet_blames_its_pf_not_another_vf() {
    // 03:10.7 would be VF 3 of 0000:03:00.1, which has one VF; 03:10.0,
    // which the host uses, is not the cause.
    let seed = "get_real_device: /sys/bus/pci/devices/0000:03:10.7/config: Permission denied\ninit_assigned_device: Error: Couldn't get real device (03:10.7)!";
    let root = "tests/hosts/seed-host-driver/root";
    let r = run(&["explain", "--root", root, "--format", "json", seed]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        v["not_created_yet"],
        serde_json::json!(["0000:03:10.7"]),
        "{}",
        r.stdout
    );
    assert_eq!(v["not_on_host"], serde_json::json!([]));
    assert_eq!(v["causes"][0]["rule"], "sriov.vfs", "{}", r.stdout);
    assert_eq!(v["causes"][0]["subject"], "0000:03:00.1");
    assert!(
        v["causes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["subject"] != "0000:03:10.0"),
        "{}",
        r.stdout
    );
    let r = run(&["explain", "--root", root, "--color", "never", seed]);
    let text = r.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("Not created yet: 0000:03:10.7"),
        "{}",
        r.stdout
    );
    assert!(!text.contains("Not on this host"), "{}", r.stdout);
}

#[test]
fn device_names_what_the_message_is_about_and_a_bad_one_is_a_usage_error() {
    let root = "tests/hosts/seed-group-shared/root";
    // A message that names no device: with -d the device's checks lead.
    let r = run(&[
        "explain",
        "something failed",
        "-d",
        "pci_0000_03_10_0",
        "--root",
        root,
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        v["focus"],
        serde_json::json!(["0000:03:10.0"]),
        "{}",
        r.stdout
    );
    assert_eq!(v["causes"][0]["rule"], "iommu.group", "{}", r.stdout);
    assert_eq!(v["causes"][0]["subject"], "0000:03:10.0");
    let r = run(&["explain", "x", "-d", "zz", "--root", root]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("invalid PCI address 'zz'"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("tip:"), "{}", r.stderr);
}

#[test]
fn a_warning_is_said_to_warn_and_our_commands_keep_the_tree() {
    // The group's missing ACS warns beside the group that fails, and
    // explain says which does what.
    let r = run(&[
        "explain",
        "--root",
        "tests/hosts/seed-group-shared/root",
        "--color",
        "never",
        "vfio 0000:03:10.0: group 7 is not viable",
    ]);
    let text = r.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("On this host: iommu.group fails, iommu.acs warns;"),
        "{}",
        r.stdout
    );
    let root = "tests/hosts/seed-host-driver/root";
    // With a device named, it is a target and fails; every sriov-doctor
    // command suggested reads the same tree.
    let r = run(&[
        "explain",
        "--root",
        root,
        "--color",
        "never",
        "get_real_device: /sys/bus/pci/devices/0000:03:10.0/config: Permission denied\ninit_assigned_device: Error: Couldn't get real device (03:10.0)!",
    ]);
    let text = r.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("On this host: device.host-driver fails;"),
        "{}",
        r.stdout
    );
    let ours: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.contains("$ sriov-doctor "))
        .collect();
    assert!(!ours.is_empty(), "{}", r.stdout);
    for l in ours {
        assert!(l.ends_with(&format!("--root {root}")), "{l}\n{}", r.stdout);
    }
}

/// What a `confirm` command may not do: it is printed for a user to paste
/// on a production host, so it only reads. A command (or subcommand) that
/// changes the host, or output redirected into a file, is refused.
fn writes(command: &str) -> Option<String> {
    let redirect = regex::Regex::new(r"(^|[^2&])>{1,2}\s*(\S+)").unwrap();
    for c in redirect.captures_iter(command) {
        if &c[2] != "/dev/null" {
            return Some(format!("redirects into {}", &c[2]));
        }
    }
    let changing: &[(&str, &[&str])] = &[
        ("rmmod", &[]),
        ("insmod", &[]),
        ("tee", &[]),
        ("dd", &[]),
        ("sysctl", &["-w"]),
        (
            "virsh",
            &[
                "nodedev-detach",
                "nodedev-reattach",
                "nodedev-reset",
                "start",
                "destroy",
                "shutdown",
                "reboot",
                "attach-device",
                "detach-device",
                "define",
                "undefine",
                "edit",
                "setmaxmem",
                "setmem",
                "create",
            ],
        ),
        (
            "qm",
            &[
                "set", "start", "stop", "destroy", "create", "shutdown", "reboot",
            ],
        ),
        (
            "xl",
            &[
                "pci-assignable-add",
                "pci-assignable-remove",
                "pci-attach",
                "pci-detach",
                "create",
                "destroy",
                "shutdown",
            ],
        ),
        (
            "mdevctl",
            &["start", "stop", "define", "undefine", "modify"],
        ),
        ("driverctl", &["set-override", "unset-override"]),
        (
            "systemctl",
            &["start", "stop", "restart", "enable", "disable", "reload"],
        ),
        (
            "kubectl",
            &[
                "apply", "delete", "edit", "patch", "create", "label", "annotate",
            ],
        ),
        ("ip", &["set", "add", "del", "delete"]),
        (
            "dpdk-devbind.py",
            &["-b", "--bind", "-u", "--unbind", "--force"],
        ),
        ("setpci", &["="]),
    ];
    for segment in command.split(['|', ';', '&', '`', '(', ')']) {
        let words: Vec<&str> = segment.split_whitespace().collect();
        let Some(first) = words.first() else { continue };
        let name = first.rsplit('/').next().unwrap_or(first);
        if name == "modprobe"
            && !words.iter().any(|w| {
                [
                    "-n",
                    "--dry-run",
                    "-c",
                    "--showconfig",
                    "-D",
                    "--show-depends",
                    "-R",
                ]
                .contains(w)
            })
        {
            return Some("modprobe loads a module".to_string());
        }
        for (tool, subcommands) in changing {
            if name != *tool {
                continue;
            }
            if subcommands.is_empty() {
                return Some(format!("{tool} changes the host"));
            }
            if let Some(w) = words[1..].iter().find(|w| {
                subcommands
                    .iter()
                    .any(|s| *w == s || (*s == "=" && w.contains('=')))
            }) {
                return Some(format!("{tool} {w} changes the host"));
            }
        }
    }
    None
}

#[test]
fn every_confirm_command_only_reads() {
    // The checker refuses what it must.
    for bad in [
        "modprobe vfio_iommu_type1",
        "echo 1 > /sys/bus/pci/devices/0000:03:00.0/sriov_numvfs",
        "virsh nodedev-detach pci_0000_03_10_0",
        "dmesg | tee /tmp/x",
        "ip link set enp3s0f0 up",
        "setpci -s 03:00.0 COMMAND=0x02",
    ] {
        assert!(writes(bad).is_some(), "not refused: {bad}");
    }
    for good in [
        "modinfo -n vfio_iommu_type1",
        "dmesg 2>/dev/null | grep -i dmar",
        "ip -d link show",
        "virsh nodedev-dumpxml pci_0000_03_10_0",
        "setpci -s 03:00.0 COMMAND",
    ] {
        assert_eq!(writes(good), None, "{good}");
    }
    let mut bad = Vec::new();
    for (id, v) in crate::common::signature_tomls() {
        for c in v
            .get("confirm")
            .and_then(|c| c.as_array())
            .into_iter()
            .flatten()
        {
            let c = c.as_str().unwrap_or_default();
            if let Some(why) = writes(c) {
                bad.push(format!("{id}: `{c}`: {why}"));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "confirm commands that change the host:\n{}",
        bad.join("\n")
    );
}

#[test]
fn a_failure_no_rule_checks_is_not_called_no_problem() {
    // iommu-dma-ops-setup-failed has outcome "other": a real failure that
    // no rule checks, so the note must not say the input reports no problem.
    let r = run(&[
        "explain",
        "--root",
        "tests/hosts/seed-ready/root",
        "--format",
        "json",
        "[ 280.143637] Failed to set up IOMMU for device 0006:58:00.0; retaining platform DMA ops",
    ]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["matches"][0]["outcome"], "other", "{}", r.stdout);
    let note = v["note"].as_str().unwrap_or_default();
    assert!(
        note.contains("1 report a failure no rule checks") && !note.contains("no problem"),
        "{note}"
    );
}
