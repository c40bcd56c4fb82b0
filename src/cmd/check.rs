//! `check`: every check on the host, as a report.

use std::path::PathBuf;

use clap::ValueEnum;

use super::host::{alongside_rules, HostArgs};
use crate::error::{Error, Outcome};
use crate::output;
use crate::render;

/// What `check` prints.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// The report for a person, grouped by area.
    Text,
    /// One JSON document, for scripts (with its schema_version).
    Json,
    /// JUnit XML, one testcase per finding: a test report for GitLab, Jenkins, GitHub.
    Junit,
    /// Prometheus metrics for node_exporter's textfile collector.
    Prometheus,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    host: HostArgs,
    /// A device that will be assigned (0000:03:10.0, 03:10.0 or
    /// pci_0000_03_10_0); repeatable. Its checks become failures and lead
    /// the report.
    #[arg(long = "device", short = 'd', value_name = "ADDR")]
    devices: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    format: CheckFormat,
    /// Add or override rules from the *.toml files in DIR.
    #[arg(long = "rules", value_name = "DIR")]
    rules_dir: Option<PathBuf>,
    #[command(flatten)]
    pub(super) color: super::ColorArg,
    /// Show only what is not a pass (failures, warnings, skips) and the
    /// result.
    #[arg(long, short = 'q')]
    quiet: bool,
}

pub fn run(a: &Args, color: bool) -> Result<Outcome, Error> {
    let (engine, facts) = alongside_rules(a.rules_dir.as_deref(), || {
        let fs = a.host.open()?;
        // The root's caches (and a tree's metadata overlay) are not needed
        // by the rules: freed (on return) before the findings pile up.
        crate::gather_for_check(fs.as_ref(), &a.devices).map_err(Error::Host)
    })?;
    let mut findings = engine.run(&facts);
    // In text, the commands the fixes suggest read the same tree or
    // bundle; the JSON stays the host's own (a bundle replays as its tree).
    if a.format == CheckFormat::Text {
        super::host::name_host_again_in(&mut findings, &a.host.again());
    }
    let report = crate::report::Report::new(&facts, findings);
    // The facts are freed on a second thread while the report is written.
    // The report is not freed at all: the process ends with this command,
    // and freeing thousands of findings one by one would only delay the
    // exit.
    let written = std::thread::scope(|scope| {
        // Freed here if no thread can be made (ulimit -u).
        let _ = std::thread::Builder::new().spawn_scoped(scope, move || drop(facts));
        match a.format {
            CheckFormat::Json => output::stdout_json(&report),
            CheckFormat::Text => output::stdout(&render::text::render(
                &report,
                &render::text::Style {
                    quiet: a.quiet,
                    ..render::text::Style::new(color)
                },
            )),
            CheckFormat::Junit => output::stdout(&render::junit::render(&report)),
            CheckFormat::Prometheus => output::stdout(&render::prometheus::render(&report)),
        }
    });
    written.map_err(Error::Output)?;
    let outcome = Outcome::from(report.summary.result);
    std::mem::forget(report);
    Ok(outcome)
}
