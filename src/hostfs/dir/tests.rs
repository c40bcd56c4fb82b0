use super::*;
use crate::hostfs::resolve;
use std::os::unix::fs::symlink;

fn tree() -> (tempdir::Dir, DirFs) {
    let d = tempdir::Dir::new();
    let r = d.path();
    fs::create_dir_all(r.join("sys/devices/pci0000:00/0000:00:01.0")).unwrap();
    fs::write(
        r.join("sys/devices/pci0000:00/0000:00:01.0/vendor"),
        "0x8086\n",
    )
    .unwrap();
    fs::create_dir_all(r.join("sys/bus/pci/devices")).unwrap();
    symlink(
        "../../../devices/pci0000:00/0000:00:01.0",
        r.join("sys/bus/pci/devices/0000:00:01.0"),
    )
    .unwrap();
    symlink("/etc/shadow", r.join("sys/escape")).unwrap();
    symlink("../../../../../../etc", r.join("sys/bus/up")).unwrap();
    symlink("loop2", r.join("sys/loop1")).unwrap();
    symlink("loop1", r.join("sys/loop2")).unwrap();
    let fs = DirFs::tree(r).unwrap();
    (d, fs)
}

#[test]
fn follows_relative_links_inside_the_root() {
    let (_d, fs) = tree();
    assert_eq!(
        fs.read_text("/sys/bus/pci/devices/0000:00:01.0/vendor")
            .unwrap(),
        "0x8086"
    );
    assert_eq!(
        fs.canonical("/sys/bus/pci/devices/0000:00:01.0").unwrap(),
        "/sys/devices/pci0000:00/0000:00:01.0"
    );
    assert_eq!(
        fs.read_link("/sys/bus/pci/devices/0000:00:01.0").unwrap(),
        "../../../devices/pci0000:00/0000:00:01.0"
    );
}

#[test]
fn never_leaves_the_root() {
    let (_d, fs) = tree();
    let e = fs.read("/sys/escape").unwrap_err();
    assert_eq!(e.kind, FsErrorKind::LinkEscapesRoot("/etc/shadow".into()));
    let e = fs.read("/sys/bus/up/passwd").unwrap_err();
    assert!(matches!(e.kind, FsErrorKind::LinkEscapesRoot(_)), "{e}");
    let e = fs.read("/../../etc/passwd").unwrap_err();
    assert!(matches!(e.kind, FsErrorKind::LinkEscapesRoot(_)), "{e}");
    // The link itself is a value that can be read.
    assert_eq!(fs.read_link("/sys/escape").unwrap(), "/etc/shadow");
}

/// A directory reached through a link in a resolved directory (the
/// short cut of `resolve_via_parent`) resolves as the full walk does,
/// for every shape of link, and its files read the same.
#[test]
fn resolving_through_a_parent_agrees_with_the_full_walk() {
    let (d, _) = tree();
    let r = d.path();
    let bus = r.join("sys/bus/pci/devices");
    symlink("0000:00:01.0", bus.join("to_link")).unwrap();
    symlink(
        "../../../devices/pci0000:00/0000:00:01.0/vendor",
        bus.join("to_file"),
    )
    .unwrap();
    symlink("../../../../../../../etc", bus.join("escapes")).unwrap();
    symlink("/sys/devices/pci0000:00", bus.join("absolute")).unwrap();
    symlink(
        "../../../devices/pci0000:00/./0000:00:01.0/..",
        bus.join("dots"),
    )
    .unwrap();
    symlink("../../../devices/pci0000:00/nothing", bus.join("dangling")).unwrap();
    symlink("../../../devices", bus.join("plain")).unwrap();
    fs::create_dir_all(r.join("sys/devices/pci0000:00/0000:00:01.0/sub")).unwrap();
    for name in [
        "0000:00:01.0",
        "to_link",
        "to_file",
        "escapes",
        "absolute",
        "dots",
        "dangling",
        "plain",
        "nothing",
    ] {
        let path = format!("/sys/bus/pci/devices/{name}");
        // A fresh root each time, so that no cache answers for another.
        let fs = DirFs::tree(r).unwrap();
        let walked = resolve::resolve(&fs, &path, true).map(|c| key(&c));
        assert_eq!(
            fs.canonical(&path).map_err(|e| e.kind),
            walked.map_err(|e| e.kind),
            "{name}"
        );
        let fs = DirFs::tree(r).unwrap();
        let want = resolve::resolve(&fs, &format!("{path}/vendor"), true).map(|c| key(&c));
        let fs = DirFs::tree(r).unwrap();
        let read = fs.read_text(&format!("{path}/vendor"));
        assert_eq!(read.is_ok(), want.is_ok(), "{name}/vendor");
        let fs = DirFs::tree(r).unwrap();
        let _ = fs.canonical(&path);
        assert_eq!(
            fs.canonical(&format!("{path}/sub")).map_err(|e| e.kind),
            resolve::resolve(&fs, &format!("{path}/sub"), true)
                .map(|c| key(&c))
                .map_err(|e| e.kind),
            "{name}/sub"
        );
    }
}

#[test]
fn loops_and_missing_files_are_errors() {
    let (_d, fs) = tree();
    assert_eq!(
        fs.read("/sys/loop1").unwrap_err().kind,
        FsErrorKind::LinkLoop
    );
    assert!(fs.read("/sys/nothing").unwrap_err().is_not_found());
    assert!(!fs.exists("/sys/nothing").unwrap());
    assert_eq!(
        fs.read("/sys/devices/pci0000:00/0000:00:01.0/vendor/x")
            .unwrap_err()
            .kind,
        FsErrorKind::NotADirectory
    );
}

#[test]
fn metadata_overlay_sets_owner_mode_and_device_nodes() {
    let (d, _) = tree();
    fs::create_dir_all(d.path().join("dev/vfio")).unwrap();
    fs::write(d.path().join("dev/vfio/17"), "").unwrap();
    fs::write(
        d.path().join(META_FILE),
        "[[entry]]\npath = \"dev/vfio/17\"\ntype = \"char\"\nmajor = 243\nminor = 0\nmode = \"0600\"\nuid = 107\ngid = 107\n",
    )
    .unwrap();
    let fs = DirFs::tree(d.path()).unwrap();
    let md = fs.metadata("/dev/vfio/17").unwrap();
    assert_eq!(md.kind, EntryKind::CharDevice);
    assert_eq!(md.device, Some((243, 0)));
    assert_eq!((md.mode, md.uid, md.gid), (0o600, 107, 107));
    assert!(!fs.list_dir("/").unwrap().contains(&META_FILE.to_string()));
}

/// A temporary directory removed on drop, without another crate.
mod tempdir {
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicUsize, Ordering};

    pub struct Dir(PathBuf);
    static N: AtomicUsize = AtomicUsize::new(0);

    impl Dir {
        pub fn new() -> Dir {
            let n = N.fetch_add(1, Ordering::SeqCst);
            let p =
                std::env::temp_dir().join(format!("sriov-doctor-test-{}-{n}", std::process::id()));
            let _ = std::fs::remove_dir_all(&p);
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
        pub fn path(&self) -> &Path {
            &self.0
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
