//! Command-line interface: parses arguments, runs a command, returns the exit
//! code (0 nothing failed, 1 a check failed, 2 usage or tool error).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::output;
use crate::render;
use crate::rules::Engine;

#[derive(Parser, Debug)]
#[command(
    name = "sriov-doctor",
    version,
    about = "Can this host give an SR-IOV virtual function to a guest? If not, why not, and what to do.",
    after_help = "Exit codes: 0 nothing failed (warnings allowed), 1 at least one check failed, 2 usage or tool error."
)]
pub struct Cli {
    /// When to color the text output (NO_COLOR is honoured in auto).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check the host (or a captured tree) for everything VF assignment needs.
    Check {
        /// Read a captured host tree instead of this machine.
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// A device that will be assigned (0000:03:10.0, 03:10.0 or
        /// pci_0000_03_10_0); repeatable. Its checks become failures and lead
        /// the report.
        #[arg(long = "device", short = 'd', value_name = "ADDR")]
        devices: Vec<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Add or override rules from the *.toml files in DIR.
        #[arg(long = "rules", value_name = "DIR")]
        rules_dir: Option<PathBuf>,
    },
    /// Decode the firmware's IOMMU tables (ACPI DMAR, IVRS) and resolve
    /// their device scopes on this host's buses.
    Acpi {
        /// DMAR or IVRS from the root, or a file holding a raw table dump
        /// (acpidump -b, /sys/firmware/acpi/tables/DMAR copied elsewhere).
        table: Option<String>,
        /// Read a captured host tree instead of this machine.
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// List the rules, or show one rule's documentation.
    Rules {
        /// A rule id, e.g. kernel.iommu.
        id: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Include the rules in DIR.
        #[arg(long = "rules", value_name = "DIR")]
        rules_dir: Option<PathBuf>,
    },
}

/// Parses the process arguments and runs; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let text = e.render().to_string();
            if code == 0 {
                output::stdout(&text);
            } else {
                output::stderr(&text);
            }
            return code;
        }
    };
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            output::stderr(&format!("sriov-doctor: {e}"));
            2
        }
    }
}

fn load_engine(dir: Option<&std::path::Path>) -> Result<Engine, String> {
    Engine::load(dir).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        format!("rules rejected:\n  {}", lines.join("\n  "))
    })
}

pub fn run(cli: &Cli) -> Result<i32, String> {
    let color = output::use_color(match cli.color {
        ColorChoice::Auto => "auto",
        ColorChoice::Always => "always",
        ColorChoice::Never => "never",
    });
    match &cli.command {
        Command::Check {
            root,
            devices,
            format,
            rules_dir,
        } => {
            let engine = load_engine(rules_dir.as_deref())?;
            let fs = match root {
                Some(dir) => crate::hostfs::DirFs::tree(dir)?,
                None => crate::hostfs::DirFs::live(),
            };
            let report = crate::check(&fs, devices, &engine)?;
            let text = match format {
                Format::Json => render::json::render(&report),
                Format::Text => render::text::render(&report, &render::text::Style { color }),
            };
            output::stdout(&text);
            Ok(report.exit_code())
        }
        Command::Acpi {
            table,
            root,
            format,
        } => {
            let fs = match root {
                Some(dir) => crate::hostfs::DirFs::tree(dir)?,
                None => crate::hostfs::DirFs::live(),
            };
            let tables = crate::tables::load(&fs, table.as_deref())?;
            let text = match format {
                Format::Text => render::acpi::text(&tables),
                Format::Json => render::json::render(&render::acpi::AcpiReport {
                    schema_version: crate::report::SCHEMA_VERSION,
                    tables: tables.iter().collect(),
                }),
            };
            output::stdout(&text);
            Ok(if tables.iter().all(|t| t.sound()) {
                0
            } else {
                1
            })
        }
        Command::Rules {
            id,
            format,
            rules_dir,
        } => {
            let engine = load_engine(rules_dir.as_deref())?;
            let text = match id {
                None => match format {
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
                    let rule = engine
                        .rule(id)
                        .ok_or_else(|| format!("no rule '{id}' (sriov-doctor rules lists them)"))?;
                    match format {
                        Format::Text => render::rules::show(rule),
                        Format::Json => render::json::render(&render::rules::RuleDoc::of(rule)),
                    }
                }
            };
            output::stdout(&text);
            Ok(0)
        }
    }
}
