"""hp-rmrr: an HP ProLiant DL380e Gen8 whose firmware RMRRs name the NIC to assign.

Two Xeon E5-2470 v2, the C600 "Patsburg" PCH, RHEL 9.4 with intel_iommu=on,
the DL380e's real DMAR (two remapping units, eight RMRRs), the embedded BCM5719
331i (the target, named in RMRRs), iLO 4 and an I350 with a VF per port on
vfio-pci. The README's hardware text says which RMRR lands where.
"""

from ..acpi import dmar_intr_remap, dmar_rmrrs, HP_DMAR, intel_iommu, resolve_scope, rmrr_resv
from ..cpuinfo import cpuinfo_e5_2470v2
from ..distro import host_common
from ..host import Host
from ..interrupts import rhel_interrupts
from ..kernel import default_params, module_list, more_lib_modules, pci_aliases
from ..libvirt import qemu_conf
from ..pci import Dev
from ..pcicfg import (Bar, build_config, cap_msi, cap_msix, cap_pcie, cap_pm, cap_ssvid, cap_vendor,
                      ecap_acs, ecap_aer, ecap_ari, ecap_dsn, ecap_sriov, F_BRIDGE_MEM,
                      F_BRIDGE_PREF64, le32, MSI_ADDR, PCIE_ROOT_DEVCAP, vf_config)
from ..readme import finish_readme
from ..rhel9 import (load_vfio, RHEL_BOOT_CONFIG, RHEL_CMDLINE_BASE, RHEL_GRUB_BASE,
                     rhel_lib_modules, RHEL_MODULE_SIZES, RHEL_REL, VFIO_MODULES)

HP_SVID, HP_SDID = 0x103C, 0x18A8  # board subsystem id of the chipset functions (see README)


def hp_rootport(bdf, device, rev, secondary, irq, *, iio, group, numa, cpulist, parent_bus=0,
                window=None, port=1, slot=True):
    """IIO root ports (0e02/0e03/0e08) have ACS at 0x110 and AER at 0x148; the PCH root
    ports (1d18/1d1e) have neither (Linux isolates them with its Patsburg ACS quirk)."""
    lnkcap = (0x2 if iio else 0x1) | (4 << 4) | (3 << 10) | (port << 24) | (1 << 20)
    lnksta = ((0x2 if iio else 0x1) | (4 << 4) | 0x2000) if window else 0
    ecaps = []
    if iio:
        ecaps = [(0x100, 0x000B, 1, le32(0x0002 | (0x00C << 20)) + le32(0)),  # VSEC ID 2, len 0xc
                 (0x110, 0x000D, 1, ecap_acs(0x001F, 0x001D)),
                 (0x148, 0x0001, 1, ecap_aer(root=True))]
    mem, pref = (window or ((0xFFF00000, 0x000FFFFF), (0xFFF00000, 0x000FFFFF)))
    cfg = build_config(
        vendor=0x8086, device=device, cls=0x060400, rev=rev, command=0x0547, header=0x01,
        caps=[(0x40, 0x0D, cap_ssvid(HP_SVID, HP_SDID)),
              (0x60, 0x05, cap_msi(0x0001, MSI_ADDR, 0x4021 + (irq & 0xF))),
              (0x90, 0x10, cap_pcie(4, PCIE_ROOT_DEVCAP, 0x0020, lnkcap, lnksta, slot=slot,
                                    sltcap=((port << 19) | 0x60) if slot else 0,
                                    sltsta=0x0040 if window and slot else 0, devcap2=0x1F)),
              (0xE0, 0x01, cap_pm(0xC803))],
        ecaps=ecaps, pcie=True, int_pin=1,
        bridge=dict(primary=parent_bus, secondary=secondary, subordinate=secondary, mem=mem,
                    pref=pref, control=0x0003))
    win = [(0, 0, 0)] * 4
    if window:
        win = [(0, 0, 0), (mem[0], mem[1], F_BRIDGE_MEM),
               (pref[0], pref[1], F_BRIDGE_PREF64) if pref[0] < pref[1] else (0, 0, 0), (0, 0, 0)]
    return Dev(bdf, 0x8086, device, 0x060400, rev, cfg, irq=irq, driver="pcieport",
               bridge_windows=win, group=group, numa=numa, cpulist=cpulist)


def hp_ep(bdf, vendor, device, cls, rev, *, parent, svid, sdid, driver, bars, irq=0, int_pin=1,
          caps=(), ecaps=(), pcie=True, multifunction=False, group, numa=0, cpulist="0-9,20-29",
          command=None, status=0x0010):
    """A function of the DL380e (chipset, embedded NIC, iLO, I350): config space and Dev."""
    if command is None:
        command = 0x0406 if driver else 0x0000
    cfg = build_config(vendor=vendor, device=device, cls=cls, rev=rev, command=command,
                       status=status, multifunction=multifunction, bars=bars, svid=svid,
                       sdid=sdid, int_line=irq if irq < 0x100 else 0xFF, int_pin=int_pin,
                       caps=caps, ecaps=ecaps, pcie=pcie, cacheline=0x10 if pcie else 0)
    return Dev(bdf, vendor, device, cls, rev, cfg, parent=parent, svid=svid, sdid=sdid,
               irq=irq, driver=driver, bars=bars, group=group, numa=numa, cpulist=cpulist)


def hp_host(c):
    """The DL380e Gen8 on RHEL 9.4; its README text is sc_hp_rmrr's."""
    h = Host("hp-rmrr")
    n0, n1 = "0-9,20-29", "10-19,30-39"
    devs = []
    hb = build_config(vendor=0x8086, device=0x0E00, cls=0x060000, rev=0x04, command=0x0000,
                      svid=HP_SVID, sdid=HP_SDID,
                      caps=[(0x90, 0x10, cap_pcie(4, PCIE_ROOT_DEVCAP, 0, 0x2 | (4 << 4), 0)),
                            (0xE0, 0x01, cap_pm(0x0003))], pcie=True)
    devs.append(Dev("0000:00:00.0", 0x8086, 0x0E00, 0x060000, 0x04, hb, svid=HP_SVID,
                    sdid=HP_SDID, group=0, numa=0, cpulist=n0))
    # IIO root ports of CPU 1: 1a and 1b (riser slots, empty), 3a (slot with the I350)
    devs.append(hp_rootport("0000:00:01.0", 0x0E02, 0x04, 0x04, 74, iio=True, group=1,
                            numa=0, cpulist=n0, port=1))
    devs.append(hp_rootport("0000:00:01.1", 0x0E03, 0x04, 0x05, 75, iio=True, group=2,
                            numa=0, cpulist=n0, port=2))
    devs.append(hp_rootport("0000:00:03.0", 0x0E08, 0x04, 0x06, 76, iio=True, group=3,
                            numa=0, cpulist=n0, port=3,
                            window=((0xF7C00000, 0xF7FFFFFF), (0xF7000000, 0xF70FFFFF))))
    # PCH: EHCI #2, root port 5 (embedded NIC), root port 8 (iLO), EHCI #1, LPC, SATA
    ehci_caps = [(0x50, 0x01, cap_pm(0xC9C2)), (0x58, 0x0A, b"\xa0\x20"),
                 (0x98, 0x13, b"\x06\x03" + b"\0" * 2)]
    devs.append(hp_ep("0000:00:1a.0", 0x8086, 0x1D2D, 0x0C0320, 0x05, parent=None, svid=HP_SVID,
                      sdid=HP_SDID, driver="ehci-pci", bars=[Bar("mem32", 0xF7DFF000, 0x400)],
                      irq=21, int_pin=1, caps=ehci_caps, pcie=False, group=4, command=0x0146,
                      status=0x0290))
    devs.append(hp_rootport("0000:00:1c.4", 0x1D18, 0xB5, 0x03, 77, iio=False, group=5,
                            numa=0, cpulist=n0, port=5, slot=False,
                            window=((0xF6F00000, 0xF6FFFFFF), (0xF6000000, 0xF6EFFFFF))))
    devs.append(hp_rootport("0000:00:1c.7", 0x1D1E, 0xB5, 0x01, 78, iio=False, group=6,
                            numa=0, cpulist=n0, port=8, slot=False,
                            window=((0xF7E00000, 0xF7EFFFFF), (0xF5000000, 0xF5FFFFFF))))
    devs.append(hp_ep("0000:00:1d.0", 0x8086, 0x1D26, 0x0C0320, 0x05, parent=None, svid=HP_SVID,
                      sdid=HP_SDID, driver="ehci-pci", bars=[Bar("mem32", 0xF7DFE000, 0x400)],
                      irq=20, int_pin=1, caps=ehci_caps, pcie=False, group=7, command=0x0146,
                      status=0x0290))
    devs.append(hp_ep("0000:00:1f.0", 0x8086, 0x1D41, 0x060100, 0x05, parent=None, svid=HP_SVID,
                      sdid=HP_SDID, driver="lpc_ich", bars=[], int_pin=0,
                      caps=[(0xE0, 0x09, cap_vendor(0x0C, b"\x10\x00\x00\x00"))], pcie=False,
                      multifunction=True, group=8, command=0x0007, status=0x0210))
    sata_bars = [Bar("io", 0x4000, 8), Bar("io", 0x4008, 4), Bar("io", 0x4010, 8),
                 Bar("io", 0x4018, 4), Bar("io", 0x4020, 0x20), Bar("mem32", 0xF7DFD000, 0x800)]
    devs.append(hp_ep("0000:00:1f.2", 0x8086, 0x1D02, 0x010601, 0x05, parent=None, svid=HP_SVID,
                      sdid=HP_SDID, driver="ahci", bars=sata_bars, irq=81, int_pin=2,
                      caps=[(0x70, 0x01, cap_pm(0x4003)),
                            (0x80, 0x05, cap_msi(0x0001, MSI_ADDR, 0x4061)),
                            (0xA8, 0x12, b"\x10\x00" + le32(0x00000048))],
                      pcie=False, multifunction=True, group=8, command=0x0407, status=0x02B0))
    # 03:00.0-3: embedded "HP Ethernet 1Gb 4-port 331i Adapter" (BCM5719) behind 00:1c.4
    for fn in range(4):
        bars = [Bar("pref64", 0xF6EF0000 - fn * 0x30000, 0x10000), None,
                Bar("pref64", 0xF6EE0000 - fn * 0x30000, 0x10000), None,
                Bar("pref64", 0xF6ED0000 - fn * 0x30000, 0x10000)]
        devcap = 0x1 | (0 << 6) | (7 << 9) | (1 << 15) | (1 << 28)
        d = hp_ep("0000:03:00.%d" % fn, 0x14E4, 0x1657, 0x020000, 0x01, parent="0000:00:1c.4",
                  svid=HP_SVID, sdid=0x22BE, driver="tg3", bars=bars, irq=16 + fn, int_pin=1 + fn,
                  caps=[(0x48, 0x01, cap_pm(0xC803, 0x2008)),
                        (0x50, 0x03, b"\0" * 6),
                        (0x58, 0x05, cap_msi(0x0080)),
                        (0xA0, 0x11, cap_msix(17, True, 4, 0, 4, 0x120)),
                        (0xAC, 0x10, cap_pcie(0, devcap, 0x5957, 0x1 | (4 << 4) | (3 << 10),
                                              0x1 | (4 << 4), devcap2=0x1F))],
                  ecaps=[(0x100, 0x0001, 1, ecap_aer()),
                         (0x13C, 0x0003, 1, ecap_dsn(0x3CA82AFFFE0B9E40 + fn)),
                         (0x150, 0x0004, 1, b"\0" * 12)],
                  multifunction=True, group=11, command=0x0406)
        d.net = dict(name="eno%d" % (fn + 1), mac="3c:a8:2a:0b:9e:%02x" % (0x40 + fn),
                     ifindex=2 + fn, operstate="up" if fn == 0 else "down")
        devs.append(d)
    # 06:00.0/1: HP Ethernet 1Gb 2-port 361T (Intel I350) in the 3a slot, igb, 1 VF each
    pfs = []
    for fn in range(2):
        bars = [Bar("mem32", 0xF7E00000 + fn * 0x100000, 0x100000), None,
                Bar("io", 0x7020 - fn * 0x20, 0x20), Bar("mem32", 0xF7FF0000 + fn * 0x4000, 0x4000)]
        vb0 = Bar("mem64", 0xF7000000 + fn * 0x20000, 0x4000)
        vb3 = Bar("mem64", 0xF7010000 + fn * 0x20000, 0x4000)
        devcap = 0x2 | (3 << 6) | (6 << 9) | (1 << 15) | (1 << 28)
        d = hp_ep("0000:06:00.%d" % fn, 0x8086, 0x1521, 0x020000, 0x01, parent="0000:00:03.0",
                  svid=HP_SVID, sdid=0x339E, driver="igb", bars=bars, irq=32 + fn, int_pin=1 + fn,
                  caps=[(0x40, 0x01, cap_pm(0xC823, 0x2008)),
                        (0x50, 0x05, cap_msi(0x0180)),
                        (0x70, 0x11, cap_msix(10, True, 3, 0, 3, 0x2000)),
                        (0xA0, 0x10, cap_pcie(0, devcap, 0x2830, 0x2 | (4 << 4) | (3 << 10),
                                              0x2 | (4 << 4), devcap2=0x1F)),
                        (0xE0, 0x03, b"\0" * 6)],
                  ecaps=[(0x100, 0x0001, 2, ecap_aer()),
                         (0x140, 0x0003, 1, ecap_dsn(0xA0369FFFFF1C4E20 + fn)),
                         (0x150, 0x000E, 1, ecap_ari(1 if fn == 0 else 0)),
                         (0x160, 0x0010, 1, ecap_sriov(8, 8, 1, fn, 0x80, 4, 0x1520,
                                                       [vb0, None, vb3]))],
                  multifunction=True, group=9 + fn, command=0x0407)
        d.iov_bars = [vb0, None, vb3]
        d.sriov = dict(totalvfs=7, numvfs=1, offset=128, stride=4, vf_device=0x1520)
        d.net = dict(name="enp6s0f%d" % fn, mac="a0:36:9f:1c:4e:%02x" % (0x20 + fn), ifindex=6 + fn)
        d.igb_queues = 1  # I350: no RSS once VFs are allocated
        pfs.append(d)
    devs += pfs
    # 01:00.x: iLO 4 behind 00:1c.7
    ilo = [(0, 0x103C, 0x3306, 0x088000, None, 0x05, [Bar("io", 0x3000, 0x100), Bar("mem32", 0xF7EF0000, 0x200), Bar("mem32", 0xF7EE0000, 0x100)]),
           (1, 0x102B, 0x0533, 0x030000, "mgag200", 0x01, [Bar("pref64", 0xF5000000, 0x1000000), None, Bar("mem32", 0xF7E80000, 0x4000), Bar("mem32", 0xF7000000 - 0x800000, 0x800000)]),
           (2, 0x103C, 0x3307, 0x088000, "hpilo", 0x05, [Bar("io", 0x3400, 0x100), Bar("mem32", 0xF7E70000, 0x100), Bar("mem32", 0xF7D00000, 0x80000), Bar("mem32", 0xF7E60000, 0x8000), Bar("mem32", 0xF7E50000, 0x2000), Bar("mem32", 0xF7E40000, 0x200)]),
           (4, 0x103C, 0x3300, 0x0C0300, "uhci_hcd", 0x02, [Bar("io", 0x3800, 0x20)])]
    for fn, ven, did, cls, drv, rev, bars in ilo:
        irq = {0: 16, 1: 16, 2: 17, 4: 16}[fn]
        d = hp_ep("0000:01:00.%d" % fn, ven, did, cls, rev, parent="0000:00:1c.7", svid=HP_SVID,
                  sdid=0x3381, driver=drv, bars=bars, irq=irq, int_pin={0: 1, 1: 1, 2: 2, 4: 2}[fn],
                  caps=[(0x78, 0x01, cap_pm(0x0023)),
                        (0xB0, 0x05, cap_msi(0x0080)),
                        (0xC0, 0x10, cap_pcie(0, 0x1 | (1 << 15), 0x2810, 0x1 | (1 << 4) | (3 << 10),
                                              0x1 | (1 << 4), devcap2=0x1F))],
                  ecaps=[(0x100, 0x0001, 1, ecap_aer())], multifunction=True, group=12,
                  command=0x0007 if drv else 0x0000)
        devs.append(d)
    # CPU 2's IIO: root ports 1a and 3a (empty slots), under the other DRHD
    devs.append(hp_rootport("0000:20:01.0", 0x0E02, 0x04, 0x21, 79, iio=True, group=13,
                            numa=1, cpulist=n1, parent_bus=0x20, port=1))
    devs.append(hp_rootport("0000:20:03.0", 0x0E08, 0x04, 0x22, 80, iio=True, group=14,
                            numa=1, cpulist=n1, parent_bus=0x20, port=3))
    # VFs (vfio-pci): 06:10.0 of 06:00.0, 06:10.1 of 06:00.1 (First VF Offset 128, stride 4)
    for fn in range(2):
        devfn = 0x80 + fn
        vb0 = Bar("mem64", 0xF7000000 + fn * 0x20000, 0x4000)
        vb3 = Bar("mem64", 0xF7010000 + fn * 0x20000, 0x4000)
        cfg = vf_config(rev=0x01, command=0x0000, svid=HP_SVID, sdid=0x339E, msix=3, msix_on=False,
                        devcap=0x2 | (3 << 6) | (6 << 9) | (1 << 15) | (1 << 28), devctl=0x2810,
                        lnkcap=0x2 | (4 << 4) | (3 << 10), aer_version=2)
        vf = Dev("0000:06:%02x.%d" % (devfn >> 3, devfn & 7), 0x8086, 0x1520, 0x020000, 0x01, cfg,
                 parent="0000:00:03.0", svid=HP_SVID, sdid=0x339E, driver="vfio-pci",
                 bars=[vb0, None, vb3], group=15 + fn, numa=0, cpulist=n0,
                 physfn=pfs[fn].bdf)
        pfs[fn].virtfns.append(vf.bdf)
        devs.append(vf)
    h.devs = devs

    # ---- modules and drivers (RHEL 9.4)
    h.drivers = {"pcieport": None, "ehci-pci": None, "uhci_hcd": None, "ahci": None,
                 "lpc_ich": "lpc_ich", "tg3": "tg3", "igb": "igb", "vfio-pci": "vfio_pci",
                 "hpilo": "hpilo", "mgag200": "mgag200", "pci-stub": None}
    load_vfio(h)
    mods = VFIO_MODULES + [
        ("kvm_intel", []), ("kvm", ["kvm_intel"]), ("irqbypass", ["vfio_pci_core", "kvm"]),
        ("mgag200", []), ("drm_shmem_helper", ["mgag200"]), ("drm_kms_helper", ["mgag200"]),
        ("hpilo", []), ("tg3", []), ("igb", []), ("dca", ["igb"]),
        ("i2c_algo_bit", ["mgag200", "igb"]),
        ("drm", ["drm_shmem_helper", "drm_kms_helper", "mgag200"]),
        ("lpc_ich", []), ("xfs", []), ("dm_mirror", []), ("dm_mod", ["dm_mirror"])]
    sizes = dict(RHEL_MODULE_SIZES, tg3=229376, hpilo=28672, mgag200=77824,
                 drm_shmem_helper=24576, drm_kms_helper=245760, drm=741376)
    h.modules = module_list(mods, sizes)
    h.module_params["kvm_intel"] = {"nested": "Y", "ept": "Y", "vpid": "Y", "enable_apicv": "Y",
                                    "unrestricted_guest": "Y"}
    h.module_params.update(default_params("kvm"))
    host_common(h, "rhel", RHEL_REL, RHEL_CMDLINE_BASE + " intel_iommu=on",
                RHEL_GRUB_BASE + " intel_iommu=on")
    h.files["proc/cpuinfo"] = cpuinfo_e5_2470v2()
    h.files["etc/libvirt/qemu.conf"] = qemu_conf("qemu", "qemu")
    h.files["etc/modprobe.d/igb.conf"] = "options igb max_vfs=1\n"
    rhel_lib_modules(h)
    more_lib_modules(
        h, RHEL_REL, ".ko.xz",
        dep=["drivers/net/ethernet/broadcom/tg3:",
             "drivers/misc/hpilo:",
             "drivers/gpu/drm/drm:",
             "drivers/gpu/drm/drm_kms_helper: drivers/gpu/drm/drm",
             "drivers/gpu/drm/drm_shmem_helper: drivers/gpu/drm/drm",
             "drivers/gpu/drm/mgag200/mgag200: drivers/gpu/drm/drm_shmem_helper "
             "drivers/gpu/drm/drm_kms_helper drivers/i2c/algos/i2c-algo-bit drivers/gpu/drm/drm"],
        alias=(pci_aliases("tg3", 0x14E4, 0x1657) + pci_aliases("hpilo", 0x103C, 0x3307)
               + pci_aliases("mgag200", 0x102B, 0x0533) + pci_aliases("lpc_ich", 0x8086, 0x1D41)))
    h.files["boot/config-" + RHEL_REL] = RHEL_BOOT_CONFIG + "CONFIG_TIGON3=m\nCONFIG_HP_ILO=m\nCONFIG_DRM_MGAG200=m\n"

    # ---- DMAR, two remapping units: dmar0 = DRHD 0xfbefe000 (CPU 2's IIO, bus 0x20,
    # explicit scope), dmar1 = DRHD 0xbeffe000 (INCLUDE_PCI_ALL: everything else)
    dmar = (c / HP_DMAR).read_bytes()
    h.acpi["DMAR"] = dmar
    h.acpi_credit.append(("DMAR", HP_DMAR))
    intel_iommu(h, dmar, "d2078c106f0466", "f020de")
    h.unit_for = lambda d: "dmar0" if d.bdf[5:7] in ("20", "21", "22") else "dmar1"
    h.resv = rmrr_resv(h, dmar, floppy_wa=True)
    h.rmrr_report = [(base, limit, [(b, p, resolve_scope(h, b, p)) for b, p in scopes])
                     for base, limit, scopes in dmar_rmrrs(dmar)]
    h.irq_remap = dmar_intr_remap(dmar)
    h.first_msix_irq = 86
    h.files["proc/interrupts"] = rhel_interrupts(h, 40, 4, h.irq_remap, [(72, "dmar0"), (73, "dmar1")])
    return h


def rmrr_table(h):
    """The DMAR's RMRRs and the devices their scopes resolve to, as a Markdown table."""
    rows = ["| RMRR | scope path (bus 00: dev.fn / dev.fn) -> device |", "| --- | --- |"]
    for base, limit, scopes in h.rmrr_report:
        cells = []
        for bus, path, bdf in scopes:
            p = " / ".join("%02x.%x" % x for x in path)
            cells.append("%s -> %s" % (p, bdf[5:] if bdf else "none"))
        rows.append("| 0x%x-0x%x | %s |" % (base, limit, "; ".join(cells)))
    return "\n".join(rows) + "\n"


def sc_hp_rmrr(c):
    h = hp_host(c)
    h.description = "HP DL380e Gen8: target 03:00.0 (embedded BCM5719 331i) is named in firmware RMRRs"
    h.targets = ["0000:03:00.0"]
    h.hw_text = """\
Hand-built tree of an HP ProLiant DL380e Gen8 with two Xeon E5-2470 v2 (Ivy Bridge-EN,
family 6 model 62, 2 x 10 cores x 2 threads = 40 CPUs, NUMA nodes 0 and 1) and the C600
"Patsburg" PCH, running Red Hat Enterprise Linux 9.4, kernel `5.14.0-427.13.1.el9_4.x86_64`,
`intel_iommu=on`.

`sys/firmware/acpi/tables/DMAR` is the real table of a DL380e Gen8: flags 0x3 (INTR_REMAP,
X2APIC_OPT_OUT), DRHD 0xfbefe000 for CPU 2's bus 0x20 (explicit scope: root ports, IO-APIC 10
at 20:05.4, CBDMA 20:04.x), DRHD 0xbeffe000 INCLUDE_PCI_ALL (IO-APICs 8 and 0, HPET 0), eight
RMRRs and two ATSRs. Linux names the units in table order: `dmar0` = 0xfbefe000 (devices on
buses 0x20-0x22), `dmar1` = 0xbeffe000 (everything else). The RMRR scopes name devices behind
root ports by two-hop paths (start bus 0, then the bridge's secondary bus), so the bridges'
config space carries secondary bus numbers that make those paths land:

- 00:1c.4 (PCH root port 5, 8086:1d18) -> bus 03: the embedded "HP Ethernet 1Gb 4-port 331i
  Adapter", Broadcom BCM5719 14e4:1657, subsystem 103c:22be, tg3, 03:00.0-03:00.3
  (`eno1`-`eno4`). No SR-IOV, no ACS: the four functions share IOMMU group 11.
- 00:1c.7 (PCH root port 8, 8086:1d1e) -> bus 01: iLO 4, 01:00.0 (103c:3306, no driver),
  01:00.1 Matrox G200EH (102b:0533, mgag200), 01:00.2 (103c:3307, hpilo), 01:00.4 virtual
  USB (103c:3300, uhci_hcd); one group (12).
- 00:01.0 and 00:01.1 (IIO root ports 1a/1b, 8086:0e02/0e03) -> buses 04 and 05: empty riser
  slots, so the RMRR paths 01.0/00.0 and 01.1/00.0 resolve to no device.
- 00:1f.2 C600 6-port SATA AHCI (8086:1d02, ahci), 00:1a.0 and 00:1d.0 EHCI (8086:1d2d,
  8086:1d26, ehci-pci), 00:1f.0 LPC (8086:1d41, lpc_ich).
- 00:03.0 (IIO root port 3a, 8086:0e08, named in no RMRR) -> bus 06: "HP Ethernet 1Gb 2-port
  361T Adapter", Intel I350 8086:1521, subsystem 103c:339e, igb with `max_vfs=1`; SR-IOV
  Initial/Total VFs 8, First VF Offset 128, VF Stride 4, VF Device ID 1520, so the VFs are
  06:10.0 (of 06:00.0) and 06:10.1 (of 06:00.1), both on vfio-pci (`/dev/vfio/15`, `/dev/vfio/16`).
- CPU 2's root ports 20:01.0 and 20:03.0 (empty) sit under `dmar0`.

IIO root ports carry ACS (capability at 0x110, control 0x001d: SrcValid, ReqRedir,
CmpltRedir, UpstreamFwd, as Linux enables them with the IOMMU on); the PCH root ports have no
ACS capability (Linux's Patsburg quirk isolates them).
"""
    h.verdict = "READY"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "hp-rmrr", (
        "- VT-x, `intel_iommu=on`, two DMAR units, interrupt remapping on (`IR-IO-APIC`,\n"
        "  `IR-PCI-MSI`, `DMAR-MSI` for `dmar0` and `dmar1` in `/proc/interrupts`), groups `DMA-FQ`.\n"
        "- RMRRs, as the kernel resolves them through the bridges above (group\n"
        "  `reserved_regions` merge adjacent regions of one type; USB and graphics functions get\n"
        "  `direct-relaxable`, every other one `direct`; the ISA bridge also gets 0-16M\n"
        "  `direct-relaxable`, CONFIG_INTEL_IOMMU_FLOPPY_WA):\n\n" + rmrr_table(h) + "\n"
        "- The operator wants to give the whole 331i (03:00.0-03:00.3) to a guest. Its group 11\n"
        "  reserves `0xe8000-0xe8fff`, `0xf4000-0xf4fff` and `0x75f6f000-0x7df84fff` as `direct`.\n"),
        "Not ready for 0000:03:00.0: it is named in firmware RMRRs (non-relaxable: a NIC), so the\n"
        "Intel IOMMU driver refuses to attach it to a VFIO domain (\"Device is ineligible for IOMMU\n"
        "domain attach due to platform RMRR requirement.  Contact your platform vendor.\"). The\n"
        "remedy is in the firmware (HP: exclude the device from the shared-memory RMRRs, e.g. with\n"
        "conrep), or use the I350 VFs 06:10.0/06:10.1, which no RMRR names. Its group also holds\n"
        "03:00.1-03:00.3 on tg3. The rest of the host is ready: the I350 VFs pass.\n")
    return h
