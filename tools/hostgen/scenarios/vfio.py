"""seed-noiommu, seed-vfio-perm: vfio-pci bound, but not usable for a guest.

seed-noiommu: the IOMMU is off and vfio's enable_unsafe_noiommu_mode made a
no-IOMMU group for the VF. seed-vfio-perm: the VF's /dev/vfio node is root's
0600 and libvirt does not hand it to the qemu user (dynamic_ownership = 0).
"""

from ..libvirt import qemu_conf
from ..pci import VFIO_GROUP_MAJOR
from ..procs import rhel9_daemons
from ..readme import finish_readme
from ..seedhost import seed_host


def noiommu_group_hook(h, bdf, group):
    """After the tree is written: the vfio-noiommu group vfio made for bdf."""
    dd = h.devdir(h.dev(bdf))

    def hook(t):
        gdir = "sys/kernel/iommu_groups/%d" % group
        keep = t.p("sys/kernel/iommu_groups/.gitkeep")
        if keep.exists():
            keep.unlink()
        t.link(dd + "/iommu_group", gdir)
        t.link(gdir + "/devices/" + bdf, dd)
        # iommu_group_alloc() creates reserved_regions and type; iommu_group_set_name()
        # adds name. No default domain: type reads "unknown"; no IOMMU ops: no regions.
        t.file(gdir + "/name", "vfio-noiommu\n")
        t.file(gdir + "/type", "unknown\n")
        t.file(gdir + "/reserved_regions", "")
        t.chardev("dev/vfio/noiommu-%d" % group, VFIO_GROUP_MAJOR, 0, "0600")
    h.post_render.append(hook)


def sc_seed_noiommu(c):
    h = seed_host("seed-noiommu", iommu_on=False, cmdline_iommu=False,
                  vf_drivers=("vfio-pci", "igbvf"), corpus=c)
    h.description = "IOMMU off, vfio enable_unsafe_noiommu_mode=Y: 03:10.0 on vfio-pci in no-IOMMU group 0 (/dev/vfio/noiommu-0)"
    h.targets = ["0000:03:10.0"]
    h.module_params["vfio"] = {"enable_unsafe_noiommu_mode": "Y"}
    h.files["etc/modprobe.d/vfio.conf"] = "options vfio enable_unsafe_noiommu_mode=1\n"
    h.files["proc/sys/kernel/tainted"] = "64\n"
    noiommu_group_hook(h, "0000:03:10.0", 0)
    rhel9_daemons(h)
    h.verdict = "NOT READY"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "seed-noiommu", (
        "- DMAR present, but no `intel_iommu=on` (RHEL 9 default off): no `sys/class/iommu` units,\n"
        "  no IOMMU-backed groups, no device has an `iommu` link; interrupt remapping is on (from\n"
        "  the DMAR alone, as in seed-iommu-off).\n"
        "- `/etc/modprobe.d/vfio.conf` has `options vfio enable_unsafe_noiommu_mode=1`;\n"
        "  `sys/module/vfio/parameters/enable_unsafe_noiommu_mode` = `Y` (CONFIG_VFIO_NOIOMMU=y).\n"
        "- 03:10.0 is bound to vfio-pci. With no IOMMU group of its own, vfio\n"
        "  (`vfio_group_find_or_alloc` -> `vfio_noiommu_group_alloc`) created one:\n"
        "  `sys/kernel/iommu_groups/0` with `name` = `vfio-noiommu` (iommu_group_set_name), `type`\n"
        "  = `unknown` (no default domain), an empty `reserved_regions`, `devices/0000:03:10.0`, and\n"
        "  the device's `iommu_group` link (no `iommu` link). Its node is `/dev/vfio/noiommu-0`\n"
        "  (char 243:0, 0600 root:root) beside `/dev/vfio/vfio` (10:196, 0666); no `/dev/vfio/0`.\n"
        "- vfio tainted the kernel when it made the group (`add_taint(TAINT_USER)`, \"Adding kernel\n"
        "  taint for vfio-noiommu group on device\"): `proc/sys/kernel/tainted` = 64 (`U`).\n"
        "- 03:10.1 on igbvf. Nothing has 03:10.0 open (`enable` 0); the processes (systemd, sshd,\n"
        "  virtlogd, libvirtd) hold no /dev/vfio file.\n"),
        "Not ready for a guest: `kernel.iommu` fails (no `intel_iommu=on`), and the no-IOMMU\n"
        "check fails: 03:10.0's group 0 is a `vfio-noiommu` group, which gives a user DMA to all\n"
        "of host memory with no translation; QEMU's vfio-pci cannot use it (no-IOMMU groups only\n"
        "work with the no-IOMMU container, which needs CAP_SYS_RAWIO and suits DPDK-style\n"
        "userspace drivers, not guests). `iommu.group` must not read the group as an isolated\n"
        "IOMMU group. Remedy: enable the IOMMU (`intel_iommu=on`) and drop\n"
        "`enable_unsafe_noiommu_mode`.\n")
    return h


def sc_seed_vfio_perm(c):
    h = seed_host("seed-vfio-perm", corpus=c)
    h.description = "03:10.0 on vfio-pci, /dev/vfio/9 0600 root:root, qemu.conf user qemu with dynamic_ownership = 0"
    h.targets = ["0000:03:10.0"]
    h.files["etc/libvirt/qemu.conf"] = qemu_conf("qemu", "qemu", set_user=True)
    rhel9_daemons(h)
    h.verdict = "READY"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "seed-vfio-perm", (
        "- Like seed-ready (both VFs on vfio-pci, `/dev/vfio/9` and `/dev/vfio/10` char 243:0 and\n"
        "  243:1, mode 0600, owner root:root, as udev creates them).\n"
        "- `/etc/libvirt/qemu.conf` sets `user = \"qemu\"`, `group = \"qemu\"` and\n"
        "  `dynamic_ownership = 0`, so libvirt does not chown the group node to the qemu user at\n"
        "  guest start. No udev rule changes the node's owner or mode.\n"
        "- No guest runs; nothing holds 03:10.0 (`enable` 0); systemd, sshd, virtlogd and libvirtd\n"
        "  hold no /dev/vfio file.\n"),
        "`device.config-access` fails for 03:10.0: QEMU runs as qemu (uid 107) and cannot open\n"
        "`/dev/vfio/9` (0600 root:root; QEMU: `vfio 0000:03:10.0: failed to open /dev/vfio/9:\n"
        "Permission denied`), nor could an ordinary user starting QEMU by hand. Remedies: set\n"
        "`dynamic_ownership = 1` (the default), or give the node to the QEMU user (udev rule\n"
        "`SUBSYSTEM==\"vfio\", OWNER=\"qemu\"`). `/dev/vfio/vfio` (0666) is fine. Every other check\n"
        "passes as in seed-ready.\n")
    return h


def sc_seed_vfio_ids_pf(c):
    h = seed_host("seed-vfio-ids-pf", numvfs=0, pf_driver="vfio-pci", corpus=c,
                  cmdline_extra=" rd.driver.pre=vfio-pci vfio-pci.ids=8086:10ca,8086:10c9")
    h.description = "vfio-pci.ids on the command line names the PF's ID (8086:10c9) with the VF's: vfio-pci claims both 82576 PFs at boot"
    h.targets = []
    h.verdict = "NOT READY"
    finish_readme(h, "seed-vfio-ids-pf", (
        "- Like seed-ready, but the command line has `rd.driver.pre=vfio-pci\n"
        "  vfio-pci.ids=8086:10ca,8086:10c9`: the VF's ID and, by a common copying mistake, the\n"
        "  PF's. vfio-pci loads first and claims both 03:00.0 and 03:00.1; igb is loaded but\n"
        "  binds nothing, so the host has no enp3s0f0/enp3s0f1 and no VFs (sriov_numvfs 0,\n"
        "  sriov_totalvfs 8 as the capability says: igb's cap of 7 applies only while it is bound).\n"),
        "Not ready: no VF exists, and `kernel.vfio-pci-ids` fails for both PFs, naming the\n"
        "command line's `vfio-pci.ids` as the cause. Remedy: take 8086:10c9 out of the list\n"
        "(keep 8086:10ca), rebuild the boot entry and reboot, then create the VFs.\n")
    return h
