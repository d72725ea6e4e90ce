//! Per-tenant cache of the last data seen (artifacts, queues, broker, a bounded window of message
//! rows, fetched error texts), so cpitop shows something at once and still works while the tenant
//! is unreachable.
//!
//! Layout: `<cache_dir>/tenants/<tenant>/<url key>/<kind>.json`, the URL key a short stable hash
//! of the tenant's normalised API URL: a tenant whose `url` changed (same name, another tenant)
//! never shows the old one's data. Files of the older name-only layout
//! (`tenants/<tenant>/<kind>.json`) are never read; [`Cache::remove_name_only_files`] deletes
//! them. Each file is an envelope
//! `{"format":1,"tenant":"…","kind":"…","saved_at_ms":…,"data":…}`. Writes are atomic
//! (temp + fsync + rename) and stream through a `BufWriter`. A corrupt, truncated, old-format or
//! foreign file is ignored with a [`Warning`], removed, and rebuilt by the next save — it is never a
//! crash and never touches the config.
//!
//! Files are `0600` in `0700` directories ([`super::fsutil`]). A file is read only if it is a
//! regular file (opened non-blocking, so a FIFO at a cache path cannot hang the start or `q`) of
//! at most [`MAX_CACHE_FILE`] bytes.
//!
//! Secrets cannot be cached by accident: [`crate::secret::Secret`] does not implement `Serialize`,
//! so any type holding one cannot be passed to [`Cache::save`]:
//!
//! ```compile_fail
//! let paths = cpitop::config::Paths::under("/tmp".as_ref());
//! let cache = cpitop::config::cache::Cache::for_tenant(&paths, "t", "https://t.example");
//! cache.save("x", &cpitop::secret::Secret::new("s"));
//! ```

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::error::{Warning, WarningKind};
use super::fsutil::{atomic_write, human_size, read_regular_capped};
use super::paths::Paths;

/// Bumped whenever a cached type changes shape incompatibly; older files are then ignored.
pub const CACHE_FORMAT: u32 = 1;

/// The largest cache file read back (64 MiB): far above a full message window, far below what
/// would hurt. A larger file is ignored with a warning and rebuilt.
pub const MAX_CACHE_FILE: u64 = 64 << 20;

/// The cache of one tenant.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
    tenant: String,
}

/// Result of [`Cache::load`].
#[derive(Debug)]
pub enum CacheLoad<T> {
    /// Cached data and when it was saved (show it marked stale with its age).
    Found { value: T, saved_at: SystemTime },
    /// Nothing cached yet.
    Missing,
    /// A file was there but unusable; it has been removed. Show or log the warning.
    Ignored(Warning),
}

impl<T> CacheLoad<T> {
    /// Age of the cached data at `now` (zero if the clock went backwards).
    pub fn age(&self, now: SystemTime) -> Option<Duration> {
        match self {
            CacheLoad::Found { saved_at, .. } => Some(now.duration_since(*saved_at).unwrap_or_default()),
            _ => None,
        }
    }

    pub fn into_value(self) -> Option<T> {
        match self {
            CacheLoad::Found { value, .. } => Some(value),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot write cache file {}: {source}; check that the cache directory is writable", path.display())]
pub struct CacheError {
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

#[derive(Serialize)]
struct EnvelopeOut<'a, T: ?Sized> {
    format: u32,
    tenant: &'a str,
    kind: &'a str,
    saved_at_ms: u64,
    data: &'a T,
}

#[derive(Deserialize)]
struct EnvelopeIn<T> {
    format: u32,
    tenant: String,
    kind: String,
    saved_at_ms: u64,
    data: T,
}

/// The envelope without the data: to say *why* a file did not load.
#[derive(Deserialize)]
struct Header {
    format: u32,
}

impl Cache {
    /// The cache of tenant `tenant` at API URL `url` (with or without `/api/v1`).
    pub fn for_tenant(paths: &Paths, tenant: &str, url: &str) -> Self {
        Self {
            dir: tenant_dir(paths, tenant).join(url_key(url)),
            tenant: tenant.to_string(),
        }
    }

    /// Delete the files of the older name-only layout (`tenants/<tenant>/<kind>.json`, keyed by
    /// the name alone, so possibly another URL's data). Returns how many were removed.
    pub fn remove_name_only_files(&self) -> usize {
        let Some(parent) = self.dir.parent() else { return 0 };
        let Ok(entries) = fs::read_dir(parent) else {
            return 0;
        };
        let mut removed = 0;
        for e in entries.flatten() {
            let path = e.path();
            let is_file = e.file_type().is_ok_and(|t| t.is_file());
            if is_file && path.extension().is_some_and(|x| x == "json") && fs::remove_file(&path).is_ok() {
                removed += 1;
            }
        }
        if removed > 0 {
            tracing::info!(tenant = %self.tenant, removed, "old name-only cache files removed");
        }
        removed
    }

    /// This tenant's cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// The file of one kind (`artifacts`, `queues`, `messages`, `error_texts`, …).
    pub fn file(&self, kind: &str) -> PathBuf {
        self.dir.join(format!("{}.json", dir_name(kind)))
    }

    /// Save `value` as `kind`, stamped with the current time.
    pub fn save<T: Serialize + ?Sized>(&self, kind: &str, value: &T) -> Result<(), CacheError> {
        self.save_at(kind, value, SystemTime::now())
    }

    /// Save with an explicit timestamp (tests, or data fetched earlier).
    pub fn save_at<T: Serialize + ?Sized>(
        &self,
        kind: &str,
        value: &T,
        saved_at: SystemTime,
    ) -> Result<(), CacheError> {
        let path = self.file(kind);
        let saved_at_ms = saved_at
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let env = EnvelopeOut {
            format: CACHE_FORMAT,
            tenant: &self.tenant,
            kind,
            saved_at_ms,
            data: value,
        };
        atomic_write(&path, |w| {
            serde_json::to_writer(&mut *w, &env).map_err(io::Error::other)?;
            w.write_all(b"\n")
        })
        .map_err(|source| CacheError {
            path: path.clone(),
            source,
        })?;
        tracing::debug!(tenant = %self.tenant, kind, path = %path.display(), "cache saved");
        Ok(())
    }

    /// Load `kind`. Never fails: unusable files come back as [`CacheLoad::Ignored`].
    pub fn load<T: DeserializeOwned>(&self, kind: &str) -> CacheLoad<T> {
        let path = self.file(kind);
        let bytes = match read_regular_capped(&path, MAX_CACHE_FILE) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return CacheLoad::Missing,
            Err(e) if e.kind() == io::ErrorKind::FileTooLarge => {
                let why = format!("is larger than the maximum of {}", human_size(MAX_CACHE_FILE));
                return self.ignore(&path, kind, why, true);
            }
            Err(e) => {
                return self.ignore(&path, kind, format!("cannot be read ({e})"), false);
            }
        };
        match serde_json::from_slice::<EnvelopeIn<T>>(&bytes) {
            Ok(env) if env.format != CACHE_FORMAT => self.ignore(
                &path,
                kind,
                format!("has format version {} (expected {CACHE_FORMAT})", env.format),
                true,
            ),
            Ok(env) if env.tenant != self.tenant || env.kind != kind => self.ignore(
                &path,
                kind,
                format!("belongs to tenant `{}` / kind `{}`", env.tenant, env.kind),
                true,
            ),
            Ok(env) => CacheLoad::Found {
                value: env.data,
                saved_at: UNIX_EPOCH + Duration::from_millis(env.saved_at_ms),
            },
            Err(e) => {
                let why = match serde_json::from_slice::<Header>(&bytes) {
                    Ok(h) if h.format != CACHE_FORMAT => {
                        format!("has format version {} (expected {CACHE_FORMAT})", h.format)
                    }
                    _ if e.is_eof() => "is truncated".to_string(),
                    _ => format!(
                        "is corrupt ({} at line {}, column {})",
                        category(&e),
                        e.line(),
                        e.column()
                    ),
                };
                self.ignore(&path, kind, why, true)
            }
        }
    }

    fn ignore<T>(&self, path: &Path, kind: &str, why: String, remove: bool) -> CacheLoad<T> {
        if remove {
            let _ = fs::remove_file(path);
        }
        let msg = format!(
            "cached {kind} of tenant `{}` ignored: {} {why}; it will be rebuilt from the tenant",
            self.tenant,
            path.display()
        );
        tracing::warn!("{msg}");
        CacheLoad::Ignored(Warning::new(WarningKind::Cache, msg))
    }

    /// Delete this tenant's cache. Returns whether there was anything to delete.
    pub fn clear(&self) -> io::Result<bool> {
        match fs::remove_dir_all(&self.dir) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// The directory holding every cache of tenant `tenant` (one per URL).
pub fn tenant_dir(paths: &Paths, tenant: &str) -> PathBuf {
    paths.tenant_cache_root().join(dir_name(tenant))
}

/// Delete every cache of tenant `tenant` (all its URLs). Returns whether there was anything.
pub fn clear_tenant(paths: &Paths, tenant: &str) -> io::Result<bool> {
    match fs::remove_dir_all(tenant_dir(paths, tenant)) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Delete the caches of all tenants (only cpitop's own `tenants/` directory).
pub fn clear_all(paths: &Paths) -> io::Result<bool> {
    match fs::remove_dir_all(paths.tenant_cache_root()) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// A serde_json error category without echoing any content.
fn category(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Syntax => "invalid JSON",
        serde_json::error::Category::Data => "unexpected data",
        serde_json::error::Category::Eof => "unexpected end",
        serde_json::error::Category::Io => "read error",
    }
}

/// File-system-safe name: letters, digits, `-`, `_` and inner `.` kept, everything else `%XX`.
fn dir_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for (i, b) in name.bytes().enumerate() {
        let keep = b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || (b == b'.' && i > 0);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if out.is_empty() { "%".to_string() } else { out }
}

/// The cache dir of one API URL: 16 hex digits of a 64-bit FNV-1a hash of the URL normalised
/// (scheme and host lower-cased, default port, trailing `/` and `/api/v1` dropped), so that
/// spellings of one URL share a cache. FNV-1a is written out because it must stay stable across
/// Rust releases and builds (std's `DefaultHasher` promises neither) and no hash crate is in the
/// dependency tree for a 64-bit checksum of a short string.
fn url_key(url: &str) -> String {
    let trimmed = super::validate::normalize_base_url(url);
    let normal = url::Url::parse(&trimmed)
        .map(|u| u.as_str().trim_end_matches('/').to_string())
        .unwrap_or(trimmed);
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in normal.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_keys_are_stable_and_ignore_spelling() {
        let k = url_key("https://acme.it-cpi018.cfapps.eu10.hana.ondemand.com");
        assert_eq!(k.len(), 16);
        assert_eq!(
            k,
            url_key("HTTPS://ACME.it-cpi018.cfapps.eu10.hana.ondemand.com:443/api/v1/")
        );
        // Pinned (FNV-1a 64 of the normalised URL): a changed key would orphan every cache.
        assert_eq!(url_key("https://a.example"), "f56b436d0bd2568d");
        assert_ne!(
            k,
            url_key("https://acme2.it-cpi018.cfapps.eu10.hana.ondemand.com")
        );
        assert_ne!(url_key("http://127.0.0.1:1"), url_key("http://127.0.0.1:2"));
    }

    #[test]
    fn dir_names_are_safe() {
        assert_eq!(dir_name("acme-prod.eu"), "acme-prod.eu");
        assert_eq!(dir_name("../x"), "%2E.%2Fx");
        assert_eq!(dir_name("a b"), "a%20b");
        assert_eq!(dir_name(""), "%");
    }
}
