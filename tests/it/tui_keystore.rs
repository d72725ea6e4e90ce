//! The Keystore pane: snapshots of every state (loading, data, empty, error, stale, filtered, the
//! certificate view) at 80x24 and 160x45 with a fixed clock; its keys (`6`, `:keystore`,
//! `:certs`, `f`, sort, `Enter`, `y`); the certificate view opened from an alert; and the pane's
//! poller and one-off read against the simulated tenant over loopback.

use crate::tui_support;

use std::time::Duration;

use cpitop::app::msg::{DataMsg, Effect, Msg};
use cpitop::app::state::{Pane, Route};
use cpitop::app::{State, apply};
use cpitop::cpi::model::KeystoreEntry;
use cpitop::kit::nav::Nav;
use cpitop::kit::table::Table;
use cpitop::panes::keystore;
use crossterm::event::KeyCode;
use ratatui::style::Color;
use tui_support::*;

const DAY: i64 = 86_400_000;
const SIZES: [(u16, u16); 2] = [(80, 24), (160, 45)];

fn snap(name: &str, s: &State) {
    let (w, h) = s.size;
    insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen(s));
}

fn entry(
    alias: &str,
    kind: &str,
    key: (&str, i64),
    days: Option<i64>,
    owner: &str,
    subject: &str,
) -> KeystoreEntry {
    KeystoreEntry {
        hexalias: KeystoreEntry::hex_of(alias),
        alias: alias.into(),
        kind: kind.into(),
        key_type: key.0.into(),
        key_size: key.1,
        valid_not_before: days.map(|_| NOW - 365 * DAY),
        valid_not_after: days.map(|d| NOW + d * DAY + 3_600_000),
        owner: owner.into(),
        subject_dn: subject.into(),
        issuer_dn: "CN=ACME Issuing CA, O=ACME, C=DE".into(),
        serial_number: format!("0x{:X}", alias.len() * 4099 + 65537),
        signature_algorithm: if key.0 == "EC" {
            "SHA256withECDSA"
        } else {
            "SHA256withRSA"
        }
        .into(),
        ..KeystoreEntry::default()
    }
}

/// A tenant keystore: one expired, three expiring within 30 days, the rest valid, one undated.
fn entries() -> Vec<KeystoreEntry> {
    let ta = "Tenant Administrator";
    let mut s4 = entry(
        "s4hana_prd_client",
        "Key Pair",
        ("EC", 256),
        Some(190),
        ta,
        "CN=cpi-client.acme.com, O=ACME, C=DE",
    );
    s4.elliptic_curve = "secp256r1".into();
    vec![
        entry(
            "sap_cloudintegrationcertificate",
            "Key Pair",
            ("RSA", 2048),
            Some(300),
            "SAP",
            "CN=acme.it-cpi018.cfapps.eu10.hana.ondemand.com, O=SAP SE, C=DE",
        ),
        entry(
            "partner_as2_signing",
            "Key Pair",
            ("RSA", 4096),
            Some(21),
            ta,
            "CN=as2.acme.com, O=ACME, C=DE",
        ),
        entry(
            "metro_edi_encryption",
            "Certificate",
            ("RSA", 2048),
            Some(5),
            ta,
            "CN=edi.metro.example, O=Metro AG, C=DE",
        ),
        entry(
            "old_partner_sftp",
            "Certificate",
            ("RSA", 2048),
            Some(-4),
            ta,
            "CN=sftp.oldpartner.example, O=Old Partner, C=NL",
        ),
        entry(
            "bank_ebics_auth",
            "Key Pair",
            ("RSA", 3072),
            Some(27),
            ta,
            "CN=ebics.acme.com, O=ACME, C=DE",
        ),
        entry(
            "digicert_global_root_g2",
            "Certificate",
            ("RSA", 2048),
            Some(4200),
            "SAP",
            "CN=DigiCert Global Root G2, OU=www.digicert.com, O=DigiCert Inc, C=US",
        ),
        s4,
        entry("legacy_pgp_public", "Certificate", ("", 0), None, ta, ""),
    ]
}

/// The certificate view's entry: every field the tenant sends, fingerprints included.
fn full_entry() -> KeystoreEntry {
    KeystoreEntry {
        fingerprint_sha1: "0D:56:3A:9F:11:C2:7E:40:88:01:B3:5C:DE:7A:90:12:44:6F:A1:03".into(),
        fingerprint_sha256:
            "84:2D:1F:09:C3:57:AA:12:6E:90:3B:C4:D1:08:77:5E:21:AF:90:3C:4B:11:62:D8:E0:95:7A:4C:33:10:BE:9F"
                .into(),
        fingerprint_sha512: (0..64)
            .map(|i| format!("{:02X}", (i * 37 + 11) % 256))
            .collect::<Vec<_>>()
            .join(":"),
        last_modified_by: "ops.user@acme.com".into(),
        last_modified_time: Some(NOW - 40 * DAY),
        ..entries()[1].clone()
    }
}

fn load(s: &mut State, items: Vec<KeystoreEntry>) {
    let generation = s.keystore.load.generation;
    apply(
        s,
        [Msg::Data(DataMsg::Keystore {
            generation,
            at: NOW - 3_000,
            result: Ok(items),
        })],
    );
}

fn fail(s: &mut State, e: &str) {
    let generation = s.keystore.load.generation;
    apply(
        s,
        [Msg::Data(DataMsg::Keystore {
            generation,
            at: NOW,
            result: Err(e.into()),
        })],
    );
}

fn opened(w: u16, h: u16) -> State {
    let mut s = state(w, h);
    apply(&mut s, [key('6')]);
    s
}

fn aliases(s: &State) -> Vec<String> {
    s.keystore
        .list
        .rows()
        .map(|r| s.keystore.items[r].alias.clone())
        .collect()
}

const FORBIDDEN: &str = "GET /api/v1/KeystoreEntries: 403 Forbidden — check that the user may read keystores (Security Content API)";

#[test]
fn keystore_pane_in_every_state() {
    for (w, h) in SIZES {
        let s = opened(w, h);
        assert_eq!(s.pane(), Pane::Keystore);
        snap("keystore_loading", &s);

        let mut s = opened(w, h);
        load(&mut s, entries());
        snap("keystore_data", &s);

        let mut s = opened(w, h);
        load(&mut s, vec![]);
        snap("keystore_empty", &s);

        let mut s = opened(w, h);
        fail(&mut s, FORBIDDEN);
        snap("keystore_error", &s);

        let mut s = opened(w, h);
        load(&mut s, entries());
        fail(&mut s, FORBIDDEN);
        snap("keystore_stale", &s);

        let mut s = opened(w, h);
        load(&mut s, entries());
        apply(&mut s, [key('/')]);
        apply(&mut s, typed("partner"));
        apply(&mut s, [code(KeyCode::Enter)]);
        snap("keystore_filtered", &s);

        let mut s = opened(w, h);
        load(&mut s, entries());
        apply(&mut s, [key('f')]);
        snap("keystore_due_only", &s);

        // The certificate view of an entry the list holds, with every field.
        let mut s = opened(w, h);
        let mut items = entries();
        items[1] = full_entry();
        load(&mut s, items);
        let pos = aliases(&s)
            .iter()
            .position(|a| a == "partner_as2_signing")
            .expect("listed");
        s.keystore.select_position(pos);
        let fx = apply(&mut s, [code(KeyCode::Enter)]);
        assert!(
            !fx.iter().any(|e| matches!(e, Effect::FetchCertificate { .. })),
            "the list holds it: nothing to read {fx:?}"
        );
        snap("keystore_certificate", &s);

        // Opened from elsewhere (an alert's evidence) before the list was read: loading, then
        // the entry read by alias, or an alias the keystore does not have.
        let mut s = state(w, h);
        apply(&mut s, [key('4')]);
        let mut fx = Vec::new();
        cpitop::app::nav::go(
            &mut s,
            Nav::OpenCertificate("partner_as2_signing".into()),
            &mut fx,
        );
        snap("keystore_certificate_loading", &s);
        apply(
            &mut s,
            [Msg::Data(DataMsg::Certificate {
                alias: "partner_as2_signing".into(),
                result: Err("GET /api/v1/KeystoreEntries('706172746e65725f6173325f7369676e696e67'): 500 Internal Server Error".into()),
            })],
        );
        snap("keystore_certificate_error", &s);
    }
}

#[test]
fn expired_and_expiring_first_and_coloured() {
    let mut s = opened(160, 45);
    load(&mut s, entries());
    assert_eq!(
        aliases(&s),
        [
            "old_partner_sftp",
            "metro_edi_encryption",
            "partner_as2_signing",
            "bank_ebics_auth",
            "s4hana_prd_client",
            "sap_cloudintegrationcertificate",
            "digicert_global_root_g2",
            "legacy_pgp_public",
        ]
    );
    let b = screen(&s);
    assert!(
        find(&b, "6 Keystore (4!)").is_some(),
        "the tab counts what needs attention"
    );
    let red = find(&b, "old_partner_sftp").expect("shown");
    assert_eq!(b.buffer()[red].fg, Color::Red, "expired: red");
    let (x, y) = find(&b, "metro_edi_encryption").expect("shown");
    assert_eq!(
        b.buffer()[(x, y)].fg,
        Color::Yellow,
        "expiring: yellow, the whole row"
    );
    let (_, y) = find(&b, "EXPIRED ").expect("status word");
    assert!(
        row_text(&b, y).contains("  -3"),
        "days left of the expired: {}",
        row_text(&b, y)
    );
    let (x, y) = find(&b, "VALID    s4hana").expect("a valid row");
    assert_eq!(
        b.buffer()[(x, y)].fg,
        Color::Green,
        "the status word of a valid entry"
    );
    assert_ne!(b.buffer()[(x + 9, y)].fg, Color::Green, "but not its row");

    // A shorter horizon (`keystore.expiring = "7d"`) counts fewer as expiring.
    let mut s = opened(160, 45);
    s.intervals.keystore_expiring = 7 * DAY as u64;
    load(&mut s, entries());
    assert_eq!(s.keystore.due(), 2);
    apply(&mut s, [key('f')]);
    assert_eq!(aliases(&s), ["old_partner_sftp", "metro_edi_encryption"]);
    assert!(find(&screen(&s), "Keystore › expired or expiring within 7d").is_some());
}

#[test]
fn keys_of_the_pane() {
    for cmd in ["keystore", "certs"] {
        let mut s = state(160, 45);
        let fx = apply(&mut s, [Msg::Command(cmd.into())]);
        assert_eq!(s.route(), &Route::Keystore(keystore::Route::List), ":{cmd}");
        let plan = fx.iter().find_map(|e| match e {
            Effect::Poll(p) => Some(p.clone()),
            _ => None,
        });
        let plan = plan.expect("polling changes");
        assert!(plan.keystore.is_some() && plan.artifacts.is_none(), "{plan:?}");
    }
    let mut s = opened(160, 45);
    assert_eq!(s.polling.keystore.as_ref().map(|p| p.interval_ms), Some(300_000));
    load(&mut s, entries());
    // Sort by alias (`s a`), then back to the pane's order.
    apply(&mut s, [key('s'), key('a')]);
    assert_eq!(aliases(&s)[0], "bank_ebics_auth");
    apply(&mut s, [Msg::Command("sort type desc".into())]);
    assert_eq!(
        aliases(&s)[0],
        "sap_cloudintegrationcertificate",
        "key pairs first"
    );
    // `y` copies the alias, in the list and in the certificate view.
    apply(&mut s, [key('g')]);
    let fx = apply(&mut s, [key('y')]);
    assert!(
        fx.contains(&Effect::Copy {
            text: "sap_cloudintegrationcertificate".into(),
            what: "alias".into()
        }),
        "{fx:?}"
    );
    apply(&mut s, [code(KeyCode::Enter)]);
    assert_eq!(
        s.route(),
        &Route::Keystore(keystore::Route::Certificate {
            alias: "sap_cloudintegrationcertificate".into()
        })
    );
    let fx = apply(&mut s, [key('y')]);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Copy { text, .. } if text == "sap_cloudintegrationcertificate"))
    );
    // `r` reads the entry again; Esc goes back to the list.
    let fx = apply(&mut s, [key('r')]);
    assert!(fx.contains(&Effect::FetchCertificate {
        alias: "sap_cloudintegrationcertificate".into()
    }));
    apply(&mut s, [code(KeyCode::Esc)]);
    assert_eq!(s.route(), &Route::Keystore(keystore::Route::List));
    // Export writes the shown rows as keystore_entry records.
    let fx = apply(&mut s, [key('e')]);
    let cols = fx.iter().find_map(|e| match e {
        Effect::Export { fields, records, .. } => Some((fields.clone(), records.len())),
        _ => None,
    });
    assert_eq!(
        cols,
        Some((
            [
                "status",
                "alias",
                "type",
                "key_type",
                "key_size",
                "valid_from",
                "valid_until",
                "days_left",
                "owner"
            ]
            .map(String::from)
            .to_vec(),
            8
        ))
    );
}

#[test]
fn an_alerts_certificate_evidence_opens_the_keystore_certificate_view() {
    let mut s = state(160, 45);
    load(&mut s, entries());
    apply(&mut s, [key('4')]);
    let mut fx = Vec::new();
    cpitop::app::nav::go(
        &mut s,
        Nav::OpenCertificate("metro_edi_encryption".into()),
        &mut fx,
    );
    assert!(fx.is_empty(), "the keystore list holds it: {fx:?}");
    assert_eq!(s.pane(), Pane::Alerts, "over the alerts' stack");
    let b = screen(&s);
    assert!(find(&b, "Alerts › certificate metro_edi_encryption").is_some());
    assert!(find(&b, "EXPIRING in 5d (within 30d)").is_some());
    apply(&mut s, [code(KeyCode::Esc)]);
    assert_eq!(s.route(), &Route::Alerts(cpitop::panes::alerts::Route::List));
}

/// The pane's poller and the one-off read of an entry, against the simulated tenant over
/// loopback (one expired and three expiring certificates).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn against_the_sim() {
    use cpitop::cpi::CpiClient;
    use cpitop::tui::effects::EffectRunner;
    let sim = cpitop::sim::spawn(cpitop::sim::SimConfig {
        seed: 3,
        history: Duration::from_secs(60),
        history_messages: Some(20),
        ..cpitop::sim::SimConfig::default()
    })
    .await
    .expect("sim starts");
    let client = CpiClient::new(sim.demo_conn("simtest")).expect("client");
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Msg>(64);
    let mut runner = EffectRunner::new(client.clone(), tx);
    let mut s = State::new(tenant(), cpitop::app::Keymap::defaults(), client.server_now());
    apply(&mut s, [Msg::Resize(160, 45)]);

    // Round trips through the runner: effects out, messages back, until `done` holds.
    async fn until(
        s: &mut State,
        runner: &mut EffectRunner,
        rx: &mut tokio::sync::mpsc::Receiver<Msg>,
        fx: Vec<Effect>,
        done: impl Fn(&State) -> bool,
    ) {
        let mut sink = Vec::new();
        for e in fx {
            runner.run(e, &mut sink);
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while !done(s) {
            let msg = tokio::time::timeout_at(deadline, rx.recv())
                .await
                .expect("answered in time")
                .expect("channel open");
            for e in apply(s, [msg]) {
                runner.run(e, &mut sink);
            }
        }
    }

    let fx = apply(&mut s, [key('6')]);
    until(&mut s, &mut runner, &mut rx, fx, |s| {
        s.keystore.load.loaded_at.is_some()
    })
    .await;
    let statuses: Vec<String> = s
        .keystore
        .list
        .rows()
        .map(|r| s.keystore.cell(r, 0, &s.cell_cx()))
        .collect();
    assert_eq!(statuses.len(), 10, "{statuses:?}");
    assert_eq!(
        statuses[..4],
        ["EXPIRED", "EXPIRING", "EXPIRING", "EXPIRING"],
        "{statuses:?}"
    );
    assert!(statuses[4..].iter().all(|w| w == "VALID"), "{statuses:?}");
    assert_eq!(aliases(&s)[0], "old_partner_sftp");

    // A certificate expires on the tenant: the next poll puts it first.
    sim.admin()
        .expire_certificate("ariba_network", Some(client.server_now() - 10 * DAY))
        .expect("known alias");
    let fx = apply(&mut s, [key('r')]);
    // (Two loads can share a millisecond: wait for what the new one shows.)
    until(&mut s, &mut runner, &mut rx, fx, |s| {
        aliases(s).first().map(String::as_str) == Some("ariba_network")
    })
    .await;
    assert_eq!(aliases(&s)[..2], ["ariba_network", "old_partner_sftp"]);
    assert_eq!(s.keystore.due(), 5);

    // The certificate view opened from an alert, the list not held: read by alias.
    let mut s2 = State::new(tenant(), cpitop::app::Keymap::defaults(), client.server_now());
    apply(&mut s2, [Msg::Resize(160, 45)]);
    for alias in ["partner_as2_signing", "no_such_alias"] {
        let mut fx = Vec::new();
        cpitop::app::nav::go(&mut s2, Nav::OpenCertificate(alias.into()), &mut fx);
        assert_eq!(fx, [Effect::FetchCertificate { alias: alias.into() }]);
        until(&mut s2, &mut runner, &mut rx, fx, |s| {
            matches!(
                s.keystore.fetched.get(alias),
                Some(cpitop::kit::load::Fetch::Done(_))
            )
        })
        .await;
    }
    let doc = |s: &State, alias: &str| -> Vec<String> {
        s.stack
            .iter()
            .find(|r| matches!(r, Route::Keystore(keystore::Route::Certificate { alias: a }) if a == alias))
            .map(|r| s.focus(r).doc(&s.cx()).iter().map(|l| l.text()).collect())
            .unwrap_or_default()
    };
    let text = doc(&s2, "partner_as2_signing").join("\n");
    assert!(text.contains("EXPIRING in 20d (within 30d)"), "{text}");
    assert!(
        text.contains("Subject       CN=as2.acme.com, O=ACME, C=DE"),
        "{text}"
    );
    assert!(text.contains("SHA-256       "), "fingerprints: {text}");
    let text = doc(&s2, "no_such_alias").join("\n");
    assert!(text.contains("has no entry with this alias"), "{text}");
    sim.shutdown().await;
}

/// The real `cpitop --demo` in a pseudo-terminal: `6` shows the keystore with the expired and
/// the three expiring certificates first, `Enter` the certificate, `y` copies its alias (OSC 52),
/// `:certs` comes back to the list.
#[test]
fn keystore_in_a_real_terminal() {
    use base64::Engine;
    const WAIT: Duration = Duration::from_secs(15);
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
    let bin = assert_cmd::cargo::cargo_bin!("cpitop").to_path_buf();
    let mut app = crate::pty::PtyApp::spawn(&bin, &["--demo", "--seed", "1"], &envs, 100, 30);
    app.wait_for("─ Artifacts ", WAIT);
    app.send("6");
    let rows = |s: &str| -> Vec<String> {
        s.lines()
            .skip_while(|l| !l.starts_with("STATUS   ALIAS"))
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect()
    };
    app.wait_until("the keystore listed", WAIT, |s| rows(s).len() > 10);
    let screen = app.screen_text();
    let listed = rows(&screen);
    let statuses: Vec<&str> = listed
        .iter()
        .map(|r| r.split_whitespace().next().unwrap_or(""))
        .collect();
    assert_eq!(
        statuses[..5],
        ["EXPIRED", "EXPIRING", "EXPIRING", "EXPIRING", "VALID"],
        "{screen}"
    );
    assert!(screen.contains("6 Keystore (4!)"), "{screen}");

    app.send("\r");
    app.wait_for("── Fingerprints", WAIT);
    let screen = app.screen_text();
    assert!(
        screen.contains("Keystore › certificate old_partner_sftp"),
        "{screen}"
    );
    assert!(screen.contains("Validity      EXPIRED "), "{screen}");
    app.send("y");
    let osc52 = format!(
        "\x1b]52;c;{}",
        base64::engine::general_purpose::STANDARD.encode("old_partner_sftp")
    );
    let deadline = std::time::Instant::now() + WAIT;
    while !String::from_utf8_lossy(&app.raw_output()).contains(&osc52) {
        assert!(std::time::Instant::now() < deadline, "no OSC 52 with the alias");
        std::thread::sleep(Duration::from_millis(50));
    }

    app.send(":certs\r");
    app.wait_until("back on the list", WAIT, |s| {
        s.contains("─ Keystore ─") && rows(s).len() > 10
    });
    app.send("q");
    assert_eq!(app.wait_exit(WAIT), 0, "exit status");
}
