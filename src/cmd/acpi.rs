//! `acpi`: the firmware's IOMMU tables decoded.

use super::host::HostArgs;
use super::Format;
use crate::error::{Error, Outcome};
use crate::output;
use crate::render;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// DMAR or IVRS from the root, or a file holding a raw table dump
    /// (acpidump -b, /sys/firmware/acpi/tables/DMAR copied elsewhere).
    table: Option<String>,
    #[command(flatten)]
    host: HostArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Exit 1 when a table is not sound (bad checksum, cut short).
pub fn run(a: &Args) -> Result<Outcome, Error> {
    let fs = a.host.open()?;
    let tables = crate::tables::load(fs.as_ref(), a.table.as_deref()).map_err(Error::Host)?;
    let text = match a.format {
        Format::Text => render::acpi::text(&tables),
        Format::Json => render::json::render(&render::acpi::AcpiReport {
            schema_version: crate::report::SCHEMA_VERSION,
            tables: tables.iter().collect(),
        }),
    };
    output::stdout(&text).map_err(Error::Output)?;
    Ok(Outcome::failed_if(!tables.iter().all(|t| t.sound())))
}
