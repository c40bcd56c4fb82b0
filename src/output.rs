//! The one sink for everything the tool prints. Renderers build strings;
//! only this module writes them.

use std::io::{self, IsTerminal, Write};

/// Why standard output could not be written: a full disk (`>/dev/full`), a
/// closed pipe or terminal. The caller turns it into exit status 2: output
/// that was lost is never a success.
fn stdout_error(e: &io::Error) -> String {
    format!("cannot write to standard output: {e}")
}

pub fn stdout(text: &str) -> Result<(), String> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| stdout_error(&e))
}

/// A value as pretty JSON (and a newline) on standard output, written as it
/// is serialized: a large host's report is not built as one string first.
pub fn stdout_json<T: serde::Serialize>(value: &T) -> Result<(), String> {
    let mut out = io::BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, value)
        .map_err(io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
        .map_err(|e| stdout_error(&e))
}

/// A message on standard error. Its lines are the tool's; what is inside
/// them (a path, a value) is shown escaped (see [`crate::sanitize`]).
pub fn stderr(text: &str) {
    let text = crate::sanitize::clean_keep_newlines(text);
    let mut err = io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    if !text.ends_with('\n') {
        let _ = err.write_all(b"\n");
    }
}

/// [`stderr`], each line of prose wrapped at the terminal's width
/// ([`crate::render::wrap::width`]) when standard error is a terminal;
/// redirected (a log, a script), each message stays on one line, so that
/// grep finds it.
pub fn stderr_wrapped(text: &str) {
    use std::io::IsTerminal;
    if io::stderr().is_terminal() {
        stderr(&crate::render::wrap::prose_lines(
            text,
            crate::render::wrap::width(),
        ));
    } else {
        stderr(text);
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
