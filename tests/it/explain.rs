//! explain: every signature's real examples match it, and on the test host
//! its [test] names, explain puts the right rule first.

use crate::common;

use crate::common::run;

struct Sig {
    id: String,
    pattern: regex::Regex,
    examples: Vec<String>,
    test: Option<(String, String, String)>,
}

fn signatures() -> Vec<Sig> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("rules/signatures").expect("rules/signatures") {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let v: toml::Value =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let examples = v
            .get("example")
            .and_then(|e| e.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|e| e.get("text")?.as_str().map(String::from))
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
        out.push(Sig {
            id: path.file_stem().unwrap().to_string_lossy().into_owned(),
            pattern: regex::Regex::new(v["pattern"].as_str().unwrap()).unwrap(),
            examples,
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
    for s in &sigs {
        assert!(!s.examples.is_empty(), "{}: no example", s.id);
        for e in &s.examples {
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
        let got = v["causes"][0]["rule"].as_str().unwrap_or("(no cause)");
        if got != first {
            wrong.push(format!(
                "{} on {host}: first cause {got}, expected {first}",
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
    assert_eq!(r.code, 1);
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
