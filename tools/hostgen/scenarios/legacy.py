"""seed-legacy-assigned: the guide's own era, RHEL 7.9 with legacy KVM device assignment.

The seed hardware on RHEL 7.9 (kernel 3.10, qemu-kvm 1.5.3, libvirt 4.5): the
target VF is on pci-stub and assigned with pci-assign to a running guest, whose
QEMU holds the device's sysfs config and resource files; a second, shut-off
definition names it too. The tree has 3.10's layout where it differs from the
RHEL 9 trees (/proc/interrupts, /proc/PID/status, sysfs files that came later).
"""

from ..guests import open_vf, QEMU_SIG
from ..interrupts import interrupts_text, irq_counts, legacy_rows, native_device_rows, x86_arch_rows
from ..kernel import refs
from ..libvirt import domstatus_xml, libvirt_files, qemu_conf
from ..procs import add_process, limits_text
from ..readme import finish_readme
from ..rhel7 import (RHEL7_BOOT_CONFIG, RHEL7_CMDLINE, rhel7_daemons, rhel7_domain_xml, RHEL7_GRUB,
                     rhel7_lib_modules, RHEL7_MODULES, RHEL7_OS_RELEASE, rhel7_qemu_argv, RHEL7_REL)
from ..seedhost import seed_host


def sc_seed_legacy_assigned(c):
    h = seed_host("seed-legacy-assigned", vf_drivers=("pci-stub", "igbvf"), corpus=c)
    h.description = "RHEL 7.9, legacy KVM assignment: guest test (pid 3131) holds 03:10.0 via pci-assign on pci-stub; test2 names it too"
    h.targets = ["0000:03:10.0"]
    # ---- the RHEL 7.9 userland and kernel
    for k in list(h.files):
        if k.startswith("lib/modules/") or k.startswith("boot/config-"):
            del h.files[k]
    h.files["proc/cmdline"] = RHEL7_CMDLINE + "\n"
    h.files["proc/sys/kernel/osrelease"] = RHEL7_REL + "\n"
    h.files["etc/os-release"] = RHEL7_OS_RELEASE
    h.files["etc/redhat-release"] = "Red Hat Enterprise Linux Server release 7.9 (Maipo)\n"
    h.files["etc/default/grub"] = (
        'GRUB_TIMEOUT=5\nGRUB_DISTRIBUTOR="$(sed \'s, release .*$,,g\' /etc/system-release)"\n'
        'GRUB_DEFAULT=saved\nGRUB_DISABLE_SUBMENU=true\nGRUB_TERMINAL_OUTPUT="console"\n'
        'GRUB_CMDLINE_LINUX="%s"\nGRUB_DISABLE_RECOVERY="true"\n' % RHEL7_GRUB)
    # 3.10 prints no "vmx flags" line (5.8+)
    h.files["proc/cpuinfo"] = "".join(line for line in h.files["proc/cpuinfo"].splitlines(True)
                                      if not line.startswith("vmx flags"))
    h.files["etc/libvirt/qemu.conf"] = qemu_conf("qemu", "qemu").replace(
        "\n# By default the PCI devices are assigned using VFIO (if supported);\n"
        "# legacy KVM device assignment is no longer supported.\n", "\n")
    h.files["boot/config-" + RHEL7_REL] = RHEL7_BOOT_CONFIG
    rhel7_lib_modules(h)
    h.modules = list(RHEL7_MODULES)
    refs(h, {"kvm_intel": 1})
    h.drivers["igbvf"] = "igbvf"
    h.module_params = {
        "vfio_pci": {"disable_idle_d3": "N", "disable_vga": "N", "nointxmask": "N"},
        "vfio_iommu_type1": {"allow_unsafe_interrupts": "N", "disable_hugepages": "N"},
        "kvm": {"allow_unsafe_assigned_interrupts": "N", "ignore_msrs": "N"},
        "kvm_intel": {"nested": "N", "ept": "Y", "vpid": "Y", "enable_apicv": "N",
                      "unrestricted_guest": "N"},
    }
    # ---- the assigned VF: KVM_ASSIGN_PCI_DEVICE ran pci_enable_device(); the guest's
    # igbvf set Bus Master and enabled MSI-X through QEMU's config fd
    d = h.dev("0000:03:10.0")
    open_vf(d)
    # ---- /proc/interrupts in 3.10's format; the assigned device's host vectors are
    # named "kvm:<bdf>" (assigned_device_enable_host_msix)
    rows = legacy_rows(16, "IR-IO-APIC")
    rows.append((27, irq_counts(16, "dmar0", 0), "DMAR_MSI", 0, "edge", ["dmar0"]))
    dev_rows, nxt = native_device_rows(h, 16, True, h.first_msix_irq)
    rows += dev_rows
    for i in range(3):
        rows.append((nxt + i, irq_counts(16, "kvm%d" % i, (0, 48101, 35)[i]), "IR-PCI-MSI",
                     None, "edge", ["kvm:0000:03:10.0"]))
    h.files["proc/interrupts"] = interrupts_text(16, 3, rows, x86_arch_rows(16, 8640000),
                                                 hwirq_column=False)

    # ---- sysfs of 3.10: no sriov_offset/stride/vf_device (4.16) nor
    # sriov_drivers_autoprobe (4.12); an IOMMU group has devices/ only (type 5.x,
    # reserved_regions 4.11)
    def sysfs_310(t):
        for path in sorted(t.root.rglob("*")):
            if path.is_file() and not path.is_symlink() and (
                    path.name in ("sriov_offset", "sriov_stride", "sriov_vf_device",
                                  "sriov_drivers_autoprobe")
                    or (path.parent.parent.name == "iommu_groups"
                        and path.name in ("type", "reserved_regions"))):
                path.unlink()
    h.post_render.insert(0, sysfs_310)

    # ---- the running guest and the one the operator tries to start
    uuid = "5c9a3f0e-8b1d-4e27-a3f6-9d0b7c2e4a18"
    live = rhel7_domain_xml("test", uuid, 2097152, 2, "0000:03:10.0", live_id=1)
    status = domstatus_xml(live, pid=3131, name="test", domid=1, vcpu_pids=[3160, 3161],
                           caps=["kvm", "no-hpet", "pci-configfd", "pci-bootindex",
                                 "pci-multifunction", "no-user-config", "vhost-net",
                                 "cirrus-vga", "msg-timestamp"],
                           aliases=["balloon0", "hostdev0", "video0", "serial0", "net0",
                                    "virtio-disk0", "usb", "pci.0"],
                           json_monitor=True)
    libvirt_files(h, "test", status=status, pid=3131,
                  persistent=rhel7_domain_xml("test", uuid, 2097152, 2, "0000:03:10.0"))
    libvirt_files(h, "test2", persistent=rhel7_domain_xml(
        "test2", "e07b4c39-6a2f-4d81-9c5e-3f1a8b7d2c60", 2097152, 2, "0000:03:10.0"))
    rhel7_daemons(h)
    vf = "/" + h.devdir(d)
    fds = [(0, "/dev/null"), (1, "pipe:[40211]"), (2, "pipe:[40211]"), (3, "socket:[40195]"),
           (4, "/dev/ptmx"), (5, "anon_inode:[signalfd]"), (6, "anon_inode:[eventfd]"),
           (7, "/dev/kvm"), (8, "anon_inode:kvm-vm"), (9, "anon_inode:[eventfd]"),
           (10, "socket:[40231]"), (11, "/var/lib/libvirt/images/test.qcow2"),
           (12, "anon_inode:kvm-vcpu"), (13, "anon_inode:kvm-vcpu"),
           (14, "anon_inode:[eventfd]"), (15, "anon_inode:[eventfd]"),
           (16, "anon_inode:[eventfd]"), (17, "anon_inode:[eventfd]"),
           (25, vf + "/config"), (26, "/dev/net/tun"), (28, "/dev/vhost-net"),
           (29, vf + "/resource0"), (30, vf + "/resource3")]
    add_process(h, 3131, comm="qemu-kvm", kernel="3.10",
                argv=rhel7_qemu_argv("test", uuid, 2048, 2, "03:10.0"),
                uid=107, gid=107, groups=(36, 107), threads=5, caps=False, umask="0002",
                ctxt=(21877, 630), **QEMU_SIG,
                limits=limits_text(memlock=(65536, 65536), nofile=(8192, 8192), nproc=63310),
                vm=dict(peak=2946920, size=2881384, lck=0, hwm=2215144, rss=2215144, file=9856,
                        shmem=204, data=2585340, exe=5584, lib=28004, pte=4520),
                fds=fds)
    h.hw_text = h.hw_text.replace(
        "running Red Hat Enterprise Linux 9.4, kernel `5.14.0-427.13.1.el9_4.x86_64`, and",
        "running Red Hat Enterprise Linux Server 7.9 (Maipo), kernel `3.10.0-1160.el7.x86_64`, and")
    h.verdict = "READY, with warnings"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "seed-legacy-assigned", (
        "- The guide's era: RHEL 7.9, kernel `3.10.0-1160.el7.x86_64` built with\n"
        "  `CONFIG_KVM_DEVICE_ASSIGNMENT=y` (legacy KVM assignment), qemu-kvm 1.5.3\n"
        "  (`/usr/libexec/qemu-kvm`), libvirt 4.5. `intel_iommu=on`, DMAR present, IOMMU on\n"
        "  (`dmar0`, groups as in seed-ready), interrupt remapping on; kvm_intel loaded.\n"
        "- vfio, vfio_iommu_type1 and vfio_pci are loaded but drive nothing: `/dev/vfio/vfio` only,\n"
        "  no group nodes.\n"
        "- 03:10.0 is bound to `pci-stub` (built in: no `module` link) and assigned with the legacy\n"
        "  path to the running libvirt guest `test`: `run/libvirt/qemu/test.xml` is a `<domstatus\n"
        "  state='running' reason='booted' pid='3131'>` whose domain has `<hostdev ...\n"
        "  managed='yes'><driver name='kvm'/>` for 03:10.0 at guest 00:05.0; `test.pid` = `3131`.\n"
        "  QEMU's cmdline has `-device pci-assign,host=03:10.0,id=hostdev0,configfd=25,bus=pci.0,addr=0x5`\n"
        "  (key=value, `-name test` without `guest=`, i440fx `pc-i440fx-rhel7.0.0`).\n"
        "- pci-assign does not use /dev/vfio: libvirt opened the device's sysfs `config` and passed\n"
        "  it as fd 25, QEMU mmapped `resource0` and `resource3` (the VF's two 16 KiB BARs). The fd\n"
        "  links show them as the kernel does, by their canonical path:\n"
        "  `/sys/devices/pci0000:00/0000:00:01.0/0000:03:10.0/config` (and `resource0`, `resource3`),\n"
        "  not by the `/sys/bus/pci/devices/` alias. KVM enabled the device (`enable` 1); its three\n"
        "  host MSI-X vectors show in `/proc/interrupts` as `kvm:0000:03:10.0`. KVM pins guest memory\n"
        "  itself, so libvirt leaves QEMU's Max locked memory at RHEL 7's 65536 and `VmLck` is 0.\n"
        "- `etc/libvirt/qemu/test2.xml` (shut off) names 03:10.0 too, also `<driver name='kvm'/>`.\n"
        "  `virsh start test2` is the guide's failure: `get_real_device:\n"
        "  /sys/bus/pci/devices/0000:03:10.0/config: Permission denied` / `init_assigned_device:\n"
        "  Error: Couldn't get real device (03:10.0)!` (\"often caused by a device which is already\n"
        "  assigned to another guest\").\n"
        "- 3.10's layout, where it differs from the RHEL 9 trees: `/proc/interrupts` without the\n"
        "  hwirq column and with chip and handler joined (`IR-PCI-MSI-edge`, `IR-IO-APIC-fasteoi`,\n"
        "  `DMAR_MSI-edge`); no `vmx flags` line in cpuinfo; IOMMU groups hold only `devices/` (no\n"
        "  `type`, no `reserved_regions`); PFs lack `sriov_offset`, `sriov_stride`,\n"
        "  `sriov_vf_device` and `sriov_drivers_autoprobe`; /proc/PID/status without the NS*,\n"
        "  HugetlbPages, CoreDumping, THP_enabled, Seccomp_filters lines; `.ko.xz` modules, 3.10's\n"
        "  /proc/modules sizes. Kept, as RHEL 7 backported them: `driver_override`, the\n"
        "  `sys/class/iommu/dmar0` class device and the devices' `iommu` links (upstream 3.16/3.17),\n"
        "  and the x86 `PIN`/`NPI`/`PIW` rows of /proc/interrupts (a modelling assumption, not\n"
        "  checked against a 3.10.0-1160 host).\n"
        "- Ordinary processes: systemd (1), sshd (1105), virtlogd (1266), libvirtd (1281).\n"),
        "With `--device 0000:03:10.0`: the in-use check fails: 03:10.0 is held by the running guest\n"
        "`test` (QEMU pid 3131) through legacy KVM assignment, seen in the state file (`<driver\n"
        "name='kvm'/>`), the cmdline (`pci-assign,host=03:10.0`) and fds 25/29/30 on the device's\n"
        "sysfs `config`/`resource0`/`resource3`; `enable` 1. The defined-twice check names test and\n"
        "test2. `device.host-driver` flags pci-stub / `<driver name='kvm'/>` as the legacy path\n"
        "(use vfio-pci; legacy assignment was removed in kernel 4.12). `device.config-access`\n"
        "must not claim that QEMU will open /dev/vfio for a `kvm` hostdev. No memlock finding\n"
        "(legacy assignment does not use RLIMIT_MEMLOCK).\n")
    return h
