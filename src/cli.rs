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
    after_help = "Exit codes: 0 nothing failed (warnings allowed), 1 at least one check failed, 2 usage or tool error (output that could not be written included), 3 incomplete: nothing failed, but a check that applies could not read its inputs (run as root for a full answer)."
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
pub enum YesNo {
    Yes,
    No,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// What `check` prints.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// The report for a person, grouped by area.
    Text,
    /// One JSON document, for scripts (docs/report.schema.json).
    Json,
    /// JUnit XML, one testcase per finding: a test report for GitLab, Jenkins, GitHub.
    Junit,
    /// Prometheus metrics for node_exporter's textfile collector.
    Prometheus,
}

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

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check the host (or a captured tree) for everything VF assignment needs.
    Check {
        /// Read a captured host tree instead of this machine.
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// Replay a support bundle (made by `sriov-doctor bundle`) instead of a host.
        #[arg(long, value_name = "FILE", conflicts_with = "root")]
        bundle: Option<PathBuf>,
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
    },
    /// Explain an error message or log: which checks fail for the devices
    /// and groups it names, most likely cause first.
    Explain {
        /// The message (several arguments are joined as lines; options go
        /// before it). Without it, --file or standard input is read.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        text: Vec<String>,
        /// Read the message or log from a file.
        #[arg(long, value_name = "PATH")]
        file: Option<PathBuf>,
        /// Read a captured host tree instead of this machine.
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// Replay a support bundle (made by `sriov-doctor bundle`) instead of a host.
        #[arg(long, value_name = "FILE", conflicts_with = "root")]
        bundle: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Add or override rules (and signatures in DIR/signatures).
        #[arg(long = "rules", value_name = "DIR")]
        rules_dir: Option<PathBuf>,
    },
    /// The SR-IOV inventory: each PF with its VFs, drivers, IOMMU groups and
    /// who holds them.
    List {
        /// Read a captured host tree instead of this machine.
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// Replay a support bundle (made by `sriov-doctor bundle`) instead of a host.
        #[arg(long, value_name = "FILE", conflicts_with = "root")]
        bundle: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Print libvirt's <hostdev> element for a device (bus, slot and
    /// function in hex), and how to use it.
    Hostdev {
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
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
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
        /// Replay a support bundle (made by `sriov-doctor bundle`) instead of a host.
        #[arg(long, value_name = "FILE", conflicts_with = "root")]
        bundle: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Write a support bundle: everything the checks read on this host (or
    /// a captured tree), with the report, in one JSON document. Names,
    /// addresses, serials and user data are redacted unless --no-redact.
    Bundle {
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
    },
    /// Summarize many `check --format json` reports (files or directories
    /// of *.json): hosts × rules, with the failing subjects.
    Summarize {
        /// Reports written by `sriov-doctor check --format json`, or
        /// directories holding them (every *.json inside).
        #[arg(required = true, value_name = "REPORT")]
        reports: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = crate::summarize::SummaryFormat::Text)]
        format: crate::summarize::SummaryFormat,
    },
    /// Print a shell completion script to standard output.
    Completions {
        #[arg(value_enum)]
        shell: crate::cli_extras::Shell,
    },
    /// Print the man page (roff) of sriov-doctor, or of one of its commands.
    Man {
        /// A command (check, explain, …) for its own page, sriov-doctor-COMMAND(1).
        #[arg(value_name = "COMMAND")]
        command: Option<String>,
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
                if let Err(e) = output::stdout(&text) {
                    output::stderr(&format!("sriov-doctor: {e}"));
                    return 2;
                }
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

fn open_root(root: Option<&std::path::Path>) -> Result<crate::hostfs::DirFs, String> {
    match root {
        Some(dir) => crate::hostfs::DirFs::tree(dir),
        None => Ok(crate::hostfs::DirFs::live()),
    }
}

/// The root to read: a support bundle, a captured tree, or this machine.
fn open_host(
    root: Option<&std::path::Path>,
    bundle: Option<&std::path::Path>,
) -> Result<Box<dyn crate::hostfs::HostFs>, String> {
    match bundle {
        Some(file) => Ok(Box::new(crate::bundle::open(file)?)),
        None => Ok(Box::new(open_root(root)?)),
    }
}

/// Runs `load` (the rules: parsing and compiling them) on a second thread,
/// when there is a second core, while `read` (the host) runs on this one:
/// they are independent, and on a large host each takes milliseconds. `load`'s error comes first, as when
/// the two ran one after the other.
fn alongside<L: Send, R>(
    load: impl FnOnce() -> Result<L, String> + Send,
    read: impl FnOnce() -> Result<R, String>,
) -> Result<(L, R), String> {
    let (loaded, read) = crate::par::both(load, read);
    Ok((loaded?, read?))
}

/// The rules, loaded alongside `read` (see [`alongside`]).
fn alongside_rules<R>(
    dir: Option<&std::path::Path>,
    read: impl FnOnce() -> Result<R, String>,
) -> Result<(Engine, R), String> {
    alongside(|| load_engine(dir), read)
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
            bundle,
            devices,
            format,
            rules_dir,
        } => {
            let (engine, facts) = alongside_rules(rules_dir.as_deref(), || {
                let fs = open_host(root.as_deref(), bundle.as_deref())?;
                // The root's caches (and a tree's metadata overlay) are not
                // needed by the rules: freed (on return) before the findings
                // pile up.
                crate::gather(fs.as_ref(), devices)
            })?;
            let findings = engine.run(&facts);
            let report = crate::report::Report::new(&facts, findings);
            // The facts are freed on a second thread while the report is
            // written. The report is not freed at all: the process ends with
            // this command, and freeing thousands of findings one by one
            // would only delay the exit.
            let written = std::thread::scope(|scope| {
                // Freed here if no thread can be made (ulimit -u).
                let _ = std::thread::Builder::new().spawn_scoped(scope, move || drop(facts));
                match format {
                    CheckFormat::Json => output::stdout_json(&report),
                    CheckFormat::Text => output::stdout(&render::text::render(
                        &report,
                        &render::text::Style { color },
                    )),
                    CheckFormat::Junit => output::stdout(&render::junit::render(&report)),
                    CheckFormat::Prometheus => output::stdout(&render::prometheus::render(&report)),
                }
            });
            written?;
            let code = report.exit_code();
            std::mem::forget(report);
            Ok(code)
        }
        Command::Explain {
            text,
            file,
            root,
            bundle,
            format,
            rules_dir,
        } => {
            // The rules and the signatures load side by side, on two threads
            // beside this one, which reads the host.
            let ((engine, signatures), (input, fs)) = alongside(
                || {
                    alongside(
                        || load_engine(rules_dir.as_deref()),
                        || {
                            let ids = Engine::rule_ids(rules_dir.as_deref());
                            crate::explain::load_signatures(&ids, rules_dir.as_deref()).map_err(
                                |errors| {
                                    let lines: Vec<String> =
                                        errors.iter().map(|e| e.to_string()).collect();
                                    format!("signatures rejected:\n  {}", lines.join("\n  "))
                                },
                            )
                        },
                    )
                },
                || {
                    let input = read_input(text, file.as_deref())?;
                    Ok((input, open_host(root.as_deref(), bundle.as_deref())?))
                },
            )?;
            let e = crate::explain::explain(fs.as_ref(), &input, &engine, &signatures)?;
            let out = match format {
                Format::Json => render::json::render(&e),
                Format::Text => render::explain::text(&e, &render::text::Style { color }),
            };
            output::stdout(&out)?;
            Ok(e.exit_code())
        }
        Command::List {
            root,
            bundle,
            format,
        } => {
            let fs = open_host(root.as_deref(), bundle.as_deref())?;
            let facts = crate::gather(fs.as_ref(), &[])?;
            let inv = crate::inventory::build(&facts);
            output::stdout(&match format {
                ListFormat::Json => render::json::render(&inv),
                ListFormat::Text => render::list::text(&inv, &render::text::Style { color }),
                ListFormat::Dot => render::dot::render(&inv),
            })?;
            Ok(0)
        }
        Command::Hostdev {
            address,
            managed,
            free,
            pf,
            root,
            format,
        } => {
            let fs = open_root(root.as_deref())?;
            let (addr, facts) = match (free, address, pf) {
                (true, _, Some(pf)) => {
                    let facts = crate::gather(&fs, std::slice::from_ref(pf))?;
                    let pf_addr: crate::address::PciAddress = facts.host.targets[0].parse()?;
                    let inv = crate::inventory::build(&facts);
                    let vf = crate::inventory::free_vf(&inv, pf_addr)?;
                    (vf.address.parse()?, facts)
                }
                (_, Some(a), _) => {
                    let facts = crate::gather(&fs, std::slice::from_ref(a))?;
                    (facts.host.targets[0].parse()?, facts)
                }
                _ => return Err("give a device address, or --free --pf ADDR".into()),
            };
            let xml = crate::inventory::hostdev_xml(addr, *managed == YesNo::Yes);
            let dev = facts.devices.iter().find(|d| d.address == addr);
            let name = dev.and_then(|d| d.device_name.clone());
            output::stdout(&match format {
                Format::Json => render::json::render(&serde_json::json!({
                    "schema_version": crate::report::SCHEMA_VERSION,
                    "address": addr.to_string(),
                    "libvirt_name": addr.libvirt_name(),
                    "name": name,
                    "managed": *managed == YesNo::Yes,
                    "xml": xml,
                })),
                Format::Text => format!(
                    "<!-- {addr}{} -->\n{xml}\nSave it as hostdev.xml, then:\n  virsh attach-device GUEST hostdev.xml --config      # from the next start (add --live for a running guest)\nor paste it under <devices> in `virsh edit GUEST`.\n",
                    name.map(|n| format!(" {n}")).unwrap_or_default()
                ),
            })?;
            Ok(0)
        }
        Command::Acpi {
            table,
            root,
            bundle,
            format,
        } => {
            let fs = open_host(root.as_deref(), bundle.as_deref())?;
            let tables = crate::tables::load(fs.as_ref(), table.as_deref())?;
            let text = match format {
                Format::Text => render::acpi::text(&tables),
                Format::Json => render::json::render(&render::acpi::AcpiReport {
                    schema_version: crate::report::SCHEMA_VERSION,
                    tables: tables.iter().collect(),
                }),
            };
            output::stdout(&text)?;
            Ok(if tables.iter().all(|t| t.sound()) {
                0
            } else {
                1
            })
        }
        Command::Bundle {
            root,
            output,
            no_redact,
            force,
        } => {
            crate::bundle::check_output(output.as_deref(), *force)?;
            let engine = load_engine(None)?;
            let shown = match output.as_deref() {
                Some(p) if p != std::path::Path::new("-") => p.display().to_string(),
                _ => "(standard output)".to_string(),
            };
            let b = crate::bundle::capture(
                &crate::bundle::CaptureOptions {
                    root: root.as_deref(),
                    redact: !no_redact,
                    shown,
                },
                &engine,
            )?;
            crate::bundle::write(&b, output.as_deref(), *force)?;
            Ok(0)
        }
        Command::Summarize { reports, format } => crate::summarize::run(reports, *format),
        Command::Completions { shell } => crate::cli_extras::completions(*shell),
        Command::Man { command } => crate::cli_extras::man(command.as_deref()),
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
            output::stdout(&text)?;
            Ok(0)
        }
    }
}

/// The text to explain: the arguments, else --file, else standard input.
fn read_input(text: &[String], file: Option<&std::path::Path>) -> Result<String, String> {
    use std::io::{IsTerminal, Read};
    let limit = crate::explain::MAX_INPUT;
    if !text.is_empty() {
        return Ok(text.join("\n"));
    }
    let mut buf = Vec::new();
    match file {
        Some(path) => {
            let f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
            f.take(limit as u64 + 1)
                .read_to_end(&mut buf)
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
        None => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                return Err(
                    "give the error text as arguments, with --file PATH, or on standard input"
                        .into(),
                );
            }
            stdin
                .lock()
                .take(limit as u64 + 1)
                .read_to_end(&mut buf)
                .map_err(|e| format!("standard input: {e}"))?;
        }
    }
    if buf.len() > limit {
        return Err(format!(
            "input larger than {} MiB: pass the relevant part",
            limit >> 20
        ));
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}
