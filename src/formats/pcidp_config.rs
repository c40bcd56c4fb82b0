//! The SR-IOV network device plugin's configuration, `config.json` (the
//! plugin's `--config-file`, by default /etc/pcidp/config.json, where its
//! DaemonSet mounts the `sriovdp-config` ConfigMap).
//!
//! Read as the plugin reads it (k8snetworkplumbingwg/sriov-network-device-plugin
//! v3.11.0 and master of June 2026: pkg/types/types.go, pkg/factory/factory.go,
//! cmd/sriovdp/manager.go): `{"resourceList": [ResourceConfig, …]}`. Go's
//! encoding/json matches keys case-insensitively and ignores unknown ones;
//! a value of the wrong type anywhere outside `selectors` makes the whole
//! file fail (the plugin exits). `selectors` is kept raw and read per
//! resource as one object or, failing that, a list of objects; a resource
//! whose selectors read as neither is skipped with a warning.

use serde_json::{Map, Value};

/// The plugin's device types (types.SupportedDevices); "" means netDevice.
pub const DEVICE_TYPES: [&str; 3] = ["netDevice", "accelerator", "auxNetDevice"];

/// One `resourceList` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    pub name: String,
    /// `resourcePrefix`: overrides the plugin's `--resource-prefix`
    /// (default `intel.com`).
    pub prefix: Option<String>,
    /// `deviceType`, "netDevice" when absent or empty.
    pub device_type: String,
    pub exclude_topology: bool,
    /// The selector objects, or why the plugin skips the resource.
    pub selectors: Result<Vec<Selector>, String>,
}

impl Resource {
    /// The name Kubernetes sees: PREFIX/NAME.
    pub fn full_name(&self) -> String {
        format!(
            "{}/{}",
            self.prefix.as_deref().unwrap_or("intel.com"),
            self.name
        )
    }
}

/// One selector object: its lists are ANDed, an empty list selects all.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selector {
    pub vendors: Vec<String>,
    pub devices: Vec<String>,
    pub drivers: Vec<String>,
    pub pci_addresses: Vec<String>,
    pub acpi_indexes: Vec<String>,
    pub pf_names: Vec<String>,
    pub root_devices: Vec<String>,
    pub link_types: Vec<String>,
    pub ddp_profiles: Vec<String>,
    pub pkeys: Vec<String>,
    pub aux_types: Vec<String>,
    pub is_rdma: bool,
    pub need_vhost_net: bool,
    pub vdpa_type: String,
    /// Keys the plugin ignores (a typo such as "vendor" selects more than meant).
    pub ignored: Vec<String>,
    /// The object as written, compact.
    pub text: String,
}

/// The file: its resources, or why the plugin refuses it.
pub fn parse(text: &str) -> Result<Vec<Resource>, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let top = v
        .as_object()
        .ok_or("the top level is not a JSON object with \"resourceList\"")?;
    let list = match get(top, "resourceList") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(_) => return Err("\"resourceList\" is not a list".into()),
    };
    let mut out = Vec::new();
    for (i, r) in list.iter().enumerate() {
        let o = match r {
            Value::Object(o) => o,
            Value::Null => continue,
            _ => return Err(format!("resourceList[{i}] is not an object")),
        };
        let field = |k: &str| -> Result<Option<String>, String> {
            match get(o, k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(format!("resourceList[{i}].{k} is not a string")),
            }
        };
        let name = field("resourceName")?.unwrap_or_default();
        let prefix = field("resourcePrefix")?.filter(|p| !p.is_empty());
        let device_type = field("deviceType")?
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "netDevice".into());
        let exclude_topology = match get(o, "excludeTopology") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(format!(
                    "resourceList[{i}].excludeTopology is not a boolean"
                ))
            }
        };
        let selectors = match get(o, "selectors") {
            None | Some(Value::Null) => Err("it has no \"selectors\"".to_string()),
            Some(s) => selector_objects(s),
        };
        out.push(Resource {
            name,
            prefix,
            device_type,
            exclude_topology,
            selectors,
        });
    }
    Ok(out)
}

/// Go's encoding/json: an exact key first, else one equal ignoring case.
fn get<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    o.get(key).or_else(|| {
        o.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// `selectors`: one object, or a non-empty list of objects.
fn selector_objects(v: &Value) -> Result<Vec<Selector>, String> {
    match v {
        Value::Object(o) => Ok(vec![selector(o)?]),
        Value::Array(a) if a.is_empty() => Err("need at least one selector, got 0".into()),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, s)| match s {
                Value::Object(o) => selector(o).map_err(|e| format!("selectors[{i}]: {e}")),
                Value::Null => Ok(Selector {
                    text: "null".into(),
                    ..Selector::default()
                }),
                _ => Err(format!("selectors[{i}] is not an object")),
            })
            .collect(),
        _ => Err("\"selectors\" is neither an object nor a list of objects".into()),
    }
}

const LISTS: [&str; 11] = [
    "vendors",
    "devices",
    "drivers",
    "pciAddresses",
    "acpiIndexes",
    "pfNames",
    "rootDevices",
    "linkTypes",
    "ddpProfiles",
    "pKeys",
    "auxTypes",
];

fn selector(o: &Map<String, Value>) -> Result<Selector, String> {
    let mut s = Selector {
        text: serde_json::to_string(o).unwrap_or_default(),
        ..Selector::default()
    };
    for (k, v) in o {
        let known = LISTS
            .iter()
            .chain(["isRdma", "needVhostNet", "vdpaType"].iter())
            .find(|n| n.eq_ignore_ascii_case(k));
        let Some(&key) = known else {
            s.ignored.push(k.clone());
            continue;
        };
        if LISTS.contains(&key) {
            let list = match v {
                Value::Null => Vec::new(),
                Value::Array(a) => a
                    .iter()
                    .map(|x| match x {
                        Value::String(t) => Ok(t.clone()),
                        _ => Err(format!("\"{k}\" must be a list of strings")),
                    })
                    .collect::<Result<Vec<_>, _>>()?,
                _ => return Err(format!("\"{k}\" must be a list of strings, as [\"…\"]")),
            };
            let slot = match key {
                "vendors" => &mut s.vendors,
                "devices" => &mut s.devices,
                "drivers" => &mut s.drivers,
                "pciAddresses" => &mut s.pci_addresses,
                "acpiIndexes" => &mut s.acpi_indexes,
                "pfNames" => &mut s.pf_names,
                "rootDevices" => &mut s.root_devices,
                "linkTypes" => &mut s.link_types,
                "ddpProfiles" => &mut s.ddp_profiles,
                "pKeys" => &mut s.pkeys,
                _ => &mut s.aux_types,
            };
            *slot = list;
        } else if key == "vdpaType" {
            match v {
                Value::Null => {}
                Value::String(t) => s.vdpa_type = t.clone(),
                _ => return Err("\"vdpaType\" must be a string".into()),
            }
        } else {
            let b = match v {
                Value::Null => false,
                Value::Bool(b) => *b,
                _ => return Err(format!("\"{k}\" must be true or false")),
            };
            if key == "isRdma" {
                s.is_rdma = b;
            } else {
                s.need_vhost_net = b;
            }
        }
    }
    Ok(s)
}

/// Whether VF `index` is selected by a pfNames or rootDevices item
/// (`ens1f0`, `ens1f0#0-3`, `ens1f0#2,4-5`), as the plugin's isSelected: no
/// `#` selects every function; a malformed item selects none.
pub fn index_selected(item: &str, index: i64) -> bool {
    let Some((_, ranges)) = item.split_once('#') else {
        return true;
    };
    if ranges.contains('#') {
        return false;
    }
    for entry in ranges.split(',') {
        let hit = match entry.split_once('-') {
            Some((a, b)) if !b.contains('-') => match (atoi(a), atoi(b)) {
                (Some(a), Some(b)) => index >= a && index <= b,
                _ => return false,
            },
            Some(_) => return false,
            None => match atoi(entry) {
                Some(n) => index == n,
                None => return false,
            },
        };
        if hit {
            return true;
        }
    }
    false
}

/// The part of a pfNames or rootDevices item before `#`.
pub fn item_name(item: &str) -> &str {
    item.split('#').next().unwrap_or(item)
}

/// Go's strconv.Atoi: an optional sign and decimal digits.
fn atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape of the plugin's deployments/configMap.yaml.
    const UPSTREAM: &str = r#"{
        "resourceList": [{
                "resourceName": "intel_sriov_netdevice",
                "selectors": {
                    "vendors": ["8086"],
                    "devices": ["154c", "10ed", "1889"],
                    "drivers": ["i40evf", "iavf", "ixgbevf"]
                }
            },
            {
                "resourceName": "intel_sriov_dpdk",
                "selectors": {
                    "vendors": ["8086"],
                    "devices": ["154c", "10ed", "1889"],
                    "drivers": ["vfio-pci"],
                    "pfNames": ["enp0s0f0","enp2s2f1"]
                }
            },
            {
                "resourceName": "mlnx_sriov_rdma",
                "selectors": {
                    "vendors": ["15b3"],
                    "devices": ["1018"],
                    "drivers": ["mlx5_ib"],
                    "isRdma": true
                }
            }
        ]
    }"#;

    #[test]
    fn reads_the_upstream_config_map() {
        let r = parse(UPSTREAM).unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].full_name(), "intel.com/intel_sriov_netdevice");
        assert_eq!(r[0].device_type, "netDevice");
        let s = &r[1].selectors.as_ref().unwrap()[0];
        assert_eq!(s.drivers, ["vfio-pci"]);
        assert_eq!(s.pf_names, ["enp0s0f0", "enp2s2f1"]);
        assert!(r[2].selectors.as_ref().unwrap()[0].is_rdma);
    }

    #[test]
    fn selectors_as_a_list_and_keys_in_any_case() {
        let r = parse(
            r#"{"resourceList":[{"resourceName":"a","resourcePrefix":"example.com",
            "deviceType":"accelerator","selectors":[{"Vendors":["8086"]},{"pciAddresses":["0000:03:10.0"],"vendor":["x"]}]}]}"#,
        )
        .unwrap();
        assert_eq!(r[0].full_name(), "example.com/a");
        let s = r[0].selectors.as_ref().unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].vendors, ["8086"]);
        assert_eq!(s[1].pci_addresses, ["0000:03:10.0"]);
        assert_eq!(s[1].ignored, ["vendor"]);
    }

    #[test]
    fn bad_selectors_skip_the_resource_and_bad_json_is_an_error() {
        let r = parse(
            r#"{"resourceList":[{"resourceName":"a","selectors":{"vendors":"8086"}},
            {"resourceName":"b","selectors":[]},{"resourceName":"c"}]}"#,
        )
        .unwrap();
        assert!(r[0]
            .selectors
            .as_ref()
            .unwrap_err()
            .contains("list of strings"));
        assert!(r[1]
            .selectors
            .as_ref()
            .unwrap_err()
            .contains("at least one"));
        assert!(r[2].selectors.is_err());
        assert!(parse("{\"resourceList\": [")
            .unwrap_err()
            .starts_with("not JSON"));
        assert!(parse(r#"{"resourceList":[{"resourceName":1}]}"#).is_err());
        assert!(parse("[]").is_err());
        assert_eq!(parse("{}").unwrap(), Vec::new());
    }

    #[test]
    fn vf_ranges_as_the_plugin_reads_them() {
        assert!(index_selected("ens1f0", 7));
        assert!(index_selected("ens1f0#0-3", 3));
        assert!(!index_selected("ens1f0#0-3", 4));
        assert!(index_selected("ens1f0#2,4-5", 2));
        assert!(index_selected("ens1f0#2,4-5", 5));
        assert!(!index_selected("ens1f0#2,4-5", 3));
        assert!(!index_selected("ens1f0#a-3", 1));
        assert!(!index_selected("ens1f0#1#2", 1));
        assert!(!index_selected("ens1f0#1-2-3", 1));
        assert_eq!(item_name("ens1f0#0-3"), "ens1f0");
    }
}
