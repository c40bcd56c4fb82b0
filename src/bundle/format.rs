//! The stored form of a bundle: the document's fields and its file system
//! entries. The schemars attributes carry the constraints the reader checks
//! (src/bundle/entry.rs, read.rs) into `docs/bundle.schema.json` (src/schema.rs).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use std::sync::Arc;

use super::{entry_of, SCHEMA_VERSION};
use crate::hostfs::{BundleFs, MAX_FILE_BYTES};

/// The tool that wrote the bundle.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

/// A sriov-doctor support bundle: written by `sriov-doctor bundle`, replayed
/// by `check|explain|list|acpi --bundle FILE` (plain or gzip-compressed).
/// Everything the checks read on one host, with the report made from it.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Bundle {
    /// Bundle format version; a reader refuses any other.
    #[schemars(extend("const" = SCHEMA_VERSION))]
    pub schema_version: u32,
    #[serde(default = "unknown_tool")]
    pub tool: ToolInfo,
    /// Hash of the built-in rule and signature texts that made the report
    /// (fnv1a64:HEX).
    #[serde(default)]
    #[schemars(regex(pattern = r"^fnv1a64:[0-9a-f]{16}$"))]
    pub rules_version: String,
    /// When the bundle was made, RFC 3339 UTC.
    #[serde(default)]
    #[schemars(extend("format" = "date-time"))]
    pub created: String,
    /// Whether names, addresses, users and process details were replaced or
    /// dropped (the default).
    #[serde(default)]
    pub redacted: bool,
    /// The report's host summary (the same object as check.host).
    #[serde(default)]
    #[schemars(with = "crate::report::HostSummary")]
    pub host: serde_json::Value,
    /// The report of `check --format json` on the bundle's own files:
    /// replaying the bundle gives exactly this report.
    #[serde(default)]
    #[schemars(with = "crate::report::Report")]
    pub check: serde_json::Value,
    /// The facts document the rules ran against (the types in src/facts/, serialized);
    /// an unreadable value is {"unknown": reason}.
    #[serde(default)]
    #[schemars(with = "serde_json::Map<String, serde_json::Value>")]
    pub facts: serde_json::Value,
    /// The kernel log's lines about PCI devices, DMAR, the IOMMU, AMD-Vi,
    /// VFIO and SR-IOV, from /dev/kmsg on a live host (/var/log/dmesg in a
    /// captured tree), /var/log/kern.log and /var/log/messages (at most
    /// 10,000, the latest); a replay reads them as the host's kernel log.
    #[serde(default)]
    pub kernel_log: Vec<String>,
    /// What was left out or cut to stay within the limits that `check
    /// --bundle` reads (a kernel log over 16 MiB, matching lines over
    /// 10,000), each said in a sentence; a replay lists them under "Not
    /// read".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cut: Vec<String>,
    /// Every file system entry the checks touched, one per canonical path.
    /// A path that is not here replays as not found.
    #[schemars(with = "Vec<Entry>", length(max = 1_000_000))]
    pub files: Files,
}

/// A bundle's entries: as a document listed them, or, for one being
/// written, the capture's own store, each entry made as it is written and
/// then dropped (a big host's entries are never all held twice).
#[derive(Clone)]
pub enum Files {
    Listed(Vec<Entry>),
    Captured(Arc<BundleFs>),
}

impl Files {
    pub fn len(&self) -> usize {
        match self {
            Files::Listed(v) => v.len(),
            Files::Captured(fs) => fs.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl std::fmt::Debug for Files {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "Files({} entries)", self.len())
    }
}

impl Serialize for Files {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.len()))?;
        match self {
            Files::Listed(v) => {
                for e in v {
                    seq.serialize_element(e)?;
                }
            }
            Files::Captured(fs) => {
                for (path, n) in fs.entries() {
                    seq.serialize_element(&entry_of(path, &n))?;
                }
            }
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for Files {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Files, D::Error> {
        Vec::<Entry>::deserialize(d).map(Files::Listed)
    }
}

fn unknown_tool() -> ToolInfo {
    ToolInfo {
        name: String::new(),
        version: String::new(),
    }
}

/// One file system entry as the bundle stores it: what lstat saw, and the
/// content, listing or link target that was read, or the read that failed.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend(
    "anyOf" = [{ "required": ["type"] }, { "required": ["error"] }],
    "not" = { "required": ["text", "base64"] },
    "allOf" = [
        {
            "if": { "properties": { "type": { "const": "link" } }, "required": ["type"] },
            "then": { "required": ["target"] }
        },
        {
            "if": { "properties": { "type": { "enum": ["char", "block"] } }, "required": ["type"] },
            "then": { "required": ["major", "minor"] }
        }
    ]
))]
pub struct Entry {
    /// Absolute, normalized host path: no empty, '.' or '..' component, no
    /// trailing '/', at most 64 components.
    #[schemars(regex(pattern = r"^/$|^(/(?!\.\.?(/|$))[^/\u0000]+){1,64}$"))]
    pub path: String,
    /// What lstat saw (absent when lstat itself failed: then error says why).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "String",
        extend("enum" = ["file", "dir", "link", "char", "block", "other"])
    )]
    pub kind: Option<String>,
    /// Permission bits, octal (default 0644, 0755 for dir, 0777 for link).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String", regex(pattern = r"^[0-7]{1,4}$"))]
    pub mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u32", range(max = u32::MAX))]
    pub uid: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u32", range(max = u32::MAX))]
    pub gid: Option<u32>,
    /// A link's target as written. It is resolved inside the bundle only: an
    /// absolute target, or one that climbs above /, is refused when followed
    /// ('leaves the root'), and 40 links end a resolution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String", length(min = 1, max = 4096))]
    pub target: Option<String>,
    /// Device number of a char or block node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u32", range(max = u32::MAX))]
    pub major: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u32", range(max = u32::MAX))]
    pub minor: Option<u32>,
    /// Bytes of content (text or base64, decoded); at most 16 MiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u64", range(max = MAX_FILE_BYTES))]
    pub size: Option<u64>,
    /// Content that is UTF-8 without control characters other than newline,
    /// tab, carriage return and NUL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub text: Option<String>,
    /// Any other content (ACPI tables, PCI config space), standard base64
    /// with padding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String", extend("contentEncoding" = "base64"))]
    pub base64: Option<String>,
    /// A directory's names, when it was listed. A directory without entries
    /// or error lists the bundle's entries under it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "Vec<String>",
        inner(regex(pattern = r"^(?!\.\.?$)[^/\u0000]+$"))
    )]
    pub entries: Option<Vec<String>>,
    /// The read that failed: of the content for a file, of the listing for a
    /// dir, of lstat when there is no type. Replays as the same error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "String",
        regex(
            pattern = r"^(permission_denied|too_large|not_found|not_a_directory|is_a_directory|link_loop|not_a_file: .*|io: .*)$"
        )
    )]
    pub error: Option<String>,
}
