//! How explain orders the failing and warning findings: a failure always
//! above a warning; then the rules a matched signature names (in its order:
//! a signature is written for one message, so it knows better than a
//! generic table), then the rules the errnos on lines that name an object
//! point at ([`ERRNO_CAUSES`]), then everything else; the named devices
//! before the host, the host before other devices.

use schemars::JsonSchema;
use serde::Serialize;

use super::{Kind, Match, Named};
use crate::findings::{Finding, Status};

/// What puts a finding among the causes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PointedBy {
    /// A matched message's signature names its rule.
    Signature,
    /// An errno on a line that names an object points at its rule.
    Errno,
    /// Only that it fails or warns on this host (or on the devices in
    /// focus): a list to look through, not what the input points at.
    Host,
}

/// The causes an errno points at, on a line that names an object (a device,
/// group, VFIO device, mdev or domain) or that a signature recognises. The
/// first entry whose condition the line meets is used. `mentions`: the
/// line must contain one of these words (any case); empty = always.
///
/// | errno         | the line mentions                 | rules, most likely first |
/// |---------------|-----------------------------------|--------------------------|
/// | EBUSY         |                                   | device.in-use, device.host-driver, iommu.group |
/// | EPERM         | locked memory, memlock, RLIMIT    | device.memlock, device.config-access |
/// | EACCES, EPERM |                                   | device.config-access, device.memlock, kernel.interrupt-remapping |
/// | ENOMEM        |                                   | device.memlock |
/// | ENOENT        | sriov_numvfs                      | modules.pf-driver, sriov.vfs |
/// | ERANGE        |                                   | sriov.vfs |
/// | ENODEV, EINVAL| group, /dev/vfio, container       | iommu.group, kernel.iommu |
///
/// EBUSY: the device is held (by a guest or a process), bound to a host
/// driver, or shares its group with one that is. EACCES/EPERM on a VFIO or
/// sysfs file: the QEMU user cannot open it; EPERM when setting the IOMMU
/// of a container: interrupt remapping. ENOMEM when mapping guest memory:
/// the locked-memory limit. ENOENT writing sriov_numvfs: the PF driver is
/// not there (no such file), ERANGE: more VFs than the PF offers. ENODEV
/// or EINVAL on a group: it is not usable (not viable, or no IOMMU).
pub const ERRNO_CAUSES: &[ErrnoCause] = &[
    ErrnoCause {
        errnos: &["EBUSY"],
        mentions: &[],
        rules: &["device.in-use", "device.host-driver", "iommu.group"],
    },
    ErrnoCause {
        errnos: &["EPERM"],
        mentions: &["locked memory", "memlock", "rlimit"],
        rules: &["device.memlock", "device.config-access"],
    },
    ErrnoCause {
        errnos: &["EACCES", "EPERM"],
        mentions: &[],
        rules: &[
            "device.config-access",
            "device.memlock",
            "kernel.interrupt-remapping",
        ],
    },
    ErrnoCause {
        errnos: &["ENOMEM"],
        mentions: &[],
        rules: &["device.memlock"],
    },
    ErrnoCause {
        errnos: &["ENOENT"],
        mentions: &["sriov_numvfs"],
        rules: &["modules.pf-driver", "sriov.vfs"],
    },
    ErrnoCause {
        errnos: &["ERANGE"],
        mentions: &[],
        rules: &["sriov.vfs"],
    },
    ErrnoCause {
        errnos: &["ENODEV", "EINVAL"],
        mentions: &["group", "/dev/vfio", "container"],
        rules: &["iommu.group", "kernel.iommu"],
    },
];

pub struct ErrnoCause {
    pub errnos: &'static [&'static str],
    pub mentions: &'static [&'static str],
    pub rules: &'static [&'static str],
}

/// The rules an errno on `line` points at (none when the table has none).
pub fn errno_rules(errno: &str, line: &str) -> &'static [&'static str] {
    let lower = line.to_ascii_lowercase();
    ERRNO_CAUSES
        .iter()
        .find(|c| {
            c.errnos.contains(&errno)
                && (c.mentions.is_empty() || c.mentions.iter().any(|m| lower.contains(m)))
        })
        .map_or(&[], |c| c.rules)
}

/// The rules the errnos point at ([`ERRNO_CAUSES`]), for each line
/// that names an object or that a signature recognises, in input order.
pub fn errno_rules_of<'a>(lines: &[String], named: &[Named], found: &[Match]) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    let on_object: std::collections::BTreeSet<usize> = found
        .iter()
        .map(|m| m.line_number)
        .chain(
            named
                .iter()
                .filter(|o| o.kind != Kind::Errno)
                .map(|o| o.line_number),
        )
        .collect();
    for n in named.iter().filter(|n| n.kind == Kind::Errno) {
        let (Some(errno), Some(line)) = (&n.resolved, lines.get(n.line_number - 1)) else {
            continue;
        };
        if !on_object.contains(&n.line_number) {
            continue;
        }
        for r in errno_rules(errno, line) {
            if !out.contains(r) {
                out.push(r);
            }
        }
    }
    out
}

/// What a cause's place depends on.
pub struct Ranking<'a> {
    /// The matched signatures' rules, most likely first.
    pub signature: &'a [&'a str],
    /// The errnos' rules, most likely first.
    pub errno: &'a [&'a str],
    /// Whether the checks were focused on devices.
    pub focused: bool,
    /// Whether the input named them (or their group or guest): they come
    /// before the host. Candidates the tool chose come after it, so that
    /// a host-wide failure leads.
    pub named_first: bool,
}

impl Ranking<'_> {
    fn on_focus(&self, f: &Finding) -> bool {
        f.target || (!self.focused && f.subject != "host")
    }

    /// What points at `f`, and where in that list.
    fn pointer(&self, f: &Finding) -> (PointedBy, usize) {
        let relevant = self.on_focus(f) || f.subject == "host";
        let at = |list: &[&str]| list.iter().position(|r| *r == f.rule).filter(|_| relevant);
        match (at(self.signature), at(self.errno)) {
            (Some(s), _) => (PointedBy::Signature, s),
            (None, Some(e)) => (PointedBy::Errno, e),
            (None, None) => (PointedBy::Host, 0),
        }
    }

    pub fn pointed_by(&self, f: &Finding) -> PointedBy {
        self.pointer(f).0
    }

    /// Sort key: smaller first.
    pub fn key(&self, f: &Finding) -> (u8, u8, usize, u8) {
        let on_focus = self.on_focus(f);
        let (by, pos) = self.pointer(f);
        let class = match by {
            PointedBy::Signature => 0,
            PointedBy::Errno => 1,
            PointedBy::Host => 2,
        };
        let status = match f.status {
            Status::Fail => 0,
            Status::Warn => 1,
            _ => 2,
        };
        let tier = match (on_focus, f.subject == "host") {
            (true, _) if self.named_first => 0,
            (true, _) => 1,
            (_, true) if self.named_first => 1,
            (_, true) => 0,
            _ => 2,
        };
        (status, class, pos, tier)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Severity;

    fn finding(rule: &str, status: Status, subject: &str) -> Finding {
        Finding {
            rule: rule.into(),
            status,
            severity: Severity::Error,
            subject: subject.into(),
            title: String::new(),
            message: String::new(),
            evidence: Vec::new(),
            remediation: Vec::new(),
            target: subject != "host",
            inconclusive: false,
        }
    }

    #[test]
    fn every_rule_of_the_errno_table_exists() {
        let ids = crate::rules::Engine::rule_ids(None);
        for c in ERRNO_CAUSES {
            for r in c.rules {
                assert!(ids.iter().any(|i| i == r), "no rule {r}");
            }
        }
    }

    #[test]
    fn the_host_leads_the_candidates_the_tool_chose_but_not_named_devices() {
        let mut r = Ranking {
            signature: &[],
            errno: &[],
            focused: true,
            named_first: false,
        };
        let mut fs = [
            finding("device.config-access", Status::Fail, "0000:03:10.0"),
            finding("firmware.iommu", Status::Fail, "host"),
        ];
        fs.sort_by_key(|f| r.key(f));
        assert_eq!(fs[0].rule, "firmware.iommu");
        r.named_first = true;
        fs.sort_by_key(|f| r.key(f));
        assert_eq!(fs[0].rule, "device.config-access");
    }

    #[test]
    fn the_errno_table_reads_the_line() {
        assert_eq!(
            errno_rules("EPERM", "cannot limit locked memory of process 96"),
            ["device.memlock", "device.config-access"]
        );
        assert_eq!(
            errno_rules("EPERM", "open /dev/vfio/84")[0],
            "device.config-access"
        );
        assert_eq!(
            errno_rules(
                "ENOENT",
                "/sys/class/net/eth2/device/sriov_numvfs: No such file"
            ),
            ["modules.pf-driver", "sriov.vfs"]
        );
        assert!(errno_rules("ENOENT", "open /etc/foo").is_empty());
        assert_eq!(
            errno_rules("EINVAL", "VFIO_GROUP_SET_CONTAINER")[0],
            "iommu.group"
        );
        assert!(errno_rules("EINVAL", "tee: bind: Invalid argument").is_empty());
    }

    #[test]
    fn a_failure_ranks_above_a_warning_then_the_signature_then_the_errno() {
        let sig = ["iommu.acs", "kernel.interrupt-remapping", "firmware.rmrr"];
        let errno = ["device.config-access", "kernel.interrupt-remapping"];
        let r = Ranking {
            signature: &sig,
            errno: &errno,
            focused: true,
            named_first: true,
        };
        let mut fs = [
            finding("iommu.acs", Status::Warn, "0000:03:10.0"),
            finding("iommu.group", Status::Fail, "0000:03:10.0"),
            finding("firmware.rmrr", Status::Fail, "host"),
            finding("kernel.interrupt-remapping", Status::Fail, "host"),
            finding("device.config-access", Status::Fail, "0000:03:10.0"),
            finding("device.host-driver", Status::Fail, "0000:03:10.0"),
        ];
        fs.sort_by_key(|f| r.key(f));
        let order: Vec<&str> = fs.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(
            order,
            [
                "kernel.interrupt-remapping",
                "firmware.rmrr",
                "device.config-access",
                "iommu.group",
                "device.host-driver",
                "iommu.acs"
            ]
        );
        let by: Vec<PointedBy> = fs.iter().map(|f| r.pointed_by(f)).collect();
        assert_eq!(
            by,
            [
                PointedBy::Signature,
                PointedBy::Signature,
                PointedBy::Errno,
                PointedBy::Host,
                PointedBy::Host,
                PointedBy::Signature
            ]
        );
    }
}
