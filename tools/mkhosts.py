#!/usr/bin/env python3
"""Generate the hand-built host trees under tests/hosts/<scenario>/.

Each scenario is a small but faithful copy of what a Linux virtualization host
shows under /proc, /sys, /etc, /lib/modules, /boot and /dev: only the files that
sriov-doctor reads, laid out exactly as the kernel lays them out (real device
directories under sys/devices, relative symlinks counted from the real
directory, binary PCI config space with real capability chains).

Usage: tools/mkhosts.py [--corpus DIR] [SCENARIO ...]

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
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HOSTS = REPO / "tests" / "hosts"
DEFAULT_CORPUS = REPO / "corpus"

SEED_DMAR = "acpi/dmar/linuxhw_Server_Supermicro_X8DTT_CE92DF29C87C.bin"
NOIR_DMAR = "acpi/dmar/linuxhw_Desktop_Dell_Precision-WorkStation-T3500_2148E87727EE.bin"
HP_DMAR = "acpi/dmar/linuxhw_Server_HP_ProLiant-DL380e-Gen8_CB05571909C8.bin"
AMD_IVRS = "acpi/ivrs/linuxhw_Desktop_ASUS_ROG-ZENITH-II-EXTREME-ALPHA_BF6A37F4A7D0.bin"

VFIO_GROUP_MAJOR = 243  # dynamic char major of the vfio group class; one value everywhere

# --------------------------------------------------------------------------
# PCI config space
# --------------------------------------------------------------------------

# sysfs resource flags (include/linux/ioport.h)
IORESOURCE_IO = 0x100
IORESOURCE_MEM = 0x200
IORESOURCE_PREFETCH = 0x2000
IORESOURCE_READONLY = 0x4000
IORESOURCE_SIZEALIGN = 0x40000
IORESOURCE_MEM_64 = 0x100000
F_IO = IORESOURCE_IO | IORESOURCE_SIZEALIGN | 0x1          # 0x40101
F_MEM32 = IORESOURCE_MEM | IORESOURCE_SIZEALIGN            # 0x40200
F_MEM64 = F_MEM32 | IORESOURCE_MEM_64 | 0x4                # 0x140204
F_PREF64 = F_MEM64 | IORESOURCE_PREFETCH | 0x8             # 0x14220c
F_ROM = IORESOURCE_MEM | IORESOURCE_PREFETCH | IORESOURCE_READONLY | IORESOURCE_SIZEALIGN  # 0x46200
F_BRIDGE_IO = IORESOURCE_IO                                # 0x100
F_BRIDGE_MEM = IORESOURCE_MEM                              # 0x200
F_BRIDGE_PREF64 = IORESOURCE_MEM | IORESOURCE_PREFETCH | IORESOURCE_MEM_64  # 0x102200


class Bar:
    """A BAR: kind is 'io', 'mem32', 'mem64', 'pref64'."""

    def __init__(self, kind, base, size):
        self.kind, self.base, self.size = kind, base, size

    @property
    def flags(self):
        return {"io": F_IO, "mem32": F_MEM32, "mem64": F_MEM64, "pref64": F_PREF64}[self.kind]

    @property
    def low_bits(self):
        return {"io": 0x1, "mem32": 0x0, "mem64": 0x4, "pref64": 0xC}[self.kind]

    @property
    def slots(self):
        return 2 if self.kind in ("mem64", "pref64") else 1


class Config:
    def __init__(self, size):
        self.b = bytearray(size)

    def w8(self, off, v):
        self.b[off] = v & 0xFF

    def w16(self, off, v):
        struct.pack_into("<H", self.b, off, v & 0xFFFF)

    def w32(self, off, v):
        struct.pack_into("<I", self.b, off, v & 0xFFFFFFFF)

    def put(self, off, data):
        self.b[off:off + len(data)] = data


def le16(v):
    return struct.pack("<H", v & 0xFFFF)


def le32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


# --- standard capabilities: each returns the bytes after the 2-byte (id, next) header


def cap_pm(pmc, pmcsr=0x0008):
    return le16(pmc) + le16(pmcsr) + b"\0\0"


def cap_msi(ctrl, addr=0, data=0):
    """ctrl bit7 = 64-bit, bit8 = per-vector masking."""
    body = le16(ctrl)
    if ctrl & 0x80:
        body += le32(addr & 0xFFFFFFFF) + le32(addr >> 32) + le16(data) + b"\0\0"
    else:
        body += le32(addr) + le16(data) + b"\0\0"
    if ctrl & 0x100:
        body += le32(0) + le32(0)
    return body


def cap_msix(count, enabled, table_bir, table_off, pba_bir, pba_off):
    ctrl = (count - 1) | (0x8000 if enabled else 0)
    return le16(ctrl) + le32(table_off | table_bir) + le32(pba_off | pba_bir)


def cap_ssvid(svid, sdid):
    return b"\0\0" + le16(svid) + le16(sdid)


def cap_vendor(length, payload=b""):
    body = bytes([length]) + payload
    return body.ljust(length - 2, b"\0")


def cap_pcie(port_type, devcap, devctl, lnkcap, lnksta, lnkctl=0x0040, sltcap=0,
             slot=False, devcap2=0x1F, devctl2=0, lnkcap2=0, lnksta2=0, sltsta=0,
             rootcap=0, devsta=0, lnkctl2=0):
    flags = 0x0002 | (port_type << 4) | (0x100 if slot else 0)
    body = le16(flags) + le32(devcap) + le16(devctl) + le16(devsta)
    body += le32(lnkcap) + le16(lnkctl) + le16(lnksta)
    body += le32(sltcap) + le16(0) + le16(sltsta)
    body += le16(0) + le16(rootcap) + le32(0)               # root ctl/cap/status
    body += le32(devcap2) + le16(devctl2) + le16(0)
    body += le32(lnkcap2) + le16(lnkctl2) + le16(lnksta2)
    body += le32(0) + le16(0) + le16(0)                     # slot cap2/ctl2/sta2
    return body


# --- extended capabilities: each returns the bytes after the 4-byte header


def ecap_aer(root=False):
    body = le32(0)            # uncorrectable status
    body += le32(0)           # uncorrectable mask
    body += le32(0x00062030)  # uncorrectable severity (power-on default)
    body += le32(0)           # correctable status
    body += le32(0x00002000)  # correctable mask: AdvNonFatalErr
    body += le32(0x000000A0)  # AER cap/ctl: ECRC gen/check capable
    body += b"\0" * 16        # header log
    if root:
        body += le32(0) + le32(0) + le32(0)  # root cmd, root status, error source ids
    return body


def ecap_dsn(serial):
    return le32(serial & 0xFFFFFFFF) + le32(serial >> 32)


def ecap_ari(next_fn):
    return le16(next_fn << 8) + le16(0)


def ecap_acs(cap, ctl):
    return le16(cap) + le16(ctl)


def ecap_sriov(initial, total, num, fdl, offset, stride, vf_device, vf_bars,
               supported_pgsz=0x553, ari_hierarchy=False):
    ctrl = 0
    if num:
        ctrl |= 0x1 | 0x8  # VF Enable, VF MSE
    if ari_hierarchy:
        ctrl |= 0x10
    body = le32(0)                                  # SR-IOV capabilities
    body += le16(ctrl) + le16(0)                    # control, status
    body += le16(initial) + le16(total) + le16(num)
    body += bytes([fdl, 0])                         # function dependency link, rsvd
    body += le16(offset) + le16(stride)
    body += le16(0) + le16(vf_device)               # rsvd, VF device id
    body += le32(supported_pgsz) + le32(1)          # supported / system page size (4K)
    regs = [0] * 6
    i = 0
    for bar in vf_bars:
        if bar is None:
            i += 1
            continue
        regs[i] = (bar.base & 0xFFFFFFF0) | bar.low_bits
        if bar.slots == 2:
            regs[i + 1] = bar.base >> 32
        i += bar.slots
    for r in regs:
        body += le32(r)
    body += le32(0)                                 # VF migration state array
    return body


def build_config(*, vendor, device, cls, rev, command, status=0x0010, header=0x00,
                 multifunction=False, bars=(), svid=0, sdid=0, int_line=0, int_pin=0,
                 caps=(), ecaps=(), pcie=True, bridge=None, cacheline=0x10, latency=0,
                 rom=0):
    """caps: [(offset, id, body)], ecaps: [(offset, id, version, body)]."""
    c = Config(4096 if pcie else 256)
    c.w16(0x00, vendor)
    c.w16(0x02, device)
    c.w16(0x04, command)
    c.w16(0x06, status if caps else status & ~0x10)
    c.w8(0x08, rev)
    c.w8(0x09, cls & 0xFF)
    c.w8(0x0A, (cls >> 8) & 0xFF)
    c.w8(0x0B, (cls >> 16) & 0xFF)
    c.w8(0x0C, cacheline)
    c.w8(0x0D, latency)
    c.w8(0x0E, header | (0x80 if multifunction else 0))
    if header == 0x00:
        off = 0x10
        for bar in bars:
            if bar is None:
                off += 4
                continue
            if bar.kind == "io":
                c.w32(off, (bar.base & 0xFFFFFFFC) | 0x1)
            else:
                c.w32(off, (bar.base & 0xFFFFFFF0) | bar.low_bits)
                if bar.slots == 2:
                    c.w32(off + 4, bar.base >> 32)
            off += 4 * bar.slots
        c.w16(0x2C, svid)
        c.w16(0x2E, sdid)
        c.w32(0x30, rom)
    else:
        b = bridge
        c.w8(0x18, b["primary"])
        c.w8(0x19, b["secondary"])
        c.w8(0x1A, b["subordinate"])
        c.w8(0x1B, 0)
        io_base, io_limit = b.get("io", (0xF000, 0x0FFF))
        c.w8(0x1C, ((io_base >> 8) & 0xF0) | 0x1)
        c.w8(0x1D, ((io_limit >> 8) & 0xF0) | 0x1)
        c.w16(0x1E, 0x0000)
        mem_base, mem_limit = b.get("mem", (0xFFF00000, 0x000FFFFF))
        c.w16(0x20, (mem_base >> 16) & 0xFFF0)
        c.w16(0x22, (mem_limit >> 16) & 0xFFF0)
        pref_base, pref_limit = b.get("pref", (0xFFF00000, 0x000FFFFF))
        c.w16(0x24, ((pref_base >> 16) & 0xFFF0) | 0x1)
        c.w16(0x26, ((pref_limit >> 16) & 0xFFF0) | 0x1)
        c.w32(0x28, pref_base >> 32)
        c.w32(0x2C, pref_limit >> 32)
        c.w16(0x30, 0)
        c.w16(0x32, 0)
        c.w16(0x3E, b.get("control", 0x0000))
    c.w8(0x3C, int_line)
    c.w8(0x3D, int_pin)
    caps = sorted(caps, key=lambda t: t[0])
    if caps:
        c.w8(0x34, caps[0][0])
    for i, (off, cid, body) in enumerate(caps):
        nxt = caps[i + 1][0] if i + 1 < len(caps) else 0
        c.w8(off, cid)
        c.w8(off + 1, nxt)
        c.put(off + 2, body)
    ecaps = sorted(ecaps, key=lambda t: t[0])
    for i, (off, cid, ver, body) in enumerate(ecaps):
        nxt = ecaps[i + 1][0] if i + 1 < len(ecaps) else 0
        c.w32(off, cid | (ver << 16) | (nxt << 20))
        c.put(off + 4, body)
    return bytes(c.b)


# --------------------------------------------------------------------------
# Devices
# --------------------------------------------------------------------------


class Dev:
    """One PCI function as the kernel shows it."""

    def __init__(self, bdf, vendor, device, cls, rev, config, *, parent=None,
                 svid=0, sdid=0, irq=0, driver=None, bars=(), iov_bars=(),
                 bridge_windows=None, enable=None, group=None, net=None,
                 sriov=None, physfn=None, numa=-1, cpulist="0-15", sysfs_ids=None):
        self.bdf = bdf
        self.vendor, self.device, self.cls, self.rev = vendor, device, cls, rev
        self.config = config
        self.parent = parent          # bdf of the upstream bridge, None = root bus
        self.svid, self.sdid = svid, sdid
        self.irq = irq
        self.driver = driver
        self.bars = list(bars)
        self.iov_bars = list(iov_bars)
        self.bridge_windows = bridge_windows
        # pci_enable_device() is called by drivers that drive the device; vfio-pci only
        # enables it when a user opens it, pci-stub and pciback leave it disabled.
        if enable is None:
            enable = 1 if driver and driver not in ("vfio-pci", "pci-stub", "pciback") else 0
        self.enable = enable
        self.group = group
        self.net = net
        self.sriov = sriov            # dict for PFs
        self.physfn = physfn          # bdf for VFs
        self.numa = numa
        self.cpulist = cpulist
        self.virtfns = []
        self.igb_queues = None        # queue pairs igb runs on a PF (MSI-X vectors - 1)

    @property
    def domain_bus(self):
        return self.bdf[:7]

    @property
    def is_bridge(self):
        return (self.cls >> 8) == 0x0604


def resource_text(dev):
    rows = []
    for bar in dev.bars:
        if bar is None:
            rows.append((0, 0, 0))
            continue
        rows.append((bar.base, bar.base + bar.size - 1, bar.flags))
        if bar.slots == 2:
            rows.append((0, 0, 0))
    rows = rows[:6] + [(0, 0, 0)] * (6 - len(rows[:6]))
    rows.append((0, 0, 0))  # ROM
    if dev.is_bridge:
        rows += [(0, 0, 0)] * 6  # IOV slots (unused on bridges)
        for w in dev.bridge_windows or []:
            rows.append(w)
        rows += [(0, 0, 0)] * (17 - len(rows))
    else:
        iov = []
        for bar in dev.iov_bars:
            if bar is None:
                iov.append((0, 0, 0))
                continue
            iov.append((bar.base, bar.base + bar.size - 1, bar.flags))
            if bar.slots == 2:
                iov.append((0, 0, 0))
        iov = iov[:6] + [(0, 0, 0)] * (6 - len(iov[:6]))
        rows += iov
    return "".join("0x%016x 0x%016x 0x%016x\n" % r for r in rows)


# --------------------------------------------------------------------------
# Tree writer
# --------------------------------------------------------------------------


class Tree:
    def __init__(self, root):
        self.root = Path(root)
        self.meta = []

    def p(self, rel):
        return self.root / rel

    def file(self, rel, content="", meta=None):
        path = self.p(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        path.write_bytes(data)
        if meta:
            self.meta.append(dict(path=rel, **meta))

    def link(self, rel, target_rel):
        """Symlink at rel pointing to target_rel (both relative to root); the
        link text is the shortest relative path, as sysfs writes it."""
        path = self.p(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = os.path.relpath(target_rel, os.path.dirname(rel))
        if path.is_symlink() or path.exists():
            path.unlink()
        os.symlink(text, path)

    def abs_link(self, rel, text):
        path = self.p(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(text, path)

    def empty_dir(self, rel):
        self.p(rel).mkdir(parents=True, exist_ok=True)
        if not any(self.p(rel).iterdir()):
            (self.p(rel) / ".gitkeep").write_bytes(b"")

    def chardev(self, rel, major, minor, mode, uid=0, gid=0):
        self.file(rel, b"", meta=dict(mode=mode, uid=uid, gid=gid, type="char",
                                      major=major, minor=minor))

    def write_meta(self):
        lines = ["# Metadata git cannot keep (see tests/hosts/README.md).",
                 "# Files without an entry: uid 0, gid 0, git's mode.", ""]
        for e in sorted(self.meta, key=lambda e: e["path"]):
            lines.append("[[entry]]")
            lines.append('path = "%s"' % e["path"])
            lines.append('mode = "%s"' % e["mode"])
            lines.append("uid = %d" % e.get("uid", 0))
            lines.append("gid = %d" % e.get("gid", 0))
            if "type" in e:
                lines.append('type = "%s"' % e["type"])
                lines.append("major = %d" % e["major"])
                lines.append("minor = %d" % e["minor"])
            lines.append("")
        (self.root / ".sriov-doctor-meta.toml").write_text("\n".join(lines))


# --------------------------------------------------------------------------
# Host description
# --------------------------------------------------------------------------


class Host:
    def __init__(self, name):
        self.name = name
        self.description = ""
        self.targets = []
        self.readme = ""
        self.devs = []
        self.files = {}           # rel path -> content
        self.acpi = {}            # signature -> bytes
        self.acpi_credit = []     # (table name in tree, corpus file)
        self.modules = []         # [(name, size, [users])], most recent first
        self.builtin_modules = {} # sysfs module dirs of built-ins: name -> {param: value}
        self.module_params = {}   # loaded module name -> {param: value}
        self.drivers = {}         # driver name -> module name or None (built-in, no link)
        self.iommu = None         # None, "intel", "amd"
        self.iommu_units = []     # [(name, real dir rel, pci parent bdf or None)]
        self.group_type = "DMA-FQ"
        self.resv = {}            # group -> extra reserved region lines
        self.vfio_loaded = False
        self.extra_links = {}
        self.resv_all = []        # reserved regions every group has
        self.unit_for = None      # device -> IOMMU unit name
        self.hw_text = ""
        self.first_msix_irq = 32  # first irq number of the MSI-X vectors drivers request
        self.post_render = []     # callables(tree) run after the generic tree is written

    def dev(self, bdf):
        for d in self.devs:
            if d.bdf == bdf:
                return d
        raise KeyError(bdf)

    def devdir(self, d):
        parts = []
        cur = d
        while True:
            parts.append(cur.bdf)
            if not cur.parent:
                break
            cur = self.dev(cur.parent)
        # the host bridge directory is named after the root bus: pci<domain>:<root bus>
        return "sys/devices/pci%s/%s" % (cur.domain_bus, "/".join(reversed(parts)))


def render(host, out):
    if out.exists():
        shutil.rmtree(out)
    t = Tree(out)
    for rel, content in sorted(host.files.items()):
        t.file(rel, content)

    # ACPI
    for sig, data in sorted(host.acpi.items()):
        t.file("sys/firmware/acpi/tables/%s" % sig, data,
               meta=dict(mode="0400", uid=0, gid=0))

    # modules
    # an entry is (name, size, users) or (name, size, users, references held by open files)
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

    # drivers
    for drv, mod in sorted(host.drivers.items()):
        base = "sys/bus/pci/drivers/%s" % drv
        for f in ("bind", "unbind", "new_id", "remove_id", "uevent"):
            t.file(base + "/" + f, "")
        if mod:
            t.link(base + "/module", "sys/module/" + mod)
            t.link("sys/module/%s/drivers/pci:%s" % (mod, drv), base)

    # IOMMU units
    unit_dir = {}
    for name, real, _ in host.iommu_units:
        unit_dir[name] = real
        t.link("sys/class/iommu/" + name, real)

    # PCI devices
    groups = {}
    for d in host.devs:
        dd = host.devdir(d)
        t.link("sys/bus/pci/devices/" + d.bdf, dd)
        t.file(dd + "/vendor", "0x%04x\n" % d.vendor)
        t.file(dd + "/device", "0x%04x\n" % d.device)
        t.file(dd + "/subsystem_vendor", "0x%04x\n" % d.svid)
        t.file(dd + "/subsystem_device", "0x%04x\n" % d.sdid)
        t.file(dd + "/class", "0x%06x\n" % d.cls)
        t.file(dd + "/revision", "0x%02x\n" % d.rev)
        t.file(dd + "/irq", "%d\n" % d.irq)
        t.file(dd + "/numa_node", "%d\n" % d.numa)
        t.file(dd + "/local_cpulist", d.cpulist + "\n")
        t.file(dd + "/modalias", "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n" % (
            d.vendor, d.device, d.svid, d.sdid, d.cls >> 16, (d.cls >> 8) & 0xFF, d.cls & 0xFF))
        t.file(dd + "/enable", "%d\n" % d.enable)
        t.file(dd + "/driver_override", "(null)\n")
        t.file(dd + "/resource", resource_text(d))
        t.file(dd + "/config", d.config, meta=dict(mode="0644", uid=0, gid=0))
        if d.is_bridge:
            cfg = d.config
            t.file(dd + "/secondary_bus_number", "%d\n" % cfg[0x19])
            t.file(dd + "/subordinate_bus_number", "%d\n" % cfg[0x1A])
        if d.driver:
            t.link(dd + "/driver", "sys/bus/pci/drivers/" + d.driver)
            t.link("sys/bus/pci/drivers/%s/%s" % (d.driver, d.bdf), dd)
        if d.sriov:
            s = d.sriov
            t.file(dd + "/sriov_totalvfs", "%d\n" % s["totalvfs"])
            t.file(dd + "/sriov_numvfs", "%d\n" % s["numvfs"])
            t.file(dd + "/sriov_offset", "%d\n" % s["offset"])
            t.file(dd + "/sriov_stride", "%d\n" % s["stride"])
            t.file(dd + "/sriov_vf_device", "%x\n" % s["vf_device"])
            t.file(dd + "/sriov_drivers_autoprobe", "1\n")
            for i, vf in enumerate(d.virtfns):
                t.link(dd + "/virtfn%d" % i, host.devdir(host.dev(vf)))
        if d.physfn:
            t.link(dd + "/physfn", host.devdir(host.dev(d.physfn)))
        if d.net:
            ndir = dd + "/net/" + d.net["name"]
            t.file(ndir + "/address", d.net["mac"] + "\n")
            t.file(ndir + "/ifindex", "%d\n" % d.net["ifindex"])
            t.file(ndir + "/operstate", d.net.get("operstate", "up") + "\n")
            t.link("sys/class/net/" + d.net["name"], ndir)
        if d.group is not None:
            gdir = "sys/kernel/iommu_groups/%d" % d.group
            t.link(dd + "/iommu_group", gdir)
            t.link(gdir + "/devices/" + d.bdf, dd)
            groups.setdefault(d.group, []).append(d)
            unit = host.unit_for(d)
            t.link(dd + "/iommu", unit_dir[unit])
            t.link(unit_dir[unit] + "/devices/" + d.bdf, dd)
    for g in sorted(groups):
        gdir = "sys/kernel/iommu_groups/%d" % g
        t.file(gdir + "/type", host.group_type + "\n")
        regions = list(host.resv.get(g, [])) + list(host.resv_all)
        regions.sort()
        t.file(gdir + "/reserved_regions",
               "".join("0x%016x 0x%016x %s\n" % r for r in regions))

    # /dev/vfio
    if host.vfio_loaded:
        t.chardev("dev/vfio/vfio", 10, 196, "0666")
        minor = 0
        for g in sorted(groups):
            if any(d.driver == "vfio-pci" for d in groups[g]):
                t.chardev("dev/vfio/%d" % g, VFIO_GROUP_MAJOR, minor, "0600")
                minor += 1
    for rel, target in host.extra_links.items():
        t.link(rel, target)
    # directories that exist (empty) on every host
    t.empty_dir("sys/class/iommu")
    t.empty_dir("sys/kernel/iommu_groups")
    for hook in host.post_render:
        hook(t)
    t.write_meta()

    # README + scenario.toml next to root/
    base = out.parent
    (base / "README.md").write_text(host.readme)
    tdevs = ", ".join('"%s"' % d for d in host.targets)
    (base / "scenario.toml").write_text(
        'description = "%s"\ndevices = [%s]\n' % (host.description.replace('"', '\\"'), tdevs))


# --------------------------------------------------------------------------
# ACPI DMAR: the parts the kernel uses for RMRRs and interrupt remapping
# --------------------------------------------------------------------------

DMAR_INTR_REMAP = 0x1  # DMAR flags bit 0 (include/acpi/actbl1.h ACPI_DMAR_INTR_REMAP)


def dmar_units(data):
    """[(type, body)] of a DMAR table's remapping structures."""
    out, off = [], 48
    while off + 4 <= len(data):
        typ, length = struct.unpack_from("<HH", data, off)
        out.append((typ, data[off:off + length]))
        off += length
    return out


def dmar_scopes(sub, start):
    """Device scopes of one structure: [(scope type, start bus, [(dev, fn), ...])]."""
    out, off = [], start
    while off + 6 <= len(sub):
        typ, length, bus = sub[off], sub[off + 1], sub[off + 5]
        path = [(sub[off + 6 + 2 * i], sub[off + 7 + 2 * i]) for i in range((length - 6) // 2)]
        out.append((typ, bus, path))
        off += length
    return out


def dmar_drhd_bases(data):
    return [struct.unpack_from("<Q", sub, 8)[0] for typ, sub in dmar_units(data) if typ == 0]


def dmar_rmrrs(data):
    """[(base, limit, [(start bus, path)])] for every RMRR, in table order."""
    out = []
    for typ, sub in dmar_units(data):
        if typ == 1:
            base, limit = struct.unpack_from("<QQ", sub, 8)
            out.append((base, limit, [(b, p) for t, b, p in dmar_scopes(sub, 24) if t == 1]))
    return out


def dmar_intr_remap(data):
    return bool(data and data[37] & DMAR_INTR_REMAP)


def resolve_scope(host, bus, path):
    """The kernel's dmar_find_matched_dev_scope walk: the first hop is dev.fn on the start
    bus, each further hop is dev.fn on the secondary bus of the bridge reached so far (read
    from its config space). Returns the bdf, or None when the path leads to no device."""
    bdf = None
    for dev, fn in path:
        bdf = "0000:%02x:%02x.%d" % (bus, dev, fn)
        try:
            d = host.dev(bdf)
        except KeyError:
            return None
        bus = d.config[0x19] if d.is_bridge else None
    return bdf


def rmrr_resv(host, data, floppy_wa=True):
    """group -> reserved regions from RMRRs (intel_iommu_get_resv_regions): direct for the
    scoped device, direct-relaxable if it is USB or graphics; with
    CONFIG_INTEL_IOMMU_FLOPPY_WA the ISA bridge also gets 0-16M direct-relaxable.
    The group file merges overlapping and adjacent regions of one type
    (iommu_insert_resv_region)."""
    per_dev = {}
    for base, limit, scopes in dmar_rmrrs(data):
        for bus, path in scopes:
            bdf = resolve_scope(host, bus, path)
            if bdf is None:
                continue
            d = host.dev(bdf)
            relax = (d.cls >> 8) == 0x0C03 or (d.cls >> 16) == 0x03
            per_dev.setdefault(bdf, []).append((base, limit, "direct-relaxable" if relax else "direct"))
    if floppy_wa:
        for d in host.devs:
            if (d.cls >> 8) == 0x0601:
                per_dev.setdefault(d.bdf, []).append((0, 0xFFFFFF, "direct-relaxable"))
    groups = {}
    for d in host.devs:
        if d.group is not None and d.bdf in per_dev:
            groups.setdefault(d.group, []).extend(per_dev[d.bdf])
    out = {}
    for g, regions in groups.items():
        merged = []
        for start, end, typ in sorted(regions):
            for i, (s, e, t) in enumerate(merged):
                if t == typ and start <= e + 1 and end + 1 >= s:
                    merged[i] = (min(s, start), max(e, end), t)
                    break
            else:
                merged.append((start, end, typ))
        out[g] = sorted(merged)
    return out


# --------------------------------------------------------------------------
# /proc/interrupts (kernel/irq/proc.c show_interrupts, arch/x86/kernel/irq.c
# arch_show_interrupts, as in 5.14 to 6.1)
# --------------------------------------------------------------------------
#
# A row is "%*d: " (prec = 3, one more for each power of ten nr_irqs reaches past
# 999), "%10u " per online CPU, " %8s" chip name, " %*d" hwirq (blank for irqs
# without a domain, as Xen's), "-%-8s" handler name, "  " and the actions.
# Chip names: IO-APIC, PCI-MSI and DMAR-MSI (arch/x86/kernel/apic), with interrupt
# remapping the IR- variants (the remapping domain's IO-APIC and MSI chips). Until
# 6.1 one PCI/MSI domain serves every device, so the chip is PCI-MSI for MSI and
# MSI-X alike and the hwirq is pci_msi_domain_calc_hwirq(): the vector index
# | bus/devfn << 11 | domain << 27. The per-device names (IR-PCI-MSIX-0000:03:00.0,
# hwirq = vector index) came with the MSI parent domains of 6.2. Xen dom0: events
# (drivers/xen/events/events_base.c) with chips xen-pirq, xen-dyn, xen-percpu, and
# handler names ioapic-edge, ioapic-level, msi, msi-x, virq, ipi, event.


def pcie_hotplug_capable(cfg):
    """Slot Implemented and Hot-Plug Capable in the PCIe capability: pciehp binds."""
    off = cfg[0x34]
    while off:
        if cfg[off] == 0x10:
            flags = struct.unpack_from("<H", cfg, off + 2)[0]
            sltcap = struct.unpack_from("<I", cfg, off + 0x14)[0]
            return bool(flags & 0x100 and sltcap & 0x40)
        off = cfg[off + 1]
    return False


def msi_hwirq(bdf, index=0):
    bus, devfn = int(bdf[5:7], 16), int(bdf[8:10], 16) << 3 | int(bdf[11])
    return index | (bus << 8 | devfn) << 11


def irq_counts(ncpu, key, total, cpus=None):
    """Deterministic per-CPU counts: `total` events landing on one CPU (the one
    irqbalance picked), or spread over `cpus`."""
    out = [0] * ncpu
    if not total:
        return out
    if cpus is None:
        cpus = [sum(map(ord, key)) * 7 % ncpu]
    for i, c in enumerate(cpus):
        out[c] += total // len(cpus) + (i * 131 + len(key) * 17) % 97
    return out


def interrupts_text(ncpu, prec, rows, arch):
    """rows: (irq, counts, chip, hwirq or None, handler, [actions]); arch: (name,
    counts or a single int for ERR/MIS, description or None)."""
    lines = ["%*s" % (prec + 8, "") + "".join("CPU%-8d" % j for j in range(ncpu))]
    for irq, counts, chip, hwirq, handler, actions in sorted(rows, key=lambda r: r[0]):
        line = "%*d: " % (prec, irq) + "".join("%10u " % c for c in counts)
        line += " %8s" % chip
        line += " %*d" % (prec, hwirq) if hwirq is not None else " %*s" % (prec, "")
        line += "-%-8s" % handler
        if actions:
            line += "  " + ", ".join(actions)
        lines.append(line)
    for name, counts, desc in arch:
        if isinstance(counts, int):
            lines.append("%*s: %10u" % (prec, name, counts))
        else:
            lines.append("%*s: " % (prec, name) + "".join("%10u " % c for c in counts) + "  " + desc)
    return "\n".join(lines) + "\n"


def x86_arch_rows(ncpu, uptime_ticks, native=True):
    def per(base, k):
        return [base * (3 + (c * 37 + k) % 11) // 7 for c in range(ncpu)]
    rows = [("NMI", per(uptime_ticks // 4000, 1), "Non-maskable interrupts"),
            ("LOC", [0] * ncpu if not native else per(uptime_ticks, 2), "Local timer interrupts"),
            ("SPU", [0] * ncpu, "Spurious interrupts"),
            ("PMI", per(uptime_ticks // 4000, 1), "Performance monitoring interrupts"),
            ("IWI", per(uptime_ticks // 900, 3), "IRQ work interrupts"),
            ("RTR", [0] * ncpu, "APIC ICR read retries"),
            ("RES", per(uptime_ticks // 40, 4), "Rescheduling interrupts"),
            ("CAL", per(uptime_ticks // 60, 5), "Function call interrupts"),
            ("TLB", per(uptime_ticks // 300, 6), "TLB shootdowns"),
            ("TRM", [0] * ncpu, "Thermal event interrupts"),
            ("THR", [0] * ncpu, "Threshold APIC interrupts"),
            ("DFR", [0] * ncpu, "Deferred Error APIC interrupts"),
            ("MCE", [0] * ncpu, "Machine check exceptions"),
            ("MCP", [max(1, uptime_ticks // 300000)] * ncpu, "Machine check polls"),
            ("ERR", 0, None),
            ("MIS", 0, None)]
    if native:
        # POSTED_INTR_VECTOR and friends are system vectors when KVM is configured
        rows += [("PIN", [0] * ncpu, "Posted-interrupt notification event"),
                 ("NPI", [0] * ncpu, "Nested posted-interrupt event"),
                 ("PIW", [0] * ncpu, "Posted-interrupt wakeup event")]
    return rows


def legacy_rows(ncpu, ioapic):
    """timer, rtc0 and acpi: the IO-APIC pins every PC has."""
    return [(0, [35] + [0] * (ncpu - 1), ioapic, 2, "edge", ["timer"]),
            (8, irq_counts(ncpu, "rtc0", 0), ioapic, 8, "edge", ["rtc0"]),
            (9, irq_counts(ncpu, "acpi", 0), ioapic, 9, "fasteoi", ["acpi"])]


def igb_vectors(pf):
    """MSI-X vectors igb requests: the "other" vector named after the netdev, then one
    TxRx per queue pair; with VFs the 82576 runs 2 queues and the I350 1
    (igb_get_max_rss_queues), else min(8, online CPUs)."""
    name = pf.net["name"]
    nq = pf.igb_queues
    return [name] + ["%s-TxRx-%d" % (name, q) for q in range(nq)]


def native_device_rows(h, ncpu, ir, first_irq):
    """Rows for the PCI functions of a native host: pcieport MSI, INTx of UHCI/EHCI,
    MSI of AHCI, MSI-X of igb, igbvf and i40e; vfio-pci and pci-stub functions have
    no vector until a guest opens them. Uses each device's sysfs irq where it is an
    MSI or INTx irq; MSI-X vectors are numbered from first_irq."""
    msi = "IR-PCI-MSI" if ir else "PCI-MSI"
    ioapic = "IR-IO-APIC" if ir else "IO-APIC"
    rows = []
    nxt = first_irq
    usb = 0
    for d in h.devs:
        if d.driver == "pcieport":
            actions = ["PCIe PME", "aerdrv"]
            if pcie_hotplug_capable(d.config):
                actions.append("pciehp")
            rows.append((d.irq, irq_counts(ncpu, d.bdf, 0), msi, msi_hwirq(d.bdf), "edge", actions))
        elif d.driver in ("uhci_hcd", "ehci-pci"):
            usb += 1
            name = "%s:usb%d" % ("uhci_hcd" if d.driver == "uhci_hcd" else "ehci_hcd", usb)
            rows.append((d.irq, irq_counts(ncpu, name, 29 + 11 * usb), ioapic, d.irq, "fasteoi", [name]))
        elif d.driver == "ahci":
            rows.append((d.irq, irq_counts(ncpu, d.bdf, 18422), msi, msi_hwirq(d.bdf), "edge",
                         ["ahci[%s]" % d.bdf]))
        elif d.driver == "hpilo":
            rows.append((d.irq, irq_counts(ncpu, "hpilo", 0), ioapic, d.irq, "fasteoi", ["hpilo"]))
    for d in h.devs:
        if d.driver == "tg3" and d.net and d.net.get("operstate") == "up":
            # TG3_IRQ_MAX_VECS MSI-X vectors, "<netdev>-<n>" (tg3_request_irq, at ndo_open:
            # the ports that were never brought up have none)
            for i in range(5):
                name = "%s-%d" % (d.net["name"], i)
                rows.append((nxt, irq_counts(ncpu, name, 3 if i == 0 else 4021 + 13 * i),
                             msi, msi_hwirq(d.bdf, i), "edge", [name]))
                nxt += 1
    for d in h.devs:
        if d.driver == "igb" and d.net:
            for i, name in enumerate(igb_vectors(d)):
                rows.append((nxt, irq_counts(ncpu, name, 3 if i == 0 else 8311 + 97 * i),
                             msi, msi_hwirq(d.bdf, i), "edge", [name]))
                nxt += 1
    for d in h.devs:
        if d.driver == "igbvf" and d.net:
            name = d.net["name"]
            for i, vname in enumerate(["%s-tx-0" % name, "%s-rx-0" % name, name]):
                rows.append((nxt, irq_counts(ncpu, vname, (0, 412, 2)[i]), msi,
                             msi_hwirq(d.bdf, i), "edge", [vname]))
                nxt += 1
    return rows, nxt


def rhel_interrupts(h, ncpu, prec, ir, dmar_irqs=(), user_vectors=()):
    """/proc/interrupts of a RHEL 9 host; dmar_irqs: [(irq, unit name)] for the
    DMAR-MSI fault interrupts (set up when remapping or translation is on);
    user_vectors: [(bdf, [action names])] of MSI-X vectors a user of the device (a
    guest through vfio-pci) enabled after boot, numbered after the drivers' ones."""
    rows = legacy_rows(ncpu, "IR-IO-APIC" if ir else "IO-APIC")
    for irq, unit in dmar_irqs:
        rows.append((irq, irq_counts(ncpu, unit, 0), "DMAR-MSI", int(unit[4:]), "edge", [unit]))
    dev_rows, nxt = native_device_rows(h, ncpu, ir, h.first_msix_irq)
    rows += dev_rows
    for bdf, names in user_vectors:
        for i, name in enumerate(names):
            rows.append((nxt, irq_counts(ncpu, name, (0, 52113, 38)[i % 3]),
                         "IR-PCI-MSI" if ir else "PCI-MSI", msi_hwirq(bdf, i), "edge", [name]))
            nxt += 1
    return interrupts_text(ncpu, prec, rows, x86_arch_rows(ncpu, 8640000))


def xen_dom0_interrupts(h, ncpu):
    """/proc/interrupts of a Linux 6.1 PV dom0: every interrupt is a Xen event
    channel; physical ones are pirqs (xen-pirq, handler ioapic-level/ioapic-edge/msi/
    msi-x), per-CPU timer, debug and IPIs are xen-percpu, the rest xen-dyn. No hwirq
    column (no irq domain) and no IR-/IO-APIC/PCI-MSI chips: Xen owns the IO-APICs,
    the MSI and the remapping. No PIN/NPI/PIW and no local-timer counts in a PV guest."""
    rows = [(8, irq_counts(ncpu, "rtc0", 0), "xen-pirq", None, "ioapic-edge", ["rtc0"]),
            (9, irq_counts(ncpu, "acpi", 0), "xen-pirq", None, "ioapic-level", ["acpi"])]
    usb = 0
    for d in h.devs:
        if d.driver == "pcieport":
            actions = ["PCIe PME", "aerdrv"] + (["pciehp"] if pcie_hotplug_capable(d.config) else [])
            rows.append((d.irq, irq_counts(ncpu, d.bdf, 0), "xen-pirq", None, "msi", actions))
        elif d.driver == "uhci_hcd":
            usb += 1
            name = "uhci_hcd:usb%d" % usb
            rows.append((d.irq, irq_counts(ncpu, name, 29 + 11 * usb), "xen-pirq", None,
                         "ioapic-level", [name]))
        elif d.driver == "ahci":
            rows.append((d.irq, irq_counts(ncpu, d.bdf, 18422), "xen-pirq", None, "msi",
                         ["ahci[%s]" % d.bdf]))
    nxt = h.first_msix_irq
    for d in h.devs:
        if d.driver == "igb" and d.net:
            for i, name in enumerate(igb_vectors(d)):
                rows.append((nxt, irq_counts(ncpu, name, 3 if i == 0 else 8311 + 97 * i),
                             "xen-pirq", None, "msi-x", [name]))
                nxt += 1
    for d in h.devs:
        if d.driver == "igbvf" and d.net:
            name = d.net["name"]
            for i, vname in enumerate(["%s-tx-0" % name, "%s-rx-0" % name, name]):
                rows.append((nxt, irq_counts(ncpu, vname, (0, 412, 2)[i]), "xen-pirq", None,
                             "msi-x", [vname]))
                nxt += 1
    nxt = 48  # dynamic event channels follow the GSIs of the two IO-APICs
    for cpu in range(ncpu):
        for chip_h, name, total in (("virq", "timer%d", 2160000), ("ipi", "resched%d", 96000),
                                    ("ipi", "callfunc%d", 41000), ("virq", "debug%d", 0),
                                    ("ipi", "callfuncsingle%d", 5200), ("ipi", "irqwork%d", 0),
                                    ("ipi", "spinlock%d", 0)):
            rows.append((nxt, irq_counts(ncpu, name % cpu, total, [cpu]), "xen-percpu", None,
                         chip_h, [name % cpu]))
            nxt += 1
    for chip, handler, name, total in (("xen-dyn", "event", "xenbus", 1342),
                                       ("xen-dyn", "virq", "hvc_console", 4),
                                       ("xen-dyn", "virq", "mce", 0),
                                       ("xen-dyn-lateeoi", "event", "evtchn:xenstored", 1190),
                                       ("xen-dyn-lateeoi", "event", "evtchn:xenstored", 877)):
        rows.append((nxt, irq_counts(ncpu, name + str(nxt), total, [0]), chip, None, handler, [name]))
        nxt += 1
    return interrupts_text(ncpu, 3, rows, x86_arch_rows(ncpu, 8640000, native=False))


def amd_interrupts(h, ncpu, ir=True):
    """Ubuntu 5.15 on the TRX40 host: AMD-Vi remaps (IR- chips). Each IOMMU's own
    event interrupt is a plain PCI-MSI of its PCI function (the IOMMU does not sit
    behind itself; no XTSup in the EFR, so no intcapxt). i40e: misc vector, one TxRx
    per online CPU (num_lan_msix = min(CPUs, vectors / 2)), and the flow director
    sideband vector. ir=False: the AMD IOMMU translates DMA but does not remap
    interrupts (plain IO-APIC and PCI-MSI chips)."""
    msi = "IR-PCI-MSI" if ir else "PCI-MSI"
    rows = legacy_rows(ncpu, "IR-IO-APIC" if ir else "IO-APIC")
    for d in h.devs:
        if d.device == 0x1481:
            rows.append((d.irq, irq_counts(ncpu, d.bdf, 0), "PCI-MSI", msi_hwirq(d.bdf), "edge",
                         ["AMD-Vi"]))
    nxt = 29
    for d in h.devs:
        if d.driver == "pcieport":
            # 29, not the 27 of its sysfs irq, which the tree already gives to 40:00.2
            rows.append((nxt, irq_counts(ncpu, d.bdf, 0), msi, msi_hwirq(d.bdf),
                         "edge", ["PCIe PME", "aerdrv", "pciehp"]))
            nxt += 1
    for d in h.devs:
        if d.driver == "i40e":
            names = ["i40e-%s:misc" % d.bdf]
            names += ["i40e-%s-TxRx-%d" % (d.net["name"], q) for q in range(ncpu)]
            names += ["i40e-%s:fdir-TxRx-0" % d.bdf]
            for i, name in enumerate(names):
                total = 0 if d.net["name"].endswith("f1") else (5 if i == 0 else 20000 + 37 * i)
                cpus = [(i - 1) % ncpu] if 0 < i <= ncpu else None
                rows.append((nxt, irq_counts(ncpu, name, total, cpus), msi,
                             msi_hwirq(d.bdf, i), "edge", [name]))
                nxt += 1
    return interrupts_text(ncpu, 4, rows, x86_arch_rows(ncpu, 8640000))


# --------------------------------------------------------------------------
# Host-level text
# --------------------------------------------------------------------------

E5520_FLAGS = ("fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush "
               "dts acpi mmx fxsr sse sse2 ht tm pbe syscall nx rdtscp lm constant_tsc "
               "arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc cpuid aperfmperf pni "
               "dtes64 monitor ds_cpl vmx est tm2 ssse3 cx16 xtpr pdcm dca sse4_1 sse4_2 popcnt "
               "lahf_lm pti ssbd ibrs ibpb stibp tpr_shadow vnmi flexpriority ept vpid dtherm ida "
               "flush_l1d")
E5520_VMX_FLAGS = "vnmi preemption_timer invvpid ept_x_only flexpriority tsc_offset vtpr mtf vapic ept vpid"
E5520_BUGS = "cpu_meltdown spectre_v1 spectre_v2 spec_store_bypass l1tf mds swapgs itlb_multihit mmio_unknown"
# Xen PV dom0: Xen masks VMX (and the MSR/PMU/monitor bits) from the PV kernel's CPUID
# and Linux sets X86_FEATURE_HYPERVISOR.
E5520_XEN_DOM0_FLAGS = ("fpu de tsc msr pae mce cx8 apic sep mca cmov pat clflush acpi mmx fxsr sse "
                        "sse2 ht syscall nx lm constant_tsc rep_good nopl nonstop_tsc cpuid pni est "
                        "ssse3 cx16 sse4_1 sse4_2 popcnt hypervisor lahf_lm pti ssbd ibrs ibpb stibp "
                        "md_clear")

TR3960X_FLAGS = ("fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush "
                 "mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc "
                 "rep_good nopl nonstop_tsc cpuid extd_apicid aperfmperf rapl pni pclmulqdq monitor "
                 "ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt aes xsave avx f16c rdrand lahf_lm "
                 "cmp_legacy svm extapic cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw ibs "
                 "skinit wdt tce topoext perfctr_core perfctr_nb bpext perfctr_llc mwaitx cpb "
                 "cat_l3 cdp_l3 hw_pstate ssbd mba ibrs ibpb stibp vmmcall fsgsbase bmi1 avx2 smep "
                 "bmi2 cqm rdt_a rdseed adx smap clflushopt clwb sha_ni xsaveopt xsavec xgetbv1 "
                 "xsaves cqm_llc cqm_occup_llc cqm_mbm_total cqm_mbm_local clzero irperf "
                 "xsaveerptr rdpru wbnoinvd arat npt lbrv svm_lock nrip_save tsc_scale vmcb_clean "
                 "flushbyasid decodeassists pausefilter pfthreshold avic v_vmsave_vmload vgif "
                 "v_spec_ctrl umip rdpid overflow_recov succor smca")
TR3960X_BUGS = "sysret_ss_attrs spectre_v1 spectre_v2 spec_store_bypass retbleed smt_rsb"


def cpuinfo_e5520(vmx=True):
    flags = E5520_FLAGS
    if not vmx:
        # VT-x disabled in the BIOS: IA32_FEATURE_CONTROL locked without VMX, the
        # kernel clears X86_FEATURE_VMX and never fills in the VMX feature words.
        drop = {"vmx", "tpr_shadow", "vnmi", "flexpriority", "ept", "vpid"}
        flags = " ".join(f for f in flags.split() if f not in drop)
    out = []
    for n in range(16):
        sock = (n // 4) % 2
        core = n % 4
        thread = n // 8
        apic = sock * 16 + core * 2 + thread
        out.append("\n".join([
            "processor\t: %d" % n,
            "vendor_id\t: GenuineIntel",
            "cpu family\t: 6",
            "model\t\t: 26",
            "model name\t: Intel(R) Xeon(R) CPU           E5520  @ 2.27GHz",
            "stepping\t: 5",
            "microcode\t: 0x1d",
            "cpu MHz\t\t: %s" % ("2266.%03d" % (740 + n * 7 % 200)),
            "cache size\t: 8192 KB",
            "physical id\t: %d" % sock,
            "siblings\t: 8",
            "core id\t\t: %d" % core,
            "cpu cores\t: 4",
            "apicid\t\t: %d" % apic,
            "initial apicid\t: %d" % apic,
            "fpu\t\t: yes",
            "fpu_exception\t: yes",
            "cpuid level\t: 11",
            "wp\t\t: yes",
            "flags\t\t: " + flags,
        ] + (["vmx flags\t: " + E5520_VMX_FLAGS] if vmx else []) + [
            "bugs\t\t: " + E5520_BUGS,
            "bogomips\t: 4533.%02d" % (40 + n % 7),
            "clflush size\t: 64",
            "cache_alignment\t: 64",
            "address sizes\t: 40 bits physical, 48 bits virtual",
            "power management:",
            "", ""]))
    return "".join(out)


def cpuinfo_e5520_xen_dom0(vcpus=4):
    out = []
    for n in range(vcpus):
        out.append("\n".join([
            "processor\t: %d" % n,
            "vendor_id\t: GenuineIntel",
            "cpu family\t: 6",
            "model\t\t: 26",
            "model name\t: Intel(R) Xeon(R) CPU           E5520  @ 2.27GHz",
            "stepping\t: 5",
            "microcode\t: 0x1d",
            "cpu MHz\t\t: 2266.746",
            "cache size\t: 8192 KB",
            "physical id\t: 0",
            "siblings\t: %d" % vcpus,
            "core id\t\t: %d" % n,
            "cpu cores\t: %d" % vcpus,
            "apicid\t\t: %d" % n,
            "initial apicid\t: %d" % (n * 2),
            "fpu\t\t: yes",
            "fpu_exception\t: yes",
            "cpuid level\t: 11",
            "wp\t\t: yes",
            "flags\t\t: " + E5520_XEN_DOM0_FLAGS,
            "bugs\t\t: " + E5520_BUGS,
            "bogomips\t: 4533.49",
            "clflush size\t: 64",
            "cache_alignment\t: 64",
            "address sizes\t: 40 bits physical, 48 bits virtual",
            "power management:",
            "", ""]))
    return "".join(out)


def cpuinfo_tr3960x():
    out = []
    for n in range(48):
        thread = n // 24
        core_idx = n % 24
        ccx, k = divmod(core_idx, 3)
        core_id = ccx * 4 + k
        apic = core_id * 2 + thread
        out.append("\n".join([
            "processor\t: %d" % n,
            "vendor_id\t: AuthenticAMD",
            "cpu family\t: 23",
            "model\t\t: 49",
            "model name\t: AMD Ryzen Threadripper 3960X 24-Core Processor",
            "stepping\t: 0",
            "microcode\t: 0x830107a",
            "cpu MHz\t\t: %s" % ("2200.000" if n % 5 else "3800.000"),
            "cache size\t: 512 KB",
            "physical id\t: 0",
            "siblings\t: 48",
            "core id\t\t: %d" % core_id,
            "cpu cores\t: 24",
            "apicid\t\t: %d" % apic,
            "initial apicid\t: %d" % apic,
            "fpu\t\t: yes",
            "fpu_exception\t: yes",
            "cpuid level\t: 16",
            "wp\t\t: yes",
            "flags\t\t: " + TR3960X_FLAGS,
            "bugs\t\t: " + TR3960X_BUGS,
            "bogomips\t: 7585.40",
            "TLB size\t: 3072 4K pages",
            "clflush size\t: 64",
            "cache_alignment\t: 64",
            "address sizes\t: 43 bits physical, 48 bits virtual",
            "power management: ts ttp tm hwpstate cpb eff_freq_ro [13] [14]",
            "", ""]))
    return "".join(out)


QEMU_CONF_HEAD = """\
# Main configuration file for the QEMU driver

# All settings described here are optional - if omitted, sensible
# defaults are used.

# Use of TLS requires that x509 certificates be issued. The default is
# to keep them in /etc/pki/qemu. This directory must contain
#
#  ca-cert.pem - the CA master certificate
#  server-cert.pem - the server certificate signed with ca-cert.pem
#  server-key.pem  - the server private key
#
# and optionally may contain
#
#  dh-params.pem - the DH params configuration file
#
# If the directory does not exist, libvirtd will fail to start. If the
# directory doesn't contain the necessary files, QEMU domains will fail
# to start, if they are configured to use TLS.
#
#default_tls_x509_cert_dir = "/etc/pki/qemu"

# VNC is configured to listen on 127.0.0.1 by default.
# To make it listen on all public interfaces, uncomment
# this next option.
#
#vnc_listen = "0.0.0.0"

# The default security driver is SELinux. If SELinux is disabled
# on the host, then the security driver will automatically disable
# itself.
#
#security_driver = "selinux"

"""

QEMU_CONF_USER_DEFAULT = """\
# The user for QEMU processes run by the system instance. It can be
# specified as a user name or as a user id. The qemu driver will try to
# parse this value first as a name and then, if the name doesn't exist,
# as a user id.
#
# Since a sequence of digits is a valid user name, a leading plus sign
# can be used to ensure that a user id will not be interpreted as a user
# name.
#
# By default libvirt runs VMs as non-root and uses AppArmor or SELinux
# to isolate the VMs on the host.
#
#user = "{user}"

# The group for QEMU processes run by the system instance. It can be
# specified in a similar way to user.
#group = "{group}"

# Whether libvirt should dynamically change file ownership
# to match the configured user/group above. Defaults to 1.
# Set to 0 to disable file ownership changes.
#dynamic_ownership = 1
"""

QEMU_CONF_USER_SET = """\
# The user for QEMU processes run by the system instance. It can be
# specified as a user name or as a user id. The qemu driver will try to
# parse this value first as a name and then, if the name doesn't exist,
# as a user id.
#
# Since a sequence of digits is a valid user name, a leading plus sign
# can be used to ensure that a user id will not be interpreted as a user
# name.
#
user = "qemu"

# The group for QEMU processes run by the system instance. It can be
# specified in a similar way to user.
group = "qemu"

# Whether libvirt should dynamically change file ownership
# to match the configured user/group above. Defaults to 1.
# Set to 0 to disable file ownership changes.
dynamic_ownership = 0
"""

QEMU_CONF_TAIL = """
# What cgroup controllers to make use of with QEMU guests
#
#  - 'cpu' - use for scheduler tunables
#  - 'devices' - use for device access control
#  - 'memory' - use for memory tunables
#  - 'blkio' - use for block devices I/O tunables
#  - 'cpuset' - use for CPUs and memory nodes
#  - 'cpuacct' - use for CPUs statistics.
#
#cgroup_controllers = [ "cpu", "devices", "memory", "blkio", "cpuset", "cpuacct" ]

# This is the basic set of devices allowed / required by
# all virtual machines.
#
#cgroup_device_acl = [
#    "/dev/null", "/dev/full", "/dev/zero",
#    "/dev/random", "/dev/urandom",
#    "/dev/ptmx", "/dev/kvm",
#    "/dev/userfaultfd"
#]

# If clear_emulator_capabilities is enabled, libvirt will drop all
# privileged capabilities of the QEMU/KVM emulator. This is enabled by
# default.
#
#clear_emulator_capabilities = 1

# If enabled, libvirt will have QEMU set its process name to
# "qemu:VM_NAME", where VM_NAME is the name of the VM.
#
#set_process_name = 1

# If max_processes is set to a positive integer, libvirt will use
# it to set the maximum number of processes that can be run by qemu
# user.
#
#max_processes = 0
#max_files = 0

# By default the PCI devices are assigned using VFIO (if supported);
# legacy KVM device assignment is no longer supported.
"""


def qemu_conf(user, group, set_user=False):
    mid = QEMU_CONF_USER_SET if set_user else QEMU_CONF_USER_DEFAULT.format(user=user, group=group)
    return QEMU_CONF_HEAD + mid + QEMU_CONF_TAIL


RHEL_PASSWD = """\
root:x:0:0:root:/root:/bin/bash
bin:x:1:1:bin:/bin:/sbin/nologin
daemon:x:2:2:daemon:/sbin:/sbin/nologin
adm:x:3:4:adm:/var/adm:/sbin/nologin
lp:x:4:7:lp:/var/spool/lpd:/sbin/nologin
sync:x:5:0:sync:/sbin:/bin/sync
shutdown:x:6:0:shutdown:/sbin:/sbin/shutdown
halt:x:7:0:halt:/sbin:/sbin/halt
mail:x:8:12:mail:/var/spool/mail:/sbin/nologin
operator:x:11:0:operator:/root:/sbin/nologin
games:x:12:100:games:/usr/games:/sbin/nologin
ftp:x:14:50:FTP User:/var/ftp:/sbin/nologin
nobody:x:65534:65534:Kernel Overflow User:/:/sbin/nologin
systemd-coredump:x:999:997:systemd Core Dumper:/:/sbin/nologin
dbus:x:81:81:System message bus:/:/sbin/nologin
polkitd:x:998:996:User for polkitd:/:/sbin/nologin
tss:x:59:59:Account used for TPM access:/:/sbin/nologin
sssd:x:997:995:User for sssd:/:/sbin/nologin
chrony:x:996:994::/var/lib/chrony:/sbin/nologin
sshd:x:74:74:Privilege-separated SSH:/usr/share/empty.sshd:/sbin/nologin
qemu:x:107:107:qemu user:/:/sbin/nologin
"""

RHEL_GROUP = """\
root:x:0:
bin:x:1:
daemon:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mem:x:8:
kmem:x:9:
wheel:x:10:
cdrom:x:11:
mail:x:12:
man:x:15:
dialout:x:18:
floppy:x:19:
games:x:20:
tape:x:33:
video:x:39:
ftp:x:50:
lock:x:54:
audio:x:63:
users:x:100:
nobody:x:65534:
utmp:x:22:
utempter:x:35:
input:x:999:
kvm:x:36:qemu
render:x:998:
systemd-journal:x:190:
systemd-coredump:x:997:
dbus:x:81:
polkitd:x:996:
tss:x:59:
sssd:x:995:
chrony:x:994:
sshd:x:74:
qemu:x:107:
libvirt:x:993:
"""

DEBIAN_PASSWD = """\
root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
sync:x:4:65534:sync:/bin:/bin/sync
games:x:5:60:games:/usr/games:/usr/sbin/nologin
man:x:6:12:man:/var/cache/man:/usr/sbin/nologin
lp:x:7:7:lp:/var/spool/lpd:/usr/sbin/nologin
mail:x:8:8:mail:/var/mail:/usr/sbin/nologin
news:x:9:9:news:/var/spool/news:/usr/sbin/nologin
uucp:x:10:10:uucp:/var/spool/uucp:/usr/sbin/nologin
proxy:x:13:13:proxy:/bin:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
backup:x:34:34:backup:/var/backups:/usr/sbin/nologin
list:x:38:38:Mailing List Manager:/var/list:/usr/sbin/nologin
irc:x:39:39:ircd:/run/ircd:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
systemd-network:x:998:998:systemd Network Management:/:/usr/sbin/nologin
messagebus:x:100:107::/nonexistent:/usr/sbin/nologin
sshd:x:101:65534::/run/sshd:/usr/sbin/nologin
libvirt-qemu:x:64055:{kvm_gid}:Libvirt Qemu,,,:/var/lib/libvirt:/usr/sbin/nologin
libvirt-dnsmasq:x:102:110:Libvirt Dnsmasq,,,:/var/lib/libvirt/dnsmasq:/usr/sbin/nologin
"""

DEBIAN_GROUP = """\
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
news:x:9:
uucp:x:10:
man:x:12:
proxy:x:13:
kmem:x:15:
dialout:x:20:
cdrom:x:24:
sudo:x:27:
audio:x:29:
www-data:x:33:
backup:x:34:
video:x:44:
plugdev:x:46:
staff:x:50:
users:x:100:
nogroup:x:65534:
systemd-journal:x:999:
systemd-network:x:998:
input:x:105:
sgx:x:106:
kvm:x:{kvm_gid}:
render:x:108:
messagebus:x:107:
libvirt:x:109:
libvirt-qemu:x:64055:libvirt-qemu
libvirt-dnsmasq:x:110:
"""


def host_common(h, distro, osrelease, cmdline, grub_cmdline):
    h.files["proc/cmdline"] = cmdline + "\n"
    h.files["proc/sys/kernel/osrelease"] = osrelease + "\n"
    if distro == "rhel":
        h.files["etc/os-release"] = (
            'NAME="Red Hat Enterprise Linux"\nVERSION="9.4 (Plow)"\nID="rhel"\n'
            'ID_LIKE="fedora"\nVERSION_ID="9.4"\nPLATFORM_ID="platform:el9"\n'
            'PRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"\nANSI_COLOR="0;31"\n'
            'LOGO="fedora-logo-icon"\nCPE_NAME="cpe:/o:redhat:enterprise_linux:9::baseos"\n'
            'HOME_URL="https://www.redhat.com/"\n'
            'DOCUMENTATION_URL="https://access.redhat.com/documentation/en-us/red_hat_enterprise_linux/9"\n'
            'BUG_REPORT_URL="https://bugzilla.redhat.com/"\n\n'
            'REDHAT_BUGZILLA_PRODUCT="Red Hat Enterprise Linux 9"\n'
            'REDHAT_BUGZILLA_PRODUCT_VERSION=9.4\n'
            'REDHAT_SUPPORT_PRODUCT="Red Hat Enterprise Linux"\n'
            'REDHAT_SUPPORT_PRODUCT_VERSION="9.4"\n')
        h.files["etc/passwd"] = RHEL_PASSWD
        h.files["etc/group"] = RHEL_GROUP
        h.files["etc/default/grub"] = (
            'GRUB_TIMEOUT=5\nGRUB_DISTRIBUTOR="$(sed \'s, release .*$,,g\' /etc/system-release)"\n'
            'GRUB_DEFAULT=saved\nGRUB_DISABLE_SUBMENU=true\nGRUB_TERMINAL_OUTPUT="console"\n'
            'GRUB_CMDLINE_LINUX="%s"\nGRUB_DISABLE_RECOVERY="true"\nGRUB_ENABLE_BLSCFG=true\n'
            % grub_cmdline)
    elif distro == "ubuntu":
        h.files["etc/os-release"] = (
            'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\n'
            'VERSION="22.04.4 LTS (Jammy Jellyfish)"\nVERSION_CODENAME=jammy\nID=ubuntu\n'
            'ID_LIKE=debian\nHOME_URL="https://www.ubuntu.com/"\n'
            'SUPPORT_URL="https://help.ubuntu.com/"\n'
            'BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"\n'
            'PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"\n'
            'UBUNTU_CODENAME=jammy\n')
        h.files["etc/passwd"] = DEBIAN_PASSWD.format(kvm_gid=108)
        h.files["etc/group"] = DEBIAN_GROUP.format(kvm_gid=108)
        h.files["etc/default/grub"] = (
            "# If you change this file, run 'update-grub' afterwards to update\n"
            "# /boot/grub/grub.cfg.\n# For full documentation of the options in this file, see:\n"
            "#   info -f grub -n 'Simple configuration'\n\n"
            "GRUB_DEFAULT=0\nGRUB_TIMEOUT_STYLE=hidden\nGRUB_TIMEOUT=0\n"
            "GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`\n"
            'GRUB_CMDLINE_LINUX_DEFAULT="%s"\nGRUB_CMDLINE_LINUX=""\n' % grub_cmdline)
    elif distro == "debian":
        h.files["etc/os-release"] = (
            'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\n'
            'VERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n'
            'HOME_URL="https://www.debian.org/"\nSUPPORT_URL="https://www.debian.org/support"\n'
            'BUG_REPORT_URL="https://bugs.debian.org/"\n')
        h.files["etc/passwd"] = DEBIAN_PASSWD.format(kvm_gid=104)
        h.files["etc/group"] = DEBIAN_GROUP.format(kvm_gid=104).replace("render:x:108:", "render:x:106:").replace("sgx:x:106:\n", "")
        h.files["etc/default/grub"] = (
            "# If you change this file, run 'update-grub' afterwards to update\n"
            "# /boot/grub/grub.cfg.\n# For full documentation of the options in this file, see:\n"
            "#   info -f grub -n 'Simple configuration'\n\n"
            "GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\n"
            "GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`\n"
            'GRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX="%s"\n' % grub_cmdline
            + 'GRUB_CMDLINE_XEN_DEFAULT="dom0_mem=4096M,max:4096M dom0_max_vcpus=4 iommu=on"\n')


# --------------------------------------------------------------------------
# Seed hardware: Supermicro X8DTT, 2x Xeon E5520, Intel 5520 IOH + ICH10R,
# Intel 82576 dual port (Gigabit ET Dual Port Server Adapter) behind 00:01.0
# --------------------------------------------------------------------------

RHEL_REL = "5.14.0-427.13.1.el9_4.x86_64"
RHEL_CMDLINE_BASE = ("BOOT_IMAGE=(hd0,gpt2)/vmlinuz-%s root=/dev/mapper/rhel-root ro "
                     "crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M resume=/dev/mapper/rhel-swap "
                     "rd.lvm.lv=rhel/root rd.lvm.lv=rhel/swap" % RHEL_REL)
RHEL_GRUB_BASE = ("crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M resume=/dev/mapper/rhel-swap "
                  "rd.lvm.lv=rhel/root rd.lvm.lv=rhel/swap")

DEB_REL = "6.1.0-18-amd64"

PCIE_ROOT_DEVCAP = 0x00008001  # MaxPayload 256, RBE+
MSI_ADDR = 0xFEE00000


def e5520_hostbridge(numa, cpulist, group):
    cfg = build_config(
        vendor=0x8086, device=0x3406, cls=0x060000, rev=0x22, command=0x0000,
        caps=[(0x60, 0x05, cap_msi(0x0000)),
              (0x90, 0x10, cap_pcie(4, PCIE_ROOT_DEVCAP, 0x0000, 0x00000011 | (3 << 24) | 0x04, 0x0000)),
              (0xE0, 0x01, cap_pm(0x0003))],
        ecaps=[(0x100, 0x0001, 1, ecap_aer(root=True))],
        pcie=True, svid=0x15D9, sdid=0x0000, cacheline=0x10)
    return Dev("0000:00:00.0", 0x8086, 0x3406, 0x060000, 0x22, cfg, irq=0, svid=0x15D9,
               sdid=0x0000, numa=numa, cpulist=cpulist, group=group)


def e5520_rootport(bdf, device, port, secondary, irq, *, acs, acs_enabled, group, numa,
                   cpulist, windows=None, driver="pcieport"):
    mem = (0xFB400000, 0xFBEFFFFF) if windows else (0xFFF00000, 0x000FFFFF)
    io = (0xE000, 0xEFFF) if windows else (0xF000, 0x0FFF)
    enabled = driver is not None
    lnkcap = 0x2 | (4 << 4) | (3 << 10) | (1 << 12) | (1 << 15) | (1 << 20) | (port << 24)  # 5GT/s x4, ASPM L0sL1, DLActive reporting
    lnksta = (0x1 | (4 << 4) | 0x2000) if windows else 0x0000
    ecaps = [(0x100, 0x0001, 1, ecap_aer(root=True))]
    if acs:
        ecaps.append((0x150, 0x000D, 1, ecap_acs(0x001F, 0x001D if acs_enabled else 0)))
    sltsta = 0x0040 if windows else 0x0000  # presence detect
    cfg = build_config(
        vendor=0x8086, device=device, cls=0x060400, rev=0x22,
        command=0x0547 if enabled else 0x0007, header=0x01,
        caps=[(0x40, 0x0D, cap_ssvid(0x15D9, 0x0000)),
              (0x60, 0x05, cap_msi(0x0001 if enabled else 0x0000, MSI_ADDR if enabled else 0, 0x4041 if enabled else 0)),
              (0x90, 0x10, cap_pcie(4, PCIE_ROOT_DEVCAP, 0x0020 if enabled else 0, lnkcap,
                                    lnksta, slot=True, sltcap=(port << 19) | 0x60, sltsta=sltsta,
                                    devcap2=0x1F, lnkctl=0x0040)),
              (0xE0, 0x01, cap_pm(0xC803))],
        ecaps=ecaps, pcie=True, int_line=0, int_pin=1,
        bridge=dict(primary=0, secondary=secondary, subordinate=secondary, mem=mem, io=io,
                    control=0x0003 if enabled else 0x0000))
    win = [(0, 0, 0), (0, 0, 0), (0, 0, 0), (0, 0, 0)]
    if windows:
        win = [(0xE000, 0xEFFF, F_BRIDGE_IO), (0xFB400000, 0xFBEFFFFF, F_BRIDGE_MEM), (0, 0, 0), (0, 0, 0)]
    return Dev(bdf, 0x8086, device, 0x060400, 0x22, cfg, irq=irq, driver=driver, svid=0x0000,
               sdid=0x0000, bridge_windows=win, group=group, numa=numa, cpulist=cpulist)


def ich10_devices(numa, cpulist, groups, iommu_on):
    g = groups
    devs = []
    # USB UHCI 00:1a.0 and 00:1d.0 (uhci_hcd, built in on RHEL 9)
    for bdf, did, io, irq, grp in (("0000:00:1a.0", 0x3A37, 0xC880, 19, g.get("usb1a")),
                                   ("0000:00:1d.0", 0x3A34, 0xC800, 23, g.get("usb1d"))):
        bar = Bar("io", io, 0x20)
        cfg = build_config(vendor=0x8086, device=did, cls=0x0C0300, rev=0x00, command=0x0005,
                           status=0x0290, multifunction=True,
                           bars=[None, None, None, None, bar], svid=0x15D9, sdid=0x0062,
                           int_line=irq, int_pin=1,
                           caps=[(0x50, 0x13, b"\x06\x03" + b"\0" * 2)], pcie=False, cacheline=0)
        devs.append(Dev(bdf, 0x8086, did, 0x0C0300, 0x00, cfg, svid=0x15D9, sdid=0x0062,
                        irq=irq, driver="uhci_hcd", bars=[None, None, None, None, bar],
                        group=grp, numa=numa, cpulist=cpulist))
    # LPC 00:1f.0 (lpc_ich)
    cfg = build_config(vendor=0x8086, device=0x3A16, cls=0x060100, rev=0x00, command=0x0007,
                       status=0x0210, multifunction=True, svid=0x15D9, sdid=0x0062,
                       caps=[(0xE0, 0x09, cap_vendor(0x0C, b"\x10\x00\x00\x00"))],
                       pcie=False, cacheline=0)
    devs.append(Dev("0000:00:1f.0", 0x8086, 0x3A16, 0x060100, 0x00, cfg, svid=0x15D9, sdid=0x0062,
                    irq=0, driver="lpc_ich", group=g.get("lpc"), numa=numa, cpulist=cpulist))
    # SATA AHCI 00:1f.2 (ahci, built in)
    bars = [Bar("io", 0xCC00, 8), Bar("io", 0xC880 + 0x100, 4), Bar("io", 0xC800 + 0x100, 8),
            Bar("io", 0xC480, 4), Bar("io", 0xC400, 0x20), Bar("mem32", 0xFAFFC000, 0x800)]
    cfg = build_config(vendor=0x8086, device=0x3A22, cls=0x010601, rev=0x00, command=0x0407,
                       status=0x02B0, svid=0x15D9, sdid=0x0062, int_line=0, int_pin=2, bars=bars,
                       caps=[(0x80, 0x05, cap_msi(0x0001, MSI_ADDR, 0x4051)),
                             (0x70, 0x01, cap_pm(0x4003, 0x0008)),
                             (0xA8, 0x12, b"\x10\x00" + le32(0x00000048)),
                             (0xB0, 0x13, b"\x06\x03" + b"\0" * 2)],
                       pcie=False, cacheline=0)
    devs.append(Dev("0000:00:1f.2", 0x8086, 0x3A22, 0x010601, 0x00, cfg, svid=0x15D9, sdid=0x0062,
                    irq=31, driver="ahci", bars=bars, group=g.get("lpc"), numa=numa, cpulist=cpulist))
    return devs


def i82576_pf(fn, *, driver, numvfs, totalvfs, group, numa, cpulist, irq, acs_ari=True):
    bdf = "0000:03:00.%d" % fn
    bars = [Bar("mem32", 0xFBE20000 - fn * 0x20000, 0x20000),
            Bar("mem32", 0xFB800000 - fn * 0x400000, 0x400000),
            Bar("io", 0xE020 - fn * 0x20, 0x20),
            Bar("mem32", 0xFBE44000 - fn * 0x4000, 0x4000)]
    vfbar0 = Bar("mem64", 0xFBD00000 + fn * 0x40000, 0x4000)
    vfbar3 = Bar("mem64", 0xFBD20000 + fn * 0x40000, 0x4000)
    bound = driver is not None
    devcap = 0x2 | (3 << 6) | (6 << 9) | (1 << 15) | (1 << 28)
    lnkcap = 0x1 | (4 << 4) | (3 << 10) | (4 << 12) | (6 << 15)
    mac = "00:1b:21:4a:5c:%02x" % (0x18 + fn)
    cfg = build_config(
        vendor=0x8086, device=0x10C9, cls=0x020000, rev=0x01,
        command=0x0407 if bound else 0x0003, multifunction=True, bars=bars,
        svid=0x8086, sdid=0xA03C, int_line=irq, int_pin=1 + fn,
        caps=[(0x40, 0x01, cap_pm(0xC823, 0x2008)),
              (0x50, 0x05, cap_msi(0x0180)),
              (0x70, 0x11, cap_msix(10, bound, 3, 0, 3, 0x2000)),
              (0xA0, 0x10, cap_pcie(0, devcap, 0x2830 if bound else 0x2810, lnkcap,
                                    0x1 | (4 << 4), devcap2=0x1F))],
        ecaps=[(0x100, 0x0001, 1, ecap_aer()),
               (0x140, 0x0003, 1, ecap_dsn(0x001B21FFFF4A5C18 + fn)),
               (0x150, 0x000E, 1, ecap_ari(1 if fn == 0 else 0)),
               (0x160, 0x0010, 1, ecap_sriov(8, 8, numvfs, fn, 0x80, 2, 0x10CA,
                                             [vfbar0, None, vfbar3]))],
        pcie=True)
    d = Dev(bdf, 0x8086, 0x10C9, 0x020000, 0x01, cfg, parent="0000:00:01.0", svid=0x8086,
            sdid=0xA03C, irq=irq, driver=driver, bars=bars, iov_bars=[vfbar0, None, vfbar3],
            group=group, numa=numa, cpulist=cpulist,
            sriov=dict(totalvfs=totalvfs, numvfs=numvfs, offset=128, stride=2, vf_device=0x10CA))
    if driver == "igb":
        d.net = dict(name="enp3s0f%d" % fn, mac=mac, ifindex=3 + fn)
    return d


def i82576_vf(pf_fn, index, *, driver, group, numa, cpulist, ifindex=None):
    devfn = 0x80 + pf_fn + 2 * index
    bdf = "0000:03:%02x.%d" % (devfn >> 3, devfn & 7)
    vfbar0 = Bar("mem64", 0xFBD00000 + pf_fn * 0x40000 + index * 0x4000, 0x4000)
    vfbar3 = Bar("mem64", 0xFBD20000 + pf_fn * 0x40000 + index * 0x4000, 0x4000)
    bound = driver is not None
    devcap = 0x2 | (3 << 6) | (6 << 9) | (1 << 15) | (1 << 28)
    cfg = build_config(
        vendor=0xFFFF, device=0xFFFF, cls=0x020000, rev=0x01, status=0x0010,
        command=0x0004 if driver == "igbvf" else 0x0000, svid=0x8086, sdid=0xA03C,
        caps=[(0x70, 0x11, cap_msix(3, bound and driver != "vfio-pci" and driver != "pci-stub", 3, 0, 3, 0x2000)),
              (0xA0, 0x10, cap_pcie(0, devcap, 0x2810, 0x1 | (4 << 4) | (3 << 10) | (4 << 12) | (6 << 15),
                                    0x0000, devcap2=0x1F))],
        ecaps=[(0x100, 0x0001, 1, ecap_aer()),
               (0x150, 0x000E, 1, ecap_ari(0))],
        pcie=True, cacheline=0)
    d = Dev(bdf, 0x8086, 0x10CA, 0x020000, 0x01, cfg, parent="0000:00:01.0", svid=0x8086,
            sdid=0xA03C, irq=0, driver=driver, bars=[vfbar0, None, vfbar3],
            group=group, numa=numa, cpulist=cpulist, physfn="0000:03:00.%d" % pf_fn)
    # resource rows: BAR0 (64-bit: rows 0,1) and BAR3 (rows 3,4)
    d.bars = [vfbar0, None, vfbar3]
    if driver == "igbvf":
        slot = devfn >> 3
        fn = devfn & 7
        name = "enp3s%d" % slot + ("f%d" % fn if fn else "")
        d.net = dict(name=name, mac="ae:5c:%02x:1e:93:%02x" % (0x10 + pf_fn, 0x40 + index),
                     ifindex=ifindex or 6)
    return d


RHEL_MODULE_SIZES = {
    "vfio_pci": (16384,), "vfio_pci_core": (94208,), "vfio_iommu_type1": (45056,),
    "vfio": (73728,), "iommufd": (110592,), "irqbypass": (16384,), "kvm_intel": (430080,),
    "kvm": (1384448,), "igb": (323584,), "igbvf": (61440,), "dca": (16384,),
    "i2c_algo_bit": (16384,), "lpc_ich": (28672,), "i2c_i801": (40960,), "i2c_smbus": (20480,),
    "xfs": (2822144,), "dm_mirror": (28672,), "dm_mod": (249856,),
}


def module_list(names_users, sizes):
    return [(n, sizes[n][0], u) for n, u in names_users]


def seed_host(name, *, vmx=True, dmar=True, iommu_on=True, cmdline_iommu=True,
              igb=True, numvfs=1, vf_drivers=("vfio-pci", "vfio-pci"), vfio=True,
              group_shared=False, root_acs=True, distro="rhel", xen=False, corpus=None,
              dmar_src=SEED_DMAR, cmdline_extra="", xen_iommu=True):
    h = Host(name)
    numa, cpulist = -1, "0-15"
    if xen:
        cpulist = "0-3"
    h.iommu = "intel" if iommu_on else None
    # ---- IOMMU groups (bus scan order; VFs are added when sriov_numvfs is written)
    g = {}
    if iommu_on:
        order = ["0000:00:00.0", "0000:00:01.0", "0000:00:03.0", "0000:00:07.0",
                 "usb1a", "usb1d", "lpc", "0000:03:00.0", "0000:03:00.1"]
        for i, k in enumerate(order):
            g[k] = i
        if group_shared:
            g["0000:03:00.1"] = g["0000:03:00.0"]
    # ---- devices
    devs = [e5520_hostbridge(numa, cpulist, g.get("0000:00:00.0"))]
    # Linux enables ACS only when an IOMMU asked for it; Xen does it itself (pci_enable_acs),
    # but only when its IOMMU is on
    acs_en = iommu_on or (xen and xen_iommu)
    devs.append(e5520_rootport("0000:00:01.0", 0x3408, 1, 0x03, 24, acs=root_acs,
                               acs_enabled=acs_en, group=g.get("0000:00:01.0"), numa=numa,
                               cpulist=cpulist, windows=True))
    devs.append(e5520_rootport("0000:00:03.0", 0x340A, 3, 0x04, 25, acs=root_acs,
                               acs_enabled=acs_en, group=g.get("0000:00:03.0"), numa=numa,
                               cpulist=cpulist))
    devs.append(e5520_rootport("0000:00:07.0", 0x340E, 7, 0x05, 26, acs=root_acs,
                               acs_enabled=acs_en, group=g.get("0000:00:07.0"), numa=numa,
                               cpulist=cpulist))
    devs += ich10_devices(numa, cpulist, g, iommu_on)
    pf_driver = "igb" if igb else None
    totalvfs = (7 if igb else 8)
    nv = numvfs if igb else 0
    pfs = [i82576_pf(fn, driver=pf_driver, numvfs=nv, totalvfs=totalvfs,
                     group=g.get("0000:03:00.%d" % fn), numa=numa, cpulist=cpulist,
                     irq=16 + fn) for fn in (0, 1)]
    for pf in pfs:
        pf.igb_queues = 2 if nv else 8   # 82576: 2 RSS queues once VFs are allocated
    devs += pfs
    vfs = []
    next_group = max(g.values()) + 1 if g else None
    ifindex = 6
    for fn in (0, 1):
        for i in range(nv):
            drv = vf_drivers[fn] if i == 0 else "igbvf"
            grp = None
            if iommu_on:
                if group_shared:
                    grp = g["0000:03:00.0"]
                else:
                    grp = next_group
                    next_group += 1
            vf = i82576_vf(fn, i, driver=drv, group=grp, numa=numa, cpulist=cpulist,
                           ifindex=ifindex)
            if drv == "igbvf":
                ifindex += 1
            pfs[fn].virtfns.append(vf.bdf)
            vfs.append(vf)
    # VFs appear in sysfs in the order they were created: all of PF0, then PF1
    devs += vfs
    h.devs = devs

    # ---- drivers registered on the PCI bus (module name or None when built in)
    h.drivers = {"pcieport": None, "uhci_hcd": None, "ahci": None, "lpc_ich": "lpc_ich",
                 "pci-stub": None}
    mods = []  # (name, users) most recently loaded first
    if vfio:
        mods += [("vfio_pci", []), ("vfio_pci_core", ["vfio_pci"]), ("vfio_iommu_type1", []),
                 ("vfio", ["vfio_pci_core", "vfio_iommu_type1", "vfio_pci"]), ("iommufd", ["vfio"])]
        h.drivers["vfio-pci"] = "vfio_pci"
        h.vfio_loaded = True
        h.module_params["vfio_pci"] = {"disable_denylist": "N", "disable_idle_d3": "N",
                                       "disable_vga": "N", "enable_sriov": "N", "nointxmask": "N"}
        h.module_params["vfio_iommu_type1"] = {"allow_unsafe_interrupts": "N",
                                               "disable_hugepages": "N",
                                               "dma_entry_limit": "65535"}
        h.module_params["vfio_pci_core"] = {"disable_idle_d3": "N", "disable_vga": "N",
                                            "nointxmask": "N"}
    if any(d.driver == "igbvf" for d in devs):
        mods.append(("igbvf", []))
        h.drivers["igbvf"] = "igbvf"
    if vmx:
        mods += [("kvm_intel", []), ("kvm", ["kvm_intel"])]
        h.module_params["kvm_intel"] = {"nested": "Y", "ept": "Y", "vpid": "Y",
                                        "enable_apicv": "N", "unrestricted_guest": "N"}
        h.module_params["kvm"] = {"halt_poll_ns": "200000", "ignore_msrs": "N"}
    irq_users = [u for u in (["vfio_pci_core"] if vfio else []) + (["kvm"] if vmx else [])]
    if irq_users:
        mods.append(("irqbypass", irq_users))
    if igb:
        mods += [("igb", []), ("dca", ["igb"]), ("i2c_algo_bit", ["igb"])]
        h.drivers["igb"] = "igb"
    mods += [("lpc_ich", []), ("i2c_i801", []), ("i2c_smbus", ["i2c_i801"]),
             ("xfs", []), ("dm_mirror", []), ("dm_mod", ["dm_mirror"])]
    h.modules = module_list(mods, RHEL_MODULE_SIZES)

    # ---- kernel command line
    cmd = RHEL_CMDLINE_BASE + (" intel_iommu=on" if cmdline_iommu else "") + cmdline_extra
    grub = RHEL_GRUB_BASE + (" intel_iommu=on" if cmdline_iommu else "") + cmdline_extra
    host_common(h, "rhel", RHEL_REL, cmd, grub)
    h.files["proc/cpuinfo"] = cpuinfo_e5520(vmx=vmx)
    h.files["etc/libvirt/qemu.conf"] = qemu_conf("qemu", "qemu")
    if igb and numvfs:
        h.files["etc/modprobe.d/igb.conf"] = "options igb max_vfs=%d\n" % numvfs
    rhel_lib_modules(h)
    h.files["boot/config-" + RHEL_REL] = RHEL_BOOT_CONFIG

    # ---- ACPI / IOMMU
    dmar_bytes = (corpus / dmar_src).read_bytes() if dmar else b""
    if dmar:
        h.acpi["DMAR"] = dmar_bytes
        h.acpi_credit.append(("DMAR", dmar_src))
    if iommu_on:
        real = "sys/devices/virtual/iommu/dmar0"
        h.iommu_units = [("dmar0", real, None)]
        h.files[real + "/intel-iommu/version"] = "1:0\n"
        h.files[real + "/intel-iommu/address"] = "%x\n" % dmar_drhd_bases(dmar_bytes)[0]
        h.files[real + "/intel-iommu/cap"] = "c90780106f0462\n"
        h.files[real + "/intel-iommu/ecap"] = "f0207e\n"
        h.unit_for = lambda d: "dmar0"
        h.resv_all = [(0xFEE00000, 0xFEEFFFFF, "msi")]
        # RMRRs of the table, resolved to the devices present (UHCI 00:1a.0 and 00:1d.0).
        # The ISA-bridge floppy region (CONFIG_INTEL_IOMMU_FLOPPY_WA) is left out, as it
        # always was on these hosts.
        h.resv = rmrr_resv(h, dmar_bytes, floppy_wa=False)
    else:
        h.resv_all = []
    # ---- /proc/interrupts: interrupt remapping is prepared from the DMAR alone
    # (intel_prepare_irq_remapping: INTR_REMAP flag, every IO-APIC under a DRHD, every
    # unit with ecap IR); intel_iommu=on is not needed for it. Xen hosts replace this.
    ir = dmar_intr_remap(dmar_bytes)
    h.irq_remap = ir
    dmar_irqs = [(27, "dmar0")] if (ir or iommu_on) else []
    h.files["proc/interrupts"] = rhel_interrupts(h, 16, 3, ir, dmar_irqs)
    return h


RHEL_BOOT_CONFIG = """\
#
# Automatically generated file; DO NOT EDIT.
# Linux/x86_64 5.14.0-427.13.1.el9_4.x86_64 Kernel Configuration
#
CONFIG_PCI=y
CONFIG_PCI_IOV=y
CONFIG_PCI_STUB=y
CONFIG_PCIEPORTBUS=y
CONFIG_PCIEAER=y
CONFIG_IOMMU_SUPPORT=y
CONFIG_IOMMU_API=y
CONFIG_IOMMU_DEFAULT_DMA_LAZY=y
# CONFIG_IOMMU_DEFAULT_PASSTHROUGH is not set
CONFIG_INTEL_IOMMU=y
CONFIG_INTEL_IOMMU_SVM=y
# CONFIG_INTEL_IOMMU_DEFAULT_ON is not set
CONFIG_INTEL_IOMMU_FLOPPY_WA=y
CONFIG_INTEL_IOMMU_SCALABLE_MODE_DEFAULT_ON=y
CONFIG_AMD_IOMMU=y
CONFIG_AMD_IOMMU_V2=m
CONFIG_IRQ_REMAP=y
CONFIG_IOMMUFD=m
CONFIG_VFIO=m
CONFIG_VFIO_CONTAINER=y
CONFIG_VFIO_IOMMU_TYPE1=m
CONFIG_VFIO_NOIOMMU=y
CONFIG_VFIO_PCI_CORE=m
CONFIG_VFIO_PCI=m
CONFIG_VFIO_PCI_VGA=y
CONFIG_VFIO_PCI_INTX=y
CONFIG_KVM=m
CONFIG_KVM_INTEL=m
CONFIG_KVM_AMD=m
CONFIG_IRQ_BYPASS_MANAGER=m
CONFIG_IGB=m
CONFIG_IGB_HWMON=y
CONFIG_IGB_DCA=y
CONFIG_IGBVF=m
CONFIG_DCA=m
# CONFIG_XEN is not set
"""


def rhel_lib_modules(h):
    base = "lib/modules/%s/" % RHEL_REL
    h.files[base + "modules.builtin"] = "\n".join([
        "kernel/drivers/pci/pci-stub.ko",
        "kernel/drivers/pci/pcie/pcieportdrv.ko",
        "kernel/drivers/usb/host/ehci-hcd.ko",
        "kernel/drivers/usb/host/ehci-pci.ko",
        "kernel/drivers/usb/host/uhci-hcd.ko",
        "kernel/drivers/usb/host/xhci-hcd.ko",
        "kernel/drivers/usb/host/xhci-pci.ko",
        "kernel/drivers/ata/libahci.ko",
        "kernel/drivers/ata/ahci.ko",
        "kernel/drivers/ata/libata.ko",
        "kernel/drivers/virtio/virtio.ko",
        "kernel/drivers/virtio/virtio_ring.ko",
    ]) + "\n"
    x = ".ko.xz"
    h.files[base + "modules.dep"] = "".join([
        "kernel/arch/x86/kvm/kvm.ko.xz:\n",
        "kernel/arch/x86/kvm/kvm-intel.ko.xz: kernel/arch/x86/kvm/kvm.ko.xz\n",
        "kernel/arch/x86/kvm/kvm-amd.ko.xz: kernel/arch/x86/kvm/kvm.ko.xz\n",
        "kernel/virt/lib/irqbypass.ko.xz:\n",
        "kernel/drivers/dca/dca.ko.xz:\n",
        "kernel/drivers/i2c/algos/i2c-algo-bit.ko.xz:\n",
        "kernel/drivers/net/ethernet/intel/igb/igb.ko.xz: kernel/drivers/dca/dca.ko.xz kernel/drivers/i2c/algos/i2c-algo-bit.ko.xz\n",
        "kernel/drivers/net/ethernet/intel/igbvf/igbvf.ko.xz:\n",
        "kernel/drivers/iommu/iommufd/iommufd.ko.xz:\n",
        "kernel/drivers/vfio/vfio.ko.xz: kernel/drivers/iommu/iommufd/iommufd.ko.xz\n",
        "kernel/drivers/vfio/vfio_iommu_type1.ko.xz: kernel/drivers/vfio/vfio.ko.xz kernel/drivers/iommu/iommufd/iommufd.ko.xz\n",
        "kernel/drivers/vfio/pci/vfio-pci-core.ko.xz: kernel/drivers/vfio/vfio.ko.xz kernel/drivers/iommu/iommufd/iommufd.ko.xz kernel/virt/lib/irqbypass.ko.xz\n",
        "kernel/drivers/vfio/pci/vfio-pci.ko.xz: kernel/drivers/vfio/pci/vfio-pci-core.ko.xz kernel/drivers/vfio/vfio.ko.xz kernel/drivers/iommu/iommufd/iommufd.ko.xz kernel/virt/lib/irqbypass.ko.xz\n",
        "kernel/drivers/mfd/lpc_ich.ko.xz:\n",
        "kernel/drivers/i2c/busses/i2c-i801.ko.xz: kernel/drivers/i2c/i2c-smbus.ko.xz\n",
        "kernel/drivers/i2c/i2c-smbus.ko.xz:\n",
    ])
    h.files[base + "modules.alias"] = "".join([
        "# Aliases extracted from modules themselves.\n",
        "alias pci:v00008086d000010C9sv*sd*bc*sc*i* igb\n",
        "alias pci:v00008086d000010E6sv*sd*bc*sc*i* igb\n",
        "alias pci:v00008086d000010E7sv*sd*bc*sc*i* igb\n",
        "alias pci:v00008086d000010E8sv*sd*bc*sc*i* igb\n",
        "alias pci:v00008086d00001526sv*sd*bc*sc*i* igb\n",
        "alias pci:v00008086d0000150Dsv*sd*bc*sc*i* igb\n",
        "alias pci:v00008086d000010A7sv*sd*bc*sc*i* igb\n",
        "alias pci:v00008086d000010A9sv*sd*bc*sc*i* igb\n",
        "alias pci:v00008086d000010D6sv*sd*bc*sc*i* igb\n",
        "alias pci:v00008086d00001521sv*sd*bc*sc*i* igb\n",
        "alias pci:v00008086d00001520sv*sd*bc*sc*i* igbvf\n",
        "alias pci:v00008086d000010CAsv*sd*bc*sc*i* igbvf\n",
        "alias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci\n",
        "alias char-major-10-196 vfio\n",
        "alias devname:vfio/vfio vfio\n",
        "alias pci:v00008086d00003A16sv*sd*bc*sc*i* lpc_ich\n",
        "alias pci:v00008086d00003A30sv*sd*bc*sc*i* i2c_i801\n",
        "alias cpu:type:x86,ven*fam*mod*:feature:*0085* kvm_intel\n",
        "alias cpu:type:x86,ven*fam*mod*:feature:*00C2* kvm_amd\n",
    ])


# --------------------------------------------------------------------------
# Scenario READMEs
# --------------------------------------------------------------------------

SEED_HW = """\
Hand-built tree of the SR-IOV guide's host (`/work/shared/reference/sriov-guide.txt`):
a Supermicro X8DTT (Intel 5520 "Tylersburg" IOH + ICH10R) with two Xeon E5520 (16 logical
CPUs) running Red Hat Enterprise Linux 9.4, kernel `5.14.0-427.13.1.el9_4.x86_64`, and an
Intel 82576 dual-port NIC (8086:10c9, subsystem 8086:a03c "Gigabit ET Dual Port Server
Adapter") at 03:00.0/03:00.1 behind root port 00:01.0 (8086:3408). The 82576 SR-IOV
capability: InitialVFs/TotalVFs 8, First VF Offset 128, VF Stride 2, VF Device ID 10ca, so
PF 03:00.0's VFs are 03:10.0, 03:10.2, ... and PF 03:00.1's are 03:10.1, 03:10.3, ...
igb caps `sriov_totalvfs` at 7 while it is bound (the guide's "valid range is 0 to 7").

PCI devices: 00:00.0 host bridge 8086:3406, root ports 00:01.0 (8086:3408, bus 03),
00:03.0 (8086:340a, bus 04, empty), 00:07.0 (8086:340e, bus 05, empty), 00:1a.0 and 00:1d.0
UHCI (8086:3a37/3a34, uhci_hcd), 00:1f.0 LPC (8086:3a16, lpc_ich), 00:1f.2 AHCI
(8086:3a22, ahci), the two 82576 PFs and their VFs.
"""

CREDIT = """
## Data credits

"""


def credit_lines(h):
    out = []
    for name, src in h.acpi_credit:
        out.append("- `sys/firmware/acpi/tables/%s`: %s`%s` from linuxhw/ACPI "
                   "(https://github.com/linuxhw/ACPI, CC-BY-4.0), via `corpus/%s`."
                   % (name, "derived from " if name == "XMAR" else "exact bytes of ",
                      os.path.basename(src), src))
    if not out:
        out.append("- No third-party data: every file was written by `tools/mkhosts.py`.")
    return "\n".join(out) + "\n"


def groups_table(h):
    rows = ["| device | ids | driver | IOMMU group |", "| --- | --- | --- | --- |"]
    for d in h.devs:
        rows.append("| %s | %04x:%04x | %s | %s |" % (
            d.bdf, d.vendor, d.device, d.driver or "-", "-" if d.group is None else d.group))
    return "\n".join(rows) + "\n"


def finish_readme(h, title, state, expect):
    h.readme = "# %s\n\n%s\n## State\n\n%s\n## Expected verdict\n\n%s\n## Devices\n\n%s%s%s" % (
        title, h.hw_text, state, expect, groups_table(h), CREDIT, credit_lines(h))


# --------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------


def sc_seed_ready(c):
    h = seed_host("seed-ready", corpus=c)
    h.description = "82576 host ready for assignment: VT-x, VT-d on, igb max_vfs=1, both VFs on vfio-pci"
    h.targets = ["0000:03:10.0"]
    h.hw_text = SEED_HW
    finish_readme(h, "seed-ready", (
        "- CPU flags have `vmx`; `intel_iommu=on` on the command line; DMAR present; IOMMU on (`dmar0`).\n"
        "- igb (+dca) loaded with `max_vfs=1` (`/etc/modprobe.d/igb.conf`): `sriov_numvfs` 1 on each PF,\n"
        "  `sriov_totalvfs` 7.\n"
        "- VFs 03:10.0 (of 03:00.0) and 03:10.1 (of 03:00.1) are bound to vfio-pci; `/dev/vfio/9` and\n"
        "  `/dev/vfio/10` exist (major 243, minors 0 and 1).\n"
        "- Root ports have ACS (enabled); the 82576 functions are isolated by the kernel's\n"
        "  multi-function ACS quirk, so each PF and each VF is alone in its IOMMU group.\n"),
        "Every check passes for 0000:03:10.0.\n")
    return h


def sc_seed_no_vtd(c):
    h = seed_host("seed-no-vtd", dmar=False, iommu_on=False, vf_drivers=("igbvf", "igbvf"), corpus=c)
    h.description = "VT-d disabled in the BIOS: no DMAR table, IOMMU off although intel_iommu=on is set"
    h.targets = ["0000:03:10.0"]
    h.hw_text = SEED_HW
    finish_readme(h, "seed-no-vtd", (
        "- VT-d is disabled in the BIOS setup, so the firmware publishes no DMAR table\n"
        "  (`sys/firmware/acpi/tables/DMAR` is absent).\n"
        "- `intel_iommu=on` is on the command line but there is nothing to turn on: `sys/class/iommu/`\n"
        "  and `sys/kernel/iommu_groups/` are empty, no device has `iommu_group` or `iommu` links,\n"
        "  and the root ports' ACS control is left at 0 (Linux only enables ACS for an IOMMU).\n"
        "- vfio modules are loaded (`/dev/vfio/vfio` exists) but vfio-pci cannot bind without an\n"
        "  IOMMU group: both VFs are on igbvf (`enp3s16`, `enp3s16f1`).\n"),
        "`firmware.iommu` fails (no DMAR table: enable VT-d in the BIOS); `kernel.iommu` fails as a\n"
        "consequence; `iommu.group` is unknown/skip for the target.\n")
    return h


def sc_seed_iommu_off(c):
    h = seed_host("seed-iommu-off", iommu_on=False, cmdline_iommu=False,
                  vf_drivers=("igbvf", "igbvf"), corpus=c)
    h.description = "DMAR present but intel_iommu=on missing (RHEL 9 default off): IOMMU off"
    h.targets = ["0000:03:10.0"]
    h.hw_text = SEED_HW
    finish_readme(h, "seed-iommu-off", (
        "- DMAR table present (VT-d enabled in firmware).\n"
        "- The command line lacks `intel_iommu=on`, and RHEL 9 builds with\n"
        "  `# CONFIG_INTEL_IOMMU_DEFAULT_ON is not set`, so the Intel IOMMU stays off: no\n"
        "  `sys/class/iommu` units, no IOMMU groups, no `iommu_group`/`iommu` links.\n"
        "- VFs on igbvf; vfio modules loaded, no `/dev/vfio/<group>`.\n"),
        "`kernel.iommu` fails (add `intel_iommu=on`); `firmware.iommu` passes.\n")
    return h


def sc_seed_no_vmx(c):
    h = seed_host("seed-no-vmx", vmx=False, corpus=c)
    h.description = "VT-x disabled in the BIOS: no vmx flag, kvm_intel not loaded"
    h.targets = ["0000:03:10.0"]
    h.hw_text = SEED_HW
    finish_readme(h, "seed-no-vmx", (
        "- Same as seed-ready, but VT-x is disabled in the BIOS: `vmx` (and the VMX feature flags\n"
        "  `tpr_shadow vnmi flexpriority ept vpid`, and the `vmx flags` line) are missing from\n"
        "  `/proc/cpuinfo`; kvm_intel is not loaded (it refuses to load), nor kvm.\n"),
        "`cpu.virtualization` fails; everything device-related passes.\n")
    return h


def sc_seed_no_igb(c):
    h = seed_host("seed-no-igb", igb=False, corpus=c)
    h.description = "PF driver igb not loaded: PFs unbound, sriov_numvfs 0, no VFs"
    h.targets = ["0000:03:10.0"]
    h.hw_text = SEED_HW
    finish_readme(h, "seed-no-igb", (
        "- igb and dca are not loaded (`modules.alias` still maps 8086:10c9 to igb). The PFs have no\n"
        "  driver, `enable` 0, no `net/`; `sriov_totalvfs` reads 8 (from the capability, no driver\n"
        "  cap), `sriov_numvfs` 0, no VFs exist, so 03:10.0 is not a device on this host.\n"
        "- IOMMU on, vfio loaded (`/dev/vfio/vfio` only).\n"),
        "`modules.pf-driver` fails for 03:00.0/03:00.1; `sriov.vfs` fails; the target 0000:03:10.0\n"
        "does not exist (the report should say it is a VF that would exist once VFs are created).\n")
    return h


def sc_seed_no_vfio(c):
    h = seed_host("seed-no-vfio", vfio=False, vf_drivers=("igbvf", "igbvf"), corpus=c)
    h.description = "vfio modules not loaded: VFs on igbvf, no /dev/vfio"
    h.targets = ["0000:03:10.0"]
    h.hw_text = SEED_HW
    finish_readme(h, "seed-no-vfio", (
        "- IOMMU on, groups as in seed-ready.\n"
        "- vfio_pci, vfio_pci_core, vfio_iommu_type1, vfio (and iommufd) are not loaded; they are\n"
        "  modules on RHEL 9 (`=m` in boot/config, not in modules.builtin). No `/dev/vfio`.\n"
        "- Both VFs are on igbvf.\n"),
        "`modules.vfio` fails; `device.host-driver` warns/fails for 03:10.0 (bound to igbvf).\n")
    return h


def sc_seed_no_vfs(c):
    h = seed_host("seed-no-vfs", numvfs=0, corpus=c)
    h.description = "igb loaded but no VFs created (sriov_numvfs 0)"
    h.targets = []
    h.hw_text = SEED_HW
    finish_readme(h, "seed-no-vfs", (
        "- igb loaded without `max_vfs` and nothing wrote `sriov_numvfs`: 0 on both PFs,\n"
        "  `sriov_totalvfs` 7. No VFs, no `/etc/modprobe.d/igb.conf`.\n"
        "- IOMMU on, vfio loaded.\n"),
        "`sriov.vfs` fails (or warns) for both PFs: SR-IOV capable, 0 of 7 VFs enabled. No target.\n")
    return h


def sc_seed_group_shared(c):
    h = seed_host("seed-group-shared", root_acs=False, group_shared=True,
                  vf_drivers=("vfio-pci", "igbvf"), corpus=c)
    h.description = "82576 functions and VFs share one IOMMU group; 03:10.1 on igbvf makes it not viable"
    h.targets = ["0000:03:10.0"]
    h.hw_text = SEED_HW
    finish_readme(h, "seed-group-shared", (
        "- Root ports 00:01.0, 00:03.0, 00:07.0 have no ACS capability (config space has none), and\n"
        "  (pretend) no ACS quirk applies to the 82576, so 03:00.0, 03:00.1, 03:10.0 and 03:10.1\n"
        "  share IOMMU group 7 (the root port stays alone in group 1: a root port is isolated from\n"
        "  its own downstream bus).\n"
        "- PFs on igb, 03:10.0 on vfio-pci, 03:10.1 on igbvf. `/dev/vfio/7` exists (a group node is\n"
        "  created as soon as one device of the group is bound to vfio-pci), but the group is not\n"
        "  viable: QEMU's VFIO_GROUP_GET_STATUS does not report VIABLE.\n"),
        "`iommu.group` fails for 03:10.0: group 7 also holds 03:00.0, 03:00.1 (igb) and 03:10.1\n"
        "(igbvf), which are bound to host drivers.\n")
    return h


def sc_seed_host_driver(c):
    h = seed_host("seed-host-driver", vf_drivers=("igbvf", "vfio-pci"), corpus=c)
    h.description = "target VF 03:10.0 is bound to igbvf (host uses it as enp3s16)"
    h.targets = ["0000:03:10.0"]
    h.hw_text = SEED_HW
    finish_readme(h, "seed-host-driver", (
        "- Like seed-ready, but 03:10.0 is bound to igbvf and is the host interface `enp3s16`;\n"
        "  03:10.1 is on vfio-pci (`/dev/vfio/10`).\n"),
        "`device.host-driver` fails for 03:10.0 (bound to igbvf, net `enp3s16`): with managed='yes'\n"
        "libvirt would unbind it; with managed='no' the guest fails to start.\n")
    return h


def sc_seed_config_denied(c):
    h = seed_host("seed-config-denied", vf_drivers=("pci-stub", "vfio-pci"), corpus=c)
    h.description = "legacy pci-stub assignment: QEMU as user qemu cannot open config (0644 root)"
    h.targets = ["0000:03:10.0"]
    h.hw_text = SEED_HW
    h.files["etc/libvirt/qemu.conf"] = qemu_conf("qemu", "qemu", set_user=True)
    h.files["proc/cmdline"] = h.files["proc/cmdline"].replace("\n", " pci-stub.ids=8086:10ca\n")
    finish_readme(h, "seed-config-denied", (
        "- Legacy (pci-assign era) setup, as in the guide's error\n"
        "  `get_real_device: /sys/bus/pci/devices/0000:03:10.0/config: Permission denied`:\n"
        "  03:10.0 is bound to `pci-stub` (built in on RHEL 9, so its driver directory has no\n"
        "  `module` link and `sys/module/pci_stub` does not exist: its only parameter has\n"
        "  permission 0). `pci-stub.ids=8086:10ca` is on the command line.\n"
        "  03:10.1 is on vfio-pci.\n"
        "- `/etc/libvirt/qemu.conf` sets `user = \"qemu\"`, `group = \"qemu\"` and\n"
        "  `dynamic_ownership = 0`, so libvirt does not chown the device files; 03:10.0's `config`\n"
        "  is 0644 root:root, so QEMU running as qemu (uid 107) cannot open it read-write.\n"),
        "`device.config-access` fails for 03:10.0 (config 0644 root:root, QEMU user qemu, dynamic\n"
        "ownership off); `device.host-driver` should flag pci-stub as the legacy path (use vfio-pci).\n")
    return h


NOIR_HW = """
The firmware is swapped for one without interrupt remapping: `sys/firmware/acpi/tables/DMAR`
is the real table of a Dell Precision WorkStation T3500 (X58, the single-IOH sibling of the
5520 "Tylersburg", with the same root ports 00:01.0, 00:03.0 and 00:07.0 its ATSR names):
flags 0 (no INTR_REMAP), one DRHD at 0xfedc0000 with INCLUDE_PCI_ALL and no device scope
(so no IO-APIC under it either), an RMRR 0xdfe58000-0xdfe6ffff for the USB controllers
00:1a.x/00:1d.x, and an ATSR. `dmar0`'s `address` is the table's fedc0000; its `cap`/`ecap`
are the 5520 IOH's of the other seed hosts (the X58 IOH is the same silicon; ecap still has
the IR bit: the hardware could remap, the firmware does not announce it).
"""

NOIR_STATE = """\
- `intel_iommu=on`; DMA remapping is on (`dmar0`, IOMMU groups as in seed-ready, `DMA-FQ`).
  UHCI groups 4 and 5 reserve the T3500 RMRR `0xdfe58000-0xdfe6ffff` (direct-relaxable).
- Interrupt remapping is off: `intel_prepare_irq_remapping()` stops at `dmar_ir_support()`
  (DMAR flags bit 0 clear). `/proc/interrupts` shows `IO-APIC`, `PCI-MSI` and the DMA
  remapping unit's fault interrupt `DMAR-MSI 0-edge dmar0`; no `IR-` chip. The kernel log is
  not part of the tree.
- VFs 03:10.0 and 03:10.1 on vfio-pci, `/dev/vfio/9` and `/dev/vfio/10`.
"""


def noir_host(name, unsafe, c):
    h = seed_host(name, dmar_src=NOIR_DMAR, corpus=c)
    h.hw_text = SEED_HW + NOIR_HW
    if unsafe:
        h.module_params["vfio_iommu_type1"]["allow_unsafe_interrupts"] = "Y"
        h.files["etc/modprobe.d/vfio.conf"] = "options vfio_iommu_type1 allow_unsafe_interrupts=1\n"
    return h


def sc_seed_no_intremap(c):
    h = noir_host("seed-no-intremap", False, c)
    h.description = "firmware DMAR without INTR_REMAP: IOMMU on, no interrupt remapping, allow_unsafe_interrupts N"
    h.targets = ["0000:03:10.0"]
    finish_readme(h, "seed-no-intremap", NOIR_STATE + (
        "- `vfio_iommu_type1` is loaded with `allow_unsafe_interrupts` = `N` (the default; no\n"
        "  `/etc/modprobe.d/vfio.conf`).\n"),
        "Not ready for 0000:03:10.0: every check of seed-ready passes, but VFIO refuses to attach\n"
        "the group to a container (`vfio_iommu_type1_attach_group`: \"No interrupt remapping\n"
        "support.  Use the module param \"allow_unsafe_interrupts\" to enable VFIO IOMMU support on\n"
        "this platform\", -EPERM), so QEMU cannot start with the VF. Remedies: firmware that\n"
        "announces interrupt remapping, or `options vfio_iommu_type1 allow_unsafe_interrupts=1`\n"
        "(accepting that a guest can inject interrupts: see seed-unsafe-interrupts).\n")
    return h


def sc_seed_unsafe_interrupts(c):
    h = noir_host("seed-unsafe-interrupts", True, c)
    h.description = "no interrupt remapping, vfio_iommu_type1 allow_unsafe_interrupts=1 via /etc/modprobe.d/vfio.conf"
    h.targets = ["0000:03:10.0"]
    finish_readme(h, "seed-unsafe-interrupts", NOIR_STATE + (
        "- `/etc/modprobe.d/vfio.conf` has `options vfio_iommu_type1 allow_unsafe_interrupts=1`, and\n"
        "  the loaded module shows it: `sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts`\n"
        "  = `Y`.\n"),
        "Assignment of 0000:03:10.0 works: VFIO accepts the group without interrupt remapping\n"
        "because of `allow_unsafe_interrupts`. Worth a warning, not a failure: without remapping a\n"
        "guest driving the VF can make it write MSIs the host did not program (interrupt injection\n"
        "into the host or other guests).\n")
    return h


def sc_seed_pt_mismatch(c):
    h = seed_host("seed-pt-mismatch", cmdline_extra=" iommu=pt iommu.passthrough=0", corpus=c)
    h.description = "iommu=pt overridden by a later iommu.passthrough=0: groups are DMA-FQ, not identity"
    h.targets = ["0000:03:10.0"]
    h.hw_text = SEED_HW
    finish_readme(h, "seed-pt-mismatch", (
        "- Like seed-ready, but the command line (and `GRUB_CMDLINE_LINUX`) ends in\n"
        "  `intel_iommu=on iommu=pt iommu.passthrough=0`. Both are early parameters handled in\n"
        "  command-line order: `iommu=pt` calls `iommu_set_default_passthrough(true)`, then\n"
        "  `iommu.passthrough=0` calls `iommu_set_default_translated(true)`, so the last one wins\n"
        "  and default domains are translated, lazily flushed: every group `type` reads `DMA-FQ`\n"
        "  (RHEL 9's 5.14 carries the DMA-FQ domain type of upstream 5.15, and\n"
        "  `CONFIG_IOMMU_DEFAULT_DMA_LAZY=y`), not `identity`.\n"),
        "Every check of seed-ready passes for 0000:03:10.0 (VFIO gets its own domain either way);\n"
        "a check that reads `iommu=pt` off the command line and expects `identity` groups must\n"
        "see that the later `iommu.passthrough=0` overrides it.\n")
    return h


# --------------------------------------------------------------------------
# HP ProLiant DL380e Gen8: 2x Xeon E5-2470 v2 (Ivy Bridge-EN), C600 "Patsburg" PCH,
# RHEL 9.4; firmware RMRRs on the embedded NIC, the SATA controller and iLO
# --------------------------------------------------------------------------

E5_2470V2_FLAGS = ("fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush "
                   "dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc "
                   "arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc cpuid aperfmperf pni "
                   "pclmulqdq dtes64 monitor ds_cpl vmx smx est tm2 ssse3 cx16 xtpr pdcm pcid dca "
                   "sse4_1 sse4_2 x2apic popcnt tsc_deadline_timer aes xsave avx f16c rdrand lahf_lm "
                   "cpuid_fault epb pti intel_ppin ssbd ibrs ibpb stibp tpr_shadow vnmi flexpriority "
                   "ept vpid fsgsbase smep erms xsaveopt dtherm ida arat pln pts md_clear flush_l1d")
E5_2470V2_VMX_FLAGS = ("vnmi preemption_timer posted_intr invvpid ept_x_only ept_1gb flexpriority "
                       "apicv tsc_offset vtpr mtf vapic ept vpid unrestricted_guest ple")
IVB_CORE_IDS = [0, 1, 2, 3, 4, 8, 9, 10, 11, 12]  # a 10-core Ivy Bridge-EP die


def cpuinfo_e5_2470v2():
    out = []
    for n in range(40):
        sock, core, thread = (n % 20) // 10, IVB_CORE_IDS[n % 10], n // 20
        apic = sock * 32 + core * 2 + thread
        out.append("\n".join([
            "processor\t: %d" % n,
            "vendor_id\t: GenuineIntel",
            "cpu family\t: 6",
            "model\t\t: 62",
            "model name\t: Intel(R) Xeon(R) CPU E5-2470 v2 @ 2.40GHz",
            "stepping\t: 4",
            "microcode\t: 0x42e",
            "cpu MHz\t\t: %s" % ("2400.000" if n % 3 else "1200.%03d" % (100 + n)),
            "cache size\t: 25600 KB",
            "physical id\t: %d" % sock,
            "siblings\t: 20",
            "core id\t\t: %d" % core,
            "cpu cores\t: 10",
            "apicid\t\t: %d" % apic,
            "initial apicid\t: %d" % apic,
            "fpu\t\t: yes",
            "fpu_exception\t: yes",
            "cpuid level\t: 13",
            "wp\t\t: yes",
            "flags\t\t: " + E5_2470V2_FLAGS,
            "vmx flags\t: " + E5_2470V2_VMX_FLAGS,
            "bugs\t\t: " + E5520_BUGS,
            "bogomips\t: 4799.%02d" % (60 + n % 9),
            "clflush size\t: 64",
            "cache_alignment\t: 64",
            "address sizes\t: 46 bits physical, 48 bits virtual",
            "power management:",
            "", ""]))
    return "".join(out)


HP_SVID, HP_SDID = 0x103C, 0x18A8  # board subsystem id of the chipset functions (see README)


def hp_rootport(bdf, device, rev, secondary, irq, *, iio, group, numa, cpulist, parent_bus=0,
                window=None, port=1, slot=True):
    """IIO root ports (0e02/0e03/0e08) have ACS at 0x110 and AER at 0x148; the PCH root
    ports (1d18/1d1e) have neither (Linux isolates them with its Patsburg ACS quirk)."""
    lnkcap = (0x2 if iio else 0x1) | (4 << 4) | (3 << 10) | (port << 24) | (1 << 20)
    lnksta = ((0x2 if iio else 0x1) | (4 << 4) | 0x2000) if window else 0
    ecaps = []
    if iio:
        ecaps = [(0x100, 0x000B, 1, le32(0x0002 | (0x00C << 20)) + le32(0)),  # VSEC ID 2, len 0xc
                 (0x110, 0x000D, 1, ecap_acs(0x001F, 0x001D)),
                 (0x148, 0x0001, 1, ecap_aer(root=True))]
    mem, pref = (window or ((0xFFF00000, 0x000FFFFF), (0xFFF00000, 0x000FFFFF)))
    cfg = build_config(
        vendor=0x8086, device=device, cls=0x060400, rev=rev, command=0x0547, header=0x01,
        caps=[(0x40, 0x0D, cap_ssvid(HP_SVID, HP_SDID)),
              (0x60, 0x05, cap_msi(0x0001, MSI_ADDR, 0x4021 + (irq & 0xF))),
              (0x90, 0x10, cap_pcie(4, PCIE_ROOT_DEVCAP, 0x0020, lnkcap, lnksta, slot=slot,
                                    sltcap=((port << 19) | 0x60) if slot else 0,
                                    sltsta=0x0040 if window and slot else 0, devcap2=0x1F)),
              (0xE0, 0x01, cap_pm(0xC803))],
        ecaps=ecaps, pcie=True, int_pin=1,
        bridge=dict(primary=parent_bus, secondary=secondary, subordinate=secondary, mem=mem,
                    pref=pref, control=0x0003))
    win = [(0, 0, 0)] * 4
    if window:
        win = [(0, 0, 0), (mem[0], mem[1], F_BRIDGE_MEM),
               (pref[0], pref[1], F_BRIDGE_PREF64) if pref[0] < pref[1] else (0, 0, 0), (0, 0, 0)]
    return Dev(bdf, 0x8086, device, 0x060400, rev, cfg, irq=irq, driver="pcieport",
               bridge_windows=win, group=group, numa=numa, cpulist=cpulist)


def hp_ep(bdf, vendor, device, cls, rev, *, parent, svid, sdid, driver, bars, irq=0, int_pin=1,
          caps=(), ecaps=(), pcie=True, multifunction=False, group, numa=0, cpulist="0-9,20-29",
          command=None, status=0x0010):
    if command is None:
        command = 0x0406 if driver else 0x0000
    cfg = build_config(vendor=vendor, device=device, cls=cls, rev=rev, command=command,
                       status=status, multifunction=multifunction, bars=bars, svid=svid,
                       sdid=sdid, int_line=irq if irq < 0x100 else 0xFF, int_pin=int_pin,
                       caps=caps, ecaps=ecaps, pcie=pcie, cacheline=0x10 if pcie else 0)
    return Dev(bdf, vendor, device, cls, rev, cfg, parent=parent, svid=svid, sdid=sdid,
               irq=irq, driver=driver, bars=bars, group=group, numa=numa, cpulist=cpulist)


def hp_host(c):
    h = Host("hp-rmrr")
    n0, n1 = "0-9,20-29", "10-19,30-39"
    devs = []
    hb = build_config(vendor=0x8086, device=0x0E00, cls=0x060000, rev=0x04, command=0x0000,
                      svid=HP_SVID, sdid=HP_SDID,
                      caps=[(0x90, 0x10, cap_pcie(4, PCIE_ROOT_DEVCAP, 0, 0x2 | (4 << 4), 0)),
                            (0xE0, 0x01, cap_pm(0x0003))], pcie=True)
    devs.append(Dev("0000:00:00.0", 0x8086, 0x0E00, 0x060000, 0x04, hb, svid=HP_SVID,
                    sdid=HP_SDID, group=0, numa=0, cpulist=n0))
    # IIO root ports of CPU 1: 1a and 1b (riser slots, empty), 3a (slot with the I350)
    devs.append(hp_rootport("0000:00:01.0", 0x0E02, 0x04, 0x04, 74, iio=True, group=1,
                            numa=0, cpulist=n0, port=1))
    devs.append(hp_rootport("0000:00:01.1", 0x0E03, 0x04, 0x05, 75, iio=True, group=2,
                            numa=0, cpulist=n0, port=2))
    devs.append(hp_rootport("0000:00:03.0", 0x0E08, 0x04, 0x06, 76, iio=True, group=3,
                            numa=0, cpulist=n0, port=3,
                            window=((0xF7C00000, 0xF7FFFFFF), (0xF7000000, 0xF70FFFFF))))
    # PCH: EHCI #2, root port 5 (embedded NIC), root port 8 (iLO), EHCI #1, LPC, SATA
    ehci_caps = [(0x50, 0x01, cap_pm(0xC9C2)), (0x58, 0x0A, b"\xa0\x20"),
                 (0x98, 0x13, b"\x06\x03" + b"\0" * 2)]
    devs.append(hp_ep("0000:00:1a.0", 0x8086, 0x1D2D, 0x0C0320, 0x05, parent=None, svid=HP_SVID,
                      sdid=HP_SDID, driver="ehci-pci", bars=[Bar("mem32", 0xF7DFF000, 0x400)],
                      irq=21, int_pin=1, caps=ehci_caps, pcie=False, group=4, command=0x0146,
                      status=0x0290))
    devs.append(hp_rootport("0000:00:1c.4", 0x1D18, 0xB5, 0x03, 77, iio=False, group=5,
                            numa=0, cpulist=n0, port=5, slot=False,
                            window=((0xF6F00000, 0xF6FFFFFF), (0xF6000000, 0xF6EFFFFF))))
    devs.append(hp_rootport("0000:00:1c.7", 0x1D1E, 0xB5, 0x01, 78, iio=False, group=6,
                            numa=0, cpulist=n0, port=8, slot=False,
                            window=((0xF7E00000, 0xF7EFFFFF), (0xF5000000, 0xF5FFFFFF))))
    devs.append(hp_ep("0000:00:1d.0", 0x8086, 0x1D26, 0x0C0320, 0x05, parent=None, svid=HP_SVID,
                      sdid=HP_SDID, driver="ehci-pci", bars=[Bar("mem32", 0xF7DFE000, 0x400)],
                      irq=20, int_pin=1, caps=ehci_caps, pcie=False, group=7, command=0x0146,
                      status=0x0290))
    devs.append(hp_ep("0000:00:1f.0", 0x8086, 0x1D41, 0x060100, 0x05, parent=None, svid=HP_SVID,
                      sdid=HP_SDID, driver="lpc_ich", bars=[], int_pin=0,
                      caps=[(0xE0, 0x09, cap_vendor(0x0C, b"\x10\x00\x00\x00"))], pcie=False,
                      multifunction=True, group=8, command=0x0007, status=0x0210))
    sata_bars = [Bar("io", 0x4000, 8), Bar("io", 0x4008, 4), Bar("io", 0x4010, 8),
                 Bar("io", 0x4018, 4), Bar("io", 0x4020, 0x20), Bar("mem32", 0xF7DFD000, 0x800)]
    devs.append(hp_ep("0000:00:1f.2", 0x8086, 0x1D02, 0x010601, 0x05, parent=None, svid=HP_SVID,
                      sdid=HP_SDID, driver="ahci", bars=sata_bars, irq=81, int_pin=2,
                      caps=[(0x70, 0x01, cap_pm(0x4003)),
                            (0x80, 0x05, cap_msi(0x0001, MSI_ADDR, 0x4061)),
                            (0xA8, 0x12, b"\x10\x00" + le32(0x00000048))],
                      pcie=False, multifunction=True, group=8, command=0x0407, status=0x02B0))
    # 03:00.0-3: embedded "HP Ethernet 1Gb 4-port 331i Adapter" (BCM5719) behind 00:1c.4
    for fn in range(4):
        bars = [Bar("pref64", 0xF6EF0000 - fn * 0x30000, 0x10000), None,
                Bar("pref64", 0xF6EE0000 - fn * 0x30000, 0x10000), None,
                Bar("pref64", 0xF6ED0000 - fn * 0x30000, 0x10000)]
        devcap = 0x1 | (0 << 6) | (7 << 9) | (1 << 15) | (1 << 28)
        d = hp_ep("0000:03:00.%d" % fn, 0x14E4, 0x1657, 0x020000, 0x01, parent="0000:00:1c.4",
                  svid=HP_SVID, sdid=0x22BE, driver="tg3", bars=bars, irq=16 + fn, int_pin=1 + fn,
                  caps=[(0x48, 0x01, cap_pm(0xC803, 0x2008)),
                        (0x50, 0x03, b"\0" * 6),
                        (0x58, 0x05, cap_msi(0x0080)),
                        (0xA0, 0x11, cap_msix(17, True, 4, 0, 4, 0x120)),
                        (0xAC, 0x10, cap_pcie(0, devcap, 0x5957, 0x1 | (4 << 4) | (3 << 10),
                                              0x1 | (4 << 4), devcap2=0x1F))],
                  ecaps=[(0x100, 0x0001, 1, ecap_aer()),
                         (0x13C, 0x0003, 1, ecap_dsn(0x3CA82AFFFE0B9E40 + fn)),
                         (0x150, 0x0004, 1, b"\0" * 12)],
                  multifunction=True, group=11, command=0x0406)
        d.net = dict(name="eno%d" % (fn + 1), mac="3c:a8:2a:0b:9e:%02x" % (0x40 + fn),
                     ifindex=2 + fn, operstate="up" if fn == 0 else "down")
        devs.append(d)
    # 06:00.0/1: HP Ethernet 1Gb 2-port 361T (Intel I350) in the 3a slot, igb, 1 VF each
    pfs = []
    for fn in range(2):
        bars = [Bar("mem32", 0xF7E00000 + fn * 0x100000, 0x100000), None,
                Bar("io", 0x7020 - fn * 0x20, 0x20), Bar("mem32", 0xF7FF0000 + fn * 0x4000, 0x4000)]
        vb0 = Bar("mem64", 0xF7000000 + fn * 0x20000, 0x4000)
        vb3 = Bar("mem64", 0xF7010000 + fn * 0x20000, 0x4000)
        devcap = 0x2 | (3 << 6) | (6 << 9) | (1 << 15) | (1 << 28)
        d = hp_ep("0000:06:00.%d" % fn, 0x8086, 0x1521, 0x020000, 0x01, parent="0000:00:03.0",
                  svid=HP_SVID, sdid=0x339E, driver="igb", bars=bars, irq=32 + fn, int_pin=1 + fn,
                  caps=[(0x40, 0x01, cap_pm(0xC823, 0x2008)),
                        (0x50, 0x05, cap_msi(0x0180)),
                        (0x70, 0x11, cap_msix(10, True, 3, 0, 3, 0x2000)),
                        (0xA0, 0x10, cap_pcie(0, devcap, 0x2830, 0x2 | (4 << 4) | (3 << 10),
                                              0x2 | (4 << 4), devcap2=0x1F)),
                        (0xE0, 0x03, b"\0" * 6)],
                  ecaps=[(0x100, 0x0001, 2, ecap_aer()),
                         (0x140, 0x0003, 1, ecap_dsn(0xA0369FFFFF1C4E20 + fn)),
                         (0x150, 0x000E, 1, ecap_ari(1 if fn == 0 else 0)),
                         (0x160, 0x0010, 1, ecap_sriov(8, 8, 1, fn, 0x80, 4, 0x1520,
                                                       [vb0, None, vb3]))],
                  multifunction=True, group=9 + fn, command=0x0407)
        d.iov_bars = [vb0, None, vb3]
        d.sriov = dict(totalvfs=7, numvfs=1, offset=128, stride=4, vf_device=0x1520)
        d.net = dict(name="enp6s0f%d" % fn, mac="a0:36:9f:1c:4e:%02x" % (0x20 + fn), ifindex=6 + fn)
        d.igb_queues = 1  # I350: no RSS once VFs are allocated
        pfs.append(d)
    devs += pfs
    # 01:00.x: iLO 4 behind 00:1c.7
    ilo = [(0, 0x103C, 0x3306, 0x088000, None, 0x05, [Bar("io", 0x3000, 0x100), Bar("mem32", 0xF7EF0000, 0x200), Bar("mem32", 0xF7EE0000, 0x100)]),
           (1, 0x102B, 0x0533, 0x030000, "mgag200", 0x01, [Bar("pref64", 0xF5000000, 0x1000000), None, Bar("mem32", 0xF7E80000, 0x4000), Bar("mem32", 0xF7000000 - 0x800000, 0x800000)]),
           (2, 0x103C, 0x3307, 0x088000, "hpilo", 0x05, [Bar("io", 0x3400, 0x100), Bar("mem32", 0xF7E70000, 0x100), Bar("mem32", 0xF7D00000, 0x80000), Bar("mem32", 0xF7E60000, 0x8000), Bar("mem32", 0xF7E50000, 0x2000), Bar("mem32", 0xF7E40000, 0x200)]),
           (4, 0x103C, 0x3300, 0x0C0300, "uhci_hcd", 0x02, [Bar("io", 0x3800, 0x20)])]
    for fn, ven, did, cls, drv, rev, bars in ilo:
        bars = [b for b in bars]
        irq = {0: 16, 1: 16, 2: 17, 4: 16}[fn]
        d = hp_ep("0000:01:00.%d" % fn, ven, did, cls, rev, parent="0000:00:1c.7", svid=HP_SVID,
                  sdid=0x3381, driver=drv, bars=bars, irq=irq, int_pin={0: 1, 1: 1, 2: 2, 4: 2}[fn],
                  caps=[(0x78, 0x01, cap_pm(0x0023)),
                        (0xB0, 0x05, cap_msi(0x0080)),
                        (0xC0, 0x10, cap_pcie(0, 0x1 | (1 << 15), 0x2810, 0x1 | (1 << 4) | (3 << 10),
                                              0x1 | (1 << 4), devcap2=0x1F))],
                  ecaps=[(0x100, 0x0001, 1, ecap_aer())], multifunction=True, group=12,
                  command=0x0007 if drv else 0x0000)
        devs.append(d)
    # CPU 2's IIO: root ports 1a and 3a (empty slots), under the other DRHD
    devs.append(hp_rootport("0000:20:01.0", 0x0E02, 0x04, 0x21, 79, iio=True, group=13,
                            numa=1, cpulist=n1, parent_bus=0x20, port=1))
    devs.append(hp_rootport("0000:20:03.0", 0x0E08, 0x04, 0x22, 80, iio=True, group=14,
                            numa=1, cpulist=n1, parent_bus=0x20, port=3))
    # VFs (vfio-pci): 06:10.0 of 06:00.0, 06:10.1 of 06:00.1 (First VF Offset 128, stride 4)
    for fn in range(2):
        devfn = 0x80 + fn
        vb0 = Bar("mem64", 0xF7000000 + fn * 0x20000, 0x4000)
        vb3 = Bar("mem64", 0xF7010000 + fn * 0x20000, 0x4000)
        cfg = build_config(
            vendor=0xFFFF, device=0xFFFF, cls=0x020000, rev=0x01, command=0x0000,
            svid=HP_SVID, sdid=0x339E,
            caps=[(0x70, 0x11, cap_msix(3, False, 3, 0, 3, 0x2000)),
                  (0xA0, 0x10, cap_pcie(0, 0x2 | (3 << 6) | (6 << 9) | (1 << 15) | (1 << 28),
                                        0x2810, 0x2 | (4 << 4) | (3 << 10), 0x0000, devcap2=0x1F))],
            ecaps=[(0x100, 0x0001, 2, ecap_aer()), (0x150, 0x000E, 1, ecap_ari(0))],
            pcie=True, cacheline=0)
        vf = Dev("0000:06:%02x.%d" % (devfn >> 3, devfn & 7), 0x8086, 0x1520, 0x020000, 0x01, cfg,
                 parent="0000:00:03.0", svid=HP_SVID, sdid=0x339E, driver="vfio-pci",
                 bars=[vb0, None, vb3], group=15 + fn, numa=0, cpulist=n0,
                 physfn=pfs[fn].bdf)
        pfs[fn].virtfns.append(vf.bdf)
        devs.append(vf)
    h.devs = devs

    # ---- modules and drivers (RHEL 9.4)
    h.drivers = {"pcieport": None, "ehci-pci": None, "uhci_hcd": None, "ahci": None,
                 "lpc_ich": "lpc_ich", "tg3": "tg3", "igb": "igb", "vfio-pci": "vfio_pci",
                 "hpilo": "hpilo", "mgag200": "mgag200", "pci-stub": None}
    h.vfio_loaded = True
    mods = [("vfio_pci", []), ("vfio_pci_core", ["vfio_pci"]), ("vfio_iommu_type1", []),
            ("vfio", ["vfio_pci_core", "vfio_iommu_type1", "vfio_pci"]), ("iommufd", ["vfio"]),
            ("kvm_intel", []), ("kvm", ["kvm_intel"]), ("irqbypass", ["vfio_pci_core", "kvm"]),
            ("mgag200", []), ("drm_shmem_helper", ["mgag200"]), ("drm_kms_helper", ["mgag200"]),
            ("hpilo", []), ("tg3", []), ("igb", []), ("dca", ["igb"]),
            ("i2c_algo_bit", ["mgag200", "igb"]), ("drm", ["drm_shmem_helper", "drm_kms_helper", "mgag200"]),
            ("lpc_ich", []), ("xfs", []), ("dm_mirror", []), ("dm_mod", ["dm_mirror"])]
    sizes = dict(RHEL_MODULE_SIZES, tg3=(229376,), hpilo=(28672,), mgag200=(77824,),
                 drm_shmem_helper=(24576,), drm_kms_helper=(245760,), drm=(741376,))
    h.modules = module_list(mods, sizes)
    h.module_params["vfio_pci"] = {"disable_denylist": "N", "disable_idle_d3": "N",
                                   "disable_vga": "N", "enable_sriov": "N", "nointxmask": "N"}
    h.module_params["vfio_iommu_type1"] = {"allow_unsafe_interrupts": "N", "disable_hugepages": "N",
                                           "dma_entry_limit": "65535"}
    h.module_params["vfio_pci_core"] = {"disable_idle_d3": "N", "disable_vga": "N", "nointxmask": "N"}
    h.module_params["kvm_intel"] = {"nested": "Y", "ept": "Y", "vpid": "Y", "enable_apicv": "Y",
                                    "unrestricted_guest": "Y"}
    h.module_params["kvm"] = {"halt_poll_ns": "200000", "ignore_msrs": "N"}
    host_common(h, "rhel", RHEL_REL, RHEL_CMDLINE_BASE + " intel_iommu=on",
                RHEL_GRUB_BASE + " intel_iommu=on")
    h.files["proc/cpuinfo"] = cpuinfo_e5_2470v2()
    h.files["etc/libvirt/qemu.conf"] = qemu_conf("qemu", "qemu")
    h.files["etc/modprobe.d/igb.conf"] = "options igb max_vfs=1\n"
    rhel_lib_modules(h)
    base = "lib/modules/%s/" % RHEL_REL
    h.files[base + "modules.dep"] += "".join([
        "kernel/drivers/net/ethernet/broadcom/tg3.ko.xz:\n",
        "kernel/drivers/misc/hpilo.ko.xz:\n",
        "kernel/drivers/gpu/drm/drm.ko.xz:\n",
        "kernel/drivers/gpu/drm/drm_kms_helper.ko.xz: kernel/drivers/gpu/drm/drm.ko.xz\n",
        "kernel/drivers/gpu/drm/drm_shmem_helper.ko.xz: kernel/drivers/gpu/drm/drm.ko.xz\n",
        "kernel/drivers/gpu/drm/mgag200/mgag200.ko.xz: kernel/drivers/gpu/drm/drm_shmem_helper.ko.xz "
        "kernel/drivers/gpu/drm/drm_kms_helper.ko.xz kernel/drivers/i2c/algos/i2c-algo-bit.ko.xz "
        "kernel/drivers/gpu/drm/drm.ko.xz\n"])
    h.files[base + "modules.alias"] += "".join([
        "alias pci:v000014E4d00001657sv*sd*bc*sc*i* tg3\n",
        "alias pci:v0000103Cd00003307sv*sd*bc*sc*i* hpilo\n",
        "alias pci:v0000102Bd00000533sv*sd*bc*sc*i* mgag200\n",
        "alias pci:v00008086d00001D41sv*sd*bc*sc*i* lpc_ich\n"])
    h.files["boot/config-" + RHEL_REL] = RHEL_BOOT_CONFIG + "CONFIG_TIGON3=m\nCONFIG_HP_ILO=m\nCONFIG_DRM_MGAG200=m\n"

    # ---- DMAR, two remapping units: dmar0 = DRHD 0xfbefe000 (CPU 2's IIO, bus 0x20,
    # explicit scope), dmar1 = DRHD 0xbeffe000 (INCLUDE_PCI_ALL: everything else)
    dmar = (c / HP_DMAR).read_bytes()
    h.acpi["DMAR"] = dmar
    h.acpi_credit.append(("DMAR", HP_DMAR))
    h.iommu = "intel"
    bases = dmar_drhd_bases(dmar)
    h.iommu_units = []
    for i, b in enumerate(bases):
        real = "sys/devices/virtual/iommu/dmar%d" % i
        h.iommu_units.append(("dmar%d" % i, real, None))
        h.files[real + "/intel-iommu/version"] = "1:0\n"
        h.files[real + "/intel-iommu/address"] = "%x\n" % b
        h.files[real + "/intel-iommu/cap"] = "d2078c106f0466\n"
        h.files[real + "/intel-iommu/ecap"] = "f020de\n"
    h.unit_for = lambda d: "dmar0" if d.bdf[5:7] in ("20", "21", "22") else "dmar1"
    h.resv_all = [(0xFEE00000, 0xFEEFFFFF, "msi")]
    h.resv = rmrr_resv(h, dmar, floppy_wa=True)
    h.rmrr_report = [(base, limit, [(b, p, resolve_scope(h, b, p)) for b, p in scopes])
                     for base, limit, scopes in dmar_rmrrs(dmar)]
    h.irq_remap = dmar_intr_remap(dmar)
    h.first_msix_irq = 86
    h.files["proc/interrupts"] = rhel_interrupts(h, 40, 4, h.irq_remap, [(72, "dmar0"), (73, "dmar1")])
    return h


def rmrr_table(h):
    rows = ["| RMRR | scope path (bus 00: dev.fn / dev.fn) -> device |", "| --- | --- |"]
    for base, limit, scopes in h.rmrr_report:
        cells = []
        for bus, path, bdf in scopes:
            p = " / ".join("%02x.%x" % x for x in path)
            cells.append("%s -> %s" % (p, bdf[5:] if bdf else "none"))
        rows.append("| 0x%x-0x%x | %s |" % (base, limit, "; ".join(cells)))
    return "\n".join(rows) + "\n"


def sc_hp_rmrr(c):
    h = hp_host(c)
    h.description = "HP DL380e Gen8: target 03:00.0 (embedded BCM5719 331i) is named in firmware RMRRs"
    h.targets = ["0000:03:00.0"]
    h.hw_text = """\
Hand-built tree of an HP ProLiant DL380e Gen8 with two Xeon E5-2470 v2 (Ivy Bridge-EN,
family 6 model 62, 2 x 10 cores x 2 threads = 40 CPUs, NUMA nodes 0 and 1) and the C600
"Patsburg" PCH, running Red Hat Enterprise Linux 9.4, kernel `5.14.0-427.13.1.el9_4.x86_64`,
`intel_iommu=on`.

`sys/firmware/acpi/tables/DMAR` is the real table of a DL380e Gen8: flags 0x3 (INTR_REMAP,
X2APIC_OPT_OUT), DRHD 0xfbefe000 for CPU 2's bus 0x20 (explicit scope: root ports, IO-APIC 10
at 20:05.4, CBDMA 20:04.x), DRHD 0xbeffe000 INCLUDE_PCI_ALL (IO-APICs 8 and 0, HPET 0), eight
RMRRs and two ATSRs. Linux names the units in table order: `dmar0` = 0xfbefe000 (devices on
buses 0x20-0x22), `dmar1` = 0xbeffe000 (everything else). The RMRR scopes name devices behind
root ports by two-hop paths (start bus 0, then the bridge's secondary bus), so the bridges'
config space carries secondary bus numbers that make those paths land:

- 00:1c.4 (PCH root port 5, 8086:1d18) -> bus 03: the embedded "HP Ethernet 1Gb 4-port 331i
  Adapter", Broadcom BCM5719 14e4:1657, subsystem 103c:22be, tg3, 03:00.0-03:00.3
  (`eno1`-`eno4`). No SR-IOV, no ACS: the four functions share IOMMU group 11.
- 00:1c.7 (PCH root port 8, 8086:1d1e) -> bus 01: iLO 4, 01:00.0 (103c:3306, no driver),
  01:00.1 Matrox G200EH (102b:0533, mgag200), 01:00.2 (103c:3307, hpilo), 01:00.4 virtual
  USB (103c:3300, uhci_hcd); one group (12).
- 00:01.0 and 00:01.1 (IIO root ports 1a/1b, 8086:0e02/0e03) -> buses 04 and 05: empty riser
  slots, so the RMRR paths 01.0/00.0 and 01.1/00.0 resolve to no device.
- 00:1f.2 C600 6-port SATA AHCI (8086:1d02, ahci), 00:1a.0 and 00:1d.0 EHCI (8086:1d2d,
  8086:1d26, ehci-pci), 00:1f.0 LPC (8086:1d41, lpc_ich).
- 00:03.0 (IIO root port 3a, 8086:0e08, named in no RMRR) -> bus 06: "HP Ethernet 1Gb 2-port
  361T Adapter", Intel I350 8086:1521, subsystem 103c:339e, igb with `max_vfs=1`; SR-IOV
  Initial/Total VFs 8, First VF Offset 128, VF Stride 4, VF Device ID 1520, so the VFs are
  06:10.0 (of 06:00.0) and 06:10.1 (of 06:00.1), both on vfio-pci (`/dev/vfio/15`, `/dev/vfio/16`).
- CPU 2's root ports 20:01.0 and 20:03.0 (empty) sit under `dmar0`.

IIO root ports carry ACS (capability at 0x110, control 0x001d: SrcValid, ReqRedir,
CmpltRedir, UpstreamFwd, as Linux enables them with the IOMMU on); the PCH root ports have no
ACS capability (Linux's Patsburg quirk isolates them).
"""
    finish_readme(h, "hp-rmrr", (
        "- VT-x, `intel_iommu=on`, two DMAR units, interrupt remapping on (`IR-IO-APIC`,\n"
        "  `IR-PCI-MSI`, `DMAR-MSI` for `dmar0` and `dmar1` in `/proc/interrupts`), groups `DMA-FQ`.\n"
        "- RMRRs, as the kernel resolves them through the bridges above (group\n"
        "  `reserved_regions` merge adjacent regions of one type; USB and graphics functions get\n"
        "  `direct-relaxable`, every other one `direct`; the ISA bridge also gets 0-16M\n"
        "  `direct-relaxable`, CONFIG_INTEL_IOMMU_FLOPPY_WA):\n\n" + rmrr_table(h) + "\n"
        "- The operator wants to give the whole 331i (03:00.0-03:00.3) to a guest. Its group 11\n"
        "  reserves `0xe8000-0xe8fff`, `0xf4000-0xf4fff` and `0x75f6f000-0x7df84fff` as `direct`.\n"),
        "Not ready for 0000:03:00.0: it is named in firmware RMRRs (non-relaxable: a NIC), so the\n"
        "Intel IOMMU driver refuses to attach it to a VFIO domain (\"Device is ineligible for IOMMU\n"
        "domain attach due to platform RMRR requirement.  Contact your platform vendor.\"). The\n"
        "remedy is in the firmware (HP: exclude the device from the shared-memory RMRRs, e.g. with\n"
        "conrep), or use the I350 VFs 06:10.0/06:10.1, which no RMRR names. Its group also holds\n"
        "03:00.1-03:00.3 on tg3. The rest of the host is ready: the I350 VFs pass.\n")
    return h


# --------------------------------------------------------------------------
# AMD host: ASUS ROG Zenith II Extreme Alpha (TRX40), Threadripper 3960X,
# Ubuntu 22.04, Intel X710 at 41:00.0/41:00.1
# --------------------------------------------------------------------------

UBU_REL = "5.15.0-105-generic"


def ivrs_without_ioapics(table):
    """The IVRS with every IOAPIC special entry (IVHD device entry 48h, variety 1) cut out of
    its IVHD blocks; block and table lengths and the checksum fixed up."""
    t = bytearray(table)
    out = bytearray(t[:48])
    off = 48
    while off + 4 <= len(t):
        btype, blen = t[off], int.from_bytes(t[off + 2:off + 4], "little")
        block = t[off:off + blen]
        if btype in (0x10, 0x11, 0x40):
            hdr = 24 if btype == 0x10 else 40
            nb = bytearray(block[:hdr])
            e = hdr
            while e < blen:
                et = block[e]
                if et < 0x40:
                    n = 4
                elif et < 0x80:
                    n = 8
                elif et == 0xF0:
                    n = 22 + block[e + 21]
                else:
                    raise ValueError("IVHD entry type %02x" % et)
                if not (et == 0x48 and block[e + 7] == 1):
                    nb += block[e:e + n]
                e += n
            nb[2:4] = len(nb).to_bytes(2, "little")
            block = nb
        out += block
        off += blen
    out[4:8] = len(out).to_bytes(4, "little")
    out[9] = 0
    out[9] = (-sum(out)) & 0xFF
    assert out != t and sum(out) % 256 == 0
    return bytes(out)


def sc_amd_no_intremap(c):
    h = amd_host(c, ir=False)
    h.description = ("AMD host like amd-ready, IVRS without IOAPIC entries: AMD-Vi translates DMA "
                     "but disables interrupt remapping")
    h.hw_text = h.hw_text.replace(
        "The IVRS table is the real one of that board:",
        "The IVRS table is the real one of that board with its IOAPIC special entries (IVHD\n"
        "device entry 48h, variety 1) cut out, as on firmware that omits them:")
    finish_readme(h, "amd-no-intremap", (
        "- As amd-ready: AMD IOMMU on (four `ivhd` units, IOMMU groups), `iommu=pt`, vfio built in,\n"
        "  VFs 41:02.0 and 41:02.1 on vfio-pci (`/dev/vfio/61`, `/dev/vfio/62`).\n"
        "- The IVRS maps no IOAPIC, so the kernel logs `AMD-Vi: [Firmware Bug]: AMD-Vi: IOAPIC[N] not\n"
        "  in IVRS table`, `No southbridge IOAPIC found` and `Disabling interrupt remapping`: DMA is\n"
        "  still translated, interrupts are not remapped. `/proc/interrupts` shows plain `IO-APIC`\n"
        "  and `PCI-MSI` chips, no `IR-`.\n"
        "- vfio_iommu_type1 `allow_unsafe_interrupts` is N.\n"),
        "`kernel.interrupt-remapping` fails (the IVRS table lacks interrupt remapping support; VFIO\n"
        "refuses to attach a device); `firmware.iommu` passes (the table is sound).\n")
    return h


def amd_host(c, ir=True):
    h = Host("amd-ready")
    numa, cpulist = -1, "0-47"
    devs = []
    # IOMMU order follows the IVHD order of the IVRS: 60:00.2, 40:00.2, 20:00.2, 00:00.2
    units = [("ivhd0", "60"), ("ivhd1", "40"), ("ivhd2", "20"), ("ivhd3", "00")]
    bus_unit = {bus: name for name, bus in units}
    for bus in ("00", "20", "40", "60"):
        hb = build_config(vendor=0x1022, device=0x1480, cls=0x060000, rev=0x00, command=0x0000,
                          svid=0x1043, sdid=0x87C0, pcie=False, cacheline=0)
        devs.append(Dev("0000:%s:00.0" % bus, 0x1022, 0x1480, 0x060000, 0x00, hb, svid=0x1043,
                        sdid=0x87C0, numa=numa, cpulist=cpulist))
        io = build_config(vendor=0x1022, device=0x1481, cls=0x080600, rev=0x00, command=0x0404,
                          svid=0x1043, sdid=0x87C0, int_pin=1,
                          caps=[(0x40, 0x0F, b"\x01\x00" + b"\0" * 16),
                                (0x64, 0x05, cap_msi(0x0081, MSI_ADDR, 0x0021))],
                          pcie=False, cacheline=0)
        devs.append(Dev("0000:%s:00.2" % bus, 0x1022, 0x1481, 0x080600, 0x00, io, svid=0x1043,
                        sdid=0x87C0, irq=25 + int(bus, 16) // 0x20, numa=numa, cpulist=cpulist,
                        enable=1))
    # 40:01.0 dummy host bridge, 40:01.1 GPP bridge to bus 41
    dummy = build_config(vendor=0x1022, device=0x1482, cls=0x060000, rev=0x00, command=0x0000,
                         pcie=False, cacheline=0)
    grp = {}
    order = ["0000:00:01.0", "0000:20:01.0", "0000:40:01.0", "0000:40:01.1", "0000:41:00.0",
             "0000:41:00.1", "0000:60:01.0"]
    # keep a realistic spread of numbers: groups 0..N in bus-scan order (first 00:xx devices)
    base = {"0000:00:01.0": 0, "0000:20:01.0": 13, "0000:40:01.0": 25, "0000:40:01.1": 26,
            "0000:41:00.0": 27, "0000:41:00.1": 28, "0000:60:01.0": 38}
    grp.update(base)
    for bus in ("00", "20", "60"):
        bdf = "0000:%s:01.0" % bus
        devs.append(Dev(bdf, 0x1022, 0x1482, 0x060000, 0x00, dummy, group=grp[bdf],
                        numa=numa, cpulist=cpulist))
    devs.append(Dev("0000:40:01.0", 0x1022, 0x1482, 0x060000, 0x00, dummy,
                    group=grp["0000:40:01.0"], numa=numa, cpulist=cpulist))
    lnkcap = 0x4 | (8 << 4) | (2 << 10) | (1 << 12) | (6 << 15) | (1 << 20) | (0 << 24)
    gpp = build_config(
        vendor=0x1022, device=0x1483, cls=0x060400, rev=0x00, command=0x0407, header=0x01,
        caps=[(0x50, 0x01, cap_pm(0xC803, 0x0008)),
              (0x58, 0x10, cap_pcie(4, PCIE_ROOT_DEVCAP | 0x2, 0x0020, lnkcap,
                                    0x3 | (8 << 4) | 0x2000, slot=True,
                                    sltcap=(3 << 19) | 0x60, sltsta=0x0040, devcap2=0x7001F,
                                    lnkcap2=0x1E, lnkctl2=0x0004, lnksta2=0x0001)),
              (0xA0, 0x05, cap_msi(0x0081, MSI_ADDR, 0x4029)),
              (0xC0, 0x0D, cap_ssvid(0x1043, 0x87C0))],
        ecaps=[(0x100, 0x000B, 1, le32(0x01010001) + b"\0" * 8),  # AMD vendor-specific (ID 1, rev 1, len 0x010)
               (0x150, 0x0001, 2, ecap_aer(root=True)),
               (0x2A0, 0x000D, 1, ecap_acs(0x005F, 0x001D))],
        pcie=True, int_pin=1,
        bridge=dict(primary=0x40, secondary=0x41, subordinate=0x41, io=(0xF000, 0x0FFF),
                    mem=(0xF7000000, 0xF70FFFFF), pref=(0xC5000000, 0xC7FFFFFF), control=0x0012))
    devs.append(Dev("0000:40:01.1", 0x1022, 0x1483, 0x060400, 0x00, gpp, irq=27,
                    driver="pcieport", group=grp["0000:40:01.1"], numa=numa, cpulist=cpulist,
                    bridge_windows=[(0, 0, 0), (0xF7000000, 0xF70FFFFF, F_BRIDGE_MEM),
                                    (0xC5000000, 0xC7FFFFFF, F_BRIDGE_PREF64), (0, 0, 0)]))
    # X710 PFs
    pfs = []
    numvfs = {0: 2, 1: 0}
    offsets = {0: 16, 1: 79}
    for fn in (0, 1):
        bars = [Bar("pref64", 0xC6000000 + fn * 0x800000, 0x800000), None,
                Bar("pref64", 0xC7808000 - fn * 0x8000, 0x8000)]
        vb0 = Bar("pref64", 0xC5000000 + fn * 0x400000, 0x10000)
        vb3 = Bar("pref64", 0xC7400000 + fn * 0x100000, 0x4000)
        devcap = 0x2 | (1 << 5) | (7 << 6) | (7 << 9) | (1 << 15) | (1 << 28)
        lnkcap_x = 0x3 | (8 << 4) | (2 << 10) | (4 << 12) | (6 << 15)
        cfg = build_config(
            vendor=0x8086, device=0x1572, cls=0x020000, rev=0x02, command=0x0406,
            multifunction=True, bars=bars, svid=0x8086, sdid=0x0007, int_line=0xFF,
            int_pin=1 + fn,
            caps=[(0x40, 0x01, cap_pm(0xC823, 0x2008)),
                  (0x50, 0x05, cap_msi(0x0186)),
                  (0x70, 0x11, cap_msix(129, True, 3, 0, 3, 0x1000)),
                  (0xA0, 0x10, cap_pcie(0, devcap, 0x5930, lnkcap_x, 0x3 | (8 << 4),
                                        devcap2=0x70B1F, lnkcap2=0x0E, lnkctl2=0x0003,
                                        lnksta2=0x0001)),
                  (0xE0, 0x03, b"\x00\x00" + b"\0" * 4)],
            ecaps=[(0x100, 0x0001, 2, ecap_aer()),
                   (0x140, 0x0003, 1, ecap_dsn(0xB49691FFFF3A6C40)),
                   (0x150, 0x000E, 1, ecap_ari(1 if fn == 0 else 0)),
                   (0x160, 0x0010, 1, ecap_sriov(64, 64, numvfs[fn], fn, offsets[fn], 1, 0x154C,
                                                 [vb0, None, vb3], ari_hierarchy=True)),
                   (0x1B0, 0x000D, 1, ecap_acs(0x001F, 0x001D))],
            pcie=True)
        d = Dev("0000:41:00.%d" % fn, 0x8086, 0x1572, 0x020000, 0x02, cfg, parent="0000:40:01.1",
                svid=0x8086, sdid=0x0007, irq=107 + fn, driver="i40e", bars=bars,
                iov_bars=[vb0, None, vb3], group=grp["0000:41:00.%d" % fn], numa=numa,
                cpulist=cpulist,
                sriov=dict(totalvfs=64, numvfs=numvfs[fn], offset=offsets[fn], stride=1,
                           vf_device=0x154C))
        d.net = dict(name="enp65s0f%d" % fn, mac="b4:96:91:3a:6c:%02x" % (0x40 + fn), ifindex=4 + fn)
        pfs.append(d)
    devs += pfs
    for i in range(2):
        vb0 = Bar("pref64", 0xC5000000 + i * 0x10000, 0x10000)
        vb3 = Bar("pref64", 0xC7400000 + i * 0x4000, 0x4000)
        devfn = 16 + i
        cfg = build_config(
            vendor=0xFFFF, device=0xFFFF, cls=0x020000, rev=0x02, command=0x0000,
            svid=0x8086, sdid=0x0000,
            caps=[(0x70, 0x11, cap_msix(5, False, 3, 0, 3, 0x2000)),
                  (0xA0, 0x10, cap_pcie(0, 0x2 | (1 << 5) | (7 << 6) | (7 << 9) | (1 << 15) | (1 << 28),
                                        0x5910, 0x3 | (8 << 4), 0x0000, devcap2=0x70B1F))],
            ecaps=[(0x100, 0x0001, 2, ecap_aer()), (0x150, 0x000E, 1, ecap_ari(0))],
            pcie=True, cacheline=0)
        vf = Dev("0000:41:%02x.%d" % (devfn >> 3, devfn & 7), 0x8086, 0x154C, 0x020000, 0x02, cfg,
                 parent="0000:40:01.1", svid=0x8086, sdid=0x0000, irq=0, driver="vfio-pci",
                 bars=[vb0, None, vb3], group=61 + i, numa=numa, cpulist=cpulist,
                 physfn="0000:41:00.0")
        pfs[0].virtfns.append(vf.bdf)
        devs.append(vf)
    h.devs = devs
    h.iommu = "amd"
    h.group_type = "identity"
    h.iommu_units = []
    for name, bus in units:
        h.iommu_units.append((name, "sys/devices/pci0000:%s/0000:%s:00.2/iommu/%s" % (bus, bus, name),
                              "0000:%s:00.2" % bus))
        real = "sys/devices/pci0000:%s/0000:%s:00.2/iommu/%s" % (bus, bus, name)
        h.files[real + "/amd-iommu/cap"] = "0x00190000\n"
        h.files[real + "/amd-iommu/features"] = "58f77ef22294a5a\n"
    h.unit_for = lambda d: bus_unit[{"00": "00", "20": "20", "40": "40", "41": "40", "60": "60"}[d.bdf[5:7]]]
    h.resv_all = [(0xFEE00000, 0xFEEFFFFF, "msi"), (0xFD00000000, 0xFFFFFFFFFF, "reserved")]
    h.acpi["IVRS"] = (c / AMD_IVRS).read_bytes()
    if not ir:
        h.acpi["IVRS"] = ivrs_without_ioapics(h.acpi["IVRS"])
    h.acpi_credit.append(("IVRS", AMD_IVRS))
    h.drivers = {"pcieport": None, "i40e": "i40e", "iavf": "iavf", "vfio-pci": "vfio_pci",
                 "pci-stub": None}
    h.modules = [("i40e", 495616, []), ("kvm_amd", 155648, []), ("kvm", 1036288, ["kvm_amd"]),
                 ("ccp", 110592, ["kvm_amd"]), ("xfs", 1658880, []), ("nls_iso8859_1", 16384, []),
                 ("crct10dif_pclmul", 16384, []), ("ghash_clmulni_intel", 16384, []),
                 ("aesni_intel", 376832, [])]
    # kvm users fix: kvm used by kvm_amd; ccp used by kvm_amd
    h.builtin_modules = {
        "vfio_pci": {"disable_denylist": "N", "disable_idle_d3": "N", "disable_vga": "N",
                     "enable_sriov": "N", "nointxmask": "N"},
        "vfio_iommu_type1": {"allow_unsafe_interrupts": "N", "disable_hugepages": "N",
                             "dma_entry_limit": "65535"},
        "vfio": {"enable_unsafe_noiommu_mode": "N"},
    }
    h.module_params["kvm_amd"] = {"nested": "1", "npt": "1", "avic": "0", "sev": "0"}
    h.module_params["kvm"] = {"halt_poll_ns": "200000", "ignore_msrs": "N"}
    h.module_params["i40e"] = {"debug": "-1"}
    # built-in vfio_pci keeps the driver->module link because /sys/module/vfio_pci exists
    h.vfio_loaded = True
    cmd = "BOOT_IMAGE=/boot/vmlinuz-%s root=UUID=4f0c2a7e-93b1-4d8a-9a6e-2c5d7f1b8e03 ro iommu=pt" % UBU_REL
    host_common(h, "ubuntu", UBU_REL, cmd, "iommu=pt")
    h.files["proc/cpuinfo"] = cpuinfo_tr3960x()
    h.files["proc/interrupts"] = amd_interrupts(h, 48, ir)
    h.files["etc/libvirt/qemu.conf"] = qemu_conf("libvirt-qemu", "kvm").replace(
        "The default security driver is SELinux", "The default security driver is AppArmor").replace(
        '#security_driver = "selinux"', '#security_driver = "apparmor"')
    base = "lib/modules/%s/" % UBU_REL
    h.files[base + "modules.builtin"] = "\n".join([
        "kernel/drivers/pci/pci-stub.ko", "kernel/drivers/pci/pcie/pcieportdrv.ko",
        "kernel/virt/lib/irqbypass.ko", "kernel/drivers/vfio/vfio.ko",
        "kernel/drivers/vfio/vfio_virqfd.ko", "kernel/drivers/vfio/vfio_iommu_type1.ko",
        "kernel/drivers/vfio/pci/vfio-pci-core.ko", "kernel/drivers/vfio/pci/vfio-pci.ko",
        "kernel/drivers/ata/ahci.ko", "kernel/drivers/ata/libahci.ko",
        "kernel/drivers/nvme/host/nvme.ko", "kernel/drivers/nvme/host/nvme-core.ko"]) + "\n"
    h.files[base + "modules.dep"] = "".join([
        "kernel/drivers/net/ethernet/intel/i40e/i40e.ko:\n",
        "kernel/drivers/net/ethernet/intel/iavf/iavf.ko:\n",
        "kernel/arch/x86/kvm/kvm.ko:\n",
        "kernel/arch/x86/kvm/kvm-amd.ko: kernel/drivers/crypto/ccp/ccp.ko kernel/arch/x86/kvm/kvm.ko\n",
        "kernel/arch/x86/kvm/kvm-intel.ko: kernel/arch/x86/kvm/kvm.ko\n",
        "kernel/drivers/crypto/ccp/ccp.ko:\n",
    ])
    h.files[base + "modules.alias"] = "".join([
        "# Aliases extracted from modules themselves.\n",
        "alias pci:v00008086d00001572sv*sd*bc*sc*i* i40e\n",
        "alias pci:v00008086d00001583sv*sd*bc*sc*i* i40e\n",
        "alias pci:v00008086d00001584sv*sd*bc*sc*i* i40e\n",
        "alias pci:v00008086d0000158Bsv*sd*bc*sc*i* i40e\n",
        "alias pci:v00008086d0000154Csv*sd*bc*sc*i* iavf\n",
        "alias pci:v00008086d00001571sv*sd*bc*sc*i* iavf\n",
        "alias pci:v00008086d00001889sv*sd*bc*sc*i* iavf\n",
        "alias cpu:type:x86,ven*fam*mod*:feature:*00C2* kvm_amd\n",
        "alias cpu:type:x86,ven*fam*mod*:feature:*0085* kvm_intel\n",
    ])
    h.files["boot/config-" + UBU_REL] = """\
#
# Automatically generated file; DO NOT EDIT.
# Linux/x86 5.15.0-105-generic Kernel Configuration
#
CONFIG_PCI_IOV=y
CONFIG_PCI_STUB=y
CONFIG_IOMMU_SUPPORT=y
CONFIG_IOMMU_DEFAULT_DMA_LAZY=y
# CONFIG_IOMMU_DEFAULT_PASSTHROUGH is not set
CONFIG_AMD_IOMMU=y
CONFIG_AMD_IOMMU_V2=m
CONFIG_INTEL_IOMMU=y
# CONFIG_INTEL_IOMMU_DEFAULT_ON is not set
CONFIG_IRQ_REMAP=y
CONFIG_VFIO_IOMMU_TYPE1=y
CONFIG_VFIO_VIRQFD=y
CONFIG_VFIO=y
CONFIG_VFIO_NOIOMMU=y
CONFIG_VFIO_PCI_CORE=y
CONFIG_VFIO_PCI=y
CONFIG_VFIO_PCI_VGA=y
CONFIG_IRQ_BYPASS_MANAGER=y
CONFIG_KVM=m
CONFIG_KVM_AMD=m
CONFIG_KVM_AMD_SEV=y
CONFIG_I40E=m
CONFIG_IAVF=m
CONFIG_I40EVF=m
"""
    h.description = "AMD Threadripper 3960X, Ubuntu 22.04, iommu=pt, X710 VF 41:02.0 on vfio-pci"
    h.targets = ["0000:41:02.0"]
    h.hw_text = """\
Hand-built tree of an AMD workstation: ASUS ROG Zenith II Extreme Alpha (TRX40) with an AMD
Ryzen Threadripper 3960X (Zen 2, family 23 model 49, `svm`), Ubuntu 22.04.4 LTS, kernel
`5.15.0-105-generic`, and an Intel X710 (8086:1572, subsystem 8086:0007 "Ethernet Converged
Network Adapter X710-2", i40e) at 41:00.0/41:00.1 behind GPP bridge 40:01.1 (1022:1483).
The IVRS table is the real one of that board: four IOMMUs at 60:00.2, 40:00.2, 20:00.2 and
00:00.2 (1022:1481), registered by Linux in that (IVHD) order as ivhd0..ivhd3, so the X710
and its VFs hang off `ivhd1` (40:00.2). On AMD the IOMMU class device is a child of the
IOMMU's PCI function: `sys/class/iommu/ivhd1 -> ../../devices/pci0000:40/0000:40:00.2/iommu/ivhd1`.
Root complexes 00/20/40/60 each have a host bridge (1022:1480) and an IOMMU (1022:1481), which
the IVHD ranges (starting at device 0x..08) do not cover, so they have no IOMMU group.
X710 SR-IOV: Initial/Total VFs 64, PF0 First VF Offset 16, PF1 79, stride 1, VF Device ID 154c.
"""
    finish_readme(h, "amd-ready", (
        "- AMD IOMMU on by default (no `amd_iommu=` needed); `iommu=pt` makes every default domain\n"
        "  passthrough, so all group `type` files read `identity`.\n"
        "- vfio, vfio_iommu_type1, vfio-pci are built into Ubuntu's 5.15 kernel\n"
        "  (modules.builtin, `=y` in boot/config; not in /proc/modules). Their /sys/module dirs\n"
        "  exist because they have parameters, so `drivers/vfio-pci/module` links to\n"
        "  `module/vfio_pci`.\n"
        "- i40e loaded; `sriov_numvfs` 2 on 41:00.0 (VFs 41:02.0 and 41:02.1, both on vfio-pci,\n"
        "  `/dev/vfio/61` and `/dev/vfio/62`), 0 on 41:00.1. iavf is registered (module name `iavf`)\n"
        "  but not loaded: on this host it is not in /proc/modules and drives nothing.\n"
        "- GPP bridge 40:01.1 and the X710 have ACS; each function is alone in its group.\n"),
        "Every check passes for 0000:41:02.0 (note `iommu=pt`: worth at most an info, VFIO still\n"
        "gets its own domain).\n")
    # iavf not loaded: no driver directory for it
    del h.drivers["iavf"]
    return h


# --------------------------------------------------------------------------
# Xen dom0 on the seed hardware
# --------------------------------------------------------------------------

def xen_host(name, e820, c, vtd=True, pciback=True):
    """vtd=False: VT-d off in the BIOS, no DMAR for Xen to take (no XMAR in dom0), Xen runs
    without an IOMMU. pciback=False: xen_pciback not loaded, both VFs on igbvf."""
    vf_drivers = ("pciback", "igbvf") if pciback else ("igbvf", "igbvf")
    h = seed_host(name, iommu_on=False, vf_drivers=vf_drivers, vfio=False,
                  vmx=False, corpus=c, xen=True, xen_iommu=vtd)
    # replace RHEL bits with Debian 12 dom0
    for k in list(h.files):
        if k.startswith("lib/modules/") or k.startswith("boot/config-"):
            del h.files[k]
    h.acpi = {}
    h.acpi_credit = []
    dmar = bytearray((c / SEED_DMAR).read_bytes())
    # Xen's acpi_dmar_zap(): signature[0] = 'X'; checksum -= 'X' - 'D'
    dmar[0] = ord("X")
    dmar[9] = (dmar[9] - (ord("X") - ord("D"))) & 0xFF
    assert sum(dmar) % 256 == 0
    if vtd:
        h.acpi["XMAR"] = bytes(dmar)
        h.acpi_credit.append(("XMAR", SEED_DMAR))
    cmdline = ("BOOT_IMAGE=/boot/vmlinuz-%s root=UUID=8d1f3c52-6e0a-4b7d-b0c4-1a9e2f7d5c36 ro "
               "quiet" % DEB_REL) + (" pci_pt_e820_access=on" if e820 else "")
    host_common(h, "debian", DEB_REL, cmdline, "pci_pt_e820_access=on" if e820 else "")
    h.files["proc/cpuinfo"] = cpuinfo_e5520_xen_dom0(4)
    h.irq_remap = None  # Xen's business: dom0 sees event channels only
    h.files["proc/interrupts"] = xen_dom0_interrupts(h, 4)
    h.files["proc/xen/capabilities"] = "control_d\n"
    h.files["sys/hypervisor/type"] = "xen\n"
    h.files["sys/hypervisor/version/major"] = "4\n"
    h.files["sys/hypervisor/version/minor"] = "17\n"
    h.files["sys/hypervisor/version/extra"] = ".3-pre\n"
    h.files["sys/hypervisor/properties/capabilities"] = "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64\n"
    h.files["etc/libvirt/qemu.conf"] = qemu_conf("libvirt-qemu", "kvm")
    h.files["etc/modprobe.d/igb.conf"] = "options igb max_vfs=1\n"
    h.files["etc/modprobe.d/xen-pciback.conf"] = "options xen-pciback hide=(0000:03:10.0)\n"
    h.drivers = {"pcieport": None, "uhci_hcd": None, "ahci": "ahci", "lpc_ich": "lpc_ich",
                 "igb": "igb", "igbvf": "igbvf", "pciback": "xen_pciback"}
    h.modules = [("xen_pciback", 98304, []), ("xen_gntalloc", 20480, []),
                 ("xen_gntdev", 28672, []), ("xen_evtchn", 16384, []), ("xenfs", 16384, []),
                 ("xen_privcmd", 28672, ["xenfs"]), ("igbvf", 53248, []),
                 ("igb", 286720, []), ("dca", 16384, ["igb"]), ("i2c_algo_bit", 16384, ["igb"]),
                 ("lpc_ich", 28672, []), ("ahci", 49152, []), ("libahci", 53248, ["ahci"]),
                 ("libata", 401408, ["libahci", "ahci"])]
    h.module_params = {"xen_pciback": {"hide": "(0000:03:10.0)", "passthrough": "0",
                                       "permissive": "N", "verbose_request": "0"}}
    base = "lib/modules/%s/" % DEB_REL
    h.files[base + "modules.builtin"] = "\n".join([
        "kernel/drivers/pci/pcie/pcieportdrv.ko", "kernel/drivers/usb/host/uhci-hcd.ko",
        "kernel/drivers/usb/host/ehci-hcd.ko", "kernel/drivers/usb/host/ehci-pci.ko",
        "kernel/drivers/xen/xen-balloon.ko", "kernel/drivers/xen/xen-scsiback.ko"]) + "\n"
    h.files[base + "modules.dep"] = "".join([
        "kernel/drivers/xen/xen-pciback/xen-pciback.ko:\n",
        "kernel/drivers/xen/xen-gntdev.ko:\n",
        "kernel/drivers/xen/xen-gntalloc.ko:\n",
        "kernel/drivers/xen/xen-evtchn.ko:\n",
        "kernel/drivers/xen/xenfs/xenfs.ko: kernel/drivers/xen/xen-privcmd.ko\n",
        "kernel/drivers/xen/xen-privcmd.ko:\n",
        "kernel/drivers/dca/dca.ko:\n",
        "kernel/drivers/i2c/algos/i2c-algo-bit.ko:\n",
        "kernel/drivers/net/ethernet/intel/igb/igb.ko: kernel/drivers/dca/dca.ko kernel/drivers/i2c/algos/i2c-algo-bit.ko\n",
        "kernel/drivers/net/ethernet/intel/igbvf/igbvf.ko:\n",
        "kernel/drivers/vfio/vfio.ko:\n",
        "kernel/drivers/mfd/lpc_ich.ko:\n",
        "kernel/drivers/ata/ahci.ko: kernel/drivers/ata/libahci.ko kernel/drivers/ata/libata.ko\n",
        "kernel/drivers/ata/libahci.ko: kernel/drivers/ata/libata.ko\n",
        "kernel/drivers/ata/libata.ko:\n",
    ])
    h.files[base + "modules.alias"] = "".join([
        "# Aliases extracted from modules themselves.\n",
        "alias pci:v00008086d000010C9sv*sd*bc*sc*i* igb\n",
        "alias pci:v00008086d000010E6sv*sd*bc*sc*i* igb\n",
        "alias pci:v00008086d000010E7sv*sd*bc*sc*i* igb\n",
        "alias pci:v00008086d000010E8sv*sd*bc*sc*i* igb\n",
        "alias pci:v00008086d000010CAsv*sd*bc*sc*i* igbvf\n",
        "alias pci:v00008086d00001520sv*sd*bc*sc*i* igbvf\n",
        "alias xen-backend:pci xen_pciback\n",
        "alias pci:v00008086d00003A16sv*sd*bc*sc*i* lpc_ich\n",
        "alias pci:v00008086d00003A22sv*sd*bc*sc*i* ahci\n",
    ])
    h.files["boot/config-" + DEB_REL] = """\
#
# Automatically generated file; DO NOT EDIT.
# Linux/x86 6.1.76 Kernel Configuration
#
CONFIG_XEN=y
CONFIG_XEN_PV=y
CONFIG_XEN_DOM0=y
CONFIG_XEN_PVHVM=y
CONFIG_XEN_PCIDEV_BACKEND=m
CONFIG_XEN_PCI_STUB=y
CONFIG_PCI_IOV=y
CONFIG_PCI_STUB=m
CONFIG_INTEL_IOMMU=y
# CONFIG_INTEL_IOMMU_DEFAULT_ON is not set
CONFIG_IRQ_REMAP=y
CONFIG_VFIO=m
CONFIG_VFIO_PCI=m
CONFIG_KVM=m
CONFIG_KVM_INTEL=m
CONFIG_IGB=m
CONFIG_IGB_DCA=y
CONFIG_IGBVF=m
CONFIG_DCA=m
"""
    if not pciback:
        del h.files["etc/modprobe.d/xen-pciback.conf"]
        del h.drivers["pciback"]
        h.modules = [m for m in h.modules if m[0] != "xen_pciback"]
        del h.module_params["xen_pciback"]
    h.targets = ["0000:03:10.0"]
    h.hw_text = SEED_HW.replace(
        "running Red Hat Enterprise Linux 9.4, kernel `5.14.0-427.13.1.el9_4.x86_64`, and",
        "running Xen 4.17 with a Debian 12 dom0 (PV), dom0 kernel `6.1.0-18-amd64`, 4 dom0 vCPUs, and")
    return h


XEN_STATE = """\
- Xen 4.17 hypervisor, Debian 12 PV dom0: `proc/xen/capabilities` = `control_d`,
  `sys/hypervisor/type` = `xen`.
- dom0's `/proc/cpuinfo` shows 4 vCPUs with the `hypervisor` flag and without `vmx`: Xen
  masks VMX from a PV guest's CPUID (Xen itself uses VT-x), so a missing `vmx` here does not
  mean VT-x is off. kvm is not loaded (it cannot run in a PV dom0).
- Xen owns VT-d: it renames the firmware DMAR to `XMAR` before dom0 sees it
  (`acpi_dmar_zap`: signature[0] = 'X', checksum reduced by 'X'-'D' = 0x14 so the table still
  sums to 0), so dom0 has `sys/firmware/acpi/tables/XMAR` and no `DMAR`, no `sys/class/iommu`
  units and no IOMMU groups. ACS is enabled on the root ports (Xen enables it).
- igb (max_vfs=1) on the PFs; VF 03:10.0 is bound to `pciback` (module `xen_pciback`,
  `xen-pciback.hide=(0000:03:10.0)`); 03:10.1 on igbvf. No vfio.
"""


def sc_xen_e820_missing(c):
    h = xen_host("xen-e820-missing", False, c)
    h.description = "Xen dom0, VF on pciback, cmdline lacks pci_pt_e820_access=on"
    finish_readme(h, "xen-e820-missing", XEN_STATE + (
        "- The dom0 kernel command line does NOT have `pci_pt_e820_access=on`.\n"),
        "`xen.e820-access` fails (the guide: \"To enable SR-IOV with Xen for Intel systems append\n"
        "the pci_pt_e820_access=on parameter to the kernel\"). `cpu.virtualization` must not fail\n"
        "for a Xen dom0; KVM/vfio checks do not apply.\n")
    return h


XEN_DOM0 = """\
- Xen 4.17 hypervisor, Debian 12 PV dom0: `proc/xen/capabilities` = `control_d`,
  `sys/hypervisor/type` = `xen`.
- dom0's `/proc/cpuinfo` shows 4 vCPUs with the `hypervisor` flag and without `vmx`: Xen
  masks VMX from a PV guest's CPUID (Xen itself uses VT-x), so a missing `vmx` here does not
  mean VT-x is off. kvm is not loaded (it cannot run in a PV dom0).
"""


def sc_xen_no_vtd(c):
    h = xen_host("xen-no-vtd", True, c, vtd=False)
    h.description = "Xen dom0, VT-d disabled in the BIOS: no DMAR for Xen (no XMAR in dom0), VF on pciback"
    finish_readme(h, "xen-no-vtd", XEN_DOM0 + (
        "- VT-d is disabled in the BIOS setup, so the firmware publishes no DMAR table: Xen finds\n"
        "  no IOMMU to take (`xl dmesg` would say \"I/O virtualisation disabled\"), and dom0 has\n"
        "  neither `sys/firmware/acpi/tables/DMAR` nor the `XMAR` Xen leaves when it zaps a DMAR.\n"
        "  No `sys/class/iommu` units and no IOMMU groups (as on every Xen dom0). Xen enables ACS\n"
        "  only with its IOMMU on (`pci_enable_acs`), so the root ports' ACS control is 0.\n"
        "- igb (max_vfs=1) on the PFs; VF 03:10.0 is bound to `pciback` (module `xen_pciback`,\n"
        "  `xen-pciback.hide=(0000:03:10.0)`); 03:10.1 on igbvf. No vfio.\n"
        "- The dom0 kernel command line has `pci_pt_e820_access=on` (as in xen-ready).\n"
        "- Assigning 03:10.0 to an HVM guest fails in libxl with `PCI device 0000:03:10.0 cannot be\n"
        "  assigned - no IOMMU?`, then `libxl__device_pci_add failed for PCI device 0:3:10.0`.\n"),
        "`firmware.iommu` fails (no ACPI DMAR table: enable VT-d in the BIOS); the device itself is\n"
        "ready (on pciback), `xen.e820-access` passes, KVM/vfio checks do not apply.\n")
    return h


def sc_xen_no_pciback(c):
    h = xen_host("xen-no-pciback", True, c, pciback=False)
    h.description = "Xen dom0, xen_pciback not loaded: target VF 03:10.0 still on igbvf"
    finish_readme(h, "xen-no-pciback", XEN_DOM0 + (
        "- Xen owns VT-d: it renames the firmware DMAR to `XMAR` before dom0 sees it (as in\n"
        "  xen-ready); no `sys/class/iommu` units and no IOMMU groups in dom0. ACS is enabled on\n"
        "  the root ports (Xen enables it).\n"
        "- igb (max_vfs=1) on the PFs; both VFs are on igbvf (`enp3s16`, `enp3s16f1`). The\n"
        "  `xen_pciback` module is installed (`modules.dep`) but not loaded: no\n"
        "  `sys/bus/pci/drivers/pciback`, no `xen-pciback.hide=` and no\n"
        "  `/etc/modprobe.d/xen-pciback.conf`.\n"
        "- The dom0 kernel command line has `pci_pt_e820_access=on` (as in xen-ready).\n"
        "- `xl pci-assignable-list` fails with `Looks like pciback driver not loaded`; assigning\n"
        "  03:10.0 fails with `PCI device 0:3:10.0 is not assignable`.\n"),
        "With `--device 0000:03:10.0`: `device.host-driver` fails (bound to the host driver igbvf,\n"
        "interface enp3s16). `firmware.iommu` passes (XMAR), `xen.e820-access` passes.\n")
    return h


def sc_xen_ready(c):
    h = xen_host("xen-ready", True, c)
    h.description = "Xen dom0, VF on pciback, pci_pt_e820_access=on set"
    finish_readme(h, "xen-ready", XEN_STATE + (
        "- The dom0 kernel command line has `pci_pt_e820_access=on`.\n"),
        "`xen.e820-access` passes; no check fails for 0000:03:10.0.\n")
    return h


# --------------------------------------------------------------------------
# Who holds a device: processes (/proc/PID), libvirt domains (state files and
# persistent definitions), xl configs
# --------------------------------------------------------------------------
#
# /proc/PID as fs/proc lays it out: cmdline is the argv area (NUL after every
# argument), comm the 15-character task name and a newline, status the
# "Key:\tvalue" lines of proc_pid_status() for the kernel in question, limits the
# table of proc_pid_limits() ("%-25s %-20s %-20s %-10s", "unlimited" for
# RLIM_INFINITY, no unit for the nice/realtime priorities), and fd/N a symlink
# whose target is what d_path() gives: the canonical path of an opened file
# (/dev/vfio/9; a sysfs file by its sys/devices path), "socket:[inode]",
# "pipe:[inode]" or "anon_inode:<name>". The targets are values: they need not
# exist in the tree and a reader must never follow them.

LIMIT_NAMES = [("Max cpu time", "seconds"), ("Max file size", "bytes"),
               ("Max data size", "bytes"), ("Max stack size", "bytes"),
               ("Max core file size", "bytes"), ("Max resident set", "bytes"),
               ("Max processes", "processes"), ("Max open files", "files"),
               ("Max locked memory", "bytes"), ("Max address space", "bytes"),
               ("Max file locks", "locks"), ("Max pending signals", "signals"),
               ("Max msgqueue size", "bytes"), ("Max nice priority", None),
               ("Max realtime priority", None), ("Max realtime timeout", "us")]

GIB = 1024 ** 3


def limits_text(*, memlock, nofile=(1024, 524288), nproc=63364, stack=8388608,
                core=(0, None)):
    """None = unlimited. nproc also sizes RLIMIT_SIGPENDING (both default to the
    kernel's max_threads / 2)."""
    vals = [(None, None), (None, None), (None, None), (stack, None), core, (None, None),
            (nproc, nproc), nofile, memlock, (None, None), (None, None), (nproc, nproc),
            (819200, 819200), (0, 0), (0, 0), (None, None)]
    lines = ["%-25s %-20s %-20s %-10s" % ("Limit", "Soft Limit", "Hard Limit", "Units")]
    for (name, unit), (soft, hard) in zip(LIMIT_NAMES, vals):
        line = "%-25s %-20s %-20s " % (name, "unlimited" if soft is None else soft,
                                       "unlimited" if hard is None else hard)
        if unit:
            line += "%-10s" % unit
        lines.append(line)
    return "\n".join(lines) + "\n"


CAPS_ALL_514 = "000001ffffffffff"   # CAP_LAST_CAP 40 (CAP_CHECKPOINT_RESTORE)
CAPS_ALL_310 = "0000001fffffffff"   # CAP_LAST_CAP 36 (CAP_BLOCK_SUSPEND) on RHEL 7
CAPS_NONE = "0000000000000000"
MEMS_ALLOWED_2NODES = ",".join(["00000000"] * 31 + ["00000003"])  # NODES_SHIFT 10


def status_text(kernel, *, name, pid, ppid, uid, gid, groups, threads, vm, caps,
                state="S (sleeping)", umask="0022", fdsize=64, seccomp=(0, 0),
                sig=(0, 0x1000, 0x4000), ctxt=(1000, 10), pgid=None, sid=None,
                cpus=("ffff", "0-15"), mems=(MEMS_ALLOWED_2NODES, "0-1")):
    """/proc/PID/status of RHEL 9's 5.14 (kernel "5.14") or RHEL 7's 3.10 ("3.10"),
    whose status lacks the NS* lines, HugetlbPages, CoreDumping, THP_enabled,
    Seccomp_filters and SpeculationIndirectBranch. vm: kB values."""
    def kb(key, v):
        return "%s:\t%8d kB" % (key, v)
    capbnd = CAPS_ALL_514 if kernel == "5.14" else CAPS_ALL_310
    capeff = (CAPS_ALL_514 if kernel == "5.14" else CAPS_ALL_310) if caps else CAPS_NONE
    lines = ["Name:\t%s" % name, "Umask:\t%s" % umask, "State:\t%s" % state,
             "Tgid:\t%d" % pid, "Ngid:\t0", "Pid:\t%d" % pid, "PPid:\t%d" % ppid,
             "TracerPid:\t0", "Uid:\t%d\t%d\t%d\t%d" % (uid, uid, uid, uid),
             "Gid:\t%d\t%d\t%d\t%d" % (gid, gid, gid, gid), "FDSize:\t%d" % fdsize,
             "Groups:\t%s " % " ".join(str(g) for g in sorted(groups))]
    if kernel == "5.14":
        lines += ["NStgid:\t%d" % pid, "NSpid:\t%d" % pid, "NSpgid:\t%d" % (pgid or pid),
                  "NSsid:\t%d" % (sid or pid)]
    lines += [kb("VmPeak", vm["peak"]), kb("VmSize", vm["size"]), kb("VmLck", vm.get("lck", 0)),
              kb("VmPin", 0), kb("VmHWM", vm["hwm"]), kb("VmRSS", vm["rss"]),
              kb("RssAnon", vm["rss"] - vm["file"] - vm.get("shmem", 0)),
              kb("RssFile", vm["file"]), kb("RssShmem", vm.get("shmem", 0)),
              kb("VmData", vm["data"]), kb("VmStk", 132), kb("VmExe", vm["exe"]),
              kb("VmLib", vm["lib"]), kb("VmPTE", vm["pte"]), kb("VmSwap", 0)]
    if kernel == "5.14":
        lines += [kb("HugetlbPages", vm.get("huge", 0)), "CoreDumping:\t0", "THP_enabled:\t1"]
    lines += ["Threads:\t%d" % threads, "SigQ:\t0/63364", "SigPnd:\t0000000000000000",
              "ShdPnd:\t0000000000000000", "SigBlk:\t%016x" % sig[0],
              "SigIgn:\t%016x" % sig[1], "SigCgt:\t%016x" % sig[2],
              "CapInh:\t0000000000000000", "CapPrm:\t%s" % capeff, "CapEff:\t%s" % capeff,
              "CapBnd:\t%s" % (capbnd if caps else CAPS_NONE), "CapAmb:\t0000000000000000",
              "NoNewPrivs:\t0", "Seccomp:\t%d" % seccomp[0]]
    if kernel == "5.14":
        lines += ["Seccomp_filters:\t%d" % seccomp[1],
                  "Speculation_Store_Bypass:\tthread vulnerable",
                  "SpeculationIndirectBranch:\tconditional enabled"]
    else:
        lines += ["Speculation_Store_Bypass:\tthread vulnerable"]
    lines += ["Cpus_allowed:\t%s" % cpus[0], "Cpus_allowed_list:\t%s" % cpus[1],
              "Mems_allowed:\t%s" % mems[0], "Mems_allowed_list:\t%s" % mems[1],
              "voluntary_ctxt_switches:\t%d" % ctxt[0],
              "nonvoluntary_ctxt_switches:\t%d" % ctxt[1]]
    return "\n".join(lines) + "\n"


def add_process(h, pid, *, comm, argv, fds, limits, vm, uid=0, gid=0, groups=(), ppid=1,
                threads=1, caps=None, kernel="5.14", raw_cmdline=None, **status):
    """A process under proc/<pid>: cmdline, comm, status, limits and fd/ links.
    caps: full capability set (root daemons) unless told otherwise."""
    base = "proc/%d" % pid
    h.files[base + "/cmdline"] = raw_cmdline if raw_cmdline is not None else "".join(a + "\0" for a in argv)
    h.files[base + "/comm"] = comm[:15] + "\n"
    h.files[base + "/status"] = status_text(kernel, name=comm[:15], pid=pid, ppid=ppid, uid=uid,
                                            gid=gid, groups=groups, threads=threads, vm=vm,
                                            caps=(uid == 0) if caps is None else caps, **status)
    h.files[base + "/limits"] = limits
    links = [("%s/fd/%d" % (base, n), target) for n, target in fds]

    def hook(t):
        for rel, text in links:
            t.abs_link(rel, text)
        # /proc/PID belongs to the task's owner; fd/ is dr-x------ (ptrace access needed)
        t.meta.append(dict(path=base, mode="0555", uid=uid, gid=gid))
        t.meta.append(dict(path=base + "/fd", mode="0500", uid=uid, gid=gid))
        for f, mode in (("cmdline", "0444"), ("comm", "0644"), ("limits", "0444"),
                        ("status", "0444")):
            t.meta.append(dict(path="%s/%s" % (base, f), mode=mode, uid=uid, gid=gid))
    h.post_render.append(hook)


def rhel9_daemons(h, *, libvirtd=True, extra_logs=()):
    """systemd, sshd, virtlogd and libvirtd of a RHEL 9 virtualization host: processes
    a holder scan reads and skips (none has /dev/vfio open)."""
    root_limits = limits_text(memlock=(8388608, 8388608), nofile=(1024, 524288))
    add_process(h, 1, comm="systemd", kernel="5.14", threads=1, sig=(0x7BE3C0FE28014A03, 0x1000, 0x1A4),
                argv=["/usr/lib/systemd/systemd", "--switched-root", "--system", "--deserialize", "31"],
                limits=limits_text(memlock=(8388608, 8388608), nofile=(1073741816, 1073741816)),
                vm=dict(peak=238072, size=173548, hwm=17840, rss=17124, file=9880, shmem=0,
                        data=24864, exe=876, lib=10928, pte=96),
                fdsize=256, ppid=0, ctxt=(288431, 5231),
                fds=[(0, "/dev/null"), (1, "/dev/null"), (2, "/dev/null"),
                     (3, "/dev/kmsg"), (4, "anon_inode:[eventpoll]"), (5, "anon_inode:[signalfd]"),
                     (6, "anon_inode:inotify"), (7, "/sys/fs/cgroup"),
                     (8, "anon_inode:[timerfd]"), (9, "anon_inode:[eventpoll]"),
                     (10, "/proc/1/mountinfo"), (11, "anon_inode:inotify"),
                     (14, "socket:[16871]"), (15, "socket:[16873]"), (16, "/run/initctl")])
    add_process(h, 1021, comm="sshd", kernel="5.14",
                raw_cmdline="sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups" + "\0" * 7,
                argv=None, limits=root_limits,
                vm=dict(peak=15856, size=15856, hwm=9164, rss=9164, file=7864, shmem=0,
                        data=1092, exe=484, lib=8580, pte=68),
                ctxt=(31, 2),
                fds=[(0, "/dev/null"), (1, "/dev/null"), (2, "/dev/null"),
                     (3, "socket:[22317]"), (4, "socket:[22319]")])
    add_process(h, 1284, comm="virtlogd", kernel="5.14", argv=["/usr/sbin/virtlogd"],
                limits=root_limits,
                vm=dict(peak=155232, size=155232, hwm=7120, rss=7120, file=6544, shmem=0,
                        data=17400, exe=48, lib=13344, pte=76),
                threads=2, ctxt=(880, 3),
                fds=[(0, "/dev/null"), (1, "/dev/null"), (2, "/dev/null"),
                     (3, "socket:[21040]"), (4, "socket:[21042]"), (5, "anon_inode:[eventfd]"),
                     (6, "/run/virtlogd.pid")] + list(extra_logs))
    if libvirtd:
        add_process(h, 1290, comm="libvirtd", kernel="5.14",
                    argv=["/usr/sbin/libvirtd", "--timeout", "120"],
                    limits=limits_text(memlock=(8388608, 8388608), nofile=(8192, 8192)),
                    vm=dict(peak=1660452, size=1594916, hwm=50768, rss=49212, file=24420,
                            shmem=0, data=322068, exe=412, lib=31956, pte=392),
                    threads=19, ctxt=(5120, 41),
                    fds=[(0, "/dev/null"), (1, "socket:[21955]"), (2, "socket:[21955]"),
                         (3, "anon_inode:[eventfd]"), (4, "/run/libvirtd.pid"),
                         (5, "socket:[21967]"), (6, "socket:[21969]"), (7, "socket:[21971]"),
                         (8, "anon_inode:[eventfd]"), (9, "socket:[22410]"),
                         (10, "/var/lib/sss/mc/passwd"), (11, "socket:[30312]")])


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


def qemu_fds_rhel9(group, log_pipe, extra=()):
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
    return fds + list(extra)


DOMAIN_HEAD = """\
<domain type='kvm'{id}>
  <name>{name}</name>
  <uuid>{uuid}</uuid>
  <metadata>
    <libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0">
      <libosinfo:os id="http://redhat.com/rhel/9.2"/>
    </libosinfo:libosinfo>
  </metadata>
  <memory unit='KiB'>{mem}</memory>
  <currentMemory unit='KiB'>{mem}</currentMemory>
{memtune}  <vcpu placement='static'>{vcpus}</vcpu>
{resource}  <os>
    <type arch='x86_64' machine='pc-q35-rhel9.2.0'>hvm</type>
    <boot dev='hd'/>
  </os>
  <features>
    <acpi/>
    <apic/>
  </features>
  <cpu mode='host-passthrough' check='none' migratable='on'/>
  <clock offset='utc'>
    <timer name='rtc' tickpolicy='catchup'/>
    <timer name='pit' tickpolicy='delay'/>
    <timer name='hpet' present='no'/>
  </clock>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <pm>
    <suspend-to-mem enabled='no'/>
    <suspend-to-disk enabled='no'/>
  </pm>
  <devices>
    <emulator>/usr/libexec/qemu-kvm</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2' discard='unmap'/>
      <source file='/var/lib/libvirt/images/{name}.qcow2'{srcidx}/>
{backing}      <target dev='vda' bus='virtio'/>
{alias_disk}      <address type='pci' domain='0x0000' bus='0x03' slot='0x00' function='0x0'/>
    </disk>
"""


def rhel9_domain_xml(name, uuid, mem_kib, vcpus, hostdev, *, live_id=None, mac_byte=0x11,
                     hard_limit_kib=None, vnet=0, pty=1):
    """A q35 guest as libvirt 10.0 writes it: `virsh dumpxml --inactive` (persistent
    definition in /etc/libvirt/qemu) or, with live_id, the live definition that
    /run/libvirt/qemu/NAME.xml carries inside <domstatus> (aliases, the tap device,
    the pty, the seclabels and the graphics port QEMU got)."""
    live = live_id is not None
    def alias(a, ind=6):
        return "%s<alias name='%s'/>\n" % (" " * ind, a) if live else ""
    memtune = ""
    if hard_limit_kib:
        memtune = "  <memtune>\n    <hard_limit unit='KiB'>%d</hard_limit>\n  </memtune>\n" % hard_limit_kib
    x = DOMAIN_HEAD.format(
        id=" id='%d'" % live_id if live else "", name=name, uuid=uuid, mem=mem_kib,
        memtune=memtune, vcpus=vcpus,
        resource="  <resource>\n    <partition>/machine</partition>\n  </resource>\n" if live else "",
        srcidx=" index='1'" if live else "",
        backing="      <backingStore/>\n" if live else "",
        alias_disk=alias("virtio-disk0"))
    x += "    <controller type='pci' index='0' model='pcie-root'>\n%s    </controller>\n" % alias("pcie.0") \
        if live else "    <controller type='pci' index='0' model='pcie-root'/>\n"
    for i in range(1, 6):
        x += ("    <controller type='pci' index='%d' model='pcie-root-port'>\n"
              "      <model name='pcie-root-port'/>\n"
              "      <target chassis='%d' port='0x%x'/>\n%s"
              "      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x%d'%s/>\n"
              "    </controller>\n") % (i, i, 15 + i, alias("pci.%d" % i), i - 1,
                                        " multifunction='on'" if i == 1 else "")
    x += ("    <controller type='sata' index='0'>\n%s"
          "      <address type='pci' domain='0x0000' bus='0x00' slot='0x1f' function='0x2'/>\n"
          "    </controller>\n") % alias("ide")
    x += "    <interface type='network'>\n      <mac address='52:54:00:6b:3c:%02x'/>\n" % mac_byte
    if live:
        x += ("      <source network='default' portid='9d0f4c2e-51b7-4c43-a8f6-3e2b7d10%04x' bridge='virbr0'/>\n"
              "      <target dev='vnet%d'/>\n") % (live_id, vnet)
    else:
        x += "      <source network='default'/>\n"
    x += "      <model type='virtio'/>\n%s" % alias("net0")
    x += "      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>\n    </interface>\n"
    if live:
        x += ("    <serial type='pty'>\n      <source path='/dev/pts/%d'/>\n"
              "      <target type='isa-serial' port='0'>\n        <model name='isa-serial'/>\n"
              "      </target>\n      <alias name='serial0'/>\n    </serial>\n"
              "    <console type='pty' tty='/dev/pts/%d'>\n      <source path='/dev/pts/%d'/>\n"
              "      <target type='serial' port='0'/>\n      <alias name='serial0'/>\n"
              "    </console>\n") % (pty, pty, pty)
    else:
        x += ("    <serial type='pty'>\n      <target type='isa-serial' port='0'>\n"
              "        <model name='isa-serial'/>\n      </target>\n    </serial>\n"
              "    <console type='pty'>\n      <target type='serial' port='0'/>\n    </console>\n")
    x += "    <audio id='1' type='none'/>\n"
    x += hostdev_xml(hostdev, "vfio", "0x05", "0x00", live)
    x += ("    <memballoon model='virtio'>\n%s"
          "      <address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/>\n"
          "    </memballoon>\n  </devices>\n") % alias("balloon0")
    if live:
        x += ("  <seclabel type='dynamic' model='selinux' relabel='yes'>\n"
              "    <label>system_u:system_r:svirt_t:s0:c%d,c%d</label>\n"
              "    <imagelabel>system_u:object_r:svirt_image_t:s0:c%d,c%d</imagelabel>\n"
              "  </seclabel>\n"
              "  <seclabel type='dynamic' model='dac' relabel='yes'>\n"
              "    <label>+107:+107</label>\n    <imagelabel>+107:+107</imagelabel>\n"
              "  </seclabel>\n") % (141 + live_id, 603 + live_id, 141 + live_id, 603 + live_id)
    x += "</domain>\n"
    return x


def hostdev_xml(bdf, driver, guest_bus, guest_slot, live, ind=4):
    dom, bus, rest = bdf.split(":")
    slot, fn = rest.split(".")
    sp = " " * ind
    x = "%s<hostdev mode='subsystem' type='pci' managed='yes'>\n" % sp
    x += "%s  <driver name='%s'/>\n" % (sp, driver)
    x += "%s  <source>\n%s    <address domain='0x%s' bus='0x%s' slot='0x%s' function='0x%s'/>\n%s  </source>\n" % (
        sp, sp, dom, bus, slot, fn, sp)
    if live:
        x += "%s  <alias name='hostdev0'/>\n" % sp
    x += "%s  <address type='pci' domain='0x0000' bus='%s' slot='%s' function='0x0'/>\n" % (
        sp, guest_bus, guest_slot)
    x += "%s</hostdev>\n" % sp
    return x


def domstatus_xml(domain_xml, *, pid, name, domid, vcpu_pids, caps, aliases,
                  json_monitor=False, namespaces=True, extra=""):
    """libvirt's status file (/run/libvirt/qemu/NAME.xml, qemuDomainObjPrivateXMLFormat):
    <domstatus> with the private data, then the live <domain> indented by two."""
    libdir = "/var/lib/libvirt/qemu/domain-%d-%s" % (domid, name)
    x = "<domstatus state='running' reason='booted' pid='%d'>\n" % pid
    x += "  <monitor path='%s/monitor.sock'%s type='unix'/>\n" % (libdir, " json='1'" if json_monitor else "")
    if namespaces:
        x += "  <namespaces>\n    <mount/>\n  </namespaces>\n"
    x += "  <vcpus>\n" + "".join("    <vcpu id='%d' pid='%d'/>\n" % (i, p) for i, p in enumerate(vcpu_pids)) + "  </vcpus>\n"
    x += "  <qemuCaps>\n" + "".join("    <flag name='%s'/>\n" % c for c in caps) + "  </qemuCaps>\n"
    x += "  <devices>\n" + "".join("    <device alias='%s'/>\n" % a for a in aliases) + "  </devices>\n"
    x += "  <libDir path='%s'/>\n" % libdir
    x += "  <channelTargetDir path='/var/lib/libvirt/qemu/channel/target/domain-%d-%s'/>\n" % (domid, name)
    x += extra
    x += "  <chardevStdioLogd/>\n  <allowReboot value='yes'/>\n"
    x += "".join("  " + line + "\n" for line in domain_xml.rstrip("\n").split("\n"))
    x += "</domstatus>\n"
    return x


RHEL9_QEMU_CAPS = ["kvm", "no-hpet", "name-guest", "debug-threads", "vfio-pci", "pcie-root-port",
                   "virtio-net", "virtio-blk", "blockdev", "netdev.json", "device.json",
                   "object.json", "seccomp-sandbox", "query-named-block-nodes"]
RHEL9_ALIASES = ["balloon0", "net0", "hostdev0", "virtio-disk0", "serial0", "ide",
                 "pci.5", "pci.4", "pci.3", "pci.2", "pci.1", "pcie.0"]


def held_vf(h, bdf, vectors):
    """A VF a user (QEMU with a guest driver, or DPDK) has open through vfio-pci:
    pci_enable_device() ran at open (enable 1), the guest driver set Bus Master
    and enabled MSI-X, whose vectors vfio-pci requested as vfio-msix[N](BDF)."""
    d = h.dev(bdf)
    d.enable = 1
    cfg = bytearray(d.config)
    struct.pack_into("<H", cfg, 0x04, 0x0004)
    ctrl = struct.unpack_from("<H", cfg, 0x72)[0]
    struct.pack_into("<H", cfg, 0x72, ctrl | 0x8000)
    d.config = bytes(cfg)
    return [(bdf, ["vfio-msix[%d](%s)" % (i, bdf) for i in range(vectors)])]


def libvirt_files(h, name, *, status=None, pid=None, persistent):
    """Persistent and running definitions; libvirt keeps both root-only (0600)."""
    h.files["etc/libvirt/qemu/%s.xml" % name] = (
        "<!--\nWARNING: THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE\n"
        "OVERWRITTEN AND LOST. Changes to this xml configuration should be made using:\n"
        "  virsh edit %s\nor other application using the libvirt API.\n-->\n\n" % name) + persistent
    paths = ["etc/libvirt/qemu/%s.xml" % name]
    if status:
        h.files["run/libvirt/qemu/%s.xml" % name] = status
        h.files["run/libvirt/qemu/%s.pid" % name] = "%d" % pid
        paths += ["run/libvirt/qemu/%s.xml" % name, "run/libvirt/qemu/%s.pid" % name]

    def hook(t):
        for p in paths:
            t.meta.append(dict(path=p, mode="0600" if p.endswith(".xml") else "0644", uid=0, gid=0))
    h.post_render.append(hook)


def running_guest(h, *, name, pid, domid, uuid, mem_kib, vcpus, bdf, group, hard_limit_kib=None,
                  memlock=None, log_pipe="pipe:[51234]", mac_byte=0x11):
    """A RHEL 9 libvirt guest running with one VF: state file, pid file, persistent
    definition, and the QEMU process (user qemu, 107:107, supplementary group kvm)."""
    hostdev = '{"driver":"vfio-pci","host":"%s","id":"hostdev0","bus":"pci.5","addr":"0x0"}' % bdf
    live = rhel9_domain_xml(name, uuid, mem_kib, vcpus, bdf, live_id=domid, mac_byte=mac_byte,
                            hard_limit_kib=hard_limit_kib, vnet=domid - 1, pty=domid)
    vcpu_pids = [pid + 14 + i for i in range(vcpus)]
    status = domstatus_xml(live, pid=pid, name=name, domid=domid, vcpu_pids=vcpu_pids,
                           caps=RHEL9_QEMU_CAPS, aliases=RHEL9_ALIASES,
                           )
    libvirt_files(h, name, status=status, pid=pid,
                  persistent=rhel9_domain_xml(name, uuid, mem_kib, vcpus, bdf, mac_byte=mac_byte,
                                              hard_limit_kib=hard_limit_kib))
    if memlock is None:
        memlock = (hard_limit_kib * 1024) if hard_limit_kib else mem_kib * 1024 + GIB
    argv = rhel9_qemu_argv(name, uuid, mem_kib // 1024, vcpus, hostdev, domid)
    fds = [(n, t % ("%s.qcow2" % name) if "%s" in t else t) for n, t in qemu_fds_rhel9(group, log_pipe)]
    add_process(h, pid, comm="qemu-kvm", kernel="5.14", argv=argv, uid=107, gid=107,
                groups=(36, 107), threads=vcpus + 4, caps=False, umask="0002", fdsize=64,
                seccomp=(2, 1), ctxt=(48211, 1033), **QEMU_SIG,
                limits=limits_text(memlock=(memlock, memlock), nofile=(8192, 8192)),
                vm=qemu_vm_kb(mem_kib, mem_kib), fds=fds)


def refs(h, extra):
    """Module references held by open files (a VM fd pins kvm_intel; an open VFIO
    container, group and device pin vfio, vfio_iommu_type1 and vfio_pci)."""
    h.modules = [(m[0], m[1], m[2], extra.get(m[0], 0)) for m in h.modules]


VFIO_HOLDER_REFS = {"vfio": 2, "vfio_iommu_type1": 1, "vfio_pci": 1}


def sc_seed_guest_holds(c):
    h = seed_host("seed-guest-holds", corpus=c)
    h.description = "running libvirt guest web01 (pid 4242) holds VF 03:10.0 through VFIO; shut-off web02 names the same VF"
    h.targets = ["0000:03:10.0"]
    h.hw_text = SEED_HW
    vec = held_vf(h, "0000:03:10.0", 3)
    h.files["proc/interrupts"] = rhel_interrupts(h, 16, 3, h.irq_remap, [(27, "dmar0")], vec)
    refs(h, dict(VFIO_HOLDER_REFS, kvm_intel=1))
    rhel9_daemons(h, extra_logs=[(7, "/var/log/libvirt/qemu/web01.log"), (8, "pipe:[51234]")])
    running_guest(h, name="web01", pid=4242, domid=1, uuid="3e9c1f5a-7b2d-4c8e-9a61-0d4f2b8c7e15",
                  mem_kib=8388608, vcpus=4, bdf="0000:03:10.0", group=9)
    libvirt_files(h, "web02", persistent=rhel9_domain_xml(
        "web02", "8a4d2e6b-1c3f-4d5a-b7e9-6f0c2a9d3b41", 4194304, 2, "0000:03:10.0", mac_byte=0x12))
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
    h.hw_text = SEED_HW
    vec = held_vf(h, "0000:03:10.1", 1)
    h.files["proc/interrupts"] = rhel_interrupts(h, 16, 3, h.irq_remap, [(27, "dmar0")], vec)
    refs(h, VFIO_HOLDER_REFS)
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
    h.hw_text = SEED_HW
    vec = held_vf(h, "0000:03:10.0", 3)
    h.files["proc/interrupts"] = rhel_interrupts(h, 16, 3, h.irq_remap, [(27, "dmar0")], vec)
    refs(h, dict(VFIO_HOLDER_REFS, kvm_intel=1))
    rhel9_daemons(h, extra_logs=[(7, "/var/log/libvirt/qemu/db01.log"), (8, "pipe:[51234]")])
    running_guest(h, name="db01", pid=6262, domid=1, uuid="c2b7e4d1-9f3a-4b6c-8e05-7a1d3f9b2c68",
                  mem_kib=8388608, vcpus=4, bdf="0000:03:10.0", group=9, hard_limit_kib=4194304)
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


def noiommu_group_hook(h, bdf, group):
    dd = h.devdir(h.dev(bdf))

    def hook(t):
        gdir = "sys/kernel/iommu_groups/%d" % group
        keep = t.p("sys/kernel/iommu_groups/.gitkeep")
        if keep.exists():
            keep.unlink()
        t.link(dd + "/iommu_group", gdir)
        t.link(gdir + "/devices/" + bdf, dd)
        # iommu_group_alloc() creates reserved_regions and type; iommu_group_set_name()
        # adds name. No default domain: type reads "unknown"; no IOMMU ops: no regions.
        t.file(gdir + "/name", "vfio-noiommu\n")
        t.file(gdir + "/type", "unknown\n")
        t.file(gdir + "/reserved_regions", "")
        t.chardev("dev/vfio/noiommu-%d" % group, VFIO_GROUP_MAJOR, 0, "0600")
    h.post_render.append(hook)


def sc_seed_noiommu(c):
    h = seed_host("seed-noiommu", iommu_on=False, cmdline_iommu=False,
                  vf_drivers=("vfio-pci", "igbvf"), corpus=c)
    h.description = "IOMMU off, vfio enable_unsafe_noiommu_mode=Y: 03:10.0 on vfio-pci in no-IOMMU group 0 (/dev/vfio/noiommu-0)"
    h.targets = ["0000:03:10.0"]
    h.hw_text = SEED_HW
    h.module_params["vfio"] = {"enable_unsafe_noiommu_mode": "Y"}
    h.files["etc/modprobe.d/vfio.conf"] = "options vfio enable_unsafe_noiommu_mode=1\n"
    h.files["proc/sys/kernel/tainted"] = "64\n"
    noiommu_group_hook(h, "0000:03:10.0", 0)
    rhel9_daemons(h)
    finish_readme(h, "seed-noiommu", (
        "- DMAR present, but no `intel_iommu=on` (RHEL 9 default off): no `sys/class/iommu` units,\n"
        "  no IOMMU-backed groups, no device has an `iommu` link; interrupt remapping is on (from\n"
        "  the DMAR alone, as in seed-iommu-off).\n"
        "- `/etc/modprobe.d/vfio.conf` has `options vfio enable_unsafe_noiommu_mode=1`;\n"
        "  `sys/module/vfio/parameters/enable_unsafe_noiommu_mode` = `Y` (CONFIG_VFIO_NOIOMMU=y).\n"
        "- 03:10.0 is bound to vfio-pci. With no IOMMU group of its own, vfio\n"
        "  (`vfio_group_find_or_alloc` -> `vfio_noiommu_group_alloc`) created one:\n"
        "  `sys/kernel/iommu_groups/0` with `name` = `vfio-noiommu` (iommu_group_set_name), `type`\n"
        "  = `unknown` (no default domain), an empty `reserved_regions`, `devices/0000:03:10.0`, and\n"
        "  the device's `iommu_group` link (no `iommu` link). Its node is `/dev/vfio/noiommu-0`\n"
        "  (char 243:0, 0600 root:root) beside `/dev/vfio/vfio` (10:196, 0666); no `/dev/vfio/0`.\n"
        "- vfio tainted the kernel when it made the group (`add_taint(TAINT_USER)`, \"Adding kernel\n"
        "  taint for vfio-noiommu group on device\"): `proc/sys/kernel/tainted` = 64 (`U`).\n"
        "- 03:10.1 on igbvf. Nothing has 03:10.0 open (`enable` 0); the processes (systemd, sshd,\n"
        "  virtlogd, libvirtd) hold no /dev/vfio file.\n"),
        "Not ready for a guest: `kernel.iommu` fails (no `intel_iommu=on`), and the no-IOMMU\n"
        "check fails: 03:10.0's group 0 is a `vfio-noiommu` group, which gives a user DMA to all\n"
        "of host memory with no translation; QEMU's vfio-pci cannot use it (no-IOMMU groups only\n"
        "work with the no-IOMMU container, which needs CAP_SYS_RAWIO and suits DPDK-style\n"
        "userspace drivers, not guests). `iommu.group` must not read the group as an isolated\n"
        "IOMMU group. Remedy: enable the IOMMU (`intel_iommu=on`) and drop\n"
        "`enable_unsafe_noiommu_mode`.\n")
    return h


def sc_seed_vfio_perm(c):
    h = seed_host("seed-vfio-perm", corpus=c)
    h.description = "03:10.0 on vfio-pci, /dev/vfio/9 0600 root:root, qemu.conf user qemu with dynamic_ownership = 0"
    h.targets = ["0000:03:10.0"]
    h.hw_text = SEED_HW
    h.files["etc/libvirt/qemu.conf"] = qemu_conf("qemu", "qemu", set_user=True)
    rhel9_daemons(h)
    finish_readme(h, "seed-vfio-perm", (
        "- Like seed-ready (both VFs on vfio-pci, `/dev/vfio/9` and `/dev/vfio/10` char 243:0 and\n"
        "  243:1, mode 0600, owner root:root, as udev creates them).\n"
        "- `/etc/libvirt/qemu.conf` sets `user = \"qemu\"`, `group = \"qemu\"` and\n"
        "  `dynamic_ownership = 0`, so libvirt does not chown the group node to the qemu user at\n"
        "  guest start. No udev rule changes the node's owner or mode.\n"
        "- No guest runs; nothing holds 03:10.0 (`enable` 0); systemd, sshd, virtlogd and libvirtd\n"
        "  hold no /dev/vfio file.\n"),
        "`device.config-access` fails for 03:10.0: QEMU runs as qemu (uid 107) and cannot open\n"
        "`/dev/vfio/9` (0600 root:root; QEMU: `vfio 0000:03:10.0: failed to open /dev/vfio/9:\n"
        "Permission denied`), nor could an ordinary user starting QEMU by hand. Remedies: set\n"
        "`dynamic_ownership = 1` (the default), or give the node to the QEMU user (udev rule\n"
        "`SUBSYSTEM==\"vfio\", OWNER=\"qemu\"`). `/dev/vfio/vfio` (0666) is fine. Every other check\n"
        "passes as in seed-ready.\n")
    return h


XL_CFG = """\
# =====================================================================
# {name}: HVM guest with the 82576 VF 03:10.0 (see xl.cfg(5))
# =====================================================================

type = "hvm"
name = "{name}"
uuid = "{uuid}"

memory = 4096
vcpus = 2

disk = [ 'format=raw, vdev=xvda, access=rw, target=/dev/vg0/{name}-disk' ]
vif = [ 'mac=00:16:3e:5a:10:{mac}, bridge=xenbr0' ]
pci = [ {pci} ]

on_poweroff = "destroy"
on_reboot = "restart"
on_crash = "restart"

vnc = 1
vnclisten = "127.0.0.1"
serial = "pty"
"""


def xen_dom0_daemons(h):
    """systemd, sshd, xenstored and xenconsoled of the Debian 12 PV dom0 (4 vCPUs, one
    node): processes a holder scan reads and skips."""
    st = dict(cpus=("f", "0-3"), mems=("1", "0"))
    lim = limits_text(memlock=(8388608, 8388608), nofile=(1024, 524288), nproc=15331)
    add_process(h, 1, comm="systemd", argv=["/sbin/init"], ppid=0, fdsize=128, ctxt=(20411, 903),
                limits=limits_text(memlock=(8388608, 8388608), nofile=(1073741816, 1073741816),
                                   nproc=15331),
                vm=dict(peak=168560, size=103024, hwm=12132, rss=12132, file=9124, data=18708,
                        exe=56, lib=9608, pte=84),
                sig=(0x7BE3C0FE28014A03, 0x1000, 0x1A4), **st,
                fds=[(0, "/dev/null"), (1, "/dev/null"), (2, "/dev/null"), (3, "/dev/kmsg"),
                     (4, "anon_inode:[eventpoll]"), (5, "anon_inode:[signalfd]"),
                     (6, "anon_inode:inotify"), (7, "/sys/fs/cgroup"), (8, "anon_inode:[timerfd]"),
                     (10, "/proc/1/mountinfo"), (13, "socket:[14122]")])
    add_process(h, 702, comm="sshd", raw_cmdline="sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups" + "\0" * 7,
                argv=None, limits=lim, ctxt=(18, 1), **st,
                vm=dict(peak=15420, size=15420, hwm=9012, rss=9012, file=7732, data=1040,
                        exe=520, lib=8504, pte=68),
                fds=[(0, "/dev/null"), (1, "/dev/null"), (2, "/dev/null"),
                     (3, "socket:[16201]"), (4, "socket:[16203]")])
    add_process(h, 611, comm="oxenstored", argv=["/usr/sbin/oxenstored", "--pid-file",
                                                 "/run/xen/xenstored.pid"],
                limits=lim, ctxt=(3120, 41), **st,
                vm=dict(peak=24904, size=24904, hwm=6180, rss=6180, file=3600, data=5328,
                        exe=1104, lib=4716, pte=72),
                fds=[(0, "/dev/null"), (1, "/dev/null"), (2, "/dev/null"),
                     (3, "/dev/xen/evtchn"), (4, "/dev/xen/privcmd"), (5, "/dev/xen/gntdev"),
                     (6, "socket:[15310]"), (7, "/var/log/xen/xenstored-access.log")])
    add_process(h, 640, comm="xenconsoled", argv=["/usr/sbin/xenconsoled",
                                                  "--pid-file=/run/xen/xenconsoled.pid"],
                limits=lim, threads=2, ctxt=(77, 2), **st,
                vm=dict(peak=88952, size=88952, hwm=2440, rss=2440, file=2164, data=8452,
                        exe=40, lib=6072, pte=56),
                fds=[(0, "/dev/null"), (1, "/dev/null"), (2, "/dev/null"),
                     (3, "/dev/xen/xenbus"), (4, "/dev/xen/evtchn"), (5, "/dev/xen/evtchn"),
                     (6, "/dev/xen/privcmd")])


def sc_xen_xl_twice(c):
    h = xen_host("xen-xl-twice", True, c)
    h.description = "Xen dom0 like xen-ready; xl configs vm1.cfg and vm2.cfg both pass through 03:10.0"
    h.files["etc/xen/vm1.cfg"] = XL_CFG.format(name="vm1", uuid="5f0e8a3c-2d71-4b9e-a6c4-1e7d3b9f0a21",
                                              mac="01", pci="'0000:03:10.0,permissive=0'")
    h.files["etc/xen/vm2.cfg"] = XL_CFG.format(name="vm2", uuid="a1c3e5f7-0b2d-4f6a-8c9e-2b4d6f8a0c13",
                                              mac="02", pci="'03:10.0'")
    xen_dom0_daemons(h)
    finish_readme(h, "xen-xl-twice", XEN_STATE + (
        "- The dom0 kernel command line has `pci_pt_e820_access=on` (as in xen-ready).\n"
        "- `etc/xen/vm1.cfg` and `etc/xen/vm2.cfg` (xl.cfg syntax: `type`, `name`, `memory = 4096`,\n"
        "  `vcpus = 2`, `disk`, `vif`) both name the VF: vm1 with `pci = [ '0000:03:10.0,permissive=0' ]`\n"
        "  (full BDF and an option), vm2 with `pci = [ '03:10.0' ]` (short BDF, domain 0 implied).\n"
        "  Neither domain is running: the tree holds no xenstore state.\n"
        "- Ordinary dom0 processes to skip: systemd (1), oxenstored (611), xenconsoled (640), sshd\n"
        "  (702); none holds a PCI device.\n"),
        "`xen.e820-access` passes. The defined-twice check fails for 0000:03:10.0: two xl configs\n"
        "(vm1, vm2) pass through the same VF, so whichever is created second cannot have it\n"
        "(`xl create` refuses a device already assigned to another domain). Give one of them\n"
        "another VF (e.g. 03:10.1 after moving it to pciback), or never run both.\n")
    return h


# --------------------------------------------------------------------------
# RHEL 7.9 on the seed hardware: the guide's own era (kernel 3.10, qemu-kvm 1.5.3,
# libvirt 4.5, legacy KVM device assignment still built: CONFIG_KVM_DEVICE_ASSIGNMENT)
# --------------------------------------------------------------------------

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
RHEL7_BOOT_CONFIG = """\
#
# Automatically generated file; DO NOT EDIT.
# Linux/x86_64 3.10.0-1160.el7.x86_64 Kernel Configuration
#
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
"""

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
    base = "lib/modules/%s/" % RHEL7_REL
    h.files[base + "modules.builtin"] = "\n".join([
        "kernel/drivers/pci/pci-stub.ko", "kernel/drivers/pci/pcie/portdrv_core.ko",
        "kernel/drivers/usb/host/ehci-hcd.ko", "kernel/drivers/usb/host/ehci-pci.ko",
        "kernel/drivers/usb/host/uhci-hcd.ko", "kernel/drivers/ata/libahci.ko",
        "kernel/drivers/ata/ahci.ko", "kernel/drivers/ata/libata.ko"]) + "\n"
    h.files[base + "modules.dep"] = "".join([
        "kernel/arch/x86/kvm/kvm.ko.xz: kernel/virt/lib/irqbypass.ko.xz\n",
        "kernel/arch/x86/kvm/kvm-intel.ko.xz: kernel/arch/x86/kvm/kvm.ko.xz kernel/virt/lib/irqbypass.ko.xz\n",
        "kernel/arch/x86/kvm/kvm-amd.ko.xz: kernel/arch/x86/kvm/kvm.ko.xz kernel/virt/lib/irqbypass.ko.xz\n",
        "kernel/virt/lib/irqbypass.ko.xz:\n",
        "kernel/drivers/dca/dca.ko.xz:\n",
        "kernel/drivers/i2c/algos/i2c-algo-bit.ko.xz:\n",
        "kernel/drivers/pps/pps_core.ko.xz:\n",
        "kernel/drivers/ptp/ptp.ko.xz: kernel/drivers/pps/pps_core.ko.xz\n",
        "kernel/drivers/net/ethernet/intel/igb/igb.ko.xz: kernel/drivers/ptp/ptp.ko.xz kernel/drivers/pps/pps_core.ko.xz kernel/drivers/dca/dca.ko.xz kernel/drivers/i2c/algos/i2c-algo-bit.ko.xz\n",
        "kernel/drivers/net/ethernet/intel/igbvf/igbvf.ko.xz:\n",
        "kernel/drivers/vfio/vfio.ko.xz:\n",
        "kernel/drivers/vfio/vfio_iommu_type1.ko.xz: kernel/drivers/vfio/vfio.ko.xz\n",
        "kernel/drivers/vfio/pci/vfio-pci.ko.xz: kernel/drivers/vfio/vfio.ko.xz kernel/virt/lib/irqbypass.ko.xz\n",
        "kernel/drivers/mfd/lpc_ich.ko.xz: kernel/drivers/mfd/mfd-core.ko.xz\n",
        "kernel/drivers/mfd/mfd-core.ko.xz:\n",
        "kernel/drivers/i2c/busses/i2c-i801.ko.xz:\n",
    ])
    h.files[base + "modules.alias"] = "".join([
        "# Aliases extracted from modules themselves.\n",
        "alias pci:v00008086d000010C9sv*sd*bc*sc*i* igb\n",
        "alias pci:v00008086d000010E6sv*sd*bc*sc*i* igb\n",
        "alias pci:v00008086d000010E7sv*sd*bc*sc*i* igb\n",
        "alias pci:v00008086d000010E8sv*sd*bc*sc*i* igb\n",
        "alias pci:v00008086d00001521sv*sd*bc*sc*i* igb\n",
        "alias pci:v00008086d00001520sv*sd*bc*sc*i* igbvf\n",
        "alias pci:v00008086d000010CAsv*sd*bc*sc*i* igbvf\n",
        "alias char-major-10-196 vfio\n",
        "alias devname:vfio/vfio vfio\n",
        "alias pci:v00008086d00003A16sv*sd*bc*sc*i* lpc_ich\n",
        "alias pci:v00008086d00003A30sv*sd*bc*sc*i* i2c_i801\n",
        "alias x86cpu:vendor:*:family:*:model:*:feature:*0085* kvm_intel\n",
        "alias x86cpu:vendor:*:family:*:model:*:feature:*00C2* kvm_amd\n",
        "alias char-major-10-232 kvm\n",
        "alias devname:kvm kvm\n",
    ])


def interrupts_text_310(ncpu, prec, rows, arch):
    """show_interrupts() of 3.10: no hwirq column; the chip name and the flow
    handler's name are joined: "IR-PCI-MSI-edge", "IR-IO-APIC-fasteoi", "DMAR_MSI-edge"."""
    lines = ["%*s" % (prec + 8, "") + "".join("CPU%-8d" % j for j in range(ncpu))]
    for irq, counts, chip, _hwirq, handler, actions in sorted(rows, key=lambda r: r[0]):
        line = "%*d: " % (prec, irq) + "".join("%10u " % c for c in counts)
        line += " %8s" % chip + "-%-8s" % handler
        if actions:
            line += "  " + ", ".join(actions)
        lines.append(line)
    for name, counts, desc in arch:
        if isinstance(counts, int):
            lines.append("%*s: %10u" % (prec, name, counts))
        else:
            lines.append("%*s: " % (prec, name) + "".join("%10u " % c for c in counts) + "  " + desc)
    return "\n".join(lines) + "\n"


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
    live = live_id is not None
    def alias(a, ind=6):
        return "%s<alias name='%s'/>\n" % (" " * ind, a) if live else ""
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
          "    </disk>\n") % (name, "      <backingStore/>\n" if live else "", alias("virtio-disk0"))
    x += ("    <controller type='usb' index='0' model='piix3-uhci'>\n%s"
          "      <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x2'/>\n"
          "    </controller>\n") % alias("usb")
    x += "    <controller type='pci' index='0' model='pci-root'>\n%s    </controller>\n" % alias("pci.0") \
        if live else "    <controller type='pci' index='0' model='pci-root'/>\n"
    x += "    <interface type='network'>\n      <mac address='52:54:00:1f:7a:21'/>\n"
    x += ("      <source network='default' bridge='virbr0'/>\n      <target dev='vnet0'/>\n"
          if live else "      <source network='default'/>\n")
    x += "      <model type='virtio'/>\n%s" % alias("net0")
    x += "      <address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/>\n    </interface>\n"
    x += ("    <serial type='pty'>\n%s      <target type='isa-serial' port='0'>\n"
          "        <model name='isa-serial'/>\n      </target>\n%s    </serial>\n") % (
        "      <source path='/dev/pts/1'/>\n" if live else "", alias("serial0"))
    x += ("    <graphics type='vnc' port='%s' autoport='yes' listen='127.0.0.1'>\n"
          "      <listen type='address' address='127.0.0.1'/>\n    </graphics>\n") % ("5900" if live else "-1")
    x += ("    <video>\n      <model type='cirrus' vram='16384' heads='1' primary='yes'/>\n%s"
          "      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>\n"
          "    </video>\n") % alias("video0")
    x += hostdev_xml(bdf, "kvm", "0x00", "0x05", live)
    x += ("    <memballoon model='virtio'>\n%s"
          "      <address type='pci' domain='0x0000' bus='0x00' slot='0x06' function='0x0'/>\n"
          "    </memballoon>\n  </devices>\n") % alias("balloon0")
    if live:
        x += ("  <seclabel type='dynamic' model='selinux' relabel='yes'>\n"
              "    <label>system_u:system_r:svirt_t:s0:c417,c902</label>\n"
              "    <imagelabel>system_u:object_r:svirt_image_t:s0:c417,c902</imagelabel>\n"
              "  </seclabel>\n  <seclabel type='dynamic' model='dac' relabel='yes'>\n"
              "    <label>+107:+107</label>\n    <imagelabel>+107:+107</imagelabel>\n  </seclabel>\n")
    return x + "</domain>\n"


def rhel7_daemons(h):
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
    h.files["proc/cpuinfo"] = "".join(l for l in h.files["proc/cpuinfo"].splitlines(True)
                                      if not l.startswith("vmx flags"))
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
    d.enable = 1
    cfg = bytearray(d.config)
    struct.pack_into("<H", cfg, 0x04, 0x0004)
    struct.pack_into("<H", cfg, 0x72, struct.unpack_from("<H", cfg, 0x72)[0] | 0x8000)
    d.config = bytes(cfg)
    # ---- /proc/interrupts in 3.10's format; the assigned device's host vectors are
    # named "kvm:<bdf>" (assigned_device_enable_host_msix)
    rows = legacy_rows(16, "IR-IO-APIC")
    rows.append((27, irq_counts(16, "dmar0", 0), "DMAR_MSI", 0, "edge", ["dmar0"]))
    dev_rows, nxt = native_device_rows(h, 16, True, h.first_msix_irq)
    rows += dev_rows
    for i in range(3):
        rows.append((nxt + i, irq_counts(16, "kvm%d" % i, (0, 48101, 35)[i]), "IR-PCI-MSI",
                     None, "edge", ["kvm:0000:03:10.0"]))
    h.files["proc/interrupts"] = interrupts_text_310(16, 3, rows, x86_arch_rows(16, 8640000))

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
    h.hw_text = SEED_HW.replace(
        "running Red Hat Enterprise Linux 9.4, kernel `5.14.0-427.13.1.el9_4.x86_64`, and",
        "running Red Hat Enterprise Linux Server 7.9 (Maipo), kernel `3.10.0-1160.el7.x86_64`, and")
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


SCENARIOS = {
    "seed-ready": sc_seed_ready,
    "seed-no-vtd": sc_seed_no_vtd,
    "seed-iommu-off": sc_seed_iommu_off,
    "seed-no-vmx": sc_seed_no_vmx,
    "seed-no-igb": sc_seed_no_igb,
    "seed-no-vfio": sc_seed_no_vfio,
    "seed-no-vfs": sc_seed_no_vfs,
    "seed-group-shared": sc_seed_group_shared,
    "seed-host-driver": sc_seed_host_driver,
    "seed-config-denied": sc_seed_config_denied,
    "amd-ready": amd_host,
    "xen-e820-missing": sc_xen_e820_missing,
    "xen-ready": sc_xen_ready,
    "seed-no-intremap": sc_seed_no_intremap,
    "seed-unsafe-interrupts": sc_seed_unsafe_interrupts,
    "seed-pt-mismatch": sc_seed_pt_mismatch,
    "hp-rmrr": sc_hp_rmrr,
    "seed-guest-holds": sc_seed_guest_holds,
    "seed-dpdk-holds": sc_seed_dpdk_holds,
    "seed-legacy-assigned": sc_seed_legacy_assigned,
    "seed-memlock-low": sc_seed_memlock_low,
    "seed-noiommu": sc_seed_noiommu,
    "seed-vfio-perm": sc_seed_vfio_perm,
    "xen-xl-twice": sc_xen_xl_twice,
    "xen-no-vtd": sc_xen_no_vtd,
    "xen-no-pciback": sc_xen_no_pciback,
    "amd-no-intremap": sc_amd_no_intremap,
}


def run_lspci(name):
    base = HOSTS / name
    path = base / "root" / "sys" / "bus" / "pci"
    out = subprocess.run(["lspci", "-A", "linux-sysfs", "-O", "sysfs.path=%s" % path, "-nnk"],
                         check=True, capture_output=True, text=True).stdout
    (base / "lspci-nnk.txt").write_text(out)


def main():
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
