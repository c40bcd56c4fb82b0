//! `explain`: an error message or log, matched against the signatures, and
//! the checks of the devices it names, most likely cause first.

use std::path::{Path, PathBuf};

use super::host::{alongside, load_engine, HostArgs};
use super::Format;
use crate::error::{Error, Outcome};
use crate::output;
use crate::render;
use crate::rules::Engine;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The message (several arguments are joined as lines). One that
    /// starts with '-' is taken as it is when it holds a space ("-bash:
    /// echo: write error: …"); otherwise give it after `--`. Without it,
    /// --file or standard input is read.
    #[arg(value_name = "MESSAGE", value_parser = super::argv::message_word)]
    text: Vec<String>,
    /// Read the message or log from a file.
    #[arg(long, value_name = "PATH")]
    file: Option<PathBuf>,
    /// Read the input from the host: libvirt guest NAME's log from its
    /// last start (/var/log/libvirt/qemu/NAME.log), and the kernel log's
    /// lines about devices since then. Its devices are checked when the
    /// log names none.
    #[arg(long, value_name = "NAME")]
    guest: Option<String>,
    #[command(flatten)]
    host: HostArgs,
    /// A device the message is about, when it names none or another form
    /// (0000:03:10.0, 03:10.0 or pci_0000_03_10_0); repeatable. Checked as
    /// if the message named it.
    #[arg(long = "device", short = 'd', value_name = "ADDR")]
    devices: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Add or override rules (and signatures in DIR/signatures).
    #[arg(long = "rules", value_name = "DIR")]
    rules_dir: Option<PathBuf>,
    #[command(flatten)]
    pub(super) color: super::ColorArg,
}

pub fn run(a: &Args, color: bool) -> Result<Outcome, Error> {
    for d in &a.devices {
        crate::address::PciAddress::parse(d).map_err(Error::Usage)?;
    }
    if let Some(g) = &a.guest {
        crate::explain::guest_log::check_name(g).map_err(Error::Usage)?;
        if a.host.bundle.is_some() {
            return Err(Error::Usage(format!(
                "a bundle keeps no guest logs: run `sriov-doctor explain --guest {}` on the host, or pass the log with --file",
                super::host::shell_word(g)
            )));
        }
    }
    let rules_dir = a.rules_dir.as_deref();
    // The rules and the signatures load side by side, on two threads
    // beside this one, which reads the host.
    let ((engine, signatures), (input, fs)) = alongside(
        || {
            alongside(
                || load_engine(rules_dir),
                || {
                    let ids = Engine::rule_ids(rules_dir);
                    crate::explain::load_signatures(&ids, rules_dir).map_err(|errors| {
                        Error::Rejected {
                            what: "signatures",
                            errors: errors.iter().map(|e| e.to_string()).collect(),
                        }
                    })
                },
            )
        },
        || {
            // With --guest alone the host gives the input.
            let input = if a.guest.is_some() && a.text.is_empty() && a.file.is_none() {
                String::new()
            } else {
                read_input(&a.text, a.file.as_deref())?
            };
            Ok((input, a.host.open()?))
        },
    )?;
    let (input, read_from) = match &a.guest {
        Some(g) => {
            let mut lines = crate::explain::lines(&input);
            let got = crate::explain::guest_log::read(fs.as_ref(), g, lines.len() + 1)
                .map_err(Error::Host)?;
            lines.extend(got.lines);
            (lines.join("\n"), got.read_from)
        }
        None => (input, Vec::new()),
    };
    let guests: Vec<String> = a.guest.iter().cloned().collect();
    let asked = crate::explain::Asked {
        devices: &a.devices,
        guests: &guests,
    };
    let mut e = crate::explain::explain(fs.as_ref(), &input, &engine, &signatures, asked)
        .map_err(Error::Host)?;
    e.read_from = read_from;
    // In text, our own commands read the same tree or bundle again; the
    // JSON stays the host's own (a bundle replays as its tree).
    if a.format == Format::Text {
        let again = a.host.again();
        for cmd in e
            .confirm
            .iter_mut()
            .filter(|c| c.starts_with("sriov-doctor "))
        {
            cmd.push_str(&again);
        }
        for c in &mut e.causes {
            super::host::name_host_again_in(std::slice::from_mut(&mut c.finding), &again);
        }
    }
    let out = match a.format {
        Format::Json => render::json::render(&e),
        Format::Text => render::explain::text(&e, &render::text::Style::new(color)),
    };
    output::stdout(&out).map_err(Error::Output)?;
    Ok(Outcome::from_code(e.exit_code()))
}

/// The text to explain: the arguments, else --file, else standard input.
fn read_input(text: &[String], file: Option<&Path>) -> Result<String, Error> {
    use std::io::{IsTerminal, Read};
    let limit = crate::explain::MAX_INPUT;
    if !text.is_empty() {
        return Ok(text.join("\n"));
    }
    let mut buf = Vec::new();
    match file {
        Some(path) => {
            let unreadable = |e: std::io::Error| Error::Input {
                path: format!("--file {}", path.display()),
                reason: format!("{e}; expected a file holding the error message or log to explain"),
            };
            let f = std::fs::File::open(path).map_err(unreadable)?;
            f.take(limit as u64 + 1)
                .read_to_end(&mut buf)
                .map_err(unreadable)?;
        }
        None => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                return Err(Error::Usage(
                    "give the error text as arguments, with --file PATH, or on standard input"
                        .into(),
                ));
            }
            stdin
                .lock()
                .take(limit as u64 + 1)
                .read_to_end(&mut buf)
                .map_err(|e| Error::Input {
                    path: "standard input".into(),
                    reason: e.to_string(),
                })?;
        }
    }
    if buf.len() > limit {
        return Err(Error::Usage(format!(
            "input larger than {} MiB: pass the relevant part",
            limit >> 20
        )));
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}
