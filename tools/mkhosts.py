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
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"

SEED_DMAR = "acpi/dmar/linuxhw_Server_Supermicro_X8DTT_CE92DF29C87C.bin"
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
    lines = []
    for name, size, users in host.modules:
        deps = "".join(u + "," for u in users) if users else "-"
        lines.append("%s %d %d %s Live 0x0000000000000000" % (name, size, len(users), deps))
    t.file("proc/modules", "\n".join(lines) + ("\n" if lines else ""))
    for name, size, users in host.modules:
        base = "sys/module/%s" % name
        t.file(base + "/initstate", "live\n")
        t.file(base + "/refcnt", "%d\n" % len(users))
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
    t.write_meta()

    # README + scenario.toml next to root/
    base = out.parent
    (base / "README.md").write_text(host.readme)
    tdevs = ", ".join('"%s"' % d for d in host.targets)
    (base / "scenario.toml").write_text(
        'description = "%s"\ndevices = [%s]\n' % (host.description.replace('"', '\\"'), tdevs))


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
              group_shared=False, root_acs=True, distro="rhel", xen=False, corpus=None):
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
    acs_en = iommu_on or xen  # Linux enables ACS only when an IOMMU asked for it; Xen does it itself
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
    cmd = RHEL_CMDLINE_BASE + (" intel_iommu=on" if cmdline_iommu else "")
    grub = RHEL_GRUB_BASE + (" intel_iommu=on" if cmdline_iommu else "")
    host_common(h, "rhel", RHEL_REL, cmd, grub)
    h.files["proc/cpuinfo"] = cpuinfo_e5520(vmx=vmx)
    h.files["etc/libvirt/qemu.conf"] = qemu_conf("qemu", "qemu")
    if igb and numvfs:
        h.files["etc/modprobe.d/igb.conf"] = "options igb max_vfs=%d\n" % numvfs
    rhel_lib_modules(h)
    h.files["boot/config-" + RHEL_REL] = RHEL_BOOT_CONFIG

    # ---- ACPI / IOMMU
    if dmar:
        h.acpi["DMAR"] = (corpus / SEED_DMAR).read_bytes()
        h.acpi_credit.append(("DMAR", SEED_DMAR))
    if iommu_on:
        real = "sys/devices/virtual/iommu/dmar0"
        h.iommu_units = [("dmar0", real, None)]
        h.files[real + "/intel-iommu/version"] = "1:0\n"
        h.files[real + "/intel-iommu/address"] = "fbffe000\n"
        h.files[real + "/intel-iommu/cap"] = "c90780106f0462\n"
        h.files[real + "/intel-iommu/ecap"] = "f0207e\n"
        h.unit_for = lambda d: "dmar0"
        h.resv_all = [(0xFEE00000, 0xFEEFFFFF, "msi")]
        for k in ("usb1a", "usb1d"):
            h.resv[g[k]] = [(0x000E7000, 0x000EAFFF, "direct-relaxable"),
                            (0xBF7EC000, 0xBF7FFFFF, "direct-relaxable")]
    else:
        h.resv_all = []
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
                   "(https://github.com/linuxhw/ACPI, CC-BY-4.0), via `/work/shared/corpus/%s`."
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


# --------------------------------------------------------------------------
# AMD host: ASUS ROG Zenith II Extreme Alpha (TRX40), Threadripper 3960X,
# Ubuntu 22.04, Intel X710 at 41:00.0/41:00.1
# --------------------------------------------------------------------------

UBU_REL = "5.15.0-105-generic"


def amd_host(c):
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

def xen_host(name, e820, c):
    h = seed_host(name, iommu_on=False, vf_drivers=("pciback", "igbvf"), vfio=False,
                  vmx=False, corpus=c, xen=True)
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
    h.acpi["XMAR"] = bytes(dmar)
    h.acpi_credit.append(("XMAR", SEED_DMAR))
    cmdline = ("BOOT_IMAGE=/boot/vmlinuz-%s root=UUID=8d1f3c52-6e0a-4b7d-b0c4-1a9e2f7d5c36 ro "
               "quiet" % DEB_REL) + (" pci_pt_e820_access=on" if e820 else "")
    host_common(h, "debian", DEB_REL, cmdline, "pci_pt_e820_access=on" if e820 else "")
    h.files["proc/cpuinfo"] = cpuinfo_e5520_xen_dom0(4)
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


def sc_xen_ready(c):
    h = xen_host("xen-ready", True, c)
    h.description = "Xen dom0, VF on pciback, pci_pt_e820_access=on set"
    finish_readme(h, "xen-ready", XEN_STATE + (
        "- The dom0 kernel command line has `pci_pt_e820_access=on`.\n"),
        "`xen.e820-access` passes; no check fails for 0000:03:10.0.\n")
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
