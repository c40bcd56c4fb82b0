"""Xen 4.17 with a Debian 12 PV dom0: what dom0 shows of the hypervisor, its kernel, its daemons.

The xen-* scenarios run the seed hardware under Xen: dom0's kernel is Debian's
6.1.0-18-amd64 with xen_pciback, the hypervisor shows in /proc/xen and
/sys/hypervisor, and the guests are xl configurations (XL_CFG) rather than
libvirt domains.
"""

from .kernel import boot_config, lib_modules, pci_aliases
from .procs import add_process, limits_text

DEB_REL = "6.1.0-18-amd64"
DOM0_CMDLINE = ("BOOT_IMAGE=/boot/vmlinuz-%s root=UUID=8d1f3c52-6e0a-4b7d-b0c4-1a9e2f7d5c36 ro "
                "quiet" % DEB_REL)
DOM0_BOOT_CONFIG = boot_config("x86", "6.1.76", """\
CONFIG_XEN=y
CONFIG_XEN_PV=y
CONFIG_XEN_DOM0=y
CONFIG_XEN_PVHVM=y
CONFIG_XEN_PCIDEV_BACKEND=m
CONFIG_XEN_PCI_STUB=y
CONFIG_PCI_IOV=y
CONFIG_PCI_STUB=m
CONFIG_INTEL_IOMMU=y
# CONFIG_INTEL_IOMMU_DEFAULT_ON is not set
CONFIG_IRQ_REMAP=y
CONFIG_VFIO=m
CONFIG_VFIO_PCI=m
CONFIG_KVM=m
CONFIG_KVM_INTEL=m
CONFIG_IGB=m
CONFIG_IGB_DCA=y
CONFIG_IGBVF=m
CONFIG_DCA=m
""")

# dom0's modules besides xen_pciback (PCIBACK_MODULE, loaded last when it is)
DOM0_MODULES = [("xen_gntalloc", 20480, []), ("xen_gntdev", 28672, []), ("xen_evtchn", 16384, []),
                ("xenfs", 16384, []), ("xen_privcmd", 28672, ["xenfs"]), ("igbvf", 53248, []),
                ("igb", 286720, []), ("dca", 16384, ["igb"]), ("i2c_algo_bit", 16384, ["igb"]),
                ("lpc_ich", 28672, []), ("ahci", 49152, []), ("libahci", 53248, ["ahci"]),
                ("libata", 401408, ["libahci", "ahci"])]
PCIBACK_MODULE = ("xen_pciback", 98304, [])


def hypervisor_files(h):
    """What a Xen 4.17 dom0 sees of the hypervisor: /proc/xen and /sys/hypervisor."""
    h.files["proc/xen/capabilities"] = "control_d\n"
    h.files["sys/hypervisor/type"] = "xen\n"
    h.files["sys/hypervisor/version/major"] = "4\n"
    h.files["sys/hypervisor/version/minor"] = "17\n"
    h.files["sys/hypervisor/version/extra"] = ".3-pre\n"
    h.files["sys/hypervisor/properties/capabilities"] = (
        "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64\n")


def dom0_lib_modules(h):
    """modules.builtin, modules.dep and modules.alias of Debian's 6.1 kernel."""
    lib_modules(
        h, DEB_REL, ".ko",
        builtin=["drivers/pci/pcie/pcieportdrv", "drivers/usb/host/uhci-hcd",
                 "drivers/usb/host/ehci-hcd", "drivers/usb/host/ehci-pci", "drivers/xen/xen-balloon",
                 "drivers/xen/xen-scsiback"],
        dep=["drivers/xen/xen-pciback/xen-pciback:",
             "drivers/xen/xen-gntdev:",
             "drivers/xen/xen-gntalloc:",
             "drivers/xen/xen-evtchn:",
             "drivers/xen/xenfs/xenfs: drivers/xen/xen-privcmd",
             "drivers/xen/xen-privcmd:",
             "drivers/dca/dca:",
             "drivers/i2c/algos/i2c-algo-bit:",
             "drivers/net/ethernet/intel/igb/igb: drivers/dca/dca drivers/i2c/algos/i2c-algo-bit",
             "drivers/net/ethernet/intel/igbvf/igbvf:",
             "drivers/vfio/vfio:",
             "drivers/mfd/lpc_ich:",
             "drivers/ata/ahci: drivers/ata/libahci drivers/ata/libata",
             "drivers/ata/libahci: drivers/ata/libata",
             "drivers/ata/libata:"],
        alias=(pci_aliases("igb", 0x8086, 0x10C9, 0x10E6, 0x10E7, 0x10E8)
               + pci_aliases("igbvf", 0x8086, 0x10CA, 0x1520)
               + ["alias xen-backend:pci xen_pciback"]
               + pci_aliases("lpc_ich", 0x8086, 0x3A16) + pci_aliases("ahci", 0x8086, 0x3A22)))


def xen_dom0_daemons(h):
    """systemd, sshd, xenstored and xenconsoled of the Debian 12 PV dom0 (4 vCPUs, one
    node): processes a holder scan reads and skips."""
    st = dict(cpus=("f", "0-3"), mems=("1", "0"))
    lim = limits_text(memlock=(8388608, 8388608), nofile=(1024, 524288), nproc=15331)
    add_process(h, 1, comm="systemd", argv=["/sbin/init"], ppid=0, fdsize=128, ctxt=(20411, 903),
                limits=limits_text(memlock=(8388608, 8388608), nofile=(1073741816, 1073741816),
                                   nproc=15331),
                vm=dict(peak=168560, size=103024, hwm=12132, rss=12132, file=9124, data=18708,
                        exe=56, lib=9608, pte=84),
                sig=(0x7BE3C0FE28014A03, 0x1000, 0x1A4), **st,
                fds=[(0, "/dev/null"), (1, "/dev/null"), (2, "/dev/null"), (3, "/dev/kmsg"),
                     (4, "anon_inode:[eventpoll]"), (5, "anon_inode:[signalfd]"),
                     (6, "anon_inode:inotify"), (7, "/sys/fs/cgroup"), (8, "anon_inode:[timerfd]"),
                     (10, "/proc/1/mountinfo"), (13, "socket:[14122]")])
    add_process(h, 702, comm="sshd", raw_cmdline="sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups" + "\0" * 7,
                argv=None, limits=lim, ctxt=(18, 1), **st,
                vm=dict(peak=15420, size=15420, hwm=9012, rss=9012, file=7732, data=1040,
                        exe=520, lib=8504, pte=68),
                fds=[(0, "/dev/null"), (1, "/dev/null"), (2, "/dev/null"),
                     (3, "socket:[16201]"), (4, "socket:[16203]")])
    add_process(h, 611, comm="oxenstored", argv=["/usr/sbin/oxenstored", "--pid-file",
                                                 "/run/xen/xenstored.pid"],
                limits=lim, ctxt=(3120, 41), **st,
                vm=dict(peak=24904, size=24904, hwm=6180, rss=6180, file=3600, data=5328,
                        exe=1104, lib=4716, pte=72),
                fds=[(0, "/dev/null"), (1, "/dev/null"), (2, "/dev/null"),
                     (3, "/dev/xen/evtchn"), (4, "/dev/xen/privcmd"), (5, "/dev/xen/gntdev"),
                     (6, "socket:[15310]"), (7, "/var/log/xen/xenstored-access.log")])
    add_process(h, 640, comm="xenconsoled", argv=["/usr/sbin/xenconsoled",
                                                  "--pid-file=/run/xen/xenconsoled.pid"],
                limits=lim, threads=2, ctxt=(77, 2), **st,
                vm=dict(peak=88952, size=88952, hwm=2440, rss=2440, file=2164, data=8452,
                        exe=40, lib=6072, pte=56),
                fds=[(0, "/dev/null"), (1, "/dev/null"), (2, "/dev/null"),
                     (3, "/dev/xen/xenbus"), (4, "/dev/xen/evtchn"), (5, "/dev/xen/evtchn"),
                     (6, "/dev/xen/privcmd")])


XL_CFG = """\
# =====================================================================
# {name}: HVM guest with the 82576 VF 03:10.0 (see xl.cfg(5))
# =====================================================================

type = "hvm"
name = "{name}"
uuid = "{uuid}"

memory = 4096
vcpus = 2

disk = [ 'format=raw, vdev=xvda, access=rw, target=/dev/vg0/{name}-disk' ]
vif = [ 'mac=00:16:3e:5a:10:{mac}, bridge=xenbr0' ]
pci = [ {pci} ]

on_poweroff = "destroy"
on_reboot = "restart"
on_crash = "restart"

vnc = 1
vnclisten = "127.0.0.1"
serial = "pty"
"""
