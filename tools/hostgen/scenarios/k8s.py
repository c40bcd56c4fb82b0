"""k8s-*: the seed host as a Kubernetes node running the SR-IOV network device plugin.

The seed host (82576, PFs enp3s0f0 and enp3s0f1 on igb, one VF each, 03:10.0 and
03:10.1, on vfio-pci) with the plugin's configuration at /etc/pcidp/config.json,
where the plugin's DaemonSet (deployments/sriovdp-daemonset.yaml) mounts its
`sriovdp-config` ConfigMap and which is its --config-file default. The files
follow the shape of the plugin's deployments/configMap.yaml and
docs/config-file (k8snetworkplumbingwg/sriov-network-device-plugin v3.11.0):
`resourceList` entries with `resourceName` and `selectors`, one object or a
list of objects.
"""

import json

from ..readme import finish_readme
from ..seedhost import seed_host

CONFIG = "etc/pcidp/config.json"


def config(resources):
    return json.dumps({"resourceList": resources}, indent=4) + "\n"


def k8s_host(name, c, description, resources, node):
    h = seed_host(name, corpus=c)
    h.description = description
    h.targets = ["0000:03:10.0"]
    h.files[CONFIG] = config(resources)
    h.files["proc/sys/kernel/hostname"] = node + "\n"
    h.files["etc/hostname"] = node + "\n"
    return h


def base(node):
    return ("- The seed host's hardware and kernel files (those of seed-ready: IOMMU on, PFs\n"
            "  03:00.0 `enp3s0f0` and 03:00.1 `enp3s0f1` on igb with one VF each, VFs 03:10.0 and\n"
            "  03:10.1 (8086:10ca) on vfio-pci), as a Kubernetes node `%s` whose SR-IOV network\n"
            "  device plugin reads `etc/pcidp/config.json`.\n" % node)


def sc_k8s_ready(c):
    h = k8s_host("k8s-ready", c, "Kubernetes node: the device plugin's resources select both VFs", [
        {"resourceName": "intel_sriov_dpdk",
         "selectors": {"vendors": ["8086"], "devices": ["10ca"], "drivers": ["vfio-pci"],
                       "pfNames": ["enp3s0f0"]}},
        {"resourceName": "intel_sriov_port1", "resourcePrefix": "example.com",
         "selectors": [{"vendors": ["8086"], "drivers": ["vfio-pci"],
                        "rootDevices": ["0000:03:00.1#0-0"]}]},
    ], "worker1")
    h.verdict = "READY"
    h.verdict_with_devices = "READY"
    finish_readme(h, "k8s-ready", base("worker1") + (
        "- `intel.com/intel_sriov_dpdk`: selectors object vendors 8086, devices 10ca, drivers\n"
        "  vfio-pci, pfNames enp3s0f0: VF 03:10.0.\n"
        "- `example.com/intel_sriov_port1`: a list of one selector object, rootDevices\n"
        "  `0000:03:00.1#0-0`: VF 03:10.1.\n"),
        "Every check passes; platform.k8s-device-plugin names one VF for each resource.\n")
    return h


def sc_k8s_wrong_driver(c):
    h = k8s_host("k8s-wrong-driver", c, "Kubernetes node: the resource asks for iavf/igbvf, the VFs are on vfio-pci", [
        {"resourceName": "intel_sriov_netdevice",
         "selectors": {"vendors": ["8086"], "devices": ["10ca"], "drivers": ["iavf", "igbvf"]}},
    ], "worker2")
    h.verdict = "NOT READY"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "k8s-wrong-driver", base("worker2") + (
        "- `intel.com/intel_sriov_netdevice`: vendors 8086, devices 10ca, drivers `iavf`, `igbvf`\n"
        "  (the kernel drivers of the upstream example), while both VFs are on vfio-pci.\n"),
        "platform.k8s-device-plugin fails: the drivers selector matches none of the two VFs; its\n"
        "fix sets `\"drivers\": [\"vfio-pci\"]`.\n")
    return h


def sc_k8s_pf_id(c):
    h = k8s_host("k8s-pf-id", c, "Kubernetes node: the resource's devices list the PF's id 10c9", [
        {"resourceName": "intel_sriov_dpdk",
         "selectors": {"vendors": ["8086"], "devices": ["10c9"], "drivers": ["vfio-pci"]}},
    ], "worker3")
    h.verdict = "NOT READY"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "k8s-pf-id", base("worker3") + (
        "- `intel.com/intel_sriov_dpdk`: devices `10c9`, the 82576 PF's id; its VFs are 10ca, and\n"
        "  the plugin does not offer a PF that has VFs.\n"),
        "platform.k8s-device-plugin fails naming 10c9 as the PF's id; its fix sets\n"
        "`\"devices\": [\"10ca\"]`.\n")
    return h


def sc_k8s_no_pf(c):
    h = k8s_host("k8s-no-pf", c, "Kubernetes node: pfNames names an absent interface and a VF range beyond the VFs", [
        {"resourceName": "sriov_ens1f0",
         "selectors": [{"vendors": ["8086"], "pfNames": ["ens1f0"]}]},
        {"resourceName": "sriov_port1",
         "selectors": {"pfNames": ["enp3s0f1#2-5"]}},
    ], "worker4")
    h.verdict = "NOT READY"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "k8s-no-pf", base("worker4") + (
        "- `intel.com/sriov_ens1f0`: pfNames `ens1f0`, an interface this host does not have.\n"
        "- `intel.com/sriov_port1`: pfNames `enp3s0f1#2-5`, while enp3s0f1 has one VF (index 0).\n"),
        "platform.k8s-device-plugin fails for both resources: no PF is named ens1f0 (fix\n"
        "`\"pfNames\": [\"enp3s0f0\", \"enp3s0f1\"]`), and enp3s0f1 has VFs 0-0 (fix\n"
        "`enp3s0f1#0-0`).\n")
    return h
