"""A host as a scenario describes it, and the writer that turns it into a tree.

A builder fills a Host: its PCI functions (Dev), the files it has besides them
(`files`: /proc, /etc, /lib/modules, /boot and the odd sysfs file, by path
relative to the root), ACPI tables, loaded and built-in modules, registered
drivers, IOMMU units and groups. write_root writes the root directory from it
(tree.Tree); render also writes the README.md and scenario.toml that sit next
to a test host's root.
"""

import shutil

from .kernel import write_modules
from .pci import iomem_text, write_devices
from .tree import Tree


class Host:
    """Everything a tree is written from. Assign `devs` as a whole list (in the
    order the kernel scanned or created the functions): dev() looks them up by bdf."""

    def __init__(self, name):
        self.name = name
        self.description = ""
        self.targets = []
        # Expected `check` verdicts (READY, "READY, with warnings", NOT READY,
        # INCOMPLETE), without and with the targets.
        self.verdict = None
        self.verdict_with_devices = None
        self.readme = ""
        self.devs = []
        self.files = {}           # rel path -> content
        self.acpi = {}            # signature -> bytes
        self.acpi_credit = []     # (table name in tree, corpus file)
        self.modules = []         # [(name, size, [users])], most recent first
        self.builtin_modules = {}  # sysfs module dirs of built-ins: name -> {param: value}
        self.module_params = {}   # loaded module name -> {param: value}
        self.drivers = {}         # driver name -> module name or None (built-in, no link)
        self.iommu_units = []     # [(name, real dir rel, pci parent bdf or None)]
        self.group_type = "DMA-FQ"
        self.resv = {}            # group -> extra reserved region lines
        self.vfio_loaded = False
        self.resv_all = []        # reserved regions every group has
        self.unit_for = None      # device -> IOMMU unit name
        self.hw_text = ""
        self.irq_remap = None     # interrupts remapped (Intel): the IR- chips of /proc/interrupts
        self.first_msix_irq = 32  # first irq number of the MSI-X vectors drivers request
        # What holds ranges inside a device's BARs in /proc/iomem besides its own
        # driver: {bdf: [(start, size, holder)]} (the firmware's console: "efifb").
        self.iomem_claims = {}
        self.post_render = []     # callables(tree) run after the generic tree is written

    @property
    def devs(self):
        """The PCI functions, in scan order."""
        return self._devs

    @devs.setter
    def devs(self, devs):
        self._devs = devs
        self._by_bdf = {d.bdf: d for d in devs}

    def dev(self, bdf):
        """The function at bdf (KeyError if there is none)."""
        return self._by_bdf[bdf]

    def devdir(self, d):
        """d's real directory: sys/devices/pciDDDD:BB/ then one directory per bridge."""
        parts = []
        cur = d
        while True:
            parts.append(cur.bdf)
            if not cur.parent:
                break
            cur = self.dev(cur.parent)
        # the host bridge directory is named after the root bus: pci<domain>:<root bus>
        return "sys/devices/pci%s/%s" % (cur.domain_bus, "/".join(reversed(parts)))


def write_root(host, out):
    """Delete out and write host's root directory there."""
    if out.exists():
        shutil.rmtree(out)
    t = Tree(out)
    for rel, content in sorted(host.files.items()):
        t.file(rel, content)
    for sig, data in sorted(host.acpi.items()):
        t.file("sys/firmware/acpi/tables/%s" % sig, data, meta=dict(mode="0400", uid=0, gid=0))
    write_modules(t, host)
    write_devices(t, host)
    t.file("proc/iomem", iomem_text(host))
    # directories that exist (empty) on every host
    t.empty_dir("sys/class/iommu")
    t.empty_dir("sys/kernel/iommu_groups")
    for hook in host.post_render:
        hook(t)
    t.write_meta()


def render(host, out):
    """A test host: the root at out, README.md and scenario.toml next to it."""
    write_root(host, out)
    base = out.parent
    (base / "README.md").write_text(host.readme)
    tdevs = ", ".join('"%s"' % d for d in host.targets)
    # The verdicts `check` must give, without and with the targets
    # (tests/it/hosts.rs holds every host to them).
    assert host.verdict, "%s: no expected verdict" % host.name
    assert bool(host.targets) == bool(host.verdict_with_devices), host.name
    verdicts = 'verdict = "%s"\n' % host.verdict
    if host.targets:
        verdicts += 'verdict_with_devices = "%s"\n' % host.verdict_with_devices
    (base / "scenario.toml").write_text(
        'description = "%s"\ndevices = [%s]\n%s'
        % (host.description.replace('"', '\\"'), tdevs, verdicts))
