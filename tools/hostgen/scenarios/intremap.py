"""seed-no-intremap, seed-unsafe-interrupts: the seed host, firmware without interrupt remapping.

The DMAR is a Dell T3500's (no INTR_REMAP flag): DMA is remapped, interrupts
are not. VFIO refuses such a group unless vfio_iommu_type1's
allow_unsafe_interrupts is set, as seed-unsafe-interrupts does.
"""

from ..acpi import NOIR_DMAR
from ..readme import finish_readme
from ..seedhost import seed_host


NOIR_HW = """
The firmware is swapped for one without interrupt remapping: `sys/firmware/acpi/tables/DMAR`
is the real table of a Dell Precision WorkStation T3500 (X58, the single-IOH sibling of the
5520 "Tylersburg", with the same root ports 00:01.0, 00:03.0 and 00:07.0 its ATSR names):
flags 0 (no INTR_REMAP), one DRHD at 0xfedc0000 with INCLUDE_PCI_ALL and no device scope
(so no IO-APIC under it either), an RMRR 0xdfe58000-0xdfe6ffff for the USB controllers
00:1a.x/00:1d.x, and an ATSR. `dmar0`'s `address` is the table's fedc0000; its `cap`/`ecap`
are the 5520 IOH's of the other seed hosts (the X58 IOH is the same silicon; ecap still has
the IR bit: the hardware could remap, the firmware does not announce it).
"""

NOIR_STATE = """\
- `intel_iommu=on`; DMA remapping is on (`dmar0`, IOMMU groups as in seed-ready, `DMA-FQ`).
  UHCI groups 4 and 5 reserve the T3500 RMRR `0xdfe58000-0xdfe6ffff` (direct-relaxable).
- Interrupt remapping is off: `intel_prepare_irq_remapping()` stops at `dmar_ir_support()`
  (DMAR flags bit 0 clear). `/proc/interrupts` shows `IO-APIC`, `PCI-MSI` and the DMA
  remapping unit's fault interrupt `DMAR-MSI 0-edge dmar0`; no `IR-` chip. The kernel log is
  not part of the tree.
- VFs 03:10.0 and 03:10.1 on vfio-pci, `/dev/vfio/9` and `/dev/vfio/10`.
"""


def noir_host(name, unsafe, c):
    """The seed host with the T3500's DMAR; unsafe: allow_unsafe_interrupts=1."""
    h = seed_host(name, dmar_src=NOIR_DMAR, corpus=c)
    h.hw_text += NOIR_HW
    if unsafe:
        h.module_params["vfio_iommu_type1"]["allow_unsafe_interrupts"] = "Y"
        h.files["etc/modprobe.d/vfio.conf"] = "options vfio_iommu_type1 allow_unsafe_interrupts=1\n"
    return h


def sc_seed_no_intremap(c):
    h = noir_host("seed-no-intremap", False, c)
    h.description = "firmware DMAR without INTR_REMAP: IOMMU on, no interrupt remapping, allow_unsafe_interrupts N"
    h.targets = ["0000:03:10.0"]
    h.verdict = "NOT READY"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "seed-no-intremap", NOIR_STATE + (
        "- `vfio_iommu_type1` is loaded with `allow_unsafe_interrupts` = `N` (the default; no\n"
        "  `/etc/modprobe.d/vfio.conf`).\n"),
        "Not ready for 0000:03:10.0: every check of seed-ready passes, but VFIO refuses to attach\n"
        "the group to a container (`vfio_iommu_type1_attach_group`: \"No interrupt remapping\n"
        "support.  Use the module param \"allow_unsafe_interrupts\" to enable VFIO IOMMU support on\n"
        "this platform\", -EPERM), so QEMU cannot start with the VF. Remedies: firmware that\n"
        "announces interrupt remapping, or `options vfio_iommu_type1 allow_unsafe_interrupts=1`\n"
        "(accepting that a guest can inject interrupts: see seed-unsafe-interrupts).\n")
    return h


def sc_seed_unsafe_interrupts(c):
    h = noir_host("seed-unsafe-interrupts", True, c)
    h.description = "no interrupt remapping, vfio_iommu_type1 allow_unsafe_interrupts=1 via /etc/modprobe.d/vfio.conf"
    h.targets = ["0000:03:10.0"]
    h.verdict = "READY, with warnings"
    h.verdict_with_devices = "READY, with warnings"
    finish_readme(h, "seed-unsafe-interrupts", NOIR_STATE + (
        "- `/etc/modprobe.d/vfio.conf` has `options vfio_iommu_type1 allow_unsafe_interrupts=1`, and\n"
        "  the loaded module shows it: `sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts`\n"
        "  = `Y`.\n"),
        "Assignment of 0000:03:10.0 works: VFIO accepts the group without interrupt remapping\n"
        "because of `allow_unsafe_interrupts`. Worth a warning, not a failure: without remapping a\n"
        "guest driving the VF can make it write MSIs the host did not program (interrupt injection\n"
        "into the host or other guests).\n")
    return h
