"""Causes the kernel shows in sysfs and its log: a PF whose VF BARs got no address
space (seed-vf-bar-space), a VF whose reset methods were all disabled
(amd-reset-disabled). Each writes the kernel log a tree keeps, var/log/dmesg.
"""

from ..readme import finish_readme
from ..seedhost import seed_host
from .amd import amd_host

SRIOV_CAP = 0x160  # where i82576_pf puts the SR-IOV capability


def dmesg(lines):
    """var/log/dmesg as `dmesg` writes it: "[SECONDS.MICROS] text" per line."""
    return "".join("[%12.6f] %s\n" % (t, text) for t, text in lines)


# The first lines of the seed host's kernel log (RHEL 9.4, IOMMU on).
SEED_BOOT = [
    (0.0, "Linux version 5.14.0-427.13.1.el9_4.x86_64 (mockbuild@x86-vm-07.build.eng.bos.redhat.com)"),
    (0.0, "DMAR: IOMMU enabled"),
]


def seed_plus_device(name, c, make_dev, hostname, log):
    """The seed host with one more device, make_dev(group) in the next free IOMMU
    group, the hostname given, and var/log/dmesg: the seed's boot lines, then log.
    Returns the host and the group."""
    h = seed_host(name, corpus=c)
    group = max(d.group for d in h.devs if d.group is not None) + 1
    h.devs = h.devs + [make_dev(group)]
    h.files["proc/sys/kernel/hostname"] = hostname + "\n"
    h.files["etc/hostname"] = hostname + "\n"
    h.files["var/log/dmesg"] = dmesg(SEED_BOOT + log)
    return h, group


def sc_seed_vf_bar_space(c):
    h = seed_host("seed-vf-bar-space", numvfs=0, corpus=c)
    pf = h.dev("0000:03:00.0")
    # The firmware left the VF BARs at 0 and the kernel found no room for them under
    # the root port's window: the IOV resources (resource lines 7-12) are reset to
    # "0 0 0", and the SR-IOV capability's VF BAR 0 and 3 registers keep only their
    # type bits (64-bit memory, 0x4).
    pf.iov_bars = [None, None, None]
    cfg = bytearray(pf.config)
    for bar in (0, 3):
        off = SRIOV_CAP + 0x24 + 4 * bar
        cfg[off:off + 8] = (0x4).to_bytes(4, "little") + bytes(4)
    pf.config = bytes(cfg)
    h.files["var/log/dmesg"] = dmesg(SEED_BOOT + [
        (0.412301, "pci 0000:03:00.0: [8086:10c9] type 00 class 0x020000"),
        (0.412377, "pci 0000:03:00.0: reg 0x184: [mem 0x00000000-0x00003fff 64bit]"),
        (0.412380, "pci 0000:03:00.0: VF(n) BAR0 space: [mem 0x00000000-0x0001ffff 64bit] (contains BAR0 for 8 VFs)"),
        (0.412391, "pci 0000:03:00.0: reg 0x190: [mem 0x00000000-0x00003fff 64bit]"),
        (0.412393, "pci 0000:03:00.0: VF(n) BAR3 space: [mem 0x00000000-0x0001ffff 64bit] (contains BAR3 for 8 VFs)"),
        (0.498812, "pci 0000:03:00.0: BAR 7: no space for [mem size 0x00020000 64bit]"),
        (0.498815, "pci 0000:03:00.0: BAR 7: failed to assign [mem size 0x00020000 64bit]"),
        (0.498820, "pci 0000:03:00.0: BAR 10: no space for [mem size 0x00020000 64bit]"),
        (0.498822, "pci 0000:03:00.0: BAR 10: failed to assign [mem size 0x00020000 64bit]"),
        (2.913011, "igb 0000:03:00.0: Intel(R) Gigabit Ethernet Network Connection"),
        (3.100230, "EXT4-fs (dm-0): mounted filesystem with ordered data mode."),
        (412.771904, "igb 0000:03:00.0: not enough MMIO resources for SR-IOV"),
    ])
    h.description = "82576 PF 03:00.0 whose VF BARs got no address space: sriov_numvfs writes fail with ENOMEM"
    h.targets = []
    h.verdict = "NOT READY"
    finish_readme(h, "seed-vf-bar-space", (
        "- The firmware gave 03:00.0's VF BARs no address and the kernel found no room for them\n"
        "  (128 KiB each for VF BAR 0 and 3, 8 VFs of 16 KiB): lines 7 and 10 of its `resource`\n"
        "  file read `0 0 0`, while the SR-IOV capability's VF BAR 0 and 3 registers say 64-bit\n"
        "  memory (0x00000004). 03:00.1's VF BARs were assigned.\n"
        "- No VFs on either PF (`sriov_numvfs` 0); someone tried `echo 1 > sriov_numvfs` on 03:00.0:\n"
        "  `var/log/dmesg` has \"BAR 7: no space for …\" from boot and \"not enough MMIO resources\n"
        "  for SR-IOV\" from the write (which failed with ENOMEM).\n"),
        "`sriov.vf-bar-space` fails for 03:00.0 and passes for 03:00.1; `sriov.vfs` fails (or warns)\n"
        "for both PFs, which have no VFs.\n")
    return h


def sc_amd_reset_disabled(c):
    h = amd_host(c)
    h.name = "amd-reset-disabled"
    # `echo > /sys/bus/pci/devices/0000:41:02.0/reset_method` (Linux 5.15+) disables
    # every method: the file then reads empty; `reset` stays.
    h.dev("0000:41:02.0").reset_method = ""
    h.files["var/log/dmesg"] = dmesg([
        (0.0, "AMD-Vi: Interrupt remapping enabled"),
        (4.118230, "pci 0000:41:02.0: [8086:154c] type 00 class 0x020000"),
        (618.004301, "vfio-pci 0000:41:02.0: All device reset methods disabled by user"),
    ])
    h.description = "amd-ready, but VF 41:02.0 has every reset method disabled (empty reset_method)"
    h.verdict = "READY, with warnings"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "amd-reset-disabled", (
        "- amd-ready (Ubuntu 22.04, 5.15), but someone wrote an empty string to 41:02.0's\n"
        "  `reset_method`: it reads empty, and the kernel logged \"All device reset methods\n"
        "  disabled by user\". 41:02.1 keeps `flr`.\n"),
        "`device.reset` fails for the target 41:02.0 (QEMU would say \"Cannot reset device\n"
        "0000:41:02.0, no available reset mechanism\") and warns for it without targets; passes for 41:02.1.\n")
    return h
