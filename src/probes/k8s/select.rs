//! Which devices each resource of the SR-IOV network device plugin's
//! configuration gets, by the plugin's own semantics (v3.11.0:
//! cmd/sriovdp/manager.go, pkg/netdevice/netDeviceProvider.go,
//! pkg/resources/deviceSelectors.go):
//!
//! - offered: PCI class 0x02 for netDevice, 0x12 for accelerator; for
//!   netDevice not a PF with VFs (sriov_numvfs > 0) and not a device whose
//!   interface carries the default route; a device bound to no driver fails
//!   to be created and is in no pool;
//! - within one selector object every non-empty list must match (AND);
//!   vendors, devices, drivers, pciAddresses, acpiIndexes, linkTypes exactly,
//!   pfNames and rootDevices by name (any case) and `#` VF ranges; the
//!   objects of a list add up (OR);
//! - a device goes to the first resource (and selector) that selects it.

use std::collections::BTreeMap;

use super::cand::Cand;
use super::why::{explain_empty, quoted};
use crate::facts::{K8sDevice, K8sFacts, K8sResource};
use crate::formats::pcidp_config::{index_selected, item_name, Resource, Selector};

/// The selector stages in the plugin's order: (key, values, value of a device).
type Stage<'a> = (&'static str, &'a [String], fn(&Cand) -> String);

fn stages(s: &Selector, net: bool) -> Vec<Stage<'_>> {
    let mut v: Vec<Stage<'_>> = vec![
        ("vendors", &s.vendors, |c| c.vendor.clone()),
        ("devices", &s.devices, |c| c.device.clone()),
        ("drivers", &s.drivers, |c| {
            c.driver.clone().unwrap_or_default()
        }),
        ("pciAddresses", &s.pci_addresses, |c| c.addr.clone()),
    ];
    if net {
        v.push(("acpiIndexes", &s.acpi_indexes, |c| c.acpi_index.clone()));
        v.push(("pfNames", &s.pf_names, |c| c.pf_name.clone()));
        v.push(("rootDevices", &s.root_devices, |c| c.pf_addr.clone()));
        v.push(("linkTypes", &s.link_types, |c| c.link_type.clone()));
    }
    v
}

fn matches(key: &str, values: &[String], c: &Cand, get: fn(&Cand) -> String) -> bool {
    let mine = get(c);
    match key {
        "pfNames" | "rootDevices" => {
            !mine.is_empty()
                && values
                    .iter()
                    .find(|i| item_name(i).eq_ignore_ascii_case(&mine))
                    .is_some_and(|i| index_selected(i, c.vf_index))
        }
        _ => values.contains(&mine),
    }
}

/// Why the plugin does not offer `c` to a resource of this type, if it does not.
fn not_offered(c: &Cand, device_type: &str) -> Option<String> {
    let class = if device_type == "accelerator" {
        0x12
    } else {
        0x02
    };
    if c.class != Some(class) {
        return Some(format!("not of PCI class {class:02x}"));
    }
    if device_type == "netDevice" {
        if c.pf_with_vfs {
            return Some("a PF with VFs is not offered".into());
        }
        if let Some(i) = &c.default_route {
            return Some(format!("its interface {i} carries the default route"));
        }
    }
    if c.driver.is_none() {
        return Some("bound to no driver".into());
    }
    None
}

/// One selector object: the devices it keeps, and (when none) why with the fix.
struct Outcome {
    kept: Vec<usize>,
    why: Option<(String, Option<String>)>,
}

fn run_selector(
    s: &Selector,
    dt: &str,
    cands: &[Cand],
    why_not: &mut [Vec<String>],
    res: &str,
    tag: &str,
) -> Outcome {
    let offered: Vec<usize> = (0..cands.len())
        .filter(|&i| not_offered(&cands[i], dt).is_none())
        .collect();
    for (i, c) in cands.iter().enumerate() {
        if let Some(w) = not_offered(c, dt) {
            if c.is_vf {
                why_not[i].push(format!("{res}{tag}: {w}"));
            }
        }
    }
    if offered.is_empty() {
        let pfs = cands.iter().filter(|c| c.pf_with_vfs).count();
        let vfs = cands.iter().filter(|c| c.is_vf).count();
        return Outcome {
            kept: offered,
            why: Some((
                format!("the plugin offers it no {dt}: this host has {vfs} VFs and {pfs} PFs with VFs, and a PF with VFs is not offered"),
                None,
            )),
        };
    }
    let mut left = offered;
    for (key, values, get) in stages(s, dt != "accelerator") {
        if values.is_empty() {
            continue;
        }
        let (keep, drop): (Vec<usize>, Vec<usize>) = left
            .iter()
            .partition(|&&i| matches(key, values, &cands[i], get));
        for &i in &drop {
            let c = &cands[i];
            let v = get(c);
            let have = if v.is_empty() { "none".to_string() } else { v };
            let idx = if key == "pfNames" && c.vf_index >= 0 {
                format!(", VF {}", c.vf_index)
            } else {
                String::new()
            };
            why_not[i].push(format!(
                "{res}{tag}: \"{key}\": {} (it has {have}{idx})",
                quoted(values)
            ));
        }
        if keep.is_empty() {
            let why = explain_empty(key, values, &drop, cands, get);
            return Outcome {
                kept: keep,
                why: Some(why),
            };
        }
        left = keep;
    }
    Outcome {
        kept: left,
        why: None,
    }
}

fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The plugin's view of `resources` on a host with `cands`.
pub fn evaluate(path: &str, resources: &[Resource], cands: &[Cand]) -> K8sFacts {
    let mut f = K8sFacts {
        config_present: true,
        path: path.to_string(),
        ..K8sFacts::default()
    };
    // What makes the plugin exit: validConfigs and readConfig.
    let mut seen: Vec<String> = Vec::new();
    for r in resources {
        let full = r.full_name();
        if !crate::formats::pcidp_config::DEVICE_TYPES.contains(&r.device_type.as_str()) {
            f.failures.push(format!(
                "{path}: unsupported deviceType \"{}\" in resource {:?}: the plugin exits",
                r.device_type, r.name
            ));
        } else if r.selectors.is_ok() && !valid_name(&r.name) {
            f.failures.push(format!("{path}: resource name {:?} contains invalid characters (letters, digits, _ and - only): the plugin exits", r.name));
        } else if r.selectors.is_ok() && seen.contains(&full) {
            f.failures.push(format!(
                "{path}: resource name {full:?} is there twice: the plugin exits"
            ));
        }
        if let Ok(s) = &r.selectors {
            if s.iter().any(|s| s.is_rdma && !s.vdpa_type.is_empty()) {
                f.failures.push(format!(
                    "{full}: isRdma and vdpaType together are invalid: the plugin exits"
                ));
            }
        }
        seen.push(full);
    }
    if !f.failures.is_empty() {
        f.fixes.push(format!(
            "Correct {path} (the plugin's ConfigMap) as said above."
        ));
        return f;
    }
    let mut taken: BTreeMap<usize, String> = BTreeMap::new();
    let mut why_not: Vec<Vec<String>> = vec![Vec::new(); cands.len()];
    for r in resources {
        let full = r.full_name();
        let selectors = match &r.selectors {
            Ok(s) => s,
            Err(e) => {
                f.failures.push(format!("{full}: the plugin skips it: {e}"));
                f.fixes.push(format!("Give {full} \"selectors\" as an object (or a list of objects) of lists of strings, e.g. {{\"vendors\": [\"8086\"], \"drivers\": [\"vfio-pci\"]}}."));
                continue;
            }
        };
        for s in selectors.iter().filter(|s| !s.ignored.is_empty()) {
            f.notes.push(format!(
                "{full}: the plugin ignores {}",
                s.ignored.join(", ")
            ));
        }
        for (k, on) in selectors.iter().flat_map(|s| {
            [
                ("ddpProfiles", !s.ddp_profiles.is_empty()),
                ("pKeys", !s.pkeys.is_empty()),
                ("vdpaType", !s.vdpa_type.is_empty()),
            ]
        }) {
            if on {
                f.notes.push(format!(
                    "{full}: \"{k}\" is not checked here (counted as matching)"
                ));
            }
        }
        let checked = r.device_type != "auxNetDevice";
        let mut res = K8sResource {
            name: full.clone(),
            device_type: r.device_type.clone(),
            selectors: selectors.iter().map(|s| s.text.clone()).collect(),
            devices: Vec::new(),
            vfs: 0,
            checked,
        };
        if !checked {
            f.notes.push(format!(
                "{full}: auxNetDevice resources (subfunctions) are not checked here"
            ));
            f.resources.push(res);
            continue;
        }
        let mut whys: Vec<(String, Option<String>)> = Vec::new();
        for (n, s) in selectors.iter().enumerate() {
            let tag = if selectors.len() > 1 {
                format!(" selectors[{n}]")
            } else {
                String::new()
            };
            let mut o = run_selector(s, &r.device_type, cands, &mut why_not, &full, &tag);
            if s.is_rdma {
                o.kept.retain(|&i| cands[i].rdma);
                if o.kept.is_empty() && o.why.is_none() {
                    o.why = Some(("\"isRdma\": true, and none of the devices the other selectors leave has an RDMA device".into(), None));
                }
            }
            let before = o.kept.len();
            let mut owners: Vec<String> = Vec::new();
            for &i in &o.kept {
                match taken.get(&i) {
                    Some(owner) => {
                        if cands[i].is_vf {
                            why_not[i].push(format!("{full}{tag}: taken first by {owner}"));
                        }
                        if !owners.contains(owner) {
                            owners.push(owner.clone());
                        }
                    }
                    None => {
                        taken.insert(i, full.clone());
                        res.devices.push(cands[i].addr.clone());
                        res.vfs += usize::from(cands[i].is_vf);
                    }
                }
            }
            if let Some(w) = o.why {
                whys.push(w);
            } else if before > 0 && res.devices.is_empty() {
                whys.push((format!("the {before} devices it selects are taken by {} listed before it (a device goes to the first resource that selects it)", owners.join(", ")), None));
            }
        }
        if res.devices.is_empty() {
            let text: Vec<String> = whys
                .iter()
                .enumerate()
                .map(|(n, (w, _))| {
                    if whys.len() > 1 {
                        format!("selectors[{n}]: {w}")
                    } else {
                        w.clone()
                    }
                })
                .collect();
            f.failures
                .push(format!("{full} gets no device: {}", text.join("; ")));
            let fixes: Vec<String> = whys.iter().filter_map(|(_, x)| x.clone()).collect();
            if !fixes.is_empty() {
                f.fixes.push(format!(
                    "In {full}'s selectors set {}.",
                    fixes.join(" and ")
                ));
            }
        }
        let others = res.devices.len() - res.vfs;
        f.summary.push(format!(
            "{full}: {} VF{}{}",
            res.vfs,
            if res.vfs == 1 { "" } else { "s" },
            if others > 0 {
                format!(" and {others} other devices")
            } else {
                String::new()
            }
        ));
        f.resources.push(res);
    }
    for (i, c) in cands.iter().enumerate() {
        let resource = taken.get(&i).cloned();
        if c.is_vf || resource.is_some() {
            f.devices.push(K8sDevice {
                address: c.addr.clone(),
                why_not: if resource.is_some() {
                    Vec::new()
                } else {
                    std::mem::take(&mut why_not[i])
                },
                resource,
            });
        }
    }
    if f.resources.is_empty() && f.failures.is_empty() {
        f.failures.push(format!("{path} lists no resource"));
    }
    f
}
