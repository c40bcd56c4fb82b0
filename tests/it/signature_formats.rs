//! Every signature is grounded in the source: it cites the format strings
//! of the programs that print its message (corpus/formats/formats.jsonl
//! quotes them, with where they are and in which versions), and its pattern
//! matches each of them once expanded with sample values, with the prefix
//! the program puts before it. A signature for a message no source prints
//! as such (a shell's own error) says so with `unsourced`.

use std::collections::BTreeSet;

/// The quoted format strings: formats.jsonl (researched for issue 19) and
/// added.jsonl (looked up while writing the signatures).
const FORMATS: &str = "corpus/formats";

fn format_lines() -> Vec<String> {
    let mut out = Vec::new();
    for name in ["formats.jsonl", "added.jsonl"] {
        let text = std::fs::read_to_string(format!("{FORMATS}/{name}"))
            .unwrap_or_else(|e| panic!("{FORMATS}/{name}: {e}"));
        out.extend(
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string),
        );
    }
    out
}

struct Cite {
    program: String,
    format: String,
    source: String,
    prefix: String,
    suffix: String,
    args: Vec<String>,
}

struct Sig {
    id: String,
    pattern: regex::Regex,
    cites: Vec<Cite>,
    unsourced: Option<String>,
}

fn signatures() -> Vec<Sig> {
    let mut out = Vec::new();
    for (id, v) in crate::common::signature_tomls() {
        let s = |t: &toml::Value, k: &str| {
            t.get(k)
                .and_then(|x| x.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let cites = v
            .get("format")
            .and_then(|f| f.as_array())
            .map(|a| {
                a.iter()
                    .map(|t| Cite {
                        program: s(t, "program"),
                        format: s(t, "format"),
                        source: s(t, "source"),
                        prefix: s(t, "prefix"),
                        suffix: s(t, "suffix"),
                        args: t
                            .get("args")
                            .and_then(|x| x.as_array())
                            .map(|a| {
                                a.iter()
                                    .map(|x| x.as_str().unwrap_or_default().to_string())
                                    .collect()
                            })
                            .unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push(Sig {
            id,
            pattern: regex::Regex::new(v["pattern"].as_str().unwrap()).unwrap(),
            cites,
            unsourced: v
                .get("unsourced")
                .and_then(|x| x.as_str())
                .map(str::to_string),
        });
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// (program, format) → the repositories its records name.
fn quoted_formats() -> Vec<(String, String, String)> {
    format_lines()
        .iter()
        .map(|l| {
            let v: serde_json::Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("{FORMATS}: {e}: {l}"));
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            (s("program"), s("format"), s("source"))
        })
        .collect()
}

/// How a program writes its placeholders.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Style {
    /// printf: %s %d %i %u %x %lx %llx %#x %02x %p %pR %m, and the C macros
    /// pasted in (" PCI_PRI_FMT ", %"HWADDR_PRIx").
    C,
    /// format!: {} {:?} {:#x} {0} {name}.
    Rust,
    /// %s %(name)s, and str.format's {} {name}.
    Python,
    /// fmt: %v %+v %s %d %q %w.
    Go,
    /// Perl's interpolated strings: $id, $reservation->{vmid}, hostpci$i.
    Perl,
}

fn style(program: &str) -> Style {
    match program {
        "cloud-hypervisor" | "rust-vmm" | "firecracker" | "mdevctl" | "kata-runtime-rs"
        | "crosvm" => Style::Rust,
        "nova" | "pcileech-fw-generator" | "dpdk-devbind" | "truenas-middleware" => Style::Python,
        "sriov-device-plugin"
        | "sriov-cni"
        | "sriov-network-operator"
        | "kubevirt"
        | "kube-scheduler"
        | "incus"
        | "lxd"
        | "kata-runtime" => Style::Go,
        "qemu-server" | "driverctl" => Style::Perl,
        _ => Style::C,
    }
}

/// The sample a placeholder takes when the cite gives no value: a PCI
/// address for a string (most of these messages name a device), a group
/// number for an integer.
fn sample(kind: &str) -> String {
    let s = match kind {
        "d" | "i" | "u" | "ld" | "lu" | "zu" | "hd" | "hhu" => "7",
        "x" | "X" | "02x" | "2x" | "04x" | "4x" => "1f",
        "lx" | "llx" | "Lx" | "016llx" => "fee00000",
        "#x" | "#lx" | "#llx" => "0x1f",
        "p" => "0x55c894f82af0",
        "pR" | "pr" => "[mem 0xa0000000-0xa1ffffff 64bit pref]",
        "pd" => "d1",
        "pp" => "0000:03:10.0",
        "pe" => "-EIO",
        "pM" => "52:54:00:12:34:56",
        "m" => "Invalid argument",
        "c" => "x",
        "q" => "\"0000:03:10.0\"",
        _ => "0000:03:10.0",
    };
    s.to_string()
}

/// C escapes of a quoted format string, resolved.
fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// The format with each placeholder replaced by the next of `args`, or by
/// its kind's sample once `args` runs out.
fn expand(format: &str, style: Style, args: &mut std::slice::Iter<'_, String>) -> String {
    let mut take = |kind: &str| args.next().cloned().unwrap_or_else(|| sample(kind));
    // C macros pasted between literals: "... " PCI_PRI_FMT " ..." and
    // %"HWADDR_PRIx".
    let mut text = format.to_string();
    if style == Style::C {
        for (mac, conv) in [
            ("\" PCI_PRI_FMT \"", "%s"),
            ("\" PCI_BDF \"", "%s"),
            ("\"PCI_BDF", "%s"),
            ("FW_BUG \"", "[Firmware Bug]: "),
            ("%\"HWADDR_PRIx\"", "%lx"),
            ("%\"PRIx64\"", "%lx"),
            ("%\"PRIu64\"", "%u"),
        ] {
            text = text.replace(mac, conv);
        }
    }
    let text = unescape(&text);
    let spec = regex::Regex::new(
        r"^%(?:[0-9]+\$)?([-#+ 0]*)([0-9]*|\*)(?:\.([0-9]+|\*))?(hh|h|ll|l|L|z|j|t)?([diouxXcspmvqfgew])(R|r|d|p|e|M)?",
    )
    .unwrap();
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let rest: String = chars[i..].iter().collect();
        match (style, c) {
            (Style::C | Style::Python | Style::Go, '%') => {
                if chars.get(i + 1) == Some(&'%') {
                    out.push('%');
                    i += 2;
                    continue;
                }
                if style == Style::Python && chars.get(i + 1) == Some(&'(') {
                    if let Some(end) = rest.find(')') {
                        // %(name)s
                        let name = &rest[2..end];
                        out.push_str(&take(name_kind(name)));
                        i += rest[..end + 2].chars().count();
                        continue;
                    }
                }

                let Some(m) = spec.captures(&rest) else {
                    out.push(c);
                    i += 1;
                    continue;
                };
                let flags = m.get(1).map_or("", |x| x.as_str());
                let width = m.get(2).map_or("", |x| x.as_str());
                let conv = &m[5];
                let ext = m.get(6).map(|x| x.as_str());
                let kind = match (conv, ext) {
                    ("p", Some(e)) if style == Style::C => format!("p{e}"),
                    _ => {
                        let len = m.get(4).map_or("", |x| x.as_str());
                        if flags.contains('#') {
                            format!("#{len}{conv}")
                        } else if conv == "x" || conv == "X" {
                            format!("{width}{len}{conv}")
                        } else {
                            format!("{len}{conv}")
                        }
                    }
                };
                let mut v = take(&kind);
                // A width pads a string to it (virt-host-validate's %-60s).
                if let Ok(w) = width.parse::<usize>() {
                    if conv == "s" && v.chars().count() < w {
                        let pad = " ".repeat(w - v.chars().count());
                        v = if flags.contains('-') {
                            v + &pad
                        } else {
                            pad + &v
                        };
                    }
                }
                out.push_str(&v);
                let used = m[0].chars().count() - usize::from(ext.is_some() && conv != "p");
                i += used;
            }
            (Style::Rust | Style::Python, '{') => {
                if chars.get(i + 1) == Some(&'{') {
                    out.push('{');
                    i += 2;
                    continue;
                }
                let Some(end) = rest.find('}') else {
                    out.push(c);
                    i += 1;
                    continue;
                };
                let inner = &rest[1..end];
                let (name, spec) = inner.split_once(':').unwrap_or((inner, ""));
                let kind = if spec.contains('x') {
                    "#x"
                } else if name.chars().all(|c| c.is_ascii_digit()) {
                    "s"
                } else {
                    name_kind(name)
                };
                out.push_str(&take(kind));
                i += rest[..=end].chars().count();
            }
            (Style::Perl, '$') if chars.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic()) => {
                // A scalar, then any ->{key} or {key} lookups.
                let mut j = i + 1;
                while chars
                    .get(j)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
                {
                    j += 1;
                }
                let name: String = chars[i + 1..j].iter().collect();
                let mut last = name;
                loop {
                    let arrow = chars.get(j) == Some(&'-') && chars.get(j + 1) == Some(&'>');
                    let open = if arrow { j + 2 } else { j };
                    if chars.get(open) != Some(&'{') {
                        break;
                    }
                    let Some(close) = chars[open..].iter().position(|c| *c == '}') else {
                        break;
                    };
                    last = chars[open + 1..open + close].iter().collect();
                    j = open + close + 1;
                }
                out.push_str(&take(name_kind(&last)));
                i = j;
            }
            (Style::Rust | Style::Python, '}') if chars.get(i + 1) == Some(&'}') => {
                out.push('}');
                i += 2;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// The sample kind a named placeholder takes: a number for a group or a
/// count, a PCI address otherwise.
fn name_kind(name: &str) -> &'static str {
    match name {
        "group" | "group_num" | "compute_node_id" | "rc" | "errno" | "vmid" | "i" => "d",
        _ => "s",
    }
}

/// The lines a program prints for this cite.
fn expansion(c: &Cite) -> String {
    let st = style(&c.program);
    let mut args = c.args.iter();
    let prefix = expand(&c.prefix, st, &mut args);
    let body = expand(&c.format, st, &mut args);
    let body = body.strip_suffix('\n').unwrap_or(&body).to_string();
    let suffix = expand(&c.suffix, st, &mut args);
    format!("{prefix}{body}{suffix}")
}

#[test]
fn every_signature_cites_a_format_or_says_why_not() {
    let quoted = quoted_formats();
    let mut missing = Vec::new();
    for s in signatures() {
        match (&s.unsourced, s.cites.is_empty()) {
            (Some(why), _) => assert!(!why.trim().is_empty(), "{}: empty unsourced", s.id),
            (None, true) => missing.push(s.id.clone()),
            (None, false) => {}
        }
        for c in &s.cites {
            let repo = c.source.split(':').next().unwrap_or_default();
            assert!(
                quoted
                    .iter()
                    .any(|(p, f, src)| *p == c.program && *f == c.format && src.starts_with(repo)),
                "{}: the format {:?} of {} from {} is not quoted in {FORMATS}",
                s.id,
                c.format,
                c.program,
                repo
            );
        }
    }
    assert!(
        missing.is_empty(),
        "signatures citing no format and not saying why: {missing:?}"
    );
}

#[test]
fn every_signature_matches_each_format_it_cites() {
    let mut failed = Vec::new();
    let mut checked = 0;
    for s in signatures() {
        for c in &s.cites {
            let text = expansion(c);
            checked += 1;
            if !text.lines().any(|l| s.pattern.is_match(l)) {
                failed.push(format!("{}: {:?} expands to {text:?}", s.id, c.format));
            }
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {checked} cited formats not matched:\n{}",
        failed.len(),
        failed.join("\n")
    );
    assert!(checked >= 60, "only {checked} formats cited");
}

#[test]
fn every_quoted_format_is_complete_and_once() {
    let mut seen = BTreeSet::new();
    let mut n = 0;
    for l in &format_lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        for k in ["program", "format", "source", "versions"] {
            assert!(
                v[k].as_str().is_some_and(|x| !x.trim().is_empty()),
                "{FORMATS}: no {k}: {l}"
            );
        }
        let src = v["source"].as_str().unwrap();
        assert!(src.contains('/'), "{FORMATS}: source names no file: {l}");
        let key = (
            v["program"].as_str().unwrap().to_string(),
            v["format"].as_str().unwrap().to_string(),
            src.to_string(),
        );
        assert!(seen.insert(key), "{FORMATS}: twice: {l}");
        n += 1;
    }
    assert!(n >= 150, "only {n} formats");
}

/// The expander itself: each placeholder kind gets its sample, and the
/// macros and escapes of C sources are resolved.
#[test]
fn the_expander_fills_every_placeholder_kind() {
    let c = |f: &str| expand(f, Style::C, &mut [].iter());
    assert_eq!(
        c("%s: group %d is not viable\\n"),
        "0000:03:10.0: group 7 is not viable\n"
    );
    assert_eq!(
        c("%i %u %x %lx %llx %#x %02x"),
        "7 7 1f fee00000 fee00000 0x1f 1f"
    );
    assert_eq!(
        c("BAR %d: can't reserve %pR"),
        "BAR 7: can't reserve [mem 0xa0000000-0xa1ffffff 64bit pref]"
    );
    assert_eq!(
        c("VF MAC %pM: failed (%pe)"),
        "VF MAC 52:54:00:12:34:56: failed (-EIO)"
    );
    assert_eq!(
        c("vfio_dma_map(%p, 0x%\"HWADDR_PRIx\") = %d (%m)"),
        "vfio_dma_map(0x55c894f82af0, 0xfee00000) = 7 (Invalid argument)"
    );
    assert_eq!(
        c("Requested device \" PCI_PRI_FMT \" cannot be used"),
        "Requested device 0000:03:10.0 cannot be used"
    );
    assert_eq!(c("100%% %-6s|"), "100% 0000:03:10.0|");
    assert_eq!(c("%6s: x"), "0000:03:10.0: x");
    assert_eq!(c("%4s|"), "0000:03:10.0|");
    assert_eq!(
        expand("%8s|", Style::C, &mut ["QEMU".to_string()].iter()),
        "    QEMU|"
    );
    let r = |f: &str| expand(f, Style::Rust, &mut [].iter());
    assert_eq!(
        r("open {1} group: {0:?} {:#x} {{}}"),
        "open 0000:03:10.0 group: 0000:03:10.0 0x1f {}"
    );
    let p = |f: &str| expand(f, Style::Python, &mut [].iter());
    assert_eq!(
        p("PCI device %(compute_node_id)s:%(address)s %s {} {name}"),
        "PCI device 7:0000:03:10.0 0000:03:10.0 0000:03:10.0 0000:03:10.0"
    );
    let g = |f: &str| expand(f, Style::Go, &mut [].iter());
    assert_eq!(
        g("%v %s %d %q"),
        "0000:03:10.0 0000:03:10.0 7 \"0000:03:10.0\""
    );
    // Given values come first, in order.
    let args = ["vfio-pci".to_string(), "0000:af:00.1".to_string()];
    assert_eq!(
        expand("%s %s: %d", Style::C, &mut args.iter()),
        "vfio-pci 0000:af:00.1: 7"
    );
}
