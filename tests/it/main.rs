//! The integration tests, as one binary: each file was its own test
//! binary, and a fresh clone spent most of `cargo test` linking 19 of
//! them. `cargo test --test it NAME::` runs one file's tests.

mod common;
mod corruption;

mod acpi_corpus;
mod bad_trees;
mod bundle;
mod captures;
mod cli;
mod dist;
mod doc_examples;
mod dot;
mod explain;
mod explain_corpus;
mod explain_guest;
mod explain_mdev;
mod explain_reader;
mod fit;
mod hostile;
mod hosts;
mod inputs;
mod inventory;
mod junit;
mod k8s;
mod layout;
mod live;
mod lspci;
mod nova;
mod persistence;
mod power;
mod prometheus;
mod proxmox;
mod rule_loading;
mod rule_tests;
mod safe_fixes;
mod schema;
mod signature_formats;
mod static_binary;
mod summarize;
mod targets;
mod unreadable;
