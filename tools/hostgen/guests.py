"""Who holds a VF: a running QEMU guest (libvirt's files and the QEMU process), or any VFIO user.

running_guest puts a RHEL 9 libvirt guest with one VF in place: its status
and pid files, its persistent definition, and the QEMU 8.2 process with the
argv libvirt builds and the fd table of a guest using VFIO. open_vf and held_vf
change the device the way its user did (enabled, Bus Master, MSI-X on).
"""

import struct

from .libvirt import domstatus_xml, libvirt_files, rhel9_domain_xml
from .procs import add_process, GIB, limits_text


QEMU_SIG = dict(sig=(0x10002240, 0x1001, 0x100004243))


def qemu_vm_kb(mem_kib, lck_kib):
    """VmSize/VmRSS of a QEMU whose guest RAM is all resident (VFIO pins it);
    VmLck is mm->locked_vm, where vfio_iommu_type1 accounts the pinned pages."""
    return dict(peak=mem_kib + 1716224, size=mem_kib + 1650688, lck=lck_kib,
                hwm=mem_kib + 151000, rss=mem_kib + 149312, file=31840, shmem=1168,
                data=mem_kib + 996212, exe=6700, lib=41336, pte=17116)


def rhel9_qemu_argv(name, uuid, mem_mib, vcpus, hostdev_json, domid=1):
    """The QEMU command line libvirt 10.0 (RHEL 9.4) builds for a q35 guest with one
    VF: JSON -object/-device/-blockdev arguments (libvirt >= 7.0 with QEMU >= 6.0)."""
    ld = "/var/lib/libvirt/qemu/domain-%d-%s" % (domid, name)
    a = ["/usr/libexec/qemu-kvm",
         "-name", "guest=%s,debug-threads=on" % name,
         "-S",
         "-object", '{"qom-type":"secret","id":"masterKey0","format":"raw","file":"%s/master-key.aes"}' % ld,
         "-machine", "pc-q35-rhel9.2.0,usb=off,dump-guest-core=off,memory-backend=pc.ram,hpet=off,acpi=on",
         "-accel", "kvm",
         "-cpu", "host,migratable=on",
         "-m", "size=%dk" % (mem_mib * 1024),
         "-object", '{"qom-type":"memory-backend-ram","id":"pc.ram","size":%d}' % (mem_mib * 1024 * 1024),
         "-overcommit", "mem-lock=off",
         "-smp", "%d,sockets=%d,dies=1,cores=1,threads=1" % (vcpus, vcpus),
         "-uuid", uuid,
         "-display", "none",
         "-no-user-config",
         "-nodefaults",
         "-chardev", "socket,id=charmonitor,fd=27,server=on,wait=off",
         "-mon", "chardev=charmonitor,id=monitor,mode=control",
         "-rtc", "base=utc,driftfix=slew",
         "-global", "kvm-pit.lost_tick_policy=delay",
         "-no-shutdown",
         "-global", "ICH9-LPC.disable_s3=1",
         "-global", "ICH9-LPC.disable_s4=1",
         "-boot", "strict=on"]
    for i in range(1, 6):
        a += ["-device", '{"driver":"pcie-root-port","port":%d,"chassis":%d,"id":"pci.%d","bus":"pcie.0",%s"addr":"0x2%s"}'
              % (15 + i, i, i, '"multifunction":true,' if i == 1 else "", "" if i == 1 else ".0x%x" % (i - 1))]
    a += ["-blockdev", '{"driver":"file","filename":"/var/lib/libvirt/images/%s.qcow2","node-name":"libvirt-1-storage","auto-read-only":true,"discard":"unmap"}' % name,
          "-blockdev", '{"node-name":"libvirt-1-format","read-only":false,"discard":"unmap","driver":"qcow2","file":"libvirt-1-storage"}',
          "-device", '{"driver":"virtio-blk-pci","bus":"pci.3","addr":"0x0","drive":"libvirt-1-format","id":"virtio-disk0","bootindex":1}',
          "-netdev", '{"type":"tap","fd":"28","vhost":true,"vhostfd":"30","id":"hostnet0"}',
          "-device", '{"driver":"virtio-net-pci","netdev":"hostnet0","id":"net0","mac":"52:54:00:6b:3c:%02x","bus":"pci.1","addr":"0x0"}' % (0x10 + domid),
          "-chardev", "pty,id=charserial0",
          "-device", '{"driver":"isa-serial","chardev":"charserial0","id":"serial0","index":0}',
          "-audiodev", '{"id":"audio1","driver":"none"}',
          "-device", hostdev_json,
          "-device", '{"driver":"virtio-balloon-pci","id":"balloon0","bus":"pci.4","addr":"0x0"}',
          "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny",
          "-msg", "timestamp=on"]
    return a


def qemu_fds_rhel9(group, log_pipe):
    """fd table of a running QEMU 8.2 with a VFIO device: stdio to virtlogd's pipe,
    the monitor socket libvirt passed (fd 27), tap/vhost fds, KVM, the VFIO
    container and group and the device fd, eventfds for ioeventfd/irqfd."""
    fds = [(0, "/dev/null"), (1, log_pipe), (2, log_pipe),
           (3, "anon_inode:[signalfd]"), (4, "anon_inode:[eventpoll]"),
           (5, "anon_inode:[eventfd]"), (6, "anon_inode:[eventfd]"),
           (7, "anon_inode:[eventfd]"), (8, "anon_inode:[eventfd]"), (9, "anon_inode:[eventfd]"),
           (10, "/dev/kvm"), (11, "anon_inode:kvm-vm"), (12, "anon_inode:[eventfd]"),
           (13, "anon_inode:[eventfd]"), (14, "/dev/ptmx"), (15, "anon_inode:[eventfd]"),
           (16, "anon_inode:kvm-vcpu:0"), (17, "anon_inode:kvm-vcpu:1"),
           (18, "anon_inode:kvm-vcpu:2"), (19, "anon_inode:kvm-vcpu:3"),
           (20, "/dev/vfio/vfio"), (21, "/dev/vfio/%d" % group),
           (22, "anon_inode:[vfio-device]"), (23, "anon_inode:[eventfd]"),
           (24, "anon_inode:[eventfd]"), (25, "anon_inode:[eventfd]"),
           (26, "anon_inode:[eventfd]"), (27, "socket:[123456]"), (28, "/dev/net/tun"),
           (29, "socket:[123471]"), (30, "/dev/vhost-net"),
           (31, "/var/lib/libvirt/images/%s"), (32, "anon_inode:[eventfd]"),
           (33, "anon_inode:[eventfd]"), (34, "anon_inode:[eventfd]")]
    return fds


RHEL9_QEMU_CAPS = ["kvm", "no-hpet", "name-guest", "debug-threads", "vfio-pci", "pcie-root-port",
                   "virtio-net", "virtio-blk", "blockdev", "netdev.json", "device.json",
                   "object.json", "seccomp-sandbox", "query-named-block-nodes"]

RHEL9_ALIASES = ["balloon0", "net0", "hostdev0", "virtio-disk0", "serial0", "ide",
                 "pci.5", "pci.4", "pci.3", "pci.2", "pci.1", "pcie.0"]


def open_vf(d):
    """A VF whose user opened it and whose guest driver runs: pci_enable_device() ran
    (enable 1), the driver set Bus Master and enabled MSI-X (capability at 0x70)."""
    d.enable = 1
    cfg = bytearray(d.config)
    struct.pack_into("<H", cfg, 0x04, 0x0004)
    ctrl = struct.unpack_from("<H", cfg, 0x72)[0]
    struct.pack_into("<H", cfg, 0x72, ctrl | 0x8000)
    d.config = bytes(cfg)


def held_vf(h, bdf, vectors):
    """A VF a user (QEMU with a guest driver, or DPDK) has open through vfio-pci
    (open_vf); returns its `vectors` MSI-X vectors, which vfio-pci requested as
    vfio-msix[N](BDF), for rhel_interrupts."""
    open_vf(h.dev(bdf))
    return [(bdf, ["vfio-msix[%d](%s)" % (i, bdf) for i in range(vectors)])]


def running_guest(h, *, name, pid, domid, uuid, mem_kib, vcpus, bdf, group, hard_limit_kib=None,
                  log_pipe="pipe:[51234]", mac_byte=0x11):
    """A RHEL 9 libvirt guest running with one VF: state file, pid file, persistent
    definition, and the QEMU process (user qemu, 107:107, supplementary group kvm),
    whose locked-memory limit libvirt set from <hard_limit>, else memory + 1 GiB."""
    hostdev = '{"driver":"vfio-pci","host":"%s","id":"hostdev0","bus":"pci.5","addr":"0x0"}' % bdf
    live = rhel9_domain_xml(name, uuid, mem_kib, vcpus, bdf, live_id=domid, mac_byte=mac_byte,
                            hard_limit_kib=hard_limit_kib, vnet=domid - 1, pty=domid)
    vcpu_pids = [pid + 14 + i for i in range(vcpus)]
    status = domstatus_xml(live, pid=pid, name=name, domid=domid, vcpu_pids=vcpu_pids,
                           caps=RHEL9_QEMU_CAPS, aliases=RHEL9_ALIASES)
    libvirt_files(h, name, status=status, pid=pid,
                  persistent=rhel9_domain_xml(name, uuid, mem_kib, vcpus, bdf, mac_byte=mac_byte,
                                              hard_limit_kib=hard_limit_kib))
    memlock = (hard_limit_kib * 1024) if hard_limit_kib else mem_kib * 1024 + GIB
    argv = rhel9_qemu_argv(name, uuid, mem_kib // 1024, vcpus, hostdev, domid)
    fds = [(n, t % ("%s.qcow2" % name) if "%s" in t else t) for n, t in qemu_fds_rhel9(group, log_pipe)]
    add_process(h, pid, comm="qemu-kvm", kernel="5.14", argv=argv, uid=107, gid=107,
                groups=(36, 107), threads=vcpus + 4, caps=False, umask="0002", fdsize=64,
                seccomp=(2, 1), ctxt=(48211, 1033), **QEMU_SIG,
                limits=limits_text(memlock=(memlock, memlock), nofile=(8192, 8192)),
                vm=qemu_vm_kb(mem_kib, mem_kib), fds=fds)
