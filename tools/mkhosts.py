#!/usr/bin/env python3
"""Generate the hand-built host trees under tests/hosts/<scenario>/.

Each scenario is a small but faithful copy of what a Linux virtualization host
shows under /proc, /sys, /etc, /lib/modules, /boot and /dev: only the files that
sriov-doctor reads, laid out exactly as the kernel lays them out (real device
directories under sys/devices, relative symlinks counted from the real
directory, binary PCI config space with real capability chains).

Usage: tools/mkhosts.py [--corpus DIR] [--lspci] [SCENARIO ...]

The generator is the package tools/hostgen (shared writers, distribution and
platform helpers); each scenario's builder and expectations are a module under
tools/hostgen/scenarios/, listed in tools/hostgen/scenarios/__init__.py.

Python 3 standard library only. Idempotent: for every scenario it owns, the
script deletes tests/hosts/<scenario>/root and rewrites it together with
README.md and scenario.toml. lspci-nnk.txt is left alone (regenerate it with
`tools/mkhosts.py --lspci`, which runs lspci from pciutils over each tree).

Git keeps neither owners, modes nor device nodes, so every tree carries
root/.sriov-doctor-meta.toml. Git does not keep empty directories either: an
empty directory that matters (sys/class/iommu, sys/kernel/iommu_groups when the
IOMMU is off) holds a single empty file named `.gitkeep`, which is not part of
the host and must be ignored by readers of the tree.
"""

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hostgen import DEFAULT_CORPUS, HOSTS  # noqa: E402
from hostgen.acpi import SEED_DMAR  # noqa: E402
from hostgen.host import render  # noqa: E402
from hostgen.scenarios import SCENARIOS  # noqa: E402


def run_lspci(name):
    """tests/hosts/NAME/lspci-nnk.txt: `lspci -nnk` over the tree's sys/bus/pci."""
    base = HOSTS / name
    path = base / "root" / "sys" / "bus" / "pci"
    out = subprocess.run(["lspci", "-A", "linux-sysfs", "-O", "sysfs.path=%s" % path, "-nnk"],
                         check=True, capture_output=True, text=True).stdout
    (base / "lspci-nnk.txt").write_text(out)


def main():
    """Write the scenarios named (all by default)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--lspci", action="store_true", help="also write lspci-nnk.txt (needs pciutils)")
    ap.add_argument("scenarios", nargs="*")
    a = ap.parse_args()
    names = a.scenarios or list(SCENARIOS)
    for n in names:
        if n not in SCENARIOS:
            sys.exit("unknown scenario %s (known: %s)" % (n, ", ".join(SCENARIOS)))
    if not (a.corpus / SEED_DMAR).exists():
        sys.exit("corpus not found at %s (use --corpus)" % a.corpus)
    for n in names:
        h = SCENARIOS[n](a.corpus)
        h.name = n
        (HOSTS / n).mkdir(parents=True, exist_ok=True)
        render(h, HOSTS / n / "root")
        if a.lspci:
            run_lspci(n)
        print("wrote tests/hosts/%s" % n)


if __name__ == "__main__":
    main()
