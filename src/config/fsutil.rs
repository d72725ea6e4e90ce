//! cpitop's own files: atomic writes (a temporary file in the same directory, fsync, rename — a
//! reader sees the old file or the new one, never half of one), owner-only permissions, bounded
//! and non-blocking reads, and the clean-up of temporary files an interrupted save left behind.
//!
//! Permissions: the cache, state and log directories hold tenant data (message ids, iFlow names,
//! error texts) and may sit on a shared jump host, so every directory cpitop creates is `0700` and
//! every file `0600`, whatever the umask: the mode is given at creation *and* set explicitly
//! afterwards. Directories that already exist with wider modes are tightened when the current user
//! owns them.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// Mode of every file cpitop writes in its cache and state directories.
pub const PRIVATE_FILE_MODE: u32 = 0o600;
/// Mode of every directory cpitop creates.
pub const PRIVATE_DIR_MODE: u32 = 0o700;

/// Write `path` atomically with mode `0600` in a `0700` directory (created or tightened); `write`
/// streams the content into a buffered writer.
pub fn atomic_write(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<&File>) -> io::Result<()>,
) -> io::Result<()> {
    atomic_write_in(path, PRIVATE_FILE_MODE, true, write)
}

/// [`atomic_write`] of a file outside cpitop's directories (an export): `mode` whatever the
/// umask, and the user's directory left as it is (a missing one is created as usual).
pub fn atomic_write_mode(
    path: &Path,
    mode: u32,
    write: impl FnOnce(&mut BufWriter<&File>) -> io::Result<()>,
) -> io::Result<()> {
    atomic_write_in(path, mode, false, write)
}

fn atomic_write_in(
    path: &Path,
    mode: u32,
    private_dir: bool,
    write: impl FnOnce(&mut BufWriter<&File>) -> io::Result<()>,
) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if private_dir {
        create_private_dir_all(dir)?;
    } else {
        fs::create_dir_all(dir)?;
    }
    let tmp = temp_name(path);
    let file = create_file(&tmp, mode, true)?;
    let result = (|| {
        let mut w = BufWriter::with_capacity(64 * 1024, &file);
        write(&mut w)?;
        w.flush()?;
        drop(w);
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
        return result;
    }
    // Make the rename itself durable (best effort: not every platform can open a directory).
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Create (or, with `new == false`, open for appending) `path` with `mode`, then set the mode
/// explicitly so the umask cannot widen or narrow it. Only a regular file is chmod-ed: a path the
/// user pointed at a device (`audit.log -> /dev/null`) keeps the device's mode.
pub fn create_file(path: &Path, mode: u32, new: bool) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    if new {
        opts.write(true).create_new(true);
    } else {
        opts.append(true).create(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(mode);
    }
    let file = opts.open(path)?;
    if file.metadata()?.is_file() {
        set_mode(&file, mode)?;
    }
    Ok(file)
}

/// Set `file`'s mode (no-op off Unix).
pub fn set_mode(file: &File, mode: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = (file, mode);
    Ok(())
}

/// `create_dir_all` where every directory created is `0700`, and `dir` itself is tightened to
/// `0700` if it already existed wider and belongs to this user (see [`tighten_dir`]).
pub fn create_private_dir_all(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        fs::DirBuilder::new()
            .recursive(true)
            .mode(PRIVATE_DIR_MODE)
            .create(dir)?;
    }
    #[cfg(not(unix))]
    fs::create_dir_all(dir)?;
    tighten_dir(dir)
}

/// Make an existing directory `0700` when it is group/other accessible and owned by the current
/// user. Left alone: a directory of someone else (a shared `XDG_CACHE_HOME`), a symlink (the user
/// placed it; chmod would act on its target) and a sticky directory such as `/tmp`. A missing
/// directory is not an error.
pub fn tighten_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let meta = match fs::symlink_metadata(dir) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        let sticky = meta.mode() & 0o1000 != 0;
        if meta.is_dir() && !sticky && meta.uid() == me && meta.mode() & 0o077 != 0 {
            fs::set_permissions(dir, fs::Permissions::from_mode(PRIVATE_DIR_MODE))?;
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Make existing files `0600` (log files another program created with the umask's mode).
pub fn tighten_file(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let meta = fs::symlink_metadata(path)?;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if meta.is_file() && meta.uid() == me && meta.mode() & 0o077 != 0 {
            fs::set_permissions(path, fs::Permissions::from_mode(PRIVATE_FILE_MODE))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn temp_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(
        ".{name}.{}.{:08x}.tmp",
        std::process::id(),
        fastrand::u32(..)
    ))
}

/// The process id in a temporary name made by [`temp_name`] (`.NAME.PID.RAND.tmp`).
fn temp_owner(file_name: &str) -> Option<u32> {
    let inner = file_name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let mut parts = inner.rsplitn(3, '.');
    let rand = parts.next()?;
    let pid = parts.next()?;
    let name = parts.next()?;
    let ok = !name.is_empty() && rand.len() == 8 && rand.bytes().all(|b| b.is_ascii_hexdigit());
    ok.then(|| pid.parse().ok()).flatten()
}

/// Whether process `pid` is alive (a save of another running cpitop must not lose its temp file).
fn alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: signal 0 only checks for the process's existence; nothing is delivered.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// Remove the temporary files of interrupted saves (`.NAME.PID.RAND.tmp` of a process that no
/// longer runs) in `dir` and, down to `depth` levels, its subdirectories. Returns how many were
/// removed; unreadable directories are skipped.
pub fn remove_stale_temps(dir: &Path, depth: usize) -> usize {
    let mut removed = 0;
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    for e in entries.flatten() {
        let Ok(kind) = e.file_type() else { continue };
        let path = e.path();
        if kind.is_dir() && depth > 0 {
            removed += remove_stale_temps(&path, depth - 1);
        } else if kind.is_file()
            && let Some(pid) = e.file_name().to_str().and_then(temp_owner)
            && !alive(pid)
            && fs::remove_file(&path).is_ok()
        {
            tracing::info!(path = %path.display(), "removed the temporary file of an interrupted save");
            removed += 1;
        }
    }
    removed
}

/// Open `path` for reading without blocking on a FIFO or a device, and only if it is a regular
/// file: a FIFO or socket planted at a cache path would otherwise block the open (and the read)
/// for ever.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = opts.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "is not a regular file",
        ));
    }
    Ok(file)
}

/// Read at most `max` bytes from `r`; more is an error saying the limit (never the content).
pub fn read_capped(mut r: impl Read, max: u64) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    r.by_ref().take(max.saturating_add(1)).read_to_end(&mut buf)?;
    if buf.len() as u64 > max {
        return Err(too_large(max));
    }
    Ok(buf)
}

/// Read a regular file of at most `max` bytes (see [`open_regular`]).
pub fn read_regular_capped(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    if file.metadata()?.len() > max {
        return Err(too_large(max));
    }
    read_capped(file, max)
}

/// Read any file (also a pipe such as `--config <(…)`) as UTF-8, at most `max` bytes: `/dev/zero`
/// given as a config or a key file ends with an error instead of filling the memory.
pub fn read_to_string_capped(path: &Path, max: u64) -> io::Result<String> {
    let bytes = read_capped(File::open(path)?, max)?;
    String::from_utf8(bytes).map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "is not valid UTF-8"))
}

fn too_large(max: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!("it is larger than the maximum of {}", human_size(max)),
    )
}

/// `64 KiB`, `16 MiB`.
pub fn human_size(n: u64) -> String {
    if n >= 1 << 20 && n % (1 << 20) == 0 {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n % (1 << 10) == 0 {
        format!("{} KiB", n >> 10)
    } else {
        format!("{n} bytes")
    }
}

/// `Some(mode)` when `path` is readable by group or others (Unix); `None` otherwise.
pub fn group_or_other_readable(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o044 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub").join("f.json");
        atomic_write(&p, |w| w.write_all(b"one")).unwrap();
        atomic_write(&p, |w| w.write_all(b"two")).unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "two");
        let failed = atomic_write(&p, |_| Err(io::Error::other("boom")));
        assert!(failed.is_err());
        assert_eq!(fs::read_to_string(&p).unwrap(), "two");
        let names: Vec<_> = fs::read_dir(p.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("f.json")]);
    }

    #[cfg(unix)]
    #[test]
    fn files_and_dirs_are_private_and_wide_dirs_tightened() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        let wide = dir.path().join("wide");
        fs::create_dir(&wide).unwrap();
        fs::set_permissions(&wide, fs::Permissions::from_mode(0o755)).unwrap();
        let p = wide.join("new").join("f.json");
        atomic_write(&p, |w| w.write_all(b"x")).unwrap();
        assert_eq!(mode(&p), 0o600);
        assert_eq!(mode(p.parent().unwrap()), 0o700);
        tighten_dir(&wide).unwrap();
        assert_eq!(mode(&wide), 0o700);
    }

    #[test]
    fn temp_names_round_trip_and_only_dead_owners_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let mine = temp_name(&dir.path().join("a.json"));
        let name = mine.file_name().unwrap().to_str().unwrap().to_string();
        assert_eq!(temp_owner(&name), Some(std::process::id()));
        assert_eq!(temp_owner(".a.json.tmp"), None);
        assert_eq!(temp_owner("a.json"), None);
        fs::write(&mine, "live").unwrap();
        // A pid far above any pid_max: no such process.
        let dead = dir.path().join("sub").join(".b.json.2147480000.0badcafe.tmp");
        fs::create_dir_all(dead.parent().unwrap()).unwrap();
        fs::write(&dead, "stale").unwrap();
        let other = dir.path().join("notes.tmp");
        fs::write(&other, "not ours").unwrap();
        assert_eq!(remove_stale_temps(dir.path(), 2), 1);
        assert!(mine.exists() && other.exists() && !dead.exists());
    }

    #[test]
    fn capped_reads_stop_at_the_limit() {
        assert_eq!(read_capped(&b"abc"[..], 3).unwrap(), b"abc");
        let e = read_capped(io::repeat(0), 1024).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        assert!(e.to_string().contains("1 KiB"), "{e}");
        assert_eq!(human_size(16 << 20), "16 MiB");
    }
}
