"""The seed host: the SR-IOV guide's Supermicro X8DTT with an Intel 82576, on RHEL 9.4.

The hardware: two Xeon E5520 (16 CPUs), the Intel 5520 IOH (host bridge 00:00.0,
root ports 00:01.0, 00:03.0 and 00:07.0), the ICH10R's UHCI, LPC and AHCI
functions, and an 82576 dual-port NIC at 03:00.0/03:00.1 behind 00:01.0, with
its VFs. seed_host builds it in the state a scenario asks for (VT-x and VT-d
on or off, IOMMU on or off, PF driver, VFs and their drivers, vfio, ACS, Xen);
every seed-* and xen-* scenario starts from it, and the benchmark's big host
borrows its platform devices.
"""

from .acpi import dmar_intr_remap, intel_iommu, rmrr_resv, SEED_DMAR
from .cpuinfo import cpuinfo_e5520
from .distro import host_common
from .host import Host
from .interrupts import rhel_interrupts
from .kernel import default_params, module_list
from .libvirt import qemu_conf
from .pci import Dev
from .pcicfg import (Bar, build_config, cap_msi, cap_msix, cap_pcie, cap_pm, cap_ssvid, cap_vendor,
                     ecap_acs, ecap_aer, ecap_ari, ecap_dsn, ecap_sriov, F_BRIDGE_IO, F_BRIDGE_MEM,
                     le32, MSI_ADDR, PCIE_ROOT_DEVCAP, vf_config)
from .rhel9 import (load_vfio, RHEL_BOOT_CONFIG, RHEL_CMDLINE_BASE, RHEL_GRUB_BASE,
                    rhel_lib_modules, RHEL_MODULE_SIZES, RHEL_REL, VFIO_MODULES)

# The README's hardware paragraph of every seed host
SEED_HW = """\
Hand-built tree of the SR-IOV guide's host (`/work/shared/reference/sriov-guide.txt`):
a Supermicro X8DTT (Intel 5520 "Tylersburg" IOH + ICH10R) with two Xeon E5520 (16 logical
CPUs) running Red Hat Enterprise Linux 9.4, kernel `5.14.0-427.13.1.el9_4.x86_64`, and an
Intel 82576 dual-port NIC (8086:10c9, subsystem 8086:a03c "Gigabit ET Dual Port Server
Adapter") at 03:00.0/03:00.1 behind root port 00:01.0 (8086:3408). The 82576 SR-IOV
capability: InitialVFs/TotalVFs 8, First VF Offset 128, VF Stride 2, VF Device ID 10ca, so
PF 03:00.0's VFs are 03:10.0, 03:10.2, ... and PF 03:00.1's are 03:10.1, 03:10.3, ...
igb caps `sriov_totalvfs` at 7 while it is bound (the guide's "valid range is 0 to 7").

PCI devices: 00:00.0 host bridge 8086:3406, root ports 00:01.0 (8086:3408, bus 03),
00:03.0 (8086:340a, bus 04, empty), 00:07.0 (8086:340e, bus 05, empty), 00:1a.0 and 00:1d.0
UHCI (8086:3a37/3a34, uhci_hcd), 00:1f.0 LPC (8086:3a16, lpc_ich), 00:1f.2 AHCI
(8086:3a22, ahci), the two 82576 PFs and their VFs.
"""


def e5520_hostbridge(numa, cpulist, group):
    """00:00.0, the 5520 IOH's host bridge (8086:3406)."""
    cfg = build_config(
        vendor=0x8086, device=0x3406, cls=0x060000, rev=0x22, command=0x0000,
        caps=[(0x60, 0x05, cap_msi(0x0000)),
              (0x90, 0x10, cap_pcie(4, PCIE_ROOT_DEVCAP, 0x0000, 0x00000011 | (3 << 24) | 0x04, 0x0000)),
              (0xE0, 0x01, cap_pm(0x0003))],
        ecaps=[(0x100, 0x0001, 1, ecap_aer(root=True))],
        pcie=True, svid=0x15D9, sdid=0x0000, cacheline=0x10)
    return Dev("0000:00:00.0", 0x8086, 0x3406, 0x060000, 0x22, cfg, irq=0, svid=0x15D9,
               sdid=0x0000, numa=numa, cpulist=cpulist, group=group)


def e5520_rootport(bdf, device, port, secondary, irq, *, acs, acs_enabled, group, numa,
                   cpulist, windows=None):
    """A 5520 IOH root port; windows: the bridge forwards the 82576's I/O and memory
    (a card is present), else its windows are closed and the slot is empty."""
    mem = (0xFB400000, 0xFBEFFFFF) if windows else (0xFFF00000, 0x000FFFFF)
    io = (0xE000, 0xEFFF) if windows else (0xF000, 0x0FFF)
    lnkcap = 0x2 | (4 << 4) | (3 << 10) | (1 << 12) | (1 << 15) | (1 << 20) | (port << 24)  # 5GT/s x4, ASPM L0sL1, DLActive reporting
    lnksta = (0x1 | (4 << 4) | 0x2000) if windows else 0x0000
    ecaps = [(0x100, 0x0001, 1, ecap_aer(root=True))]
    if acs:
        ecaps.append((0x150, 0x000D, 1, ecap_acs(0x001F, 0x001D if acs_enabled else 0)))
    sltsta = 0x0040 if windows else 0x0000  # presence detect
    cfg = build_config(
        vendor=0x8086, device=device, cls=0x060400, rev=0x22,
        command=0x0547, header=0x01,
        caps=[(0x40, 0x0D, cap_ssvid(0x15D9, 0x0000)),
              (0x60, 0x05, cap_msi(0x0001, MSI_ADDR, 0x4041)),
              (0x90, 0x10, cap_pcie(4, PCIE_ROOT_DEVCAP, 0x0020, lnkcap,
                                    lnksta, slot=True, sltcap=(port << 19) | 0x60, sltsta=sltsta,
                                    devcap2=0x1F, lnkctl=0x0040)),
              (0xE0, 0x01, cap_pm(0xC803))],
        ecaps=ecaps, pcie=True, int_line=0, int_pin=1,
        bridge=dict(primary=0, secondary=secondary, subordinate=secondary, mem=mem, io=io,
                    control=0x0003))
    win = [(0, 0, 0), (0, 0, 0), (0, 0, 0), (0, 0, 0)]
    if windows:
        win = [(0xE000, 0xEFFF, F_BRIDGE_IO), (0xFB400000, 0xFBEFFFFF, F_BRIDGE_MEM), (0, 0, 0), (0, 0, 0)]
    return Dev(bdf, 0x8086, device, 0x060400, 0x22, cfg, irq=irq, driver="pcieport", svid=0x0000,
               sdid=0x0000, bridge_windows=win, group=group, numa=numa, cpulist=cpulist)


def ich10_devices(numa, cpulist, groups):
    """The ICH10R's UHCI 00:1a.0/00:1d.0, LPC 00:1f.0 and AHCI 00:1f.2; groups maps
    "usb1a", "usb1d" and "lpc" (LPC and AHCI share one) to IOMMU groups."""
    g = groups
    devs = []
    # USB UHCI 00:1a.0 and 00:1d.0 (uhci_hcd, built in on RHEL 9)
    for bdf, did, io, irq, grp in (("0000:00:1a.0", 0x3A37, 0xC880, 19, g.get("usb1a")),
                                   ("0000:00:1d.0", 0x3A34, 0xC800, 23, g.get("usb1d"))):
        bar = Bar("io", io, 0x20)
        cfg = build_config(vendor=0x8086, device=did, cls=0x0C0300, rev=0x00, command=0x0005,
                           status=0x0290, multifunction=True,
                           bars=[None, None, None, None, bar], svid=0x15D9, sdid=0x0062,
                           int_line=irq, int_pin=1,
                           caps=[(0x50, 0x13, b"\x06\x03" + b"\0" * 2)], pcie=False, cacheline=0)
        devs.append(Dev(bdf, 0x8086, did, 0x0C0300, 0x00, cfg, svid=0x15D9, sdid=0x0062,
                        irq=irq, driver="uhci_hcd", bars=[None, None, None, None, bar],
                        group=grp, numa=numa, cpulist=cpulist))
    # LPC 00:1f.0 (lpc_ich)
    cfg = build_config(vendor=0x8086, device=0x3A16, cls=0x060100, rev=0x00, command=0x0007,
                       status=0x0210, multifunction=True, svid=0x15D9, sdid=0x0062,
                       caps=[(0xE0, 0x09, cap_vendor(0x0C, b"\x10\x00\x00\x00"))],
                       pcie=False, cacheline=0)
    devs.append(Dev("0000:00:1f.0", 0x8086, 0x3A16, 0x060100, 0x00, cfg, svid=0x15D9, sdid=0x0062,
                    irq=0, driver="lpc_ich", group=g.get("lpc"), numa=numa, cpulist=cpulist))
    # SATA AHCI 00:1f.2 (ahci, built in)
    bars = [Bar("io", 0xCC00, 8), Bar("io", 0xC880 + 0x100, 4), Bar("io", 0xC800 + 0x100, 8),
            Bar("io", 0xC480, 4), Bar("io", 0xC400, 0x20), Bar("mem32", 0xFAFFC000, 0x800)]
    cfg = build_config(vendor=0x8086, device=0x3A22, cls=0x010601, rev=0x00, command=0x0407,
                       status=0x02B0, svid=0x15D9, sdid=0x0062, int_line=0, int_pin=2, bars=bars,
                       caps=[(0x80, 0x05, cap_msi(0x0001, MSI_ADDR, 0x4051)),
                             (0x70, 0x01, cap_pm(0x4003, 0x0008)),
                             (0xA8, 0x12, b"\x10\x00" + le32(0x00000048)),
                             (0xB0, 0x13, b"\x06\x03" + b"\0" * 2)],
                       pcie=False, cacheline=0)
    devs.append(Dev("0000:00:1f.2", 0x8086, 0x3A22, 0x010601, 0x00, cfg, svid=0x15D9, sdid=0x0062,
                    irq=31, driver="ahci", bars=bars, group=g.get("lpc"), numa=numa, cpulist=cpulist))
    return devs


def i82576_pf(fn, *, driver, numvfs, totalvfs, group, numa, cpulist, irq):
    """82576 PF 03:00.fn (8086:10c9); driver igb or None, numvfs VFs enabled."""
    bdf = "0000:03:00.%d" % fn
    bars = [Bar("mem32", 0xFBE20000 - fn * 0x20000, 0x20000),
            Bar("mem32", 0xFB800000 - fn * 0x400000, 0x400000),
            Bar("io", 0xE020 - fn * 0x20, 0x20),
            Bar("mem32", 0xFBE44000 - fn * 0x4000, 0x4000)]
    vfbar0 = Bar("mem64", 0xFBD00000 + fn * 0x40000, 0x4000)
    vfbar3 = Bar("mem64", 0xFBD20000 + fn * 0x40000, 0x4000)
    bound = driver is not None
    devcap = 0x2 | (3 << 6) | (6 << 9) | (1 << 15) | (1 << 28)
    lnkcap = 0x1 | (4 << 4) | (3 << 10) | (4 << 12) | (6 << 15)
    mac = "00:1b:21:4a:5c:%02x" % (0x18 + fn)
    cfg = build_config(
        vendor=0x8086, device=0x10C9, cls=0x020000, rev=0x01,
        command=0x0407 if bound else 0x0003, multifunction=True, bars=bars,
        svid=0x8086, sdid=0xA03C, int_line=irq, int_pin=1 + fn,
        caps=[(0x40, 0x01, cap_pm(0xC823, 0x2008)),
              (0x50, 0x05, cap_msi(0x0180)),
              (0x70, 0x11, cap_msix(10, bound, 3, 0, 3, 0x2000)),
              (0xA0, 0x10, cap_pcie(0, devcap, 0x2830 if bound else 0x2810, lnkcap,
                                    0x1 | (4 << 4), devcap2=0x1F))],
        ecaps=[(0x100, 0x0001, 1, ecap_aer()),
               (0x140, 0x0003, 1, ecap_dsn(0x001B21FFFF4A5C18 + fn)),
               (0x150, 0x000E, 1, ecap_ari(1 if fn == 0 else 0)),
               (0x160, 0x0010, 1, ecap_sriov(8, 8, numvfs, fn, 0x80, 2, 0x10CA,
                                             [vfbar0, None, vfbar3]))],
        pcie=True)
    d = Dev(bdf, 0x8086, 0x10C9, 0x020000, 0x01, cfg, parent="0000:00:01.0", svid=0x8086,
            sdid=0xA03C, irq=irq, driver=driver, bars=bars, iov_bars=[vfbar0, None, vfbar3],
            group=group, numa=numa, cpulist=cpulist,
            sriov=dict(totalvfs=totalvfs, numvfs=numvfs, offset=128, stride=2, vf_device=0x10CA))
    if driver == "igb":
        d.net = dict(name="enp3s0f%d" % fn, mac=mac, ifindex=3 + fn)
    return d


def i82576_vf(pf_fn, index, *, driver, group, numa, cpulist, ifindex=None):
    """VF `index` of PF 03:00.pf_fn (8086:10ca): First VF Offset 128, VF Stride 2."""
    devfn = 0x80 + pf_fn + 2 * index
    bdf = "0000:03:%02x.%d" % (devfn >> 3, devfn & 7)
    vfbar0 = Bar("mem64", 0xFBD00000 + pf_fn * 0x40000 + index * 0x4000, 0x4000)
    vfbar3 = Bar("mem64", 0xFBD20000 + pf_fn * 0x40000 + index * 0x4000, 0x4000)
    cfg = vf_config(rev=0x01, command=0x0004 if driver == "igbvf" else 0x0000,
                    svid=0x8086, sdid=0xA03C, msix=3,
                    msix_on=driver not in (None, "vfio-pci", "pci-stub"),
                    devcap=0x2 | (3 << 6) | (6 << 9) | (1 << 15) | (1 << 28), devctl=0x2810,
                    lnkcap=0x1 | (4 << 4) | (3 << 10) | (4 << 12) | (6 << 15), aer_version=1)
    # resource rows: BAR0 (64-bit: rows 0,1) and BAR3 (rows 3,4)
    d = Dev(bdf, 0x8086, 0x10CA, 0x020000, 0x01, cfg, parent="0000:00:01.0", svid=0x8086,
            sdid=0xA03C, irq=0, driver=driver, bars=[vfbar0, None, vfbar3],
            group=group, numa=numa, cpulist=cpulist, physfn="0000:03:00.%d" % pf_fn)
    if driver == "igbvf":
        slot = devfn >> 3
        fn = devfn & 7
        name = "enp3s%d" % slot + ("f%d" % fn if fn else "")
        d.net = dict(name=name, mac="ae:5c:%02x:1e:93:%02x" % (0x10 + pf_fn, 0x40 + index),
                     ifindex=ifindex or 6)
    return d


def seed_host(name, *, vmx=True, dmar=True, iommu_on=True, cmdline_iommu=True,
              igb=True, numvfs=1, vf_drivers=("vfio-pci", "vfio-pci"), vfio=True,
              group_shared=False, root_acs=True, xen=False, corpus=None,
              dmar_src=SEED_DMAR, cmdline_extra="", xen_iommu=True, pf_driver="igb"):
    """The seed host, ready for assignment unless told otherwise: vmx (VT-x on),
    dmar (VT-d on: the firmware has a DMAR, dmar_src in the corpus), iommu_on (the
    kernel's IOMMU runs), cmdline_iommu (intel_iommu=on), igb (PF driver loaded),
    numvfs per PF, vf_drivers (the first VF of each PF; the others are on igbvf),
    vfio loaded, group_shared (PFs and VFs in one group), root_acs (ACS capability on
    the root ports), xen (a Xen dom0 with 4 vCPUs; xen_iommu: Xen's VT-d on), pf_driver
    (the driver the PFs are bound to when igb is loaded; with any other, no VFs)."""
    h = Host(name)
    h.hw_text = SEED_HW
    numa, cpulist = -1, "0-15"
    if xen:
        cpulist = "0-3"
    # ---- IOMMU groups (bus scan order; VFs are added when sriov_numvfs is written)
    g = {}
    if iommu_on:
        order = ["0000:00:00.0", "0000:00:01.0", "0000:00:03.0", "0000:00:07.0",
                 "usb1a", "usb1d", "lpc", "0000:03:00.0", "0000:03:00.1"]
        for i, k in enumerate(order):
            g[k] = i
        if group_shared:
            g["0000:03:00.1"] = g["0000:03:00.0"]
    # ---- devices
    devs = [e5520_hostbridge(numa, cpulist, g.get("0000:00:00.0"))]
    # Linux enables ACS only when an IOMMU asked for it; Xen does it itself (pci_enable_acs),
    # but only when its IOMMU is on
    acs_en = iommu_on or (xen and xen_iommu)
    devs.append(e5520_rootport("0000:00:01.0", 0x3408, 1, 0x03, 24, acs=root_acs,
                               acs_enabled=acs_en, group=g.get("0000:00:01.0"), numa=numa,
                               cpulist=cpulist, windows=True))
    devs.append(e5520_rootport("0000:00:03.0", 0x340A, 3, 0x04, 25, acs=root_acs,
                               acs_enabled=acs_en, group=g.get("0000:00:03.0"), numa=numa,
                               cpulist=cpulist))
    devs.append(e5520_rootport("0000:00:07.0", 0x340E, 7, 0x05, 26, acs=root_acs,
                               acs_enabled=acs_en, group=g.get("0000:00:07.0"), numa=numa,
                               cpulist=cpulist))
    devs += ich10_devices(numa, cpulist, g)
    pf_driver = pf_driver if igb else None
    totalvfs = (7 if pf_driver == "igb" else 8)
    nv = numvfs if pf_driver == "igb" else 0
    pfs = [i82576_pf(fn, driver=pf_driver, numvfs=nv, totalvfs=totalvfs,
                     group=g.get("0000:03:00.%d" % fn), numa=numa, cpulist=cpulist,
                     irq=16 + fn) for fn in (0, 1)]
    for pf in pfs:
        pf.igb_queues = 2 if nv else 8   # 82576: 2 RSS queues once VFs are allocated
    devs += pfs
    vfs = []
    next_group = max(g.values()) + 1 if g else None
    ifindex = 6
    for fn in (0, 1):
        for i in range(nv):
            drv = vf_drivers[fn] if i == 0 else "igbvf"
            grp = None
            if iommu_on:
                if group_shared:
                    grp = g["0000:03:00.0"]
                else:
                    grp = next_group
                    next_group += 1
            vf = i82576_vf(fn, i, driver=drv, group=grp, numa=numa, cpulist=cpulist,
                           ifindex=ifindex)
            if drv == "igbvf":
                ifindex += 1
            pfs[fn].virtfns.append(vf.bdf)
            vfs.append(vf)
    # VFs appear in sysfs in the order they were created: all of PF0, then PF1
    devs += vfs
    h.devs = devs

    # ---- drivers registered on the PCI bus (module name or None when built in)
    h.drivers = {"pcieport": None, "uhci_hcd": None, "ahci": None, "lpc_ich": "lpc_ich",
                 "pci-stub": None}
    mods = []  # (name, users) most recently loaded first
    if vfio:
        mods += VFIO_MODULES
        load_vfio(h)
    if any(d.driver == "igbvf" for d in devs):
        mods.append(("igbvf", []))
        h.drivers["igbvf"] = "igbvf"
    if vmx:
        mods += [("kvm_intel", []), ("kvm", ["kvm_intel"])]
        h.module_params["kvm_intel"] = {"nested": "Y", "ept": "Y", "vpid": "Y",
                                        "enable_apicv": "N", "unrestricted_guest": "N"}
        h.module_params.update(default_params("kvm"))
    irq_users = (["vfio_pci_core"] if vfio else []) + (["kvm"] if vmx else [])
    if irq_users:
        mods.append(("irqbypass", irq_users))
    if igb:
        mods += [("igb", []), ("dca", ["igb"]), ("i2c_algo_bit", ["igb"])]
        h.drivers["igb"] = "igb"
    mods += [("lpc_ich", []), ("i2c_i801", []), ("i2c_smbus", ["i2c_i801"]),
             ("xfs", []), ("dm_mirror", []), ("dm_mod", ["dm_mirror"])]
    h.modules = module_list(mods, RHEL_MODULE_SIZES)

    # ---- kernel command line
    cmd = RHEL_CMDLINE_BASE + (" intel_iommu=on" if cmdline_iommu else "") + cmdline_extra
    grub = RHEL_GRUB_BASE + (" intel_iommu=on" if cmdline_iommu else "") + cmdline_extra
    host_common(h, "rhel", RHEL_REL, cmd, grub)
    h.files["proc/cpuinfo"] = cpuinfo_e5520(vmx=vmx)
    h.files["etc/libvirt/qemu.conf"] = qemu_conf("qemu", "qemu")
    if igb and numvfs:
        h.files["etc/modprobe.d/igb.conf"] = "options igb max_vfs=%d\n" % numvfs
    rhel_lib_modules(h)
    h.files["boot/config-" + RHEL_REL] = RHEL_BOOT_CONFIG

    # ---- ACPI / IOMMU
    dmar_bytes = (corpus / dmar_src).read_bytes() if dmar else b""
    if dmar:
        h.acpi["DMAR"] = dmar_bytes
        h.acpi_credit.append(("DMAR", dmar_src))
    if iommu_on:
        intel_iommu(h, dmar_bytes, "c90780106f0462", "f0207e")
        h.unit_for = lambda d: "dmar0"
        # RMRRs of the table, resolved to the devices present (UHCI 00:1a.0 and 00:1d.0).
        # The ISA-bridge floppy region (CONFIG_INTEL_IOMMU_FLOPPY_WA) is left out, as it
        # always was on these hosts.
        h.resv = rmrr_resv(h, dmar_bytes, floppy_wa=False)
    # ---- /proc/interrupts: interrupt remapping is prepared from the DMAR alone
    # (intel_prepare_irq_remapping: INTR_REMAP flag, every IO-APIC under a DRHD, every
    # unit with ecap IR); intel_iommu=on is not needed for it. Xen hosts replace this.
    ir = dmar_intr_remap(dmar_bytes)
    h.irq_remap = ir
    dmar_irqs = [(27, "dmar0")] if (ir or iommu_on) else []
    h.files["proc/interrupts"] = rhel_interrupts(h, 16, 3, ir, dmar_irqs)
    return h
