#!/usr/bin/env python3
"""Generate one large host tree for the performance benchmark (bench/run.sh).

Usage: tools/mkbighost.py OUT_DIR [--pfs 8] [--vfs-per-pf 256] [--procs 4000]
                                  [--fds 12] [--guest-every 16] [--corpus DIR]

OUT_DIR becomes the host's root (read it with `sriov-doctor check --root OUT_DIR`,
`lspci -A linux-sysfs -O sysfs.path=OUT_DIR/sys/bus/pci`). It is deleted and rewritten.

The tree follows the conventions of the hand-built trees (tests/hosts/README.md),
built and written by the same package, tools/hostgen (the host: hostgen/bench.py):
real device directories under sys/devices with relative sysfs links, binary config
space with real capability chains, root/.sriov-doctor-meta.toml for modes, owners
and device nodes, /proc/PID as procfs lays it out, libvirt's 0600 state and
persistent XML.

The host: a dual-socket Intel server running RHEL 9.4 (64 logical CPUs, two NUMA
nodes), the seed hosts' DMAR (Supermicro X8DTT from the corpus: one DRHD with
INCLUDE_PCI_ALL, so one remapping unit dmar0, and interrupt remapping) and their
ICH10 platform devices (host bridge 00:00.0, UHCI 00:1a.0/00:1d.0, LPC 00:1f.0,
AHCI 00:1f.2, which the DMAR's RMRRs name), IOMMU on (intel_iommu=on, DMA-FQ).
Each of the --pfs Intel E810-C PFs (8086:1592, subsystem 8086:0002, driver ice)
sits alone on a root port (8086:2030..2033) of one socket's root bus: socket 0 is
root bus 0x16 (ports 16:00.0.. -> buses 0x17, 0x19, ...), socket 1 is root bus 0x84
(ports 84:00.0.. -> buses 0x85, 0x87, ...). Each PF has sriov_totalvfs =
sriov_numvfs = --vfs-per-pf (VF 8086:1889). The corpus has no E810 `lspci -vvv`
(its dpdk_playground capture shows only the X550's SR-IOV capability), so the
SR-IOV capability uses First VF Offset 16, VF Stride 1: VF i of PF BB:00.0 has
routing id BB:00.0 + 16 + i, i.e. BB:02.0 .. BB:1f.7 and then (i >= 240) on the
next bus, BB+1:00.0 ..; the root port's subordinate bus covers it and, as Linux
does for VFs on a virtual bus, those VFs sit in the same parent bridge directory
as their PF. Every VF is in its own IOMMU group (created after the boot scan, so
numbered after the boot devices).

VF drivers, by VF index i within its PF: i % 4 in (0, 1) vfio-pci, 2 iavf (with a
net/ interface, link down), 3 unbound. Every --guest-every-th vfio-pci VF (counted
over the whole host, the first one included) is held by a running libvirt guest
guestN (N = 1, 2, ...): run/libvirt/qemu/guestN.{xml,pid}, etc/libvirt/qemu/guestN.xml,
a QEMU process with the JSON -device form and /dev/vfio/<group> open; the VF has
enable 1, Bus Master and MSI-X on, three vfio-msix vectors. vfio-pci VFs not held
have enable 0. /dev/vfio/N exists (in the metadata) for every group with a vfio-pci
device.

Besides systemd, sshd, virtlogd and libvirtd, --procs ordinary processes
(/proc/PID/{cmdline,comm,status,limits,fd/}) with about --fds fd links each
(/dev/null, sockets, pipes, regular files, anon inodes). Deterministic: the same
arguments give the same tree, byte for byte. Python 3 standard library only.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hostgen import DEFAULT_CORPUS  # noqa: E402
from hostgen.acpi import SEED_DMAR  # noqa: E402
from hostgen.bench import big_host  # noqa: E402
from hostgen.host import write_root  # noqa: E402


def main():
    """Check the arguments, build the host and write its root to OUT_DIR."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--pfs", type=int, default=8)
    ap.add_argument("--vfs-per-pf", type=int, default=256)
    ap.add_argument("--procs", type=int, default=4000)
    ap.add_argument("--fds", type=int, default=12)
    ap.add_argument("--guest-every", type=int, default=16)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    a = ap.parse_args()
    if not 1 <= a.pfs <= 16:
        sys.exit("--pfs must be 1..16")
    if not 0 <= a.vfs_per_pf <= 256:
        sys.exit("--vfs-per-pf must be 0..256 (ICE_MAX_SRIOV_VFS)")
    if a.guest_every < 1:
        sys.exit("--guest-every must be >= 1")
    if not (a.corpus / SEED_DMAR).exists():
        sys.exit("corpus not found at %s (use --corpus)" % a.corpus)
    t0 = time.perf_counter()
    h = big_host(a.corpus, a.pfs, a.vfs_per_pf, a.procs, a.fds, a.guest_every)
    write_root(h, a.out)
    nvf = sum(1 for d in h.devs if d.physfn)
    print("wrote %s: %d PCI devices (%d PFs, %d VFs), %d guests, %d processes in %.1f s"
          % (a.out, len(h.devs), a.pfs, nvf,
             sum(1 for f in h.files if f.startswith("run/libvirt/qemu/") and f.endswith(".pid")),
             sum(1 for f in h.files if f.startswith("proc/") and f.endswith("/comm")),
             time.perf_counter() - t0))


if __name__ == "__main__":
    main()
