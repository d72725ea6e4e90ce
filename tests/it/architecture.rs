//! Module boundaries that the compiler does not enforce inside one crate.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn offenders(module: &str, forbidden: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(module),
        &mut files,
    );
    assert!(!files.is_empty(), "src/{module} has no Rust files");
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read source");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for f in forbidden {
                if code.contains(f) {
                    found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    found
}

#[test]
fn the_client_does_not_depend_on_the_terminal() {
    let found = offenders(
        "cpi",
        &["ratatui", "crossterm", "crate::ui", "crate::app", "crate::sim"],
    );
    assert!(
        found.is_empty(),
        "src/cpi must not use the TUI or the sim:\n{}",
        found.join("\n")
    );
}

#[test]
fn alert_evaluation_does_no_terminal_io() {
    let found = offenders("monitor", &["ratatui", "crossterm", "crate::ui"]);
    assert!(
        found.is_empty(),
        "src/monitor must not use the TUI:\n{}",
        found.join("\n")
    );
}

#[test]
fn views_do_no_io() {
    let found = offenders(
        "ui",
        &["reqwest", "tokio::", "std::fs", "crate::cpi::CpiClient", ".await"],
    );
    assert!(
        found.is_empty(),
        "views render state only; no I/O:\n{}",
        found.join("\n")
    );
}

#[test]
fn serve_is_headless() {
    let found = offenders(
        "serve",
        &["ratatui", "crossterm", "crate::ui", "crate::app", "crate::tui"],
    );
    assert!(
        found.is_empty(),
        "src/serve must not use the TUI:\n{}",
        found.join("\n")
    );
}
