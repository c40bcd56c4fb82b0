//! Every ```console block of README.md and docs/*.md is an example that
//! must be true: each `$ ` line is run (by `sh -c`, with this build's
//! sriov-doctor first on PATH, in a scratch directory where `tests`,
//! `docs` and `rules` lead to the repository's), and the lines after it,
//! up to the next `$ ` line, must be its output (standard output, then
//! standard error). A line that is only `…` stands for any number of
//! lines. A `$ ` line ending in `\` continues on the next.
//!
//! `UPDATE_DOC_EXAMPLES=1 cargo test --test it doc_examples` rewrites the
//! blocks that no longer match with the whole output, for review (put the
//! `…` back where the example should stay short).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::bin;

struct Step {
    command: String,
    expected: Vec<String>,
}

/// A console block: where its lines are in the file, and its steps.
struct Block {
    /// Line indexes of the block's content (between the fences).
    lines: std::ops::Range<usize>,
    steps: Vec<Step>,
}

fn blocks(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_end() != "```console" {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut end = start;
        while end < lines.len() && lines[end].trim_end() != "```" {
            end += 1;
        }
        let mut steps: Vec<Step> = Vec::new();
        let mut j = start;
        while j < end {
            if let Some(cmd) = lines[j].strip_prefix("$ ") {
                let mut command = cmd.to_string();
                while command.ends_with('\\') && j + 1 < end {
                    command.pop();
                    j += 1;
                    command.push_str(lines[j].trim_start());
                }
                steps.push(Step {
                    command,
                    expected: Vec::new(),
                });
            } else if let Some(step) = steps.last_mut() {
                step.expected.push(lines[j].to_string());
            }
            j += 1;
        }
        out.push(Block {
            lines: start..end,
            steps,
        });
        i = end + 1;
    }
    out
}

/// Whether `got` is `want`, where a `…` line of `want` matches any lines
/// (none included). Trailing spaces do not count.
fn matches(want: &[String], got: &[String]) -> bool {
    match want.split_first() {
        None => got.is_empty(),
        Some((w, rest)) if w.trim() == "…" => (0..=got.len()).any(|k| matches(rest, &got[k..])),
        Some((w, rest)) => match got.split_first() {
            Some((g, more)) => w.trim_end() == g.trim_end() && matches(rest, more),
            None => false,
        },
    }
}

fn scratch() -> PathBuf {
    let dir = crate::common::scratch("doc-examples");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in ["tests", "docs", "rules"] {
        std::os::unix::fs::symlink(repo.join(name), dir.join(name)).unwrap();
    }
    dir
}

fn run(dir: &Path, command: &str) -> Vec<String> {
    let bin_dir = bin().parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(dir)
        .env("PATH", path)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("sh");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    text.lines().map(str::to_string).collect()
}

fn documents() -> Vec<PathBuf> {
    let mut files = vec![PathBuf::from("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir("docs")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

#[test]
fn every_console_example_is_the_tools_output() {
    let update = std::env::var_os("UPDATE_DOC_EXAMPLES").is_some();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for doc in documents() {
        let text = std::fs::read_to_string(&doc).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        // From the last block up, so that rewriting one keeps the others'
        // line numbers.
        let mut found = blocks(&text);
        found.reverse();
        let mut changed = false;
        for block in found {
            // Each block in a fresh directory: what one writes, the next
            // does not see.
            let dir = scratch();
            let mut rewritten = Vec::new();
            let mut block_ok = true;
            for step in &block.steps {
                let got = run(&dir, &step.command);
                checked += 1;
                rewritten.push(format!("$ {}", step.command));
                if matches(&step.expected, &got) {
                    rewritten.extend(step.expected.iter().cloned());
                } else {
                    block_ok = false;
                    wrong.push(format!(
                        "{}:{}: `{}`\n--- expected\n{}\n--- got\n{}",
                        doc.display(),
                        block.lines.start,
                        step.command,
                        step.expected.join("\n"),
                        got.join("\n")
                    ));
                    rewritten.extend(got);
                }
            }
            if update && !block_ok {
                lines.splice(block.lines.clone(), rewritten);
                changed = true;
            }
        }
        if changed {
            std::fs::write(&doc, lines.join("\n") + "\n").unwrap();
        }
    }
    assert!(checked >= 2, "only {checked} examples found");
    assert!(
        wrong.is_empty() || update,
        "{} example(s) differ from the output (UPDATE_DOC_EXAMPLES=1 rewrites them):\n\n{}",
        wrong.len(),
        wrong.join("\n\n")
    );
}

#[test]
fn an_ellipsis_matches_any_lines_and_nothing_else_does() {
    let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert!(matches(&v(&["a", "…", "d"]), &v(&["a", "b", "c", "d"])));
    assert!(matches(&v(&["a", "…", "d"]), &v(&["a", "d"])));
    assert!(matches(&v(&["a  "]), &v(&["a"])));
    assert!(!matches(&v(&["a", "…", "d"]), &v(&["a", "b"])));
    assert!(!matches(&v(&["a"]), &v(&["a", "b"])));
    assert!(!matches(&v(&["b"]), &v(&["a"])));
}
