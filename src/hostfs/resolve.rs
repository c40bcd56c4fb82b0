//! The in-root path walk shared by every root that resolves links itself (a
//! captured tree, a recording of the live host, a bundle): component by
//! component, `..` never above the root, absolute link targets refused, at
//! most 40 links.

use std::collections::VecDeque;

use super::{FsError, FsErrorKind, FsResult};

/// Links followed in one resolution before giving up, as the kernel does.
pub const MAX_LINKS: usize = 40;

/// What one path component is, as `lstat` (and `readlink`) see it.
#[derive(Clone)]
pub enum Step {
    Dir,
    /// A link, with its target as written.
    Link(String),
    /// A file, a device node or anything else that is not a directory.
    Other,
}

/// The two questions the walk asks of a root: what is at these canonical
/// components (without following a final link), and where a link points.
/// `key` is `key(comps)`, kept up to date by the walk rather than rebuilt
/// at every step.
pub trait Walk {
    fn step(&self, comps: &[String], key: &str) -> Result<Step, FsErrorKind>;
}

/// The canonical components of `path` (absolute), every link resolved inside
/// the root; the last one is left as it is when `follow_last` is false.
pub fn resolve(w: &dyn Walk, path: &str, follow_last: bool) -> FsResult<Vec<String>> {
    if !path.starts_with('/') {
        return Err(FsError::new(
            path,
            FsErrorKind::Other("not an absolute path".into()),
        ));
    }
    let mut done: Vec<String> = Vec::new();
    // key(&done), maintained as components are pushed and popped.
    let mut done_key = String::with_capacity(path.len());
    let mut todo: VecDeque<String> = path
        .split('/')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    let mut links = 0;
    while let Some(comp) = todo.pop_front() {
        match comp.as_str() {
            "." => continue,
            ".." => {
                if done.pop().is_none() {
                    return Err(FsError::new(
                        path,
                        FsErrorKind::LinkEscapesRoot("..".into()),
                    ));
                }
                pop_key(&mut done_key);
                continue;
            }
            _ => {}
        }
        done_key.push('/');
        done_key.push_str(&comp);
        done.push(comp);
        let is_last = todo.is_empty();
        if is_last && !follow_last {
            break;
        }
        match w
            .step(&done, &done_key)
            .map_err(|k| FsError::new(path, k))?
        {
            Step::Link(target) => {
                links += 1;
                if links > MAX_LINKS {
                    return Err(FsError::new(path, FsErrorKind::LinkLoop));
                }
                if target.starts_with('/') {
                    return Err(FsError::new(path, FsErrorKind::LinkEscapesRoot(target)));
                }
                done.pop();
                pop_key(&mut done_key);
                for c in target.split('/').rev().filter(|c| !c.is_empty()) {
                    todo.push_front(c.to_string());
                }
            }
            Step::Other if !is_last => {
                return Err(FsError::new(path, FsErrorKind::NotADirectory));
            }
            Step::Other | Step::Dir => {}
        }
    }
    Ok(done)
}

fn pop_key(key: &mut String) {
    let cut = key.rfind('/').unwrap_or(0);
    key.truncate(cut);
}

/// `/a/b` for the components `a`, `b`; `/` for none.
pub fn key(comps: &[String]) -> String {
    let mut key = String::with_capacity(comps.iter().map(|c| c.len() + 1).sum::<usize>().max(1));
    for c in comps {
        key.push('/');
        key.push_str(c);
    }
    if key.is_empty() {
        key.push('/');
    }
    key
}
