"""nova-*: OpenStack Nova compute nodes on the seed host, their [pci] configuration right and wrong.

The seed host (82576 PFs 8086:10c9 at 03:00.0/03:00.1 with netdevs enp3s0f0/enp3s0f1,
one VF 8086:10ca each at 03:10.0/03:10.1 on vfio-pci) as a RHEL 9 compute node:
/usr/bin/nova-compute and /etc/nova/nova.conf in oslo.config's INI form, as the
installation guide and nova/conf/pci.py show it (device_spec and alias values in
JSON, a value continued on indented lines, the option repeated for several values).
"""

from ..readme import finish_readme
from ..seedhost import seed_host

CONF_HEAD = """\
[DEFAULT]
# Managed by the deployment tool.
enabled_apis = osapi_compute,metadata
my_ip = 10.0.0.31
compute_driver = libvirt.LibvirtDriver
state_path = /var/lib/nova
transport_url = rabbit://openstack:RABBIT_PASS@controller

[api]
auth_strategy = keystone

[database]
connection = mysql+pymysql://nova:NOVA_DBPASS@controller/nova

[libvirt]
virt_type = kvm

[filter_scheduler]
enabled_filters = ComputeFilter,ComputeCapabilitiesFilter,ImagePropertiesFilter,PciPassthroughFilter
available_filters = nova.scheduler.filters.all_filters

"""

READY_PCI = """\
[pci]
# The 82576 VFs, for SR-IOV ports and the flavor alias igb-vf.
device_spec = { "vendor_id": "8086", "product_id": "10ca",
    "physical_network": "physnet2" }
alias = { "name": "igb-vf", "vendor_id": "8086", "product_id": "10ca",
    "device_type": "type-VF", "numa_policy": "preferred" }
"""

PF_ID_PCI = """\
[pci]
# lspci shows the card as 8086:10c9, so that is what was written.
device_spec = { "vendor_id": "8086", "product_id": "10c9", "physical_network": "physnet2" }
alias = { "name": "igb-vf", "vendor_id": "8086", "product_id": "10c9", "device_type": "type-VF" }
"""

NO_MATCH_PCI = """\
[pci]
device_spec = { "vendor_id": "8086", "product_id": "10ca", "address": "0000:03:10.*" }
# Copied from the other rack's nodes, whose card sits on bus 04.
device_spec = { "address": "0000:04:10.*", "physical_network": "physnet3" }
alias = { "name": "igb-vf", "vendor_id": "8086", "product_id": "10ca", "device_type": "type-VF" }
"""

LEGACY_CONF = """\
[DEFAULT]
my_ip = 10.0.0.32
compute_driver = libvirt.LibvirtDriver
# Before Liberty these lived in [DEFAULT].
pci_passthrough_whitelist = [{"devname": "enp3s0f0", "physical_network": "physnet2"},
  {"address": {"domain": ".*", "bus": "03", "slot": "10", "function": "[1-7]"},
   "physical_network": "physnet3"}]

[libvirt]
virt_type = kvm
"""

LEGACY_D = """\
[pci]
passthrough_whitelist = {"address": "*:03:10.*", "vendor_id": "8086"}
passthrough_whitelist = {"vendor_id": "8086", "product_id": "10ca"}
alias = {"name": "igb-vf", "vendor_id": "8086", "product_id": "10ca", "device_type": "type-VF"}
"""


def nova_host(c, name, conf, extra=None):
    h = seed_host(name, corpus=c)
    h.files["etc/nova/nova.conf"] = conf
    for path, text in (extra or {}).items():
        h.files[path] = text
    h.files["usr/bin/nova-compute"] = (
        "#!/usr/bin/python3\n# PBR Generated from 'console_scripts'\n"
        "import sys\nfrom nova.cmd.compute import main\n"
        "if __name__ == \"__main__\":\n    sys.exit(main())\n")
    h.targets = ["0000:03:10.0"]
    return h


def sc_nova_ready(c):
    h = nova_host(c, "nova-ready", CONF_HEAD + READY_PCI)
    h.description = "Nova compute node whose [pci] device_spec and type-VF alias name the VFs' id 8086:10ca"
    h.verdict = "READY"
    h.verdict_with_devices = "READY"
    finish_readme(h, "nova-ready", (
        "- The seed host (seed-ready: IOMMU on, both VFs on vfio-pci) as a RHEL 9 Nova compute\n"
        "  node: `/usr/bin/nova-compute`, `/etc/nova/nova.conf` (with the install guide's placeholder\n"
        "  passwords, which a bundle must not keep).\n"
        "- `[pci] device_spec = { \"vendor_id\": \"8086\", \"product_id\": \"10ca\", … }`, its value\n"
        "  continued on an indented line, and `alias` igb-vf (type-VF, 8086:10ca).\n"),
        "Every check passes; platform.nova-pci says device_spec #1 matches 2 VFs and alias\n"
        "igb-vf can get 2 devices.\n")
    return h


def sc_nova_pf_id(c):
    h = nova_host(c, "nova-pf-id", CONF_HEAD + PF_ID_PCI)
    h.description = "Nova compute node whose device_spec and type-VF alias name the PF's id 10c9, not the VF's 10ca"
    h.verdict = "NOT READY"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "nova-pf-id", (
        "- As nova-ready, but `device_spec` and the type-VF alias igb-vf say product_id `10c9`:\n"
        "  the 82576 PF's id (what `lspci -nn` shows for the card), not its VFs' `10ca`.\n"),
        "platform.nova-pci fails: the spec matches the two PFs only, so no type-VF device can\n"
        "serve alias igb-vf (nova: \"PCI device request … failed\"); the fix sets product_id\n"
        "10ca in the alias and in device_spec #1.\n")
    return h


def sc_nova_no_match(c):
    h = nova_host(c, "nova-no-match", CONF_HEAD + NO_MATCH_PCI)
    h.description = "Nova compute node with a device_spec whose address (bus 04) matches no device"
    h.verdict = "NOT READY"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "nova-no-match", (
        "- As nova-ready, with two `device_spec` lines: the first (8086:10ca at `0000:03:10.*`)\n"
        "  matches both VFs; the second (`0000:04:10.*`, physnet3) was copied from nodes whose\n"
        "  card is on bus 04, and this host has no device there.\n"),
        "platform.nova-pci fails naming device_spec #2 and its address; alias igb-vf is served\n"
        "by the first spec.\n")
    return h


def sc_nova_legacy(c):
    h = nova_host(c, "nova-legacy", LEGACY_CONF, {"etc/nova/nova.conf.d/50-pci.conf": LEGACY_D})
    h.description = ("Nova compute node with the legacy option names: [DEFAULT] pci_passthrough_whitelist "
                     "(a list: devname, regex address) and repeated [pci] passthrough_whitelist in nova.conf.d")
    h.verdict = "READY"
    h.verdict_with_devices = "READY"
    finish_readme(h, "nova-legacy", (
        "- `/etc/nova/nova.conf` sets `[DEFAULT] pci_passthrough_whitelist` (before Liberty's\n"
        "  `[pci] passthrough_whitelist`, now `device_spec`) to a JSON list over two lines: a\n"
        "  `devname` spec (enp3s0f0, the PF 03:00.0: it matches the PF and its VF 03:10.0) and a\n"
        "  regular-expression address (bus 03, slot 10, function 1-7: VF 03:10.1).\n"
        "- `/etc/nova/nova.conf.d/50-pci.conf` (read after nova.conf) repeats `[pci]\n"
        "  passthrough_whitelist` twice (a glob address `*:03:10.*`, and the VF ids) and has\n"
        "  the alias igb-vf.\n"),
        "Every check passes: nova reads every value of every name of the option, from every file.\n")
    return h
