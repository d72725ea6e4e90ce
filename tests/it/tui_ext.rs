//! The user's extensions in the TUI: hotkeys run their `:` command, plugins run on the selected
//! row (arguments substituted one by one, never through a shell), dangerous ones are refused on
//! read-only tenants, help lists them, background output is kept and shown; skins and the colour
//! depth. The pure path through `update`, the real shell's runner, and the binary in a real
//! terminal (a plugin in the foreground: the TUI steps aside and comes back redrawn).

use crate::pty::PtyApp;
use crate::tui_support::*;

use std::path::{Path, PathBuf};
use std::time::Duration;

use cpitop::app::msg::{Effect, Msg};
use cpitop::app::ui_config::setup;
use cpitop::app::{State, apply};
use cpitop::config::Config;
use cpitop::features::extend::{Dialog, Exit, Extensions, Outcome, PluginEffect, PluginMsg, PluginRequest};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const WAIT: Duration = Duration::from_secs(20);

/// The state of the fixtures with the TUI's sections of `config`.
fn state_with(config: &str, w: u16, h: u16) -> State {
    let c = Config::parse(config, Path::new("/cfg/config.toml")).expect("config");
    let (ui, errs) = setup(&c);
    assert!(errs.is_empty(), "{errs:?}");
    let mut s = state(w, h);
    s.keymap = ui.keymap;
    s.ext = Extensions::new(ui.hotkeys, ui.plugins);
    s
}

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn runs(fx: &[Effect]) -> Vec<PluginRequest> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Plugin(PluginEffect::Run(r)) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

const EXT: &str = r#"
[[hotkeys]]
key = "F2"
command = "iflow Orders_Inbound"
description = "Orders_Inbound's messages"

[[plugins]]
name = "grep"
key = "ctrl-g"
description = "search the logs for the artifact"
command = "/opt/logsearch"
args = ["--tenant=$TENANT", "$ARTIFACT"]
views = ["artifacts"]
background = true

[[plugins]]
name = "undeploy-all"
key = "ctrl-e"
command = "/opt/undeploy"
args = ["$ARTIFACT"]
views = ["artifacts"]
dangerous = true
"#;

#[test]
fn a_hotkey_runs_its_command() {
    let mut s = state_with(EXT, 160, 45);
    assert_eq!(s.messages.query.iflow, None);
    apply(&mut s, [code(KeyCode::F(2))]);
    assert_eq!(s.messages.query.iflow.as_deref(), Some("Orders_Inbound"));
    assert!(
        matches!(s.route(), cpitop::app::Route::Messages(_)),
        "{:?}",
        s.route()
    );
    // Without the hotkey the key does nothing.
    let mut plain = state(160, 45);
    apply(&mut plain, [code(KeyCode::F(2))]);
    assert_eq!(plain.messages.query.iflow, None);
}

#[test]
fn a_plugin_runs_on_the_selected_row_with_its_variables() {
    let mut s = state_with(EXT, 160, 45);
    load_artifacts(&mut s, artifacts());
    let selected = s.artifacts.selected().expect("a row").id.clone();
    let fx = apply(&mut s, [ctrl('g')]);
    let r = runs(&fx);
    assert_eq!(r.len(), 1, "{fx:?}");
    let r = &r[0];
    assert_eq!(r.program, "/opt/logsearch");
    assert_eq!(r.args, ["--tenant=acme-prod".to_string(), selected.clone()]);
    assert!(r.background && !r.dangerous);
    assert!(r.env.contains(&("ARTIFACT".to_string(), selected.clone())));
    let row: serde_json::Value = serde_json::from_str(r.stdin.trim()).expect("one JSON row");
    assert_eq!(row["artifact"], selected.as_str());
    assert_eq!(row["tenant"], "acme-prod");
    assert!(row["status"].is_string(), "the row's cells by column id: {row}");
    // Kept as running until the shell answers; its output then kept and shown.
    assert_eq!(s.ext.runs.len(), 1);
    apply(
        &mut s,
        [Msg::Plugin(PluginMsg::Done(Outcome {
            id: r.id,
            plugin: "grep".into(),
            background: true,
            status: Exit::Code(0),
            output: "3 hits\n\u{1b}[2Jcleared?\n".into(),
            truncated: false,
        }))],
    );
    assert_eq!(s.ext.dialog, Some(Dialog::Output { scroll: 0 }));
    let b = screen(&s);
    assert!(find(&b, "3 hits").is_some());
    assert!(
        find(&b, "\\u{1b}[2Jcleared?").is_some(),
        "escapes are shown, not run"
    );
    insta::assert_snapshot!("plugin_output_160x45", b);
    // Closed, and shown again by `:plugins`.
    apply(&mut s, [code(KeyCode::Esc)]);
    assert_eq!(s.ext.dialog, None);
    apply(&mut s, [key(':')]);
    apply(&mut s, typed("plugins"));
    apply(&mut s, [code(KeyCode::Enter)]);
    assert_eq!(s.ext.dialog, Some(Dialog::Output { scroll: 0 }));
    apply(&mut s, [Msg::Resize(80, 24)]);
    insta::assert_snapshot!("plugin_output_80x24", screen(&s));

    // The plugin works in its views only.
    apply(&mut s, [code(KeyCode::Esc), key('2')]);
    let fx = apply(&mut s, [ctrl('g')]);
    assert!(runs(&fx).is_empty());
}

#[test]
fn a_dangerous_plugin_is_refused_on_a_read_only_tenant_and_confirmed_elsewhere() {
    let mut s = state_with(EXT, 160, 45);
    load_artifacts(&mut s, artifacts());
    assert!(s.tenant.read_only);
    let fx = apply(&mut s, [ctrl('e')]);
    assert!(runs(&fx).is_empty(), "nothing runs");
    assert!(
        fx.iter().any(
            |e| matches!(e, Effect::Plugin(PluginEffect::Refused { plugin, reason, .. })
            if plugin == "undeploy-all" && reason.contains("read-only"))
        ),
        "the refusal is audited: {fx:?}"
    );
    assert!(
        matches!(&s.ext.dialog, Some(Dialog::Refused { title, .. }) if title == "Plugin undeploy-all refused")
    );
    insta::assert_snapshot!("plugin_refused_160x45", screen(&s));
    apply(&mut s, [Msg::Resize(80, 24)]);
    insta::assert_snapshot!("plugin_refused_80x24", screen(&s));
    apply(&mut s, [code(KeyCode::Esc)]);

    // Writable: asked first (dangerous is always confirmed), `n` cancels, `y` runs.
    s.tenant.read_only = false;
    apply(&mut s, [Msg::Resize(160, 45)]);
    let fx = apply(&mut s, [ctrl('e')]);
    assert!(runs(&fx).is_empty());
    assert!(matches!(&s.ext.dialog, Some(Dialog::Confirm(r)) if r.dangerous));
    insta::assert_snapshot!("plugin_confirm_160x45", screen(&s));
    apply(&mut s, [Msg::Resize(80, 24)]);
    insta::assert_snapshot!("plugin_confirm_80x24", screen(&s));
    let fx = apply(&mut s, [key('n')]);
    assert!(runs(&fx).is_empty() && s.ext.dialog.is_none());
    apply(&mut s, [ctrl('e')]);
    let fx = apply(&mut s, [key('y')]);
    assert_eq!(runs(&fx).len(), 1);
    assert!(!runs(&fx)[0].background, "runs in the terminal");
}

#[test]
fn a_plugin_needing_what_the_view_lacks_does_not_run() {
    let cfg = "[[plugins]]\nname = \"q\"\nkey = \"ctrl-g\"\ncommand = \"/opt/q\"\nargs = [\"$QUEUE\"]\n";
    let mut s = state_with(cfg, 160, 45);
    load_artifacts(&mut s, artifacts());
    let fx = apply(&mut s, [ctrl('g')]);
    assert!(runs(&fx).is_empty());
    let toast = s.toast.as_ref().expect("said").text.clone();
    assert_eq!(
        toast,
        "plugin q needs the queue ($QUEUE), which this view does not have"
    );
}

#[test]
fn help_lists_the_hotkeys_and_plugins_of_the_view() {
    let mut s = state_with(EXT, 160, 45);
    load_artifacts(&mut s, artifacts());
    apply(&mut s, [key('?')]);
    let b = screen(&s);
    assert!(find(&b, "Your hotkeys and plugins").is_some());
    assert!(find(&b, "Orders_Inbound's messages  :iflow Orders_Inbound").is_some());
    assert!(find(&b, "grep: search the logs for the artifact").is_some());
    assert!(find(&b, "⚠ dangerous").is_some());
    insta::assert_snapshot!("help_with_plugins_160x45", b);
    apply(&mut s, [Msg::Resize(80, 24)]);
    insta::assert_snapshot!("help_with_plugins_80x24", screen(&s));
    // In the Messages pane the artifacts' plugins are not listed; the global hotkey is.
    apply(&mut s, [code(KeyCode::Esc), key('2'), key('?')]);
    let text = cpitop::app::help::lines(&s, &cpitop::kit::widgets::theme::Theme::default())
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        text.contains(":iflow Orders_Inbound") && !text.contains("undeploy-all"),
        "{text}"
    );
}

/// A hostile artifact id reaches the program as one argument, as it is: nothing in it runs.
#[test]
fn tenant_data_cannot_inject_into_a_plugin() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let hostile = format!(
        "Orders; touch {d}/PWNED1 $(touch {d}/PWNED2) `touch {d}/PWNED3` \"'$IFLOW' && touch {d}/PWNED4 #"
    );
    let argv = dir.path().join("argv.sh");
    std::fs::write(&argv, "#!/bin/sh\nprintf '%s\\n' \"$#\" > \"$0.out\"\nfor a in \"$@\"; do printf '[%s]\\n' \"$a\" >> \"$0.out\"; done\n").unwrap();
    make_executable(&argv);
    let config = format!(
        r#"
[[plugins]]
name = "direct"
key = "ctrl-g"
command = "{argv}"
args = ["$ARTIFACT", "--iflow=$IFLOW"]
views = ["artifacts"]
background = true

[[plugins]]
name = "via-shell"
key = "ctrl-o"
command = "sh"
args = ["-c", 'printf "%s" "$$1" > "$$2"; printf "%s" "$$IFLOW" > "$$2.env"', "sh", "$ARTIFACT", "{d}/shell.out"]
views = ["artifacts"]
background = true
"#,
        argv = argv.display()
    );
    let mut s = state_with(&config, 160, 45);
    load_artifacts(
        &mut s,
        vec![artifact(
            &hostile,
            &hostile,
            "ERROR",
            "INTEGRATION_FLOW",
            "mallory",
            5,
        )],
    );
    let mut reqs = runs(&apply(&mut s, [ctrl('g')]));
    reqs.extend(runs(&apply(&mut s, [code(KeyCode::Esc), ctrl('o')])));
    assert_eq!(reqs.len(), 2);

    let rt = tokio::runtime::Runtime::new().unwrap();
    let log = cpitop::tui::audit::AuditLog::open(&dir.path().join("audit.log")).unwrap();
    rt.block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::channel(4);
        for r in reqs {
            let audit = Some((log.sink(), cpitop::tui::audit::Identity::default()));
            cpitop::tui::plugins::background(r, audit, tx.clone());
        }
        for _ in 0..2 {
            match tokio::time::timeout(WAIT, rx.recv()).await.expect("answered") {
                Some(Msg::Plugin(PluginMsg::Done(o))) => assert_eq!(o.status, Exit::Code(0), "{o:?}"),
                other => panic!("{other:?}"),
            }
        }
    });
    let out = std::fs::read_to_string(format!("{}.out", argv.display())).unwrap();
    assert_eq!(
        out,
        format!("2\n[{hostile}]\n[--iflow={hostile}]\n"),
        "two arguments, verbatim"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("shell.out")).unwrap(),
        hostile
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("shell.out.env")).unwrap(),
        hostile
    );
    for i in 1..=4 {
        assert!(
            !dir.path().join(format!("PWNED{i}")).exists(),
            "PWNED{i}: tenant data ran"
        );
    }
    assert!(log.sink().flush(Duration::from_secs(5)));
    let audit = std::fs::read_to_string(dir.path().join("audit.log")).unwrap();
    let lines: Vec<serde_json::Value> = audit.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4, "an attempt and a result per run: {audit}");
    assert!(lines.iter().all(|l| l["action"] == "plugin"));
    assert!(lines.iter().any(|l| l["phase"] == "result"
        && l["targets"]["plugin"] == "direct"
        && l["result"]["exit_code"] == 0));
    assert!(
        lines
            .iter()
            .any(|l| l["phase"] == "attempt" && l["targets"]["args"][0] == hostile.as_str())
    );
}

#[cfg(unix)]
fn make_executable(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn a_light_skin_paints_every_cell_and_no_color_none() {
    use cpitop::kit::widgets::theme::{ColorLevel, Skin, Theme};
    use ratatui::style::Color;
    let mut s = state(80, 24);
    load_artifacts(&mut s, artifacts());
    let draw = |theme: Theme| {
        let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
        term.draw(|f| cpitop::app::frame::render(f, &s, &theme)).unwrap();
        term.backend().buffer().clone()
    };
    let light = draw(Theme::with_palette(ColorLevel::Ansi16, Skin::Light.palette()));
    assert!(
        light
            .content()
            .iter()
            .all(|c| c.bg != Color::Reset && c.fg != Color::Reset)
    );
    let dark = draw(Theme::with_palette(ColorLevel::Ansi16, Skin::Default.palette()));
    assert!(dark.content().iter().any(|c| c.bg == Color::Reset));
    let hc = draw(Theme::with_palette(
        ColorLevel::Ansi256,
        Skin::HighContrast.palette(),
    ));
    assert!(hc.content().iter().all(|c| c.bg != Color::Reset));
    let none = draw(Theme::with_palette(ColorLevel::None, Skin::Light.palette()));
    assert!(
        none.content()
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset),
        "NO_COLOR: no colours, whatever the skin"
    );
}

// --- the binary in a real terminal ---

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin!("cpitop").to_path_buf()
}

struct Demo {
    dir: tempfile::TempDir,
}

impl Demo {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }
    fn script(&self, name: &str, body: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}")).unwrap();
        make_executable(&p);
        p
    }
    fn start(&self, config: &str, args: &[&str], env: &[(&str, &str)]) -> PtyApp {
        let file = self.path("config.toml");
        crate::fsx::write_private(&file, config);
        let (state, cfg, cache) = (self.path("state"), self.path("xdg-config"), self.path("cache"));
        let mut envs = vec![
            ("XDG_STATE_HOME", state.to_str().unwrap().to_string()),
            ("XDG_CONFIG_HOME", cfg.to_str().unwrap().to_string()),
            ("XDG_CACHE_HOME", cache.to_str().unwrap().to_string()),
            ("RUST_BACKTRACE", "0".to_string()),
            ("COLORTERM", String::new()),
        ];
        for (k, v) in env {
            envs.retain(|(n, _)| n != k);
            envs.push((k, v.to_string()));
        }
        let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut all = vec!["--demo", "--config", file.to_str().unwrap()];
        all.extend(args);
        let app = PtyApp::spawn(&bin(), &all, &envs, 120, 36);
        app.wait_until("artifacts listed", WAIT, |s| {
            s.lines().any(|l| l.starts_with("ERROR "))
        });
        app
    }
    fn audit(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.path("state/cpitop/audit.log"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

/// The first position of `needle` in `hay` at or after `from`.
fn find_bytes(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

#[test]
fn a_foreground_plugin_gets_the_terminal_and_the_tui_comes_back_redrawn() {
    let demo = Demo::new();
    let script = demo.script(
        "fg.sh",
        "printf 'PLUGIN-IN-THE-TERMINAL %s\\n' \"$1\"\ncat > \"$0.rows\"\nprintf '%s\\n' \"$@\" > \"$0.args\"\nstty -a < /dev/tty > \"$0.stty\"\nsleep 0.3\n",
    );
    let config = format!(
        "[[plugins]]\nname = \"fg\"\nkey = \"ctrl-g\"\ncommand = \"{}\"\nargs = [\"$ARTIFACT\", \"$TENANT\"]\nviews = [\"artifacts\"]\n",
        script.display()
    );
    let mut app = demo.start(&config, &[], &[]);
    let before = app.raw_output().len();
    app.send("\x07"); // ctrl-g
    app.wait_until("the plugin ran and the TUI is back", WAIT, |s| {
        s.contains("plugin fg: exit 0") && s.contains("─ Artifacts")
    });
    let raw = app.raw_output();
    let leave = find_bytes(&raw, b"\x1b[?1049l", before).expect("left the alternate screen");
    let ran = find_bytes(&raw, b"PLUGIN-IN-THE-TERMINAL", leave).expect("the program wrote to the terminal");
    let back = find_bytes(&raw, b"\x1b[?1049h", ran).expect("back on the alternate screen");
    find_bytes(&raw, b"\x1b[2J", back).expect("the screen cleared for a full redraw");
    // While it ran, the terminal was not in raw mode (the program had a normal terminal).
    let stty = std::fs::read_to_string(format!("{}.stty", script.display())).unwrap();
    assert!(stty.contains(" icanon") && stty.contains(" echo"), "{stty}");
    let args = std::fs::read_to_string(format!("{}.args", script.display())).unwrap();
    let mut args = args.lines();
    let artifact = args.next().unwrap().to_string();
    assert_eq!(args.next(), Some("demo-dev"), "the demo's open tenant");
    let rows = std::fs::read_to_string(format!("{}.rows", script.display())).unwrap();
    let row: serde_json::Value = serde_json::from_str(rows.trim()).unwrap();
    assert_eq!(row["artifact"], artifact.as_str());
    // Redrawn in full: header, tab line and the table, none of the program's output.
    let screen = app.screen_text();
    assert!(screen.starts_with(" cpitop"), "{screen}");
    assert!(
        screen.contains("1 Artifacts") && screen.contains(&artifact),
        "{screen}"
    );
    assert!(!screen.contains("PLUGIN-IN-THE-TERMINAL"), "{screen}");
    // Keys work again.
    app.send("2");
    app.wait_for("─ Messages", WAIT);
    let audit = demo.audit();
    assert!(audit.iter().any(|l| l["action"] == "plugin"
        && l["phase"] == "attempt"
        && l["targets"]["args"][0] == artifact.as_str()));
    assert!(
        audit
            .iter()
            .any(|l| l["action"] == "plugin" && l["phase"] == "result" && l["result"]["exit_code"] == 0)
    );
    app.send("q");
    assert_eq!(app.wait_exit(WAIT), 0);
    let stty = app.stty_after_exit();
    assert!(
        stty.contains(" icanon") && stty.contains(" echo"),
        "terminal restored: {stty}"
    );
}

#[test]
fn a_background_plugin_shows_its_output_and_a_dangerous_one_is_refused_read_only() {
    let demo = Demo::new();
    let bg = demo.script(
        "bg.sh",
        "printf 'hello from %s\\n' \"$1\"\necho 'a warning' >&2\n",
    );
    let danger = demo.script("danger.sh", "touch \"$0.ran\"\n");
    let config = format!(
        "[[plugins]]\nname = \"bg\"\nkey = \"ctrl-o\"\ncommand = \"{}\"\nargs = [\"$ARTIFACT\"]\nbackground = true\n\n[[plugins]]\nname = \"danger\"\nkey = \"ctrl-e\"\ncommand = \"{}\"\ndangerous = true\n",
        bg.display(),
        danger.display()
    );
    let mut app = demo.start(&config, &["--read-only"], &[]);
    app.send("\x0f"); // ctrl-o
    app.wait_until("the output overlay", WAIT, |s| {
        s.contains("Plugin output") && s.contains("hello from ") && s.contains("a warning")
    });
    assert!(app.screen_text().contains("▸ bg exit 0"), "{}", app.screen_text());
    app.send("\x1b");
    app.wait_until("closed", WAIT, |s| !s.contains("Plugin output"));
    app.send("\x05"); // ctrl-e
    app.wait_for("Plugin danger refused", WAIT);
    assert!(app.screen_text().contains("--read-only"), "{}", app.screen_text());
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !Path::new(&format!("{}.ran", danger.display())).exists(),
        "nothing ran"
    );
    app.send("\x1b");
    app.wait_until("closed", WAIT, |s| !s.contains("Plugin danger refused"));
    app.send("q");
    assert_eq!(app.wait_exit(WAIT), 0);
    let audit = demo.audit();
    assert!(
        audit
            .iter()
            .any(|l| l["phase"] == "result" && l["targets"]["plugin"] == "bg" && l["result"]["ok"] == true)
    );
    assert!(
        audit
            .iter()
            .any(|l| l["phase"] == "refused" && l["targets"]["plugin"] == "danger")
    );
}

/// The colour escape sequences in `raw`: (24-bit, the 256-colour palette's form, the plain SGR
/// codes of the 16 colours: `ESC[31m`, `ESC[104m`).
fn colour_kinds(raw: &[u8]) -> (bool, bool, bool) {
    let text = String::from_utf8_lossy(raw);
    let rgb = text.contains("8;2;");
    let palette = text.contains("8;5;");
    let plain = |c: u16| {
        (30..=37).contains(&c) || (40..=47).contains(&c) || (90..=97).contains(&c) || (100..=107).contains(&c)
    };
    let sixteen = text.split("\x1b[").skip(1).any(|seq| {
        let params: String = seq
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == ';')
            .collect();
        seq[params.len()..].starts_with('m') && params.split(';').any(|c| c.parse::<u16>().is_ok_and(plain))
    });
    (rgb, palette, sixteen)
}

#[test]
fn the_colour_depth_follows_the_terminal() {
    let demo = Demo::new();
    let run = |env: &[(&str, &str)]| {
        let mut app = demo.start("", &[], env);
        let raw = app.raw_output();
        app.send("q");
        assert_eq!(app.wait_exit(WAIT), 0);
        colour_kinds(&raw)
    };
    let (rgb, _, _) = run(&[("COLORTERM", "truecolor"), ("TERM", "xterm-256color")]);
    assert!(rgb, "truecolor: 24-bit");
    let (rgb, palette, _) = run(&[("TERM", "xterm-256color")]);
    assert!(
        !rgb && palette,
        "a 256-colour TERM without COLORTERM: the palette"
    );
    let (rgb, palette, sixteen) = run(&[("TERM", "xterm")]);
    assert!(
        !rgb && !palette && sixteen,
        "otherwise the 16 colours, as plain SGR codes"
    );
    let (rgb, palette, sixteen) = run(&[
        ("TERM", "xterm-256color"),
        ("COLORTERM", "truecolor"),
        ("NO_COLOR", "1"),
    ]);
    assert!(!rgb && !palette && !sixteen, "NO_COLOR: none at all");
}
