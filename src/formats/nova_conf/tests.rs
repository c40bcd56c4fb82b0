//! The examples of nova's own documentation (nova/conf/pci.py,
//! nova/pci/devspec.py, nova/pci/request.py) and oslo.config's INI rules.

use super::*;

#[test]
fn ini_sections_repeats_continuations_comments() {
    let text = "\
# nova.conf
[DEFAULT]
pci_passthrough_whitelist = {\"vendor_id\": \"8086\"}

[PCI]
; the VFs
device_spec = {\"vendor_id\":\"8086\", \"product_id\":\"10ca\",
    \"physical_network\":\"physnet1\"}
device_spec: '{\"address\":\"*:0a:00.*\"}'
alias = {
  \"name\": \"QuickAssist\",
  \"product_id\": \"0443\",
  \"vendor_id\": \"8086\",
  \"device_type\": \"type-PCI\"
  }
";
    let e = parse_ini(text).unwrap();
    let got: Vec<(&str, &str, usize)> = e
        .iter()
        .map(|e| (e.section.as_str(), e.key.as_str(), e.line))
        .collect();
    assert_eq!(
        got,
        [
            ("DEFAULT", "pci_passthrough_whitelist", 3),
            ("pci", "device_spec", 7),
            ("pci", "device_spec", 9),
            ("pci", "alias", 10),
        ]
    );
    assert_eq!(
        e[1].value,
        "{\"vendor_id\":\"8086\", \"product_id\":\"10ca\",\n\"physical_network\":\"physnet1\"}"
    );
    // Matching quotes around a one-line value go.
    assert_eq!(e[2].value, "{\"address\":\"*:0a:00.*\"}");
    let a = parse_alias(&e[3].value).unwrap();
    assert_eq!(a.name, "QuickAssist");
    assert_eq!(a.device_type.as_deref(), Some("type-PCI"));
    assert_eq!(a.product_id.as_deref(), Some("0443"));
}

#[test]
fn ini_errors_are_oslo_s() {
    assert!(parse_ini("device_spec = {}\n")
        .unwrap_err()
        .contains("Section must be started"));
    assert!(parse_ini("  x\n")
        .unwrap_err()
        .contains("Unexpected continuation"));
    assert!(parse_ini("[pci\n").unwrap_err().contains("must end with ]"));
    assert!(parse_ini("[pci]\nnonsense\n")
        .unwrap_err()
        .contains("No ':' or '='"));
    // A blank line ends a value: the next indented line has no key.
    assert!(parse_ini("[pci]\na = 1\n\n  2\n").is_err());
}

fn addr(s: &str) -> [u32; 4] {
    let (dbs, f) = s.split_once('.').unwrap();
    let p: Vec<u32> = dbs
        .split(':')
        .map(|x| u32::from_str_radix(x, 16).unwrap())
        .collect();
    [p[0], p[1], p[2], u32::from_str_radix(f, 16).unwrap()]
}

#[test]
fn device_spec_examples_of_nova_conf_pci() {
    let glob =
        parse_device_spec(r#"{"address":"*:0a:00.*", "physical_network":"physnet1"}"#).unwrap();
    let a = glob[0].address.as_ref().unwrap();
    assert!(a.matches(addr("0000:0a:00.3")));
    assert!(!a.matches(addr("0000:0b:00.3")));
    assert_eq!(glob[0].physical_network.as_deref(), Some("physnet1"));
    // ":0a:00." leaves domain and function out.
    let short =
        parse_device_spec(r#"{"address":":0a:00.","physical_network":"physnet1"}"#).unwrap();
    let a = short[0].address.as_ref().unwrap();
    assert!(a.matches(addr("0001:0a:00.7")));
    assert!(!a.matches(addr("0001:0a:01.0")));
    let regex = parse_device_spec(
        r#"{"address":{"domain": ".*", "bus": "02", "slot": "01", "function": "[2-7]"},
            "physical_network":"physnet1"}"#,
    )
    .unwrap();
    let a = regex[0].address.as_ref().unwrap();
    assert!(a.matches(addr("0000:02:01.2")));
    assert!(!a.matches(addr("0000:02:01.1")));
    assert_eq!(a.single(), None);
    let ids = parse_device_spec(r#"{"vendor_id":"1137", "product_id":"0071"}"#).unwrap();
    assert_eq!(
        (ids[0].vendor_id, ids[0].product_id),
        (Some(0x1137), Some(0x71))
    );
    assert!(ids[0].address.is_none());
    let one = parse_device_spec(
        r#"{"vendor_id":"10de", "product_id":"25b6", "address": "0000:25:00.4", "managed": "no"}"#,
    )
    .unwrap();
    assert_eq!(
        one[0].address.as_ref().unwrap().single(),
        Some(addr("0000:25:00.4"))
    );
    assert!(!one[0].managed);
    let dev =
        parse_device_spec(r#"{"devname":"eth0", "physical_network":"physnet", "trusted": "true"}"#)
            .unwrap();
    assert_eq!(dev[0].devname.as_deref(), Some("eth0"));
    // A list, as passthrough_whitelist allowed.
    let list =
        parse_device_spec(r#"[{"vendor_id":"8086","product_id":"10ca"},{"product_id":"*"}]"#)
            .unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[1].product_id, None);
}

#[test]
fn invalid_device_specs_say_why() {
    let e = parse_device_spec(
        r#"{"devname":"eth0", "physical_network":"physnet", "address":"*:0a:00.*"}"#,
    )
    .unwrap_err();
    assert!(e.contains("devname or address, but not both"), "{e}");
    let e = parse_device_spec(r#"{"vendor_id":"8086", "product_id":"10ca""#).unwrap_err();
    assert!(e.starts_with("Invalid entry: "), "{e}");
    let e = parse_device_spec(r#"{"address":"0000:03:10.8"}"#).unwrap_err();
    assert!(e.contains("greater than the maximum"), "{e}");
    let e = parse_device_spec(r#"{"product_id":"10cg"}"#).unwrap_err();
    assert!(e.contains("does not parse as a hex number"), "{e}");
    let e = parse_device_spec(r#"{"address":"1:2:3:4.0"}"#).unwrap_err();
    assert!(e.contains("incorrect format"), "{e}");
    let e = parse_device_spec(r#"{"address":{"bus":"(("}}"#).unwrap_err();
    assert!(e.contains("incorrect format"), "{e}");
    let e = parse_device_spec(r#""8086""#).unwrap_err();
    assert!(e.contains("Expecting list or dict"), "{e}");
    let e = parse_device_spec(r#"["8086"]"#).unwrap_err();
    assert!(e.contains("Expecting dict"), "{e}");
}

#[test]
fn aliases_as_request_py_validates_them() {
    let a = parse_alias(
        r#"{"name":"a1","vendor_id":"8086","product_id":"10CA","device_type":"type-VF"}"#,
    )
    .unwrap();
    assert_eq!(a.product_id.as_deref(), Some("10ca"));
    assert!(parse_alias(r#"[{"name":"a1"}]"#)
        .unwrap_err()
        .contains("not of type 'object'"));
    assert!(parse_alias(r#"{"name":"a1","device_type":"type-vf"}"#).is_err());
    assert!(parse_alias(r#"{"name":"a1","product_id":"*"}"#).is_err());
    assert!(parse_alias(r#"{"name":"a1","devname":"eth0"}"#)
        .unwrap_err()
        .contains("'devname' was unexpected"));
    assert!(parse_alias(r#"{"vendor_id":"8086"}"#)
        .unwrap_err()
        .contains("'name' is a required"));
}

#[test]
fn a_bundle_keeps_the_pci_options_and_no_password() {
    let text = "\
[DEFAULT]
transport_url = rabbit://openstack:RABBIT_PASS@controller
pci_alias = {\"name\": \"a1\",
  \"vendor_id\": \"8086\", \"product_id\": \"10ca\"}
# password = OLD_PASS

[database]
connection = mysql+pymysql://nova:NOVA_DBPASS@controller/nova
  continued_secret

[pci]
device_spec = {\"vendor_id\": \"8086\"}
";
    let kept = keep_pci(text);
    assert!(!kept.contains("PASS") && !kept.contains("secret"), "{kept}");
    assert_eq!(kept.lines().count(), text.lines().count());
    let before = parse_ini(text).unwrap();
    let after = parse_ini(&kept).unwrap();
    let pci = |e: &[Entry]| -> Vec<Entry> {
        e.iter()
            .filter(|e| e.section == "pci" || e.key.starts_with("pci_"))
            .cloned()
            .collect()
    };
    assert_eq!(pci(&before), pci(&after));
    assert_eq!(pci(&after).len(), 2);
}
