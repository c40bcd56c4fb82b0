//! sriov-doctor: tells whether a Linux virtualization host can give a PCI
//! virtual function to a guest, and why not.
//!
//! Pipeline: [`hostfs`] (one read-only root) → [`probes`] → [`facts`] →
//! [`rules`] → [`report`] → [`render`].

pub mod address;
pub mod bundle;
pub mod catalog;
pub mod cmd;
pub mod error;
pub mod explain;
pub mod facts;
pub mod findings;
pub mod formats;
pub mod hostdev;
pub mod hostfs;
pub mod inventory;
pub mod output;
pub mod par;
pub mod probes;
pub mod render;
pub mod report;
pub mod rules;
pub mod sanitize;
pub mod schema;
pub mod summarize;
pub mod tables;

use catalog::Catalog;
use facts::{Facts, Known};
use hostfs::HostFs;
use report::Report;
use rules::Engine;

/// Reads the host and gathers the facts, with the devices the user named as
/// targets. A target the host lacks, or a malformed address, is an error.
pub fn gather(fs: &dyn HostFs, devices: &[String]) -> Result<Facts, String> {
    gather_targets(fs, probes::pci::addresses(fs).into(), devices, false)
}

/// [`gather`] for `check`: a --device target that is a VF its PF has not
/// created yet is a finding (sriov.vfs, whose fix creates it), not an error.
pub fn gather_for_check(fs: &dyn HostFs, devices: &[String]) -> Result<Facts, String> {
    gather_targets(fs, probes::pci::addresses(fs).into(), devices, true)
}

/// [`gather`], with the host's PCI addresses already listed.
pub fn gather_from(
    fs: &dyn HostFs,
    addresses: Known<Vec<address::PciAddress>>,
    devices: &[String],
) -> Result<Facts, String> {
    gather_targets(fs, addresses, devices, false)
}

/// [`gather_from`], where a target may be a VF its PF has not created yet
/// (a finding of sriov.vfs, as with `check -d`).
pub fn gather_from_pending_ok(
    fs: &dyn HostFs,
    addresses: Known<Vec<address::PciAddress>>,
    devices: &[String],
) -> Result<Facts, String> {
    gather_targets(fs, addresses, devices, true)
}

/// [`gather_from`]; `pending_ok` as [`probes::resolve_targets`] has it.
fn gather_targets(
    fs: &dyn HostFs,
    addresses: Known<Vec<address::PciAddress>>,
    devices: &[String],
    pending_ok: bool,
) -> Result<Facts, String> {
    let targets = match (&addresses, devices.is_empty()) {
        (_, true) => probes::Targets::default(),
        (Known::Value(present), false) => {
            probes::resolve_targets(fs, devices, present, pending_ok)?
        }
        (Known::Unknown(reason), false) => {
            return Err(format!("cannot look up --device: {reason}"));
        }
    };
    Ok(probes::collect(
        fs,
        &addresses,
        &targets,
        &Catalog::embedded(),
    ))
}

/// `check`: facts, then every rule, then the report.
pub fn check(fs: &dyn HostFs, devices: &[String], engine: &Engine) -> Result<Report, String> {
    let facts = gather_for_check(fs, devices)?;
    let findings = engine.run(&facts);
    Ok(Report::new(&facts, findings))
}
