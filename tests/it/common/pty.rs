//! Drive the real `cpitop` binary in a real pseudo-terminal (portable-pty) and read its screen
//! through a terminal emulator (vt100). No tmux or system packages needed.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, SlavePty, native_pty_system};

/// The emulated terminal, and the last whole frame on it with the time the output that completed
/// it was read (the PTY's own clock, not when a test happened to look).
struct Term {
    parser: vt100::Parser,
    /// The screen as a terminal shows it: never a frame half drawn inside a synchronized update
    /// (`CSI ? 2026 h` … `l`).
    shown: vt100::Screen,
    updated: Option<Instant>,
    /// Frames shown so far (a waiter knows whether it has seen the last one).
    frames: u64,
    in_frame: bool,
    /// The last bytes read, for a mark split across two reads.
    tail: Vec<u8>,
}

const FRAME_BEGIN: &[u8] = b"\x1b[?2026h";
const FRAME_END: &[u8] = b"\x1b[?2026l";

impl Term {
    fn new(rows: u16, cols: u16) -> Self {
        let parser = vt100::Parser::new(rows, cols, 0);
        Self {
            shown: parser.screen().clone(),
            parser,
            updated: None,
            frames: 0,
            in_frame: false,
            tail: Vec::new(),
        }
    }

    /// Take a chunk of output; true when a whole frame (or output outside frames) was shown.
    fn feed(&mut self, chunk: &[u8]) -> bool {
        let mut joined = std::mem::take(&mut self.tail);
        let carried = joined.len();
        joined.extend_from_slice(chunk);
        // (where the mark ends in `chunk`, whether it begins a frame)
        let mut marks: Vec<(usize, bool)> = [(FRAME_BEGIN, true), (FRAME_END, false)]
            .iter()
            .flat_map(|&(mark, begins)| {
                memchr::memmem::find_iter(&joined, mark)
                    .map(move |at| at + mark.len())
                    .filter(move |&end| end > carried)
                    .map(move |end| (end - carried, begins))
                    .collect::<Vec<_>>()
            })
            .collect();
        marks.sort_unstable();
        let mut from = 0;
        let mut shown = false;
        for (to, begins) in marks {
            self.parser.process(&chunk[from..to]);
            from = to;
            self.in_frame = begins;
            if !begins {
                self.show();
                shown = true;
            }
        }
        self.parser.process(&chunk[from..]);
        if !self.in_frame {
            self.show();
            shown = true;
        }
        self.tail = joined[joined.len().saturating_sub(FRAME_END.len() - 1)..].to_vec();
        shown
    }

    fn show(&mut self) {
        self.shown = self.parser.screen().clone();
        self.updated = Some(Instant::now());
        self.frames += 1;
    }
}

pub struct PtyApp {
    /// The terminal, and a signal to waiters each time output arrives (no polling by sleep).
    term: Arc<(Mutex<Term>, Condvar)>,
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    // Kept open so the terminal's mode can be inspected after the app exits.
    slave: Box<dyn SlavePty + Send>,
    master: Box<dyn MasterPty + Send>,
    pub rows: u16,
    pub cols: u16,
}

impl PtyApp {
    /// Start `bin args…` in a `cols`×`rows` terminal with the given extra environment.
    pub fn spawn(bin: &Path, args: &[&str], envs: &[(&str, &str)], cols: u16, rows: u16) -> Self {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(bin);
        for a in args {
            cmd.arg(a);
        }
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        cmd.env_remove("TMUX");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn cpitop in the pty");
        let term = Arc::new((Mutex::new(Term::new(rows, cols)), Condvar::new()));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let answer = Arc::new(Mutex::new(pair.master.take_writer().ok()));
        {
            let term = Arc::clone(&term);
            let raw = Arc::clone(&raw);
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                loop {
                    match reader.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            let chunk = &buf[..n];
                            // Answer a cursor-position query as a terminal would, so an app that
                            // asks does not wait for a timeout.
                            if memchr::memmem::find(chunk, b"\x1b[6n").is_some() {
                                if let Some(w) = answer.lock().expect("lock").as_mut() {
                                    let _ = w.write_all(b"\x1b[1;1R");
                                }
                            }
                            raw.lock().expect("lock").extend_from_slice(chunk);
                            let (lock, changed) = &*term;
                            if lock.lock().expect("lock").feed(chunk) {
                                changed.notify_all();
                            }
                        }
                    }
                }
            });
        }
        Self {
            term,
            raw,
            writer,
            child,
            slave: pair.slave,
            master: pair.master,
            rows,
            cols,
        }
    }

    /// Send a signal (`TERM`, `HUP`, …) to the app, as `kill -SIG pid` would.
    pub fn signal(&self, name: &str) {
        let pid = self.child.process_id().expect("the app's pid");
        let status = std::process::Command::new("kill")
            .arg(format!("-{name}"))
            .arg(pid.to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{name} {pid}");
    }

    /// Send keys; returns when they were written.
    pub fn send(&mut self, keys: &str) -> Instant {
        self.writer.write_all(keys.as_bytes()).expect("write to pty");
        self.writer.flush().expect("flush pty");
        Instant::now()
    }

    /// Type text one key at a time with a short pause, as a person would.
    pub fn type_slowly(&mut self, text: &str) {
        for ch in text.chars() {
            let mut b = [0u8; 4];
            self.send(ch.encode_utf8(&mut b));
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// The screen's text as a terminal shows it (the last whole frame).
    pub fn screen_text(&self) -> String {
        self.term.0.lock().expect("lock").shown.contents()
    }

    /// The screen as a terminal shows it (the last whole frame).
    pub fn with_screen<T>(&self, f: impl FnOnce(&vt100::Screen) -> T) -> T {
        f(&self.term.0.lock().expect("lock").shown)
    }

    /// Wait until `pred(screen text)` holds, looking again each time a frame is complete (never at
    /// a half-drawn one). Returns the screen and when the output that made it hold was read;
    /// `Err(screen)` after `timeout`.
    pub fn wait_screen(
        &self,
        timeout: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> Result<(String, Instant), String> {
        let deadline = Instant::now() + timeout;
        let (lock, changed) = &*self.term;
        loop {
            // Looked at without the lock held: `pred` may read the screen itself.
            let (text, updated, frame) = {
                let t = lock.lock().expect("lock");
                (t.shown.contents(), t.updated, t.frames)
            };
            if pred(&text) {
                return Ok((text, updated.unwrap_or_else(Instant::now)));
            }
            let mut t = lock.lock().expect("lock");
            while t.frames == frame {
                let now = Instant::now();
                if now >= deadline {
                    return Err(text);
                }
                t = changed.wait_timeout(t, deadline - now).expect("lock").0;
            }
        }
    }

    /// Wait until the screen contains `needle`; panic with the screen on timeout.
    pub fn wait_for(&self, needle: &str, timeout: Duration) {
        self.wait_until(&format!("{needle:?}"), timeout, |s| s.contains(needle));
    }

    /// Wait until `pred(screen text)` holds.
    pub fn wait_until(&self, what: &str, timeout: Duration, pred: impl Fn(&str) -> bool) {
        if let Err(text) = self.wait_screen(timeout, pred) {
            panic!("timed out after {timeout:?} waiting for {what}; screen:\n{text}");
        }
    }

    /// Wait for the process to exit; returns its exit code (kills it on timeout and panics).
    pub fn wait_exit(&mut self, timeout: Duration) -> u32 {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                // Let the reader drain what was written last.
                std::thread::sleep(Duration::from_millis(150));
                return status.exit_code();
            }
            if start.elapsed() > timeout {
                let _ = self.child.kill();
                panic!(
                    "cpitop did not exit within {timeout:?}; screen:\n{}",
                    self.screen_text()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// All bytes the app wrote to the terminal.
    pub fn raw_output(&self) -> Vec<u8> {
        self.raw.lock().expect("lock").clone()
    }

    /// The terminal's line discipline settings as `stty -a` prints them, read on the same pty after
    /// the app has exited: proves raw mode was left.
    pub fn stty_after_exit(&mut self) -> String {
        // Measured before the spawn: stty may write before `spawn_command` returns.
        let before = self.raw.lock().expect("lock").len();
        let mut cmd = CommandBuilder::new("stty");
        cmd.arg("-a");
        let mut child = self.slave.spawn_command(cmd).expect("spawn stty");
        let _ = child.wait();
        // stty's report ends with the control-character and mode lines; wait until the reader
        // thread has seen the mode words (or give up after a few seconds and return what came).
        let start = Instant::now();
        loop {
            let out = {
                let raw = self.raw.lock().expect("lock");
                String::from_utf8_lossy(&raw[before.min(raw.len())..]).into_owned()
            };
            if (out.contains("icanon") && out.contains("echo") && out.contains("isig"))
                || start.elapsed() > Duration::from_secs(5)
            {
                return out;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize pty");
        let mut t = self.term.0.lock().expect("lock");
        t.parser.screen_mut().set_size(rows, cols);
        t.show();
        drop(t);
        self.rows = rows;
        self.cols = cols;
    }
}

impl Drop for PtyApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
