"""/proc/interrupts as the kernels of the test hosts print it.

kernel/irq/proc.c show_interrupts, arch/x86/kernel/irq.c arch_show_interrupts,
as in 5.14 to 6.1: a row is "%*d: " (prec = 3, one more for each power of ten
nr_irqs reaches past 999), "%10u " per online CPU, " %8s" chip name, " %*d"
hwirq (blank for irqs without a domain, as Xen's), "-%-8s" handler name, "  "
and the actions. Chip names: IO-APIC, PCI-MSI and DMAR-MSI
(arch/x86/kernel/apic), with interrupt remapping the IR- variants (the
remapping domain's IO-APIC and MSI chips). Until 6.1 one PCI/MSI domain serves
every device, so the chip is PCI-MSI for MSI and MSI-X alike and the hwirq is
pci_msi_domain_calc_hwirq(): the vector index | bus/devfn << 11 | domain << 27.
The per-device names (IR-PCI-MSIX-0000:03:00.0, hwirq = vector index) came with
the MSI parent domains of 6.2. Xen dom0: events (drivers/xen/events/events_base.c)
with chips xen-pirq, xen-dyn, xen-percpu, and handler names ioapic-edge,
ioapic-level, msi, msi-x, virq, ipi, event. 3.10 (RHEL 7) has no hwirq column
and joins chip and handler names.
"""

import struct


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
    """pci_msi_domain_calc_hwirq() of vector `index` of bdf (domain 0)."""
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


def interrupts_text(ncpu, prec, rows, arch, hwirq_column=True):
    """rows: (irq, counts, chip, hwirq or None, handler, [actions]); arch: (name,
    counts or a single int for ERR/MIS, description or None). hwirq_column=False:
    show_interrupts() of 3.10, where the chip name and the flow handler's name are
    joined: "IR-PCI-MSI-edge", "IR-IO-APIC-fasteoi", "DMAR_MSI-edge"."""
    lines = ["%*s" % (prec + 8, "") + "".join("CPU%-8d" % j for j in range(ncpu))]
    for irq, counts, chip, hwirq, handler, actions in sorted(rows, key=lambda r: r[0]):
        line = "%*d: " % (prec, irq) + "".join("%10u " % c for c in counts)
        line += " %8s" % chip
        if hwirq_column:
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


def msix_rows(rows, irq, ncpu, chip, bdf, names, totals, cpus=None, handler="edge"):
    """Append the rows of one function's MSI-X vectors, numbered from irq: vector i
    is names[i] with totals[i] events, on cpus[i] when given (else on the CPU
    irq_counts picks); no hwirq when bdf is None. Returns the next irq number."""
    for i, name in enumerate(names):
        rows.append((irq, irq_counts(ncpu, name, totals[i], cpus[i] if cpus else None), chip,
                     msi_hwirq(bdf, i) if bdf else None, handler, [name]))
        irq += 1
    return irq


def x86_arch_rows(ncpu, uptime_ticks, native=True):
    """The arch rows after the irqs (NMI, LOC, ... MCP, ERR, MIS, and on a native
    kernel PIN/NPI/PIW), counts scaled to the uptime."""
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


def nic_vectors(d, ncpu):
    """The MSI-X vectors the network driver of d requested: ([names], [event
    counts], [cpus or None] or None). ice runs one TxRx vector per CPU, iavf only
    its mailbox vector while the link is down."""
    name = d.net["name"]
    if d.driver == "tg3":
        # TG3_IRQ_MAX_VECS MSI-X vectors, "<netdev>-<n>" (tg3_request_irq, at ndo_open:
        # the ports that were never brought up have none)
        if d.net.get("operstate") != "up":
            return [], [], None
        return ["%s-%d" % (name, i) for i in range(5)], [3] + [4021 + 13 * i for i in range(1, 5)], None
    if d.driver == "igb":
        names = igb_vectors(d)
        return names, [3] + [8311 + 97 * i for i in range(1, len(names))], None
    if d.driver == "igbvf":
        return ["%s-tx-0" % name, "%s-rx-0" % name, name], [0, 412, 2], None
    if d.driver == "ice":
        names = ["ice-%s:misc" % d.bdf] + ["ice-%s-TxRx-%d" % (name, q) for q in range(ncpu)]
        return (names, [7] + [30000 + 11 * i for i in range(1, len(names))],
                [None] + [[q] for q in range(ncpu)])
    if d.driver == "iavf":
        return ["iavf-%s:mbx" % d.bdf], [2], None
    raise ValueError(d.driver)


def native_device_rows(h, ncpu, ir, first_irq):
    """Rows for the PCI functions of a native host: pcieport MSI, INTx of UHCI/EHCI,
    MSI of AHCI, MSI-X of the NICs' drivers (nic_vectors); vfio-pci and pci-stub functions have
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
    for drv in ("tg3", "igb", "igbvf", "ice", "iavf"):
        for d in h.devs:
            if d.driver == drv and d.net:
                nxt = msix_rows(rows, nxt, ncpu, msi, d.bdf, *nic_vectors(d, ncpu))
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
        nxt = msix_rows(rows, nxt, ncpu, "IR-PCI-MSI" if ir else "PCI-MSI", bdf, names,
                        [(0, 52113, 38)[i % 3] for i in range(len(names))])
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
    for drv in ("igb", "igbvf"):
        for d in h.devs:
            if d.driver == drv and d.net:
                nxt = msix_rows(rows, nxt, ncpu, "xen-pirq", None, *nic_vectors(d, ncpu),
                                handler="msi-x")
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
            idle = d.net["name"].endswith("f1")
            totals = [0 if idle else (5 if i == 0 else 20000 + 37 * i) for i in range(len(names))]
            cpus = [None] + [[q] for q in range(ncpu)] + [None]
            nxt = msix_rows(rows, nxt, ncpu, msi, d.bdf, names, totals, cpus)
    return interrupts_text(ncpu, 4, rows, x86_arch_rows(ncpu, 8640000))
