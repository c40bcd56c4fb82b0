"""PCI configuration space as bytes: the header, BARs, capability chains.

build_config writes a function's config space (256 bytes, 4096 for PCI
Express) as the sysfs `config` file returns it: a type 0 (endpoint) or type 1
(bridge) header, BARs, and the standard and extended capabilities chained at
the offsets given. The cap_* and ecap_* helpers return a capability's body
(what follows its header); vf_config is the config space of an SR-IOV VF.
Bar also gives the flags of its line in the sysfs `resource` file.
"""

import struct

# sysfs resource flags (include/linux/ioport.h)
IORESOURCE_IO = 0x100
IORESOURCE_MEM = 0x200
IORESOURCE_PREFETCH = 0x2000
IORESOURCE_SIZEALIGN = 0x40000
IORESOURCE_MEM_64 = 0x100000
F_IO = IORESOURCE_IO | IORESOURCE_SIZEALIGN | 0x1          # 0x40101
F_MEM32 = IORESOURCE_MEM | IORESOURCE_SIZEALIGN            # 0x40200
F_MEM64 = F_MEM32 | IORESOURCE_MEM_64 | 0x4                # 0x140204
F_PREF64 = F_MEM64 | IORESOURCE_PREFETCH | 0x8             # 0x14220c
F_BRIDGE_IO = IORESOURCE_IO                                # 0x100
F_BRIDGE_MEM = IORESOURCE_MEM                              # 0x200
F_BRIDGE_PREF64 = IORESOURCE_MEM | IORESOURCE_PREFETCH | IORESOURCE_MEM_64  # 0x102200

PCIE_ROOT_DEVCAP = 0x00008001  # MaxPayload 256, RBE+
MSI_ADDR = 0xFEE00000          # the x86 MSI window: where MSI address registers point


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
    """A config space being written, little-endian."""

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
    """v as 2 little-endian bytes."""
    return struct.pack("<H", v & 0xFFFF)


def le32(v):
    """v as 4 little-endian bytes."""
    return struct.pack("<I", v & 0xFFFFFFFF)


# Standard capabilities: each returns the bytes after the 2-byte (id, next) header.


def cap_pm(pmc, pmcsr=0x0008):
    """Power Management (01h): capabilities, control/status."""
    return le16(pmc) + le16(pmcsr) + b"\0\0"


def cap_msi(ctrl, addr=0, data=0):
    """MSI (05h); ctrl bit7 = 64-bit, bit8 = per-vector masking."""
    body = le16(ctrl)
    if ctrl & 0x80:
        body += le32(addr & 0xFFFFFFFF) + le32(addr >> 32) + le16(data) + b"\0\0"
    else:
        body += le32(addr) + le16(data) + b"\0\0"
    if ctrl & 0x100:
        body += le32(0) + le32(0)
    return body


def cap_msix(count, enabled, table_bir, table_off, pba_bir, pba_off):
    """MSI-X (11h): table size, enable bit, table and PBA (BAR index, offset)."""
    ctrl = (count - 1) | (0x8000 if enabled else 0)
    return le16(ctrl) + le32(table_off | table_bir) + le32(pba_off | pba_bir)


def cap_ssvid(svid, sdid):
    """Bridge subsystem vendor and device ids (0Dh)."""
    return b"\0\0" + le16(svid) + le16(sdid)


def cap_vendor(length, payload=b""):
    """Vendor-specific (09h) of `length` bytes."""
    body = bytes([length]) + payload
    return body.ljust(length - 2, b"\0")


def cap_pcie(port_type, devcap, devctl, lnkcap, lnksta, lnkctl=0x0040, sltcap=0,
             slot=False, devcap2=0x1F, devctl2=0, lnkcap2=0, lnksta2=0, sltsta=0,
             rootcap=0, devsta=0, lnkctl2=0):
    """PCI Express (10h), version 2; port_type 0 = endpoint, 4 = root port."""
    flags = 0x0002 | (port_type << 4) | (0x100 if slot else 0)
    body = le16(flags) + le32(devcap) + le16(devctl) + le16(devsta)
    body += le32(lnkcap) + le16(lnkctl) + le16(lnksta)
    body += le32(sltcap) + le16(0) + le16(sltsta)
    body += le16(0) + le16(rootcap) + le32(0)               # root ctl/cap/status
    body += le32(devcap2) + le16(devctl2) + le16(0)
    body += le32(lnkcap2) + le16(lnkctl2) + le16(lnksta2)
    body += le32(0) + le16(0) + le16(0)                     # slot cap2/ctl2/sta2
    return body


# Extended capabilities: each returns the bytes after the 4-byte header.


def ecap_aer(root=False):
    """Advanced Error Reporting (0001h) at its power-on state; root: a root port's."""
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
    """Device Serial Number (0003h)."""
    return le32(serial & 0xFFFFFFFF) + le32(serial >> 32)


def ecap_ari(next_fn):
    """Alternative Routing-ID Interpretation (000Eh): the next function number."""
    return le16(next_fn << 8) + le16(0)


def ecap_acs(cap, ctl):
    """Access Control Services (000Dh): capability and control bits."""
    return le16(cap) + le16(ctl)


def ecap_sriov(initial, total, num, fdl, offset, stride, vf_device, vf_bars,
               supported_pgsz=0x553, ari_hierarchy=False):
    """SR-IOV (0010h): VF counts, First VF Offset, VF Stride, VF device id and the VF
    BARs (each VF's BAR; None for an unused slot); VF Enable and MSE set when num > 0."""
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
                 caps=(), ecaps=(), pcie=True, bridge=None, cacheline=0x10):
    """A function's config space. Header type 0 takes bars (Bar or None per slot),
    svid and sdid; type 1 (a bridge) takes bridge: dict(primary, secondary,
    subordinate, io, mem, pref as (base, limit), control). caps: [(offset, id,
    body)], ecaps: [(offset, id, version, body)], chained in offset order; the
    status register's capability-list bit is cleared when there are none."""
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
    c.w8(0x0D, 0)  # latency timer
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
        c.w32(0x30, 0)  # no expansion ROM
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


def vf_config(*, rev, command, svid, sdid, msix, msix_on, devcap, devctl, lnkcap, devcap2=0x1F,
              aer_version):
    """An SR-IOV VF's config space: vendor and device read 0xffff (the VF's ids are
    the PF's SR-IOV capability's), MSI-X with `msix` vectors (table and PBA in
    BAR 3) at 0x70, PCIe at 0xa0 (link status 0: a VF has no link), AER and ARI."""
    return build_config(
        vendor=0xFFFF, device=0xFFFF, cls=0x020000, rev=rev, status=0x0010, command=command,
        svid=svid, sdid=sdid,
        caps=[(0x70, 0x11, cap_msix(msix, msix_on, 3, 0, 3, 0x2000)),
              (0xA0, 0x10, cap_pcie(0, devcap, devctl, lnkcap, 0x0000, devcap2=devcap2))],
        ecaps=[(0x100, 0x0001, aer_version, ecap_aer()),
               (0x150, 0x000E, 1, ecap_ari(0))],
        pcie=True, cacheline=0)
