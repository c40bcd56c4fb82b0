"""PCI functions as sysfs shows them: the device directories under sys/devices.

A Dev is one function: its ids, its binary config space (pcicfg.build_config),
its driver, BARs, IOMMU group, network interface and SR-IOV links. write_devices
lays out every function of a host the way the kernel does: the real directory
under sys/devices/pciDDDD:BB/ nested below its upstream bridges, the
sys/bus/pci/devices, driver, iommu_group, iommu, virtfnN/physfn and net links
counted from that directory, then the IOMMU groups' files and /dev/vfio.
"""

VFIO_GROUP_MAJOR = 243  # dynamic char major of the vfio group class; one value everywhere


class Dev:
    """One PCI function as the kernel shows it."""

    def __init__(self, bdf, vendor, device, cls, rev, config, *, parent=None,
                 svid=0, sdid=0, irq=0, driver=None, bars=(), iov_bars=(),
                 bridge_windows=None, enable=None, group=None, net=None,
                 sriov=None, physfn=None, numa=-1, cpulist="0-15", reset_method=None,
                 power=None):
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
        # The kernel's reset methods (sysfs reset_method, Linux 5.15+; `reset` before):
        # None = the default for the function, "" = every method disabled by a write of
        # an empty string, False = none (neither file).
        self.reset_method = reset_method
        # The power files (power_state, d3cold_allowed, power/runtime_status,
        # power/control) when they differ from power_files()'s defaults: a dict of them.
        self.power = power
        self.igb_queues = None        # queue pairs igb runs on a PF (MSI-X vectors - 1)

    @property
    def domain_bus(self):
        """"dddd:bb" of the bdf."""
        return self.bdf[:7]

    @property
    def is_bridge(self):
        """A PCI-to-PCI bridge (class 0604xx): root and downstream ports."""
        return (self.cls >> 8) == 0x0604


def resource_text(dev):
    """The sysfs `resource` file: BARs 0-5, the ROM, then the SR-IOV VF BARs
    (endpoints) or the bridge windows (bridges), "start end flags" per line."""
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


def reset_methods(d):
    """The reset methods the kernel lists for d: an SR-IOV PF or VF has FLR (a VF must,
    PCIe SR-IOV 9.2.1.2); another endpoint a PM reset (its PM capability without
    No_Soft_Reset); bridges and host bridges none here."""
    if d.reset_method is not None:
        return d.reset_method
    if d.is_bridge or (d.cls >> 8) == 0x0600:
        return False
    return "flr" if (d.sriov or d.physfn) else "pm"


def kernel_has_reset_method(host):
    """reset_method came in Linux 5.15; older kernels have only `reset`."""
    rel = host.files.get("proc/sys/kernel/osrelease", "")
    try:
        major, minor = (int(x) for x in rel.split("-")[0].split(".")[:2])
    except ValueError:
        return True
    return (major, minor) >= (5, 15)


def kernel_has_power_state(host):
    """power_state came in Linux 5.19; d3cold_allowed and power/ are older."""
    rel = host.files.get("proc/sys/kernel/osrelease", "")
    try:
        major, minor = (int(x) for x in rel.split("-")[0].split(".")[:2])
    except ValueError:
        return True
    return (major, minor) >= (5, 19)


def power_files(host, d):
    """The power files of d, name -> text: D0 and runtime-active with runtime PM
    forbidden (power/control "on", the PCI core's default); a device vfio-pci
    holds for no guest is runtime-suspended in D3hot on 5.19+, where vfio-pci
    uses runtime PM (earlier ones put it in D3hot without it, and have no
    power_state to show it). d3cold_allowed is 1 unless someone wrote 0."""
    idle_vfio = d.driver == "vfio-pci" and kernel_has_power_state(host)
    files = {"d3cold_allowed": "1", "power/runtime_status": "suspended" if idle_vfio else "active",
             "power/control": "auto" if idle_vfio else "on"}
    if kernel_has_power_state(host):
        files["power_state"] = "D3hot" if idle_vfio else "D0"
    files.update(d.power or {})
    return {k: v for k, v in files.items() if v is not None}


# Drivers that hold none of a device's BARs once bound: vfio-pci requests one
# only when a user maps it, pci-stub and pciback never do. Most other drivers
# request theirs at probe, in their own name.
NO_REGION_DRIVERS = ("vfio-pci", "pci-stub", "pciback")


def iomem_text(host):
    """/proc/iomem as root reads it, for the PCI part: each memory BAR named by its
    device, inside one "PCI Bus" window, with its driver's claim inside it (or the
    host's iomem_claims). RAM and firmware ranges are left out: nothing reads them."""
    bars = []
    for d in host.devs:
        if d.is_bridge:
            continue
        for bar in d.bars:
            if bar is not None and bar.kind != "io" and bar.base:
                bars.append((bar.base, bar.base + bar.size - 1, d))
    lines = ["00000000-00000fff : Reserved", "00001000-0009ffff : System RAM"]
    if bars:
        bars.sort(key=lambda b: b[0])
        lines.append("%08x-%08x : PCI Bus 0000:00" % (bars[0][0], max(b[1] for b in bars)))
        for start, end, d in bars:
            lines.append("  %08x-%08x : %s" % (start, end, d.bdf))
            held = [(s, z, who) for s, z, who in host.iomem_claims.get(d.bdf, [])
                    if start <= s <= end]
            if not held and d.driver and d.driver not in NO_REGION_DRIVERS:
                held = [(start, end - start + 1, d.driver)]
            for s, z, who in held:
                lines.append("    %08x-%08x : %s" % (s, s + z - 1, who))
    return "\n".join(lines) + "\n"


def write_devices(t, host):
    """sys/class/iommu, the device directories and their links, the IOMMU groups
    (type, reserved_regions) and the /dev/vfio nodes of host into tree t."""
    unit_dir = {}
    for name, real, _ in host.iommu_units:
        unit_dir[name] = real
        t.link("sys/class/iommu/" + name, real)

    devdir = {d.bdf: host.devdir(d) for d in host.devs}
    groups = {}
    for d in host.devs:
        dd = devdir[d.bdf]
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
        methods = reset_methods(d)
        if methods is not False:
            if kernel_has_reset_method(host):
                t.file(dd + "/reset_method", methods + "\n")
            # `reset` (write-only, 0200; its mode does not matter to the tool) stays
            # when a write to reset_method disabled every method.
            t.file(dd + "/reset", "")
        for name, text in sorted(power_files(host, d).items()):
            t.file(dd + "/" + name, text + "\n")
        t.file(dd + "/config", d.config, meta=dict(mode="0644", uid=0, gid=0))
        if d.is_bridge:
            t.file(dd + "/secondary_bus_number", "%d\n" % d.config[0x19])
            t.file(dd + "/subordinate_bus_number", "%d\n" % d.config[0x1A])
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
                t.link(dd + "/virtfn%d" % i, devdir[vf])
        if d.physfn:
            t.link(dd + "/physfn", devdir[d.physfn])
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
        regions = sorted(list(host.resv.get(g, [])) + list(host.resv_all))
        t.file(gdir + "/reserved_regions", "".join("0x%016x 0x%016x %s\n" % r for r in regions))

    if host.vfio_loaded:
        t.chardev("dev/vfio/vfio", 10, 196, "0666")
        minor = 0
        for g in sorted(groups):
            if any(d.driver == "vfio-pci" for d in groups[g]):
                t.chardev("dev/vfio/%d" % g, VFIO_GROUP_MAJOR, minor, "0600")
                minor += 1
