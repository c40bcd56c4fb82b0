//! Why a selector leaves a resource no device, and the value that would
//! select the devices it left out.

use super::cand::Cand;
use crate::formats::pcidp_config::item_name;

pub(super) fn quoted(v: &[String]) -> String {
    let q: Vec<String> = v.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", q.join(", "))
}

fn distinct(it: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in it.filter(|s| !s.is_empty()) {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// Why `key` left nothing of `drop`, and the value that would select them.
pub(super) fn explain_empty(
    key: &str,
    values: &[String],
    drop: &[usize],
    cands: &[Cand],
    get: fn(&Cand) -> String,
) -> (String, Option<String>) {
    // The fix selects the VFs among the dropped, else all of them.
    let vfs: Vec<&Cand> = drop
        .iter()
        .map(|&i| &cands[i])
        .filter(|c| c.is_vf)
        .collect();
    let pool: Vec<&Cand> = if vfs.is_empty() {
        drop.iter().map(|&i| &cands[i]).collect()
    } else {
        vfs
    };
    let what = if pool.iter().all(|c| c.is_vf) {
        "VFs"
    } else {
        "devices"
    };
    let have = distinct(pool.iter().map(|c| get(c)));
    let mut why = format!(
        "\"{key}\": {} matches none of the {} {what} that reach it (theirs: {})",
        quoted(values),
        pool.len(),
        if have.is_empty() {
            "none".into()
        } else {
            have.join(", ")
        }
    );
    let mut fix = have.clone();
    if matches!(key, "vendors" | "devices")
        && values
            .iter()
            .any(|v| v.starts_with("0x") || v.chars().any(|c| c.is_ascii_uppercase()))
    {
        why.push_str("; the plugin compares ids exactly: 4 lowercase hex digits without 0x");
    }
    if key == "devices" {
        for v in values {
            if let Some(pf) = cands.iter().find(|c| c.pf_with_vfs && &c.device == v) {
                let theirs = distinct(
                    cands
                        .iter()
                        .filter(|c| c.pf_addr == pf.addr)
                        .map(|c| c.device.clone()),
                );
                why.push_str(&format!(
                    "; {v} is the id of PF {} (its VFs are {}), and a PF with VFs is not offered",
                    pf.addr,
                    theirs.join(", ")
                ));
            }
        }
    }
    if key == "pfNames" {
        let named: Vec<&str> = values
            .iter()
            .map(|v| item_name(v))
            .filter(|n| have.iter().any(|x| x.eq_ignore_ascii_case(n)))
            .collect();
        let missing: Vec<&str> = values
            .iter()
            .map(|v| item_name(v))
            .filter(|n| !cands.iter().any(|c| c.pf_name.eq_ignore_ascii_case(n)))
            .collect();
        if !missing.is_empty() {
            why.push_str(&format!(
                "; no PF with VFs is named {}",
                missing.join(" or ")
            ));
        }
        // A named PF whose range misses its VFs: the range that has them.
        let ranged: Vec<String> = named
            .iter()
            .filter_map(|pf| {
                let idx: Vec<i64> = pool
                    .iter()
                    .filter(|c| c.pf_name.eq_ignore_ascii_case(pf))
                    .map(|c| c.vf_index)
                    .collect();
                let (a, b) = (idx.iter().min()?, idx.iter().max()?);
                why.push_str(&format!("; {pf} has VFs {a}-{b}"));
                Some(format!("{pf}#{a}-{b}"))
            })
            .collect();
        if !ranged.is_empty() {
            fix = ranged;
        }
    }
    let fix = (!fix.is_empty()).then(|| format!("\"{key}\": {}", quoted(&fix)));
    (why, fix)
}
