"""The test hosts tools/mkhosts.py writes: name -> builder, in the order they were added.

A builder takes the corpus directory (for ACPI tables) and returns a host.Host
with its description, its targets (the devices of its `--device` runs, for
scenario.toml) and its README (readme.finish_readme: the state the tree shows
and the verdict expected on it). Builders live one module per scenario or per
family of scenarios that share a base host: seed (the seed host in its simple
states), causes (VF BAR space, resets), guestlog (a failed start's libvirt
log), intremap, holders, vfio, legacy, hp, amd, xen, proxmox, nova, k8s,
persistence, power, bootfb.
"""

from .bootfb import sc_seed_bootfb
from .amd import sc_amd_no_intremap, sc_amd_ready
from .holders import sc_seed_dpdk_holds, sc_seed_guest_holds, sc_seed_memlock_low
from .causes import sc_amd_reset_disabled, sc_seed_vf_bar_space
from .guestlog import sc_seed_guest_log
from .width import sc_pve_iommu_width, sc_seed_iommu_width
from .hp import sc_hp_rmrr
from .intremap import sc_seed_no_intremap, sc_seed_unsafe_interrupts
from .k8s import sc_k8s_no_pf, sc_k8s_pf_id, sc_k8s_ready, sc_k8s_wrong_driver
from .legacy import sc_seed_legacy_assigned
from .nova import sc_nova_legacy, sc_nova_no_match, sc_nova_pf_id, sc_nova_ready
from .persistence import (sc_persist_count_differs, sc_persist_networkd, sc_persist_none,
                          sc_persist_udev)
from .power import sc_seed_d3cold
from .proxmox import sc_pve_iommu_off, sc_pve_vms
from .seed import (sc_seed_config_denied, sc_seed_group_shared, sc_seed_host_driver,
                   sc_seed_iommu_off, sc_seed_no_igb, sc_seed_no_vfio, sc_seed_no_vfs,
                   sc_seed_no_vmx, sc_seed_no_vtd, sc_seed_pt_mismatch, sc_seed_ready)
from .vfio import sc_seed_noiommu, sc_seed_vfio_ids_pf, sc_seed_vfio_perm
from .xen import sc_xen_e820_missing, sc_xen_no_pciback, sc_xen_no_vtd, sc_xen_ready, sc_xen_xl_twice

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
    "amd-ready": sc_amd_ready,
    "xen-e820-missing": sc_xen_e820_missing,
    "xen-ready": sc_xen_ready,
    "seed-no-intremap": sc_seed_no_intremap,
    "seed-unsafe-interrupts": sc_seed_unsafe_interrupts,
    "seed-pt-mismatch": sc_seed_pt_mismatch,
    "hp-rmrr": sc_hp_rmrr,
    "seed-guest-holds": sc_seed_guest_holds,
    "seed-dpdk-holds": sc_seed_dpdk_holds,
    "seed-legacy-assigned": sc_seed_legacy_assigned,
    "seed-memlock-low": sc_seed_memlock_low,
    "seed-noiommu": sc_seed_noiommu,
    "seed-vfio-perm": sc_seed_vfio_perm,
    "xen-xl-twice": sc_xen_xl_twice,
    "xen-no-vtd": sc_xen_no_vtd,
    "xen-no-pciback": sc_xen_no_pciback,
    "amd-no-intremap": sc_amd_no_intremap,
    "seed-vfio-ids-pf": sc_seed_vfio_ids_pf,
    "pve-vms": sc_pve_vms,
    "seed-vf-bar-space": sc_seed_vf_bar_space,
    "amd-reset-disabled": sc_amd_reset_disabled,
    "seed-guest-log": sc_seed_guest_log,
    "seed-iommu-width": sc_seed_iommu_width,
    "pve-iommu-off": sc_pve_iommu_off,
    "nova-ready": sc_nova_ready,
    "nova-pf-id": sc_nova_pf_id,
    "nova-no-match": sc_nova_no_match,
    "nova-legacy": sc_nova_legacy,
    "k8s-ready": sc_k8s_ready,
    "k8s-wrong-driver": sc_k8s_wrong_driver,
    "k8s-pf-id": sc_k8s_pf_id,
    "k8s-no-pf": sc_k8s_no_pf,
    "persist-none": sc_persist_none,
    "persist-udev": sc_persist_udev,
    "persist-networkd": sc_persist_networkd,
    "persist-count-differs": sc_persist_count_differs,
    "seed-d3cold": sc_seed_d3cold,
    "pve-iommu-width": sc_pve_iommu_width,
    "seed-bootfb": sc_seed_bootfb,
}
