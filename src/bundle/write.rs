//! Writing a bundle: to standard output, or to a file through a temporary
//! file beside it, renamed into place.

use std::io::Write;
use std::path::Path;

use super::Bundle;

/// Refuses an output path that exists (a file, a link, even a dangling
/// one) unless `force`: asked before the capture, so that nobody waits for
/// a bundle that will not be written. `-` is standard output.
pub fn check_output(out: Option<&Path>, force: bool) -> Result<(), String> {
    match out {
        Some(p) if p != Path::new("-") && !force => match std::fs::symlink_metadata(p) {
            Ok(md) => Err(format!(
                "{}: {} exists, not overwritten (--force replaces it{})",
                p.display(),
                if md.file_type().is_symlink() {
                    "a link"
                } else {
                    "a file"
                },
                if md.file_type().is_symlink() {
                    "; the link itself, never what it points to"
                } else {
                    ""
                }
            )),
            Err(_) => Ok(()),
        },
        _ => Ok(()),
    }
}

/// Writes the bundle as it is serialized: to standard output for None or
/// `-`, else to a temporary file beside `out` (gzip-compressed when its
/// name ends in `.gz`), synced, then renamed into place: a failure leaves
/// nothing half-written, and a link at `out` is replaced, never followed.
/// Without `force`, a file that appeared at `out` meanwhile is not replaced.
pub fn write(b: &Bundle, out: Option<&Path>, force: bool) -> Result<(), String> {
    let path = match out {
        None => return crate::output::stdout_json(b),
        Some(p) if p == Path::new("-") => return crate::output::stdout_json(b),
        Some(p) => p,
    };
    check_output(Some(path), force)?;
    let shown = path.display();
    let fail = |e: std::io::Error| format!("{shown}: {e}");
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".sriov-doctor-bundle-")
        .tempfile_in(dir)
        .map_err(fail)?;
    {
        let file = std::io::BufWriter::with_capacity(64 * 1024, tmp.as_file());
        let json = |mut w: Box<dyn std::io::Write + '_>| -> std::io::Result<()> {
            serde_json::to_writer_pretty(&mut w, b)?;
            w.write_all(b"\n")?;
            w.flush()
        };
        if path.to_string_lossy().ends_with(".gz") {
            let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
            json(Box::new(&mut gz)).map_err(fail)?;
            gz.finish().and_then(|mut f| f.flush()).map_err(fail)?;
        } else {
            let mut file = file;
            json(Box::new(&mut file)).map_err(fail)?;
        }
    }
    tmp.as_file().sync_all().map_err(fail)?;
    if force {
        tmp.persist(path).map_err(|e| fail(e.error))?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| fail(e.error))?;
    }
    Ok(())
}

/// A hash of the built-in rule and signature texts (FNV-1a, 64 bits), so a
/// bundle says which rules made its report.
pub fn rules_version() -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, text) in crate::rules::BUILTIN_RULES
        .iter()
        .chain(crate::rules::BUILTIN_SIGNATURES)
    {
        for b in name.bytes().chain([0]).chain(text.bytes()).chain([0]) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("fnv1a64:{h:016x}")
}
