//! `bundle`: everything the checks read, with the report, in one file.

use std::path::{Path, PathBuf};

use super::host::load_engine;
use crate::error::{Error, Outcome};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Read a captured host tree instead of this machine.
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Write to FILE (gzip-compressed when it ends in .gz); `-` or
    /// nothing: standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Keep host and guest names, addresses, users and processes as they are.
    #[arg(long)]
    no_redact: bool,
    /// Replace FILE if it exists (a link at FILE is replaced itself,
    /// never followed).
    #[arg(long)]
    force: bool,
}

pub fn run(a: &Args) -> Result<Outcome, Error> {
    crate::bundle::check_output(a.output.as_deref(), a.force).map_err(Error::Output)?;
    let engine = load_engine(None)?;
    let shown = match a.output.as_deref() {
        Some(p) if p != Path::new("-") => p.display().to_string(),
        _ => "(standard output)".to_string(),
    };
    let b = crate::bundle::capture(
        &crate::bundle::CaptureOptions {
            root: a.root.as_deref(),
            redact: !a.no_redact,
            shown,
        },
        &engine,
    )
    .map_err(Error::Host)?;
    crate::bundle::write(&b, a.output.as_deref(), a.force).map_err(Error::Output)?;
    Ok(Outcome::Clean)
}
