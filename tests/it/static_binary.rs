//! One file that runs anywhere: the binary is statically linked (glibc's
//! crt-static, .cargo/config.toml), holds none of glibc's NSS lookups, and
//! runs in an empty chroot with nothing but itself and a bundle.
//!
//! It checks the binary the tests build; .ci/run points it at the release
//! build too (SRIOV_DOCTOR_BIN=target/x86_64-unknown-linux-gnu/release/sriov-doctor).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{bin, note};

fn binary() -> PathBuf {
    match std::env::var_os("SRIOV_DOCTOR_BIN") {
        Some(p) => std::fs::canonicalize(&p).unwrap_or_else(|e| panic!("{p:?}: {e}")),
        None => bin(),
    }
}

fn output(program: &str, args: &[&str]) -> Option<(bool, String)> {
    let out = Command::new(program).args(args).output().ok()?;
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    Some((out.status.success(), text))
}

#[test]
#[cfg(all(target_os = "linux", target_arch = "x86_64", target_env = "gnu"))]
fn ldd_calls_it_not_dynamic() {
    let b = binary();
    let path = b.to_str().unwrap();
    // glibc's ldd: "not a dynamic executable" (static) or "statically linked" (static-pie).
    let (_, text) = output("ldd", &[path]).expect("ldd (libc-bin) is installed");
    note(&format!("ldd {path}: {}", text.trim()));
    assert!(
        text.contains("not a dynamic executable") || text.contains("statically linked"),
        "ldd says it is dynamic:\n{text}"
    );
    assert!(!text.contains("=>"), "ldd lists shared libraries:\n{text}");
    if let Some((_, text)) = output("file", &["-b", path]) {
        note(&format!("file: {}", text.trim()));
        assert!(
            text.contains("statically linked") || text.contains("static-pie linked"),
            "{text}"
        );
    }
    // No dynamic section, no interpreter: what ldd infers, read from the ELF.
    let (ok, text) = output("readelf", &["-lW", path]).expect("readelf (binutils)");
    assert!(ok, "{text}");
    assert!(!text.contains("INTERP"), "an ELF interpreter:\n{text}");
}

/// glibc's NSS functions (getpwnam, getaddrinfo, …) in a static binary load
/// shared modules at run time, from the glibc they were linked with. None may
/// be in the binary: users and groups are read from the root's etc files.
#[test]
#[cfg(all(target_os = "linux", target_arch = "x86_64", target_env = "gnu"))]
fn no_nss_lookup_is_linked_in() {
    let b = binary();
    let (ok, text) = output("nm", &[b.to_str().unwrap()]).expect("nm (binutils)");
    assert!(ok, "nm: {text}");
    let defined: Vec<&str> = text
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (_, kind, name) = (f.next()?, f.next()?, f.next()?);
            "TtWw".contains(kind).then_some(name)
        })
        .collect();
    assert!(
        defined.len() > 1000,
        "a symbol table: {} symbols",
        defined.len()
    );
    assert!(
        defined.contains(&"main"),
        "main is listed, so the table is whole"
    );
    for nss in [
        "getpwnam",
        "getpwnam_r",
        "getpwuid",
        "getpwuid_r",
        "getpwent",
        "getgrnam",
        "getgrnam_r",
        "getgrgid",
        "getgrgid_r",
        "getgrent",
        "getgrouplist",
        "initgroups",
        "getaddrinfo",
        "gethostbyname",
        "gethostbyname2_r",
        "gethostbyaddr",
        "getservbyname_r",
        "getspnam",
    ] {
        assert!(
            !defined.contains(&nss),
            "{nss} is linked in: it needs NSS modules at run time"
        );
    }
}

/// The real proof: a chroot with nothing in it but the binary and a support
/// bundle (no /lib, no /etc, no /proc), where check gives the same report as
/// outside. Needs root (chroot); CI runs as root.
#[test]
#[cfg(all(target_os = "linux", target_arch = "x86_64", target_env = "gnu"))]
fn it_runs_in_an_empty_chroot() {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        assert!(std::env::var("CI").is_err(), "CI runs as root");
        crate::common::skipped("not root: the empty-chroot run");
        return;
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("empty-chroot");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(binary(), dir.join("sriov-doctor")).unwrap();
    let bundle = dir.join("host.json");
    let made = Command::new(binary())
        .args([
            "bundle",
            "--root",
            "tests/hosts/seed-host-driver/root",
            "-o",
        ])
        .arg(&bundle)
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let outside = Command::new(binary())
        .args(["check", "--bundle"])
        .arg(&bundle)
        .args(["-d", "03:10.0", "--format", "json"])
        .output()
        .unwrap();
    // Found on this PATH: the child gets an empty environment.
    let chroot = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join("chroot"))
        .find(|p| p.is_file())
        .expect("chroot (coreutils)");
    let inside = Command::new(chroot)
        .arg(&dir)
        .args(["/sriov-doctor", "check", "--bundle", "/host.json"])
        .args(["-d", "03:10.0", "--format", "json"])
        .env_clear()
        .output()
        .unwrap();
    let entries: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(entries.len(), 2, "nothing but the binary and the bundle");
    assert_eq!(
        inside.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&inside.stderr)
    );
    // The bundle's name is shown as given, so compare the findings.
    let findings = |out: &[u8]| {
        let v: serde_json::Value = serde_json::from_slice(out).unwrap();
        v["findings"].clone()
    };
    assert_eq!(findings(&inside.stdout), findings(&outside.stdout));
    let text = String::from_utf8_lossy(&inside.stdout);
    assert!(text.contains("device.host-driver"), "{text}");
}
