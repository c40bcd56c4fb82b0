#!/usr/bin/env python3
"""Generate one large host tree for the performance benchmark (bench/run.sh).

Usage: tools/mkbighost.py OUT_DIR [--pfs 8] [--vfs-per-pf 256] [--procs 4000]
                                  [--fds 12] [--guest-every 16] [--corpus DIR]

OUT_DIR becomes the host's root (read it with `sriov-doctor check --root OUT_DIR`,
`lspci -A linux-sysfs -O sysfs.path=OUT_DIR/sys/bus/pci`). It is deleted and rewritten.

The tree follows the conventions of the hand-built trees (tests/hosts/README.md,
tools/mkhosts.py, whose helpers it imports): real device directories under
sys/devices with relative sysfs links, binary config space with real capability
chains, root/.sriov-doctor-meta.toml for modes, owners and device nodes, /proc/PID
as procfs lays it out, libvirt's 0600 state and persistent XML.

The host: a dual-socket Intel server running RHEL 9.4 (64 logical CPUs, two NUMA
nodes), the seed hosts' DMAR (Supermicro X8DTT from the corpus: one DRHD with
INCLUDE_PCI_ALL, so one remapping unit dmar0, and interrupt remapping) and their
ICH10 platform devices (host bridge 00:00.0, UHCI 00:1a.0/00:1d.0, LPC 00:1f.0,
AHCI 00:1f.2, which the DMAR's RMRRs name), IOMMU on (intel_iommu=on, DMA-FQ).
Each of the --pfs Intel E810-C PFs (8086:1592, subsystem 8086:0002, driver ice)
sits alone on a root port (8086:2030..2033) of one socket's root bus: socket 0 is
root bus 0x16 (ports 16:00.0.. -> buses 0x17, 0x19, ...), socket 1 is root bus 0x84
(ports 84:00.0.. -> buses 0x85, 0x87, ...). Each PF has sriov_totalvfs =
sriov_numvfs = --vfs-per-pf (VF 8086:1889). The corpus has no E810 `lspci -vvv`
(its dpdk_playground capture shows only the X550's SR-IOV capability), so the
SR-IOV capability uses First VF Offset 16, VF Stride 1: VF i of PF BB:00.0 has
routing id BB:00.0 + 16 + i, i.e. BB:02.0 .. BB:1f.7 and then (i >= 240) on the
next bus, BB+1:00.0 ..; the root port's subordinate bus covers it and, as Linux
does for VFs on a virtual bus, those VFs sit in the same parent bridge directory
as their PF. Every VF is in its own IOMMU group (created after the boot scan, so
numbered after the boot devices).

VF drivers, by VF index i within its PF: i % 4 in (0, 1) vfio-pci, 2 iavf (with a
net/ interface, link down), 3 unbound. Every --guest-every-th vfio-pci VF (counted
over the whole host, the first one included) is held by a running libvirt guest
guestN (N = 1, 2, ...): run/libvirt/qemu/guestN.{xml,pid}, etc/libvirt/qemu/guestN.xml,
a QEMU process with the JSON -device form and /dev/vfio/<group> open; the VF has
enable 1, Bus Master and MSI-X on, three vfio-msix vectors. vfio-pci VFs not held
have enable 0. /dev/vfio/N exists (in the metadata) for every group with a vfio-pci
device.

Besides systemd, sshd, virtlogd and libvirtd, --procs ordinary processes
(/proc/PID/{cmdline,comm,status,limits,fd/}) with about --fds fd links each
(/dev/null, sockets, pipes, regular files, anon inodes). Deterministic: the same
arguments give the same tree, byte for byte. Python 3 standard library only.
"""

import argparse
import os
import shutil
import struct
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mkhosts as mk  # noqa: E402
from mkhosts import Bar, Dev, build_config, cap_pm, cap_msi, cap_msix, cap_pcie, cap_ssvid  # noqa: E402
from mkhosts import ecap_aer, ecap_dsn, ecap_ari, ecap_acs, ecap_sriov, le32  # noqa: E402

NCPU = 64
NODE_CPUS = {0: "0-15,32-47", 1: "16-31,48-63"}
ROOT_BUS = {0: 0x16, 1: 0x84}
E810_PF, E810_VF = 0x1592, 0x1889
VF_OFFSET, VF_STRIDE = 16, 1
ICE_SIZES = {"ice": 1155072, "iavf": 233472, "ptp": 36864, "pps_core": 24576}


# --------------------------------------------------------------------------
# CPU: 2x Xeon Gold 6242 (16 cores, HT), 64 logical CPUs
# --------------------------------------------------------------------------

GOLD_FLAGS = ("fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts "
              "acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc art "
              "arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc cpuid aperfmperf pni "
              "pclmulqdq dtes64 monitor ds_cpl vmx smx est tm2 ssse3 sdbg fma cx16 xtpr pdcm pcid "
              "dca sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand "
              "lahf_lm abm 3dnowprefetch cpuid_fault epb cat_l3 cdp_l3 invpcid_single intel_ppin "
              "ssbd mba ibrs ibpb stibp ibrs_enhanced tpr_shadow vnmi flexpriority ept vpid "
              "ept_ad fsgsbase tsc_adjust bmi1 hle avx2 smep bmi2 erms invpcid rtm cqm mpx rdt_a "
              "avx512f avx512dq rdseed adx smap clflushopt clwb intel_pt avx512cd avx512bw "
              "avx512vl xsaveopt xsavec xgetbv1 xsaves cqm_llc cqm_occup_llc cqm_mbm_total "
              "cqm_mbm_local dtherm ida arat pln pts pku ospke avx512_vnni md_clear flush_l1d "
              "arch_capabilities")
GOLD_VMX = ("vnmi preemption_timer posted_intr invvpid ept_x_only ept_ad ept_1gb flexpriority "
            "apicv tsc_offset vtpr mtf vapic ept vpid unrestricted_guest vapic_reg vid ple "
            "shadow_vmcs pml ept_mode_based_exec tsc_scaling")
GOLD_BUGS = "spectre_v1 spectre_v2 spec_store_bypass swapgs taa itlb_multihit mmio_stale_data retbleed eibrs_pbrsb gds"


def cpuinfo_gold6242():
    out = []
    for n in range(NCPU):
        sock = (n // 16) % 2
        core = n % 16
        thread = n // 32
        apic = sock * 64 + core * 2 + thread
        out.append("\n".join([
            "processor\t: %d" % n, "vendor_id\t: GenuineIntel", "cpu family\t: 6",
            "model\t\t: 85", "model name\t: Intel(R) Xeon(R) Gold 6242 CPU @ 2.80GHz",
            "stepping\t: 7", "microcode\t: 0x5003604", "cpu MHz\t\t: %d.%03d" % (2800, n * 37 % 1000),
            "cache size\t: 22528 KB", "physical id\t: %d" % sock, "siblings\t: 32",
            "core id\t\t: %d" % core, "cpu cores\t: 16", "apicid\t\t: %d" % apic,
            "initial apicid\t: %d" % apic, "fpu\t\t: yes", "fpu_exception\t: yes",
            "cpuid level\t: 22", "wp\t\t: yes", "flags\t\t: " + GOLD_FLAGS,
            "vmx flags\t: " + GOLD_VMX, "bugs\t\t: " + GOLD_BUGS,
            "bogomips\t: 5600.00", "clflush size\t: 64", "cache_alignment\t: 64",
            "address sizes\t: 46 bits physical, 48 bits virtual", "power management:", "", ""]))
    return "".join(out)


# --------------------------------------------------------------------------
# Devices
# --------------------------------------------------------------------------

def rootport(bdf, device, port, secondary, subordinate, irq, *, group, numa, pref):
    """A Cascade Lake IIO PCIe root port (8086:2030..2033), driver pcieport, ACS on,
    one prefetchable 64-bit window (pref = (base, limit)) for the PF and its VFs."""
    lnkcap = 0x3 | (16 << 4) | (3 << 10) | (1 << 20) | (port << 24)  # 8GT/s x16, DLActive reporting
    lnksta = 0x3 | (16 << 4) | 0x2000
    cfg = build_config(
        vendor=0x8086, device=device, cls=0x060400, rev=0x07, command=0x0547, header=0x01,
        caps=[(0x40, 0x0D, cap_ssvid(0x8086, 0x0000)),
              (0x60, 0x05, cap_msi(0x0081, mk.MSI_ADDR, 0x4021 + port)),
              (0x90, 0x10, cap_pcie(4, 0x00008002, 0x0020, lnkcap, lnksta, slot=True,
                                    sltcap=(port << 19) | 0x60, sltsta=0x0040, devcap2=0x7001F)),
              (0xE0, 0x01, cap_pm(0xC803))],
        ecaps=[(0x100, 0x0001, 1, ecap_aer(root=True)),
               (0x150, 0x000D, 1, ecap_acs(0x001F, 0x001D))],
        pcie=True, int_line=0, int_pin=1,
        bridge=dict(primary=int(bdf[5:7], 16), secondary=secondary, subordinate=subordinate,
                    pref=pref, control=0x0003))
    win = [(0, 0, 0), (0, 0, 0), (pref[0], pref[1], mk.F_BRIDGE_PREF64), (0, 0, 0)]
    return Dev(bdf, 0x8086, device, 0x060400, 0x07, cfg, irq=irq, driver="pcieport",
               bridge_windows=win, group=group, numa=numa, cpulist=NODE_CPUS[numa])


def e810_pf(bdf, parent, idx, *, numvfs, totalvfs, group, numa, irq, mmio):
    bars = [Bar("pref64", mmio, 0x2000000), None, Bar("pref64", mmio + 0x2000000, 0x10000)]
    vfbar0 = Bar("pref64", mmio + 0x4000000, 0x20000)     # 128 KiB per VF
    vfbar3 = Bar("pref64", mmio + 0x6000000, 0x4000)      # 16 KiB per VF
    devcap = 0x2 | (7 << 6) | (7 << 9) | (1 << 15) | (1 << 28)
    lnkcap = 0x4 | (16 << 4) | (1 << 10) | (7 << 12) | (7 << 15)
    cfg = build_config(
        vendor=0x8086, device=E810_PF, cls=0x020000, rev=0x02, command=0x0406,
        bars=bars, svid=0x8086, sdid=0x0002, int_line=irq, int_pin=1,
        caps=[(0x40, 0x01, cap_pm(0xC823, 0x0008)),
              (0x50, 0x05, cap_msi(0x0180)),
              (0x70, 0x11, cap_msix(1024, True, 3, 0, 3, 0x8000)),
              (0xA0, 0x10, cap_pcie(0, devcap, 0x5937, lnkcap, 0x4 | (16 << 4), devcap2=0x1F))],
        ecaps=[(0x100, 0x0001, 2, ecap_aer()),
               (0x148, 0x0003, 1, ecap_dsn(0xB49691FFFF3C0000 + idx)),
               (0x150, 0x000E, 1, ecap_ari(0)),
               (0x160, 0x0010, 1, ecap_sriov(totalvfs, totalvfs, numvfs, 0, VF_OFFSET, VF_STRIDE,
                                             E810_VF, [vfbar0, None, vfbar3], ari_hierarchy=True)),
               (0x1A0, 0x000D, 1, ecap_acs(0x0000, 0x0000))],
        pcie=True)
    d = Dev(bdf, 0x8086, E810_PF, 0x020000, 0x02, cfg, parent=parent, svid=0x8086, sdid=0x0002,
            irq=irq, driver="ice", bars=bars, group=group, numa=numa, cpulist=NODE_CPUS[numa],
            iov_bars=[Bar("pref64", vfbar0.base, vfbar0.size * max(totalvfs, 1)), None,
                      Bar("pref64", vfbar3.base, vfbar3.size * max(totalvfs, 1))],
            sriov=dict(totalvfs=totalvfs, numvfs=numvfs, offset=VF_OFFSET, stride=VF_STRIDE,
                       vf_device=E810_VF))
    bus = int(bdf[5:7], 16)
    d.net = dict(name="enp%ds0f0np0" % bus, mac="b4:96:91:3c:%02x:%02x" % (idx, 0x10),
                 ifindex=10 + idx)
    d.vf_bars = (vfbar0, vfbar3)
    return d


def vf_bdf(pf_bdf, i):
    dom = pf_bdf[:4]
    rid = (int(pf_bdf[5:7], 16) << 8 | int(pf_bdf[8:10], 16) << 3 | int(pf_bdf[11])) + VF_OFFSET + VF_STRIDE * i
    return "%s:%02x:%02x.%d" % (dom, rid >> 8, (rid >> 3) & 0x1F, rid & 7)


def e810_vf(pf, i, *, driver, group):
    bdf = vf_bdf(pf.bdf, i)
    b0, b3 = pf.vf_bars
    vb0 = Bar("pref64", b0.base + i * b0.size, b0.size)
    vb3 = Bar("pref64", b3.base + i * b3.size, b3.size)
    devcap = 0x2 | (7 << 6) | (7 << 9) | (1 << 15) | (1 << 28)
    cfg = build_config(
        vendor=0xFFFF, device=0xFFFF, cls=0x020000, rev=0x02, status=0x0010,
        command=0x0004 if driver == "iavf" else 0x0000, svid=0x8086, sdid=0x0000,
        caps=[(0x70, 0x11, cap_msix(17, driver == "iavf", 3, 0, 3, 0x2000)),
              (0xA0, 0x10, cap_pcie(0, devcap, 0x2937, 0x4 | (16 << 4) | (1 << 10) | (7 << 12) | (7 << 15),
                                    0x0000, devcap2=0x1F))],
        ecaps=[(0x100, 0x0001, 2, ecap_aer()),
               (0x150, 0x000E, 1, ecap_ari(0))],
        pcie=True, cacheline=0)
    d = Dev(bdf, 0x8086, E810_VF, 0x020000, 0x02, cfg, parent=pf.parent, svid=0x8086, sdid=0x0000,
            irq=0, driver=driver, bars=[vb0, None, vb3], group=group, numa=pf.numa,
            cpulist=pf.cpulist, physfn=pf.bdf)
    return d


# --------------------------------------------------------------------------
# Tree writer: mkhosts.render without the README/scenario.toml next to the root,
# with indexed device lookups and cached directory creation (2,000+ devices).
# --------------------------------------------------------------------------

class FastTree(mk.Tree):
    def __init__(self, root):
        super().__init__(root)
        self.dirs = set()

    def _mkdir(self, path):
        parent = path.parent
        if parent not in self.dirs:
            parent.mkdir(parents=True, exist_ok=True)
            self.dirs.add(parent)

    def file(self, rel, content="", meta=None):
        path = self.root / rel
        self._mkdir(path)
        data = content.encode() if isinstance(content, str) else content
        with open(path, "wb") as f:
            f.write(data)
        if meta:
            self.meta.append(dict(path=rel, **meta))

    def link(self, rel, target_rel):
        path = self.root / rel
        self._mkdir(path)
        text = os.path.relpath(target_rel, os.path.dirname(rel))
        try:
            os.symlink(text, path)
        except FileExistsError:
            path.unlink()
            os.symlink(text, path)

    def abs_link(self, rel, text):
        path = self.root / rel
        self._mkdir(path)
        os.symlink(text, path)


def render_root(host, out):
    """mkhosts.render(), writing only the root."""
    if out.exists():
        shutil.rmtree(out)
    t = FastTree(out)
    index = {d.bdf: d for d in host.devs}
    host.dev = index.__getitem__
    cache = {}
    real_devdir = mk.Host.devdir

    def devdir(d):
        if d.bdf not in cache:
            cache[d.bdf] = real_devdir(host, d)
        return cache[d.bdf]
    host.devdir = devdir

    for rel, content in sorted(host.files.items()):
        t.file(rel, content)
    for sig, data in sorted(host.acpi.items()):
        t.file("sys/firmware/acpi/tables/%s" % sig, data, meta=dict(mode="0400", uid=0, gid=0))
    lines = []
    for name, size, users, *refs in host.modules:
        deps = "".join(u + "," for u in users) if users else "-"
        lines.append("%s %d %d %s Live 0x0000000000000000" % (name, size, len(users) + sum(refs), deps))
    t.file("proc/modules", "\n".join(lines) + "\n")
    for name, size, users, *refs in host.modules:
        base = "sys/module/%s" % name
        t.file(base + "/initstate", "live\n")
        t.file(base + "/refcnt", "%d\n" % (len(users) + sum(refs)))
        for u in users:
            t.link(base + "/holders/" + u, "sys/module/" + u)
        for p, v in sorted(host.module_params.get(name, {}).items()):
            t.file(base + "/parameters/" + p, v + "\n")
    for drv, mod in sorted(host.drivers.items()):
        base = "sys/bus/pci/drivers/%s" % drv
        for f in ("bind", "unbind", "new_id", "remove_id", "uevent"):
            t.file(base + "/" + f, "")
        if mod:
            t.link(base + "/module", "sys/module/" + mod)
            t.link("sys/module/%s/drivers/pci:%s" % (mod, drv), base)
    unit_dir = {}
    for name, real, _ in host.iommu_units:
        unit_dir[name] = real
        t.link("sys/class/iommu/" + name, real)

    groups = {}
    for d in host.devs:
        dd = devdir(d)
        t.link("sys/bus/pci/devices/" + d.bdf, dd)
        for f, v in (("vendor", "0x%04x\n" % d.vendor), ("device", "0x%04x\n" % d.device),
                     ("subsystem_vendor", "0x%04x\n" % d.svid),
                     ("subsystem_device", "0x%04x\n" % d.sdid),
                     ("class", "0x%06x\n" % d.cls), ("revision", "0x%02x\n" % d.rev),
                     ("irq", "%d\n" % d.irq), ("numa_node", "%d\n" % d.numa),
                     ("local_cpulist", d.cpulist + "\n"),
                     ("modalias", "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n" % (
                         d.vendor, d.device, d.svid, d.sdid, d.cls >> 16, (d.cls >> 8) & 0xFF,
                         d.cls & 0xFF)),
                     ("enable", "%d\n" % d.enable), ("driver_override", "(null)\n"),
                     ("resource", mk.resource_text(d))):
            t.file(dd + "/" + f, v)
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
                t.link(dd + "/virtfn%d" % i, devdir(index[vf]))
        if d.physfn:
            t.link(dd + "/physfn", devdir(index[d.physfn]))
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
                t.chardev("dev/vfio/%d" % g, mk.VFIO_GROUP_MAJOR, minor, "0600")
                minor += 1
    t.empty_dir("sys/class/iommu")
    t.empty_dir("sys/kernel/iommu_groups")
    for hook in host.post_render:
        hook(t)
    t.write_meta()


# --------------------------------------------------------------------------
# /proc/interrupts: legacy pins, dmar0, root ports, AHCI, UHCI, ice (misc + one
# TxRx per CPU), iavf (the mailbox vector requested at probe; links are down, so
# no TxRx), and the vfio-msix vectors of the held VFs.
# --------------------------------------------------------------------------

def interrupts(h, ir, user_vectors):
    msi = "IR-PCI-MSI" if ir else "PCI-MSI"
    rows = mk.legacy_rows(NCPU, "IR-IO-APIC" if ir else "IO-APIC")
    rows.append((27, mk.irq_counts(NCPU, "dmar0", 0), "DMAR-MSI", 0, "edge", ["dmar0"]))
    dev_rows, nxt = mk.native_device_rows(h, NCPU, ir, 128)
    rows += dev_rows
    for d in h.devs:
        if d.driver == "ice":
            names = ["ice-%s:misc" % d.bdf] + ["ice-%s-TxRx-%d" % (d.net["name"], q) for q in range(NCPU)]
            for i, name in enumerate(names):
                cpus = [(i - 1) % NCPU] if i else None
                rows.append((nxt, mk.irq_counts(NCPU, name, 7 if i == 0 else 30000 + 11 * i, cpus),
                             msi, mk.msi_hwirq(d.bdf, i), "edge", [name]))
                nxt += 1
    for d in h.devs:
        if d.driver == "iavf":
            name = "iavf-%s:mbx" % d.bdf
            rows.append((nxt, mk.irq_counts(NCPU, name, 2), msi, mk.msi_hwirq(d.bdf, 0), "edge", [name]))
            nxt += 1
    for bdf, names in user_vectors:
        for i, name in enumerate(names):
            rows.append((nxt, mk.irq_counts(NCPU, name, (0, 52113, 38)[i % 3]), msi,
                         mk.msi_hwirq(bdf, i), "edge", [name]))
            nxt += 1
    return mk.interrupts_text(NCPU, 4, rows, mk.x86_arch_rows(NCPU, 8640000))


# --------------------------------------------------------------------------
# Ordinary processes
# --------------------------------------------------------------------------

PROGRAMS = [
    ("bash", ["-bash"], 0), ("sshd", None, 0), ("python3", ["/usr/bin/python3", "/opt/app/worker.py", "--queue", "q%d"], 998),
    ("nginx", ["nginx: worker process"], 996), ("postgres", ["postgres: writer"], 997),
    ("java", ["/usr/bin/java", "-Xmx2g", "-jar", "/opt/svc/svc%d.jar"], 999),
    ("sleep", ["sleep", "3600"], 0), ("crond", ["/usr/sbin/crond", "-n"], 0),
    ("rsyslogd", ["/usr/sbin/rsyslogd", "-n"], 0), ("chronyd", ["/usr/sbin/chronyd", "-F", "2"], 996),
    ("dbus-broker", ["dbus-broker", "--log", "4", "--controller", "9", "--machine-id", "a%031x"], 81),
    ("agetty", ["/sbin/agetty", "-o", "-p -- \\u", "--noclear", "tty%d", "linux"], 0),
]


def ordinary_processes(h, n, nfds, first_pid):
    lim = mk.limits_text(memlock=(8388608, 8388608), nofile=(1024, 524288))
    pid = first_pid
    for i in range(n):
        comm, argv, uid = PROGRAMS[i % len(PROGRAMS)]
        if comm == "sshd":
            raw = "sshd: user%d@pts/%d" % (i, i % 64) + "\0" * 11
            argv_ = None
        else:
            raw = None
            argv_ = [a % i if "%" in a else a for a in argv]
        k = max(3, nfds + (i % 5) - 2)
        fds = [(0, "/dev/null"), (1, "pipe:[%d]" % (700000 + 2 * i)), (2, "pipe:[%d]" % (700000 + 2 * i))]
        for f in range(3, k):
            kind = (i + f) % 5
            if kind == 0:
                tgt = "socket:[%d]" % (1000000 + i * 64 + f)
            elif kind == 1:
                tgt = "pipe:[%d]" % (2000000 + i * 64 + f)
            elif kind == 2:
                tgt = "/var/log/app/%s-%d.log" % (comm, i)
            elif kind == 3:
                tgt = "/usr/lib64/libcrypto.so.3.0.7" if f % 2 else "/var/lib/%s/data.%d" % (comm, f)
            else:
                tgt = "anon_inode:[eventpoll]" if f % 2 else "/dev/null"
            fds.append((f, tgt))
        rss = 4000 + (i * 37) % 60000
        mk.add_process(h, pid, comm=comm, argv=argv_, raw_cmdline=raw, uid=uid, gid=uid,
                       ppid=1, limits=lim, caps=(uid == 0), ctxt=(100 + i, i % 7),
                       vm=dict(peak=rss * 3, size=rss * 3, hwm=rss, rss=rss, file=rss // 2,
                               shmem=0, data=rss, exe=500, lib=4000, pte=80), fds=fds)
        pid += 1 + (i % 3)
    return pid


# --------------------------------------------------------------------------
# The host
# --------------------------------------------------------------------------

def big_host(corpus, pfs, vfs_per_pf, procs, nfds, guest_every):
    h = mk.Host("bighost")
    g = {}
    order = ["0000:00:00.0", "usb1a", "usb1d", "lpc"]
    for i, k in enumerate(order):
        g[k] = i
    devs = [mk.e5520_hostbridge(0, NODE_CPUS[0], g["0000:00:00.0"])]
    devs[0].numa = 0
    devs += mk.ich10_devices(0, NODE_CPUS[0], g, True)
    next_group = len(order)
    # root ports and PFs, socket by socket (bus scan order: 00, 16.., 84..)
    per_sock = [(pfs + 1) // 2, pfs // 2]
    pf_list = []
    idx = 0
    for sock in (0, 1):
        rb = ROOT_BUS[sock]
        for p in range(per_sock[sock]):
            sec = rb + 1 + 2 * p
            sub = sec + (1 if (VF_OFFSET + VF_STRIDE * (vfs_per_pf - 1)) >= 256 else 0)
            mmio = (0x200000000000 if sock == 0 else 0x300000000000) + p * 0x10000000
            rp = rootport("0000:%02x:%02x.0" % (rb, p), 0x2030 + p % 4, p + 1, sec, sub,
                          26 + idx, group=next_group, numa=sock, pref=(mmio, mmio + 0xFFFFFFF))
            next_group += 1
            pf = e810_pf("0000:%02x:00.0" % sec, rp.bdf, idx, numvfs=vfs_per_pf,
                         totalvfs=vfs_per_pf, group=next_group, numa=sock, irq=16 + idx % 8,
                         mmio=mmio)
            next_group += 1
            devs += [rp, pf]
            pf_list.append(pf)
            idx += 1
    # VFs: created when sriov_numvfs was written after boot, PF by PF
    vfs = []
    vfio_count = 0
    held = []
    ifindex = 100
    for pf in pf_list:
        for i in range(vfs_per_pf):
            drv = ("vfio-pci", "vfio-pci", "iavf", None)[i % 4]
            vf = e810_vf(pf, i, driver=drv, group=next_group)
            next_group += 1
            if drv == "vfio-pci":
                if vfio_count % guest_every == 0:
                    held.append(vf)
                vfio_count += 1
            if drv == "iavf":
                rid_bus, slot, fn = int(vf.bdf[5:7], 16), int(vf.bdf[8:10], 16), int(vf.bdf[11])
                vf.net = dict(name="enp%ds%d" % (rid_bus, slot) + ("f%d" % fn if fn else ""),
                              mac="02:%02x:%02x:%02x:%02x:%02x" % (pf_list.index(pf), i >> 8, i & 0xFF, 0x5a, 0x01),
                              ifindex=ifindex, operstate="down")
                ifindex += 1
            pf.virtfns.append(vf.bdf)
            vfs.append(vf)
    devs += vfs
    h.devs = devs
    index = {d.bdf: d for d in devs}
    h.dev = index.__getitem__

    h.drivers = {"pcieport": None, "uhci_hcd": None, "ahci": None, "lpc_ich": "lpc_ich",
                 "pci-stub": None, "vfio-pci": "vfio_pci", "ice": "ice", "iavf": "iavf"}
    mods = [("vfio_pci", []), ("vfio_pci_core", ["vfio_pci"]), ("vfio_iommu_type1", []),
            ("vfio", ["vfio_pci_core", "vfio_iommu_type1", "vfio_pci"]), ("iommufd", ["vfio"]),
            ("iavf", []), ("kvm_intel", []), ("kvm", ["kvm_intel"]),
            ("irqbypass", ["vfio_pci_core", "kvm"]), ("ice", []), ("ptp", ["ice"]),
            ("pps_core", ["ptp"]), ("lpc_ich", []), ("i2c_i801", []),
            ("i2c_smbus", ["i2c_i801"]), ("xfs", []), ("dm_mirror", []), ("dm_mod", ["dm_mirror"])]
    sizes = dict(mk.RHEL_MODULE_SIZES, **{k: (v,) for k, v in ICE_SIZES.items()})
    h.modules = mk.module_list(mods, sizes)
    h.vfio_loaded = True
    h.module_params["vfio_pci"] = {"disable_denylist": "N", "disable_idle_d3": "N",
                                   "disable_vga": "N", "enable_sriov": "N", "nointxmask": "N"}
    h.module_params["vfio_iommu_type1"] = {"allow_unsafe_interrupts": "N",
                                           "disable_hugepages": "N", "dma_entry_limit": "65535"}
    h.module_params["vfio_pci_core"] = {"disable_idle_d3": "N", "disable_vga": "N",
                                        "nointxmask": "N"}
    h.module_params["kvm_intel"] = {"nested": "Y", "ept": "Y", "vpid": "Y",
                                    "enable_apicv": "Y", "unrestricted_guest": "Y"}
    h.module_params["kvm"] = {"halt_poll_ns": "200000", "ignore_msrs": "N"}

    cmd = mk.RHEL_CMDLINE_BASE + " intel_iommu=on"
    mk.host_common(h, "rhel", mk.RHEL_REL, cmd, mk.RHEL_GRUB_BASE + " intel_iommu=on")
    h.files["proc/cpuinfo"] = cpuinfo_gold6242()
    h.files["etc/libvirt/qemu.conf"] = mk.qemu_conf("qemu", "qemu")
    mk.rhel_lib_modules(h)
    base = "lib/modules/%s/" % mk.RHEL_REL
    h.files[base + "modules.dep"] += (
        "kernel/drivers/pps/pps_core.ko.xz:\n"
        "kernel/drivers/ptp/ptp.ko.xz: kernel/drivers/pps/pps_core.ko.xz\n"
        "kernel/drivers/net/ethernet/intel/ice/ice.ko.xz: kernel/drivers/ptp/ptp.ko.xz kernel/drivers/pps/pps_core.ko.xz\n"
        "kernel/drivers/net/ethernet/intel/iavf/iavf.ko.xz:\n")
    h.files[base + "modules.alias"] += "".join(
        "alias pci:v00008086d0000%04Xsv*sd*bc*sc*i* ice\n" % d
        for d in (0x1591, 0x1592, 0x1593, 0x1599, 0x159A, 0x159B)) + (
        "alias pci:v00008086d00001889sv*sd*bc*sc*i* iavf\n"
        "alias pci:v00008086d0000154Csv*sd*bc*sc*i* iavf\n"
        "alias pci:v00008086d00001571sv*sd*bc*sc*i* iavf\n"
        "alias i40evf iavf\n")
    h.files["boot/config-" + mk.RHEL_REL] = mk.RHEL_BOOT_CONFIG + "CONFIG_ICE=m\nCONFIG_IAVF=m\nCONFIG_PTP_1588_CLOCK=m\nCONFIG_PPS=m\n"
    h.files["lib/firmware/intel/ice/ddp/ice.pkg"] = b"\0" * 64

    dmar = (corpus / mk.SEED_DMAR).read_bytes()
    h.acpi["DMAR"] = dmar
    real = "sys/devices/virtual/iommu/dmar0"
    h.iommu = "intel"
    h.iommu_units = [("dmar0", real, None)]
    h.files[real + "/intel-iommu/version"] = "1:0\n"
    h.files[real + "/intel-iommu/address"] = "%x\n" % mk.dmar_drhd_bases(dmar)[0]
    h.files[real + "/intel-iommu/cap"] = "d2008c40660462\n"
    h.files[real + "/intel-iommu/ecap"] = "f050da\n"
    h.unit_for = lambda d: "dmar0"
    h.resv_all = [(0xFEE00000, 0xFEEFFFFF, "msi")]
    h.resv = mk.rmrr_resv(h, dmar, floppy_wa=False)
    ir = mk.dmar_intr_remap(dmar)

    # guests
    vectors = []
    logs = []
    for k, vf in enumerate(held):
        n = k + 1
        vectors += mk.held_vf(h, vf.bdf, 3)
        logs += [(7 + 2 * k, "/var/log/libvirt/qemu/guest%d.log" % n), (8 + 2 * k, "pipe:[%d]" % (51234 + n))]
    mk.refs(h, {"vfio": 2 * len(held), "vfio_iommu_type1": len(held), "vfio_pci": len(held),
                "kvm_intel": len(held)})
    mk.rhel9_daemons(h, extra_logs=logs)
    for k, vf in enumerate(held):
        n = k + 1
        uuid = "%08x-%04x-4%03x-8%03x-%012x" % (0x5eed0000 + n, n, n, n, 0xb16b0570 + n)
        mk.running_guest(h, name="guest%d" % n, pid=100000 + 40 * k, domid=n, uuid=uuid,
                         mem_kib=4194304, vcpus=4, bdf=vf.bdf, group=vf.group,
                         log_pipe="pipe:[%d]" % (51234 + n), mac_byte=(0x10 + n) & 0xFF)
    ordinary_processes(h, procs, nfds, 2000)
    h.files["proc/interrupts"] = interrupts(h, ir, vectors)
    return h


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--pfs", type=int, default=8)
    ap.add_argument("--vfs-per-pf", type=int, default=256)
    ap.add_argument("--procs", type=int, default=4000)
    ap.add_argument("--fds", type=int, default=12)
    ap.add_argument("--guest-every", type=int, default=16)
    ap.add_argument("--corpus", type=Path, default=mk.DEFAULT_CORPUS)
    a = ap.parse_args()
    if not 1 <= a.pfs <= 16:
        sys.exit("--pfs must be 1..16")
    if not 0 <= a.vfs_per_pf <= 256:
        sys.exit("--vfs-per-pf must be 0..256 (ICE_MAX_SRIOV_VFS)")
    if a.guest_every < 1:
        sys.exit("--guest-every must be >= 1")
    if not (a.corpus / mk.SEED_DMAR).exists():
        sys.exit("corpus not found at %s (use --corpus)" % a.corpus)
    t0 = time.perf_counter()
    h = big_host(a.corpus, a.pfs, a.vfs_per_pf, a.procs, a.fds, a.guest_every)
    render_root(h, a.out)
    nvf = sum(1 for d in h.devs if d.physfn)
    print("wrote %s: %d PCI devices (%d PFs, %d VFs), %d guests, %d processes in %.1f s"
          % (a.out, len(h.devs), a.pfs, nvf,
             sum(1 for f in h.files if f.startswith("run/libvirt/qemu/") and f.endswith(".pid")),
             sum(1 for f in h.files if f.startswith("proc/") and f.endswith("/comm")),
             time.perf_counter() - t0))


if __name__ == "__main__":
    main()
