//! How text output looks: colour on or off, the width it wraps at, and
//! whether passes are shown.

use owo_colors::OwoColorize;

use crate::findings::Status;
use crate::render::wrap;
use crate::report::Verdict;

pub struct Style {
    pub color: bool,
    /// The width prose wraps at ([`wrap::width`]).
    pub width: usize,
    /// Only what is not a pass (`--quiet`).
    pub quiet: bool,
}

impl Style {
    /// For this terminal: its width (or COLUMNS, or 80).
    pub fn new(color: bool) -> Style {
        Style {
            color,
            width: wrap::width(),
            quiet: false,
        }
    }

    /// No colour, 80 columns: for files and tests.
    pub fn plain() -> Style {
        Style {
            color: false,
            width: wrap::DEFAULT_WIDTH,
            quiet: false,
        }
    }

    pub fn status(&self, s: Status) -> String {
        let label = s.label();
        if !self.color {
            return label.to_string();
        }
        match s {
            Status::Pass => label.green().to_string(),
            Status::Fail => label.red().bold().to_string(),
            Status::Warn => label.yellow().to_string(),
            Status::Skip => label.blue().to_string(),
        }
    }

    /// The verdict word: red when not ready, green when ready, yellow with
    /// warnings or incomplete.
    pub fn verdict(&self, v: Verdict) -> String {
        let label = v.label();
        if !self.color {
            return label.to_string();
        }
        match v {
            Verdict::Ready => label.green().bold().to_string(),
            Verdict::NotReady => label.red().bold().to_string(),
            Verdict::ReadyWithWarnings | Verdict::Incomplete => label.yellow().bold().to_string(),
        }
    }

    pub fn heading(&self, h: &str) -> String {
        if self.color {
            h.bold().to_string()
        } else {
            h.to_string()
        }
    }

    pub fn dim(&self, t: &str) -> String {
        if self.color {
            t.dimmed().to_string()
        } else {
            t.to_string()
        }
    }
}
