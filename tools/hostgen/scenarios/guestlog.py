"""seed-guest-log: a libvirt guest whose last start failed, with the log it left.

seed-group-shared (VF 03:10.0 on vfio-pci shares IOMMU group 7 with its PF and with
03:10.1 on igbvf) plus the persistent definition of guest web01, which is given
03:10.0, and /var/log/libvirt/qemu/web01.log as libvirt and QEMU write it: an
earlier start in the previous boot that ran and shut down, then the last start,
where QEMU stops at "group 7 is not viable". The kernel log (var/log/dmesg) and
/proc/stat's btime place the kernel's lines against that start.
"""

from ..libvirt import libvirt_files, rhel9_domain_xml
from ..readme import finish_readme
from .causes import SEED_BOOT, dmesg
from .seed import sc_seed_group_shared

BOOT = 1705300000  # 2024-01-15 06:26:40 UTC
QEMU_LINE = (
    "2024-01-15T10:23:45.801234Z qemu-kvm: -device {\"driver\":\"vfio-pci\",\"host\":\"0000:03:10.0\","
    "\"id\":\"hostdev0\",\"bus\":\"pci.5\",\"addr\":\"0x0\"}: vfio 0000:03:10.0: group 7 is not viable\n"
    "Please ensure all devices within the iommu_group are bound to their vfio bus driver.\n")


def start_header(stamp):
    return ("%s: starting up libvirt version: 10.0.0, package: 6.el9_4 (Red Hat, Inc. "
            "<http://bugzilla.redhat.com/bugzilla>, 2024-05-14-08:14:35, ), qemu version: "
            "8.2.0qemu-kvm-8.2.0-11.el9_4, kernel: 5.14.0-427.13.1.el9_4.x86_64, hostname: hv1.example.com\n"
            % stamp)


def command_line():
    return (
        "LC_ALL=C \\\n"
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin \\\n"
        "HOME=/var/lib/libvirt/qemu/domain-1-web01 \\\n"
        "/usr/libexec/qemu-kvm \\\n"
        "-name guest=web01,debug-threads=on \\\n"
        "-S \\\n"
        "-machine pc-q35-rhel9.2.0,usb=off,dump-guest-core=off,memory-backend=pc.ram \\\n"
        "-m size=8388608k \\\n"
        "-device '{\"driver\":\"vfio-pci\",\"host\":\"0000:03:10.0\",\"id\":\"hostdev0\",\"bus\":\"pci.5\",\"addr\":\"0x0\"}' \\\n"
        "-msg timestamp=on\n")


def sc_seed_guest_log(c):
    h = sc_seed_group_shared(c)
    h.name = "seed-guest-log"
    h.description = "guest web01's last start failed: its libvirt log says group 7 is not viable"
    libvirt_files(h, "web01", persistent=rhel9_domain_xml(
        "web01", "3e9c1f5a-7b2d-4c8e-9a61-0d4f2b8c7e15", 8388608, 4, "0000:03:10.0"))
    h.files["var/log/libvirt/qemu/web01.log"] = (
        start_header("2024-01-12 08:00:02.517+0000") + command_line()
        + "2024-01-12 08:00:02.540+0000: Domain id=1 is tainted: host-cpu\n"
        + "2024-01-12 18:12:40.003+0000: shutting down, reason=shutdown\n"
        + start_header("2024-01-15 10:23:45.123+0000") + command_line() + QEMU_LINE
        + "2024-01-15 10:23:45.900+0000: shutting down, reason=failed\n")
    h.files["proc/stat"] = (
        "cpu  1419254 312 402196 113208337 20651 0 13744 0 0 0\n"
        "intr 214290385 0 9 0 0 0 0 0 0 0 0 0 0 156 0 0 0\n"
        "ctxt 422018377\n"
        "btime %d\n"
        "processes 1018441\n"
        "procs_running 1\n"
        "procs_blocked 0\n" % BOOT)
    h.files["var/log/dmesg"] = dmesg(SEED_BOOT + [
        (1.204551, "pci 0000:03:00.0: Adding to iommu group 7"),
        (1.204560, "pci 0000:03:00.1: Adding to iommu group 7"),
        (3.881020, "pci 0000:03:10.0: Adding to iommu group 7"),
        (3.881101, "pci 0000:03:10.1: Adding to iommu group 7"),
        (14002.310417, "igbvf 0000:03:10.1: Intel(R) Gigabit Virtual Function Network Driver"),
        (14228.100532, "igbvf 0000:03:10.1: Link is Up 1000 Mbps Full Duplex"),
    ])
    finish_readme(h, "seed-guest-log", (
        "- seed-group-shared (03:10.0 on vfio-pci in group 7 with both PFs on igb and 03:10.1 on\n"
        "  igbvf), plus guest `web01`'s persistent definition (`etc/libvirt/qemu/web01.xml`, a managed\n"
        "  hostdev for 0000:03:10.0). It is shut off: no state file, no process.\n"
        "- `var/log/libvirt/qemu/web01.log` as libvirt 10.0 and QEMU 8.2 write it: a start on\n"
        "  2024-01-12 that ran until a shutdown, then the last start at 2024-01-15 10:23:45 UTC, where\n"
        "  QEMU prints \"vfio 0000:03:10.0: group 7 is not viable\" and its second line, and libvirt\n"
        "  \"shutting down, reason=failed\".\n"
        "- `proc/stat` has `btime 1705300000` (boot at 06:26:40 UTC); `var/log/dmesg` has lines from\n"
        "  boot, igbvf binding 03:10.1 at 14002 s (before the start, 14225 s after boot) and its link\n"
        "  coming up at 14228 s (after it).\n"),
        "`iommu.group` fails for 03:10.0, as on seed-group-shared. `explain --guest web01` reads the\n"
        "log from the last start on, and none of the kernel log: its lines after the start are about\n"
        "03:10.1, not a device of web01.\n")
    return h
