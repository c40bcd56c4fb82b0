//! Kernel modules: loaded (/proc/modules), built in (modules.builtin),
//! installed (modules.dep), and which module a device needs (modules.alias,
//! else the device catalog).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Cursor;

use procfs_core::{FromBufRead, KernelModules};

use crate::catalog::Catalog;
use crate::facts::{
    DepsSource, DeviceFacts, DriverRole, Known, ModuleSource, ModuleState, PfDriverFacts,
};
use crate::formats::modules_alias::{self, glob_match};
use crate::formats::modules_builtin;
use crate::formats::modules_dep::{self, normalize};
use crate::hostfs::{base_name, HostFs};

/// Modules that bear on assignment whatever the devices.
const ALWAYS: &[&str] = &[
    "vfio",
    "vfio_pci",
    "vfio_pci_core",
    "vfio_iommu_type1",
    "pci_stub",
    "kvm",
    "kvm_intel",
    "kvm_amd",
    "xen_pciback",
];

/// What the host's module files say.
pub struct ModuleIndex {
    loaded: Known<BTreeSet<String>>,
    builtin: Known<BTreeSet<String>>,
    /// module → its dependencies (modules.dep lists them transitively).
    deps: Known<HashMap<String, Vec<String>>>,
    /// (pattern, module) from `alias pci:…` lines.
    aliases: Vec<(String, String)>,
    /// Entries of /sys/module: loaded modules, and built-in ones that have
    /// parameters (vfio_pci, vfio_iommu_type1, kvm and the NIC drivers do).
    sys_module: BTreeSet<String>,
}

impl ModuleIndex {
    pub fn read(fs: &dyn HostFs, release: &Known<String>) -> ModuleIndex {
        let loaded = match fs.read("/proc/modules") {
            Ok(bytes) => match KernelModules::from_buf_read(Cursor::new(bytes)) {
                Ok(m) => Known::Value(m.0.into_keys().collect()),
                Err(e) => Known::unknown(format!("/proc/modules: {e}")),
            },
            // A kernel built without module support has no /proc/modules:
            // nothing is loaded, everything present is built in.
            Err(e) if e.is_not_found() => Known::Value(BTreeSet::new()),
            Err(e) => Known::unknown(e.to_string()),
        };
        let sys_module = fs
            .list_dir("/sys/module")
            .unwrap_or_default()
            .into_iter()
            .collect();
        let dir = release.value().map(|r| format!("/lib/modules/{r}"));
        let read = |name: &str| -> Known<String> {
            match &dir {
                Some(d) => fs.read_text(&format!("{d}/{name}")).into(),
                None => Known::unknown("kernel release unknown"),
            }
        };
        let builtin = read("modules.builtin").map(|t| modules_builtin::parse(&t));
        let deps = read("modules.dep").map(|t| modules_dep::parse(&t));
        let aliases = read("modules.alias")
            .value()
            .map(|t| modules_alias::pci_aliases(t))
            .unwrap_or_default();
        ModuleIndex {
            loaded,
            builtin,
            deps,
            aliases,
            sys_module,
        }
    }

    /// Loaded, built in, installed or absent; unknown when the files that
    /// would tell are unreadable.
    pub fn state(&self, module: &str) -> Known<ModuleState> {
        let module = normalize(module);
        let loaded = match &self.loaded {
            Known::Value(l) => l,
            Known::Unknown(r) => return Known::unknown(r.clone()),
        };
        if loaded.contains(&module) {
            return Known::Value(ModuleState::Loaded);
        }
        if let Known::Value(b) = &self.builtin {
            if b.contains(&module) {
                return Known::Value(ModuleState::Builtin);
            }
        }
        // Not in /proc/modules but in /sys/module: built in, with parameters.
        if self.sys_module.contains(&module) {
            return Known::Value(ModuleState::Builtin);
        }
        if let Known::Value(d) = &self.deps {
            if d.contains_key(&module) {
                return Known::Value(ModuleState::Installed);
            }
        }
        match &self.builtin {
            Known::Value(_) => Known::Value(ModuleState::Absent),
            // A kernel without module support has no modules.builtin either;
            // a built-in module with parameters would be in /sys/module, and
            // the modules the rules ask about all have some.
            Known::Unknown(_) if loaded.is_empty() => Known::Value(ModuleState::Absent),
            Known::Unknown(r) => Known::unknown(format!(
                "{module} is not loaded, and whether it is built in is unknown: {r}"
            )),
        }
    }

    /// The modules that bind a device, by its modalias.
    pub fn modules_for(&self, modalias: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .aliases
            .iter()
            .filter(|(p, _)| glob_match(p, modalias))
            .map(|(_, m)| m.clone())
            .collect();
        out.dedup();
        out
    }
}

/// Fills each PF's driver facts and returns the state of every relevant module.
pub fn probe(
    fs: &dyn HostFs,
    release: &Known<String>,
    devices: &mut [DeviceFacts],
    catalog: &Catalog,
) -> Known<BTreeMap<String, ModuleState>> {
    let index = ModuleIndex::read(fs, release);
    let mut relevant: BTreeSet<String> = ALWAYS.iter().map(|s| s.to_string()).collect();
    for d in devices.iter_mut() {
        if d.sriov.is_none() {
            continue;
        }
        let pf = pf_driver(fs, &index, d, catalog);
        if let Known::Value(p) = &pf {
            relevant.insert(p.module.clone());
            relevant.extend(p.deps.iter().cloned());
        }
        if let Some(c) = &d.catalog {
            relevant.extend(c.vf_driver.iter().map(|v| normalize(v)));
        }
        d.pf_driver = Some(pf);
    }
    if let Known::Unknown(r) = &index.loaded {
        return Known::unknown(r.clone());
    }
    let mut states = BTreeMap::new();
    for m in relevant {
        if let Known::Value(s) = index.state(&m) {
            states.insert(m, s);
        }
    }
    Known::Value(states)
}

fn pf_driver(
    fs: &dyn HostFs,
    index: &ModuleIndex,
    d: &DeviceFacts,
    catalog: &Catalog,
) -> Known<PfDriverFacts> {
    let bound = match &d.driver {
        Known::Value(b) => b.clone(),
        Known::Unknown(r) => return Known::unknown(r.clone()),
    };
    let assignment_driver = crate::probes::pci::driver_role(bound.as_deref()) != DriverRole::Host;
    let (module, source) = match bound {
        Some(drv) if !assignment_driver => {
            let link = format!("/sys/bus/pci/drivers/{drv}/module");
            let module = fs
                .read_link(&link)
                .map(|t| base_name(&t).to_string())
                .unwrap_or_else(|_| normalize(&drv));
            (module, ModuleSource::BoundDriver)
        }
        _ => {
            let modalias = fs
                .read_text(&format!("/sys/bus/pci/devices/{}/modalias", d.address))
                .unwrap_or_default();
            let by_alias = index
                .modules_for(&modalias)
                .into_iter()
                .find(|m| !m.contains("vfio") && m != "pci_stub");
            match (by_alias, &d.catalog) {
                (Some(m), _) => (m, ModuleSource::ModulesAlias),
                (None, Some(c)) => (normalize(&c.pf_driver), ModuleSource::DeviceCatalog),
                (None, None) => {
                    return Known::unknown(format!(
                        "{}: no driver bound, and neither modules.alias nor the device catalog names one",
                        d.address
                    ))
                }
            }
        }
    };
    let state = match index.state(&module) {
        Known::Value(s) => s,
        Known::Unknown(r) => return Known::unknown(r),
    };
    let family = d
        .vendor
        .value()
        .zip(d.device.value())
        .and_then(|(v, dev)| catalog.lookup(v, dev));
    let (deps, deps_source) = match (&index.deps, family) {
        (Known::Value(map), _) if map.contains_key(&module) => {
            (map[&module].clone(), DepsSource::ModulesDep)
        }
        (_, Some(f)) if normalize(&f.pf_driver) == module => (
            f.driver_deps.iter().map(|m| normalize(m)).collect(),
            DepsSource::DeviceCatalog,
        ),
        _ => (Vec::new(), DepsSource::NoneKnown),
    };
    let mut missing_deps = Vec::new();
    for dep in &deps {
        match index.state(dep) {
            Known::Value(ModuleState::Loaded | ModuleState::Builtin) => {}
            Known::Value(_) => missing_deps.push(dep.clone()),
            Known::Unknown(r) => return Known::unknown(r),
        }
    }
    Known::Value(PfDriverFacts {
        module,
        source,
        state,
        deps,
        deps_source,
        missing_deps,
    })
}
