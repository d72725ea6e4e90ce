//! Drive the real `cpitop` binary in a real pseudo-terminal (portable-pty) and read its screen
//! through a terminal emulator (vt100). No tmux or system packages needed.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, SlavePty, native_pty_system};

pub struct PtyApp {
    parser: Arc<Mutex<vt100::Parser>>,
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
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let answer = Arc::new(Mutex::new(pair.master.take_writer().ok()));
        {
            let parser = Arc::clone(&parser);
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
                            parser.lock().expect("lock").process(chunk);
                        }
                    }
                }
            });
        }
        Self {
            parser,
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

    pub fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write to pty");
        self.writer.flush().expect("flush pty");
    }

    /// Type text one key at a time with a short pause, as a person would.
    pub fn type_slowly(&mut self, text: &str) {
        for ch in text.chars() {
            let mut b = [0u8; 4];
            self.send(ch.encode_utf8(&mut b));
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    pub fn screen_text(&self) -> String {
        self.parser.lock().expect("lock").screen().contents()
    }

    pub fn with_screen<T>(&self, f: impl FnOnce(&vt100::Screen) -> T) -> T {
        f(self.parser.lock().expect("lock").screen())
    }

    /// Wait until the screen contains `needle`; panic with the screen on timeout.
    pub fn wait_for(&self, needle: &str, timeout: Duration) {
        let start = Instant::now();
        loop {
            let text = self.screen_text();
            if text.contains(needle) {
                return;
            }
            if start.elapsed() > timeout {
                panic!("timed out after {timeout:?} waiting for {needle:?}; screen:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Wait until `pred(screen text)` holds.
    pub fn wait_until(&self, what: &str, timeout: Duration, pred: impl Fn(&str) -> bool) {
        let start = Instant::now();
        loop {
            let text = self.screen_text();
            if pred(&text) {
                return;
            }
            if start.elapsed() > timeout {
                panic!("timed out after {timeout:?} waiting for {what}; screen:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(50));
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
        self.parser
            .lock()
            .expect("lock")
            .screen_mut()
            .set_size(rows, cols);
        self.rows = rows;
        self.cols = cols;
    }
}

impl Drop for PtyApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
