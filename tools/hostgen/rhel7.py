"""Red Hat Enterprise Linux 7.9: kernel 3.10, qemu-kvm 1.5.3 and libvirt 4.5, the guide's own era.

The kernel (release, command line, boot/config with legacy KVM device
assignment, its modules and their files), libvirt 4.5's domain XML for a guest
with a pci-assign hostdev, qemu-kvm's argv for it, and the daemons of such a
host, for seed-legacy-assigned.
"""

from .kernel import boot_config, lib_modules, pci_aliases
from .libvirt import alias_line, hostdev_xml
from .procs import add_process, limits_text

RHEL7_REL = "3.10.0-1160.el7.x86_64"
RHEL7_GRUB = "crashkernel=auto rd.lvm.lv=rhel/root rd.lvm.lv=rhel/swap rhgb quiet intel_iommu=on"
RHEL7_CMDLINE = ("BOOT_IMAGE=/vmlinuz-%s root=/dev/mapper/rhel-root ro %s LANG=en_US.UTF-8"
                 % (RHEL7_REL, RHEL7_GRUB))

RHEL7_OS_RELEASE = """\
NAME="Red Hat Enterprise Linux Server"
VERSION="7.9 (Maipo)"
ID="rhel"
ID_LIKE="fedora"
VARIANT="Server"
VARIANT_ID="server"
VERSION_ID="7.9"
PRETTY_NAME="Red Hat Enterprise Linux Server 7.9 (Maipo)"
ANSI_COLOR="0;31"
CPE_NAME="cpe:/o:redhat:enterprise_linux:7.9:GA:server"
HOME_URL="https://www.redhat.com/"
BUG_REPORT_URL="https://bugzilla.redhat.com/"

REDHAT_BUGZILLA_PRODUCT="Red Hat Enterprise Linux 7"
REDHAT_BUGZILLA_PRODUCT_VERSION=7.9
REDHAT_SUPPORT_PRODUCT="Red Hat Enterprise Linux"
REDHAT_SUPPORT_PRODUCT_VERSION="7.9"
"""

RHEL7_BOOT_CONFIG = boot_config("x86_64", RHEL7_REL, """\
CONFIG_PCI=y
CONFIG_PCI_IOV=y
CONFIG_PCI_STUB=y
CONFIG_PCIEPORTBUS=y
CONFIG_PCIEAER=y
CONFIG_IOMMU_SUPPORT=y
CONFIG_IOMMU_API=y
CONFIG_INTEL_IOMMU=y
# CONFIG_INTEL_IOMMU_DEFAULT_ON is not set
CONFIG_INTEL_IOMMU_FLOPPY_WA=y
CONFIG_AMD_IOMMU=y
CONFIG_IRQ_REMAP=y
CONFIG_VFIO_IOMMU_TYPE1=m
CONFIG_VFIO=m
CONFIG_VFIO_PCI=m
CONFIG_VFIO_PCI_VGA=y
CONFIG_KVM=m
CONFIG_KVM_INTEL=m
CONFIG_KVM_DEVICE_ASSIGNMENT=y
CONFIG_IRQ_BYPASS_MANAGER=m
CONFIG_IGB=m
CONFIG_IGB_HWMON=y
CONFIG_IGB_DCA=y
CONFIG_IGBVF=m
CONFIG_DCA=m
CONFIG_PTP_1588_CLOCK=m
""")

# /proc/modules of 3.10: sizes are the module core size, not page multiples
RHEL7_MODULES = [("vfio_pci", 41412, []), ("vfio_iommu_type1", 22440, []),
                 ("vfio", 32657, ["vfio_iommu_type1", "vfio_pci"]),
                 ("irqbypass", 13503, ["kvm", "vfio_pci"]), ("igbvf", 43766, []),
                 ("kvm_intel", 188740, []), ("kvm", 637515, ["kvm_intel"]),
                 ("igb", 197536, []), ("ptp", 19231, ["igb"]), ("pps_core", 19057, ["ptp"]),
                 ("dca", 15130, ["igb"]), ("i2c_algo_bit", 13413, ["igb"]),
                 ("lpc_ich", 25507, []), ("mfd_core", 13435, ["lpc_ich"]),
                 ("i2c_i801", 22550, []), ("xfs", 997681, []), ("libcrc32c", 12644, ["xfs"]),
                 ("dm_mirror", 22326, []), ("dm_region_hash", 20813, ["dm_mirror"]),
                 ("dm_log", 18411, ["dm_region_hash", "dm_mirror"]),
                 ("dm_mod", 124501, ["dm_log", "dm_mirror"])]


def rhel7_lib_modules(h):
    """modules.builtin, modules.dep and modules.alias of the RHEL 7.9 kernel."""
    lib_modules(
        h, RHEL7_REL, ".ko.xz",
        builtin=["drivers/pci/pci-stub", "drivers/pci/pcie/portdrv_core", "drivers/usb/host/ehci-hcd",
                 "drivers/usb/host/ehci-pci", "drivers/usb/host/uhci-hcd", "drivers/ata/libahci",
                 "drivers/ata/ahci", "drivers/ata/libata"],
        dep=["arch/x86/kvm/kvm: virt/lib/irqbypass",
             "arch/x86/kvm/kvm-intel: arch/x86/kvm/kvm virt/lib/irqbypass",
             "arch/x86/kvm/kvm-amd: arch/x86/kvm/kvm virt/lib/irqbypass",
             "virt/lib/irqbypass:",
             "drivers/dca/dca:",
             "drivers/i2c/algos/i2c-algo-bit:",
             "drivers/pps/pps_core:",
             "drivers/ptp/ptp: drivers/pps/pps_core",
             "drivers/net/ethernet/intel/igb/igb: drivers/ptp/ptp drivers/pps/pps_core drivers/dca/dca "
             "drivers/i2c/algos/i2c-algo-bit",
             "drivers/net/ethernet/intel/igbvf/igbvf:",
             "drivers/vfio/vfio:",
             "drivers/vfio/vfio_iommu_type1: drivers/vfio/vfio",
             "drivers/vfio/pci/vfio-pci: drivers/vfio/vfio virt/lib/irqbypass",
             "drivers/mfd/lpc_ich: drivers/mfd/mfd-core",
             "drivers/mfd/mfd-core:",
             "drivers/i2c/busses/i2c-i801:"],
        alias=(pci_aliases("igb", 0x8086, 0x10C9, 0x10E6, 0x10E7, 0x10E8, 0x1521)
               + pci_aliases("igbvf", 0x8086, 0x1520, 0x10CA)
               + ["alias char-major-10-196 vfio", "alias devname:vfio/vfio vfio"]
               + pci_aliases("lpc_ich", 0x8086, 0x3A16) + pci_aliases("i2c_i801", 0x8086, 0x3A30)
               + ["alias x86cpu:vendor:*:family:*:model:*:feature:*0085* kvm_intel",
                  "alias x86cpu:vendor:*:family:*:model:*:feature:*00C2* kvm_amd",
                  "alias char-major-10-232 kvm", "alias devname:kvm kvm"]))


def rhel7_qemu_argv(name, uuid, mem_mib, vcpus, bdf_short):
    """libvirt 4.5 + qemu-kvm 1.5.3: key=value -device strings, -name without guest=,
    the legacy assignment with the config fd libvirt opened and passed (configfd=25)."""
    return ["/usr/libexec/qemu-kvm", "-name", name, "-S",
            "-machine", "pc-i440fx-rhel7.0.0,accel=kvm,usb=off,dump-guest-core=off",
            "-cpu", "Nehalem", "-m", "%d" % mem_mib, "-realtime", "mlock=off",
            "-smp", "%d,sockets=%d,cores=1,threads=1" % (vcpus, vcpus),
            "-uuid", uuid, "-no-user-config", "-nodefaults",
            "-chardev", "socket,id=charmonitor,path=/var/lib/libvirt/qemu/domain-1-%s/monitor.sock,server,nowait" % name,
            "-mon", "chardev=charmonitor,id=monitor,mode=control",
            "-rtc", "base=utc,driftfix=slew", "-global", "kvm-pit.lost_tick_policy=delay",
            "-no-hpet", "-no-shutdown", "-global", "PIIX4_PM.disable_s3=1",
            "-global", "PIIX4_PM.disable_s4=1", "-boot", "strict=on",
            "-device", "piix3-usb-uhci,id=usb,bus=pci.0,addr=0x1.0x2",
            "-drive", "file=/var/lib/libvirt/images/%s.qcow2,format=qcow2,if=none,id=drive-virtio-disk0" % name,
            "-device", "virtio-blk-pci,scsi=off,bus=pci.0,addr=0x4,drive=drive-virtio-disk0,id=virtio-disk0,bootindex=1",
            "-netdev", "tap,fd=26,id=hostnet0,vhost=on,vhostfd=28",
            "-device", "virtio-net-pci,netdev=hostnet0,id=net0,mac=52:54:00:1f:7a:21,bus=pci.0,addr=0x3",
            "-chardev", "pty,id=charserial0", "-device", "isa-serial,chardev=charserial0,id=serial0",
            "-vnc", "127.0.0.1:0", "-vga", "cirrus",
            "-device", "pci-assign,host=%s,id=hostdev0,configfd=25,bus=pci.0,addr=0x5" % bdf_short,
            "-device", "virtio-balloon-pci,id=balloon0,bus=pci.0,addr=0x6",
            "-msg", "timestamp=on"]


def rhel7_domain_xml(name, uuid, mem_kib, vcpus, bdf, *, live_id=None):
    """A guest with a legacy (kvm) hostdev as libvirt 4.5 writes it, persistent or
    (live_id) live: i440fx, Nehalem CPU, cirrus VGA, VNC."""
    live = live_id is not None
    x = "<domain type='kvm'%s>\n" % (" id='%d'" % live_id if live else "")
    x += "  <name>%s</name>\n  <uuid>%s</uuid>\n" % (name, uuid)
    x += "  <memory unit='KiB'>%d</memory>\n  <currentMemory unit='KiB'>%d</currentMemory>\n" % (mem_kib, mem_kib)
    x += "  <vcpu placement='static'>%d</vcpu>\n" % vcpus
    if live:
        x += "  <resource>\n    <partition>/machine</partition>\n  </resource>\n"
    x += ("  <os>\n    <type arch='x86_64' machine='pc-i440fx-rhel7.0.0'>hvm</type>\n"
          "    <boot dev='hd'/>\n  </os>\n  <features>\n    <acpi/>\n    <apic/>\n  </features>\n"
          "  <cpu mode='custom' match='exact' check='full'>\n"
          "    <model fallback='forbid'>Nehalem</model>\n  </cpu>\n"
          "  <clock offset='utc'>\n    <timer name='rtc' tickpolicy='catchup'/>\n"
          "    <timer name='pit' tickpolicy='delay'/>\n    <timer name='hpet' present='no'/>\n"
          "  </clock>\n  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>restart</on_reboot>\n"
          "  <on_crash>restart</on_crash>\n  <pm>\n    <suspend-to-mem enabled='no'/>\n"
          "    <suspend-to-disk enabled='no'/>\n  </pm>\n  <devices>\n"
          "    <emulator>/usr/libexec/qemu-kvm</emulator>\n"
          "    <disk type='file' device='disk'>\n      <driver name='qemu' type='qcow2'/>\n"
          "      <source file='/var/lib/libvirt/images/%s.qcow2'/>\n%s"
          "      <target dev='vda' bus='virtio'/>\n%s"
          "      <address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/>\n"
          "    </disk>\n") % (
        name, "      <backingStore/>\n" if live else "", alias_line("virtio-disk0", live))
    x += ("    <controller type='usb' index='0' model='piix3-uhci'>\n%s"
          "      <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x2'/>\n"
          "    </controller>\n") % alias_line("usb", live)
    if live:
        x += "    <controller type='pci' index='0' model='pci-root'>\n%s    </controller>\n" % (
            alias_line("pci.0", live))
    else:
        x += "    <controller type='pci' index='0' model='pci-root'/>\n"
    x += "    <interface type='network'>\n      <mac address='52:54:00:1f:7a:21'/>\n"
    x += ("      <source network='default' bridge='virbr0'/>\n      <target dev='vnet0'/>\n"
          if live else "      <source network='default'/>\n")
    x += "      <model type='virtio'/>\n%s" % alias_line("net0", live)
    x += "      <address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/>\n    </interface>\n"
    x += ("    <serial type='pty'>\n%s      <target type='isa-serial' port='0'>\n"
          "        <model name='isa-serial'/>\n      </target>\n%s    </serial>\n") % (
        "      <source path='/dev/pts/1'/>\n" if live else "", alias_line("serial0", live))
    x += ("    <graphics type='vnc' port='%s' autoport='yes' listen='127.0.0.1'>\n"
          "      <listen type='address' address='127.0.0.1'/>\n    </graphics>\n") % ("5900" if live else "-1")
    x += ("    <video>\n      <model type='cirrus' vram='16384' heads='1' primary='yes'/>\n%s"
          "      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>\n"
          "    </video>\n") % alias_line("video0", live)
    x += hostdev_xml(bdf, "kvm", "0x00", "0x05", live)
    x += ("    <memballoon model='virtio'>\n%s"
          "      <address type='pci' domain='0x0000' bus='0x00' slot='0x06' function='0x0'/>\n"
          "    </memballoon>\n  </devices>\n") % alias_line("balloon0", live)
    if live:
        x += ("  <seclabel type='dynamic' model='selinux' relabel='yes'>\n"
              "    <label>system_u:system_r:svirt_t:s0:c417,c902</label>\n"
              "    <imagelabel>system_u:object_r:svirt_image_t:s0:c417,c902</imagelabel>\n"
              "  </seclabel>\n  <seclabel type='dynamic' model='dac' relabel='yes'>\n"
              "    <label>+107:+107</label>\n    <imagelabel>+107:+107</imagelabel>\n  </seclabel>\n")
    return x + "</domain>\n"


def rhel7_daemons(h):
    """systemd, sshd, virtlogd and libvirtd of the RHEL 7.9 host."""
    lim = limits_text(memlock=(65536, 65536), nofile=(1024, 4096), nproc=63310)
    add_process(h, 1, comm="systemd", kernel="3.10", ppid=0, fdsize=128, ctxt=(95771, 4490),
                sig=(0x7BE3C0FE28014A03, 0x1000, 0x1A4),
                argv=["/usr/lib/systemd/systemd", "--switched-root", "--system", "--deserialize", "22"],
                limits=limits_text(memlock=(65536, 65536), nofile=(65536, 65536), nproc=63310),
                vm=dict(peak=259800, size=194264, hwm=7148, rss=7148, file=4140, data=149760,
                        exe=1408, lib=3744, pte=112),
                fds=[(0, "/dev/null"), (1, "/dev/null"), (2, "/dev/null"),
                     (3, "anon_inode:[timerfd]"), (4, "anon_inode:[eventpoll]"),
                     (5, "anon_inode:[signalfd]"), (6, "/sys/fs/cgroup/systemd"),
                     (7, "anon_inode:[timerfd]"), (9, "/proc/1/mountinfo"),
                     (10, "anon_inode:inotify"), (11, "/proc/swaps"), (12, "socket:[13714]")])
    add_process(h, 1105, comm="sshd", kernel="3.10", argv=["/usr/sbin/sshd", "-D"], limits=lim,
                vm=dict(peak=112924, size=112924, hwm=4304, rss=4304, file=3052, data=600,
                        exe=780, lib=8936, pte=92), ctxt=(26, 1),
                fds=[(0, "/dev/null"), (1, "socket:[19301]"), (2, "socket:[19301]"),
                     (3, "socket:[19844]"), (4, "socket:[19846]")])
    add_process(h, 1266, comm="virtlogd", kernel="3.10", argv=["/usr/sbin/virtlogd"], limits=lim,
                threads=2, ctxt=(304, 2),
                vm=dict(peak=190264, size=190264, hwm=4620, rss=4620, file=3912, data=8900,
                        exe=48, lib=10480, pte=112),
                fds=[(0, "/dev/null"), (1, "socket:[18701]"), (2, "socket:[18701]"),
                     (3, "socket:[18714]"), (4, "/run/virtlogd.pid"), (5, "anon_inode:[eventfd]"),
                     (6, "/var/log/libvirt/qemu/test.log"), (7, "pipe:[40211]")])
    add_process(h, 1281, comm="libvirtd", kernel="3.10", argv=["/usr/sbin/libvirtd"],
                limits=limits_text(memlock=(65536, 65536), nofile=(8192, 8192), nproc=63310),
                threads=17, ctxt=(3011, 12),
                vm=dict(peak=1266704, size=1201168, hwm=26864, rss=26864, file=13200,
                        data=473656, exe=456, lib=24196, pte=284),
                fds=[(0, "/dev/null"), (1, "socket:[18866]"), (2, "socket:[18866]"),
                     (3, "socket:[18911]"), (4, "socket:[18913]"), (5, "anon_inode:[eventfd]"),
                     (6, "socket:[18915]"), (7, "/run/libvirtd.pid"),
                     (8, "anon_inode:[eventfd]"), (9, "socket:[40207]")])
