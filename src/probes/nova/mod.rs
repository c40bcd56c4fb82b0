//! OpenStack Nova's PCI passthrough configuration against the host: which
//! devices each `[pci] device_spec` matches, which of them each `alias` can
//! get, and whether they can be assigned; matched as nova-compute matches
//! them (nova/pci/devspec.py, nova/pci/request.py, nova 33.0).
//!
//! Nova's device types: a device with a `physfn` link is type-VF, one with
//! `sriov_totalvfs` above 0 type-PF, any other type-PCI. A spec whose
//! address (or `devname`) names one PF matches that PF and its VFs; ids are
//! compared with the device's own, so a spec on the PF's product id never
//! matches its VFs. Devices that --device left unread are read here.

use crate::address::PciAddress;
use crate::facts::{DeviceFacts, DeviceKind, Known, NovaAliasFacts, NovaFacts, NovaSpecFacts};
use crate::formats::nova_conf::{self, Alias, DeviceSpec, Entry};
use crate::hostfs::HostFs;

mod checks;
#[cfg(test)]
mod tests;

const CONF: &str = "/etc/nova/nova.conf";
/// Debian's and Ubuntu's nova-compute unit reads it after nova.conf.
const COMPUTE_CONF: &str = "/etc/nova/nova-compute.conf";
/// oslo.config's default config dir for the project: its *.conf files are
/// read after the config files, in name order.
const CONF_D: &str = "/etc/nova/nova.conf.d";
const COMPUTE_BIN: &str = "/usr/bin/nova-compute";

/// A device as nova sees it.
pub(super) struct Dev {
    pub(super) address: PciAddress,
    pub(super) vendor: Option<u16>,
    pub(super) product: Option<u16>,
    /// "type-VF", "type-PF" or "type-PCI".
    pub(super) dev_type: &'static str,
    pub(super) pf: Option<String>,
    pub(super) netdevs: Vec<String>,
    /// Why it cannot be assigned, when it cannot.
    pub(super) blocked: Option<String>,
    /// On a host driver.
    pub(super) host_driver: Option<String>,
}

fn hex(s: &str) -> Option<u16> {
    u16::from_str_radix(s.trim().trim_start_matches("0x"), 16).ok()
}

pub(super) fn fields(a: &PciAddress) -> [u32; 4] {
    [a.domain, a.bus as u32, a.device as u32, a.function as u32]
}

/// The device as nova sees it, from its facts, or read here when --device
/// left it unread.
fn view(fs: &dyn HostFs, d: &DeviceFacts) -> Dev {
    let dir = format!("/sys/bus/pci/devices/{}", d.address);
    let id = |k: &Known<String>, file: &str| match k {
        Known::Value(v) => hex(v),
        Known::Unknown(_) => fs
            .read_text(&format!("{dir}/{file}"))
            .ok()
            .and_then(|v| hex(&v)),
    };
    let pf = d.pf.clone().or_else(|| {
        fs.read_link(&format!("{dir}/physfn"))
            .ok()
            .map(|t| t.rsplit('/').next().unwrap_or_default().to_string())
    });
    let total = d
        .sriov
        .as_ref()
        .and_then(|s| s.totalvfs.value().copied())
        .or_else(|| {
            fs.read_text(&format!("{dir}/sriov_totalvfs"))
                .ok()
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0);
    let dev_type = if pf.is_some() {
        "type-VF"
    } else if total > 0 || (d.kind == DeviceKind::Pf && d.sriov.is_none()) {
        "type-PF"
    } else {
        "type-PCI"
    };
    let blocked = match (&d.iommu_group, d.group.value()) {
        (Known::Value(None), _) => Some("it has no IOMMU group (the IOMMU is off)".to_string()),
        (_, Some(g)) if !g.blockers.is_empty() => Some(format!(
            "its IOMMU group {} also holds {}",
            g.id,
            g.blockers
                .iter()
                .map(|b| format!("{b:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        _ => None,
    };
    let host_driver = match (d.driver_role.value(), d.driver.value()) {
        (Some(crate::facts::DriverRole::Host), Some(Some(name))) => Some(name.clone()),
        _ => None,
    };
    Dev {
        address: d.address,
        vendor: id(&d.vendor, "vendor"),
        product: id(&d.device, "device"),
        dev_type,
        pf,
        // --device leaves a device unrelated to its targets unread: its
        // interfaces are read here, for devname specs.
        netdevs: match d.vendor {
            Known::Value(_) => d.netdevs.clone(),
            Known::Unknown(_) => fs.list_dir(&format!("{dir}/net")).unwrap_or_default(),
        },
        blocked,
        host_driver,
    }
}

/// Whether nova-compute would match the device with the spec.
pub(super) fn spec_matches(spec: &DeviceSpec, dev: &Dev, devs: &[Dev]) -> bool {
    if spec.vendor_id.is_some_and(|v| Some(v) != dev.vendor)
        || spec.product_id.is_some_and(|p| Some(p) != dev.product)
    {
        return false;
    }
    let parent = dev
        .pf
        .as_deref()
        .and_then(|p| PciAddress::parse(p).ok())
        .map(|(a, _)| a);
    let is_pf = |a: [u32; 4]| {
        devs.iter()
            .any(|d| fields(&d.address) == a && d.dev_type == "type-PF")
    };
    if let Some(name) = &spec.devname {
        // utils.get_function_by_ifname: the netdev's device, a PF when it
        // has VFs to offer; a PF's spec also matches its VFs.
        let Some(owner) = devs.iter().find(|d| d.netdevs.iter().any(|n| n == name)) else {
            return false;
        };
        return owner.address == dev.address
            || (owner.dev_type == "type-PF" && parent == Some(owner.address));
    }
    let Some(addr) = &spec.address else {
        return true;
    };
    let pf_mode = addr.single().is_some_and(is_pf);
    (pf_mode && parent.is_some_and(|p| addr.matches(fields(&p))))
        || addr.matches(fields(&dev.address))
}

/// Every value of the option's names, in file order, with FILE:LINE.
fn values<'a>(
    files: &'a [(String, Vec<Entry>)],
    names: &[(&str, &str)],
) -> Vec<(String, &'a str, String)> {
    let mut out = Vec::new();
    for (path, entries) in files {
        for &(section, key) in names {
            for e in entries
                .iter()
                .filter(|e| e.section == section && e.key == key)
            {
                out.push((
                    key.to_string(),
                    e.value.as_str(),
                    format!("{path}:{}", e.line),
                ));
            }
        }
    }
    out
}

pub(super) fn ids(v: Option<u16>) -> String {
    v.map(|v| format!("{v:04x}")).unwrap_or_else(|| "*".into())
}

/// Reads nova's configuration and matches it against the devices.
pub fn probe(fs: &dyn HostFs, devices: &[DeviceFacts]) -> Known<NovaFacts> {
    match fs.exists(CONF) {
        Ok(false) => return Known::Value(NovaFacts::default()),
        Err(e) => return Known::unknown(e.to_string()),
        Ok(true) => {}
    }
    let mut paths = vec![CONF.to_string()];
    if fs.exists(COMPUTE_CONF).unwrap_or(false) {
        paths.push(COMPUTE_CONF.to_string());
    }
    if let Ok(names) = fs.list_dir(CONF_D) {
        paths.extend(
            names
                .into_iter()
                .filter(|n| n.ends_with(".conf"))
                .map(|n| format!("{CONF_D}/{n}")),
        );
    }
    let mut problems = Vec::new();
    let mut fixes = Vec::new();
    let mut files = Vec::new();
    let mut read = Vec::new();
    for p in &paths {
        let text = match fs.read(p) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) if p == CONF => return Known::unknown(e.to_string()),
            Err(e) => {
                problems.push(format!("{p} cannot be read: {e}"));
                continue;
            }
        };
        read.push(p.clone());
        match nova_conf::parse_ini(&text) {
            Ok(entries) => files.push((p.clone(), entries)),
            Err(e) => {
                problems.push(format!(
                    "{p} does not parse ({e}): nova services refuse to start"
                ));
                fixes.push(format!(
                    "Correct {p} {e}: a [section] line first, then `key = value` lines, a value's continuation lines indented."
                ));
            }
        }
    }
    let devs: Vec<Dev> = devices.iter().map(|d| view(fs, d)).collect();
    let mut specs: Vec<(NovaSpecFacts, DeviceSpec)> = Vec::new();
    for (key, value, source) in values(&files, &nova_conf::SPEC_KEYS) {
        match nova_conf::parse_device_spec(value) {
            Ok(list) => {
                for s in list {
                    let matched: Vec<&Dev> =
                        devs.iter().filter(|d| spec_matches(&s, d, &devs)).collect();
                    let count = |t: &str| matched.iter().filter(|d| d.dev_type == t).count();
                    let f = NovaSpecFacts {
                        name: format!("{key} #{}", specs.len() + 1),
                        source: source.clone(),
                        spec: s.text.clone(),
                        matches: matched.iter().map(|d| d.address.to_string()).collect(),
                        vfs: count("type-VF"),
                        pfs: count("type-PF"),
                        others: count("type-PCI"),
                    };
                    specs.push((f, s));
                }
            }
            Err(reason) => {
                problems.push(format!(
                    "{key} at {source} is invalid: \"Invalid [pci]device_spec config: {reason}\": nova-compute refuses to start"
                ));
                fixes.push(format!("Correct the {key} value at {source} (it must be a JSON object or a list of objects; see the reason)."));
            }
        }
    }
    let mut aliases: Vec<(NovaAliasFacts, Alias)> = Vec::new();
    for (key, value, source) in values(&files, &nova_conf::ALIAS_KEYS) {
        match nova_conf::parse_alias(value) {
            Ok(a) => aliases.push((
                NovaAliasFacts {
                    name: a.name.clone(),
                    source,
                    device_type: a.device_type.clone(),
                    ids: format!(
                        "{}:{}",
                        a.vendor_id.as_deref().unwrap_or("*"),
                        a.product_id.as_deref().unwrap_or("*")
                    ),
                    devices: Vec::new(),
                },
                a,
            )),
            Err(reason) => {
                problems.push(format!(
                    "{key} at {source} is invalid: \"Invalid PCI alias definition: {reason}\": flavors that use it fail"
                ));
                fixes.push(format!("Correct the {key} value at {source}: one JSON object per alias line (repeat `alias =` for more)."));
            }
        }
    }
    let summary = checks::check(&devs, &specs, &mut aliases, &mut problems, &mut fixes);
    let compute = fs.exists(COMPUTE_BIN).unwrap_or(false);
    if specs.is_empty() && !aliases.is_empty() && compute {
        problems.push(format!(
            "this is a compute node (nova-compute is installed) and no [pci] device_spec is set: no device can be given for alias {}",
            aliases[0].0.name
        ));
        fixes.push("Add a [pci] device_spec that matches the devices the aliases ask for (for VFs: the VF's vendor_id and product_id, or the PF's address or devname).".into());
    }
    Known::Value(NovaFacts {
        present: true,
        files: read,
        compute,
        specs: specs.into_iter().map(|(f, _)| f).collect(),
        aliases: aliases.into_iter().map(|(f, _)| f).collect(),
        problems,
        fixes,
        summary,
    })
}
