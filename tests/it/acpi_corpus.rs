//! The DMAR and IVRS decoders against every real table in the shared corpus
//! (corpus/acpi): each field ACPICA's `iasl -d` prints (in the
//! `.dsl` next to each `.bin`) must be one of ours, at the same offset and
//! length, with the same value. Then robustness: every truncation and a
//! fixed set of mutations of every table must decode without a panic or a
//! hang, and a truncated table must say where and why it stopped.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use sriov_doctor::formats::acpi::{dmar, ivrs, Field, FieldValue, Stop};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/acpi");

fn tables(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(CORPUS).join(kind);
    let mut out: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .collect();
    out.sort();
    out
}

/// A value as iasl prints it.
#[derive(Debug, Clone, PartialEq)]
enum Dsl {
    Int(u64),
    Str(String),
    Bytes(Vec<u8>),
}

#[derive(Debug)]
struct DslField {
    line: usize,
    offset: usize,
    len: usize,
    name: String,
    value: Dsl,
}

fn hex(text: &str) -> Result<u64, String> {
    u64::from_str_radix(text, 16).map_err(|e| format!("'{text}' is not hex: {e}"))
}

/// Parses one field line, `[030h 0048 001h]   Subtable Type : 00 [label]`.
/// Other lines (comments, decoded flag bits, the raw dump) give `None`.
fn dsl_line(line: &str) -> Option<Result<(usize, usize, String, Dsl), String>> {
    let rest = line.strip_prefix('[')?;
    Some((|| {
        let (pos, rest) = rest.split_once(']').ok_or("no ']'")?;
        let parts: Vec<&str> = pos.split_whitespace().collect();
        let [hex_off, dec_off, len] = parts[..] else {
            return Err(format!("bad position '{pos}'"));
        };
        let offset = hex(hex_off.trim_end_matches('h'))? as usize;
        if dec_off.parse::<usize>().map_err(|e| e.to_string())? != offset {
            return Err(format!("offsets disagree in '{pos}'"));
        }
        let len = hex(len.trim_end_matches('h'))? as usize;
        let (name, value) = rest.split_once(" : ").ok_or("no ' : '")?;
        let value = value.trim();
        let value = if let Some(s) = value.strip_prefix('"') {
            let end = s.find('"').ok_or("unterminated string")?;
            Dsl::Str(s[..end].to_string())
        } else {
            // Drop a trailing `[label]`.
            let value = value.split(" [").next().unwrap_or("").trim();
            if value.contains(',') {
                Dsl::Bytes(
                    value
                        .split(',')
                        .map(|b| hex(b).map(|v| v as u8))
                        .collect::<Result<_, _>>()?,
                )
            } else {
                let tokens: Vec<&str> = value.split_whitespace().collect();
                match tokens[..] {
                    [one] => Dsl::Int(hex(one)?),
                    [] => return Err("no value".to_string()),
                    _ => Dsl::Bytes(
                        tokens
                            .iter()
                            .map(|b| hex(b).map(|v| v as u8))
                            .collect::<Result<_, _>>()?,
                    ),
                }
            }
        };
        Ok((offset, len, name.trim().to_string(), value))
    })())
}

struct Disassembly {
    fields: Vec<DslField>,
    /// iasl gave up at an IVRS block type it does not know.
    unknown_block_type: Option<u8>,
}

fn disassembly(dsl: &Path) -> Disassembly {
    let text = fs::read_to_string(dsl).unwrap_or_else(|e| panic!("{}: {e}", dsl.display()));
    let mut fields = Vec::new();
    let mut unknown_block_type = None;
    for (i, line) in text.lines().enumerate() {
        if let Some(t) = line
            .trim()
            .strip_prefix("**** Unknown IVRS subtable type 0x")
        {
            unknown_block_type = Some(hex(t.trim()).expect("type") as u8);
        }
        if let Some(parsed) = dsl_line(line) {
            let (offset, len, name, value) =
                parsed.unwrap_or_else(|e| panic!("{}:{}: {e}: {line}", dsl.display(), i + 1));
            fields.push(DslField {
                line: i + 1,
                offset,
                len,
                name,
                value,
            });
        }
    }
    Disassembly {
        fields,
        unknown_block_type,
    }
}

/// iasl shows a header string up to its first NUL with each other
/// non-printable byte as a space; we show such a byte as `\xNN` and keep
/// what follows. Bring ours to iasl's form (trailing spaces aside).
fn as_iasl_shows(ours: &str) -> String {
    let mut out = String::new();
    let mut rest = ours;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("\\x") {
            if after.len() >= 2 && after.is_char_boundary(2) {
                if let Ok(b) = u8::from_str_radix(&after[..2], 16) {
                    if b == 0 {
                        break;
                    }
                    out.push(' ');
                    rest = &after[2..];
                    continue;
                }
            }
        }
        let c = rest.chars().next().expect("not empty");
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out.trim_end().to_string()
}

fn agrees(ours: &FieldValue, theirs: &Dsl) -> bool {
    match (ours, theirs) {
        (FieldValue::Int(a), Dsl::Int(b)) => a == b,
        (FieldValue::Bytes(a), Dsl::Bytes(b)) => a == b,
        (FieldValue::Str(a), Dsl::Str(b)) => as_iasl_shows(a) == b.trim_end(),
        _ => false,
    }
}

/// Compares our fields with iasl's; returns how many were compared and how
/// many of ours iasl does not print.
fn compare(
    name: &str,
    ours: &[Field],
    dsl: &Disassembly,
    problems: &mut Vec<String>,
) -> (usize, usize) {
    let mut by_place: HashMap<(usize, usize), &Field> = HashMap::new();
    for f in ours {
        if let Some(dup) = by_place.insert((f.offset, f.len), f) {
            problems.push(format!(
                "{name}: two fields of ours at {:#x}+{}: {dup:?} and {f:?}",
                f.offset, f.len
            ));
        }
    }
    let mut compared = 0;
    for d in &dsl.fields {
        match by_place.get(&(d.offset, d.len)) {
            None => problems.push(format!(
                "{name}.dsl:{}: iasl prints '{}' at {:#x} ({} bytes) = {:?}; we have no field there",
                d.line, d.name, d.offset, d.len, d.value
            )),
            Some(f) if !agrees(&f.value, &d.value) => problems.push(format!(
                "{name}.dsl:{}: '{}' at {:#x} ({} bytes): iasl {:?}, ours ({}) {:?}",
                d.line, d.name, d.offset, d.len, d.value, f.name, f.value
            )),
            Some(_) => compared += 1,
        }
    }
    let theirs: std::collections::HashSet<(usize, usize)> =
        dsl.fields.iter().map(|d| (d.offset, d.len)).collect();
    let extra = ours
        .iter()
        .filter(|f| !theirs.contains(&(f.offset, f.len)))
        .count();
    (compared, extra)
}

#[test]
#[allow(clippy::disallowed_macros)]
fn every_corpus_table_agrees_with_iasl() {
    let mut problems = Vec::new();
    let (mut compared, mut extra) = (0, 0);
    let dmars = tables("dmar");
    let ivrss = tables("ivrs");
    let mut unknown_blocks = 0;

    for bin in &dmars {
        let name = bin.file_stem().unwrap().to_string_lossy().to_string();
        let bytes = fs::read(bin).unwrap();
        let d = dmar::parse(&bytes);
        if !d.checksum_ok {
            problems.push(format!("{name}: checksum not ok"));
        }
        if let Some(stop) = &d.stop {
            problems.push(format!("{name}: stopped early: {stop:?}"));
        }
        let dsl = disassembly(&bin.with_extension("dsl"));
        let (c, e) = compare(&name, &d.fields(), &dsl, &mut problems);
        compared += c;
        extra += e;
    }

    for bin in &ivrss {
        let name = bin.file_stem().unwrap().to_string_lossy().to_string();
        let bytes = fs::read(bin).unwrap();
        let i = ivrs::parse(&bytes);
        if !i.checksum_ok {
            problems.push(format!("{name}: checksum not ok"));
        }
        if let Some(stop) = &i.stop {
            problems.push(format!("{name}: stopped early: {stop:?}"));
        }
        let dsl = disassembly(&bin.with_extension("dsl"));
        if let Some(ty) = dsl.unknown_block_type {
            // iasl stops at a block type it does not know; we must keep the
            // block as Unknown and go on past it to the end of the table.
            unknown_blocks += 1;
            let last_iasl = dsl
                .fields
                .iter()
                .map(|d| d.offset + d.len)
                .max()
                .unwrap_or(0);
            let found = i
                .blocks
                .iter()
                .find(|b| b.block_type == ty && matches!(b.kind, ivrs::IvrsKind::Unknown { .. }));
            match found {
                None => problems.push(format!("{name}: no Unknown block of type {ty:#x}")),
                Some(b) if b.offset < last_iasl => problems.push(format!(
                    "{name}: Unknown block at {:#x} lies inside what iasl decoded (to {last_iasl:#x})",
                    b.offset
                )),
                Some(_) => {}
            }
            let end = i
                .blocks
                .last()
                .map(|b| b.offset + usize::from(b.length))
                .unwrap_or(0);
            if end != i.header.length as usize {
                problems.push(format!(
                    "{name}: blocks end at {end:#x}, not at the table's end"
                ));
            }
        }
        let (c, e) = compare(&name, &i.fields(), &dsl, &mut problems);
        compared += c;
        extra += e;
    }

    assert!(
        problems.is_empty(),
        "{} disagreement(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert_eq!(dmars.len(), 110, "DMAR tables in the corpus");
    assert_eq!(ivrss.len(), 31, "IVRS tables in the corpus");
    assert_eq!(
        unknown_blocks, 2,
        "IVRS tables where iasl meets an unknown block"
    );
    println!(
        "{} DMAR and {} IVRS tables, {compared} fields compared, all agree \
         ({extra} more fields of ours that iasl does not print)",
        dmars.len(),
        ivrss.len()
    );
}

/// A small deterministic PRNG (xorshift64).
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Decodes `bytes` with both decoders, lists the fields, and checks what
/// can be checked of any input. Returns the stops.
fn decode_all(bytes: &[u8]) -> [Option<Stop>; 2] {
    let d = dmar::parse(bytes);
    let i = ivrs::parse(bytes);
    for f in d.fields().iter().chain(i.fields().iter()) {
        assert!(f.offset + f.len <= bytes.len(), "field past the end: {f:?}");
    }
    let limit = (d.header.length as usize).min(bytes.len());
    for s in &d.structures {
        assert!(s.offset + usize::from(s.length) <= limit, "{s:?}");
        assert!(s.length >= 4);
    }
    for b in &i.blocks {
        assert!(b.offset + usize::from(b.length) <= limit, "{b:?}");
    }
    for stop in [&d.stop, &i.stop].into_iter().flatten() {
        assert!(
            stop.offset <= bytes.len(),
            "{stop:?} in {} bytes",
            bytes.len()
        );
        assert!(!stop.reason.is_empty());
    }
    [d.stop, i.stop]
}

/// Offsets of the length fields of a table (structures, blocks, scopes,
/// HID entries), with their width in bytes.
fn length_sites(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut sites = vec![(4, 4)];
    let d = dmar::parse(bytes);
    for s in &d.structures {
        sites.push((s.offset + 2, 2));
        for sc in s.kind.scopes() {
            sites.push((sc.offset + 1, 1));
        }
    }
    let i = ivrs::parse(bytes);
    for b in &i.blocks {
        sites.push((b.offset + 2, 2));
        if let ivrs::IvrsKind::Ivhd { entries, .. } = &b.kind {
            for e in entries {
                if e.entry_type == ivrs::ENTRY_ACPI_HID {
                    sites.push((e.offset + 21, 1));
                }
            }
        }
    }
    sites
}

fn mutate(bytes: &mut [u8], sites: &[(usize, usize)], rng: &mut XorShift) {
    match rng.below(4) {
        0 | 1 => {
            let at = rng.below(bytes.len());
            bytes[at] ^= (rng.below(255) + 1) as u8;
        }
        _ => {
            let (at, width) = sites[rng.below(sites.len())];
            let value: u64 = match rng.below(5) {
                0 => 0,
                1 => 1,
                2 => u64::MAX,
                3 => rng.below(64) as u64,
                _ => rng.next(),
            };
            for k in 0..width {
                if let Some(b) = bytes.get_mut(at + k) {
                    *b = (value >> (8 * k)) as u8;
                }
            }
        }
    }
}

/// Runs `work` on its own thread and fails if it takes longer than `limit`
/// (a decoder that loops forever), or panics.
fn within(limit: Duration, work: impl FnOnce() -> usize + Send + 'static) -> usize {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::spawn(move || {
        let n = work();
        let _ = tx.send(n);
    });
    match rx.recv_timeout(limit) {
        Ok(n) => {
            handle.join().expect("worker");
            n
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => match handle.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => panic!("worker ended without a result"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("decoding took longer than {limit:?}: a loop?")
        }
    }
}

#[test]
#[allow(clippy::disallowed_macros)]
fn truncated_and_mutated_tables_decode_without_panic_or_hang() {
    let files: Vec<PathBuf> = tables("dmar").into_iter().chain(tables("ivrs")).collect();
    assert_eq!(files.len(), 141);
    let runs = within(Duration::from_secs(120), move || {
        let mut runs = 0;
        for (index, path) in files.iter().enumerate() {
            let bytes = fs::read(path).unwrap();
            let is_dmar = bytes.starts_with(b"DMAR");
            for n in 0..bytes.len() {
                let stops = decode_all(&bytes[..n]);
                let stop = if is_dmar { &stops[0] } else { &stops[1] };
                let stop = stop.as_ref().unwrap_or_else(|| {
                    panic!(
                        "{}: truncated to {n} bytes, no stop reported",
                        path.display()
                    )
                });
                assert!(stop.offset <= n);
                runs += 1;
            }
            let sites = length_sites(&bytes);
            let mut rng = XorShift(0x9E37_79B9_7F4A_7C15 ^ (index as u64 + 1));
            for _ in 0..200 {
                let mut m = bytes.clone();
                for _ in 0..=rng.below(3) {
                    mutate(&mut m, &sites, &mut rng);
                }
                decode_all(&m);
                runs += 1;
            }
        }
        runs
    });
    println!("{runs} truncated or mutated tables decoded");
}

#[test]
fn the_multi_hop_rmrr_scopes_of_the_hp_proliant() {
    let bytes = fs::read(
        Path::new(CORPUS).join("dmar/linuxhw_Server_HP_ProLiant-DL380e-Gen8_CB05571909C8.bin"),
    )
    .unwrap();
    let d = dmar::parse(&bytes);
    let rmrrs: Vec<_> = d
        .structures
        .iter()
        .filter(|s| matches!(s.kind, dmar::DmarKind::Rmrr { .. }))
        .collect();
    assert_eq!(rmrrs.len(), 9);
    let multi_hop = rmrrs
        .iter()
        .flat_map(|s| s.kind.scopes())
        .filter(|sc| sc.path.len() == 2)
        .count();
    assert!(multi_hop > 0);
    // The header's non-ASCII compiler id is shown escaped, not dropped.
    assert_eq!(d.header.creator_id, "\\xd2\\x04");
}

#[test]
fn the_comparison_catches_a_wrong_value_and_a_missing_field() {
    let bin = Path::new(CORPUS).join("dmar/linuxhw_Mini-Pc_ASUS_NUC14RVH-B_85078AD9A204.bin");
    let d = dmar::parse(&fs::read(&bin).unwrap());
    let dsl = disassembly(&bin.with_extension("dsl"));
    let mut fields = d.fields();
    let mut problems = Vec::new();
    assert_eq!(
        compare("nuc", &fields, &dsl, &mut problems).0,
        dsl.fields.len()
    );
    assert!(problems.is_empty(), "{problems:?}");

    let path = fields.iter().position(|f| f.name == "PCI Path").unwrap();
    fields[path].value = FieldValue::Bytes(vec![2, 1]);
    let haw = fields.iter().position(|f| f.offset == 36).unwrap();
    fields.remove(haw);
    compare("nuc", &fields, &dsl, &mut problems);
    assert_eq!(problems.len(), 2, "{problems:?}");
}

#[test]
fn iasl_string_forms() {
    assert_eq!(as_iasl_shows("\\xd2\\x04"), "");
    assert_eq!(as_iasl_shows("\\x01"), "");
    assert_eq!(as_iasl_shows("SKL"), "SKL");
    assert_eq!(as_iasl_shows("A\\x00B"), "A");
    assert_eq!(as_iasl_shows("\\_SB.FUR0"), "\\_SB.FUR0");
    assert!(agrees(
        &FieldValue::Str("HP".into()),
        &Dsl::Str("HP    ".into())
    ));
    assert!(!agrees(&FieldValue::Int(1), &Dsl::Bytes(vec![1])));
    assert_eq!(
        dsl_line("[046h 0070 002h]                    PCI Path : 02,00")
            .unwrap()
            .unwrap()
            .3,
        Dsl::Bytes(vec![2, 0])
    );
    assert_eq!(
        dsl_line("[030h 0048 002h]               Subtable Type : 0000 [Hardware Unit Definition]")
            .unwrap()
            .unwrap()
            .3,
        Dsl::Int(0)
    );
    assert!(dsl_line("                          Size (pages, log2) : 0").is_none());
}
