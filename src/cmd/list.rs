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

/// A platform whose view of the devices `list` adds.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFor {
    /// The Kubernetes SR-IOV network device plugin: the resource each VF
    /// lands in (/etc/pcidp/config.json), or why none takes it.
    K8s,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    host: HostArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    format: ListFormat,
    /// Add a platform's view: `k8s`, the device plugin resource of each VF.
    #[arg(long = "for", value_enum)]
    for_platform: Option<ListFor>,
    #[command(flatten)]
    pub(super) color: super::ColorArg,
}

pub fn run(a: &Args, color: bool) -> Result<Outcome, Error> {
    let fs = a.host.open()?;
    let facts = crate::gather(fs.as_ref(), &[]).map_err(Error::Host)?;
    let inv = crate::inventory::build(&facts);
    let k8s = &facts.host.k8s;
    output::stdout(&match (a.format, a.for_platform) {
        (ListFormat::Json, Some(ListFor::K8s)) => render::list_k8s::json(&inv, k8s),
        (ListFormat::Text, Some(ListFor::K8s)) => {
            render::list_k8s::text(&inv, k8s, &render::text::Style::new(color))
        }
        (ListFormat::Dot, Some(ListFor::K8s)) => {
            return Err(Error::Usage(
                "--for k8s has text and JSON forms, not dot".into(),
            ))
        }
        (format, None) => match format {
            ListFormat::Json => render::json::render(&inv),
            ListFormat::Text => render::list::text(&inv, &render::text::Style::new(color)),
            ListFormat::Dot => render::dot::render(&inv),
        },
    })
    .map_err(Error::Output)?;
    Ok(Outcome::Clean)
}
