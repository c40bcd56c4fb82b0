//! Support bundles: one JSON document with everything a check read on a
//! host (every file, link, directory listing and metadata, and the reads
//! that failed), the report and the facts; replayed as a root of its own
//! ([`BundleFs`]) by `check`, `explain`, `list` and `acpi` with `--bundle`.
//! The format is described by `docs/bundle.schema.json`, generated from
//! these types (src/schema.rs).

mod capture;
mod entry;
mod format;
mod read;
mod redact;
mod time;
mod write;

pub use capture::{capture, CaptureOptions};
pub(crate) use entry::as_text;
pub use entry::{entry_of, node_of};
pub use format::{Bundle, Entry, Files, ToolInfo};
pub use read::{open, read};
pub use write::{check_output, rules_version, write};

/// Bundle format version; bump on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;
/// The largest bundle read, compressed or not, and after decompression.
pub const MAX_BUNDLE_BYTES: u64 = 256 << 20;
/// The most entries a bundle may hold.
pub const MAX_ENTRIES: usize = 1_000_000;
/// The deepest path a bundle may hold (components).
pub const MAX_DEPTH: usize = 64;
