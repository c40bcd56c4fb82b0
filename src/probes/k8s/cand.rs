//! A PCI device as the SR-IOV network device plugin sees it: the
//! attributes its selectors compare.

/// A PCI device as the plugin sees it.
#[derive(Clone, Debug, Default)]
pub struct Cand {
    pub addr: String,
    pub class: Option<u8>,
    /// Lowercase hex without 0x, as the plugin compares them.
    pub vendor: String,
    pub device: String,
    pub driver: Option<String>,
    pub is_vf: bool,
    /// A VF's PF address, its interface name (first of its net/), and the
    /// VF's index; "" and -1 otherwise.
    pub pf_addr: String,
    pub pf_name: String,
    pub vf_index: i64,
    /// A PF whose sriov_numvfs is above 0.
    pub pf_with_vfs: bool,
    /// The interface that carries the default route, if one of its own.
    pub default_route: Option<String>,
    pub acpi_index: String,
    /// "ether", "infiniband", … of its interface (or its PF's).
    pub link_type: String,
    pub rdma: bool,
}
