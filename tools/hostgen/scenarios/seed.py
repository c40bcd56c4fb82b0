"""seed-*: the seed host in one state each, every check passing but the one a scenario is about.

seed-ready is ready for assignment. The others turn one thing off or wrong:
VT-d, the IOMMU, VT-x, igb, vfio, the VFs, ACS (a shared group), the VF's
driver, config-space access (legacy pci-stub), and a command line whose later
iommu.passthrough=0 overrides iommu=pt.
"""

from ..libvirt import qemu_conf
from ..readme import finish_readme
from ..seedhost import seed_host


def sc_seed_ready(c):
    h = seed_host("seed-ready", corpus=c)
    h.description = "82576 host ready for assignment: VT-x, VT-d on, igb max_vfs=1, both VFs on vfio-pci"
    h.targets = ["0000:03:10.0"]
    h.verdict = "READY"
    h.verdict_with_devices = "READY"
    finish_readme(h, "seed-ready", (
        "- CPU flags have `vmx`; `intel_iommu=on` on the command line; DMAR present; IOMMU on (`dmar0`).\n"
        "- igb (+dca) loaded with `max_vfs=1` (`/etc/modprobe.d/igb.conf`): `sriov_numvfs` 1 on each PF,\n"
        "  `sriov_totalvfs` 7.\n"
        "- VFs 03:10.0 (of 03:00.0) and 03:10.1 (of 03:00.1) are bound to vfio-pci; `/dev/vfio/9` and\n"
        "  `/dev/vfio/10` exist (major 243, minors 0 and 1).\n"
        "- Root ports have ACS (enabled); the 82576 functions are isolated by the kernel's\n"
        "  multi-function ACS quirk, so each PF and each VF is alone in its IOMMU group.\n"),
        "Every check passes for 0000:03:10.0.\n")
    return h


def sc_seed_no_vtd(c):
    h = seed_host("seed-no-vtd", dmar=False, iommu_on=False, vf_drivers=("igbvf", "igbvf"), corpus=c)
    h.description = "VT-d disabled in the BIOS: no DMAR table, IOMMU off although intel_iommu=on is set"
    h.targets = ["0000:03:10.0"]
    h.verdict = "NOT READY"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "seed-no-vtd", (
        "- VT-d is disabled in the BIOS setup, so the firmware publishes no DMAR table\n"
        "  (`sys/firmware/acpi/tables/DMAR` is absent).\n"
        "- `intel_iommu=on` is on the command line but there is nothing to turn on: `sys/class/iommu/`\n"
        "  and `sys/kernel/iommu_groups/` are empty, no device has `iommu_group` or `iommu` links,\n"
        "  and the root ports' ACS control is left at 0 (Linux only enables ACS for an IOMMU).\n"
        "- vfio modules are loaded (`/dev/vfio/vfio` exists) but vfio-pci cannot bind without an\n"
        "  IOMMU group: both VFs are on igbvf (`enp3s16`, `enp3s16f1`).\n"),
        "`firmware.iommu` fails (no DMAR table: enable VT-d in the BIOS); `kernel.iommu` fails as a\n"
        "consequence; `iommu.group` is unknown/skip for the target.\n")
    return h


def sc_seed_iommu_off(c):
    h = seed_host("seed-iommu-off", iommu_on=False, cmdline_iommu=False,
                  vf_drivers=("igbvf", "igbvf"), corpus=c)
    h.description = "DMAR present but intel_iommu=on missing (RHEL 9 default off): IOMMU off"
    h.targets = ["0000:03:10.0"]
    h.verdict = "NOT READY"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "seed-iommu-off", (
        "- DMAR table present (VT-d enabled in firmware).\n"
        "- The command line lacks `intel_iommu=on`, and RHEL 9 builds with\n"
        "  `# CONFIG_INTEL_IOMMU_DEFAULT_ON is not set`, so the Intel IOMMU stays off: no\n"
        "  `sys/class/iommu` units, no IOMMU groups, no `iommu_group`/`iommu` links.\n"
        "- VFs on igbvf; vfio modules loaded, no `/dev/vfio/<group>`.\n"),
        "`kernel.iommu` fails (add `intel_iommu=on`); `firmware.iommu` passes.\n")
    return h


def sc_seed_no_vmx(c):
    h = seed_host("seed-no-vmx", vmx=False, corpus=c)
    h.description = "VT-x disabled in the BIOS: no vmx flag, kvm_intel not loaded"
    h.targets = ["0000:03:10.0"]
    h.verdict = "NOT READY"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "seed-no-vmx", (
        "- Same as seed-ready, but VT-x is disabled in the BIOS: `vmx` (and the VMX feature flags\n"
        "  `tpr_shadow vnmi flexpriority ept vpid`, and the `vmx flags` line) are missing from\n"
        "  `/proc/cpuinfo`; kvm_intel is not loaded (it refuses to load), nor kvm.\n"),
        "`cpu.virtualization` fails; everything device-related passes.\n")
    return h


def sc_seed_no_igb(c):
    h = seed_host("seed-no-igb", igb=False, corpus=c)
    h.description = "PF driver igb not loaded: PFs unbound, sriov_numvfs 0, no VFs"
    h.targets = ["0000:03:10.0"]
    h.verdict = "NOT READY"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "seed-no-igb", (
        "- igb and dca are not loaded (`modules.alias` still maps 8086:10c9 to igb). The PFs have no\n"
        "  driver, `enable` 0, no `net/`; `sriov_totalvfs` reads 8 (from the capability, no driver\n"
        "  cap), `sriov_numvfs` 0, no VFs exist, so 03:10.0 is not a device on this host.\n"
        "- IOMMU on, vfio loaded (`/dev/vfio/vfio` only).\n"),
        "`modules.pf-driver` fails for 03:00.0/03:00.1; `sriov.vfs` fails; the target 0000:03:10.0\n"
        "does not exist (the report should say it is a VF that would exist once VFs are created).\n")
    return h


def sc_seed_no_vfio(c):
    h = seed_host("seed-no-vfio", vfio=False, vf_drivers=("igbvf", "igbvf"), corpus=c)
    h.description = "vfio modules not loaded: VFs on igbvf, no /dev/vfio"
    h.targets = ["0000:03:10.0"]
    h.verdict = "NOT READY"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "seed-no-vfio", (
        "- IOMMU on, groups as in seed-ready.\n"
        "- vfio_pci, vfio_pci_core, vfio_iommu_type1, vfio (and iommufd) are not loaded; they are\n"
        "  modules on RHEL 9 (`=m` in boot/config, not in modules.builtin). No `/dev/vfio`.\n"
        "- Both VFs are on igbvf.\n"),
        "`modules.vfio` fails; `device.host-driver` warns/fails for 03:10.0 (bound to igbvf).\n")
    return h


def sc_seed_no_vfs(c):
    h = seed_host("seed-no-vfs", numvfs=0, corpus=c)
    h.description = "igb loaded but no VFs created (sriov_numvfs 0)"
    h.targets = []
    h.verdict = "NOT READY"
    finish_readme(h, "seed-no-vfs", (
        "- igb loaded without `max_vfs` and nothing wrote `sriov_numvfs`: 0 on both PFs,\n"
        "  `sriov_totalvfs` 7. No VFs, no `/etc/modprobe.d/igb.conf`.\n"
        "- IOMMU on, vfio loaded.\n"),
        "`sriov.vfs` fails (or warns) for both PFs: SR-IOV capable, 0 of 7 VFs enabled. No target.\n")
    return h


def sc_seed_group_shared(c):
    h = seed_host("seed-group-shared", root_acs=False, group_shared=True,
                  vf_drivers=("vfio-pci", "igbvf"), corpus=c)
    h.description = "82576 functions and VFs share one IOMMU group; 03:10.1 on igbvf makes it not viable"
    h.targets = ["0000:03:10.0"]
    # The host reaches the network through the first PF: its default route.
    h.files["proc/net/route"] = (
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
        "enp3s0f0\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
        "enp3s0f0\t0002A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n")
    h.verdict = "NOT READY"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "seed-group-shared", (
        "- Root ports 00:01.0, 00:03.0, 00:07.0 have no ACS capability (config space has none), and\n"
        "  (pretend) no ACS quirk applies to the 82576, so 03:00.0, 03:00.1, 03:10.0 and 03:10.1\n"
        "  share IOMMU group 7 (the root port stays alone in group 1: a root port is isolated from\n"
        "  its own downstream bus).\n"
        "- PFs on igb, 03:10.0 on vfio-pci, 03:10.1 on igbvf. `/dev/vfio/7` exists (a group node is\n"
        "  created as soon as one device of the group is bound to vfio-pci), but the group is not\n"
        "  viable: QEMU's VFIO_GROUP_GET_STATUS does not report VIABLE.\n"
        "- The host's default route is on 03:00.0's interface enp3s0f0 (`proc/net/route`): detaching\n"
        "  that PF would remove 03:10.0 and take the host off the network.\n"),
        "`iommu.group` fails for 03:10.0: group 7 also holds 03:00.0, 03:00.1 (igb) and 03:10.1\n"
        "(igbvf), which are bound to host drivers.\n")
    return h


def sc_seed_host_driver(c):
    h = seed_host("seed-host-driver", vf_drivers=("igbvf", "vfio-pci"), corpus=c)
    h.description = "target VF 03:10.0 is bound to igbvf (host uses it as enp3s16)"
    h.targets = ["0000:03:10.0"]
    h.verdict = "READY, with warnings"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "seed-host-driver", (
        "- Like seed-ready, but 03:10.0 is bound to igbvf and is the host interface `enp3s16`;\n"
        "  03:10.1 is on vfio-pci (`/dev/vfio/10`).\n"),
        "`device.host-driver` fails for 03:10.0 (bound to igbvf, net `enp3s16`): with managed='yes'\n"
        "libvirt would unbind it; with managed='no' the guest fails to start.\n")
    return h


def sc_seed_config_denied(c):
    h = seed_host("seed-config-denied", vf_drivers=("pci-stub", "vfio-pci"), corpus=c)
    h.description = "legacy pci-stub assignment: QEMU as user qemu cannot open config (0644 root)"
    h.targets = ["0000:03:10.0"]
    h.files["etc/libvirt/qemu.conf"] = qemu_conf("qemu", "qemu", set_user=True)
    h.files["proc/cmdline"] = h.files["proc/cmdline"].replace("\n", " pci-stub.ids=8086:10ca\n")
    h.verdict = "NOT READY"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "seed-config-denied", (
        "- Legacy (pci-assign era) setup, as in the guide's error\n"
        "  `get_real_device: /sys/bus/pci/devices/0000:03:10.0/config: Permission denied`:\n"
        "  03:10.0 is bound to `pci-stub` (built in on RHEL 9, so its driver directory has no\n"
        "  `module` link and `sys/module/pci_stub` does not exist: its only parameter has\n"
        "  permission 0). `pci-stub.ids=8086:10ca` is on the command line.\n"
        "  03:10.1 is on vfio-pci.\n"
        "- `/etc/libvirt/qemu.conf` sets `user = \"qemu\"`, `group = \"qemu\"` and\n"
        "  `dynamic_ownership = 0`, so libvirt does not chown the device files; 03:10.0's `config`\n"
        "  is 0644 root:root, so QEMU running as qemu (uid 107) cannot open it read-write.\n"),
        "`device.config-access` fails for 03:10.0 (config 0644 root:root, QEMU user qemu, dynamic\n"
        "ownership off); `device.host-driver` should flag pci-stub as the legacy path (use vfio-pci).\n")
    return h


def sc_seed_pt_mismatch(c):
    h = seed_host("seed-pt-mismatch", cmdline_extra=" iommu=pt iommu.passthrough=0", corpus=c)
    h.description = "iommu=pt overridden by a later iommu.passthrough=0: groups are DMA-FQ, not identity"
    h.targets = ["0000:03:10.0"]
    h.verdict = "READY, with warnings"
    h.verdict_with_devices = "READY, with warnings"
    finish_readme(h, "seed-pt-mismatch", (
        "- Like seed-ready, but the command line (and `GRUB_CMDLINE_LINUX`) ends in\n"
        "  `intel_iommu=on iommu=pt iommu.passthrough=0`. Both are early parameters handled in\n"
        "  command-line order: `iommu=pt` calls `iommu_set_default_passthrough(true)`, then\n"
        "  `iommu.passthrough=0` calls `iommu_set_default_translated(true)`, so the last one wins\n"
        "  and default domains are translated, lazily flushed: every group `type` reads `DMA-FQ`\n"
        "  (RHEL 9's 5.14 carries the DMA-FQ domain type of upstream 5.15, and\n"
        "  `CONFIG_IOMMU_DEFAULT_DMA_LAZY=y`), not `identity`.\n"),
        "Every check of seed-ready passes for 0000:03:10.0 (VFIO gets its own domain either way);\n"
        "a check that reads `iommu=pt` off the command line and expects `identity` groups must\n"
        "see that the later `iommu.passthrough=0` overrides it.\n")
    return h
