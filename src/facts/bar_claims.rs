//! What holds a device's memory BARs besides the device's own driver: the
//! firmware's console framebuffer, most often, which keeps vfio-pci from
//! reserving the BAR when a guest maps it.

use schemars::JsonSchema;
use serde::Serialize;

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct BarClaimFacts {
    /// Ranges inside the device's BARs held by something other than VFIO
    /// or the device's own driver (/proc/iomem), in file order. For a
    /// device bound to a host driver only the firmware console's count:
    /// a driver may request its regions under a name of its own.
    pub claims: Vec<BarClaim>,
    /// vfio-pci removes the firmware's console framebuffer from this
    /// device when it binds it: a VGA-class device on Linux 6.0 or later
    /// ("vfio/pci: Remove console drivers"). Null when the class or the
    /// kernel release could not be read.
    pub vfio_removes_console: Option<bool>,
    /// Kernel log lines naming the device that say a driver could not
    /// reserve one of its BARs ("BAR 1: can't reserve [mem …]"), the latest
    /// five.
    pub cant_reserve: Vec<String>,
    /// The kernel log the lines were looked for in; null when none was read.
    pub log_source: Option<String>,
    /// The device's lines of /proc/iomem and what sits inside each, for
    /// evidence ("fd000000-fdffffff, holding vesafb fd000000-fdffffff").
    pub shown: Vec<String>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct BarClaim {
    /// The device's range (its BAR), "e0000000-efffffff".
    pub bar: String,
    /// The range held inside it.
    pub range: String,
    /// Who holds it: "efifb", "BOOTFB", a driver's name.
    pub holder: String,
    /// The holder is the firmware's console framebuffer (BOOTFB, efifb,
    /// vesafb, simplefb, simpledrm, vga16fb, offb).
    pub console: bool,
}
