//! Real samples for the parsers' tests: files from the bundles of real
//! Debian kernels in QEMU (tests/captures/), and from the test hosts and
//! the corpus. Read at test time only.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;

/// A file of the repository, by its path from the top.
pub fn repo_file(path: &str) -> Vec<u8> {
    let p = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// The content of `path` (or a link's target) in the capture `tests/captures/{capture}.json`
/// (for example `6.12/ready`).
pub fn captured(capture: &str, path: &str) -> Vec<u8> {
    let bundle: serde_json::Value =
        serde_json::from_slice(&repo_file(&format!("tests/captures/{capture}.json"))).unwrap();
    let entry = bundle["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == path)
        .unwrap_or_else(|| panic!("{capture}: no {path}"));
    match (entry["text"].as_str(), entry["base64"].as_str()) {
        (Some(t), _) => t.as_bytes().to_vec(),
        (None, Some(b)) => BASE64.decode(b).unwrap(),
        // A link: its target.
        _ => match entry["target"].as_str() {
            Some(t) => t.as_bytes().to_vec(),
            None => panic!("{capture}: {path} has no content"),
        },
    }
}

/// The pid of the process that holds a VFIO group open in the capture
/// (the test bed's holder): its pid differs from one boot to the next.
pub fn captured_holder_pid(capture: &str) -> u32 {
    let bundle: serde_json::Value =
        serde_json::from_slice(&repo_file(&format!("tests/captures/{capture}.json"))).unwrap();
    bundle["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["target"]
                .as_str()
                .and_then(|t| t.strip_prefix("/dev/vfio/"))
                .is_some_and(|g| g.bytes().all(|b| b.is_ascii_digit()))
        })
        .find_map(|e| {
            let path = e["path"].as_str()?;
            let rest = path.strip_prefix("/proc/")?;
            let (pid, fd) = rest.split_once('/')?;
            fd.starts_with("fd/").then(|| pid.parse().ok())?
        })
        .unwrap_or_else(|| panic!("{capture}: no process holds a VFIO group"))
}

/// [`captured`], as text.
pub fn captured_text(capture: &str, path: &str) -> String {
    String::from_utf8(captured(capture, path)).unwrap()
}
