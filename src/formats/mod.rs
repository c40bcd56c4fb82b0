//! Pure parsers: the bytes or text of one file format in, values out. No
//! I/O here (no [`crate::hostfs`], no `std::fs`): the probes read the files
//! through the host's root and build the facts from what these return. One
//! module per file format, each tested on real samples.

pub mod acpi;
