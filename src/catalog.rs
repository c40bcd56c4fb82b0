//! The device catalog (rules/catalog/nics.toml): which driver a common SR-IOV
//! NIC needs, its VF ids and limits. Data, not code; names come from the PCI
//! ID database, never from the catalog.

use serde::Deserialize;

use crate::facts::CatalogFacts;

const EMBEDDED: &str = include_str!("../rules/catalog/nics.toml");

#[derive(Clone, Debug, Deserialize)]
pub struct Family {
    pub id: String,
    pub vendor: String,
    pub pf_devices: Vec<String>,
    #[serde(default)]
    pub vf_devices: Vec<String>,
    pub pf_driver: String,
    pub vf_driver: Option<String>,
    #[serde(default)]
    pub driver_deps: Vec<String>,
    pub max_vfs: Option<u32>,
    pub legacy_vf_param: Option<String>,
    pub notes: Option<String>,
    #[serde(default)]
    pub references: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct CatalogFile {
    family: Vec<Family>,
}

#[derive(Clone, Debug)]
pub struct Catalog {
    pub families: Vec<Family>,
}

impl Catalog {
    /// The catalog built into the binary.
    pub fn embedded() -> Catalog {
        Catalog::parse(EMBEDDED).expect("the embedded catalog is checked by a test")
    }

    pub fn parse(text: &str) -> Result<Catalog, String> {
        let file: CatalogFile = toml::from_str(text).map_err(|e| e.to_string())?;
        Ok(Catalog {
            families: file.family,
        })
    }

    /// The family a PF or VF id belongs to.
    pub fn lookup(&self, vendor: &str, device: &str) -> Option<&Family> {
        self.families.iter().find(|f| {
            f.vendor == vendor
                && (f.pf_devices.iter().any(|d| d == device)
                    || f.vf_devices.iter().any(|d| d == device))
        })
    }
}

impl Family {
    pub fn facts(&self) -> CatalogFacts {
        CatalogFacts {
            family: self.id.clone(),
            pf_driver: self.pf_driver.clone(),
            vf_driver: self.vf_driver.clone(),
            max_vfs: self.max_vfs,
            legacy_vf_param: self.legacy_vf_param.clone(),
            notes: self.notes.clone(),
        }
    }
}

/// Vendor and device names from the PCI ID database.
pub fn pci_names(vendor: &str, device: &str) -> (Option<String>, Option<String>) {
    let (Ok(v), Ok(d)) = (
        u16::from_str_radix(vendor, 16),
        u16::from_str_radix(device, 16),
    ) else {
        return (None, None);
    };
    match pci_ids::Device::from_vid_pid(v, d) {
        Some(dev) => (
            Some(dev.vendor().name().to_string()),
            Some(dev.name().to_string()),
        ),
        None => (
            pci_ids::Vendors::iter()
                .find(|x| x.id() == v)
                .map(|x| x.name().to_string()),
            None,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_is_well_formed_and_named_by_the_pci_id_database() {
        let cat = Catalog::embedded();
        assert!(cat.families.len() >= 10);
        let mut seen = std::collections::HashSet::new();
        for f in &cat.families {
            assert!(seen.insert(f.id.clone()), "duplicate family {}", f.id);
            assert!(!f.pf_devices.is_empty(), "{}", f.id);
            for d in f.pf_devices.iter().chain(&f.vf_devices) {
                assert_eq!(d.len(), 4, "{}: {d}", f.id);
                let (vendor, device) = pci_names(&f.vendor, d);
                assert!(
                    vendor.is_some(),
                    "{}: vendor {} not in pci.ids",
                    f.id,
                    f.vendor
                );
                assert!(
                    device.is_some(),
                    "{}: {}:{d} not in pci.ids",
                    f.id,
                    f.vendor
                );
            }
        }
    }

    #[test]
    fn the_seed_card() {
        let cat = Catalog::embedded();
        let f = cat.lookup("8086", "10c9").expect("82576 PF");
        assert_eq!(f.pf_driver, "igb");
        assert_eq!(f.max_vfs, Some(7));
        assert_eq!(f.legacy_vf_param.as_deref(), Some("max_vfs"));
        assert!(f.driver_deps.contains(&"dca".to_string()));
        assert_eq!(cat.lookup("8086", "10ca").unwrap().id, f.id);
        let (v, d) = pci_names("8086", "10ca");
        assert_eq!(v.as_deref(), Some("Intel Corporation"));
        assert_eq!(d.as_deref(), Some("82576 Virtual Function"));
    }
}
