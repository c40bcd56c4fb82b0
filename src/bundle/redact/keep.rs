//! What a bundle keeps of the host's users and processes: the accounts
//! QEMU runs as, and of each process only what tells who holds a device.

use std::collections::{BTreeMap, BTreeSet};

use crate::facts::Facts;
use crate::hostfs::Node;

/// /etc/passwd and /etc/group reduced to root, the QEMU user, and the
/// groups either is in.
pub(super) fn users_and_groups(nodes: &mut BTreeMap<String, Node>, facts: &Facts) {
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
pub(super) fn processes(nodes: &mut BTreeMap<String, Node>) {
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
