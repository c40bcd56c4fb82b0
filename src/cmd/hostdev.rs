//! `hostdev`: the form that gives a device to a guest (libvirt's
//! `<hostdev>` element, xl's `pci =` line, Proxmox's `hostpciN:` line).
//! The form alone goes to standard output, so that `> hostdev.xml` writes
//! a file the toolstack reads; the steps and any concern go to standard
//! error. A concern (see [`hostdev::concerns`]: a held or already named
//! device, a bridge, a PF with VFs, a group that is not viable, the
//! default route's device, a host-used device with managed='no') refuses
//! the form, exit 1, unless --force.

use clap::ValueEnum;

use super::host::HostArgs;
use super::Format;
use crate::error::{Error, Outcome};
use crate::hostdev::{self, Platform};
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
    /// The toolstack to print for: libvirt's <hostdev> element, an xl
    /// config's pci line, or a Proxmox VM config's hostpci line.
    #[arg(long = "for", value_enum, default_value_t = Platform::Libvirt)]
    platform: Platform,
    /// Print the form even for a device a guest cannot be given as it is
    /// (held, a bridge, a PF with VFs, a group that is not viable, …); the
    /// warnings still go to stderr.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    host: HostArgs,
    /// Output format: text (the form alone on stdout) or json.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub fn run(a: &Args) -> Result<Outcome, Error> {
    let fs = a.host.open()?;
    let (addr, facts) = match (a.free, &a.address, &a.pf) {
        (true, _, Some(pf)) => {
            let facts = crate::gather(&*fs, std::slice::from_ref(pf)).map_err(Error::Host)?;
            let pf_addr: crate::address::PciAddress =
                facts.host.targets[0].parse().map_err(Error::Host)?;
            let inv = crate::inventory::build(&facts);
            let vf = crate::inventory::free_vf(&inv, pf_addr).map_err(Error::Host)?;
            let vf = vf.address.clone();
            // The VF's own facts, with it as the target.
            let facts = crate::gather(&*fs, std::slice::from_ref(&vf)).map_err(Error::Host)?;
            (vf.parse().map_err(Error::Host)?, facts)
        }
        (_, Some(addr), _) => {
            let facts = crate::gather(&*fs, std::slice::from_ref(addr)).map_err(Error::Host)?;
            (facts.host.targets[0].parse().map_err(Error::Host)?, facts)
        }
        _ => {
            return Err(Error::Usage(
                "give a device address, or --free --pf ADDR".into(),
            ))
        }
    };
    let managed = a.managed == YesNo::Yes;
    let dev = facts.devices.iter().find(|d| d.address == addr);
    let again = a.host.again();
    let concerns: Vec<String> = dev
        .map(|d| hostdev::concerns(&facts, d, a.platform, managed))
        .unwrap_or_default()
        .into_iter()
        .map(|c| super::host::name_host_again(&c, &again).unwrap_or(c))
        .collect();
    let refused = !concerns.is_empty() && !a.force;
    let form = hostdev::form(a.platform, addr, managed);
    let name = dev.and_then(|d| d.device_name.clone());
    match a.format {
        Format::Json => output::stdout(&render::json::render(&serde_json::json!({
            "schema_version": crate::report::SCHEMA_VERSION,
            "address": addr.to_string(),
            "libvirt_name": addr.libvirt_name(),
            "name": name,
            "managed": managed,
            "for": format!("{:?}", a.platform).to_lowercase(),
            "warnings": concerns,
            "refused": refused,
            "xml": (a.platform == Platform::Libvirt && !refused).then(|| form.clone()),
            "form": (!refused).then(|| form.clone()),
        })))
        .map_err(Error::Output)?,
        Format::Text => {
            let mut err = String::new();
            for c in &concerns {
                err.push_str(&format!("warning: {c}\n"));
            }
            if refused {
                err.push_str("Nothing printed: give --force to print it anyway.\n");
            } else {
                output::stdout(&form).map_err(Error::Output)?;
                err.push_str(&format!(
                    "{addr}{}: ",
                    name.map(|n| format!(" ({n})")).unwrap_or_default()
                ));
                err.push_str(&hostdev::steps(a.platform, addr, dev));
            }
            output::stderr_wrapped(&err);
        }
    }
    Ok(Outcome::failed_if(refused))
}
