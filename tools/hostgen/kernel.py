"""The kernel's module files: /proc/modules, sys/module, the PCI drivers, lib/modules, boot/config.

A host lists its loaded modules as (name, size, [users]) entries, most recently
loaded first, optionally with a fourth item: references held by open files
(refs). write_modules turns them into /proc/modules and sys/module/NAME
(initstate, refcnt, holders/, parameters/), writes the parameters of built-in
modules that have some, and registers the PCI drivers under
sys/bus/pci/drivers with their module links. lib_modules writes depmod's
modules.builtin, modules.dep and modules.alias; boot_config the kernel's
configuration file.
"""

# sys/module/NAME/parameters of the 5.14/5.15 kernels, all at their defaults
DEFAULT_PARAMS = {
    "vfio": {"enable_unsafe_noiommu_mode": "N"},
    "vfio_pci": {"disable_denylist": "N", "disable_idle_d3": "N", "disable_vga": "N",
                 "enable_sriov": "N", "nointxmask": "N"},
    "vfio_pci_core": {"disable_idle_d3": "N", "disable_vga": "N", "nointxmask": "N"},
    "vfio_iommu_type1": {"allow_unsafe_interrupts": "N", "disable_hugepages": "N",
                         "dma_entry_limit": "65535"},
    "kvm": {"halt_poll_ns": "200000", "ignore_msrs": "N"},
}


def default_params(*names):
    """{module: {parameter: value}} of these modules, fresh dicts a host may change."""
    return {n: dict(DEFAULT_PARAMS[n]) for n in names}


def module_list(names_users, sizes):
    """/proc/modules entries from (name, [users]) pairs and a name -> size table."""
    return [(n, sizes[n], u) for n, u in names_users]


def refs(h, extra):
    """Module references held by open files (a VM fd pins kvm_intel; an open VFIO
    container, group and device pin vfio, vfio_iommu_type1 and vfio_pci)."""
    h.modules = [(m[0], m[1], m[2], extra.get(m[0], 0)) for m in h.modules]


def write_modules(t, host):
    """/proc/modules, sys/module and sys/bus/pci/drivers of host into tree t."""
    lines = []
    for name, size, users, *refs in host.modules:
        deps = "".join(u + "," for u in users) if users else "-"
        lines.append("%s %d %d %s Live 0x0000000000000000" % (name, size, len(users) + sum(refs), deps))
    t.file("proc/modules", "\n".join(lines) + ("\n" if lines else ""))
    for name, size, users, *refs in host.modules:
        base = "sys/module/%s" % name
        t.file(base + "/initstate", "live\n")
        t.file(base + "/refcnt", "%d\n" % (len(users) + sum(refs)))
        for u in users:
            t.link(base + "/holders/" + u, "sys/module/" + u)
        for p, v in sorted(host.module_params.get(name, {}).items()):
            t.file(base + "/parameters/" + p, v + "\n")
    for name, params in sorted(host.builtin_modules.items()):
        for p, v in sorted(params.items()):
            t.file("sys/module/%s/parameters/%s" % (name, p), v + "\n")
    for drv, mod in sorted(host.drivers.items()):
        base = "sys/bus/pci/drivers/%s" % drv
        for f in ("bind", "unbind", "new_id", "remove_id", "uevent"):
            t.file(base + "/" + f, "")
        if mod:
            t.link(base + "/module", "sys/module/" + mod)
            t.link("sys/module/%s/drivers/pci:%s" % (mod, drv), base)


def pci_aliases(module, vendor, *devices):
    """modules.alias lines matching these PCI ids to module."""
    return ["alias pci:v%08Xd%08Xsv*sd*bc*sc*i* %s" % (vendor, d, module) for d in devices]


def dep_text(ext, entries):
    """modules.dep lines from "path: dep dep" entries whose paths are relative to
    kernel/ and have no extension (ext: ".ko" or ".ko.xz")."""
    out = []
    for entry in entries:
        mod, _, deps = entry.partition(":")
        out.append("kernel/%s%s:" % (mod, ext) + "".join(" kernel/%s%s" % (d, ext) for d in deps.split()) + "\n")
    return "".join(out)


def lib_modules(h, release, ext, *, builtin, dep, alias):
    """lib/modules/RELEASE/modules.{builtin,dep,alias}: builtin lists module paths
    relative to kernel/ without .ko, dep as dep_text takes it, alias whole lines."""
    base = "lib/modules/%s/" % release
    h.files[base + "modules.builtin"] = "".join("kernel/%s.ko\n" % m for m in builtin)
    h.files[base + "modules.dep"] = dep_text(ext, dep)
    h.files[base + "modules.alias"] = ("# Aliases extracted from modules themselves.\n"
                                       + "".join(a + "\n" for a in alias))


def more_lib_modules(h, release, ext, *, dep, alias):
    """Append to what lib_modules wrote: a host's own drivers on a distribution's kernel."""
    base = "lib/modules/%s/" % release
    h.files[base + "modules.dep"] += dep_text(ext, dep)
    h.files[base + "modules.alias"] += "".join(a + "\n" for a in alias)


def boot_config(arch, version, options):
    """boot/config-RELEASE as the kernel build writes it, with these option lines."""
    return ("#\n# Automatically generated file; DO NOT EDIT.\n# Linux/%s %s Kernel Configuration\n#\n"
            % (arch, version)) + options
