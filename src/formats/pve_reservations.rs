//! qemu-server's PCI reservations, /run/qemu-server/pci-id-reservations:
//! which Proxmox VE VM has claimed which host PCI device. One line per
//! device: `PCIID VMID pid:PID` once the VM's process runs, or
//! `PCIID VMID time:EPOCH` (an expiry) for the seconds between the
//! reservation and the start of that process. qemu-server's
//! PVE/QemuServer/PCI.pm writes and reads them (reserve_pci_usage): it
//! refuses another VM a device while its reservation holds, that is while
//! the pid runs or before the time ("PCI device '…' already in use by
//! VMID '…'"). Lines of another form are skipped, as qemu-server skips
//! them.

/// How a reservation holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// While this process runs (the VM's kvm).
    Pid(u32),
    /// Until this time (seconds since the epoch), while the VM starts.
    Until(u64),
}

/// One line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    /// The PCI id as qemu-server wrote it, with a domain
    /// (`0000:03:10.0`; `0000:03:00` for every function of a device).
    pub id: String,
    pub vmid: u32,
    pub claim: Claim,
}

/// `[domain:]bus:dev[.func]` in hex, as qemu-server's $PCIRE; the id with
/// its domain (0000 when absent).
fn pci_id(s: &str) -> Option<String> {
    // Lower-case hex only: qemu-server's $PCIRE is [a-f0-9].
    let hex = |p: &str, n: usize| {
        p.len() == n
            && p.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    let (dev, func) = match s.split_once('.') {
        Some((d, f)) if hex(f, 1) => (d, Some(f)),
        Some(_) => return None,
        None => (s, None),
    };
    let parts: Vec<&str> = dev.split(':').collect();
    let (domain, bus, slot) = match parts.as_slice() {
        [bus, slot] => ("0000", *bus, *slot),
        [domain, bus, slot] if domain.len() >= 4 && hex(domain, domain.len()) => {
            (*domain, *bus, *slot)
        }
        _ => return None,
    };
    if !hex(bus, 2) || !hex(slot, 2) {
        return None;
    }
    let mut id = format!("{domain}:{bus}:{slot}");
    if let Some(f) = func {
        id = format!("{id}.{f}");
    }
    Some(id)
}

/// The reservations of the file's text, in file order.
pub fn parse(text: &str) -> Vec<Reservation> {
    text.lines()
        .filter_map(|line| {
            // One whitespace character between fields, as qemu-server's `\s`.
            let mut words = line.split(char::is_whitespace);
            let (id, vmid, claim) = (words.next()?, words.next()?, words.next()?);
            if words.next().is_some() {
                return None;
            }
            let vmid = vmid
                .parse()
                .ok()
                .filter(|_| vmid.bytes().all(|b| b.is_ascii_digit()))?;
            let (kind, n) = claim.split_once(':')?;
            if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let claim = match kind {
                "pid" => Claim::Pid(n.parse().ok()?),
                "time" => Claim::Until(n.parse().ok()?),
                _ => return None,
            };
            Some(Reservation {
                id: pci_id(id)?,
                vmid,
                claim,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_lines_qemu_server_writes() {
        let text = "0000:03:10.0 101 pid:4242\n0000:43:00 104 time:1764770000\n";
        assert_eq!(
            parse(text),
            vec![
                Reservation {
                    id: "0000:03:10.0".into(),
                    vmid: 101,
                    claim: Claim::Pid(4242),
                },
                Reservation {
                    id: "0000:43:00".into(),
                    vmid: 104,
                    claim: Claim::Until(1764770000),
                },
            ]
        );
    }

    #[test]
    fn skips_what_qemu_server_would_not_read() {
        for line in [
            "",
            "0000:03:10.0 101",
            "0000:03:10.0 101 pid:",
            "0000:03:10.0 101 pid:42 extra",
            "0000:03:10.0 -1 pid:42",
            "0000:03:10.0 101 uid:42",
            "0000:3:10.0 101 pid:42",
            "0000:03:10.g 101 pid:42",
            "0000:03:10.0  101 pid:42",
            "0000:03:10.0 101 pid:99999999999999999999",
        ] {
            assert!(parse(line).is_empty(), "{line:?}");
        }
        assert_eq!(parse("03:10.1 7 pid:1")[0].id, "0000:03:10.1");
        assert!(parse("0000:AF:00.1 7 pid:1").is_empty());
        assert_eq!(parse("0000:af:00.1\t7 pid:1")[0].id, "0000:af:00.1");
    }
}
