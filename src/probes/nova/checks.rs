//! What is wrong with nova's PCI configuration on this host, and the exact
//! change that fixes it: a spec that matches nothing, an alias no spec
//! serves (the classic one: a type-VF alias and spec on the PF's product
//! id), matched devices that cannot be assigned.

use super::{fields, ids, spec_matches, Dev};
use crate::facts::{NovaAliasFacts, NovaSpecFacts};
use crate::formats::nova_conf::{Alias, DeviceSpec};

/// At most this many devices are named in one sentence.
const NAMED: usize = 4;

fn list(devs: &[&Dev]) -> String {
    let mut names: Vec<String> = devs
        .iter()
        .take(NAMED)
        .map(|d| d.address.to_string())
        .collect();
    if devs.len() > NAMED {
        names.push(format!("and {} more", devs.len() - NAMED));
    }
    names.join(", ")
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

fn id_of(d: &Dev) -> String {
    format!("{}:{}", ids(d.vendor), ids(d.product))
}

/// Why a spec that matches nothing does not, as far as can be told.
fn why_no_match(spec: &DeviceSpec, devs: &[Dev]) -> String {
    if let Some(name) = &spec.devname {
        return format!("there is no network interface {name} on this host");
    }
    let by_ids: Vec<&Dev> = devs
        .iter()
        .filter(|d| {
            spec.vendor_id.is_none_or(|v| Some(v) == d.vendor)
                && spec.product_id.is_none_or(|p| Some(p) == d.product)
        })
        .collect();
    let by_address: Vec<&Dev> = match &spec.address {
        Some(a) => devs
            .iter()
            .filter(|d| a.matches(fields(&d.address)))
            .collect(),
        None => Vec::new(),
    };
    let named_ids = spec.vendor_id.is_some() || spec.product_id.is_some();
    let id_text = format!("{}:{}", ids(spec.vendor_id), ids(spec.product_id));
    match (&spec.address, by_address.first()) {
        (Some(_), None) if named_ids && !by_ids.is_empty() => format!(
            "no device on this host is at an address it matches; the devices with ids {id_text} are at {}",
            list(&by_ids)
        ),
        (Some(_), None) => "no device on this host is at an address it matches".to_string(),
        (Some(_), Some(d)) => format!(
            "its address matches {} ({}), whose ids are not {id_text}",
            list(&by_address),
            id_of(d)
        ),
        (None, _) => format!("no device on this host has ids {id_text}"),
    }
}

fn alias_wants(a: &Alias, d: &Dev) -> bool {
    let id = |want: &Option<String>, have: Option<u16>| {
        want.as_deref()
            .is_none_or(|w| have.is_some_and(|h| format!("{h:04x}") == w))
    };
    a.device_type.as_deref().is_none_or(|t| t == d.dev_type)
        && id(&a.vendor_id, d.vendor)
        && id(&a.product_id, d.product)
}

/// The PF product id an alias or spec names by mistake for VFs, and the
/// VFs' own: (PFs with that id, the VFs' product ids).
fn pf_instead_of_vf(
    devs: &[Dev],
    vendor: Option<u16>,
    product: u16,
) -> Option<(Vec<&Dev>, Vec<u16>)> {
    let pfs: Vec<&Dev> = devs
        .iter()
        .filter(|d| {
            d.dev_type == "type-PF"
                && d.product == Some(product)
                && vendor.is_none_or(|v| d.vendor == Some(v))
        })
        .collect();
    if pfs.is_empty() {
        return None;
    }
    let mut vf_ids: Vec<u16> = devs
        .iter()
        .filter(|d| {
            d.dev_type == "type-VF"
                && pfs
                    .iter()
                    .any(|p| d.pf.as_deref() == Some(&p.address.to_string()))
        })
        .filter_map(|d| d.product)
        .collect();
    vf_ids.sort_unstable();
    vf_ids.dedup();
    Some((pfs, vf_ids))
}

fn check_alias(
    devs: &[Dev],
    specs: &[(NovaSpecFacts, DeviceSpec)],
    f: &mut NovaAliasFacts,
    a: &Alias,
    problems: &mut Vec<String>,
    fixes: &mut Vec<String>,
) {
    let served: Vec<&Dev> = devs
        .iter()
        .filter(|d| alias_wants(a, d) && specs.iter().any(|(_, s)| spec_matches(s, d, devs)))
        .collect();
    f.devices = served.iter().map(|d| d.address.to_string()).collect();
    let kind = a.device_type.as_deref().unwrap_or("any type");
    let head = format!("alias {} ({kind}, {}) at {}", a.name, f.ids, f.source);
    if !served.is_empty() {
        let ok: Vec<&&Dev> = served.iter().filter(|d| d.blocked.is_none()).collect();
        if ok.is_empty() {
            let d = served[0];
            problems.push(format!(
                "{head}: none of the {} its specs match can be assigned: {} ({}{})",
                plural(served.len(), "device"),
                d.address,
                d.blocked.as_deref().unwrap_or_default(),
                if served.len() > 1 {
                    ", and the others alike"
                } else {
                    ""
                }
            ));
            fixes.push(format!(
                "Make the devices of alias {} assignable: `sriov-doctor check -d {}` says what stands in the way.",
                a.name, d.address
            ));
        }
        return;
    }
    let product = a
        .product_id
        .as_deref()
        .and_then(|p| u16::from_str_radix(p, 16).ok());
    let vendor = a
        .vendor_id
        .as_deref()
        .and_then(|v| u16::from_str_radix(v, 16).ok());
    if a.device_type.as_deref() == Some("type-VF") {
        if let Some((pfs, vf_ids)) = product.and_then(|p| pf_instead_of_vf(devs, vendor, p)) {
            let pf_id = format!("{:04x}", product.unwrap_or_default());
            match vf_ids.first() {
                Some(vf) => {
                    problems.push(format!(
                        "{head}: {} is the product id of the PF ({}), not of its VFs ({}): no type-VF device has it",
                        pf_id,
                        list(&pfs),
                        vf_ids.iter().map(|v| format!("{v:04x}")).collect::<Vec<_>>().join(", ")
                    ));
                    let mut fix = format!(
                        "In alias {} set \"product_id\": \"{vf:04x}\" (the VF's) instead of \"{pf_id}\" (the PF's)",
                        a.name
                    );
                    let on_pf: Vec<&str> = specs
                        .iter()
                        .filter(|(_, s)| s.product_id == product)
                        .map(|(f, _)| f.name.as_str())
                        .collect();
                    if !on_pf.is_empty() {
                        fix += &format!(", and the same in {}", on_pf.join(", "));
                    }
                    fixes.push(fix + ".");
                }
                None => {
                    problems.push(format!(
                        "{head}: {pf_id} is the product id of the PF ({}), and it has no VFs now",
                        list(&pfs)
                    ));
                    fixes.push(format!(
                        "Create the VFs of {} (sriov.vfs), then set alias {}'s \"product_id\" to the VF's product id (`cat /sys/bus/pci/devices/VF/device`).",
                        pfs[0].address, a.name
                    ));
                }
            }
            return;
        }
    }
    let on_host: Vec<&Dev> = devs.iter().filter(|d| alias_wants(a, d)).collect();
    if !on_host.is_empty() {
        problems.push(format!(
            "{head}: this host has {} of that type and ids ({}), but no device_spec matches them",
            plural(on_host.len(), "device"),
            list(&on_host)
        ));
        let d = on_host[0];
        fixes.push(format!(
            "Add `device_spec = {{\"vendor_id\": \"{}\", \"product_id\": \"{}\"}}` under [pci] (or widen the device_spec that should match {}).",
            ids(d.vendor),
            ids(d.product),
            d.address
        ));
        return;
    }
    let other_type: Vec<&Dev> = devs
        .iter()
        .filter(|d| {
            a.vendor_id.is_none() || ids(d.vendor) == a.vendor_id.as_deref().unwrap_or_default()
        })
        .filter(|d| {
            a.product_id.is_none() || ids(d.product) == a.product_id.as_deref().unwrap_or_default()
        })
        .collect();
    match other_type.first() {
        Some(d) => {
            problems.push(format!(
                "{head}: the devices with ids {} ({}) are {}, not {kind}",
                f.ids,
                list(&other_type),
                d.dev_type
            ));
            fixes.push(format!(
                "In alias {} set \"device_type\": \"{}\".",
                a.name, d.dev_type
            ));
        }
        None => {
            problems.push(format!("{head}: no device on this host has ids {}", f.ids));
            fixes.push(format!(
                "Correct alias {}'s vendor_id and product_id (`lspci -nn` shows the ids), or remove it from this node.",
                a.name
            ));
        }
    }
}

/// Adds the problems and fixes; returns the summary (what each spec
/// matches, what each alias can get).
pub(super) fn check(
    devs: &[Dev],
    specs: &[(NovaSpecFacts, DeviceSpec)],
    aliases: &mut [(NovaAliasFacts, Alias)],
    problems: &mut Vec<String>,
    fixes: &mut Vec<String>,
) -> Vec<String> {
    let mut summary = Vec::new();
    for (f, s) in specs {
        if f.matches.is_empty() {
            problems.push(format!(
                "{} {} at {} matches no device: {}",
                f.name,
                f.spec,
                f.source,
                why_no_match(s, devs)
            ));
            fixes.push(format!(
                "Correct {} at {} to name devices this host has (`lspci -nn -D` shows ids and addresses; for VFs, the VF's product id or the PF's address or devname), or remove it.",
                f.name, f.source
            ));
            continue;
        }
        let mut kinds = Vec::new();
        for (n, t) in [(f.vfs, "VF"), (f.pfs, "PF"), (f.others, "other device")] {
            if n > 0 {
                kinds.push(plural(n, t));
            }
        }
        summary.push(format!("{} matches {}", f.name, kinds.join(", ")));
        let matched: Vec<&Dev> = devs
            .iter()
            .filter(|d| f.matches.contains(&d.address.to_string()) && d.dev_type == "type-VF")
            .collect();
        let unmanaged: Vec<&&Dev> = matched
            .iter()
            .filter(|d| !s.managed && d.host_driver.is_some())
            .collect();
        if let Some(d) = unmanaged.first() {
            problems.push(format!(
                "{} at {} says \"managed\": \"no\", but {} is on the host driver {}: nova will not detach it, and the guest fails to start",
                f.name,
                f.source,
                list(&unmanaged.iter().map(|d| **d).collect::<Vec<_>>()),
                d.host_driver.as_deref().unwrap_or_default()
            ));
            fixes.push(format!(
                "Bind the VFs of {} to vfio-pci before nova uses them (`driverctl set-override {} vfio-pci`), or drop \"managed\": \"no\" from it.",
                f.name, d.address
            ));
        }
        let blocked: Vec<&&Dev> = matched.iter().filter(|d| d.blocked.is_some()).collect();
        if let Some(d) = blocked.first() {
            problems.push(format!(
                "{} at {} matches {} that cannot be assigned: {}: {}{}",
                f.name,
                f.source,
                plural(blocked.len(), "VF"),
                d.address,
                d.blocked.as_deref().unwrap_or_default(),
                if blocked.len() > 1 {
                    " (and the others alike)"
                } else {
                    ""
                }
            ));
            fixes.push(format!(
                "Make them assignable: `sriov-doctor check -d {}` says what stands in the way (kernel.iommu, iommu.group).",
                d.address
            ));
        }
    }
    for (f, a) in aliases.iter_mut() {
        if a.vendor_id.is_none() || a.product_id.is_none() {
            if a.resource_class.is_none() {
                problems.push(format!(
                    "alias {} at {}: \"Invalid PCI alias definition: The PCI alias(es) {} does not have vendor_id and product_id fields set.\"",
                    a.name, f.source, a.name
                ));
                fixes.push(format!(
                    "Give alias {} both \"vendor_id\" and \"product_id\".",
                    a.name
                ));
                continue;
            }
            summary.push(format!(
                "alias {} asks for resource class {} (placement decides; not checked here)",
                a.name,
                a.resource_class.as_deref().unwrap_or_default()
            ));
            continue;
        }
        if specs.is_empty() {
            continue;
        }
        check_alias(devs, specs, f, a, problems, fixes);
        if !f.devices.is_empty() {
            summary.push(format!(
                "alias {} ({}) can get {}",
                a.name,
                a.device_type.as_deref().unwrap_or("any type"),
                plural(f.devices.len(), "device")
            ));
        }
    }
    summary
}
