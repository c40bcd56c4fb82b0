"""seed-guest-holds, seed-dpdk-holds, seed-memlock-low: a VF held open through VFIO.

The seed host with a user of a VF: a running libvirt guest (its state file,
persistent definition and QEMU process), or DPDK's testpmd started by hand;
seed-memlock-low's guest has a locked-memory limit below its memory. The
holder is seen in /proc/PID (cmdline, fds on /dev/vfio), in the device's
state (enable, MSI-X on, its vfio-msix vectors) and in the modules' reference
counts.
"""

from ..guests import held_vf, running_guest
from ..interrupts import rhel_interrupts
from ..kernel import refs
from ..libvirt import libvirt_files, rhel9_domain_xml
from ..procs import add_process, limits_text, rhel9_daemons
from ..readme import finish_readme
from ..seedhost import seed_host

# references an open VFIO container, group and device hold on the modules
VFIO_HOLDER_REFS = {"vfio": 2, "vfio_iommu_type1": 1, "vfio_pci": 1}


def hold(h, bdf, vectors, guest):
    """bdf open through VFIO with `vectors` MSI-X vectors enabled, by a guest's QEMU
    (whose VM also pins kvm_intel) or by another user."""
    vec = held_vf(h, bdf, vectors)
    h.files["proc/interrupts"] = rhel_interrupts(h, 16, 3, h.irq_remap, [(27, "dmar0")], vec)
    refs(h, dict(VFIO_HOLDER_REFS, kvm_intel=1) if guest else VFIO_HOLDER_REFS)


def sc_seed_guest_holds(c):
    h = seed_host("seed-guest-holds", corpus=c)
    h.description = "running libvirt guest web01 (pid 4242) holds VF 03:10.0 through VFIO; shut-off web02 names the same VF"
    h.targets = ["0000:03:10.0"]
    hold(h, "0000:03:10.0", 3, guest=True)
    rhel9_daemons(h, extra_logs=[(7, "/var/log/libvirt/qemu/web01.log"), (8, "pipe:[51234]")])
    running_guest(h, name="web01", pid=4242, domid=1, uuid="3e9c1f5a-7b2d-4c8e-9a61-0d4f2b8c7e15",
                  mem_kib=8388608, vcpus=4, bdf="0000:03:10.0", group=9)
    libvirt_files(h, "web02", persistent=rhel9_domain_xml(
        "web02", "8a4d2e6b-1c3f-4d5a-b7e9-6f0c2a9d3b41", 4194304, 2, "0000:03:10.0", mac_byte=0x12))
    h.verdict = "READY, with warnings"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "seed-guest-holds", (
        "- Like seed-ready (IOMMU on, both VFs on vfio-pci), plus a running libvirt 10.0 guest.\n"
        "- `web01` (domain id 1) runs as QEMU pid 4242, user qemu (uid/gid 107, supplementary group\n"
        "  kvm 36): `run/libvirt/qemu/web01.xml` is its `<domstatus state='running' reason='booted'\n"
        "  pid='4242'>` wrapping the live `<domain type='kvm' id='1'>` (8388608 KiB, 4 vCPUs, q35\n"
        "  `pc-q35-rhel9.2.0`) with `<hostdev mode='subsystem' type='pci' managed='yes'><driver\n"
        "  name='vfio'/>` for source 0000:03:10.0, alias `hostdev0`, guest address 05:00.0;\n"
        "  `run/libvirt/qemu/web01.pid` is `4242` (no newline, as libvirt writes it). Both are 0600\n"
        "  root.\n"
        "- `proc/4242/cmdline` (NUL-separated) is libvirt's argv for QEMU 8.2 with JSON `-device`:\n"
        "  `-device {\"driver\":\"vfio-pci\",\"host\":\"0000:03:10.0\",\"id\":\"hostdev0\",\"bus\":\"pci.5\",\"addr\":\"0x0\"}`;\n"
        "  `comm` is `qemu-kvm`. Its fd table has `/dev/vfio/vfio` (fd 20, the container),\n"
        "  `/dev/vfio/9` (fd 21, 03:10.0's group) and `anon_inode:[vfio-device]` (fd 22), besides\n"
        "  `/dev/kvm`, `anon_inode:kvm-vm`, vCPU fds, eventfds, the monitor `socket:[123456]`, tap\n"
        "  and vhost-net. `proc/4242/limits`: Max locked memory 9663676416 / 9663676416 bytes (guest\n"
        "  memory + 1 GiB, libvirt's limit for a VFIO guest without `<hard_limit>`); `status` has\n"
        "  `VmLck: 8388608 kB` (vfio_iommu_type1 accounts the pinned guest RAM in locked_vm).\n"
        "- 03:10.0 is open: `enable` = 1 (vfio-pci enables the device when a user opens it), Bus\n"
        "  Master set and MSI-X enabled in its config space by the guest's igbvf, and\n"
        "  `/proc/interrupts` has its three `vfio-msix[N](0000:03:10.0)` vectors. 03:10.1 is free\n"
        "  (`enable` 0). `/dev/vfio/9` stays 0600 root:root in the host's view: libvirt runs QEMU in\n"
        "  a private mount namespace and grants the qemu user the node in that namespace's /dev.\n"
        "- The module reference counts show the open files: kvm_intel 1 (the VM), vfio +2\n"
        "  (container and group), vfio_iommu_type1 +1, vfio_pci +1.\n"
        "- Persistent definitions (`virsh dumpxml --inactive`): `etc/libvirt/qemu/web01.xml` and\n"
        "  `etc/libvirt/qemu/web02.xml` (shut off, no state file, no process), both with a\n"
        "  managed hostdev for 0000:03:10.0.\n"
        "- Ordinary processes to skip: systemd (1), sshd (1021), virtlogd (1284, holding web01's\n"
        "  log and the read end of QEMU's stdio pipe), libvirtd (1290); none has a /dev/vfio fd.\n"),
        "Without targets nothing fails: 03:10.0 is assigned, as intended, to the running guest\n"
        "web01 (report it as held by web01, QEMU pid 4242, user qemu, through /dev/vfio/9).\n"
        "With `--device 0000:03:10.0` the device is not available for another guest: the in-use\n"
        "check fails, naming web01 / pid 4242 and the evidence (state file, cmdline, fd 21 ->\n"
        "`/dev/vfio/9`, `enable` 1). The two persistent definitions naming 03:10.0 are a finding\n"
        "too: `virsh start web02` fails while web01 runs (libvirt: the device is in use by web01).\n"
        "web01's locked-memory limit (9663676416 bytes) covers its memory: no memlock finding.\n"
        "All host checks of seed-ready pass.\n")
    return h


def sc_seed_dpdk_holds(c):
    h = seed_host("seed-dpdk-holds", corpus=c)
    h.description = "DPDK dpdk-testpmd (pid 5151, root) holds VF 03:10.1 through VFIO; no libvirt guest"
    h.targets = ["0000:03:10.1"]
    hold(h, "0000:03:10.1", 1, guest=False)
    rhel9_daemons(h)
    root_limits = limits_text(memlock=(8388608, 8388608), nofile=(1024, 524288))
    small = dict(peak=15856, size=15856, hwm=9164, rss=9164, file=7864, shmem=0, data=1092,
                 exe=484, lib=8580, pte=68)
    add_process(h, 5088, comm="sshd", raw_cmdline="sshd: root@pts/0" + "\0" * 28, argv=None,
                ppid=1021, limits=root_limits, vm=small, ctxt=(212, 4),
                fds=[(0, "/dev/null"), (1, "/dev/null"), (2, "/dev/null"), (3, "socket:[60110]"),
                     (4, "socket:[60112]"), (5, "pipe:[60131]"), (7, "/dev/ptmx"),
                     (8, "/dev/ptmx"), (9, "/dev/ptmx")])
    add_process(h, 5100, comm="bash", argv=["-bash"], ppid=5088, limits=root_limits,
                vm=dict(peak=224316, size=224316, hwm=5640, rss=5640, file=3428, shmem=0,
                        data=2136, exe=1000, lib=2440, pte=60), ctxt=(120, 2), pgid=5100, sid=5100,
                fds=[(0, "/dev/pts/0"), (1, "/dev/pts/0"), (2, "/dev/pts/0"), (255, "/dev/pts/0")])
    add_process(h, 5151, comm="dpdk-testpmd",
                argv=["dpdk-testpmd", "-l", "0-3", "-n", "4", "-a", "0000:03:10.1", "--", "-i"],
                ppid=5100, threads=7, pgid=5151, sid=5100, ctxt=(1840, 77),
                limits=root_limits,
                vm=dict(peak=70470016, size=70470016, lck=1048576, hwm=39120, rss=39120,
                        file=15232, shmem=4, data=1187860, exe=6764, lib=9612, pte=344,
                        huge=1048576),
                fds=[(0, "/dev/pts/0"), (1, "/dev/pts/0"), (2, "/dev/pts/0"),
                     (3, "/run/dpdk/rte/config"), (4, "socket:[61210]"),
                     (5, "anon_inode:[eventpoll]"), (6, "pipe:[61215]"), (7, "pipe:[61215]"),
                     (8, "/run/dpdk/rte/fbarray_memseg-1048576k-0-0"),
                     (9, "/dev/hugepages/rtemap_0"), (10, "/dev/vfio/vfio"),
                     (11, "/dev/vfio/10"), (12, "anon_inode:[vfio-device]"),
                     (13, "anon_inode:[eventfd]"), (14, "socket:[61230]")])
    h.verdict = "READY"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "seed-dpdk-holds", (
        "- Like seed-ready, with no libvirt guest (no `run/libvirt/qemu`, no persistent definitions).\n"
        "- An operator logged in over ssh (sshd session 5088, `-bash` 5100) runs DPDK's testpmd:\n"
        "  pid 5151, uid 0, `comm` `dpdk-testpmd`, cmdline\n"
        "  `dpdk-testpmd -l 0-3 -n 4 -a 0000:03:10.1 -- -i`. Its fds include `/dev/vfio/vfio` (10),\n"
        "  `/dev/vfio/10` (11, 03:10.1's group) and `anon_inode:[vfio-device]` (12), the EAL runtime\n"
        "  files under `/run/dpdk/rte/` and the 1 GiB hugepage `/dev/hugepages/rtemap_0`\n"
        "  (`status`: `VmLck 1048576 kB`, `HugetlbPages 1048576 kB`).\n"
        "- As root it has CAP_IPC_LOCK (`CapEff 000001ffffffffff`), so vfio_iommu_type1 does not\n"
        "  enforce its `Max locked memory` (8388608 bytes, RHEL 9's default).\n"
        "- 03:10.1: `enable` 1, Bus Master and MSI-X enabled, one `vfio-msix[0](0000:03:10.1)`\n"
        "  vector (the PMD's link/mailbox interrupt). 03:10.0 is free (`enable` 0).\n"
        "- Ordinary processes: systemd, sshd, virtlogd, libvirtd, and the session's sshd and bash.\n"),
        "With `--device 0000:03:10.1`: the in-use check fails: the VF is held by process 5151\n"
        "`dpdk-testpmd` (uid 0), found only by the fd scan (fd 11 -> `/dev/vfio/10`, `enable` 1),\n"
        "not by any libvirt guest; a guest given 03:10.1 would fail to start (the group is busy).\n"
        "No memlock finding (not a libvirt guest, and root bypasses the limit). 03:10.0 and every\n"
        "host check pass as in seed-ready.\n")
    return h


def sc_seed_memlock_low(c):
    h = seed_host("seed-memlock-low", corpus=c)
    h.description = "guest db01 (8 GiB) holds 03:10.0 via VFIO with <hard_limit> 4 GiB: Max locked memory 4294967296 < guest memory"
    h.targets = ["0000:03:10.0"]
    hold(h, "0000:03:10.0", 3, guest=True)
    rhel9_daemons(h, extra_logs=[(7, "/var/log/libvirt/qemu/db01.log"), (8, "pipe:[51234]")])
    running_guest(h, name="db01", pid=6262, domid=1, uuid="c2b7e4d1-9f3a-4b6c-8e05-7a1d3f9b2c68",
                  mem_kib=8388608, vcpus=4, bdf="0000:03:10.0", group=9, hard_limit_kib=4194304)
    h.verdict = "NOT READY"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "seed-memlock-low", (
        "- Like seed-guest-holds, with guest `db01` (domain id 1, QEMU pid 6262, user qemu) and no\n"
        "  second definition. Its live and persistent XML have 8388608 KiB of memory and\n"
        "  `<memtune><hard_limit unit='KiB'>4194304</hard_limit></memtune>`.\n"
        "- libvirt sizes a VFIO guest's RLIMIT_MEMLOCK from `<hard_limit>` when one is set, else\n"
        "  memory + 1 GiB: `proc/6262/limits` has Max locked memory 4294967296 / 4294967296\n"
        "  bytes, half of what the guest needs pinned (8589934592 bytes plus ROMs/MMIO).\n"
        "- `proc/6262/status` has `VmLck: 8388608 kB`: the guest RAM is pinned. A fresh start cannot\n"
        "  reach this state (QEMU's first VFIO_IOMMU_MAP_DMA fails with ENOMEM, the kernel logs\n"
        "  `vfio_pin_pages_remote: RLIMIT_MEMLOCK (4294967296) exceeded` and QEMU exits); this is\n"
        "  the state once the limit is in effect on a QEMU that pinned its memory before the limit\n"
        "  was lowered (setrlimit does not check current use). The tree models the brief's state;\n"
        "  the point of the check is the same either way.\n"
        "- 03:10.0 open (`enable` 1, MSI-X vectors `vfio-msix[0..2](0000:03:10.0)`), `/dev/vfio/9`\n"
        "  fd 21 of pid 6262, JSON `-device` in its cmdline.\n"),
        "The memlock check fails for db01 / 03:10.0: locked-memory limit 4294967296 bytes (from\n"
        "`<hard_limit>` 4194304 KiB) is below the guest's 8388608 KiB, so db01 cannot be started\n"
        "again with this definition, and hotplugging another hostdev or memory fails\n"
        "(VFIO_MAP_DMA: Cannot allocate memory). Remedy: remove `<hard_limit>` (libvirt then uses\n"
        "memory + 1 GiB = 9663676416) or raise it above the memory. With `--device 0000:03:10.0`\n"
        "the in-use check also fails (held by db01, pid 6262).\n")
    return h
