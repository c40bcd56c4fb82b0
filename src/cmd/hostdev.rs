//! `hostdev`: libvirt's `<hostdev>` element for a device.

use std::path::PathBuf;

use clap::ValueEnum;

use super::host::open_root;
use super::Format;
use crate::error::{Error, Outcome};
use crate::output;
use crate::render;

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum YesNo {
    Yes,
    No,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The device (0000:03:10.0, 03:10.0, pci_0000_03_10_0).
    #[arg(required_unless_present = "free")]
    address: Option<String>,
    /// managed='yes' lets libvirt detach the device from its host driver at guest start.
    #[arg(long, value_enum, default_value_t = YesNo::Yes)]
    managed: YesNo,
    /// Pick a VF of --pf that no one holds and no guest names.
    #[arg(long, requires = "pf", conflicts_with = "address")]
    free: bool,
    /// The physical function to pick a free VF from.
    #[arg(long, value_name = "ADDR")]
    pf: Option<String>,
    /// Read a captured host tree instead of this machine.
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub fn run(a: &Args) -> Result<Outcome, Error> {
    let fs = open_root(a.root.as_deref())?;
    let (addr, facts) = match (a.free, &a.address, &a.pf) {
        (true, _, Some(pf)) => {
            let facts = crate::gather(&fs, std::slice::from_ref(pf)).map_err(Error::Host)?;
            let pf_addr: crate::address::PciAddress =
                facts.host.targets[0].parse().map_err(Error::Host)?;
            let inv = crate::inventory::build(&facts);
            let vf = crate::inventory::free_vf(&inv, pf_addr).map_err(Error::Host)?;
            (vf.address.parse().map_err(Error::Host)?, facts)
        }
        (_, Some(addr), _) => {
            let facts = crate::gather(&fs, std::slice::from_ref(addr)).map_err(Error::Host)?;
            (facts.host.targets[0].parse().map_err(Error::Host)?, facts)
        }
        _ => {
            return Err(Error::Usage(
                "give a device address, or --free --pf ADDR".into(),
            ))
        }
    };
    let managed = a.managed == YesNo::Yes;
    let xml = crate::inventory::hostdev_xml(addr, managed);
    let dev = facts.devices.iter().find(|d| d.address == addr);
    let name = dev.and_then(|d| d.device_name.clone());
    output::stdout(&match a.format {
        Format::Json => render::json::render(&serde_json::json!({
            "schema_version": crate::report::SCHEMA_VERSION,
            "address": addr.to_string(),
            "libvirt_name": addr.libvirt_name(),
            "name": name,
            "managed": managed,
            "xml": xml,
        })),
        Format::Text => format!(
            "<!-- {addr}{} -->\n{xml}\nSave it as hostdev.xml, then:\n  virsh attach-device GUEST hostdev.xml --config      # from the next start (add --live for a running guest)\nor paste it under <devices> in `virsh edit GUEST`.\n",
            name.map(|n| format!(" {n}")).unwrap_or_default()
        ),
    })
    .map_err(Error::Output)?;
    Ok(Outcome::Clean)
}
