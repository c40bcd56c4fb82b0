//! OpenStack Nova's configuration (/etc/nova/nova.conf and the files of
//! /etc/nova/nova.conf.d): oslo.config's INI dialect, and the `[pci]`
//! options `device_spec` (formerly `passthrough_whitelist`, and before that
//! `[DEFAULT] pci_passthrough_whitelist`) and `alias` (formerly `[DEFAULT]
//! pci_alias`).
//!
//! As read from oslo.config 10.6 (oslo_config/iniparser.py, cfg.py) and nova
//! 33.0 (nova/conf/pci.py, nova/pci/devspec.py, whitelist.py, request.py):
//! - A line is a section `[name]` (names other than `DEFAULT` are compared
//!   lowercased), a comment (first character `#` or `;`; there are no
//!   inline comments), `key = value` or `key: value` (whichever separator
//!   comes first), a continuation (starts with a space or tab: appended to
//!   the value after a newline), or blank (ends a value). A value whose
//!   first and last characters are the same quote loses them. A key
//!   before any section, or a line that is none of these, is an error that
//!   stops the service from starting.
//! - A multi-valued option keeps every value, from every name and file.
//! - A `device_spec` value is a JSON object or a list of objects: ids in
//!   hex or `*`; `address` a glob string (`[[[[domain]:]bus]:][slot][.[func]]`,
//!   empty or `*` fields are wildcards) or an object of regular expressions
//!   (domain, bus, slot, function, each matched at the start of the field);
//!   or `devname` (not both); any other key is a tag.
//! - An `alias` value is one JSON object: name, vendor_id, product_id (four
//!   hex digits), device_type (type-PCI, type-PF, type-VF), numa_policy, …

use regex::Regex;
use serde_json::Value;

/// One `key = value` assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The section, lowercased unless it is `DEFAULT`.
    pub section: String,
    pub key: String,
    /// The value, continuation lines joined with newlines.
    pub value: String,
    /// The line of the key.
    pub line: usize,
}

/// The assignments of one file, or oslo.config's reason for refusing it
/// ("at line N, …").
pub fn parse_ini(text: &str) -> Result<Vec<Entry>, String> {
    let mut out: Vec<Entry> = Vec::new();
    let mut section: Option<String> = None;
    // The assignment being read: its key, line and value lines.
    let mut open: Option<(String, usize, Vec<String>)> = None;
    // oslo.config also quotes the line; it is left out here, as it may
    // be a password's.
    let err = |n: usize, msg: &str, _line: &str| format!("at line {n}, {msg}");
    let flush = |open: &mut Option<(String, usize, Vec<String>)>,
                 section: &Option<String>,
                 out: &mut Vec<Entry>|
     -> Result<(), String> {
        if let Some((key, line, value)) = open.take() {
            let Some(s) = section else {
                return Err(format!(
                    "at line {line}, Section must be started before assignment"
                ));
            };
            out.push(Entry {
                section: s.clone(),
                key,
                value: value.join("\n"),
                line,
            });
        }
        Ok(())
    };
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim_end();
        if line.is_empty() {
            flush(&mut open, &section, &mut out)?;
            continue;
        }
        if line.starts_with([' ', '\t']) {
            match open.as_mut() {
                Some((_, _, value)) => value.push(line.trim_start().to_string()),
                None => return Err(err(n, "Unexpected continuation line", line)),
            }
            continue;
        }
        flush(&mut open, &section, &mut out)?;
        if let Some(rest) = line.strip_prefix('[') {
            let Some(name) = rest.strip_suffix(']') else {
                return Err(err(n, "Invalid section (must end with ])", line));
            };
            if name.is_empty() {
                return Err(err(n, "Empty section name", line));
            }
            section = Some(if name == "DEFAULT" {
                name.to_string()
            } else {
                name.to_lowercase()
            });
        } else if line.starts_with(['#', ';']) {
            continue;
        } else {
            let cut = match (line.find('='), line.find(':')) {
                (Some(e), Some(c)) => e.min(c),
                (Some(e), None) => e,
                (None, Some(c)) => c,
                (None, None) => return Err(err(n, "No ':' or '=' found in assignment", line)),
            };
            let key = line[..cut].trim();
            if key.is_empty() {
                return Err(err(n, "Key cannot be empty", line));
            }
            let mut value = line[cut + 1..].trim();
            if value.len() >= 2
                && (value.starts_with('"') || value.starts_with('\''))
                && value.ends_with(&value[..1])
            {
                value = &value[1..value.len() - 1];
            }
            open = Some((key.to_string(), n, vec![value.to_string()]));
        }
    }
    flush(&mut open, &section, &mut out)?;
    Ok(out)
}

/// The names a device spec may be given under, as (section, key).
pub const SPEC_KEYS: [(&str, &str); 3] = [
    ("pci", "device_spec"),
    ("pci", "passthrough_whitelist"),
    ("DEFAULT", "pci_passthrough_whitelist"),
];
/// The names an alias may be given under.
pub const ALIAS_KEYS: [(&str, &str); 2] = [("pci", "alias"), ("DEFAULT", "pci_alias")];

/// One address field of a spec: any value, or one value.
pub type Field = Option<u32>;

/// A device spec's `address`.
#[derive(Debug, Clone)]
pub enum AddressSpec {
    /// Glob form: each field a value or a wildcard.
    Glob {
        domain: Field,
        bus: Field,
        slot: Field,
        function: Field,
    },
    /// Regular expressions, matched at the start of each field as nova
    /// writes it (domain `%04x`, bus and slot `%02x`, function `%x`).
    Regex {
        domain: Regex,
        bus: Regex,
        slot: Regex,
        function: Regex,
        /// Every pattern is hex digits only: one address.
        single: Option<[u32; 4]>,
    },
}

impl AddressSpec {
    /// Whether the address (domain, bus, slot, function) matches.
    pub fn matches(&self, a: [u32; 4]) -> bool {
        match self {
            AddressSpec::Glob {
                domain,
                bus,
                slot,
                function,
            } => [*domain, *bus, *slot, *function]
                .iter()
                .zip(a)
                .all(|(f, v)| f.is_none_or(|f| f == v)),
            AddressSpec::Regex {
                domain,
                bus,
                slot,
                function,
                ..
            } => {
                domain.is_match(&format!("{:04x}", a[0]))
                    && bus.is_match(&format!("{:02x}", a[1]))
                    && slot.is_match(&format!("{:02x}", a[2]))
                    && function.is_match(&format!("{:x}", a[3]))
            }
        }
    }

    /// The one address the spec names, when it names one: then nova also
    /// matches the VFs of that device when it is a PF.
    pub fn single(&self) -> Option<[u32; 4]> {
        match self {
            AddressSpec::Glob {
                domain: Some(d),
                bus: Some(b),
                slot: Some(s),
                function: Some(f),
            } => Some([*d, *b, *s, *f]),
            AddressSpec::Glob { .. } => None,
            AddressSpec::Regex { single, .. } => *single,
        }
    }
}

/// One entry of `device_spec`.
#[derive(Debug, Clone)]
pub struct DeviceSpec {
    /// None: any.
    pub vendor_id: Option<u16>,
    pub product_id: Option<u16>,
    /// None with no devname: any address.
    pub address: Option<AddressSpec>,
    pub devname: Option<String>,
    pub physical_network: Option<String>,
    /// The `managed` tag: false when "no" (the operator keeps the device
    /// off host drivers himself).
    pub managed: bool,
    /// The spec as JSON, for messages.
    pub text: String,
}

fn hex_field(name: &str, v: &str, max: u32) -> Result<Field, String> {
    let t = v.trim();
    if t == "*" {
        return Ok(None);
    }
    let digits = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    let n = u32::from_str_radix(digits, 16)
        .map_err(|_| format!("property {name} ('{v}') does not parse as a hex number."))?;
    if n > max {
        return Err(format!(
            "property {name} ({v}) is greater than the maximum allowable value ({max:X})."
        ));
    }
    Ok(Some(n))
}

fn glob_address(s: &str) -> Result<AddressSpec, String> {
    let (dbs, func) = s.split_once('.').unwrap_or((s, ""));
    let function = if func.is_empty() {
        None
    } else {
        hex_field("func", func, 7)?
    };
    let mut fields: Vec<&str> = dbs.split(':').collect();
    if fields.len() > 3 {
        return Err(format!("The PCI address {s} has an incorrect format."));
    }
    while fields.len() < 3 {
        fields.insert(0, "*");
    }
    let f = |name: &str, v: &str, max: u32| {
        if v.trim().is_empty() {
            Ok(None)
        } else {
            hex_field(name, v, max)
        }
    };
    Ok(AddressSpec::Glob {
        domain: f("domain", fields[0], 0xffff)?,
        bus: f("bus", fields[1], 0xff)?,
        slot: f("slot", fields[2], 0x1f)?,
        function,
    })
}

fn regex_address(m: &serde_json::Map<String, Value>) -> Result<AddressSpec, String> {
    let bad = || {
        format!(
            "The PCI address {} has an incorrect format.",
            Value::Object(m.clone())
        )
    };
    let pat = |k: &str| -> Result<(String, Regex), String> {
        let p = match m.get(k) {
            None => ".*".to_string(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => return Err(bad()),
        };
        let r = Regex::new(&format!("^(?:{p})")).map_err(|_| bad())?;
        Ok((p, r))
    };
    let (d, domain) = pat("domain")?;
    let (b, bus) = pat("bus")?;
    let (s, slot) = pat("slot")?;
    let (f, function) = pat("function")?;
    let hex = |p: &str| {
        (p.chars().all(|c| c.is_ascii_hexdigit()) && !p.is_empty())
            .then(|| u32::from_str_radix(p, 16).ok())
            .flatten()
    };
    let single = match (hex(&d), hex(&b), hex(&s), hex(&f)) {
        (Some(d), Some(b), Some(s), Some(f)) => Some([d, b, s, f]),
        _ => None,
    };
    Ok(AddressSpec::Regex {
        domain,
        bus,
        slot,
        function,
        single,
    })
}

fn one_spec(v: &Value) -> Result<DeviceSpec, String> {
    let Value::Object(m) = v else {
        return Err(format!("Invalid entry: '{v}'; Expecting dict"));
    };
    let string = |k: &str| -> Result<Option<&str>, String> {
        match m.get(k) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(format!("{k} must be a string, not {other}")),
        }
    };
    let id = |k: &str| -> Result<Option<u16>, String> {
        Ok(match string(k)? {
            None => None,
            Some(s) => hex_field(k, s, 0xffff)?.map(|n| n as u16),
        })
    };
    let vendor_id = id("vendor_id")?;
    let product_id = id("product_id")?;
    let devname = string("devname")?.map(str::to_string);
    let address = match m.get("address") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(glob_address(s)?),
        Some(Value::Object(o)) => Some(regex_address(o)?),
        Some(other) => return Err(format!("The PCI address {other} has an incorrect format.")),
    };
    if address.is_some() && devname.is_some() {
        return Err(
            "Invalid PCI Whitelist: The PCI whitelist can specify devname or address, but not both"
                .to_string(),
        );
    }
    let managed = match m.get("managed") {
        Some(Value::String(s)) => !matches!(
            s.trim().to_ascii_lowercase().as_str(),
            "no" | "false" | "0" | "off" | "n" | "f"
        ),
        Some(Value::Bool(b)) => *b,
        _ => true,
    };
    Ok(DeviceSpec {
        vendor_id,
        product_id,
        address,
        devname,
        physical_network: string("physical_network")?.map(str::to_string),
        managed,
        text: v.to_string(),
    })
}

/// The specs of one `device_spec` value: a JSON object or a list of them.
/// The error is in nova's words (PciConfigInvalidSpec's reason).
pub fn parse_device_spec(value: &str) -> Result<Vec<DeviceSpec>, String> {
    let v: Value = serde_json::from_str(value).map_err(|_| format!("Invalid entry: '{value}'"))?;
    match &v {
        Value::Object(_) => Ok(vec![one_spec(&v)?]),
        Value::Array(items) => items.iter().map(one_spec).collect(),
        _ => Err(format!("Invalid entry: '{value}'; Expecting list or dict")),
    }
}

/// One `alias` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    pub name: String,
    /// Four hex digits, lowercased.
    pub vendor_id: Option<String>,
    pub product_id: Option<String>,
    /// "type-PCI", "type-PF" or "type-VF"; None: any type.
    pub device_type: Option<String>,
    pub resource_class: Option<String>,
    pub text: String,
}

/// An alias value, or why nova refuses it (PciInvalidAlias's reason).
pub fn parse_alias(value: &str) -> Result<Alias, String> {
    let v: Value = serde_json::from_str(value).map_err(|e| e.to_string())?;
    let Value::Object(m) = &v else {
        return Err(format!("{v} is not of type 'object'"));
    };
    const KEYS: [&str; 9] = [
        "name",
        "capability_type",
        "product_id",
        "vendor_id",
        "device_type",
        "numa_policy",
        "resource_class",
        "traits",
        "live_migratable",
    ];
    if let Some(k) = m.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!(
            "Additional properties are not allowed ('{k}' was unexpected)"
        ));
    }
    let string = |k: &str| -> Result<Option<String>, String> {
        match m.get(k) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(format!("{other} is not of type 'string'")),
        }
    };
    let name = string("name")?.ok_or("'name' is a required property")?;
    if name.is_empty() {
        return Err("'' should be non-empty".to_string());
    }
    let id = |k: &str| -> Result<Option<String>, String> {
        match string(k)? {
            Some(s) if s.len() == 4 && s.chars().all(|c| c.is_ascii_hexdigit()) => {
                Ok(Some(s.to_ascii_lowercase()))
            }
            Some(s) => Err(format!("'{s}' does not match '^([\\da-fA-F]{{4}})$'")),
            None => Ok(None),
        }
    };
    let device_type = string("device_type")?;
    if let Some(t) = &device_type {
        if !["type-PCI", "type-PF", "type-VF"].contains(&t.as_str()) {
            return Err(format!(
                "'{t}' is not one of ['type-PCI', 'type-PF', 'type-VF']"
            ));
        }
    }
    Ok(Alias {
        name: name.trim().to_string(),
        vendor_id: id("vendor_id")?,
        product_id: id("product_id")?,
        device_type,
        resource_class: string("resource_class")?,
        text: v.to_string(),
    })
}

/// What a bundle keeps of a nova configuration file: the section headers,
/// blank lines, and the `[pci]` section and `[DEFAULT]`'s pci options
/// whole; every other line becomes `#`. Nova's files hold the database,
/// message queue and keystone passwords, which a bundle must not carry;
/// line numbers, and so the FILE:LINE the findings cite, stay the same.
pub fn keep_pci(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut section = String::new();
    let mut keeping = false;
    for line in text.lines() {
        let trimmed = line.trim_end();
        let kept = if trimmed.is_empty() {
            keeping = false;
            true
        } else if trimmed.starts_with([' ', '\t']) {
            keeping
        } else if let Some(rest) = trimmed.strip_prefix('[') {
            keeping = false;
            let name = rest.strip_suffix(']').unwrap_or(rest);
            section = if name == "DEFAULT" {
                name.to_string()
            } else {
                name.to_lowercase()
            };
            true
        } else if trimmed.starts_with(['#', ';']) {
            keeping = false;
            false
        } else {
            let key = trimmed.split(['=', ':']).next().unwrap_or_default().trim();
            keeping = section == "pci"
                || SPEC_KEYS
                    .iter()
                    .chain(ALIAS_KEYS.iter())
                    .any(|&(s, k)| s == section && k == key);
            keeping
        };
        out.push_str(if kept { line } else { "#" });
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests;
