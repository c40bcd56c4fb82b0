"""VFs that do or do not survive a reboot (sriov.persistence): the seed host with
one VF on each igb port, as sysfs made them, and the boot configuration that
recreates them, or none. Each file is in the form its own documentation gives:
udev(7) rules, systemd.link(5) with SR-IOVVirtualFunctions= (systemd 251 and
later), a NetworkManager keyfile (nm-settings-keyfile(5), `[sriov] total-vfs`),
a systemd unit enabled as `systemctl enable` links it, and modprobe.d(5).
"""

from ..readme import finish_readme
from ..seedhost import seed_host

IGB_CONF = "etc/modprobe.d/igb.conf"


def persist_host(name, c):
    """The seed host (both PFs with 1 VF, on vfio-pci) without its igb.conf."""
    h = seed_host(name, corpus=c)
    del h.files[IGB_CONF]
    h.targets = []
    h.verdict = "READY, with warnings"
    h.verdict_with_devices = None
    return h


def enable(h, unit):
    """/etc/systemd/system/multi-user.target.wants/UNIT, as `systemctl enable` makes it."""
    def hook(t):
        t.abs_link("etc/systemd/system/multi-user.target.wants/" + unit,
                   "/etc/systemd/system/" + unit)
    h.post_render.append(hook)


SEED_STATE = (
    "- The seed host's hardware and kernel files (those of seed-ready: IOMMU on, 82576 with\n"
    "  one VF on each port, 03:10.0 and 03:10.1, on vfio-pci; interfaces enp3s0f0 and\n"
    "  enp3s0f1), without seed-ready's `etc/modprobe.d/igb.conf` (`options igb max_vfs=1`).\n")

UNIT_NOT_ENABLED = """\
[Unit]
Description=Create the VFs of enp3s0f1
After=network-pre.target

[Service]
Type=oneshot
ExecStart=/bin/sh -c 'echo 1 > /sys/class/net/enp3s0f1/device/sriov_numvfs'

[Install]
WantedBy=multi-user.target
"""


def sc_persist_none(c):
    h = persist_host("persist-none", c)
    h.description = "VFs exist, nothing recreates them at boot (a unit that would is not enabled)"
    h.files["etc/systemd/system/sriov-vfs.service"] = UNIT_NOT_ENABLED
    finish_readme(h, "persist-none", SEED_STATE + (
        "- `etc/systemd/system/sriov-vfs.service` writes 1 to enp3s0f1's sriov_numvfs, but no\n"
        "  `.wants` directory links it: it is not enabled.\n"),
        "sriov.persistence warns on both PFs: nothing recreates 03:00.0's VF at boot, and\n"
        "03:00.1's unit is not enabled (its fix: `systemctl enable sriov-vfs.service`).\n")
    return h


UDEV_RULES = """\
# VFs of the first port, once its interface exists (its driver is bound).
ACTION=="add", SUBSYSTEM=="net", KERNELS=="0000:03:00.0", ATTR{device/sriov_numvfs}="1"

# Any Intel PF that has a port named eth0: udev decides at boot.
SUBSYSTEM=="pci", ATTR{vendor}=="0x8086", TEST=="/sys/$devpath/net/eth0", \\
    ATTR{sriov_numvfs}="$attr{sriov_totalvfs}"
"""


def sc_persist_udev(c):
    h = persist_host("persist-udev", c)
    h.description = "a udev rule recreates 03:00.0's VF; 03:00.1's only by a rule whose match cannot be told"
    h.files["etc/udev/rules.d/70-sriov.rules"] = UDEV_RULES
    finish_readme(h, "persist-udev", SEED_STATE + (
        "- `etc/udev/rules.d/70-sriov.rules`: a rule on the `net` add event of the interface\n"
        "  under 0000:03:00.0 writes `device/sriov_numvfs` = 1; a continued rule for Intel PCI\n"
        "  devices that have a `net/eth0` (udev's TEST, which only the live boot decides) writes\n"
        "  sriov_totalvfs.\n"),
        "sriov.persistence passes on 03:00.0 (70-sriov.rules:2 sets 1, as now) and warns on\n"
        "03:00.1: the second rule may set its VFs, but whether it matches cannot be told\n"
        "from the files.\n")
    return h


LINK = """\
[Match]
Path=pci-0000:03:00.0

[Link]
NamePolicy=keep kernel database onboard slot path
AlternativeNamesPolicy=database onboard slot path
MACAddressPolicy=persistent
SR-IOVVirtualFunctions=1
"""

NMCONNECTION = """\
[connection]
id=enp3s0f1
uuid=6f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b
type=ethernet
interface-name=enp3s0f1

[ethernet]

[sriov]
total-vfs=1

[ipv4]
method=disabled

[ipv6]
addr-gen-mode=default
method=disabled

[proxy]
"""


def sc_persist_networkd(c):
    h = persist_host("persist-networkd", c)
    h.verdict = "READY"
    h.description = "a systemd .link file recreates 03:00.0's VF, a NetworkManager connection 03:00.1's"
    h.files["etc/systemd/network/70-enp3s0f0-sriov.link"] = LINK
    h.files["etc/NetworkManager/system-connections/enp3s0f1.nmconnection"] = NMCONNECTION
    finish_readme(h, "persist-networkd", SEED_STATE + (
        "- `etc/systemd/network/70-enp3s0f0-sriov.link`: `[Match] Path=pci-0000:03:00.0`,\n"
        "  `[Link] SR-IOVVirtualFunctions=1` (with the naming policies of 99-default.link, which\n"
        "  this file replaces for the interface).\n"
        "- `etc/NetworkManager/system-connections/enp3s0f1.nmconnection`: `interface-name=enp3s0f1`,\n"
        "  `[sriov] total-vfs=1`, autoconnect by default.\n"),
        "sriov.persistence passes on both PFs: each is recreated with the 1 VF it has now.\n")
    return h


UNIT_ENABLED = """\
[Unit]
Description=SR-IOV VFs
Before=libvirtd.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/sriov-vfs.sh

[Install]
WantedBy=multi-user.target
"""

SCRIPT = """\
#!/bin/sh
# One VF for the second port.
echo 1 > /sys/bus/pci/devices/0000:03:00.1/sriov_numvfs
"""


def sc_persist_count_differs(c):
    h = persist_host("persist-count-differs", c)
    h.description = "igb max_vfs=7 in modprobe.d while each PF has 1 VF now"
    h.files[IGB_CONF] = "options igb max_vfs=7\n"
    h.files["etc/systemd/system/sriov-vfs.service"] = UNIT_ENABLED
    h.files["usr/local/sbin/sriov-vfs.sh"] = SCRIPT
    enable(h, "sriov-vfs.service")
    finish_readme(h, "persist-count-differs", SEED_STATE + (
        "- `etc/modprobe.d/igb.conf`: `options igb max_vfs=7`: at boot igb creates 7 VFs on\n"
        "  each port.\n"
        "- `etc/systemd/system/sriov-vfs.service`, enabled (linked from\n"
        "  `multi-user.target.wants`), runs `usr/local/sbin/sriov-vfs.sh`, which writes 1 to\n"
        "  03:00.1's sriov_numvfs.\n"),
        "sriov.persistence warns on both PFs: igb.conf sets 7 VFs at boot and each has 1 now.\n")
    return h
