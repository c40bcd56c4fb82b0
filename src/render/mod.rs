//! Renderers take a report (or rules) and return text; they never read the host.

pub mod acpi;
pub mod dot;
pub mod explain;
pub mod json;
pub mod junit;
pub mod list;
pub mod list_k8s;
pub mod prometheus;
pub mod rules;
pub mod style;
pub mod text;
pub mod wrap;
pub mod xml;
