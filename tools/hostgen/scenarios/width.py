"""seed-iommu-width: a guest with more memory than its VF's IOMMU unit can map.

The seed host (VF 03:10.0 on vfio-pci, free) with a remapping unit whose
capability register gives a 39-bit address width (MGAW 0x26 in bits 21:16, as
on many client chipsets), and the persistent definition of guest bigmem: 640 GiB
of memory and a managed hostdev for 03:10.0. It is shut off: with this memory
its start would fail (its RAM reaches 642 GiB, beyond 512 GiB).
"""

from ..libvirt import libvirt_files, rhel9_domain_xml
from ..readme import finish_readme
from ..seedhost import seed_host

CAP_39_BITS = "d2008c40660462"


def sc_seed_iommu_width(c):
    h = seed_host("seed-iommu-width", corpus=c)
    h.description = "guest bigmem (640 GiB) is given VF 03:10.0 behind a 39-bit VT-d unit"
    h.targets = ["0000:03:10.0"]
    h.files["sys/devices/virtual/iommu/dmar0/intel-iommu/cap"] = CAP_39_BITS + "\n"
    libvirt_files(h, "bigmem", persistent=rhel9_domain_xml(
        "bigmem", "5b1f0d2e-8c47-4a93-b6e2-71c9d3a0f482", 640 * 1024 * 1024, 32, "0000:03:10.0"))
    h.verdict = "NOT READY"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "seed-iommu-width", (
        "- The seed host (both PFs on igb, VF 03:10.0 on vfio-pci, free), whose remapping unit\n"
        "  dmar0 has capability register `%s`: bits 21:16 are 0x26, so the maximum guest\n"
        "  address width is 39 bits (512 GiB).\n"
        "- Guest `bigmem`'s persistent definition (`etc/libvirt/qemu/bigmem.xml`): 671088640 KiB\n"
        "  (640 GiB) of memory, 32 vCPUs, a managed hostdev for 0000:03:10.0. It is shut off.\n"
        % CAP_39_BITS),
        "With `--device 0000:03:10.0`: iommu.address-width fails: on q35 the guest's RAM above\n"
        "2 GiB starts at 4 GiB, so it reaches 642 GiB, and the kernel would refuse to map what is\n"
        "above 512 GiB ('iommu width (39) is not sufficient for the mapped address'). The other\n"
        "checks of 03:10.0 pass as on seed-ready.\n")
    return h


VM_110 = """\
boot: order=scsi0
cores: 32
cpu: host
hostpci0: 0000:03:10.0,pcie=1
machine: q35
memory: 655360
name: bigmem
ostype: l26
scsi0: local-lvm:vm-110-disk-0,size=64G
smbios1: uuid=c41e7a9d-2f58-4b06-93d1-7e0a5b8c2f63
"""


def sc_pve_iommu_width(c):
    """pve-iommu-width: seed-iommu-width's 39-bit unit on a Proxmox VE node, whose VM 110
    (640 GiB, not running) names VF 03:10.0."""
    h = seed_host("pve-iommu-width", corpus=c)
    h.description = "Proxmox VM 110 (640 GiB) is given VF 03:10.0 behind a 39-bit VT-d unit"
    h.targets = ["0000:03:10.0"]
    h.files["sys/devices/virtual/iommu/dmar0/intel-iommu/cap"] = CAP_39_BITS + "\n"
    h.files["proc/sys/kernel/hostname"] = "pve3\n"
    h.files["etc/hostname"] = "pve3\n"
    h.files["etc/pve/qemu-server/110.conf"] = VM_110
    h.verdict = "NOT READY"
    h.verdict_with_devices = "NOT READY"
    finish_readme(h, "pve-iommu-width", (
        "- The seed host (both PFs on igb, VF 03:10.0 on vfio-pci, free) as Proxmox VE node\n"
        "  `pve3`, whose remapping unit dmar0 has capability register `%s` (39-bit address\n"
        "  width, 512 GiB), as on seed-iommu-width.\n"
        "- `etc/pve/qemu-server/110.conf`: VM 110 (bigmem), q35, `memory: 655360` (MiB,\n"
        "  640 GiB), `hostpci0: 0000:03:10.0,pcie=1`. It is not running.\n"
        % CAP_39_BITS),
        "With `--device 0000:03:10.0`: iommu.address-width fails (the VM's RAM reaches 642 GiB,\n"
        "beyond 512 GiB) and its fix is `qm set 110 --memory 522240`. The other checks of\n"
        "03:10.0 pass as on seed-ready.\n")
    return h
