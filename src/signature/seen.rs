//! Which signatures a tenant has shown, and when first and last: what makes a group **new**
//! (first seen in this window) and what the `new_error_signature` rule compares against. Kept
//! per tenant in the state dir (`errors-seen.json`), 0600 like all of cpitop's state.
//!
//! Tagged with [`super::VERSION`]: remembered signatures of another version are not comparable
//! (other masking rules, other keys), so they are set aside (`errors-seen.v<N>.json`) and the load
//! says so, instead of every group silently turning "new" or, worse, old.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{SigKey, VERSION};

/// At most this many signatures are remembered; the least recently seen go first.
pub const MAX_REMEMBERED: usize = 20_000;

/// Largest file read back.
const MAX_FILE: u64 = 8 << 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenSignatures {
    version: u32,
    /// Key (hex) → [first seen, last seen], epoch ms.
    seen: HashMap<String, [i64; 2]>,
}

impl Default for SeenSignatures {
    fn default() -> Self {
        SeenSignatures {
            version: VERSION,
            seen: HashMap::new(),
        }
    }
}

impl SeenSignatures {
    pub fn first_seen(&self, key: SigKey) -> Option<i64> {
        self.seen.get(&key.to_string()).map(|s| s[0])
    }

    pub fn last_seen(&self, key: SigKey) -> Option<i64> {
        self.seen.get(&key.to_string()).map(|s| s[1])
    }

    /// Remember `key` as seen at `at_ms`.
    pub fn observe(&mut self, key: SigKey, at_ms: i64) {
        let e = self.seen.entry(key.to_string()).or_insert([at_ms, at_ms]);
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
        let mut last: Vec<(i64, String)> = self.seen.iter().map(|(k, v)| (v[1], k.clone())).collect();
        last.sort_unstable();
        for (_, k) in last.into_iter().take(self.seen.len() - MAX_REMEMBERED) {
            self.seen.remove(&k);
        }
    }

    /// The file in a tenant's state dir.
    pub fn path_in(tenant_state_dir: &Path) -> PathBuf {
        tenant_state_dir.join("errors-seen.json")
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
                let aside = path.with_file_name(format!("errors-seen.v{}.json", s.version));
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
    fn saved_loaded_and_another_version_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = SeenSignatures::path_in(dir.path());
        assert_eq!(SeenSignatures::load(&path), (SeenSignatures::default(), None));
        let mut s = SeenSignatures::default();
        s.observe(SigKey(7), 42);
        s.save(&path).unwrap();
        assert_eq!(SeenSignatures::load(&path), (s.clone(), None));
        std::fs::write(&path, r#"{"version":0,"seen":{"0000000000000007":[1,2]}}"#).unwrap();
        let (fresh, notice) = SeenSignatures::load(&path);
        assert!(fresh.is_empty());
        let notice = notice.unwrap();
        assert!(
            notice.contains("v0 → v1") && notice.contains("errors-seen.v0.json"),
            "{notice}"
        );
        assert!(dir.path().join("errors-seen.v0.json").exists());
        std::fs::write(&path, "{not json").unwrap();
        assert!(SeenSignatures::load(&path).1.unwrap().contains("not valid"));
    }
}
