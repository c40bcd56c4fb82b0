"""amd-ready and amd-no-intremap: an AMD Threadripper workstation with an Intel X710, Ubuntu 22.04.

The ASUS ROG Zenith II Extreme Alpha (TRX40) with its real IVRS: four AMD
IOMMUs (ivhd0..3, class devices under their PCI functions), iommu=pt (identity
groups), vfio built into Ubuntu's 5.15 kernel, i40e with two VFs of 41:00.0 on
vfio-pci. amd-no-intremap is the same host with the IVRS's IOAPIC entries cut
out, so AMD-Vi disables interrupt remapping.
"""

from ..acpi import AMD_IVRS, ivrs_without_ioapics
from ..cpuinfo import cpuinfo_tr3960x
from ..distro import host_common
from ..host import Host
from ..interrupts import amd_interrupts
from ..kernel import boot_config, default_params, lib_modules, pci_aliases
from ..libvirt import qemu_conf
from ..pci import Dev
from ..pcicfg import (Bar, build_config, cap_msi, cap_msix, cap_pcie, cap_pm, cap_ssvid, ecap_acs,
                      ecap_aer, ecap_ari, ecap_dsn, ecap_sriov, F_BRIDGE_MEM, F_BRIDGE_PREF64, le32,
                      MSI_ADDR, PCIE_ROOT_DEVCAP, vf_config)
from ..readme import finish_readme

UBU_REL = "5.15.0-105-generic"

AMD_HW = """\
Hand-built tree of an AMD workstation: ASUS ROG Zenith II Extreme Alpha (TRX40) with an AMD
Ryzen Threadripper 3960X (Zen 2, family 23 model 49, `svm`), Ubuntu 22.04.4 LTS, kernel
`5.15.0-105-generic`, and an Intel X710 (8086:1572, subsystem 8086:0007 "Ethernet Converged
Network Adapter X710-2", i40e) at 41:00.0/41:00.1 behind GPP bridge 40:01.1 (1022:1483).
The IVRS table is the real one of that board: four IOMMUs at 60:00.2, 40:00.2, 20:00.2 and
00:00.2 (1022:1481), registered by Linux in that (IVHD) order as ivhd0..ivhd3, so the X710
and its VFs hang off `ivhd1` (40:00.2). On AMD the IOMMU class device is a child of the
IOMMU's PCI function: `sys/class/iommu/ivhd1 -> ../../devices/pci0000:40/0000:40:00.2/iommu/ivhd1`.
Root complexes 00/20/40/60 each have a host bridge (1022:1480) and an IOMMU (1022:1481), which
the IVHD ranges (starting at device 0x..08) do not cover, so they have no IOMMU group.
X710 SR-IOV: Initial/Total VFs 64, PF0 First VF Offset 16, PF1 79, stride 1, VF Device ID 154c.
"""

UBU_BOOT_CONFIG = boot_config("x86", UBU_REL, """\
CONFIG_PCI_IOV=y
CONFIG_PCI_STUB=y
CONFIG_IOMMU_SUPPORT=y
CONFIG_IOMMU_DEFAULT_DMA_LAZY=y
# CONFIG_IOMMU_DEFAULT_PASSTHROUGH is not set
CONFIG_AMD_IOMMU=y
CONFIG_AMD_IOMMU_V2=m
CONFIG_INTEL_IOMMU=y
# CONFIG_INTEL_IOMMU_DEFAULT_ON is not set
CONFIG_IRQ_REMAP=y
CONFIG_VFIO_IOMMU_TYPE1=y
CONFIG_VFIO_VIRQFD=y
CONFIG_VFIO=y
CONFIG_VFIO_NOIOMMU=y
CONFIG_VFIO_PCI_CORE=y
CONFIG_VFIO_PCI=y
CONFIG_VFIO_PCI_VGA=y
CONFIG_IRQ_BYPASS_MANAGER=y
CONFIG_KVM=m
CONFIG_KVM_AMD=m
CONFIG_KVM_AMD_SEV=y
CONFIG_I40E=m
CONFIG_IAVF=m
CONFIG_I40EVF=m
""")


def amd_host(c, ir=True):
    """The host; ir=False: the IVRS lacks its IOAPIC entries (no interrupt remapping)."""
    h = Host("amd-ready")
    numa, cpulist = -1, "0-47"
    devs = []
    # IOMMU order follows the IVHD order of the IVRS: 60:00.2, 40:00.2, 20:00.2, 00:00.2
    units = [("ivhd0", "60"), ("ivhd1", "40"), ("ivhd2", "20"), ("ivhd3", "00")]
    bus_unit = {bus: name for name, bus in units}
    for bus in ("00", "20", "40", "60"):
        hb = build_config(vendor=0x1022, device=0x1480, cls=0x060000, rev=0x00, command=0x0000,
                          svid=0x1043, sdid=0x87C0, pcie=False, cacheline=0)
        devs.append(Dev("0000:%s:00.0" % bus, 0x1022, 0x1480, 0x060000, 0x00, hb, svid=0x1043,
                        sdid=0x87C0, numa=numa, cpulist=cpulist))
        io = build_config(vendor=0x1022, device=0x1481, cls=0x080600, rev=0x00, command=0x0404,
                          svid=0x1043, sdid=0x87C0, int_pin=1,
                          caps=[(0x40, 0x0F, b"\x01\x00" + b"\0" * 16),
                                (0x64, 0x05, cap_msi(0x0081, MSI_ADDR, 0x0021))],
                          pcie=False, cacheline=0)
        devs.append(Dev("0000:%s:00.2" % bus, 0x1022, 0x1481, 0x080600, 0x00, io, svid=0x1043,
                        sdid=0x87C0, irq=25 + int(bus, 16) // 0x20, numa=numa, cpulist=cpulist,
                        enable=1))
    # the dummy host bridges xx:01.0 (in scan order 00, 20, 60, then 40, followed by the
    # GPP bridge 40:01.1 to bus 41)
    dummy = build_config(vendor=0x1022, device=0x1482, cls=0x060000, rev=0x00, command=0x0000,
                         pcie=False, cacheline=0)
    # a realistic spread of group numbers, in bus-scan order
    grp = {"0000:00:01.0": 0, "0000:20:01.0": 13, "0000:40:01.0": 25, "0000:40:01.1": 26,
           "0000:41:00.0": 27, "0000:41:00.1": 28, "0000:60:01.0": 38}
    for bus in ("00", "20", "60", "40"):
        bdf = "0000:%s:01.0" % bus
        devs.append(Dev(bdf, 0x1022, 0x1482, 0x060000, 0x00, dummy, group=grp[bdf],
                        numa=numa, cpulist=cpulist))
    lnkcap = 0x4 | (8 << 4) | (2 << 10) | (1 << 12) | (6 << 15) | (1 << 20) | (0 << 24)
    gpp = build_config(
        vendor=0x1022, device=0x1483, cls=0x060400, rev=0x00, command=0x0407, header=0x01,
        caps=[(0x50, 0x01, cap_pm(0xC803, 0x0008)),
              (0x58, 0x10, cap_pcie(4, PCIE_ROOT_DEVCAP | 0x2, 0x0020, lnkcap,
                                    0x3 | (8 << 4) | 0x2000, slot=True,
                                    sltcap=(3 << 19) | 0x60, sltsta=0x0040, devcap2=0x7001F,
                                    lnkcap2=0x1E, lnkctl2=0x0004, lnksta2=0x0001)),
              (0xA0, 0x05, cap_msi(0x0081, MSI_ADDR, 0x4029)),
              (0xC0, 0x0D, cap_ssvid(0x1043, 0x87C0))],
        # AMD vendor-specific (ID 1, rev 1, len 0x010), AER, ACS
        ecaps=[(0x100, 0x000B, 1, le32(0x01010001) + b"\0" * 8),
               (0x150, 0x0001, 2, ecap_aer(root=True)),
               (0x2A0, 0x000D, 1, ecap_acs(0x005F, 0x001D))],
        pcie=True, int_pin=1,
        bridge=dict(primary=0x40, secondary=0x41, subordinate=0x41, io=(0xF000, 0x0FFF),
                    mem=(0xF7000000, 0xF70FFFFF), pref=(0xC5000000, 0xC7FFFFFF), control=0x0012))
    devs.append(Dev("0000:40:01.1", 0x1022, 0x1483, 0x060400, 0x00, gpp, irq=27,
                    driver="pcieport", group=grp["0000:40:01.1"], numa=numa, cpulist=cpulist,
                    bridge_windows=[(0, 0, 0), (0xF7000000, 0xF70FFFFF, F_BRIDGE_MEM),
                                    (0xC5000000, 0xC7FFFFFF, F_BRIDGE_PREF64), (0, 0, 0)]))
    # X710 PFs
    pfs = []
    numvfs = {0: 2, 1: 0}
    offsets = {0: 16, 1: 79}
    for fn in (0, 1):
        bars = [Bar("pref64", 0xC6000000 + fn * 0x800000, 0x800000), None,
                Bar("pref64", 0xC7808000 - fn * 0x8000, 0x8000)]
        vb0 = Bar("pref64", 0xC5000000 + fn * 0x400000, 0x10000)
        vb3 = Bar("pref64", 0xC7400000 + fn * 0x100000, 0x4000)
        devcap = 0x2 | (1 << 5) | (7 << 6) | (7 << 9) | (1 << 15) | (1 << 28)
        lnkcap_x = 0x3 | (8 << 4) | (2 << 10) | (4 << 12) | (6 << 15)
        cfg = build_config(
            vendor=0x8086, device=0x1572, cls=0x020000, rev=0x02, command=0x0406,
            multifunction=True, bars=bars, svid=0x8086, sdid=0x0007, int_line=0xFF,
            int_pin=1 + fn,
            caps=[(0x40, 0x01, cap_pm(0xC823, 0x2008)),
                  (0x50, 0x05, cap_msi(0x0186)),
                  (0x70, 0x11, cap_msix(129, True, 3, 0, 3, 0x1000)),
                  (0xA0, 0x10, cap_pcie(0, devcap, 0x5930, lnkcap_x, 0x3 | (8 << 4),
                                        devcap2=0x70B1F, lnkcap2=0x0E, lnkctl2=0x0003,
                                        lnksta2=0x0001)),
                  (0xE0, 0x03, b"\x00\x00" + b"\0" * 4)],
            ecaps=[(0x100, 0x0001, 2, ecap_aer()),
                   (0x140, 0x0003, 1, ecap_dsn(0xB49691FFFF3A6C40)),
                   (0x150, 0x000E, 1, ecap_ari(1 if fn == 0 else 0)),
                   (0x160, 0x0010, 1, ecap_sriov(64, 64, numvfs[fn], fn, offsets[fn], 1, 0x154C,
                                                 [vb0, None, vb3], ari_hierarchy=True)),
                   (0x1B0, 0x000D, 1, ecap_acs(0x001F, 0x001D))],
            pcie=True)
        d = Dev("0000:41:00.%d" % fn, 0x8086, 0x1572, 0x020000, 0x02, cfg, parent="0000:40:01.1",
                svid=0x8086, sdid=0x0007, irq=107 + fn, driver="i40e", bars=bars,
                iov_bars=[vb0, None, vb3], group=grp["0000:41:00.%d" % fn], numa=numa,
                cpulist=cpulist,
                sriov=dict(totalvfs=64, numvfs=numvfs[fn], offset=offsets[fn], stride=1,
                           vf_device=0x154C))
        d.net = dict(name="enp65s0f%d" % fn, mac="b4:96:91:3a:6c:%02x" % (0x40 + fn), ifindex=4 + fn)
        pfs.append(d)
    devs += pfs
    for i in range(2):
        vb0 = Bar("pref64", 0xC5000000 + i * 0x10000, 0x10000)
        vb3 = Bar("pref64", 0xC7400000 + i * 0x4000, 0x4000)
        devfn = 16 + i
        cfg = vf_config(rev=0x02, command=0x0000, svid=0x8086, sdid=0x0000, msix=5, msix_on=False,
                        devcap=0x2 | (1 << 5) | (7 << 6) | (7 << 9) | (1 << 15) | (1 << 28),
                        devctl=0x5910, lnkcap=0x3 | (8 << 4), devcap2=0x70B1F, aer_version=2)
        vf = Dev("0000:41:%02x.%d" % (devfn >> 3, devfn & 7), 0x8086, 0x154C, 0x020000, 0x02, cfg,
                 parent="0000:40:01.1", svid=0x8086, sdid=0x0000, irq=0, driver="vfio-pci",
                 bars=[vb0, None, vb3], group=61 + i, numa=numa, cpulist=cpulist,
                 physfn="0000:41:00.0")
        pfs[0].virtfns.append(vf.bdf)
        devs.append(vf)
    h.devs = devs
    h.group_type = "identity"
    for name, bus in units:
        real = "sys/devices/pci0000:%s/0000:%s:00.2/iommu/%s" % (bus, bus, name)
        h.iommu_units.append((name, real, "0000:%s:00.2" % bus))
        h.files[real + "/amd-iommu/cap"] = "0x00190000\n"
        h.files[real + "/amd-iommu/features"] = "58f77ef22294a5a\n"
    # the X710 on bus 41 is behind 40:01.1
    h.unit_for = lambda d: bus_unit["40" if d.bdf[5:7] == "41" else d.bdf[5:7]]
    h.resv_all = [(0xFEE00000, 0xFEEFFFFF, "msi"), (0xFD00000000, 0xFFFFFFFFFF, "reserved")]
    h.acpi["IVRS"] = (c / AMD_IVRS).read_bytes()
    if not ir:
        h.acpi["IVRS"] = ivrs_without_ioapics(h.acpi["IVRS"])
    h.acpi_credit.append(("IVRS", AMD_IVRS))
    # iavf (the VF driver) is not loaded: no driver directory for it
    h.drivers = {"pcieport": None, "i40e": "i40e", "vfio-pci": "vfio_pci", "pci-stub": None}
    h.modules = [("i40e", 495616, []), ("kvm_amd", 155648, []), ("kvm", 1036288, ["kvm_amd"]),
                 ("ccp", 110592, ["kvm_amd"]), ("xfs", 1658880, []), ("nls_iso8859_1", 16384, []),
                 ("crct10dif_pclmul", 16384, []), ("ghash_clmulni_intel", 16384, []),
                 ("aesni_intel", 376832, [])]
    # built-in vfio_pci keeps the driver->module link because /sys/module/vfio_pci exists
    h.builtin_modules = default_params("vfio_pci", "vfio_iommu_type1", "vfio")
    h.module_params["kvm_amd"] = {"nested": "1", "npt": "1", "avic": "0", "sev": "0"}
    h.module_params.update(default_params("kvm"))
    h.module_params["i40e"] = {"debug": "-1"}
    h.vfio_loaded = True
    cmd = "BOOT_IMAGE=/boot/vmlinuz-%s root=UUID=4f0c2a7e-93b1-4d8a-9a6e-2c5d7f1b8e03 ro iommu=pt" % UBU_REL
    host_common(h, "ubuntu", UBU_REL, cmd, "iommu=pt")
    h.files["proc/cpuinfo"] = cpuinfo_tr3960x()
    h.files["proc/interrupts"] = amd_interrupts(h, 48, ir)
    h.files["etc/libvirt/qemu.conf"] = qemu_conf("libvirt-qemu", "kvm").replace(
        "The default security driver is SELinux", "The default security driver is AppArmor").replace(
        '#security_driver = "selinux"', '#security_driver = "apparmor"')
    # i40e has no VF module option: the VFs are recreated at boot by a udev rule.
    h.files["etc/udev/rules.d/70-sriov.rules"] = (
        'ACTION=="add", SUBSYSTEM=="net", KERNELS=="0000:41:00.0", ATTR{device/sriov_numvfs}="2"\n')
    lib_modules(
        h, UBU_REL, ".ko",
        builtin=["drivers/pci/pci-stub", "drivers/pci/pcie/pcieportdrv", "virt/lib/irqbypass",
                 "drivers/vfio/vfio", "drivers/vfio/vfio_virqfd", "drivers/vfio/vfio_iommu_type1",
                 "drivers/vfio/pci/vfio-pci-core", "drivers/vfio/pci/vfio-pci", "drivers/ata/ahci",
                 "drivers/ata/libahci", "drivers/nvme/host/nvme", "drivers/nvme/host/nvme-core"],
        dep=["drivers/net/ethernet/intel/i40e/i40e:",
             "drivers/net/ethernet/intel/iavf/iavf:",
             "arch/x86/kvm/kvm:",
             "arch/x86/kvm/kvm-amd: drivers/crypto/ccp/ccp arch/x86/kvm/kvm",
             "arch/x86/kvm/kvm-intel: arch/x86/kvm/kvm",
             "drivers/crypto/ccp/ccp:"],
        alias=(pci_aliases("i40e", 0x8086, 0x1572, 0x1583, 0x1584, 0x158B)
               + pci_aliases("iavf", 0x8086, 0x154C, 0x1571, 0x1889)
               + ["alias cpu:type:x86,ven*fam*mod*:feature:*00C2* kvm_amd",
                  "alias cpu:type:x86,ven*fam*mod*:feature:*0085* kvm_intel"]))
    h.files["boot/config-" + UBU_REL] = UBU_BOOT_CONFIG
    h.targets = ["0000:41:02.0"]
    h.hw_text = AMD_HW
    return h


def sc_amd_ready(c):
    h = amd_host(c)
    h.description = "AMD Threadripper 3960X, Ubuntu 22.04, iommu=pt, X710 VF 41:02.0 on vfio-pci"
    h.verdict = "READY, with warnings"
    h.verdict_with_devices = "READY"
    finish_readme(h, "amd-ready", (
        "- AMD IOMMU on by default (no `amd_iommu=` needed); `iommu=pt` makes every default domain\n"
        "  passthrough, so all group `type` files read `identity`.\n"
        "- vfio, vfio_iommu_type1, vfio-pci are built into Ubuntu's 5.15 kernel\n"
        "  (modules.builtin, `=y` in boot/config; not in /proc/modules). Their /sys/module dirs\n"
        "  exist because they have parameters, so `drivers/vfio-pci/module` links to\n"
        "  `module/vfio_pci`.\n"
        "- i40e loaded; `sriov_numvfs` 2 on 41:00.0 (VFs 41:02.0 and 41:02.1, both on vfio-pci,\n"
        "  `/dev/vfio/61` and `/dev/vfio/62`), 0 on 41:00.1; `etc/udev/rules.d/70-sriov.rules`\n"
        "  recreates the 2 at boot. iavf is registered (module name `iavf`)\n"
        "  but not loaded: on this host it is not in /proc/modules and drives nothing.\n"
        "- GPP bridge 40:01.1 and the X710 have ACS; each function is alone in its group.\n"),
        "Every check passes for 0000:41:02.0 (note `iommu=pt`: worth at most an info, VFIO still\n"
        "gets its own domain).\n")
    return h


def sc_amd_no_intremap(c):
    h = amd_host(c, ir=False)
    h.description = ("AMD host like amd-ready, IVRS without IOAPIC entries: AMD-Vi translates DMA "
                     "but disables interrupt remapping")
    h.hw_text = h.hw_text.replace(
        "The IVRS table is the real one of that board:",
        "The IVRS table is the real one of that board with its IOAPIC special entries (IVHD\n"
        "device entry 48h, variety 1) cut out, as on firmware that omits them:")
    h.verdict = "NOT READY"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "amd-no-intremap", (
        "- As amd-ready: AMD IOMMU on (four `ivhd` units, IOMMU groups), `iommu=pt`, vfio built in,\n"
        "  VFs 41:02.0 and 41:02.1 on vfio-pci (`/dev/vfio/61`, `/dev/vfio/62`).\n"
        "- The IVRS maps no IOAPIC, so the kernel logs `AMD-Vi: [Firmware Bug]: AMD-Vi: IOAPIC[N] not\n"
        "  in IVRS table`, `No southbridge IOAPIC found` and `Disabling interrupt remapping`: DMA is\n"
        "  still translated, interrupts are not remapped. `/proc/interrupts` shows plain `IO-APIC`\n"
        "  and `PCI-MSI` chips, no `IR-`.\n"
        "- vfio_iommu_type1 `allow_unsafe_interrupts` is N.\n"),
        "`kernel.interrupt-remapping` fails (the IVRS table lacks interrupt remapping support; VFIO\n"
        "refuses to attach a device); `firmware.iommu` passes (the table is sound).\n")
    return h
