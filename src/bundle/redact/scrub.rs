//! Stand-ins: names, MAC addresses, UUIDs and IP addresses found in text
//! replaced, the same value by the same stand-in everywhere.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use regex::Regex;

pub(super) struct Redactor {
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
    pub(super) fn new(names: BTreeMap<String, String>) -> Redactor {
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
    pub(super) fn stand_in(
        &mut self,
        class: &'static str,
        value: &str,
        make: fn(usize) -> String,
    ) -> String {
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
    pub(super) fn scrub(&mut self, s: &str) -> String {
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

    pub(super) fn scrub_path(&mut self, path: &str) -> String {
        if path == "/" {
            return path.to_string();
        }
        let comps: Vec<String> = path.split('/').map(|c| self.scrub(c)).collect();
        comps.join("/")
    }
}
