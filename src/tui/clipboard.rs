//! Copy to the clipboard. Outside tmux with OSC 52: the terminal does the copying, so it works
//! over SSH. Inside tmux, OSC 52 from an application is taken only with `set -g set-clipboard on`
//! (the default, `external`, ignores it; `tmux(1)`, `set-clipboard`), and the DCS passthrough
//! (`ESC P tmux; … ESC \`) needs `allow-passthrough on` (default off): with tmux's defaults
//! neither reaches the clipboard. So inside tmux the text goes through tmux's own client as well:
//! `tmux load-buffer -w -` puts it in tmux's paste buffer and (`-w`, tmux ≥ 3.2) sends it on to
//! the outer terminal's clipboard, whatever `set-clipboard` says — and its exit status tells
//! whether it worked. Plain OSC 52 is still written, for setups where `tmux` cannot be run.
//!
//! The process runs in the effect runner's task, never in `update`.

use std::process::Stdio;
use std::time::Duration;

use base64::Engine as _;
use tokio::io::AsyncWriteExt;

/// How long the tmux client may take (it is a local command; a hung server must not leave a
/// task behind for ever).
const TMUX_TIMEOUT: Duration = Duration::from_secs(3);

/// The OSC 52 sequence that puts `text` on the system clipboard.
pub fn osc52(text: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{b64}\x07")
}

/// Whether we run inside tmux (`$TMUX` set).
pub fn in_tmux() -> bool {
    std::env::var_os("TMUX").is_some_and(|v| !v.is_empty())
}

/// Where a copy through tmux landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TmuxCopy {
    /// tmux's paste buffer, and sent on to the outer terminal's clipboard (`load-buffer -w`).
    Clipboard,
    /// Only tmux's paste buffer: this tmux is older than 3.2 and has no `load-buffer -w`.
    BufferOnly,
}

/// Said once per session when a copy's arrival on the system clipboard cannot be known.
pub const TMUX_HINT: &str = "for the system clipboard from tmux, add `set -g set-clipboard on` to ~/.tmux.conf \
     (or use tmux 3.2 or newer)";

/// Said once per session outside tmux: whether the terminal honours OSC 52 cannot be known.
pub const OSC52_HINT: &str = "sent with OSC 52; if the clipboard stays empty, allow clipboard access \
     (OSC 52) in the terminal's settings";

/// Put `text` in tmux's paste buffer with the `tmux` client (it finds the server through
/// `$TMUX`). `Err` says why not (no `tmux`, the server refused, …), in one line.
pub async fn tmux_load_buffer(text: &str) -> Result<TmuxCopy, String> {
    match run_tmux(&["load-buffer", "-w", "-"], text).await {
        Ok(()) => Ok(TmuxCopy::Clipboard),
        // tmux before 3.2: `-w` is unknown (`usage: load-buffer …`); the buffer alone still
        // lets the user paste with `prefix ]`.
        Err(e) if e.contains("usage") || e.contains("unknown flag") => run_tmux(&["load-buffer", "-"], text)
            .await
            .map(|()| TmuxCopy::BufferOnly),
        Err(e) => Err(e),
    }
}

async fn run_tmux(args: &[&str], input: &str) -> Result<(), String> {
    let mut child = tokio::process::Command::new("tmux")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run `tmux` ({e})"))?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| "cannot write to `tmux`".to_string())?;
    let write = async move {
        stdin.write_all(input.as_bytes()).await?;
        stdin.shutdown().await
        // `stdin` is dropped here: tmux sees the end of its input.
    };
    let run = async move {
        let written = write.await;
        let out = child
            .wait_with_output()
            .await
            .map_err(|e| format!("`tmux` failed ({e})"))?;
        if out.status.success() {
            return written.map_err(|e| format!("cannot write to `tmux` ({e})"));
        }
        let said = String::from_utf8_lossy(&out.stderr);
        let said = said.lines().next().unwrap_or("").trim();
        Err(if said.is_empty() {
            format!("`tmux {}` ended with {}", args.join(" "), out.status)
        } else {
            format!("`tmux {}`: {said}", args.join(" "))
        })
    };
    tokio::time::timeout(TMUX_TIMEOUT, run)
        .await
        .map_err(|_| format!("`tmux` did not answer within {} s", TMUX_TIMEOUT.as_secs()))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_osc52_even_for_tmux() {
        // Plain, never the DCS passthrough that tmux drops unless `allow-passthrough` is on.
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x07");
    }
}
