"""pve-vms: Proxmox VE guests that name the seed host's VFs, one of them running.

The seed host (its hardware and kernel files) as a Proxmox VE node named pve1,
with the files Proxmox keeps for its VMs: /etc/pve/qemu-server/VMID.conf (the
`key: value` lines qemu-server writes, hostpciN in its full, short and
mapping forms, a snapshot section after the current configuration),
/etc/pve/mapping/pci.cfg (cluster resource mappings, `map` lines per node) and
/run/qemu-server/VMID.pid for the running VM, whose kvm process has the VF
open through VFIO, as qemu-server starts it (`/usr/bin/kvm -id VMID -name
NAME,debug-threads=on …`, as root).
"""

from ..distro import host_common
from ..guests import qemu_vm_kb
from ..procs import add_process, GIB, limits_text, rhel9_daemons
from ..readme import finish_readme
from ..seedhost import seed_host
from .holders import hold

VM_101 = """\
agent: 1
boot: order=scsi0;net0
cores: 4
cpu: host
hostpci0: 0000:03:10.0,pcie=1
machine: q35
memory: 8192
meta: creation-qemu=8.1.5,ctime=1733150000
name: web01
net0: virtio=BC:24:11:2A:3B:4C,bridge=vmbr0
numa: 0
ostype: l26
scsi0: local-lvm:vm-101-disk-0,iothread=1,size=32G
scsihw: virtio-scsi-single
smbios1: uuid=3e9c1f5a-7b2d-4c8e-9a61-0d4f2b8c7e15
sockets: 1
vmgenid: 0b6d6c1e-5d2a-4f0e-8a37-3a2c7f9e1b42
"""

VM_102 = """\
boot: order=scsi0
cores: 2
hostpci0: 03:10.0
memory: 4096
name: web02
net0: virtio=BC:24:11:5D:6E:7F,bridge=vmbr0
ostype: l26
scsi0: local-lvm:vm-102-disk-0,size=16G
smbios1: uuid=8a4d2e6b-1c3f-4d5a-b7e9-6f0c2a9d3b41
"""

VM_103 = """\
boot: order=scsi0
cores: 2
hostpci0: mapping=vf-port1,pcie=1
machine: q35
memory: 4096
name: db01
ostype: l26
scsi0: local-lvm:vm-103-disk-0,size=16G
smbios1: uuid=5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b

[before-upgrade]
hostpci0: 03:10.0
memory: 4096
name: db01
snaptime: 1733000000
"""

VM_104 = """\
cores: 2
hostpci0: mapping=vf-pool
memory: 2048
name: test01
ostype: l26
"""

PCI_CFG = """\
vf-port1
\tmap id=8086:10ca,iommugroup=10,node=pve1,path=0000:03:10.1,subsystem-id=8086:a02c
\tmap id=8086:10ca,iommugroup=10,node=pve2,path=0000:03:10.0,subsystem-id=8086:a02c

vf-pool
\tdescription any free VF
\tmap id=8086:10ca,node=pve1,path=0000:03:10.0;0000:03:10.1
"""


def pve_kvm_argv(vmid, name, uuid, mem_mib, vcpus, bdf):
    """qemu-server's kvm command line for a q35 VM with one VF on hostpci0
    (PVE::QemuServer::config_to_command; hostpci0 sits on ich9-pcie-port-1)."""
    run = "/var/run/qemu-server/%d" % vmid
    return ["/usr/bin/kvm", "-id", str(vmid), "-name", "%s,debug-threads=on" % name,
            "-no-shutdown",
            "-chardev", "socket,id=qmp,path=%s.qmp,server=on,wait=off" % run,
            "-mon", "chardev=qmp,mode=control",
            "-chardev", "socket,id=qmp-event,path=/var/run/qmeventd.sock,reconnect=5",
            "-mon", "chardev=qmp-event,mode=control",
            "-pidfile", "%s.pid" % run,
            "-daemonize",
            "-smbios", "type=1,uuid=%s" % uuid,
            "-smp", "%d,sockets=1,cores=%d,maxcpus=%d" % (vcpus, vcpus, vcpus),
            "-nodefaults",
            "-boot", "menu=on,strict=on,reboot-timeout=1000,splash=/usr/share/qemu-server/bootsplash.jpg",
            "-vnc", "unix:%s.vnc,password=on" % run,
            "-cpu", "host,+kvm_pv_eoi,+kvm_pv_unhalt",
            "-m", str(mem_mib),
            "-readconfig", "/usr/share/qemu-server/pve-q35-4.0.cfg",
            "-device", "vmgenid,guid=0b6d6c1e-5d2a-4f0e-8a37-3a2c7f9e1b42",
            "-device", "vfio-pci,host=%s,id=hostpci0,bus=ich9-pcie-port-1,addr=0x0" % bdf,
            "-device", "virtio-net-pci,mac=BC:24:11:2A:3B:4C,netdev=net0,bus=pci.0,addr=0x12,id=net0",
            "-machine", "type=q35+pve0"]


def sc_pve_vms(c):
    h = seed_host("pve-vms", corpus=c)
    h.description = ("Proxmox VE node pve1: VM 101 (web01, running) and VM 102 (web02) both "
                     "name VF 03:10.0; VM 103 takes 03:10.1 through a mapping")
    h.targets = ["0000:03:10.0"]
    h.files["proc/sys/kernel/hostname"] = "pve1\n"
    h.files["etc/hostname"] = "pve1\n"
    h.files["etc/pve/qemu-server/101.conf"] = VM_101
    h.files["etc/pve/qemu-server/102.conf"] = VM_102
    h.files["etc/pve/qemu-server/103.conf"] = VM_103
    h.files["etc/pve/qemu-server/104.conf"] = VM_104
    h.files["etc/pve/mapping/pci.cfg"] = PCI_CFG
    h.files["run/qemu-server/101.pid"] = "4242\n"
    # qemu-server's reservations (PVE/QemuServer/PCI.pm): 101's, by its kvm's
    # pid; a stale one of 103's, whose pid no longer runs.
    h.files["run/qemu-server/pci-id-reservations"] = (
        "0000:03:10.0 101 pid:4242\n0000:03:10.1 103 pid:31337\n")
    hold(h, "0000:03:10.0", 3, guest=True)
    rhel9_daemons(h)
    mem_kib = 8192 * 1024
    fds = [(0, "/dev/null"), (1, "/dev/null"), (2, "/dev/null"),
           (3, "anon_inode:[signalfd]"), (4, "anon_inode:[eventpoll]"),
           (5, "socket:[88101]"), (6, "socket:[88102]"),
           (10, "/dev/kvm"), (11, "anon_inode:kvm-vm"),
           (16, "anon_inode:kvm-vcpu:0"), (17, "anon_inode:kvm-vcpu:1"),
           (18, "anon_inode:kvm-vcpu:2"), (19, "anon_inode:kvm-vcpu:3"),
           (20, "/dev/vfio/vfio"), (21, "/dev/vfio/9"), (22, "anon_inode:[vfio-device]"),
           (28, "/dev/net/tun"), (30, "/dev/vhost-net")]
    add_process(h, 4242, comm="kvm", kernel="5.14",
                argv=pve_kvm_argv(101, "web01", "3e9c1f5a-7b2d-4c8e-9a61-0d4f2b8c7e15", 8192, 4,
                                  "0000:03:10.0"),
                threads=8, fdsize=64,
                limits=limits_text(memlock=(mem_kib * 1024 + GIB, mem_kib * 1024 + GIB)),
                vm=qemu_vm_kb(mem_kib, mem_kib), fds=fds)
    h.verdict = "READY, with warnings"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "pve-vms", (
        "- The seed host's hardware and kernel files (those of seed-ready: IOMMU on, both VFs on\n"
        "  vfio-pci), as a Proxmox VE node: hostname `pve1`, and Proxmox's VM files. The kernel\n"
        "  release and distribution files stay the seed host's; the checks this host is for\n"
        "  read only /etc/pve, /run/qemu-server and /proc.\n"
        "- `etc/pve/qemu-server/101.conf`: web01, `hostpci0: 0000:03:10.0,pcie=1` (full form),\n"
        "  q35, 8192 MiB; running: `run/qemu-server/101.pid` is `4242`, and process 4242 (`kvm`,\n"
        "  root) runs `/usr/bin/kvm -id 101 -name web01,debug-threads=on … -device\n"
        "  vfio-pci,host=0000:03:10.0,id=hostpci0,bus=ich9-pcie-port-1,addr=0x0` with\n"
        "  `/dev/vfio/vfio`, `/dev/vfio/9` and a vfio-device fd open; 03:10.0 is enabled with\n"
        "  MSI-X on and three vfio-msix vectors.\n"
        "- `run/qemu-server/pci-id-reservations`, as qemu-server writes it:\n"
        "  `0000:03:10.0 101 pid:4242` (101's, held while its kvm runs) and\n"
        "  `0000:03:10.1 103 pid:31337` (stale: no process 31337, so it holds nothing).\n"
        "- `102.conf`: web02, `hostpci0: 03:10.0` (short form, domain 0000), not running.\n"
        "- `103.conf`: db01, `hostpci0: mapping=vf-port1,pcie=1`; `etc/pve/mapping/pci.cfg` maps\n"
        "  vf-port1 to 0000:03:10.1 on pve1 (and to 0000:03:10.0 on another node, pve2, which\n"
        "  does not count here). Its snapshot section `[before-upgrade]` names 03:10.0: a\n"
        "  snapshot is not the current configuration.\n"
        "- `104.conf`: test01, `hostpci0: mapping=vf-pool`, a mapping whose path lists both VFs:\n"
        "  Proxmox takes a free one at start, so it names neither for certain.\n"),
        "Without targets: 03:10.0 is named by VMID 101 (web01) and VMID 102 (web02), a\n"
        "defined-twice warning whose fix is Proxmox's (`qm set`, a mapping with several paths);\n"
        "03:10.1 is named by VMID 103 (db01) only. With `--device 0000:03:10.0` the in-use\n"
        "check fails, naming VMID 101 (web01), pid 4242, found through its configuration and\n"
        "pid file, its reservation and its open /dev/vfio/9; its fix is `qm shutdown 101`, not\n"
        "virsh.\n")
    return h


# /etc/kernel/cmdline as the Proxmox VE installer writes it for a ZFS root on UEFI,
# which boots with systemd-boot through proxmox-boot-tool (pve-docs, "Host
# Bootloader"): the kernel's one line, without the initrd= systemd-boot adds.
PVE_KERNEL_CMDLINE = "root=ZFS=rpool/ROOT/pve-1 boot=zfs\n"


def sc_pve_iommu_off(c):
    h = seed_host("pve-iommu-off", iommu_on=False, cmdline_iommu=False,
                  vf_drivers=("igbvf", "igbvf"), corpus=c)
    h.description = ("Proxmox VE node on a ZFS root booted by systemd-boot: intel_iommu=on "
                     "missing from /etc/kernel/cmdline, IOMMU off")
    h.targets = ["0000:03:10.0"]
    # Debian 12's files (passwd, group, os-release, /etc/default/grub, which GRUB
    # would read but systemd-boot does not), the seed host's kernel release.
    rel = h.files["proc/sys/kernel/osrelease"].strip()
    host_common(h, "debian", rel,
                "initrd=\\EFI\\proxmox\\%s\\initrd.img-%s root=ZFS=rpool/ROOT/pve-1 boot=zfs"
                % (rel, rel), "")
    h.files["proc/sys/kernel/hostname"] = "pve2\n"
    h.files["etc/hostname"] = "pve2\n"
    h.files["etc/kernel/cmdline"] = PVE_KERNEL_CMDLINE
    h.files["etc/kernel/proxmox-boot-uuids"] = "5A2C-1F3B\n5A2D-84E0\n"
    h.files["etc/pve/qemu-server/102.conf"] = VM_102
    h.verdict = "NOT READY"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "pve-iommu-off", (
        "- seed-iommu-off's hardware and kernel (DMAR present, the RHEL 9 kernel without\n"
        "  CONFIG_INTEL_IOMMU_DEFAULT_ON, no `intel_iommu=on`: no IOMMU units or groups), as a\n"
        "  Proxmox VE node `pve2` with Debian 12's os-release, users and /etc/default/grub.\n"
        "- It boots as the Proxmox installer sets up a ZFS root on UEFI: systemd-boot, kept by\n"
        "  proxmox-boot-tool (`etc/kernel/proxmox-boot-uuids` lists two ESPs), the kernel line in\n"
        "  `etc/kernel/cmdline` (`root=ZFS=rpool/ROOT/pve-1 boot=zfs`), which is /proc/cmdline\n"
        "  after systemd-boot's `initrd=`.\n"
        "- `etc/pve/qemu-server/102.conf`: web02 with `hostpci0: 03:10.0`, not running.\n"),
        "`kernel.iommu` fails; its fix adds intel_iommu=on to /etc/kernel/cmdline and runs\n"
        "`proxmox-boot-tool refresh` (GRUB's /etc/default/grub and `update-grub` only if the node\n"
        "boots with GRUB).\n")
    return h
