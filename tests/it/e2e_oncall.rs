//! On call, end to end (issue 14): a fresh `cpitop --demo --seed 1` in a real pseudo-terminal,
//! at 160x45 and at 80x24, and the five incident questions an operator asks, each with its keys
//! (at most three; a pasted id is one). Each answer must be on screen, and right, within 1 s.
//!
//! Time is read on the PTY's side: from the moment a key was written (for the first question,
//! from the first frame) to the moment the output that put the answer on screen was read; a
//! question of several keys adds up the waits after each of them (the operator's reading time
//! between keys is not the tool's). The screen is looked at again each time output arrives,
//! never after a fixed sleep.
//!
//! 4. Which alert monitors fire, and why: `4`, pressed at the first frame (the first round of a
//!    fresh start is part of the answer).
//! 1. Which artifacts are not started: `f`.
//! 3. Which dead-letter queues hold messages, and how old: `3`.
//! 5. All messages of one correlation id: `2`, paste the id.
//! 2. The error text of the newest failed message of iFlow `Orders_Inbound`: paste the id over
//!    the artifacts, `F`, `Enter`.

use crate::pty;

use std::time::{Duration, Instant};

use pty::PtyApp;

/// The bound of the issue: each answer within this long of its keys.
const ANSWER: Duration = Duration::from_secs(1);
/// At most this many keys per question (a paste is one).
const KEYS: usize = 3;
/// Waiting for what is not measured (the first frame, a preparation step), and the longest
/// wait for an answer before the test gives up (so a late answer is reported with its time).
const WAIT: Duration = Duration::from_secs(20);

fn bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin!("cpitop").to_path_buf()
}

/// Body rows of the table on screen: the lines below the column titles (which start with
/// `title`) up to the footer, without blank ones.
fn table_rows(screen: &str, title: &str) -> Vec<String> {
    let lines: Vec<&str> = screen.lines().collect();
    let Some(start) = lines.iter().position(|l| l.starts_with(title)) else {
        return vec![];
    };
    lines[start + 1..lines.len().saturating_sub(1)]
        .iter()
        .map(|l| l.trim_end().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// One incident question: its keys, and the time the tool took to answer them.
struct Question<'a> {
    app: &'a mut PtyApp,
    what: String,
    keys: usize,
    took: Duration,
    steps: Vec<String>,
}

impl<'a> Question<'a> {
    fn new(app: &'a mut PtyApp, what: String) -> Self {
        Self {
            app,
            what,
            keys: 0,
            took: Duration::ZERO,
            steps: vec![],
        }
    }

    /// Press one key (a character, an escape sequence or a bracketed paste) and wait until
    /// `shown` holds for the screen; the wait counts towards the answer's time. Returns the screen.
    fn key(&mut self, key: &str, shown: impl Fn(&str) -> bool) -> String {
        let sent = self.app.send(key);
        self.keys += 1;
        self.wait_since(sent, &format!("{key:?}"), shown)
    }

    /// Wait until `shown` holds for the screen, counting the time since `since`.
    fn wait_since(&mut self, since: Instant, step: &str, shown: impl Fn(&str) -> bool) -> String {
        match self.app.wait_screen(WAIT, shown) {
            Ok((screen, at)) => {
                let took = at.saturating_duration_since(since);
                self.took += took;
                self.steps.push(format!("{step} {took:?}"));
                screen
            }
            Err(screen) => panic!(
                "{}: no answer on screen {WAIT:?} after {step} (steps before: {:?}); screen:\n{screen}",
                self.what, self.steps
            ),
        }
    }

    /// The question is answered: within [`KEYS`] keys and [`ANSWER`].
    fn answered(self, screen: &str) {
        eprintln!(
            "{}: {} keys, {:?} ({:?})",
            self.what, self.keys, self.took, self.steps
        );
        assert!(
            self.keys <= KEYS,
            "{}: {} keys (at most {KEYS})",
            self.what,
            self.keys
        );
        assert!(
            self.took <= ANSWER,
            "{}: the answer took {:?} ({:?}; bound {ANSWER:?}); screen:\n{screen}",
            self.what,
            self.took,
            self.steps
        );
    }
}

/// A pasted text as the terminal sends it (bracketed paste).
fn paste(text: &str) -> String {
    format!("\x1b[200~{text}\x1b[201~")
}

/// The number in tab `n`'s badge (`1 Artifacts (4!)`, abbreviated `1 Art (4!)`, compact
/// `1 Art 4!` → 4).
fn badge(screen: &str, n: &str) -> Option<usize> {
    let tabs: Vec<&str> = screen.lines().nth(1)?.split_whitespace().collect();
    let at = tabs
        .windows(2)
        .position(|w| w[0] == n && w[1].starts_with(|c: char| c.is_ascii_alphabetic()))?;
    // `(4!)`, or compact on a narrow line: `4!`.
    let count = tabs.get(at + 2)?.trim_start_matches('(');
    count
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()
}

/// The number of monitors in error as the Alerts pane's summary line says (`5 error · …`).
fn errors_summed(screen: &str) -> Option<usize> {
    screen.lines().find_map(|l| {
        let w: Vec<&str> = l.split_whitespace().collect();
        match w.as_slice() {
            [n, "error", "·", ..] => n.parse().ok(),
            _ => None,
        }
    })
}

/// An age as the tables show it: `49m`, `2h`, `3d`, `12s`.
fn is_age(word: &str) -> bool {
    word.len() > 1
        && word.ends_with(['s', 'm', 'h', 'd'])
        && word[..word.len() - 1].chars().all(|c| c.is_ascii_digit())
}

/// `N of M` at the end of the breadcrumb line.
fn shown_of(screen: &str) -> Option<(usize, usize)> {
    let crumb = screen.lines().find(|l| l.starts_with("─ "))?;
    let words: Vec<&str> = crumb.split_whitespace().collect();
    let of = words.iter().rposition(|w| *w == "of")?;
    let n = |w: &str| w.replace(',', "").parse::<usize>().ok();
    Some((n(words.get(of - 1)?)?, n(words.get(of + 1)?)?))
}

/// The value after a label in a detail view (`Correlation   AGZ…`).
fn field(screen: &str, label: &str) -> Option<String> {
    screen
        .lines()
        .find(|l| l.starts_with(label))
        .and_then(|l| l[label.len()..].split_whitespace().next())
        .map(str::to_string)
}

/// The first line under the detail's `── Error` heading once it has loaded.
fn error_text(screen: &str) -> Option<String> {
    let mut lines = screen.lines().skip_while(|l| !l.starts_with("── Error"));
    lines.next()?;
    let first = lines.next()?.trim();
    (!first.is_empty() && !first.starts_with("Loading")).then(|| first.to_string())
}

/// The two sizes one after the other: two demo tenants and TUIs at once would slow each other.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn on_call(cols: u16, rows: u16) {
    let _alone = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = tempfile::tempdir().unwrap();
    let (state, config, cache) = (
        dir.path().join("state"),
        dir.path().join("config"),
        dir.path().join("cache"),
    );
    let envs = [
        ("XDG_STATE_HOME", state.to_str().unwrap()),
        ("XDG_CONFIG_HOME", config.to_str().unwrap()),
        ("XDG_CACHE_HOME", cache.to_str().unwrap()),
        ("RUST_BACKTRACE", "0"),
    ];
    let mut app = PtyApp::spawn(&bin(), &["--demo", "--seed", "1"], &envs, cols, rows);
    let size = format!("{cols}x{rows}");

    // The first frame: the Artifacts pane is drawn (with or without its rows).
    let (_, first_frame) = app
        .wait_screen(WAIT, |s| s.contains("─ Artifacts "))
        .unwrap_or_else(|s| panic!("{size}: no first frame; screen:\n{s}"));

    // 4. Which alert monitors fire, and why: `4` at the first frame. As many `error` rows as the
    //    summary counts, each with its reason, read on the list.
    let mut q = Question::new(&mut app, format!("{size} alerts"));
    q.app.send("4");
    q.keys += 1;
    let screen = q.wait_since(first_frame, "the first frame, \"4\"", |s| {
        let errors = table_rows(s, "STATUS")
            .iter()
            .filter(|r| r.starts_with("error "))
            .count();
        s.contains("─ Alerts ") && errors > 0 && errors_summed(s) == Some(errors)
    });
    q.answered(&screen);
    for row in table_rows(&screen, "STATUS")
        .iter()
        .filter(|r| r.starts_with("error "))
    {
        let reason = row.split_whitespace().skip(2).collect::<Vec<_>>().join(" ");
        assert!(reason.len() > 5, "{size}: an alert with its reason: {row}");
    }
    // The reason is read on the list (and checked against the Queues pane below).
    let held: u64 = screen
        .split("DLQ_ORDERS_IN holds ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{size}: the dead-letter monitor's reason:\n{screen}"));

    // 1. Which artifacts are not started: `f`. Every row shown is not STARTED, and they are as
    //    many as the tab counts.
    app.send("1");
    app.wait_until("the artifacts", WAIT, |s| {
        s.contains("─ Artifacts ") && table_rows(s, "STATUS").len() > 3
    });
    let mut q = Question::new(&mut app, format!("{size} not started"));
    let screen = q.key("f", |s| {
        let rows = table_rows(s, "STATUS");
        s.contains("› not started") && !rows.is_empty() && badge(s, "1") == Some(rows.len())
    });
    q.answered(&screen);
    for row in table_rows(&screen, "STATUS") {
        assert!(
            ["ERROR", "STARTING", "STOPPING"]
                .iter()
                .any(|st| row.starts_with(st)),
            "{size}: not started: {row}"
        );
    }
    app.send("f");
    app.wait_until("all artifacts again", WAIT, |s| !s.contains("› not started"));

    // 3. Which dead-letter queues hold messages, and how old: `3`. DLQ rows with a depth and
    //    the age of their oldest message.
    let mut q = Question::new(&mut app, format!("{size} dead letters"));
    let screen = q.key("3", |s| {
        s.contains("─ Queues ")
            && table_rows(s, "QUEUE").iter().any(|r| {
                let w: Vec<&str> = r.split_whitespace().collect();
                w.first().is_some_and(|n| n.starts_with("DLQ_"))
                    && w.get(1)
                        .and_then(|d| d.parse::<u64>().ok())
                        .is_some_and(|d| d > 0)
                    && w.iter().any(|x| is_age(x))
            })
    });
    q.answered(&screen);
    let titles = screen
        .lines()
        .find(|l| l.starts_with("QUEUE"))
        .unwrap_or_default();
    assert!(
        titles.contains("DEPTH") && titles.contains("OLDEST"),
        "{size}: depth and age on screen: {titles}"
    );
    let dlq = table_rows(&screen, "QUEUE")
        .into_iter()
        .find(|r| r.starts_with("DLQ_ORDERS_IN "))
        .unwrap_or_else(|| panic!("{size}: DLQ_ORDERS_IN on screen:\n{screen}"));
    let depth_at = titles.find("DEPTH").unwrap() + "DEPTH".len();
    assert_eq!(
        dlq.get(..depth_at).and_then(|c| c.split_whitespace().last()),
        Some(held.to_string().as_str()),
        "{size}: DLQ_ORDERS_IN's depth under DEPTH, as the alert said: {dlq}"
    );

    // Preparation (not a question): a message's correlation id, and how many messages share it
    // as the tenant says (its detail's `c`).
    app.send("2");
    app.wait_until("messages", WAIT, |s| {
        s.contains("─ Messages ") && table_rows(s, "STATUS").len() > 5
    });
    app.send(&paste("completed"));
    app.wait_until("a completed message selected", WAIT, |s| {
        s.contains("/completed")
            && table_rows(s, "STATUS")
                .first()
                .is_some_and(|r| r.starts_with("COMPLETED"))
    });
    app.send("\r");
    app.wait_until("its correlation id", WAIT, |s| field(s, "Correlation").is_some());
    let correlation = field(&app.screen_text(), "Correlation").unwrap();
    app.send("c");
    app.wait_until("the tenant's list of its messages", WAIT, |s| {
        s.contains(&format!("correlation {correlation}")) && shown_of(s).is_some_and(|(n, _)| n > 0)
    });
    let (same, _) = shown_of(&app.screen_text()).unwrap();
    app.send("1");
    app.wait_until("back on the artifacts", WAIT, |s| s.contains("─ Artifacts "));

    // 5. All messages of one correlation id: `2`, paste. As many as the tenant says share it
    //    (the list's filter replaced: `/completed` from before does not narrow the answer).
    let mut q = Question::new(&mut app, format!("{size} correlation id"));
    q.key("2", |s| s.contains("─ Messages "));
    let screen = q.key(&paste(&correlation), |s| {
        s.contains(&format!("/{correlation}")) && shown_of(s).is_some_and(|(n, _)| n == same)
    });
    q.answered(&screen);
    assert!(
        !screen.contains("/completed"),
        "{size}: the filter replaced:\n{screen}"
    );

    // 2. The error text of the newest failed message of an iFlow: paste its id over the
    //    artifacts, `F`, `Enter`.
    app.send("1");
    app.wait_until("the artifacts", WAIT, |s| s.contains("─ Artifacts "));
    let mut q = Question::new(&mut app, format!("{size} the newest failure's error"));
    q.key(&paste("Orders_Inbound"), |s| {
        let rows = table_rows(s, "STATUS");
        rows.len() == 1 && rows[0].contains("Orders_Inbound")
    });
    let listed = q.key("F", |s| {
        let rows = table_rows(s, "STATUS");
        s.contains("iflow=Orders_Inbound")
            && !s.contains("still showing")
            && !rows.is_empty()
            && rows
                .iter()
                .all(|r| r.starts_with("FAILED") && r.contains("Orders_Inbound"))
    });
    let top = table_rows(&listed, "STATUS")[0]
        .split_whitespace()
        .last()
        .map(str::to_string)
        .unwrap();
    let screen = q.key("\r", |s| {
        s.contains(&format!("message {top}")) && error_text(s).is_some()
    });
    q.answered(&screen);
    // Newest first: the END times never increase down the list (HH:MM:SS, UTC).
    let ends: Vec<String> = table_rows(&listed, "STATUS")
        .iter()
        .filter_map(|r| r.split_whitespace().nth(1).map(str::to_string))
        .collect();
    let secs = |t: &str| -> i64 {
        t.split(':')
            .filter_map(|p| p.parse::<i64>().ok())
            .fold(0, |acc, p| acc * 60 + p)
    };
    // (Across midnight UTC the clock restarts: compared modulo a day.)
    assert!(
        ends.windows(2)
            .all(|w| (secs(&w[0]) - secs(&w[1])).rem_euclid(86_400) < 43_200),
        "{size}: newest first: {ends:?}"
    );
    assert!(
        top.starts_with("AG"),
        "{size}: the message id column is shown: {top}"
    );
    // The rest of the message as it arrives (not timed): the one asked about.
    drop(screen);
    app.wait_until("the message's record", WAIT, |s| {
        field(s, "Status").is_some_and(|st| st == "FAILED") && s.contains("(Orders_Inbound)")
    });

    app.send("q");
    app.send("q");
    assert_eq!(app.wait_exit(WAIT), 0, "{size}: exit status");
}

#[test]
fn five_incident_questions_at_160x45() {
    on_call(160, 45);
}

#[test]
fn five_incident_questions_at_80x24() {
    on_call(80, 24);
}
