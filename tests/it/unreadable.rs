//! Run as an ordinary user, the tool reads what it can and skips the rest
//! with "needs root to read …": never a false pass. Tests run as root, where
//! chmod cannot deny a read, so a wrapper root denies the chosen paths.

use sriov_doctor::hostfs::{DirFs, FsError, FsErrorKind, FsResult, HostFs, Metadata};
use sriov_doctor::report::{Report, Status};
use sriov_doctor::rules::Engine;

struct Denying {
    inner: DirFs,
    denied: Vec<&'static str>,
}

impl Denying {
    fn check(&self, path: &str) -> FsResult<()> {
        if self.denied.iter().any(|d| path.starts_with(d)) {
            Err(FsError::new(path, FsErrorKind::PermissionDenied))
        } else {
            Ok(())
        }
    }
}

impl HostFs for Denying {
    fn read(&self, path: &str) -> FsResult<Vec<u8>> {
        self.check(path)?;
        self.inner.read(path)
    }
    fn read_link(&self, path: &str) -> FsResult<String> {
        self.check(path)?;
        self.inner.read_link(path)
    }
    fn list_dir(&self, path: &str) -> FsResult<Vec<String>> {
        self.check(path)?;
        self.inner.list_dir(path)
    }
    fn metadata(&self, path: &str) -> FsResult<Metadata> {
        self.check(path)?;
        self.inner.metadata(path)
    }
    fn canonical(&self, path: &str) -> FsResult<String> {
        self.check(path)?;
        self.inner.canonical(path)
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
}

fn report(host: &str, denied: Vec<&'static str>, targets: &[&str]) -> Report {
    let fs = Denying {
        inner: DirFs::tree(std::path::Path::new(&format!("tests/hosts/{host}/root"))).unwrap(),
        denied,
    };
    let engine = Engine::load(None).unwrap();
    let targets: Vec<String> = targets.iter().map(|t| t.to_string()).collect();
    sriov_doctor::check(&fs, &targets, &engine).unwrap()
}

fn status(r: &Report, rule: &str, subject: &str) -> (Status, String) {
    let f = r
        .findings
        .iter()
        .find(|f| f.rule == rule && f.subject == subject)
        .unwrap_or_else(|| panic!("no {rule} finding for {subject}"));
    (f.status, f.message.clone())
}

#[test]
fn an_unreadable_acpi_table_is_a_skip_that_says_root_is_needed() {
    // A failing host: the table is missing. Denying the directory must not
    // turn that into a pass, nor into a failure.
    let r = report("seed-no-vtd", vec!["/sys/firmware/acpi/tables"], &[]);
    let (s, m) = status(&r, "firmware.iommu", "host");
    assert_eq!(s, Status::Skip);
    assert!(
        m.contains("needs root to read /sys/firmware/acpi/tables/DMAR"),
        "{m}"
    );
}

#[test]
fn unreadable_inputs_skip_every_rule_that_needs_them() {
    let r = report(
        "seed-host-driver",
        vec![
            "/proc/cpuinfo",
            "/proc/modules",
            "/sys/class/iommu",
            "/sys/bus/pci/devices/0000:03:10.0/driver",
            "/etc/libvirt/qemu.conf",
        ],
        &["03:10.0"],
    );
    for (rule, subject) in [
        ("cpu.virtualization", "host"),
        ("modules.vfio", "host"),
        ("kernel.iommu", "host"),
        ("device.host-driver", "0000:03:10.0"),
        ("device.config-access", "0000:03:10.0"),
    ] {
        let (s, m) = status(&r, rule, subject);
        assert_eq!(s, Status::Skip, "{rule}: {m}");
        assert!(m.contains("needs root to read"), "{rule}: {m}");
    }
    // What stays readable is still judged.
    assert_eq!(status(&r, "sriov.vfs", "0000:03:00.0").0, Status::Pass);
}

#[test]
fn an_unreadable_group_member_leaves_the_group_unknown_unless_a_known_one_decides() {
    // 03:00.0 on igb still blocks the group: the answer is known.
    let r = report(
        "seed-group-shared",
        vec!["/sys/bus/pci/devices/0000:03:00.1/driver"],
        &["03:10.0"],
    );
    let (s, m) = status(&r, "iommu.group", "0000:03:10.0");
    assert_eq!(s, Status::Fail, "{m}");
    assert!(
        m.contains("0000:03:00.0 is bound to igb") && !m.contains("0000:03:00.1"),
        "{m}"
    );
    // With every host-driver member unreadable, nothing decides: skip.
    let r = report(
        "seed-group-shared",
        vec![
            "/sys/bus/pci/devices/0000:03:00.0/driver",
            "/sys/bus/pci/devices/0000:03:00.1/driver",
            "/sys/bus/pci/devices/0000:03:10.1/driver",
        ],
        &["03:10.0"],
    );
    let (s, m) = status(&r, "iommu.group", "0000:03:10.0");
    assert_eq!(s, Status::Skip, "{m}");
    assert!(m.contains("needs root to read"), "{m}");
}

#[test]
fn a_host_with_unreadable_inputs_and_no_failure_is_incomplete_not_ready() {
    let style = sriov_doctor::render::text::Style::plain();
    let ready = sriov_doctor::render::text::render(&report("seed-ready", vec![], &[]), &style);
    assert!(ready.contains("Result: READY"), "{ready}");
    let r = report("seed-ready", vec!["/proc/cpuinfo"], &[]);
    assert_eq!((r.summary.fail, r.summary.inconclusive), (0, 1));
    let text = sriov_doctor::render::text::render(&r, &style);
    // The result line may wrap: its words, in order.
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("Result: INCOMPLETE") && words.contains("(1 could not be checked)"),
        "{text}"
    );
}
