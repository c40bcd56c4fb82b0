"""hostgen: the generator of the test hosts (tools/mkhosts.py) and of the benchmark's (mkbighost.py).

A tree is a small but faithful copy of what a Linux virtualization host shows
under /proc, /sys, /etc, /lib/modules, /boot and /dev: only the files that
sriov-doctor reads, laid out exactly as the kernel lays them out (real device
directories under sys/devices, relative symlinks counted from the real
directory, binary PCI config space with real capability chains). Python 3
standard library only.

The shared writers:
  tree        files, symlinks, the metadata file, .gitkeep
  host        Host (what a tree is written from), write_root, render
  pcicfg      config space: header, BARs, capabilities, VF config space
  pci         Dev, the sysfs device directories, IOMMU groups, /dev/vfio
  acpi        DMAR/IVRS from the corpus: RMRRs, remapping units, XMAR
  kernel      /proc/modules, sys/module, drivers, lib/modules, boot/config
  interrupts  /proc/interrupts (5.14-6.1, 3.10, Xen dom0)
  cpuinfo     /proc/cpuinfo of the hosts' processors
  procs       /proc/PID, and the daemons of a RHEL 9 host
Distributions and platforms: distro (os-release, users, GRUB), rhel9, rhel7,
xen (Debian dom0 under Xen), libvirt (qemu.conf, domain and status XML),
guests (running QEMU guests, VFIO holders), seedhost (the seed host, the base
of most scenarios), bench (the benchmark's big host). readme writes a test
host's README. scenarios/ has one module per scenario or family of scenarios,
with its builder and its expectations; scenarios.SCENARIOS lists them.
"""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HOSTS = REPO / "tests" / "hosts"      # where mkhosts.py writes the test hosts
DEFAULT_CORPUS = REPO / "corpus"      # the ACPI tables (corpus/acpi/...)
