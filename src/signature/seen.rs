//! Which signatures a tenant has shown, and when first and last: what makes a group **new**
//! (first seen in this window) and what the `new_error_signature` rule compares against. Kept
//! per tenant in the state dir (`errors-seen-<tenant>.json`), 0600 like all of cpitop's state.
//!
//! Besides first and last, each signature keeps its latest **return**: a sighting after more
//! than [`RETURN_GAP_MS`] without one, with the length of that absence — so "a signature not
//! seen in the last 7 days appears" stays true for as long as its return is recent, however
//! often it is seen after it (see `monitor::rules::errors`).
//!
//! Tagged with [`super::VERSION`]: remembered signatures of another version are not comparable
//! (other masking rules, other keys), so they are set aside (`errors-seen-<tenant>.v<N>.json`)
//! and the load says so, instead of every group silently turning "new" or, worse, old.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{SigKey, VERSION};

/// At most this many signatures are remembered; the least recently seen go first.
pub const MAX_REMEMBERED: usize = 20_000;

/// Largest file read back.
const MAX_FILE: u64 = 8 << 20;

/// A sighting this long after the previous one is a **return** (the absence is remembered).
pub const RETURN_GAP_MS: i64 = 3_600_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenSignatures {
    version: u32,
    /// When remembering began (the first observation): a signature first seen after it
    /// appeared while cpitop was watching; one seen at the first observation was already there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    since: Option<i64>,
    /// Key (hex) → `[first seen, last seen]`, or `[first, last, returned at, absent for]` once
    /// it returned after an absence (epoch ms).
    seen: HashMap<String, Vec<i64>>,
}

/// A signature's latest return: when, and how long it had not been seen before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Return {
    pub at_ms: i64,
    pub absent_ms: i64,
}

impl Default for SeenSignatures {
    fn default() -> Self {
        SeenSignatures {
            version: VERSION,
            since: None,
            seen: HashMap::new(),
        }
    }
}

impl SeenSignatures {
    /// When remembering began (`None`: nothing observed yet).
    pub fn since(&self) -> Option<i64> {
        self.since
    }

    /// Remembering begins at `now` (kept if it began before).
    pub fn begin(&mut self, now: i64) {
        self.since.get_or_insert(now);
    }

    pub fn first_seen(&self, key: SigKey) -> Option<i64> {
        self.seen.get(&key.to_string()).and_then(|s| s.first().copied())
    }

    pub fn last_seen(&self, key: SigKey) -> Option<i64> {
        self.seen.get(&key.to_string()).and_then(|s| s.get(1).copied())
    }

    /// The latest return of `key` after an absence of more than [`RETURN_GAP_MS`].
    pub fn last_return(&self, key: SigKey) -> Option<Return> {
        match self.seen.get(&key.to_string())?.as_slice() {
            [_, _, at_ms, absent_ms, ..] => Some(Return {
                at_ms: *at_ms,
                absent_ms: *absent_ms,
            }),
            _ => None,
        }
    }

    /// Remember `key` as seen at `at_ms`. A sighting more than [`RETURN_GAP_MS`] after the last
    /// one is a return.
    pub fn observe(&mut self, key: SigKey, at_ms: i64) {
        let e = self
            .seen
            .entry(key.to_string())
            .or_insert_with(|| vec![at_ms, at_ms]);
        if e.len() < 2 {
            // A malformed entry from the file: start it over.
            *e = vec![at_ms, at_ms];
        }
        if at_ms - e[1] > RETURN_GAP_MS {
            let absent = at_ms - e[1];
            e.truncate(2);
            e.extend([at_ms, absent]);
        }
        e[0] = e[0].min(at_ms);
        e[1] = e[1].max(at_ms);
    }

    pub fn len(&self) -> usize {
        self.seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// Forget the least recently seen beyond [`MAX_REMEMBERED`].
    pub fn prune(&mut self) {
        if self.seen.len() <= MAX_REMEMBERED {
            return;
        }
        let mut last: Vec<(i64, String)> = self
            .seen
            .iter()
            .map(|(k, v)| (v.get(1).copied().unwrap_or(i64::MIN), k.clone()))
            .collect();
        last.sort_unstable();
        for (_, k) in last.into_iter().take(self.seen.len() - MAX_REMEMBERED) {
            self.seen.remove(&k);
        }
    }

    /// The file of `tenant` in the state dir (`errors-seen-<tenant>.json`).
    pub fn path(state_dir: &Path, tenant: &str) -> PathBuf {
        crate::monitor::persist::tenant_file(state_dir, "errors-seen", tenant, "json")
    }

    /// The signatures remembered for `tenant` in `state_dir` and the file they are kept in, with
    /// a notice when they could not be used ([`Self::load`]); without a state dir, an empty
    /// memory kept nowhere.
    pub fn of_tenant(state_dir: Option<&Path>, tenant: &str) -> (Self, Option<PathBuf>, Option<String>) {
        match state_dir {
            Some(dir) => {
                let path = Self::path(dir, tenant);
                let (seen, notice) = Self::load(&path);
                (seen, Some(path), notice)
            }
            None => (Self::default(), None, None),
        }
    }

    /// Read the remembered signatures. A missing file is an empty memory; an unreadable or
    /// corrupt one too, with a notice; one of another version is set aside, with a notice.
    pub fn load(path: &Path) -> (Self, Option<String>) {
        let bytes = match crate::config::fsutil::read_regular_capped(path, MAX_FILE) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Self::default(), None),
            Err(e) => {
                return (
                    Self::default(),
                    Some(format!(
                        "cannot read {}: {e}; error signatures start afresh",
                        path.display()
                    )),
                );
            }
        };
        match serde_json::from_slice::<SeenSignatures>(&bytes) {
            Ok(s) if s.version == VERSION => (s, None),
            Ok(s) => {
                let stem = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let aside = path.with_file_name(format!("{stem}.v{}.json", s.version));
                let _ = std::fs::rename(path, &aside);
                (
                    Self::default(),
                    Some(format!(
                        "error signature rules changed (v{} → v{VERSION}): signatures seen before are not comparable, so \
                         every signature counts as new once; the old ones are kept in {}",
                        s.version,
                        aside.display()
                    )),
                )
            }
            Err(e) => (
                Self::default(),
                Some(format!(
                    "{} is not valid ({e}); error signatures start afresh",
                    path.display()
                )),
            ),
        }
    }

    /// Write atomically, owner-only.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let bytes = serde_json::to_vec(self).map_err(|e| e.to_string())?;
        crate::monitor::persist::write_atomic(path, &bytes)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_and_last_seen_and_pruning() {
        let mut s = SeenSignatures::default();
        s.observe(SigKey(1), 50);
        s.observe(SigKey(1), 10);
        s.observe(SigKey(1), 70);
        assert_eq!(
            (s.first_seen(SigKey(1)), s.last_seen(SigKey(1))),
            (Some(10), Some(70))
        );
        assert_eq!(s.first_seen(SigKey(2)), None);
        for i in 0..(MAX_REMEMBERED as u64 + 10) {
            s.observe(SigKey(100 + i), 1_000 + i as i64);
        }
        s.prune();
        assert_eq!(s.len(), MAX_REMEMBERED);
        assert_eq!(
            s.first_seen(SigKey(1)),
            None,
            "the least recently seen went first"
        );
    }

    #[test]
    fn a_sighting_after_an_absence_is_a_return() {
        let mut s = SeenSignatures::default();
        s.observe(SigKey(1), 1_000);
        s.observe(SigKey(1), 1_000 + RETURN_GAP_MS);
        assert_eq!(s.last_return(SigKey(1)), None, "exactly the gap is no absence");
        let back = 1_000 + RETURN_GAP_MS + 8 * 86_400_000;
        s.observe(SigKey(1), back);
        s.observe(SigKey(1), back + 60_000);
        s.observe(SigKey(1), back - 5_000);
        assert_eq!(
            s.last_return(SigKey(1)),
            Some(Return {
                at_ms: back,
                absent_ms: 8 * 86_400_000
            }),
            "later and earlier sightings keep the return"
        );
        assert_eq!(s.first_seen(SigKey(1)), Some(1_000));
        assert_eq!(s.last_seen(SigKey(1)), Some(back + 60_000));
    }

    #[test]
    fn saved_loaded_and_another_version_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = SeenSignatures::path(dir.path(), "prod");
        assert_eq!(SeenSignatures::load(&path), (SeenSignatures::default(), None));
        let mut s = SeenSignatures::default();
        s.observe(SigKey(7), 42);
        s.save(&path).unwrap();
        assert_eq!(SeenSignatures::load(&path), (s.clone(), None));
        // A file of the first format (first and last only) reads.
        std::fs::write(&path, r#"{"version":1,"seen":{"0000000000000007":[1,2]}}"#).unwrap();
        let (old, _) = SeenSignatures::load(&path);
        assert_eq!(
            (old.first_seen(SigKey(7)), old.last_return(SigKey(7))),
            (Some(1), None)
        );
        std::fs::write(&path, r#"{"version":0,"seen":{"0000000000000007":[1,2]}}"#).unwrap();
        let (fresh, notice) = SeenSignatures::load(&path);
        assert!(fresh.is_empty());
        let notice = notice.unwrap();
        assert!(
            notice.contains("v0 → v1") && notice.contains("errors-seen-prod.v0.json"),
            "{notice}"
        );
        assert!(dir.path().join("errors-seen-prod.v0.json").exists());
        std::fs::write(&path, "{not json").unwrap();
        assert!(SeenSignatures::load(&path).1.unwrap().contains("not valid"));
    }
}
