//! The facts document: everything the probes learned about one host, in one
//! serializable value. A value that could not be read is [`Known::Unknown`]
//! with the reason, never a default that looks like an answer.
//!
//! One file per subject: `known` (the [`Known`] wrapper), `host`,
//! `device`, `device_use` (who uses a device, and what that needs) and
//! `bar_claims` (what else holds its BARs);
//! every type is re-exported here, as `crate::facts::X`.

use schemars::JsonSchema;
use serde::Serialize;

mod bar_claims;
mod device;
mod device_use;
mod host;
mod known;
#[cfg(test)]
mod tests;

pub use bar_claims::*;
pub use device::*;
pub use device_use::*;
pub use host::*;
pub use known::*;

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Facts {
    pub host: HostFacts,
    /// Every PCI device, sorted by address.
    pub devices: Vec<DeviceFacts>,
}
