"""Red Hat Enterprise Linux 9.4's kernel: release, command line, modules and their files.

The seed hosts, the HP host and the benchmark's big host run RHEL 9.4 with
kernel 5.14.0-427.13.1.el9_4: its modules are .ko.xz, vfio and kvm are modules
(not built in), and its boot/config has the IOMMU and VFIO options the checks
read.
"""

from .kernel import boot_config, default_params, lib_modules, pci_aliases

RHEL_REL = "5.14.0-427.13.1.el9_4.x86_64"
RHEL_CMDLINE_BASE = ("BOOT_IMAGE=(hd0,gpt2)/vmlinuz-%s root=/dev/mapper/rhel-root ro "
                     "crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M resume=/dev/mapper/rhel-swap "
                     "rd.lvm.lv=rhel/root rd.lvm.lv=rhel/swap" % RHEL_REL)
RHEL_GRUB_BASE = ("crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M resume=/dev/mapper/rhel-swap "
                  "rd.lvm.lv=rhel/root rd.lvm.lv=rhel/swap")

# /proc/modules sizes
RHEL_MODULE_SIZES = {
    "vfio_pci": 16384, "vfio_pci_core": 94208, "vfio_iommu_type1": 45056, "vfio": 73728,
    "iommufd": 110592, "irqbypass": 16384, "kvm_intel": 430080, "kvm": 1384448, "igb": 323584,
    "igbvf": 61440, "dca": 16384, "i2c_algo_bit": 16384, "lpc_ich": 28672, "i2c_i801": 40960,
    "i2c_smbus": 20480, "xfs": 2822144, "dm_mirror": 28672, "dm_mod": 249856,
}

# `modprobe vfio-pci`: (name, users), most recent first
VFIO_MODULES = [("vfio_pci", []), ("vfio_pci_core", ["vfio_pci"]), ("vfio_iommu_type1", []),
                ("vfio", ["vfio_pci_core", "vfio_iommu_type1", "vfio_pci"]), ("iommufd", ["vfio"])]

RHEL_BOOT_CONFIG = boot_config("x86_64", RHEL_REL, """\
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
""")


def load_vfio(h):
    """vfio-pci registered and its modules' parameters (the caller lists VFIO_MODULES
    among the loaded modules)."""
    h.drivers["vfio-pci"] = "vfio_pci"
    h.vfio_loaded = True
    h.module_params.update(default_params("vfio_pci", "vfio_iommu_type1", "vfio_pci_core"))


def rhel_lib_modules(h):
    """modules.builtin, modules.dep and modules.alias of the RHEL 9.4 kernel."""
    lib_modules(
        h, RHEL_REL, ".ko.xz",
        builtin=["drivers/pci/pci-stub", "drivers/pci/pcie/pcieportdrv", "drivers/usb/host/ehci-hcd",
                 "drivers/usb/host/ehci-pci", "drivers/usb/host/uhci-hcd", "drivers/usb/host/xhci-hcd",
                 "drivers/usb/host/xhci-pci", "drivers/ata/libahci", "drivers/ata/ahci",
                 "drivers/ata/libata", "drivers/virtio/virtio", "drivers/virtio/virtio_ring"],
        dep=["arch/x86/kvm/kvm:",
             "arch/x86/kvm/kvm-intel: arch/x86/kvm/kvm",
             "arch/x86/kvm/kvm-amd: arch/x86/kvm/kvm",
             "virt/lib/irqbypass:",
             "drivers/dca/dca:",
             "drivers/i2c/algos/i2c-algo-bit:",
             "drivers/net/ethernet/intel/igb/igb: drivers/dca/dca drivers/i2c/algos/i2c-algo-bit",
             "drivers/net/ethernet/intel/igbvf/igbvf:",
             "drivers/iommu/iommufd/iommufd:",
             "drivers/vfio/vfio: drivers/iommu/iommufd/iommufd",
             "drivers/vfio/vfio_iommu_type1: drivers/vfio/vfio drivers/iommu/iommufd/iommufd",
             "drivers/vfio/pci/vfio-pci-core: drivers/vfio/vfio drivers/iommu/iommufd/iommufd "
             "virt/lib/irqbypass",
             "drivers/vfio/pci/vfio-pci: drivers/vfio/pci/vfio-pci-core drivers/vfio/vfio "
             "drivers/iommu/iommufd/iommufd virt/lib/irqbypass",
             "drivers/mfd/lpc_ich:",
             "drivers/i2c/busses/i2c-i801: drivers/i2c/i2c-smbus",
             "drivers/i2c/i2c-smbus:"],
        alias=(pci_aliases("igb", 0x8086, 0x10C9, 0x10E6, 0x10E7, 0x10E8, 0x1526, 0x150D, 0x10A7,
                           0x10A9, 0x10D6, 0x1521)
               + pci_aliases("igbvf", 0x8086, 0x1520, 0x10CA)
               + ["alias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci", "alias char-major-10-196 vfio",
                  "alias devname:vfio/vfio vfio"]
               + pci_aliases("lpc_ich", 0x8086, 0x3A16) + pci_aliases("i2c_i801", 0x8086, 0x3A30)
               + ["alias cpu:type:x86,ven*fam*mod*:feature:*0085* kvm_intel",
                  "alias cpu:type:x86,ven*fam*mod*:feature:*00C2* kvm_amd"]))
