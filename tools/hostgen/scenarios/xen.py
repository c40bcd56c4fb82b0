"""xen-*: the seed hardware under Xen 4.17 with a Debian 12 PV dom0.

Xen owns VT-d (dom0 sees the DMAR as XMAR, has no IOMMU groups) and KVM is
absent; the VF is handed to guests through xen_pciback. xen-ready is ready;
xen-e820-missing lacks pci_pt_e820_access=on, xen-no-vtd has VT-d off in the
BIOS, xen-no-pciback has xen_pciback not loaded, xen-xl-twice has two xl
configs naming the same VF.
"""

from ..acpi import dmar_zap, SEED_DMAR
from ..cpuinfo import cpuinfo_e5520_xen_dom0
from ..distro import host_common
from ..interrupts import xen_dom0_interrupts
from ..libvirt import qemu_conf
from ..readme import finish_readme
from ..seedhost import seed_host
from ..xen import (DEB_REL, DOM0_BOOT_CONFIG, DOM0_CMDLINE, DOM0_MODULES, dom0_lib_modules,
                   hypervisor_files, PCIBACK_MODULE, xen_dom0_daemons, XL_CFG)


def xen_host(name, e820, c, vtd=True, pciback=True):
    """e820: pci_pt_e820_access=on on dom0's command line. vtd=False: VT-d off in the
    BIOS, no DMAR for Xen to take (no XMAR in dom0), Xen runs without an IOMMU.
    pciback=False: xen_pciback not loaded, both VFs on igbvf."""
    vf_drivers = ("pciback", "igbvf") if pciback else ("igbvf", "igbvf")
    h = seed_host(name, iommu_on=False, vf_drivers=vf_drivers, vfio=False,
                  vmx=False, corpus=c, xen=True, xen_iommu=vtd)
    # replace RHEL bits with Debian 12 dom0
    for k in list(h.files):
        if k.startswith("lib/modules/") or k.startswith("boot/config-"):
            del h.files[k]
    h.acpi = {}
    h.acpi_credit = []
    if vtd:
        h.acpi["XMAR"] = dmar_zap((c / SEED_DMAR).read_bytes())
        h.acpi_credit.append(("XMAR", SEED_DMAR))
    e820_arg = "pci_pt_e820_access=on" if e820 else ""
    host_common(h, "debian", DEB_REL, DOM0_CMDLINE + (" " + e820_arg if e820 else ""), e820_arg)
    h.files["proc/cpuinfo"] = cpuinfo_e5520_xen_dom0(4)
    h.irq_remap = None  # Xen's business: dom0 sees event channels only
    h.files["proc/interrupts"] = xen_dom0_interrupts(h, 4)
    hypervisor_files(h)
    h.files["etc/libvirt/qemu.conf"] = qemu_conf("libvirt-qemu", "kvm")
    h.files["etc/modprobe.d/igb.conf"] = "options igb max_vfs=1\n"
    h.drivers = {"pcieport": None, "uhci_hcd": None, "ahci": "ahci", "lpc_ich": "lpc_ich",
                 "igb": "igb", "igbvf": "igbvf"}
    h.modules = list(DOM0_MODULES)
    h.module_params = {}
    if pciback:
        h.files["etc/modprobe.d/xen-pciback.conf"] = "options xen-pciback hide=(0000:03:10.0)\n"
        h.drivers["pciback"] = "xen_pciback"
        h.modules.insert(0, PCIBACK_MODULE)
        h.module_params["xen_pciback"] = {"hide": "(0000:03:10.0)", "passthrough": "0",
                                          "permissive": "N", "verbose_request": "0"}
    dom0_lib_modules(h)
    h.files["boot/config-" + DEB_REL] = DOM0_BOOT_CONFIG
    h.targets = ["0000:03:10.0"]
    h.hw_text = h.hw_text.replace(
        "running Red Hat Enterprise Linux 9.4, kernel `5.14.0-427.13.1.el9_4.x86_64`, and",
        "running Xen 4.17 with a Debian 12 dom0 (PV), dom0 kernel `6.1.0-18-amd64`, 4 dom0 vCPUs, and")
    return h


XEN_DOM0 = """\
- Xen 4.17 hypervisor, Debian 12 PV dom0: `proc/xen/capabilities` = `control_d`,
  `sys/hypervisor/type` = `xen`.
- dom0's `/proc/cpuinfo` shows 4 vCPUs with the `hypervisor` flag and without `vmx`: Xen
  masks VMX from a PV guest's CPUID (Xen itself uses VT-x), so a missing `vmx` here does not
  mean VT-x is off. kvm is not loaded (it cannot run in a PV dom0).
"""

XEN_STATE = XEN_DOM0 + """\
- Xen owns VT-d: it renames the firmware DMAR to `XMAR` before dom0 sees it
  (`acpi_dmar_zap`: signature[0] = 'X', checksum reduced by 'X'-'D' = 0x14 so the table still
  sums to 0), so dom0 has `sys/firmware/acpi/tables/XMAR` and no `DMAR`, no `sys/class/iommu`
  units and no IOMMU groups. ACS is enabled on the root ports (Xen enables it).
- igb (max_vfs=1) on the PFs; VF 03:10.0 is bound to `pciback` (module `xen_pciback`,
  `xen-pciback.hide=(0000:03:10.0)`); 03:10.1 on igbvf. No vfio.
"""


def sc_xen_e820_missing(c):
    h = xen_host("xen-e820-missing", False, c)
    h.description = "Xen dom0, VF on pciback, cmdline lacks pci_pt_e820_access=on"
    h.verdict = "NOT READY"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "xen-e820-missing", XEN_STATE + (
        "- The dom0 kernel command line does NOT have `pci_pt_e820_access=on`.\n"),
        "`xen.e820-access` fails (the guide: \"To enable SR-IOV with Xen for Intel systems append\n"
        "the pci_pt_e820_access=on parameter to the kernel\"). `cpu.virtualization` must not fail\n"
        "for a Xen dom0; KVM/vfio checks do not apply.\n")
    return h


def sc_xen_ready(c):
    h = xen_host("xen-ready", True, c)
    h.description = "Xen dom0, VF on pciback, pci_pt_e820_access=on set"
    h.verdict = "READY, with warnings"
    h.verdict_with_devices = "READY"
    finish_readme(h, "xen-ready", XEN_STATE + (
        "- The dom0 kernel command line has `pci_pt_e820_access=on`.\n"),
        "`xen.e820-access` passes; no check fails for 0000:03:10.0.\n")
    return h


def sc_xen_no_vtd(c):
    h = xen_host("xen-no-vtd", True, c, vtd=False)
    h.description = "Xen dom0, VT-d disabled in the BIOS: no DMAR for Xen (no XMAR in dom0), VF on pciback"
    h.verdict = "NOT READY"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "xen-no-vtd", XEN_DOM0 + (
        "- VT-d is disabled in the BIOS setup, so the firmware publishes no DMAR table: Xen finds\n"
        "  no IOMMU to take (`xl dmesg` would say \"I/O virtualisation disabled\"), and dom0 has\n"
        "  neither `sys/firmware/acpi/tables/DMAR` nor the `XMAR` Xen leaves when it zaps a DMAR.\n"
        "  No `sys/class/iommu` units and no IOMMU groups (as on every Xen dom0). Xen enables ACS\n"
        "  only with its IOMMU on (`pci_enable_acs`), so the root ports' ACS control is 0.\n"
        "- igb (max_vfs=1) on the PFs; VF 03:10.0 is bound to `pciback` (module `xen_pciback`,\n"
        "  `xen-pciback.hide=(0000:03:10.0)`); 03:10.1 on igbvf. No vfio.\n"
        "- The dom0 kernel command line has `pci_pt_e820_access=on` (as in xen-ready).\n"
        "- Assigning 03:10.0 to an HVM guest fails in libxl with `PCI device 0000:03:10.0 cannot be\n"
        "  assigned - no IOMMU?`, then `libxl__device_pci_add failed for PCI device 0:3:10.0`.\n"),
        "`firmware.iommu` fails (no ACPI DMAR table: enable VT-d in the BIOS); the device itself is\n"
        "ready (on pciback), `xen.e820-access` passes, KVM/vfio checks do not apply.\n")
    return h


def sc_xen_no_pciback(c):
    h = xen_host("xen-no-pciback", True, c, pciback=False)
    h.description = "Xen dom0, xen_pciback not loaded: target VF 03:10.0 still on igbvf"
    h.verdict = "READY, with warnings"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "xen-no-pciback", XEN_DOM0 + (
        "- Xen owns VT-d: it renames the firmware DMAR to `XMAR` before dom0 sees it (as in\n"
        "  xen-ready); no `sys/class/iommu` units and no IOMMU groups in dom0. ACS is enabled on\n"
        "  the root ports (Xen enables it).\n"
        "- igb (max_vfs=1) on the PFs; both VFs are on igbvf (`enp3s16`, `enp3s16f1`). The\n"
        "  `xen_pciback` module is installed (`modules.dep`) but not loaded: no\n"
        "  `sys/bus/pci/drivers/pciback`, no `xen-pciback.hide=` and no\n"
        "  `/etc/modprobe.d/xen-pciback.conf`.\n"
        "- The dom0 kernel command line has `pci_pt_e820_access=on` (as in xen-ready).\n"
        "- `xl pci-assignable-list` fails with `Looks like pciback driver not loaded`; assigning\n"
        "  03:10.0 fails with `PCI device 0:3:10.0 is not assignable`.\n"),
        "With `--device 0000:03:10.0`: `device.host-driver` fails (bound to the host driver igbvf,\n"
        "interface enp3s16). `firmware.iommu` passes (XMAR), `xen.e820-access` passes.\n")
    return h


def sc_xen_xl_twice(c):
    h = xen_host("xen-xl-twice", True, c)
    h.description = "Xen dom0 like xen-ready; xl configs vm1.cfg and vm2.cfg both pass through 03:10.0"
    h.files["etc/xen/vm1.cfg"] = XL_CFG.format(
        name="vm1", uuid="5f0e8a3c-2d71-4b9e-a6c4-1e7d3b9f0a21", mac="01",
        pci="'0000:03:10.0,permissive=0'")
    h.files["etc/xen/vm2.cfg"] = XL_CFG.format(
        name="vm2", uuid="a1c3e5f7-0b2d-4f6a-8c9e-2b4d6f8a0c13", mac="02", pci="'03:10.0'")
    xen_dom0_daemons(h)
    h.verdict = "READY, with warnings"
    h.verdict_with_devices = "READY, with warnings"
    finish_readme(h, "xen-xl-twice", XEN_STATE + (
        "- The dom0 kernel command line has `pci_pt_e820_access=on` (as in xen-ready).\n"
        "- `etc/xen/vm1.cfg` and `etc/xen/vm2.cfg` (xl.cfg syntax: `type`, `name`, `memory = 4096`,\n"
        "  `vcpus = 2`, `disk`, `vif`) both name the VF: vm1 with `pci = [ '0000:03:10.0,permissive=0' ]`\n"
        "  (full BDF and an option), vm2 with `pci = [ '03:10.0' ]` (short BDF, domain 0 implied).\n"
        "  Neither domain is running: the tree holds no xenstore state.\n"
        "- Ordinary dom0 processes to skip: systemd (1), oxenstored (611), xenconsoled (640), sshd\n"
        "  (702); none holds a PCI device.\n"),
        "`xen.e820-access` passes. The defined-twice check fails for 0000:03:10.0: two xl configs\n"
        "(vm1, vm2) pass through the same VF, so whichever is created second cannot have it\n"
        "(`xl create` refuses a device already assigned to another domain). Give one of them\n"
        "another VF (e.g. 03:10.1 after moving it to pciback), or never run both.\n")
    return h
