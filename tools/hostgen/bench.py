"""The benchmark's big host (tools/mkbighost.py says what it is): E810 PFs and VFs, guests, processes.

A dual-socket Cascade Lake server on RHEL 9.4 with the seed hosts' DMAR and
ICH10 platform devices, --pfs E810-C PFs (ice) each alone on a root port with
--vfs-per-pf VFs (vfio-pci, iavf or unbound), libvirt guests holding some of
the vfio-pci VFs, and --procs ordinary processes. Deterministic: the same
arguments give the same host.
"""

from .acpi import dmar_intr_remap, intel_iommu, rmrr_resv, SEED_DMAR
from .cpuinfo import cpuinfo_gold6242
from .distro import host_common
from .guests import held_vf, running_guest
from .host import Host
from .interrupts import rhel_interrupts
from .kernel import default_params, module_list, more_lib_modules, pci_aliases, refs
from .libvirt import qemu_conf
from .pci import Dev
from .pcicfg import (Bar, build_config, cap_msi, cap_msix, cap_pcie, cap_pm, cap_ssvid, ecap_acs,
                     ecap_aer, ecap_ari, ecap_dsn, ecap_sriov, F_BRIDGE_PREF64, MSI_ADDR, vf_config)
from .procs import add_process, limits_text, rhel9_daemons
from .rhel9 import (load_vfio, RHEL_BOOT_CONFIG, RHEL_CMDLINE_BASE, RHEL_GRUB_BASE,
                    rhel_lib_modules, RHEL_MODULE_SIZES, RHEL_REL, VFIO_MODULES)
from .seedhost import e5520_hostbridge, ich10_devices

NCPU = 64
NODE_CPUS = {0: "0-15,32-47", 1: "16-31,48-63"}
ROOT_BUS = {0: 0x16, 1: 0x84}          # socket -> root bus of its PCIe root ports
E810_PF, E810_VF = 0x1592, 0x1889
VF_OFFSET, VF_STRIDE = 16, 1
ICE_SIZES = {"ice": 1155072, "iavf": 233472, "ptp": 36864, "pps_core": 24576}


def rootport(bdf, device, port, secondary, subordinate, irq, *, group, numa, pref):
    """A Cascade Lake IIO PCIe root port (8086:2030..2033), driver pcieport, ACS on,
    one prefetchable 64-bit window (pref = (base, limit)) for the PF and its VFs."""
    lnkcap = 0x3 | (16 << 4) | (3 << 10) | (1 << 20) | (port << 24)  # 8GT/s x16, DLActive reporting
    lnksta = 0x3 | (16 << 4) | 0x2000
    cfg = build_config(
        vendor=0x8086, device=device, cls=0x060400, rev=0x07, command=0x0547, header=0x01,
        caps=[(0x40, 0x0D, cap_ssvid(0x8086, 0x0000)),
              (0x60, 0x05, cap_msi(0x0081, MSI_ADDR, 0x4021 + port)),
              (0x90, 0x10, cap_pcie(4, 0x00008002, 0x0020, lnkcap, lnksta, slot=True,
                                    sltcap=(port << 19) | 0x60, sltsta=0x0040, devcap2=0x7001F)),
              (0xE0, 0x01, cap_pm(0xC803))],
        ecaps=[(0x100, 0x0001, 1, ecap_aer(root=True)),
               (0x150, 0x000D, 1, ecap_acs(0x001F, 0x001D))],
        pcie=True, int_line=0, int_pin=1,
        bridge=dict(primary=int(bdf[5:7], 16), secondary=secondary, subordinate=subordinate,
                    pref=pref, control=0x0003))
    win = [(0, 0, 0), (0, 0, 0), (pref[0], pref[1], F_BRIDGE_PREF64), (0, 0, 0)]
    return Dev(bdf, 0x8086, device, 0x060400, 0x07, cfg, irq=irq, driver="pcieport",
               bridge_windows=win, group=group, numa=numa, cpulist=NODE_CPUS[numa])


def e810_pf(bdf, parent, idx, *, numvfs, totalvfs, group, numa, irq, mmio):
    """E810-C PF number idx (driver ice) at bdf behind root port `parent`; its BARs
    and VF BARs in the root port's window at mmio."""
    bars = [Bar("pref64", mmio, 0x2000000), None, Bar("pref64", mmio + 0x2000000, 0x10000)]
    vfbar0 = Bar("pref64", mmio + 0x4000000, 0x20000)     # 128 KiB per VF
    vfbar3 = Bar("pref64", mmio + 0x6000000, 0x4000)      # 16 KiB per VF
    devcap = 0x2 | (7 << 6) | (7 << 9) | (1 << 15) | (1 << 28)
    lnkcap = 0x4 | (16 << 4) | (1 << 10) | (7 << 12) | (7 << 15)
    cfg = build_config(
        vendor=0x8086, device=E810_PF, cls=0x020000, rev=0x02, command=0x0406,
        bars=bars, svid=0x8086, sdid=0x0002, int_line=irq, int_pin=1,
        caps=[(0x40, 0x01, cap_pm(0xC823, 0x0008)),
              (0x50, 0x05, cap_msi(0x0180)),
              (0x70, 0x11, cap_msix(1024, True, 3, 0, 3, 0x8000)),
              (0xA0, 0x10, cap_pcie(0, devcap, 0x5937, lnkcap, 0x4 | (16 << 4), devcap2=0x1F))],
        ecaps=[(0x100, 0x0001, 2, ecap_aer()),
               (0x148, 0x0003, 1, ecap_dsn(0xB49691FFFF3C0000 + idx)),
               (0x150, 0x000E, 1, ecap_ari(0)),
               (0x160, 0x0010, 1, ecap_sriov(totalvfs, totalvfs, numvfs, 0, VF_OFFSET, VF_STRIDE,
                                             E810_VF, [vfbar0, None, vfbar3], ari_hierarchy=True)),
               (0x1A0, 0x000D, 1, ecap_acs(0x0000, 0x0000))],
        pcie=True)
    d = Dev(bdf, 0x8086, E810_PF, 0x020000, 0x02, cfg, parent=parent, svid=0x8086, sdid=0x0002,
            irq=irq, driver="ice", bars=bars, group=group, numa=numa, cpulist=NODE_CPUS[numa],
            iov_bars=[Bar("pref64", vfbar0.base, vfbar0.size * max(totalvfs, 1)), None,
                      Bar("pref64", vfbar3.base, vfbar3.size * max(totalvfs, 1))],
            sriov=dict(totalvfs=totalvfs, numvfs=numvfs, offset=VF_OFFSET, stride=VF_STRIDE,
                       vf_device=E810_VF))
    bus = int(bdf[5:7], 16)
    d.net = dict(name="enp%ds0f0np0" % bus, mac="b4:96:91:3c:%02x:%02x" % (idx, 0x10),
                 ifindex=10 + idx)
    d.vf_bars = (vfbar0, vfbar3)
    return d


def vf_bdf(pf_bdf, i):
    """The routing id of the PF's VF i (First VF Offset, VF Stride), as a bdf."""
    dom = pf_bdf[:4]
    rid = (int(pf_bdf[5:7], 16) << 8 | int(pf_bdf[8:10], 16) << 3 | int(pf_bdf[11])) + VF_OFFSET + VF_STRIDE * i
    return "%s:%02x:%02x.%d" % (dom, rid >> 8, (rid >> 3) & 0x1F, rid & 7)


def e810_vf(pf, i, *, driver, group):
    """VF i of pf (8086:1889), on driver (vfio-pci, iavf or None)."""
    b0, b3 = pf.vf_bars
    vb0 = Bar("pref64", b0.base + i * b0.size, b0.size)
    vb3 = Bar("pref64", b3.base + i * b3.size, b3.size)
    cfg = vf_config(rev=0x02, command=0x0004 if driver == "iavf" else 0x0000, svid=0x8086,
                    sdid=0x0000, msix=17, msix_on=driver == "iavf",
                    devcap=0x2 | (7 << 6) | (7 << 9) | (1 << 15) | (1 << 28), devctl=0x2937,
                    lnkcap=0x4 | (16 << 4) | (1 << 10) | (7 << 12) | (7 << 15), aer_version=2)
    return Dev(vf_bdf(pf.bdf, i), 0x8086, E810_VF, 0x020000, 0x02, cfg, parent=pf.parent,
               svid=0x8086, sdid=0x0000, irq=0, driver=driver, bars=[vb0, None, vb3], group=group,
               numa=pf.numa, cpulist=pf.cpulist, physfn=pf.bdf)


PROGRAMS = [
    ("bash", ["-bash"], 0), ("sshd", None, 0), ("python3", ["/usr/bin/python3", "/opt/app/worker.py", "--queue", "q%d"], 998),
    ("nginx", ["nginx: worker process"], 996), ("postgres", ["postgres: writer"], 997),
    ("java", ["/usr/bin/java", "-Xmx2g", "-jar", "/opt/svc/svc%d.jar"], 999),
    ("sleep", ["sleep", "3600"], 0), ("crond", ["/usr/sbin/crond", "-n"], 0),
    ("rsyslogd", ["/usr/sbin/rsyslogd", "-n"], 0), ("chronyd", ["/usr/sbin/chronyd", "-F", "2"], 996),
    ("dbus-broker", ["dbus-broker", "--log", "4", "--controller", "9", "--machine-id", "a%031x"], 81),
    ("agetty", ["/sbin/agetty", "-o", "-p -- \\u", "--noclear", "tty%d", "linux"], 0),
]


def ordinary_processes(h, n, nfds, first_pid):
    """n processes from first_pid on, running PROGRAMS in turn, each with about nfds
    open files; returns the next free pid."""
    lim = limits_text(memlock=(8388608, 8388608), nofile=(1024, 524288))
    pid = first_pid
    for i in range(n):
        comm, argv, uid = PROGRAMS[i % len(PROGRAMS)]
        if comm == "sshd":
            raw = "sshd: user%d@pts/%d" % (i, i % 64) + "\0" * 11
            argv_ = None
        else:
            raw = None
            argv_ = [a % i if "%" in a else a for a in argv]
        k = max(3, nfds + (i % 5) - 2)
        fds = [(0, "/dev/null"), (1, "pipe:[%d]" % (700000 + 2 * i)), (2, "pipe:[%d]" % (700000 + 2 * i))]
        for f in range(3, k):
            kind = (i + f) % 5
            if kind == 0:
                tgt = "socket:[%d]" % (1000000 + i * 64 + f)
            elif kind == 1:
                tgt = "pipe:[%d]" % (2000000 + i * 64 + f)
            elif kind == 2:
                tgt = "/var/log/app/%s-%d.log" % (comm, i)
            elif kind == 3:
                tgt = "/usr/lib64/libcrypto.so.3.0.7" if f % 2 else "/var/lib/%s/data.%d" % (comm, f)
            else:
                tgt = "anon_inode:[eventpoll]" if f % 2 else "/dev/null"
            fds.append((f, tgt))
        rss = 4000 + (i * 37) % 60000
        add_process(h, pid, comm=comm, argv=argv_, raw_cmdline=raw, uid=uid, gid=uid,
                    ppid=1, limits=lim, caps=(uid == 0), ctxt=(100 + i, i % 7),
                    vm=dict(peak=rss * 3, size=rss * 3, hwm=rss, rss=rss, file=rss // 2,
                            shmem=0, data=rss, exe=500, lib=4000, pte=80), fds=fds)
        pid += 1 + (i % 3)
    return pid


def big_host(corpus, pfs, vfs_per_pf, procs, nfds, guest_every):
    """The host tools/mkbighost.py describes, for its arguments."""
    h = Host("bighost")
    g = {}
    order = ["0000:00:00.0", "usb1a", "usb1d", "lpc"]
    for i, k in enumerate(order):
        g[k] = i
    devs = [e5520_hostbridge(0, NODE_CPUS[0], g["0000:00:00.0"])]
    devs += ich10_devices(0, NODE_CPUS[0], g)
    next_group = len(order)
    # root ports and PFs, socket by socket (bus scan order: 00, 16.., 84..)
    per_sock = [(pfs + 1) // 2, pfs // 2]
    pf_list = []
    idx = 0
    for sock in (0, 1):
        rb = ROOT_BUS[sock]
        for p in range(per_sock[sock]):
            sec = rb + 1 + 2 * p
            sub = sec + (1 if (VF_OFFSET + VF_STRIDE * (vfs_per_pf - 1)) >= 256 else 0)
            mmio = (0x200000000000 if sock == 0 else 0x300000000000) + p * 0x10000000
            rp = rootport("0000:%02x:%02x.0" % (rb, p), 0x2030 + p % 4, p + 1, sec, sub,
                          26 + idx, group=next_group, numa=sock, pref=(mmio, mmio + 0xFFFFFFF))
            next_group += 1
            pf = e810_pf("0000:%02x:00.0" % sec, rp.bdf, idx, numvfs=vfs_per_pf,
                         totalvfs=vfs_per_pf, group=next_group, numa=sock, irq=16 + idx % 8,
                         mmio=mmio)
            next_group += 1
            devs += [rp, pf]
            pf_list.append(pf)
            idx += 1
    # VFs: created when sriov_numvfs was written after boot, PF by PF
    vfs = []
    vfio_count = 0
    held = []
    ifindex = 100
    for pf in pf_list:
        for i in range(vfs_per_pf):
            drv = ("vfio-pci", "vfio-pci", "iavf", None)[i % 4]
            vf = e810_vf(pf, i, driver=drv, group=next_group)
            next_group += 1
            if drv == "vfio-pci":
                if vfio_count % guest_every == 0:
                    held.append(vf)
                vfio_count += 1
            if drv == "iavf":
                rid_bus, slot, fn = int(vf.bdf[5:7], 16), int(vf.bdf[8:10], 16), int(vf.bdf[11])
                vf.net = dict(name="enp%ds%d" % (rid_bus, slot) + ("f%d" % fn if fn else ""),
                              mac="02:%02x:%02x:%02x:%02x:%02x" % (pf_list.index(pf), i >> 8, i & 0xFF, 0x5a, 0x01),
                              ifindex=ifindex, operstate="down")
                ifindex += 1
            pf.virtfns.append(vf.bdf)
            vfs.append(vf)
    devs += vfs
    h.devs = devs

    h.drivers = {"pcieport": None, "uhci_hcd": None, "ahci": None, "lpc_ich": "lpc_ich",
                 "pci-stub": None, "ice": "ice", "iavf": "iavf"}
    load_vfio(h)
    mods = VFIO_MODULES + [
        ("iavf", []), ("kvm_intel", []), ("kvm", ["kvm_intel"]),
        ("irqbypass", ["vfio_pci_core", "kvm"]), ("ice", []), ("ptp", ["ice"]),
        ("pps_core", ["ptp"]), ("lpc_ich", []), ("i2c_i801", []),
        ("i2c_smbus", ["i2c_i801"]), ("xfs", []), ("dm_mirror", []), ("dm_mod", ["dm_mirror"])]
    h.modules = module_list(mods, dict(RHEL_MODULE_SIZES, **ICE_SIZES))
    h.module_params["kvm_intel"] = {"nested": "Y", "ept": "Y", "vpid": "Y",
                                    "enable_apicv": "Y", "unrestricted_guest": "Y"}
    h.module_params.update(default_params("kvm"))

    cmd = RHEL_CMDLINE_BASE + " intel_iommu=on"
    host_common(h, "rhel", RHEL_REL, cmd, RHEL_GRUB_BASE + " intel_iommu=on")
    h.files["proc/cpuinfo"] = cpuinfo_gold6242()
    h.files["etc/libvirt/qemu.conf"] = qemu_conf("qemu", "qemu")
    rhel_lib_modules(h)
    more_lib_modules(
        h, RHEL_REL, ".ko.xz",
        dep=["drivers/pps/pps_core:",
             "drivers/ptp/ptp: drivers/pps/pps_core",
             "drivers/net/ethernet/intel/ice/ice: drivers/ptp/ptp drivers/pps/pps_core",
             "drivers/net/ethernet/intel/iavf/iavf:"],
        alias=(pci_aliases("ice", 0x8086, 0x1591, 0x1592, 0x1593, 0x1599, 0x159A, 0x159B)
               + pci_aliases("iavf", 0x8086, 0x1889, 0x154C, 0x1571) + ["alias i40evf iavf"]))
    h.files["boot/config-" + RHEL_REL] = (RHEL_BOOT_CONFIG + "CONFIG_ICE=m\nCONFIG_IAVF=m\n"
                                          "CONFIG_PTP_1588_CLOCK=m\nCONFIG_PPS=m\n")
    h.files["lib/firmware/intel/ice/ddp/ice.pkg"] = b"\0" * 64

    dmar = (corpus / SEED_DMAR).read_bytes()
    h.acpi["DMAR"] = dmar
    intel_iommu(h, dmar, "d2008c40660462", "f050da")
    h.unit_for = lambda d: "dmar0"
    h.resv = rmrr_resv(h, dmar, floppy_wa=False)
    ir = dmar_intr_remap(dmar)

    # guests
    vectors = []
    logs = []
    for k, vf in enumerate(held):
        n = k + 1
        vectors += held_vf(h, vf.bdf, 3)
        logs += [(7 + 2 * k, "/var/log/libvirt/qemu/guest%d.log" % n), (8 + 2 * k, "pipe:[%d]" % (51234 + n))]
    refs(h, {"vfio": 2 * len(held), "vfio_iommu_type1": len(held), "vfio_pci": len(held),
             "kvm_intel": len(held)})
    rhel9_daemons(h, extra_logs=logs)
    for k, vf in enumerate(held):
        n = k + 1
        uuid = "%08x-%04x-4%03x-8%03x-%012x" % (0x5eed0000 + n, n, n, n, 0xb16b0570 + n)
        running_guest(h, name="guest%d" % n, pid=100000 + 40 * k, domid=n, uuid=uuid,
                      mem_kib=4194304, vcpus=4, bdf=vf.bdf, group=vf.group,
                      log_pipe="pipe:[%d]" % (51234 + n), mac_byte=(0x10 + n) & 0xFF)
    ordinary_processes(h, procs, nfds, 2000)
    # /proc/interrupts: legacy pins, dmar0, root ports, AHCI, UHCI, ice (misc + one TxRx
    # per CPU), iavf (the mailbox vector requested at probe; links are down, so no TxRx),
    # and the vfio-msix vectors of the held VFs
    h.first_msix_irq = 128
    h.files["proc/interrupts"] = rhel_interrupts(h, NCPU, 4, ir, [(27, "dmar0")], vectors)
    return h
