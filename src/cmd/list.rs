//! `list`: the SR-IOV inventory, each PF with its VFs.

use clap::ValueEnum;

use super::host::HostArgs;
use crate::error::{Error, Outcome};
use crate::output;
use crate::render;

/// What `list` prints.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// Each PF with its VFs as a tree.
    Text,
    /// One JSON document, for scripts.
    Json,
    /// Graphviz: PF → VF → IOMMU group → holder (render with `dot -Tsvg`).
    Dot,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    host: HostArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    format: ListFormat,
    #[command(flatten)]
    pub(super) color: super::ColorArg,
}

pub fn run(a: &Args, color: bool) -> Result<Outcome, Error> {
    let fs = a.host.open()?;
    let facts = crate::gather(fs.as_ref(), &[]).map_err(Error::Host)?;
    let inv = crate::inventory::build(&facts);
    output::stdout(&match a.format {
        ListFormat::Json => render::json::render(&inv),
        ListFormat::Text => render::list::text(&inv, &render::text::Style::new(color)),
        ListFormat::Dot => render::dot::render(&inv),
    })
    .map_err(Error::Output)?;
    Ok(Outcome::Clean)
}
