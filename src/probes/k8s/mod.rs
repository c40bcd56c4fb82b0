//! The Kubernetes SR-IOV network device plugin: its configuration
//! (/etc/pcidp/config.json, the path its DaemonSet mounts the
//! `sriovdp-config` ConfigMap at and its `--config-file` default) and the
//! PCI attributes its selectors compare, read as the plugin reads them
//! (pkg/utils/utils.go): class, vendor and device ids, the driver link's
//! name, physfn and the PF's virtfnN links (the VF's index), the PF's first
//! interface name, acpi_index, the interface's type, and an `infiniband`
//! directory for RDMA. Only read when the configuration exists.

use crate::address::PciAddress;
use crate::facts::{K8sFacts, Known};
use crate::formats::pcidp_config;
use crate::hostfs::{base_name, HostFs};

use super::pci::DEVICES;
use cand::Cand;
use select::evaluate;

mod cand;
mod select;
#[cfg(test)]
mod tests;
mod why;

pub const CONFIG: &str = "/etc/pcidp/config.json";

/// The plugin's configuration evaluated against this host's devices.
pub fn probe(
    fs: &dyn HostFs,
    addresses: &Known<Vec<PciAddress>>,
    default_route: &Known<Vec<String>>,
) -> Known<K8sFacts> {
    let text = match fs.read_text(CONFIG) {
        Ok(t) => t,
        Err(e) if e.is_not_found() => {
            return Known::Value(K8sFacts {
                path: CONFIG.into(),
                ..K8sFacts::default()
            })
        }
        Err(e) => return Known::unknown(e.to_string()),
    };
    let resources = match pcidp_config::parse(&text) {
        Ok(r) => r,
        Err(e) => {
            return Known::Value(K8sFacts {
                config_present: true,
                path: CONFIG.into(),
                failures: vec![format!(
                    "{CONFIG} cannot be read as the plugin reads it ({e}): the plugin exits \
                     (\"error unmarshalling raw bytes … please make sure the config is in json format\")"
                )],
                fixes: vec![format!(
                    "Correct the JSON of {CONFIG} (the plugin's ConfigMap): `python3 -m json.tool {CONFIG}` shows where it breaks."
                )],
                ..K8sFacts::default()
            })
        }
    };
    let addresses = match addresses {
        Known::Value(a) => a,
        Known::Unknown(r) => return Known::unknown(r.clone()),
    };
    let routes: &[String] = default_route.value().map(|v| v.as_slice()).unwrap_or(&[]);
    let cands: Vec<Cand> = addresses
        .iter()
        .map(|a| candidate(fs, &a.to_string(), routes))
        .collect();
    Known::Value(evaluate(CONFIG, &resources, &cands))
}

fn text(fs: &dyn HostFs, path: &str) -> String {
    fs.read_text(path)
        .map(|t| t.trim().to_string())
        .unwrap_or_default()
}

fn hex_id(fs: &dyn HostFs, path: &str) -> String {
    let t = text(fs, path).to_ascii_lowercase();
    t.strip_prefix("0x").unwrap_or(&t).to_string()
}

fn names(fs: &dyn HostFs, path: &str) -> Vec<String> {
    let mut n = fs.list_dir(path).unwrap_or_default();
    n.sort();
    n
}

/// netlink's EncapType for an interface's ARPHRD type.
fn link_type(fs: &dyn HostFs, ifname: &str) -> String {
    match text(fs, &format!("/sys/class/net/{ifname}/type")).as_str() {
        "1" => "ether".into(),
        "32" => "infiniband".into(),
        "772" => "loopback".into(),
        "" => String::new(),
        other => format!("arphrd {other}"),
    }
}

fn candidate(fs: &dyn HostFs, addr: &str, routes: &[String]) -> Cand {
    let dir = format!("{DEVICES}/{addr}");
    let class = u8::from_str_radix(
        hex_id(fs, &format!("{dir}/class")).get(..2).unwrap_or(""),
        16,
    )
    .ok();
    let driver = fs
        .read_link(&format!("{dir}/driver"))
        .ok()
        .map(|l| base_name(&l).to_string());
    let netdevs = names(fs, &format!("{dir}/net"));
    let mut c = Cand {
        addr: addr.to_string(),
        class,
        vendor: hex_id(fs, &format!("{dir}/vendor")),
        device: hex_id(fs, &format!("{dir}/device")),
        driver,
        vf_index: -1,
        acpi_index: text(fs, &format!("{dir}/acpi_index")),
        rdma: fs.exists(&format!("{dir}/infiniband")).unwrap_or(false),
        default_route: netdevs.iter().find(|n| routes.contains(n)).cloned(),
        ..Cand::default()
    };
    if let Ok(pf) = fs.read_link(&format!("{dir}/physfn")) {
        let pf = base_name(&pf).to_string();
        let pf_dir = format!("{DEVICES}/{pf}");
        c.is_vf = true;
        c.pf_name = names(fs, &format!("{pf_dir}/net"))
            .into_iter()
            .next()
            .unwrap_or_default();
        for n in names(fs, &pf_dir) {
            let Some(i) = n.strip_prefix("virtfn").and_then(|i| i.parse::<i64>().ok()) else {
                continue;
            };
            if fs
                .read_link(&format!("{pf_dir}/{n}"))
                .is_ok_and(|l| base_name(&l) == addr)
            {
                c.vf_index = i;
            }
        }
        c.pf_addr = pf;
    } else if fs.exists(&format!("{dir}/sriov_totalvfs")).unwrap_or(false) {
        c.pf_with_vfs = text(fs, &format!("{dir}/sriov_numvfs"))
            .parse::<u32>()
            .is_ok_and(|n| n > 0);
    }
    let own = netdevs
        .first()
        .cloned()
        .unwrap_or_else(|| c.pf_name.clone());
    if !own.is_empty() {
        c.link_type = link_type(fs, &own);
    }
    c
}
