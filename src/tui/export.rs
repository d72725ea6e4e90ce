//! Writing an export file: atomically, owner-only unless `$CPITOP_EXPORT_MODE` widens it.

use std::io::Write;
use std::path::Path;

use crate::kit::export::ExportFormat;

/// The environment variable that widens the mode of exported files (octal, e.g. `0644`); exports
/// are owner-only (`0600`) otherwise, as they hold tenant data.
pub const EXPORT_MODE_ENV: &str = "CPITOP_EXPORT_MODE";

/// Exported files' mode: `$CPITOP_EXPORT_MODE` if it is an octal mode of at most `0666`, else
/// `0600`. The error names the variable and the value.
pub fn export_mode(value: Option<&str>) -> Result<u32, String> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(crate::config::fsutil::PRIVATE_FILE_MODE);
    };
    match u32::from_str_radix(v.trim_start_matches("0o"), 8) {
        Ok(m) if m & !0o666 == 0 && m & 0o600 == 0o600 => Ok(m),
        _ => Err(format!(
            "${EXPORT_MODE_ENV} is `{v}`: expected an octal file mode with owner read/write and no \
             execute bits, such as 0600 or 0644"
        )),
    }
}

/// Write the records (`kit::schema`) atomically (temporary file, then rename) with mode
/// [`export_mode`] whatever the umask, and return a sentence for the user.
pub fn write(
    path: &Path,
    format: ExportFormat,
    fields: &[String],
    records: &[serde_json::Value],
) -> Result<String, String> {
    let mode = export_mode(std::env::var(EXPORT_MODE_ENV).ok().as_deref())?;
    write_with_mode(path, format, fields, records, mode)
}

/// [`write`] with an explicit mode.
pub fn write_with_mode(
    path: &Path,
    format: ExportFormat,
    fields: &[String],
    records: &[serde_json::Value],
    mode: u32,
) -> Result<String, String> {
    let body = format.write(fields, records);
    let result = crate::config::fsutil::atomic_write_mode(path, mode, |w| w.write_all(body.as_bytes()));
    match result {
        Ok(()) => Ok(format!("exported {} rows to {}", records.len(), path.display())),
        Err(e) => Err(format!(
            "export to {} failed: {e} — check that the directory is writable",
            path.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_file_and_says_where() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("sub/out.csv");
        let records = [serde_json::json!({"id": 1, "at": null})];
        let fields = ["id".to_string(), "at".to_string()];
        let msg = write(&p, ExportFormat::Csv, &fields, &records).expect("written");
        assert!(msg.contains("out.csv") && msg.contains("1 rows"));
        assert_eq!(std::fs::read_to_string(&p).expect("read"), "id,at\r\n1,\r\n");
        let n = dir.path().join("out.ndjson");
        write(&n, ExportFormat::Ndjson, &fields, &records).expect("written");
        assert_eq!(
            std::fs::read_to_string(&n).expect("read"),
            "{\"id\":1,\"at\":null}\n"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode(&p), 0o600, "tenant data is owner-only by default");
            let q = dir.path().join("shared.csv");
            write_with_mode(&q, ExportFormat::Csv, &["id".into()], &[], 0o644).expect("written");
            assert_eq!(mode(&q), 0o644, "as the user asked");
        }
    }

    #[test]
    fn export_mode_is_owner_only_unless_asked() {
        assert_eq!(export_mode(None), Ok(0o600));
        assert_eq!(export_mode(Some("")), Ok(0o600));
        assert_eq!(export_mode(Some("0644")), Ok(0o644));
        assert_eq!(export_mode(Some("640")), Ok(0o640));
        for bad in ["0755", "0400", "rw-r--r--", "9"] {
            let e = export_mode(Some(bad)).expect_err(bad);
            assert!(e.contains("CPITOP_EXPORT_MODE") && e.contains(bad), "{e}");
        }
    }
}
