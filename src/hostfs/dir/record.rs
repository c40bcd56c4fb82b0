//! Recording what a root reads, for a bundle.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::DirFs;
use crate::hostfs::resolve::key;
use crate::hostfs::{FsErrorKind, Node};

impl DirFs {
    /// Records every entry this root reads from now on (see
    /// [`DirFs::take_record`]); on the live host, paths are then resolved
    /// here, as in a tree, so that every link on the way is seen.
    pub fn recording(mut self) -> DirFs {
        self.record = Some(Mutex::new(BTreeMap::new()));
        self
    }

    /// What was read so far, by canonical host path.
    pub fn take_record(&self) -> BTreeMap<String, Node> {
        match &self.record {
            Some(r) => std::mem::take(&mut *r.lock().unwrap_or_else(|e| e.into_inner())),
            None => BTreeMap::new(),
        }
    }

    pub(super) fn note(&self, comps: &[String], f: impl FnOnce(&mut Node)) {
        if let Some(r) = &self.record {
            let mut r = r.lock().unwrap_or_else(|e| e.into_inner());
            f(r.entry(key(comps)).or_default());
        }
    }

    /// Leaves what was read of `path` out of the record (the kernel log,
    /// which a bundle keeps apart).
    pub(super) fn forget(&self, path: &str) {
        if let Some(r) = &self.record {
            if let Ok((comps, _)) = self.resolve(path, true) {
                let mut r = r.lock().unwrap_or_else(|e| e.into_inner());
                r.remove(&key(&comps));
            }
        }
    }

    /// Records a failure, unless it is "not found" (what a bundle does not
    /// hold is not found).
    pub(super) fn note_error(&self, comps: &[String], kind: &FsErrorKind) {
        if *kind != FsErrorKind::NotFound {
            self.note(comps, |n| {
                n.error.get_or_insert_with(|| kind.clone());
            });
        }
    }
}
