"""ACPI tables from the corpus (DMAR, IVRS) and what the kernel makes of them.

The hosts' tables are real ones from linuxhw/ACPI, kept under corpus/ (the
*_DMAR and AMD_IVRS paths are relative to it). This module reads what Linux
reads in a DMAR (remapping units, RMRRs and their device scopes, the interrupt
remapping flag), resolves RMRR scopes to the host's devices and merges them
into the IOMMU groups' reserved regions, writes the Intel remapping units'
sysfs files, and derives the tables a host sees instead of the firmware's: the
XMAR a Xen dom0 gets, and an IVRS without its IOAPIC entries.
"""

import struct

SEED_DMAR = "acpi/dmar/linuxhw_Server_Supermicro_X8DTT_CE92DF29C87C.bin"
NOIR_DMAR = "acpi/dmar/linuxhw_Desktop_Dell_Precision-WorkStation-T3500_2148E87727EE.bin"
HP_DMAR = "acpi/dmar/linuxhw_Server_HP_ProLiant-DL380e-Gen8_CB05571909C8.bin"
AMD_IVRS = "acpi/ivrs/linuxhw_Desktop_ASUS_ROG-ZENITH-II-EXTREME-ALPHA_BF6A37F4A7D0.bin"

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
    """Register base addresses of the DRHDs, in table order."""
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
    """The table's INTR_REMAP flag (no table: False)."""
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


def intel_iommu(h, dmar, cap, ecap):
    """The remapping units Linux registers for the DMAR's DRHDs, in table order:
    sys/devices/virtual/iommu/dmarN with intel-iommu/{version,address,cap,ecap}
    (cap, ecap: the hardware's registers in hex). Every group reserves the MSI
    window. The caller sets h.unit_for."""
    h.iommu_units = []
    for i, base in enumerate(dmar_drhd_bases(dmar)):
        real = "sys/devices/virtual/iommu/dmar%d" % i
        h.iommu_units.append(("dmar%d" % i, real, None))
        h.files[real + "/intel-iommu/version"] = "1:0\n"
        h.files[real + "/intel-iommu/address"] = "%x\n" % base
        h.files[real + "/intel-iommu/cap"] = cap + "\n"
        h.files[real + "/intel-iommu/ecap"] = ecap + "\n"
    h.resv_all = [(0xFEE00000, 0xFEEFFFFF, "msi")]


def dmar_zap(table):
    """The XMAR Xen leaves a dom0 (acpi_dmar_zap()): signature[0] = 'X', checksum
    reduced by 'X' - 'D' so the table still sums to 0."""
    t = bytearray(table)
    t[0] = ord("X")
    t[9] = (t[9] - (ord("X") - ord("D"))) & 0xFF
    assert sum(t) % 256 == 0
    return bytes(t)
