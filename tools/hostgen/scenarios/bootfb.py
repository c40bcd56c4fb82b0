"""The boot GPU's framebuffer holds its BAR (device.bar-claimed): the seed host with
an NVIDIA GPU behind root port 00:03.0, bound to vfio-pci for a guest, whose BAR 1 the
EFI framebuffer still holds (efifb in /proc/iomem), as on a host that booted on that
GPU. The kernel log has the failed reservation of a guest's start.
"""

from ..pci import Dev
from ..pcicfg import Bar
from ..readme import finish_readme
from .causes import seed_plus_device

GPU = "0000:04:00.0"  # below root port 00:03.0 (secondary bus 04)
# 1920x1080 at 32 bits per pixel: what the EFI GOP console maps of BAR 1.
FB_SIZE = 0x7E9000


def gpu_on_vfio(group):
    """A GeForce GTX 1050 Ti (10de:1c82, class 030000: VGA) on vfio-pci, with its
    three memory BARs: 0 (registers), 1 (VRAM aperture, where the console lives), 3."""
    bars = [Bar("mem32", 0xFA000000, 0x1000000), Bar("pref64", 0xE0000000, 0x10000000),
            None, Bar("pref64", 0xF0000000, 0x2000000)]
    cfg = bytearray(4096)
    cfg[0:4] = bytes([0xDE, 0x10, 0x82, 0x1C])
    cfg[0x09:0x0C] = bytes([0x00, 0x00, 0x03])
    return Dev(GPU, 0x10DE, 0x1C82, 0x030000, 0xA1, bytes(cfg), parent="0000:00:03.0",
               svid=0x1043, sdid=0x85D1, irq=0, driver="vfio-pci", bars=bars, group=group,
               reset_method="bus")


def sc_seed_bootfb(c):
    h, group = seed_plus_device("seed-bootfb", c, gpu_on_vfio, "hv-gpu", [
        (0.452110, "pci 0000:04:00.0: [10de:1c82] type 00 class 0x030000"),
        (0.452190, "pci 0000:04:00.0: reg 0x14: [mem 0xe0000000-0xefffffff 64bit pref]"),
        (0.902311, "pci 0000:04:00.0: vgaarb: setting as boot VGA device"),
        (1.203117, "efifb: framebuffer at 0xe0000000, using 8100k, total 8100k"),
        (1.203140, "efifb: mode is 1920x1080x32, linelength=7680, pages=1"),
        (4.113502, "vfio-pci 0000:04:00.0: vgaarb: changed VGA decodes: olddecodes=io+mem,decodes=io+mem:owns=io+mem"),
        (912.554021, "vfio-pci 0000:04:00.0: BAR 1: can't reserve [mem 0xe0000000-0xefffffff 64bit pref]"),
    ])
    h.iomem_claims[GPU] = [(0xE0000000, FB_SIZE, "efifb")]
    h.description = ("seed-ready with its boot GPU 04:00.0 on vfio-pci, whose BAR 1 the EFI "
                     "framebuffer (efifb) still holds")
    h.targets = [GPU]
    h.verdict = "READY"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "seed-bootfb", (
        "- seed-ready (RHEL 9.4, kernel 5.14), plus an NVIDIA GeForce GTX 1050 Ti 04:00.0\n"
        "  (10de:1c82, VGA class 030000) behind root port 00:03.0, bound to vfio-pci for a\n"
        "  guest, alone in IOMMU group %d.\n"
        "- The host booted on that GPU: `proc/iomem` shows efifb holding\n"
        "  e0000000-e07e8fff inside its BAR 1 (e0000000-efffffff). `var/log/dmesg` has the\n"
        "  boot console and, from a guest's start, \"vfio-pci 0000:04:00.0: BAR 1: can't\n"
        "  reserve [mem 0xe0000000-0xefffffff 64bit pref]\".\n"
        "- Every other device's BARs are in `proc/iomem` too, each with its driver's claim\n"
        "  inside (igb's, igbvf's), as on every generated host.\n" % group),
        "Ready without targets (the VFs' BARs are free). With `--device 0000:04:00.0`, not\n"
        "ready: `device.bar-claimed` fails, naming efifb and its range, and says how to detach\n"
        "the EFI framebuffer for this boot and keep it off with grubby.\n")
    return h
