//! The one sink for everything the tool prints. Renderers build strings;
//! only this module writes them.

use std::io::{self, IsTerminal, Write};

#[allow(clippy::disallowed_macros)]
pub fn stdout(text: &str) {
    let mut out = io::stdout().lock();
    // A closed pipe (`sriov-doctor check | head`) is not an error worth a panic.
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// A value as pretty JSON (and a newline) on standard output, written as it
/// is serialized: a large host's report is not built as one string first.
pub fn stdout_json<T: serde::Serialize>(value: &T) {
    let mut out = io::BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    // As in `stdout`: a closed pipe ends the output, nothing more.
    let _ = serde_json::to_writer_pretty(&mut out, value);
    let _ = out.write_all(b"\n");
    let _ = out.flush();
}

pub fn stderr(text: &str) {
    let mut err = io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    if !text.ends_with('\n') {
        let _ = err.write_all(b"\n");
    }
}

/// Whether to color: `always`, `never`, or `auto` (a terminal, and NO_COLOR
/// unset or empty, as no-color.org asks).
pub fn use_color(choice: &str) -> bool {
    match choice {
        "always" => true,
        "never" => false,
        _ => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            !no_color && io::stdout().is_terminal()
        }
    }
}
