//! How a command ends: the [`Outcome`] of one that ran, or the [`Error`]
//! that stopped it, and the one function that turns either into the exit
//! code (0 nothing failed, 1 a check failed, 2 usage or tool error, 3
//! incomplete).

use std::fmt;

use crate::report::Verdict;

/// What a command that ran to its end found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing failed (warnings allowed): exit 0.
    Clean,
    /// At least one check failed (or a table is not sound): exit 1.
    Failed,
    /// Some inputs could not be read, and the rest was done (`summarize`:
    /// a report it could not read): exit 2, as a tool error.
    PartlyUnread,
    /// Nothing failed, but a check that applies could not read its
    /// inputs: exit 3.
    Incomplete,
}

impl Outcome {
    /// [`Outcome::Failed`] when `failed`, else [`Outcome::Clean`].
    pub fn failed_if(failed: bool) -> Outcome {
        if failed {
            Outcome::Failed
        } else {
            Outcome::Clean
        }
    }

    /// The outcome of a result that works out its own exit code
    /// (`explain`, `summarize`); an unknown code is a tool error's.
    pub fn from_code(code: i32) -> Outcome {
        match code {
            0 => Outcome::Clean,
            1 => Outcome::Failed,
            3 => Outcome::Incomplete,
            _ => Outcome::PartlyUnread,
        }
    }
}

impl From<Verdict> for Outcome {
    fn from(v: Verdict) -> Outcome {
        match v {
            Verdict::Ready | Verdict::ReadyWithWarnings => Outcome::Clean,
            Verdict::NotReady => Outcome::Failed,
            Verdict::Incomplete => Outcome::Incomplete,
        }
    }
}

/// Why a command could not do its work: always exit 2. Each is shown as
/// `sriov-doctor: MESSAGE` on standard error, but for clap's own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// clap rejected the command line; its message, shown as it is (not
    /// after `sriov-doctor: `).
    Arguments(String),
    /// The arguments ask for what cannot be done ("give a device address,
    /// or --free --pf ADDR").
    Usage(String),
    /// A file or stream given as input could not be read.
    Input { path: String, reason: String },
    /// The host (a live root, a captured tree, a bundle) could not be
    /// opened, or what was asked of it is not there (a --device it lacks).
    Host(String),
    /// Standard output or an output file could not be written.
    Output(String),
    /// `summarize` read no report, or could not write the summary (its
    /// messages are still made as text by [`crate::summarize`]).
    Summarize(String),
    /// Rule or signature files were rejected: `what` ("rules",
    /// "signatures") and one line per file.
    Rejected {
        what: &'static str,
        errors: Vec<String>,
    },
    /// The tool could not make what it prints (a man page, a completion
    /// script).
    Internal(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Arguments(m)
            | Error::Usage(m)
            | Error::Host(m)
            | Error::Output(m)
            | Error::Summarize(m)
            | Error::Internal(m) => f.write_str(m),
            Error::Input { path, reason } => write!(f, "{path}: {reason}"),
            Error::Rejected { what, errors } => {
                write!(f, "{what} rejected:\n  {}", errors.join("\n  "))
            }
        }
    }
}

impl std::error::Error for Error {}

/// The exit code of a command's result.
pub fn exit_code(result: &Result<Outcome, Error>) -> i32 {
    match result {
        Ok(Outcome::Clean) => 0,
        Ok(Outcome::Failed) => 1,
        Ok(Outcome::PartlyUnread) | Err(_) => 2,
        Ok(Outcome::Incomplete) => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_documented_ones() {
        let code = |r: Result<Outcome, Error>| exit_code(&r);
        assert_eq!(code(Ok(Outcome::Clean)), 0);
        assert_eq!(code(Ok(Outcome::Failed)), 1);
        assert_eq!(code(Ok(Outcome::PartlyUnread)), 2);
        assert_eq!(code(Err(Error::Usage("x".into()))), 2);
        assert_eq!(code(Err(Error::Arguments("x".into()))), 2);
        assert_eq!(code(Ok(Outcome::Incomplete)), 3);
        for c in [0, 1, 2, 3] {
            assert_eq!(code(Ok(Outcome::from_code(c))), c);
        }
    }

    #[test]
    fn messages_are_the_ones_shown() {
        let e = Error::Rejected {
            what: "rules",
            errors: vec!["a.toml: bad".into(), "b.toml: worse".into()],
        };
        assert_eq!(
            e.to_string(),
            "rules rejected:\n  a.toml: bad\n  b.toml: worse"
        );
        let e = Error::Input {
            path: "/x/log".into(),
            reason: "No such file or directory (os error 2)".into(),
        };
        assert_eq!(
            e.to_string(),
            "/x/log: No such file or directory (os error 2)"
        );
    }
}
