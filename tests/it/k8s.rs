//! The Kubernetes SR-IOV network device plugin: platform.k8s-device-plugin
//! names the resource and the selector that leaves it empty, with the value
//! the host has, and `list --for k8s` shows where each VF lands (k8s-*
//! hosts, tools/hostgen/scenarios/k8s.py).

use crate::common::{finding, run};

fn root(host: &str) -> String {
    format!("tests/hosts/{host}/root")
}

fn k8s_finding(host: &str) -> serde_json::Value {
    let r = run(&["check", "--root", &root(host), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    finding(&v, "platform.k8s-device-plugin", "host").clone()
}

#[test]
fn each_failure_names_the_resource_the_selector_and_the_hosts_value() {
    // (host, what the message must say, what the fix must set)
    let cases = [
        (
            "k8s-wrong-driver",
            vec![
                "intel.com/intel_sriov_netdevice gets no device",
                "\"drivers\": [\"iavf\", \"igbvf\"]",
                "vfio-pci",
            ],
            "\"drivers\": [\"vfio-pci\"]",
        ),
        (
            "k8s-pf-id",
            vec![
                "\"devices\": [\"10c9\"]",
                "10c9 is the id of PF 0000:03:00.0 (its VFs are 10ca)",
            ],
            "\"devices\": [\"10ca\"]",
        ),
        (
            "k8s-no-pf",
            vec!["no PF with VFs is named ens1f0", "enp3s0f1 has VFs 0-0"],
            "\"pfNames\": [\"enp3s0f1#0-0\"]",
        ),
    ];
    for (host, says, fix) in cases {
        let f = k8s_finding(host);
        assert_eq!(f["status"], "fail", "{host}: {f}");
        let msg = f["message"].as_str().unwrap();
        for s in says {
            assert!(msg.contains(s), "{host}: {s:?} not in {msg}");
        }
        let rem = f["remediation"][0].as_str().unwrap();
        assert!(rem.contains(fix), "{host}: {fix:?} not in {rem}");
        assert!(
            rem.contains(
                "kubectl -n kube-system rollout restart daemonset/kube-sriov-device-plugin"
            ),
            "{rem}"
        );
    }
}

#[test]
fn a_ready_node_says_what_each_resource_gets_and_a_node_without_the_plugin_skips() {
    let f = k8s_finding("k8s-ready");
    assert_eq!(f["status"], "pass", "{f}");
    assert_eq!(
        f["message"],
        "intel.com/intel_sriov_dpdk: 1 VF; example.com/intel_sriov_port1: 1 VF"
    );
    let f = k8s_finding("seed-ready");
    assert_eq!(f["status"], "skip", "{f}");
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("no /etc/pcidp/config.json"));
}

#[test]
fn a_config_the_plugin_refuses_fails_and_never_panics() {
    let dir = crate::common::scratch("k8s-bad-json");
    crate::common::copy_tree(std::path::Path::new(&root("k8s-ready")), &dir);
    let config = dir.join("etc/pcidp/config.json");
    for (text, says) in [
        ("{\"resourceList\": [", "not JSON"),
        ("{\"resourceList\": [{\"resourceName\": \"a\", \"selectors\": {\"vendors\": \"8086\"}}]}", "the plugin skips it"),
        ("{\"resourceList\": [{\"resourceName\": \"sriov net\", \"selectors\": {}}]}", "invalid characters"),
        ("\u{0}\u{ff}", "not JSON"),
    ] {
        std::fs::write(&config, text).unwrap();
        let r = run(&["check", "--root", &dir.to_string_lossy(), "--format", "json"]);
        assert_eq!(r.code, 1, "{text}: {}", r.stderr);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let f = finding(&v, "platform.k8s-device-plugin", "host");
        assert_eq!(f["status"], "fail", "{f}");
        assert!(f["message"].as_str().unwrap().contains(says), "{says}: {f}");
    }
}

#[test]
fn list_for_k8s_shows_the_resource_of_each_vf() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for host in ["k8s-ready", "k8s-no-pf", "seed-ready"] {
            let r = run(&["list", "--for", "k8s", "--root", &root(host)]);
            assert_eq!(r.code, 0, "{host}: {}", r.stderr);
            insta::assert_snapshot!(format!("list__{host}__k8s"), r.transcript());
        }
    });
    let r = run(&[
        "list",
        "--for",
        "k8s",
        "--root",
        &root("k8s-wrong-driver"),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let vf = &v["pfs"][0]["vfs"][0];
    assert_eq!(vf["address"], "0000:03:10.0");
    assert_eq!(vf["k8s_resource"], serde_json::Value::Null);
    assert!(
        vf["k8s_why_not"][0]
            .as_str()
            .unwrap()
            .contains("it has vfio-pci"),
        "{vf}"
    );
    let r = run(&[
        "list",
        "--for",
        "k8s",
        "--root",
        &root("k8s-ready"),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        v["pfs"][1]["vfs"][0]["k8s_resource"],
        "example.com/intel_sriov_port1"
    );
    let r = run(&[
        "list",
        "--for",
        "k8s",
        "--format",
        "dot",
        "--root",
        &root("k8s-ready"),
    ]);
    assert_eq!(r.code, 2, "{}", r.stdout);
}
