#!/usr/bin/env python3
"""Capture the parts of a Linux host that sriov-doctor reads into a test tree.

Usage: tools/capture-host.py SRC_ROOT OUT_DIR

SRC_ROOT is usually `/`. OUT_DIR is the tree root to write (e.g.
tests/hosts/<scenario>/root); it is deleted and rewritten. Python 3 standard
library only; reads only, never writes below SRC_ROOT.

What is copied: host-level files (/proc/cpuinfo, cmdline, modules, osrelease,
/proc/xen/capabilities, /proc/net/route and ipv6_route, /proc/stat (its btime
places the kernel log's lines in time), /sys/hypervisor/type,
/etc/os-release, passwd, group,
libvirt/qemu.conf, default/grub, modprobe.d/*.conf, /boot/config-<release>), the
boot configuration that recreates VFs (modprobe.d, udev rules, systemd .link
files and units, NetworkManager keyfiles, /etc/sriov-operator),
/lib/modules/<release>/modules.{builtin,dep,alias}, every /sys/bus/pci/devices
link and the attribute files of its real directory (ids, class, irq, numa,
resource, enable, driver_override, config, sriov_*, reset_method, power_state,
d3cold_allowed, power/runtime_status and power/control, bridge bus numbers; `reset` as an empty placeholder) and its
links (driver, iommu_group, iommu, physfn, virtfn*), net interface names,
/sys/bus/pci/drivers/<name> (module link, device links, control files as empty
placeholders), /sys/kernel/iommu_groups, /sys/class/iommu and the units'
device links and attributes, /sys/module/* (names, initstate, refcnt,
readable parameters, driver links), the ACPI DMAR/IVRS (and Xen's XMAR)
tables, /dev/vfio, and the kernel log as var/log/dmesg (from /dev/kmsg,
read without waiting, when SRC_ROOT is /; else SRC_ROOT's var/log/dmesg).

Symlinks are kept as symlinks with their link text unchanged. Links are only
followed inside SRC_ROOT: an absolute link target or one that climbs out of
the root is recorded as a link but never followed. Metadata git cannot keep
(mode/uid/gid of config files and ACPI tables, /dev/vfio device numbers) goes to
OUT_DIR/.sriov-doctor-meta.toml. Empty directories that matter get an empty
`.gitkeep` (readers of the tree ignore it).
"""

import os
import shutil
import stat
import sys

PCI_ATTRS = [
    "vendor", "device", "subsystem_vendor", "subsystem_device", "class", "revision", "irq",
    "numa_node", "local_cpulist", "modalias", "enable", "driver_override", "resource",
    "secondary_bus_number", "subordinate_bus_number",
    "sriov_totalvfs", "sriov_numvfs", "sriov_offset", "sriov_stride", "sriov_vf_device",
    "sriov_drivers_autoprobe", "reset_method",
    "power_state", "d3cold_allowed", "power/runtime_status", "power/control",
]
PCI_LINKS = ["driver", "iommu_group", "iommu", "physfn"]
NET_ATTRS = ["address", "ifindex", "operstate"]
DRIVER_CONTROL = ["bind", "unbind", "new_id", "remove_id", "uevent"]
HOST_FILES = [
    "proc/cpuinfo", "proc/cmdline", "proc/modules", "proc/sys/kernel/osrelease", "proc/iomem",
    "proc/xen/capabilities", "sys/hypervisor/type", "sys/hypervisor/version/major",
    "sys/hypervisor/version/minor", "sys/hypervisor/version/extra",
    "etc/os-release", "etc/passwd", "etc/group", "etc/libvirt/qemu.conf", "etc/default/grub",
    "proc/net/route", "proc/net/ipv6_route", "proc/stat",
]
ACPI_TABLES = ["DMAR", "IVRS", "XMAR"]
MAX_FILE = 1 << 20


class Capture:
    def __init__(self, src, out):
        self.src = os.path.abspath(src)
        self.out = os.path.abspath(out)
        self.meta = []
        self.warnings = []

    # ---- safe path handling inside SRC_ROOT

    def resolve(self, rel):
        """Canonical path of rel inside the root, following relative links that stay
        inside it. Returns None if a link is absolute, climbs out, or loops."""
        parts = [p for p in rel.split("/") if p]
        done = []
        hops = 0
        while parts:
            p = parts.pop(0)
            if p == ".":
                continue
            if p == "..":
                if not done:
                    return None
                done.pop()
                continue
            cand = "/".join(done + [p])
            full = os.path.join(self.src, cand)
            if os.path.islink(full):
                hops += 1
                if hops > 40:
                    return None
                target = os.readlink(full)
                if target.startswith("/"):
                    return None
                parts = [x for x in target.split("/") if x] + parts
                continue
            done.append(p)
        return "/".join(done)

    def sp(self, rel):
        return os.path.join(self.src, rel)

    def op(self, rel):
        return os.path.join(self.out, rel)

    # ---- writers

    def copy_file(self, rel, meta=False):
        """Copy a regular file's bytes (rel is canonical)."""
        src = self.sp(rel)
        try:
            st = os.lstat(src)
        except OSError:
            return False
        if not stat.S_ISREG(st.st_mode):
            return False
        try:
            with open(src, "rb") as f:
                data = f.read(MAX_FILE)
        except OSError as e:
            self.warnings.append("%s: %s" % (rel, e.strerror))
            return False
        dst = self.op(rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, "wb") as f:
            f.write(data)
        if meta:
            self.meta.append(dict(path=rel, mode="%04o" % stat.S_IMODE(st.st_mode),
                                  uid=st.st_uid, gid=st.st_gid))
        return True

    def copy_path(self, rel, meta=False):
        """Copy the file at rel, recreating every symlink met on the way (so that
        e.g. etc/os-release -> ../usr/lib/os-release or lib -> usr/lib still
        resolve in the copy). Absolute or escaping links are recorded, not followed."""
        parts = [p for p in rel.split("/") if p]
        done = []
        hops = 0
        while parts:
            p = parts.pop(0)
            if p == ".":
                continue
            if p == "..":
                if not done:
                    return False
                done.pop()
                continue
            cand = "/".join(done + [p])
            full = self.sp(cand)
            if os.path.islink(full):
                hops += 1
                if hops > 40:
                    return False
                text = self.copy_link(cand)
                if text.startswith("/"):
                    self.warnings.append("%s -> %s: absolute link, not followed" % (cand, text))
                    return False
                parts = [x for x in text.split("/") if x] + parts
                continue
            done.append(p)
        return self.copy_file("/".join(done), meta)

    def copy_link(self, rel):
        """Copy a symlink as a symlink (link text unchanged). rel's parent is canonical."""
        src = self.sp(rel)
        if not os.path.islink(src):
            return None
        text = os.readlink(src)
        dst = self.op(rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.lexists(dst):
            os.unlink(dst)
        os.symlink(text, dst)
        return text

    def empty_file(self, rel):
        dst = self.op(rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        open(dst, "wb").close()

    def keep_dir(self, rel):
        d = self.op(rel)
        os.makedirs(d, exist_ok=True)
        if not os.listdir(d):
            open(os.path.join(d, ".gitkeep"), "wb").close()

    def listdir(self, rel):
        try:
            return sorted(os.listdir(self.sp(rel)))
        except OSError:
            return []

    # ---- parts

    def host_files(self):
        for rel in HOST_FILES:
            self.copy_path(rel)
        for name in self.listdir("etc/modprobe.d"):
            if name.endswith(".conf"):
                self.copy_path("etc/modprobe.d/" + name)
        self.boot_config()
        release = ""
        try:
            with open(self.sp("proc/sys/kernel/osrelease")) as f:
                release = f.read().strip()
        except OSError:
            pass
        if release:
            self.copy_path("boot/config-" + release)
            for n in ("modules.builtin", "modules.dep", "modules.alias"):
                self.copy_path("lib/modules/%s/%s" % (release, n))

    def boot_config(self):
        """What recreates VFs at boot (sriov.persistence): modprobe.d, udev rules,
        systemd .link files, NetworkManager keyfiles, /etc/systemd/system units and
        their .wants/.requires links, the scripts under /usr/local they may run, and
        the SR-IOV network operator's configuration. Each directory that exists is
        kept (empty or not), so that "nothing there" stays distinct from "not copied"."""
        dirs = [
            ("run/modprobe.d", ".conf"), ("usr/lib/modprobe.d", ".conf"), ("lib/modprobe.d", ".conf"),
            ("etc/udev/rules.d", ".rules"), ("run/udev/rules.d", ".rules"),
            ("usr/lib/udev/rules.d", ".rules"), ("lib/udev/rules.d", ".rules"),
            ("etc/systemd/network", ".link"), ("run/systemd/network", ".link"),
            ("usr/lib/systemd/network", ".link"), ("lib/systemd/network", ".link"),
            ("etc/NetworkManager/system-connections", ".nmconnection"),
            ("run/NetworkManager/system-connections", ".nmconnection"),
            ("usr/lib/NetworkManager/system-connections", ".nmconnection"),
            ("etc/sriov-operator", ".yaml"),
        ]
        for d, suffix in dirs:
            if not os.path.isdir(self.sp(d)):
                continue
            names = [n for n in self.listdir(d) if n.endswith(suffix)]
            for name in names:
                self.copy_path(d + "/" + name, meta=True)
            if not names:
                self.keep_dir(d)
        units = "etc/systemd/system"
        for name in self.listdir(units):
            rel = units + "/" + name
            if name.endswith(".service"):
                self.copy_path(rel)
            elif name.endswith((".wants", ".requires")) and os.path.isdir(self.sp(rel)):
                for unit in self.listdir(rel):
                    if unit.endswith(".service"):
                        self.copy_link(rel + "/" + unit)
        for d in ("usr/local/bin", "usr/local/sbin"):
            for name in self.listdir(d):
                self.copy_path(d + "/" + name)

    def pci(self):
        drivers = set()
        base = "sys/bus/pci/devices"
        names = self.listdir(base)
        for name in names:
            self.copy_link(base + "/" + name)
            real = self.resolve(base + "/" + name)
            if real is None:
                self.warnings.append("%s/%s points outside the root; not followed" % (base, name))
                continue
            for a in PCI_ATTRS:
                self.copy_file(real + "/" + a)
            self.copy_file(real + "/config", meta=True)
            # `reset` is write-only: its presence is what counts (a kernel before 5.15
            # has no reset_method, and creates `reset` only for a device it can reset).
            if os.path.lexists(self.sp(real + "/reset")):
                self.empty_file(real + "/reset")
            for l in PCI_LINKS + [x for x in self.listdir(real) if x.startswith("virtfn")]:
                text = self.copy_link(real + "/" + l)
                if l == "driver" and text:
                    drivers.add(os.path.basename(text))
            for ifname in self.listdir(real + "/net"):
                for a in NET_ATTRS:
                    self.copy_file("%s/net/%s/%s" % (real, ifname, a))
                self.keep_dir("%s/net/%s" % (real, ifname))
        self.keep_dir(base)
        for drv in sorted(drivers):
            d = "sys/bus/pci/drivers/" + drv
            for c in DRIVER_CONTROL:
                if os.path.lexists(self.sp(d + "/" + c)):
                    self.empty_file(d + "/" + c)
            for x in self.listdir(d):
                if os.path.islink(self.sp(d + "/" + x)):
                    self.copy_link(d + "/" + x)

    def iommu(self):
        g = "sys/kernel/iommu_groups"
        for grp in self.listdir(g):
            for f in ("type", "reserved_regions"):
                self.copy_file("%s/%s/%s" % (g, grp, f))
            for dev in self.listdir("%s/%s/devices" % (g, grp)):
                self.copy_link("%s/%s/devices/%s" % (g, grp, dev))
        self.keep_dir(g)
        c = "sys/class/iommu"
        for unit in self.listdir(c):
            self.copy_link(c + "/" + unit)
            real = self.resolve(c + "/" + unit)
            if real is None:
                continue
            for dev in self.listdir(real + "/devices"):
                self.copy_link(real + "/devices/" + dev)
            for sub in ("intel-iommu", "amd-iommu"):
                for f in self.listdir(real + "/" + sub):
                    self.copy_file("%s/%s/%s" % (real, sub, f))
        self.keep_dir(c)

    def modules(self):
        m = "sys/module"
        for name in self.listdir(m):
            d = m + "/" + name
            for f in ("initstate", "refcnt"):
                self.copy_file(d + "/" + f)
            for p in self.listdir(d + "/parameters"):
                self.copy_file(d + "/parameters/" + p)  # unreadable ones are skipped
            for x in self.listdir(d + "/drivers"):
                self.copy_link(d + "/drivers/" + x)
            for x in self.listdir(d + "/holders"):
                self.copy_link(d + "/holders/" + x)
            self.keep_dir(d)

    def acpi(self):
        for t in ACPI_TABLES:
            self.copy_file("sys/firmware/acpi/tables/" + t, meta=True)

    def dev_vfio(self):
        d = "dev/vfio"
        for name in self.listdir(d):
            full = self.sp(d + "/" + name)
            st = os.lstat(full)
            if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
                self.empty_file(d + "/" + name)
                self.meta.append(dict(path=d + "/" + name, mode="%04o" % stat.S_IMODE(st.st_mode),
                                      uid=st.st_uid, gid=st.st_gid,
                                      type="char" if stat.S_ISCHR(st.st_mode) else "block",
                                      major=os.major(st.st_rdev), minor=os.minor(st.st_rdev)))

    def write_meta(self):
        lines = ["# Metadata git cannot keep (see tests/hosts/README.md).",
                 "# Files without an entry: uid 0, gid 0, git's mode.", ""]
        for e in sorted(self.meta, key=lambda e: e["path"]):
            lines += ["[[entry]]", 'path = "%s"' % e["path"], 'mode = "%s"' % e["mode"],
                      "uid = %d" % e["uid"], "gid = %d" % e["gid"]]
            if "type" in e:
                lines += ['type = "%s"' % e["type"], "major = %d" % e["major"],
                          "minor = %d" % e["minor"]]
            lines.append("")
        with open(os.path.join(self.out, ".sriov-doctor-meta.toml"), "w") as f:
            f.write("\n".join(lines))

    def kernel_log(self):
        """var/log/dmesg: the kernel log as `dmesg` shows it ("[SECONDS.MICROS] text"),
        from SRC_ROOT/dev/kmsg when SRC_ROOT is / (read without waiting: records until
        EAGAIN), else a copy of SRC_ROOT/var/log/dmesg. sriov-doctor reads a tree's kernel
        log there."""
        lines = []
        if self.src == "/":
            try:
                fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
            except OSError as e:
                self.warnings.append("/dev/kmsg: %s; var/log/dmesg copied instead" % e.strerror)
                fd = None
            if fd is not None:
                try:
                    for _ in range(100000):
                        try:
                            rec = os.read(fd, 16384)
                        except BlockingIOError:
                            break
                        except OSError:
                            continue  # EPIPE: records overwritten while reading
                        if not rec:
                            break
                        text = rec.decode("utf-8", "replace").split("\n", 1)[0]
                        head, sep, msg = text.partition(";")
                        fields = head.split(",")
                        if sep and len(fields) >= 3 and fields[2].isdigit():
                            usec = int(fields[2])
                            lines.append("[%5d.%06d] %s" % (usec // 1000000, usec % 1000000, msg))
                        else:
                            lines.append(text)
                finally:
                    os.close(fd)
        if lines:
            dst = self.op("var/log/dmesg")
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(dst, "w") as f:
                f.write("".join(l + "\n" for l in lines))
        else:
            self.copy_path("var/log/dmesg")

    def run(self):
        if os.path.exists(self.out):
            shutil.rmtree(self.out)
        os.makedirs(self.out)
        self.host_files()
        self.pci()
        self.iommu()
        self.modules()
        self.acpi()
        self.dev_vfio()
        self.kernel_log()
        self.write_meta()


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: capture-host.py SRC_ROOT OUT_DIR")
    c = Capture(sys.argv[1], sys.argv[2])
    c.run()
    for w in c.warnings:
        print("warning: " + w, file=sys.stderr)


if __name__ == "__main__":
    main()
