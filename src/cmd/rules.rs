//! `rules`: the list of rules, or one rule's documentation.

use std::path::PathBuf;

use super::host::load_engine;
use super::Format;
use crate::error::{Error, Outcome};
use crate::output;
use crate::render;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A rule id, e.g. kernel.iommu.
    id: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Include the rules in DIR.
    #[arg(long = "rules", value_name = "DIR")]
    rules_dir: Option<PathBuf>,
}

pub fn run(a: &Args) -> Result<Outcome, Error> {
    let engine = load_engine(a.rules_dir.as_deref())?;
    let text = match &a.id {
        None => match a.format {
            Format::Text => render::rules::list(&engine.rules),
            Format::Json => render::json::render(
                &engine
                    .rules
                    .iter()
                    .map(render::rules::RuleDoc::of)
                    .collect::<Vec<_>>(),
            ),
        },
        Some(id) => {
            let rule = engine.rule(id).ok_or_else(|| {
                Error::Usage(format!("no rule '{id}' (sriov-doctor rules lists them)"))
            })?;
            match a.format {
                Format::Text => render::rules::show(rule),
                Format::Json => render::json::render(&render::rules::RuleDoc::of(rule)),
            }
        }
    };
    output::stdout(&text).map_err(Error::Output)?;
    Ok(Outcome::Clean)
}
