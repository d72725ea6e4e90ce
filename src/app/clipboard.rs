//! Copy to the clipboard with OSC 52: the terminal does the copying, so it works over SSH.
//! Inside tmux the sequence is wrapped in tmux's passthrough (`ESC P tmux; … ESC \`, inner
//! escapes doubled); tmux needs `set -g allow-passthrough on` or `set-clipboard on`.

use base64::Engine as _;

/// The escape sequence that puts `text` on the system clipboard.
pub fn osc52(text: &str, in_tmux: bool) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let seq = format!("\x1b]52;c;{b64}\x07");
    if in_tmux {
        format!("\x1bPtmux;{}\x1b\\", seq.replace('\x1b', "\x1b\x1b"))
    } else {
        seq
    }
}

/// Whether we run inside tmux (`$TMUX` set).
pub fn in_tmux() -> bool {
    std::env::var_os("TMUX").is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_tmux_sequences() {
        assert_eq!(osc52("hi", false), "\x1b]52;c;aGk=\x07");
        assert_eq!(osc52("hi", true), "\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\");
    }
}
