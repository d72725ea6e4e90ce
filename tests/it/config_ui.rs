//! The TUI's sections of the config — `[keys]`, the theme, `[[hotkeys]]`, `[[plugins]]` — checked
//! as the TUI reads them, every mistake located (file, line, column, the line); the example config
//! and each of its commented examples valid; `cpitop config check` printing them and failing.

use std::path::Path;

use cpitop::app::ui_config::setup;
use cpitop::config::Config;
use cpitop::kit::keymap::{Context, Key};
use cpitop::kit::widgets::theme::{Paint, Role, Skin};

const FILE: &str = "/cfg/config.toml";

fn parse(text: &str) -> Config {
    Config::parse(text, Path::new(FILE)).expect("the file itself is valid")
}

/// Every mistake of the TUI's sections, as `config check` prints them.
fn errors(text: &str) -> Vec<String> {
    setup(&parse(text)).1.iter().map(|e| e.to_string()).collect()
}

fn one_error(text: &str) -> String {
    let e = errors(text);
    assert_eq!(e.len(), 1, "{e:#?}");
    e[0].clone()
}

#[test]
fn keys_are_set_per_view_and_every_mistake_is_located() {
    let (ui, errs) = setup(&parse(
        "[keys.global]\nrefresh = [\"r\", \"f5\"]\n[keys.messages]\ntoggle_failed = \"F\"\n",
    ));
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(ui.key_overrides, 2);
    let msgs = [Context::Messages, Context::Table, Context::Global];
    let f5 = Key::parse("f5").unwrap();
    assert_eq!(ui.keymap.lookup(&msgs, f5).map(|a| a.name()), Some("refresh"));
    assert_eq!(
        ui.keymap
            .lookup(&msgs, Key::parse("F").unwrap())
            .map(|a| a.name()),
        Some("toggle_failed")
    );

    // The flat layout the old example showed: said how to write it.
    assert_eq!(
        one_error("[keys]\nrefresh = \"R\"\n"),
        "/cfg/config.toml:2:1: invalid value for `keys.refresh`: keys are set per view: write `refresh = …` under [keys.global] (every view) or [keys.<view>] (one view: artifacts, messages, queues, artifact_detail, message_detail, queue_messages, correlated, attachments, attachment, alerts, alert_evidence, alert_history, keystore, certificate, tenants, drift, errors, error_members)\n 2 | refresh = \"R\"\n   | ^"
    );
    assert_eq!(
        one_error("[keys.mesages]\nrefresh = \"R\"\n"),
        "/cfg/config.toml:1:7: unknown key `keys.mesages`; did you mean `messages`?\n 1 | [keys.mesages]\n   |       ^\n  allowed keys here: global, table, detail, artifacts, messages, queues, artifact_detail, message_detail, queue_messages, correlated, attachments, attachment, alerts, alert_evidence, alert_history, keystore, certificate, tenants, drift, errors, error_members, dangerous"
    );
    let unknown_action = one_error("[keys.global]\nrefrsh = \"R\"\n");
    assert!(
        unknown_action.starts_with(
            "/cfg/config.toml:2:1: unknown key `keys.global.refrsh`; did you mean `refresh`?\n 2 | refrsh = \"R\"\n   | ^\n  allowed keys here: quit, back, "
        ),
        "{unknown_action}"
    );
    assert_eq!(
        one_error("[keys.global]\nrefresh = [\"r\", \"ctrl-\"]\n"),
        "/cfg/config.toml:2:17: invalid value for `keys.global.refresh[1]`: `ctrl-` is not a key: write a character (\"q\", \"G\", \"?\") or a name (enter, esc, tab, backtab, space, backspace, up, down, left, right, pgup, pgdn, home, end, f1 … f12), optionally after ctrl- or alt-\n 2 | refresh = [\"r\", \"ctrl-\"]\n   |                 ^"
    );
    let dangerous = one_error("[keys]\ndangerous = [\"refresh\", \"nuke\"]\n");
    assert!(
        dangerous.starts_with(
            "/cfg/config.toml:2:25: invalid value for `keys.dangerous[1]`: `nuke` is not an action\n  allowed values: quit, back, pane_artifacts, "
        ),
        "{dangerous}"
    );
    assert!(
        dangerous.ends_with("\n 2 | dangerous = [\"refresh\", \"nuke\"]\n   |                         ^"),
        "{dangerous}"
    );
    // Several mistakes: all of them, the valid entries still applied.
    let (ui, errs) = setup(&parse(
        "[keys.global]\nrefresh = \"f6\"\nfly = \"x\"\n[keys.messages]\nwindow = 3\n",
    ));
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert_eq!(
        ui.keymap
            .lookup(&msgs, Key::parse("f6").unwrap())
            .map(|a| a.name()),
        Some("refresh")
    );
}

#[test]
fn themes_pick_a_skin_and_colour_roles() {
    let (ui, errs) = setup(&parse("theme = \"light\"\n"));
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(ui.skin, Skin::Light);
    assert_eq!(ui.palette, Skin::Light.palette());

    let (ui, errs) = setup(&parse(
        "[theme]\nskin = \"high-contrast\"\nbad = \"#ff0000\"\nselected_bg = \"Blue\"\ntext = \"default\"\n",
    ));
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(ui.skin, Skin::HighContrast);
    assert_eq!(ui.colour_overrides, 3);
    assert_eq!(ui.palette.get(Role::Bad).rgb, Some((255, 0, 0)));
    assert_eq!(ui.palette.get(Role::SelectedBg), Paint::parse("blue").unwrap());
    assert_eq!(ui.palette.get(Role::Text), Paint::DEFAULT);
    assert_eq!(
        ui.palette.get(Role::Good),
        Skin::HighContrast.palette().get(Role::Good),
        "the rest is the skin's"
    );

    assert_eq!(
        one_error("theme = \"lihgt\"\n"),
        "/cfg/config.toml:1:1: invalid value for `theme`: `lihgt` is not a built-in skin\n  allowed values: default, light, high-contrast; did you mean `light`?\n 1 | theme = \"lihgt\"\n   | ^"
    );
    assert_eq!(
        one_error("[theme]\nbda = \"red\"\n"),
        "/cfg/config.toml:2:1: unknown key `theme.bda`; did you mean `bad`?\n 2 | bda = \"red\"\n   | ^\n  allowed keys here: skin, text, background, title, key, tab, column, muted, good, bad, warn, busy, selected_fg, selected_bg, match_fg, match_bg, banner_fg, banner_bg, badge_fg, badge_bg, badge_prod_fg, badge_prod_bg"
    );
    assert_eq!(
        one_error("[theme]\nbad = \"rde\"\n"),
        "/cfg/config.toml:2:1: invalid value for `theme.bad`: `rde` is not a colour\n  allowed values: black, red, green, yellow, blue, magenta, cyan, gray, darkgray, lightred, lightgreen, lightyellow, lightblue, lightmagenta, lightcyan, white, default, #rrggbb; did you mean `red`?\n 2 | bad = \"rde\"\n   | ^"
    );
    assert!(
        one_error("[theme]\nwarn = \"#ffcc0\"\n")
            .starts_with("/cfg/config.toml:2:1: invalid value for `theme.warn`: `#ffcc0` is not a colour: write #rrggbb with six hex digits"),
    );
    assert!(one_error("theme = 3\n").starts_with(
        "/cfg/config.toml:1:1: invalid value for `theme`: write theme = \"light\" (a built-in skin) or a [theme] table"
    ));
}

const HOTKEY: &str = "[[hotkeys]]\nkey = \"F2\"\ncommand = \"iflow Orders_Inbound\"\n";

#[test]
fn hotkeys_are_checked_against_views_commands_and_the_keymap() {
    let (ui, errs) = setup(&parse(&format!(
        "{HOTKEY}description = \"Orders\"\n[[hotkeys]]\nkey = \"f3\"\ncommand = \":status FAILED\"\nviews = [\"messages\", \"detail\"]\n"
    )));
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(ui.hotkeys.len(), 2);
    assert_eq!(ui.hotkeys[0].key, Key::parse("f2").unwrap());
    assert_eq!(ui.hotkeys[0].description, "Orders");
    assert_eq!(ui.hotkeys[1].command, "status FAILED");
    assert_eq!(ui.hotkeys[1].description, ":status FAILED");

    assert_eq!(
        one_error(&HOTKEY.replace("iflow Orders_Inbound", "iflw Orders_Inbound")),
        "/cfg/config.toml:3:1: invalid value for `hotkeys[0].command`: unknown command `iflw` (the commands are listed under `:help`); did you mean `iflow`?\n 3 | command = \"iflw Orders_Inbound\"\n   | ^"
    );
    assert_eq!(
        one_error(&HOTKEY.replace("iflow Orders_Inbound", "window soon")),
        "/cfg/config.toml:3:1: invalid value for `hotkeys[0].command`: `:window soon`: cannot read window `soon`: use e.g. 15m, 1h, 4h, 24h, 2d or 4h30m\n 3 | command = \"window soon\"\n   | ^"
    );
    assert_eq!(
        one_error(&HOTKEY.replace("\"F2\"", "\"F13\"")),
        "/cfg/config.toml:2:1: invalid value for `hotkeys[0].key`: `F13` is not a key: write a character (\"q\", \"G\", \"?\") or a name (enter, esc, tab, backtab, space, backspace, up, down, left, right, pgup, pgdn, home, end, f1 … f12), optionally after ctrl- or alt-\n 2 | key = \"F13\"\n   | ^"
    );
    // A built-in key of the same views: refused, naming the action and the view.
    assert_eq!(
        one_error(&format!(
            "{}views = [\"messages\"]\n",
            HOTKEY.replace("\"F2\"", "\"f\"")
        )),
        "/cfg/config.toml:2:1: invalid value for `hotkeys[0].key`: `f` is already `toggle_failed` in the messages view (built-in); pick another key, or give `toggle_failed` another key in [keys]\n 2 | key = \"f\"\n   | ^"
    );
    // … but free where the built-in one does not work.
    assert!(
        errors(&format!(
            "{}views = [\"message_detail\"]\n",
            HOTKEY.replace("\"F2\"", "\"f\"")
        ))
        .is_empty()
    );
    // A key moved away in [keys] is free again; the key it moved to is taken.
    assert!(
        errors(&format!(
            "[keys.messages]\ntoggle_failed = \"F\"\n{}views = [\"messages\"]\n",
            HOTKEY.replace("\"F2\"", "\"f\"")
        ))
        .is_empty()
    );
    assert!(
        one_error(&format!("[keys.global]\nrefresh = \"f2\"\n{HOTKEY}"))
            .contains("`f2` is already `refresh` in the artifacts view")
    );
    assert!(one_error(&HOTKEY.replace("\"F2\"", "\"ctrl-c\"")).contains("ctrl-c always quits cpitop"));
    assert_eq!(
        one_error(&format!("{HOTKEY}views = [\"mesages\"]\n")),
        "/cfg/config.toml:4:10: invalid value for `hotkeys[0].views[0]`: `mesages` is not a view\n  allowed values: table, detail, artifacts, messages, queues, artifact_detail, message_detail, queue_messages, correlated, attachments, attachment, alerts, alert_evidence, alert_history, keystore, certificate, tenants, drift, errors, error_members; did you mean `messages`?\n 4 | views = [\"mesages\"]\n   |          ^"
    );
    // Two of the user's own on one key in overlapping views.
    assert_eq!(
        one_error(&format!(
            "{HOTKEY}{}",
            HOTKEY.replace("iflow Orders_Inbound", "queues")
        )),
        "/cfg/config.toml:5:1: invalid value for `hotkeys[1].key`: `f2` is already taken by hotkeys[0] (`:iflow Orders_Inbound`) in the same views\n 5 | key = \"F2\"\n   | ^"
    );
    assert_eq!(
        one_error(&format!("{HOTKEY}comand = \"x\"\n")),
        "/cfg/config.toml:4:1: unknown key `hotkeys[0].comand`; did you mean `command`?\n 4 | comand = \"x\"\n   | ^\n  allowed keys here: key, command, views, description"
    );
}

const PLUGIN: &str = "[[plugins]]\nname = \"logs\"\nkey = \"ctrl-l\"\ncommand = \"/usr/local/bin/logsearch\"\nargs = [\"--corr\", \"$CORRELATION_ID\"]\nviews = [\"messages\", \"message_detail\"]\n";

#[test]
fn plugins_are_checked_with_their_variables_and_keys() {
    let (ui, errs) = setup(&parse(&format!(
        "{PLUGIN}background = true\n[[plugins]]\nname = \"restart\"\nkey = \"ctrl-e\"\ncommand = \"/opt/restart\"\nargs = [\"$ARTIFACT\"]\nviews = [\"artifacts\"]\ndangerous = true\n"
    )));
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(ui.plugins.len(), 2);
    assert!(ui.plugins[0].background && !ui.plugins[0].confirm);
    assert!(
        ui.plugins[1].dangerous && ui.plugins[1].confirm,
        "dangerous is always confirmed"
    );
    assert_eq!(
        ui.plugins[0].written(),
        "/usr/local/bin/logsearch --corr $CORRELATION_ID"
    );

    assert_eq!(
        one_error(&PLUGIN.replace("$CORRELATION_ID", "$CORELATION_ID")),
        "/cfg/config.toml:5:19: invalid value for `plugins[0].args[1]`: unknown variable `$CORELATION_ID`\n  allowed values: $TENANT, $MESSAGE_ID, $CORRELATION_ID, $IFLOW, $QUEUE, $ARTIFACT, $WEB_LINK\n 5 | args = [\"--corr\", \"$CORELATION_ID\"]\n   |                   ^"
    );
    // A variable inside a shell's script would make tenant data code: refused, with the safe way.
    let shell = one_error(&PLUGIN.replace("/usr/local/bin/logsearch", "sh").replace(
        "[\"--corr\", \"$CORRELATION_ID\"]",
        "[\"-c\", \"grep $CORRELATION_ID /var/log/app.log\"]",
    ));
    assert!(
        shell.starts_with("/cfg/config.toml:5:15: invalid value for `plugins[0].args[1]`: sh runs this argument as code: $CORRELATION_ID in it would put the tenant's data into code. Pass it as an argument of its own after the script"),
        "{shell}"
    );
    // … passed after the script it is data, and fine.
    assert!(
        errors(&PLUGIN.replace("/usr/local/bin/logsearch", "sh").replace(
            "[\"--corr\", \"$CORRELATION_ID\"]",
            "[\"-c\", 'grep -F -- \"$$1\" /var/log/app.log', \"sh\", \"$CORRELATION_ID\"]"
        ))
        .is_empty()
    );
    assert!(
        one_error(
            &PLUGIN
                .replace("/usr/local/bin/logsearch", "bash")
                .replace("args = [\"--corr\", \"$CORRELATION_ID\"]\n", "")
        )
        .contains(
            "bash without a script would read its code from stdin, where cpitop writes the selected rows"
        )
    );
    assert!(
        one_error(&PLUGIN.replace("/usr/local/bin/logsearch", "logsearch --corr")).contains(
            "`logsearch --corr` is one program, not a command line (nothing is run through a shell)"
        )
    );
    assert!(
        one_error(&PLUGIN.replace("/usr/local/bin/logsearch", "$IFLOW")).contains("the program is fixed")
    );
    assert!(
        one_error(&format!("{PLUGIN}background = true\nwait = true\n"))
            .contains("`wait` is for plugins that run in the terminal")
    );
    assert_eq!(
        one_error(&PLUGIN.replace("ctrl-l", "c")),
        "/cfg/config.toml:3:1: invalid value for `plugins[0].key`: `c` is already `correlated` in the message_detail view (built-in); pick another key, or give `correlated` another key in [keys]\n 3 | key = \"c\"\n   | ^"
    );
    assert!(
        one_error(&format!("{HOTKEY}{}", PLUGIN.replace("ctrl-l", "f2")))
            .contains("`f2` is already taken by hotkeys[0] (`:iflow Orders_Inbound`) in the same views")
    );
    assert!(
        one_error(&format!("{PLUGIN}{}", PLUGIN.replace("ctrl-l", "ctrl-k"))).starts_with(
            "/cfg/config.toml:8:1: invalid value for `plugins[1].name`: another plugin is named `logs`"
        )
    );
    assert_eq!(
        one_error(&PLUGIN.replace("command = \"/usr/local/bin/logsearch\"\n", "")),
        "/cfg/config.toml:1:1: invalid value for `plugins[0]`: `command` is missing\n 1 | [[plugins]]\n   | ^"
    );
    assert!(
        one_error(&format!("{PLUGIN}backgrund = true\n")).starts_with(
            "/cfg/config.toml:7:1: unknown key `plugins[0].backgrund`; did you mean `background`?"
        )
    );
}

/// The commented lines of the example between `start` and the next `# ----` rule, uncommented
/// where they are TOML (a table header or `key = value`), prose left as it is.
fn uncommented(example: &str, start: &str) -> String {
    let mut inside = false;
    let mut out = Vec::new();
    for line in example.lines() {
        if line.starts_with(start) {
            inside = true;
        } else if inside && line.starts_with("# ----") {
            inside = false;
        }
        let toml_like = |rest: &str| {
            rest.starts_with('[')
                || rest.split_once(" = ").is_some_and(|(k, _)| {
                    !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                })
        };
        match line.strip_prefix("# ") {
            Some(rest) if inside && toml_like(rest) => out.push(rest.to_string()),
            _ => out.push(line.to_string()),
        }
    }
    out.join("\n") + "\n"
}

#[test]
fn the_example_config_and_each_commented_example_are_valid() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/cpitop.example.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let c = Config::load_file(&path).expect("the example loads");
    let (ui, errs) = setup(&c);
    assert!(errs.is_empty(), "{errs:#?}");
    assert_eq!(ui.skin, Skin::Default);

    let keys = uncommented(&text, "# Keys, per view");
    let c = Config::parse(&keys, Path::new(FILE)).expect("parses");
    let (ui, errs) = setup(&c);
    assert!(errs.is_empty(), "{errs:#?}");
    assert_eq!(ui.key_overrides, 2, "refresh and toggle_failed");

    let theme = uncommented(&text, "# Colours:");
    let (ui, errs) = setup(&Config::parse(&theme, Path::new(FILE)).expect("parses"));
    assert!(errs.is_empty(), "{errs:#?}");
    assert_eq!(ui.colour_overrides, 2);

    let hotkeys = uncommented(&text, "# Hotkeys:");
    let (ui, errs) = setup(&Config::parse(&hotkeys, Path::new(FILE)).expect("parses"));
    assert!(errs.is_empty(), "{errs:#?}");
    assert_eq!(ui.hotkeys.len(), 2);

    let plugins = uncommented(&text, "# Plugins:");
    let (ui, errs) = setup(&Config::parse(&plugins, Path::new(FILE)).expect("parses"));
    assert!(errs.is_empty(), "{errs:#?}");
    let names: Vec<&str> = ui.plugins.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["ticket", "summary", "logs", "view"]);
    assert!(ui.plugins.iter().take(3).all(|p| p.background));

    // Everything at once, as a user who uncomments it all gets it.
    let all = uncommented(
        &uncommented(
            &uncommented(&uncommented(&text, "# Keys, per view"), "# Colours:"),
            "# Hotkeys:",
        ),
        "# Plugins:",
    );
    let (ui, errs) = setup(&Config::parse(&all, Path::new(FILE)).expect("parses"));
    assert!(errs.is_empty(), "{errs:#?}");
    assert_eq!((ui.hotkeys.len(), ui.plugins.len()), (2, 4));
}

#[test]
fn config_check_prints_each_mistake_with_its_place_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    crate::fsx::write_private(
        &file,
        &format!(
            "[tenants.dev]\nurl = \"https://dev.example.com\"\n[tenants.dev.auth]\nclient_id = \"c\"\ntoken_url = \"https://auth.example.com/oauth/token\"\nclient_secret = \"s\"\n\n[theme]\nbda = \"red\"\n{}",
            PLUGIN.replace("$CORRELATION_ID", "$CORELATION_ID")
        ),
    );
    let out = assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("cpitop"))
        .args(["config", "check", "--offline", "--config"])
        .arg(&file)
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let f = file.display();
    assert!(
        stdout.contains(&format!(
            "✗ tui: {f}:9:1: unknown key `theme.bda`; did you mean `bad`?\n 9 | bda = \"red\"\n   | ^\n"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "✗ tui: {f}:14:19: invalid value for `plugins[0].args[1]`: unknown variable `$CORELATION_ID`"
        )),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the TUI's settings ([keys], theme, [[hotkeys]], [[plugins]]) are not valid"),
        "{stderr}"
    );

    // Fixed, it passes and says what the TUI will use (and the colour depth here).
    crate::fsx::write_private(
        &file,
        &format!(
            "theme = \"light\"\n[tenants.dev]\nurl = \"https://dev.example.com\"\n[tenants.dev.auth]\nclient_id = \"c\"\ntoken_url = \"https://auth.example.com/oauth/token\"\nclient_secret = \"s\"\n\n{PLUGIN}{HOTKEY}"
        ),
    );
    let out = assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("cpitop"))
        .args(["config", "check", "--offline", "--config"])
        .arg(&file)
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(
            "✓ tui: skin light, 0 key overrides, 1 hotkey, 1 plugin; colours here: no colour (NO_COLOR)"
        ),
        "{stdout}"
    );
}
