"""A device the host cannot wake (device.power): the seed host with an NVMe drive on
vfio-pci behind root port 00:03.0 that lost its power and did not come back. Its
config space reads all ones, and the kernel log says so in 5.14's wording.
"""

from ..pci import Dev
from ..pcicfg import Bar
from ..readme import finish_readme
from .causes import seed_plus_device

NVME = "0000:04:00.0"  # below root port 00:03.0 (secondary bus 04)


def nvme_on_vfio(group):
    """A Samsung 970 EVO Plus (144d:a808, class 010802) on vfio-pci, which does not
    answer: its config space reads all ones, as the kernel returns for a device that
    lost power. Its sysfs ids are the kernel's copies from enumeration."""
    bar0 = Bar("mem64", 0xFBF00000, 0x4000)
    d = Dev(NVME, 0x144D, 0xA808, 0x010802, 0x00, b"\xff" * 4096, parent="0000:00:03.0",
            svid=0x144D, sdid=0xA801, irq=0, driver="vfio-pci", bars=[bar0], group=group,
            reset_method="flr bus")
    # A power-tuning tool (TLP, `powertop --auto-tune`) set power/control to auto,
    # letting runtime power management cut the slot's power; the resume's failure is
    # not an error to the PM core, which reads the device active again.
    d.power = {"power/control": "auto", "power/runtime_status": "active"}
    return d


def sc_seed_d3cold(c):
    h, group = seed_plus_device("seed-d3cold", c, nvme_on_vfio, "hv-d3cold", [
        (0.452110, "pci 0000:04:00.0: [144d:a808] type 00 class 0x010802"),
        (0.452190, "pci 0000:04:00.0: reg 0x10: [mem 0xfbf00000-0xfbf03fff 64bit]"),
        (1822.403117, "vfio-pci 0000:04:00.0: can't change power state from D3cold to D0 (config space inaccessible)"),
    ])
    port = h.dev("0000:00:03.0")
    port.power = {"power/control": "auto"}
    h.description = "seed-ready with an NVMe drive 04:00.0 on vfio-pci that lost its power (D3cold) and does not answer"
    h.targets = [NVME]
    h.verdict = "READY"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "seed-d3cold", (
        "- seed-ready (RHEL 9.4, kernel 5.14: no `power_state`, which came in 5.19), plus a\n"
        "  Samsung NVMe drive 04:00.0 (144d:a808) behind root port 00:03.0, bound to vfio-pci\n"
        "  for a guest, alone in IOMMU group %d.\n"
        "- A power-tuning tool set `power/control` to `auto` on 00:03.0 and 04:00.0, so runtime\n"
        "  power management cut the slot's power while no guest used the drive (D3cold). When a\n"
        "  guest was started, the drive did not come back: `var/log/dmesg` has \"can't change power\n"
        "  state from D3cold to D0 (config space inaccessible)\", and its `config` reads all ones\n"
        "  (ff) while its sysfs ids are the kernel's copies from boot.\n" % group),
        "Ready without targets (the VFs are fine; `device.power` passes for them). With\n"
        "`--device 0000:04:00.0`, not ready: `device.power` fails for the drive, citing the\n"
        "log line and the all-ones config space, and says to power-cycle the host and set\n"
        "`vfio-pci.disable_idle_d3=1` with grubby.\n")
    return h
