//! Redaction: what a bundle keeps of a host that is not needed to check it.
//! Names (host name, guest names), MAC addresses, UUIDs, IP addresses,
//! serial numbers and asset tags are replaced by stand-ins, the same value
//! by the same stand-in everywhere (contents, paths, link targets, listings,
//! the kernel log); /etc/passwd and /etc/group keep root, the QEMU user and
//! their groups; of each process only its pid, comm, the Uid line of status,
//! its VFIO fd links, the locked-memory limit and, for QEMU, argv[0] and the
//! `-device` arguments that assign host devices are kept. Binary files
//! (ACPI tables, PCI config space) are kept as they are.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, Ipv6Addr};

use regex::Regex;

use super::as_text;
use crate::facts::Facts;
use crate::hostfs::{FsErrorKind, Node};

struct Redactor {
    /// (original, stand-in), longest original first.
    names: Vec<(String, String)>,
    maps: BTreeMap<&'static str, BTreeMap<String, String>>,
    uuid: Regex,
    mac: Regex,
    ipv4: Regex,
    run: Regex,
}

/// `from` replaced by `to` where it is a whole token (not inside a longer
/// run of letters and digits).
fn replace_token(s: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while let Some(pos) = s[i..].find(from) {
        let start = i + pos;
        let end = start + from.len();
        let before = s[..start].chars().next_back();
        let after = s[end..].chars().next();
        let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        if !alnum(before) && !alnum(after) {
            out.push_str(&s[i..start]);
            out.push_str(to);
            i = end;
        } else {
            let step = s[start..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&s[i..start + step]);
            i = start + step;
        }
    }
    out.push_str(&s[i..]);
    out
}

impl Redactor {
    fn new(names: BTreeMap<String, String>) -> Redactor {
        let mut names: Vec<(String, String)> = names.into_iter().collect();
        names.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        Redactor {
            names,
            maps: BTreeMap::new(),
            uuid: Regex::new(
                r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
            )
            .expect("valid regex"),
            mac: Regex::new(r"(?i)\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b").expect("valid regex"),
            ipv4: Regex::new(r"\b\d{1,3}(?:\.\d{1,3}){3}\b").expect("valid regex"),
            run: Regex::new(r"[0-9A-Za-z:.%]*:[0-9A-Za-z:.%]*:[0-9A-Za-z:.%]*")
                .expect("valid regex"),
        }
    }

    /// The stand-in for `value` in the class `class`, made by `make` from
    /// its number (1, 2, …) the first time.
    fn stand_in(&mut self, class: &'static str, value: &str, make: fn(usize) -> String) -> String {
        let map = self.maps.entry(class).or_default();
        let n = map.len() + 1;
        map.entry(value.to_string())
            .or_insert_with(|| make(n))
            .clone()
    }

    fn replace_all(
        &mut self,
        s: &str,
        re: fn(&Redactor) -> &Regex,
        keep: fn(&str) -> Option<(String, usize)>,
        class: &'static str,
        make: fn(usize) -> String,
    ) -> String {
        // keep: the value's key, and how much of the match it is.
        let found: Vec<(usize, usize, String)> = re(self)
            .find_iter(s)
            .filter_map(|m| keep(m.as_str()).map(|(k, len)| (m.start(), m.start() + len, k)))
            .collect();
        if found.is_empty() {
            return s.to_string();
        }
        let mut out = String::with_capacity(s.len());
        let mut last = 0;
        for (start, end, key) in found {
            out.push_str(&s[last..start]);
            let rep = self.stand_in(class, &key, make);
            out.push_str(&rep);
            last = end;
        }
        out.push_str(&s[last..]);
        out
    }

    /// Every name, UUID, MAC and IP address in `s` replaced.
    fn scrub(&mut self, s: &str) -> String {
        let mut out = s.to_string();
        for (from, to) in &self.names {
            if out.contains(from.as_str()) {
                out = replace_token(&out, from, to);
            }
        }
        out = self.replace_all(
            &out,
            |r| &r.uuid,
            |m| Some((m.to_ascii_lowercase(), m.len())),
            "uuid",
            |n| format!("00000000-0000-4000-8000-{n:012x}"),
        );
        out = self.replace_all(
            &out,
            |r| &r.mac,
            |m| {
                let k = m.to_ascii_lowercase();
                (k != "00:00:00:00:00:00" && k != "ff:ff:ff:ff:ff:ff").then_some((k, m.len()))
            },
            "mac",
            |n| {
                let b = (n as u64).to_be_bytes();
                format!("02:00:{:02x}:{:02x}:{:02x}:{:02x}", b[4], b[5], b[6], b[7])
            },
        );
        out = self.replace_all(
            &out,
            |r| &r.run,
            |m| {
                let body = m.trim_end_matches('.');
                let (addr, zone) = body.split_once('%').unwrap_or((body, ""));
                let ip: Ipv6Addr = addr.parse().ok()?;
                let zone_ok = zone.bytes().all(|b| b.is_ascii_alphanumeric());
                (!ip.is_loopback() && !ip.is_unspecified() && zone_ok)
                    .then(|| (ip.to_string(), addr.len()))
            },
            "ipv6",
            |n| format!("2001:db8::{n:x}"),
        );
        self.replace_all(
            &out,
            |r| &r.ipv4,
            |m| {
                let ip: Ipv4Addr = m.parse().ok()?;
                (!ip.is_loopback() && !ip.is_unspecified() && !ip.is_broadcast())
                    .then(|| (ip.to_string(), m.len()))
            },
            "ipv4",
            |n| match n {
                1..=254 => format!("192.0.2.{n}"),
                255..=508 => format!("198.51.100.{}", n - 254),
                _ => format!("203.0.113.{}", (n - 509) % 254 + 1),
            },
        )
    }

    fn scrub_path(&mut self, path: &str) -> String {
        if path == "/" {
            return path.to_string();
        }
        let comps: Vec<String> = path.split('/').map(|c| self.scrub(c)).collect();
        comps.join("/")
    }
}

fn text_of(nodes: &BTreeMap<String, Node>, path: &str) -> Option<String> {
    nodes
        .get(path)
        .and_then(|n| n.content.as_deref())
        .map(|c| String::from_utf8_lossy(c).into_owned())
}

/// Guest names: from the facts, the libvirt and xl files themselves, and
/// QEMU command lines (`-name guest=NAME`).
fn guest_names(nodes: &BTreeMap<String, Node>, facts: &Facts) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    if let Some(g) = facts.host.guests.value() {
        names.extend(g.iter().map(|g| g.name.clone()));
    }
    let xml_name = Regex::new(r"<name>([^<]+)</name>").expect("valid regex");
    let qemu_name = Regex::new(r"-name\x00(?:guest=)?([^,\x00]+)").expect("valid regex");
    for (path, n) in nodes {
        let Some(c) = &n.content else { continue };
        let text = String::from_utf8_lossy(c);
        let libvirt = ["/run/libvirt/qemu/", "/etc/libvirt/qemu/"]
            .iter()
            .any(|d| path.starts_with(d));
        if libvirt && path.ends_with(".xml") {
            match crate::formats::libvirt_xml::parse(&text) {
                Ok(d) => {
                    names.insert(d.name);
                }
                Err(_) => names.extend(xml_name.captures(&text).map(|c| c[1].to_string())),
            }
        } else if path.starts_with("/etc/xen/") {
            if let Some(c) = crate::formats::xl_cfg::parse(&text) {
                names.insert(c.name);
            }
        } else if path.starts_with("/proc/") && path.ends_with("/cmdline") {
            names.extend(qemu_name.captures_iter(&text).map(|c| c[1].to_string()));
        }
    }
    // libvirt names its state files after the guest.
    for path in nodes.keys() {
        if let Some(file) = path.strip_prefix("/run/libvirt/qemu/") {
            if let Some(stem) = file.strip_suffix(".xml").or(file.strip_suffix(".pid")) {
                if !stem.contains('/') {
                    names.insert(stem.to_string());
                }
            }
        }
    }
    names.retain(|n| !n.trim().is_empty());
    names
}

/// /etc/passwd and /etc/group reduced to root, the QEMU user, and the
/// groups either is in.
fn users_and_groups(nodes: &mut BTreeMap<String, Node>, facts: &Facts) {
    let qemu = facts.host.qemu.value();
    let mut users: BTreeSet<String> = BTreeSet::from(["root".to_string()]);
    let mut groups: BTreeSet<String> = BTreeSet::from(["root".to_string()]);
    let mut uids: BTreeSet<String> = BTreeSet::from(["0".to_string()]);
    if let Some(q) = qemu {
        match q.user.strip_prefix('+') {
            Some(uid) => {
                uids.insert(uid.to_string());
            }
            None => {
                users.insert(q.user.clone());
            }
        }
        groups.insert(q.group.trim_start_matches('+').to_string());
    }
    let mut gids: BTreeSet<String> = BTreeSet::from(["0".to_string()]);
    if let Some(n) = nodes.get_mut("/etc/passwd") {
        if let Some(c) = &n.content {
            let text = String::from_utf8_lossy(c).into_owned();
            let kept: Vec<&str> = text
                .lines()
                .filter(|l| {
                    let f: Vec<&str> = l.split(':').collect();
                    users.contains(f[0]) || f.get(2).is_some_and(|u| uids.contains(*u))
                })
                .collect();
            for l in &kept {
                let f: Vec<&str> = l.split(':').collect();
                users.insert(f[0].to_string());
                if let Some(g) = f.get(3) {
                    gids.insert(g.to_string());
                }
            }
            n.content = Some(format!("{}\n", kept.join("\n")).into_bytes());
        }
    }
    if let Some(n) = nodes.get_mut("/etc/group") {
        if let Some(c) = &n.content {
            let text = String::from_utf8_lossy(c).into_owned();
            let mut kept = Vec::new();
            for l in text.lines() {
                let f: Vec<&str> = l.split(':').collect();
                let members: Vec<&str> = f
                    .get(3)
                    .map(|m| m.split(',').filter(|m| users.contains(*m)).collect())
                    .unwrap_or_default();
                let keep = groups.contains(f[0])
                    || groups.contains(f.get(2).copied().unwrap_or(""))
                    || f.get(2).is_some_and(|g| gids.contains(*g))
                    || !members.is_empty();
                if keep && f.len() >= 3 {
                    kept.push(format!("{}:{}:{}:{}", f[0], f[1], f[2], members.join(",")));
                }
            }
            n.content = Some(format!("{}\n", kept.join("\n")).into_bytes());
        }
    }
}

/// fd link targets a bundle keeps: the ones device assignment is about.
fn vfio_target(t: &str) -> bool {
    ["/dev/vfio/", "/sys/bus/pci/devices/", "/sys/devices/"]
        .iter()
        .any(|p| t.starts_with(p))
}

/// Of each /proc/PID, only what tells who holds a device.
fn processes(nodes: &mut BTreeMap<String, Node>) {
    let pid_of = |path: &str| -> Option<(String, String)> {
        let rest = path.strip_prefix("/proc/")?;
        let (pid, tail) = rest.split_once('/').unwrap_or((rest, ""));
        (!pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
            .then(|| (pid.to_string(), tail.to_string()))
    };
    let qemu: BTreeSet<String> = nodes
        .iter()
        .filter_map(|(p, n)| {
            let (pid, tail) = pid_of(p)?;
            let comm = String::from_utf8_lossy(n.content.as_deref()?).into_owned();
            (tail == "comm" && comm.trim().starts_with("qemu")).then_some(pid)
        })
        .collect();
    let paths: Vec<String> = nodes.keys().cloned().collect();
    for path in paths {
        let Some((pid, tail)) = pid_of(&path) else {
            continue;
        };
        let is_qemu = qemu.contains(&pid);
        let keep = match tail.as_str() {
            "" | "comm" | "status" | "limits" | "fd" => true,
            "cmdline" => is_qemu,
            t => match t.strip_prefix("fd/") {
                Some(fd) => {
                    !fd.contains('/') && nodes[&path].target.as_deref().is_some_and(vfio_target)
                }
                None => false,
            },
        };
        if !keep {
            nodes.remove(&path);
            continue;
        }
        let n = nodes.get_mut(&path).expect("listed above");
        let lines = |n: &Node, prefix: &str| -> Option<Vec<u8>> {
            let text = String::from_utf8_lossy(n.content.as_deref()?).into_owned();
            let kept: Vec<&str> = text.lines().filter(|l| l.starts_with(prefix)).collect();
            Some(format!("{}\n", kept.join("\n")).into_bytes())
        };
        match tail.as_str() {
            "status" => n.content = lines(n, "Uid:"),
            "limits" => n.content = lines(n, "Max locked memory"),
            "cmdline" => {
                if let Some(c) = &n.content {
                    let args: Vec<String> = c
                        .split(|b| *b == 0)
                        .map(|a| String::from_utf8_lossy(a).into_owned())
                        .collect();
                    let mut kept: Vec<&str> =
                        args.first().map(|a| vec![a.as_str()]).unwrap_or_default();
                    for pair in args.windows(2) {
                        if pair[0] == "-device"
                            && !crate::formats::qemu_cmdline::cmdline_devices(pair).is_empty()
                        {
                            kept.push("-device");
                            kept.push(&pair[1]);
                        }
                    }
                    let mut out = kept.join("\0").into_bytes();
                    out.push(0);
                    n.content = Some(out);
                }
            }
            _ => {}
        }
    }
    // Listings name only what is kept.
    let kept: BTreeSet<String> = nodes.keys().cloned().collect();
    for (path, n) in nodes.iter_mut() {
        if pid_of(path).is_some() {
            if let Some(names) = &mut n.entries {
                names.retain(|name| kept.contains(&format!("{path}/{name}")));
            }
        }
    }
}

/// DMI serial numbers, asset tags and the product UUID.
fn is_serial(path: &str) -> bool {
    let base = crate::hostfs::base_name(path);
    (path.starts_with("/sys/class/dmi/") || path.starts_with("/sys/devices/virtual/dmi/"))
        && (base.contains("serial") || base.contains("asset_tag") || base == "product_uuid")
}

/// Redacts the recorded entries and the kernel log lines.
pub fn redact(
    nodes: BTreeMap<String, Node>,
    log: Vec<String>,
    facts: &Facts,
) -> (BTreeMap<String, Node>, Vec<String>) {
    let mut nodes = nodes;
    let mut names = BTreeMap::new();
    let mut host_n = 0;
    for path in ["/proc/sys/kernel/hostname", "/etc/hostname"] {
        let Some(h) = text_of(&nodes, path) else {
            continue;
        };
        let h = h.trim().to_string();
        if h.is_empty() || h == "localhost" || h == "localhost.localdomain" {
            continue;
        }
        let short = h.split('.').next().unwrap_or(&h).to_string();
        if !names.contains_key(&h) {
            host_n += 1;
            let stand_in = format!("host-{host_n}");
            names.insert(short, stand_in.clone());
            names.insert(h, stand_in);
        }
    }
    for (i, g) in guest_names(&nodes, facts).into_iter().enumerate() {
        names.entry(g).or_insert_with(|| format!("guest-{}", i + 1));
    }
    users_and_groups(&mut nodes, facts);
    processes(&mut nodes);
    let mut r = Redactor::new(names);
    let mut out = BTreeMap::new();
    for (path, mut n) in nodes {
        if is_serial(&path) && n.content.is_some() {
            let v =
                text_of(&BTreeMap::from([(path.clone(), n.clone())]), &path).unwrap_or_default();
            n.content = Some(
                r.stand_in("serial", v.trim(), |k| format!("serial-{k}\n"))
                    .into_bytes(),
            );
        }
        if let Some(c) = &n.content {
            if let Some(t) = as_text(c) {
                n.content = Some(r.scrub(t).into_bytes());
            }
        }
        if let Some(t) = &n.target {
            n.target = Some(
                t.split('/')
                    .map(|c| r.scrub(c))
                    .collect::<Vec<_>>()
                    .join("/"),
            );
        }
        if let Some(names) = &n.entries {
            n.entries = Some(names.iter().map(|e| r.scrub(e)).collect());
        }
        if let Some(FsErrorKind::Other(why)) = &n.error {
            n.error = Some(FsErrorKind::Other(r.scrub(why)));
        }
        out.insert(r.scrub_path(&path), n);
    }
    let log = log.iter().map(|l| r.scrub(l)).collect();
    (out, log)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_values_consistently_and_leaves_the_rest() {
        let mut r = Redactor::new(BTreeMap::from([("web01".into(), "guest-1".into())]));
        let s = r.scrub(
            "web01 web012 web01.xml 52:54:00:12:34:56 0000:03:10.0 10.1.2.3 127.0.0.1 fe80::1%eth0 std::fmt 5.14.0 52:54:00:12:34:56",
        );
        assert_eq!(
            s,
            "guest-1 web012 guest-1.xml 02:00:00:00:00:01 0000:03:10.0 192.0.2.1 127.0.0.1 2001:db8::1%eth0 std::fmt 5.14.0 02:00:00:00:00:01"
        );
        assert_eq!(
            r.scrub("uuid 3E9C1F5A-7b2d-4c8e-9a61-0d4f2b8c7e15"),
            "uuid 00000000-0000-4000-8000-000000000001"
        );
    }
}
