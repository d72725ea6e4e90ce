//! The TUI's cache on disk, with the XDG directories pointed at a temporary dir: what the state
//! asks to save is written by the effect runner's path and read back into a fresh state; corrupt,
//! truncated and old-format files are ignored with a warning (never a crash) and rebuilt.

use crate::tui_support;

use std::ffi::OsString;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use cpitop::app::cache::{CacheLoaded, CacheSave, CacheSync};
use cpitop::app::msg::{DataMsg, Effect, Msg};
use cpitop::app::tenant::TenantConfig;
use cpitop::app::{State, apply};
use cpitop::config::{Cache, Config, Paths};
use cpitop::features::cache::data::{ARTIFACTS, MESSAGES, QUEUES};
use cpitop::tui::effects::EffectRunner;
use cpitop::tui::tenant_effects::{load_now, save_now};
use tui_support::*;

/// The API URL the tests' tenant `acme-prod` is at (with the name, it keys the cache).
const URL: &str = "https://acme.it-cpi018.cfapps.eu10.hana.ondemand.com";

/// Paths as `Paths::from_env` resolves them with `XDG_*` pointing below `root`.
fn xdg_paths(root: &Path) -> Paths {
    let vars = [
        ("XDG_CONFIG_HOME", root.join("config")),
        ("XDG_CACHE_HOME", root.join("cache")),
        ("XDG_STATE_HOME", root.join("state")),
    ];
    let paths = Paths::resolve(None, |k| {
        vars.iter().find(|(n, _)| *n == k).map(|(_, p)| OsString::from(p))
    })
    .unwrap();
    assert!(paths.cache_dir.starts_with(root), "{paths:?}");
    paths
}

fn cached_state(rows: usize) -> State {
    let mut s = state(160, 45);
    s.cache = CacheSync::for_tenant("acme-prod", URL, rows);
    s
}

/// Feed fresh data of every kind and return the save requests `update` made.
fn feed(s: &mut State) -> Vec<CacheSave> {
    let mut fx = Vec::new();
    let g = s.artifacts.load.generation;
    fx.extend(apply(
        s,
        [Msg::Data(DataMsg::Artifacts {
            generation: g,
            at: NOW - 5_000,
            result: Ok(artifacts()),
        })],
    ));
    fx.extend(apply(s, [key('3')]));
    let g = s.queues.load.generation;
    fx.extend(apply(
        s,
        [Msg::Data(DataMsg::Queues {
            generation: g,
            at: NOW - 4_000,
            result: Ok(queues()),
        })],
    ));
    fx.extend(apply(s, [key('2')]));
    load_messages(s, messages());
    fx.extend(apply(
        s,
        [Msg::Data(DataMsg::ArtifactError {
            id: "Invoice_Outbound".into(),
            result: Ok(Some(
                "Script file 'script/invoiceHelper.groovy' could not be found".into(),
            )),
        })],
    ));
    fx.extend(apply(s, [Msg::Command("quit".into())]));
    fx.into_iter()
        .filter_map(|e| match e {
            Effect::SaveCache(sv) => Some(*sv),
            _ => None,
        })
        .collect()
}

fn save_all(paths: &Paths, rows: usize) {
    let mut s = cached_state(rows);
    let saves = feed(&mut s);
    assert!(!saves.is_empty());
    for sv in saves {
        save_now(paths, sv);
    }
}

#[test]
fn round_trip_through_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let paths = xdg_paths(dir.path());
    save_all(&paths, 1_000);
    let cache = Cache::for_tenant(&paths, "acme-prod", URL);
    for kind in [ARTIFACTS, QUEUES, MESSAGES, "error_texts"] {
        assert!(cache.file(kind).is_file(), "{kind} written");
    }

    let loaded = load_now(&paths, "acme-prod", URL, 1_000);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(
        loaded.artifacts.as_ref().map(|(at, a)| (*at, a.clone())),
        Some((NOW - 5_000, artifacts()))
    );
    assert_eq!(
        loaded.queues.as_ref().map(|(at, q)| (*at, q.clone())),
        Some((NOW - 4_000, queues()))
    );
    assert_eq!(
        loaded.messages.as_ref().map(|(_, b)| b.len()),
        Some(messages().len())
    );

    // A fresh start shows it all at once, stale with its age.
    let mut s = cached_state(1_000);
    apply(&mut s, [Msg::Tick(NOW + 3_600_000), Msg::Cache(Box::new(loaded))]);
    assert_eq!(s.artifacts.items, artifacts());
    assert_eq!(s.queues.rows, queues().queues);
    assert_eq!(s.queues.broker, queues().broker);
    assert_eq!(s.messages.store.len(), messages().len());
    for m in messages() {
        let row = s.messages.store.find(&m.message_guid).expect("cached message");
        let r = s.messages.store.row(row);
        assert_eq!(r.status.as_str(), m.status);
        assert_eq!(r.log_end, m.log_end.unwrap());
        assert_eq!(r.iflow_name, m.integration_artifact.as_ref().unwrap().name);
    }
    assert!(row_text(&screen(&s), 0).contains("cached data 1h old (STALE)"));
    // The error text read back answers a failed fetch.
    apply(
        &mut s,
        [Msg::Data(DataMsg::ArtifactError {
            id: "Invoice_Outbound".into(),
            result: Err("tenant unreachable".into()),
        })],
    );
    match s.artifacts.errors.get("Invoice_Outbound") {
        Some(cpitop::kit::load::Fetch::Done(Some(t))) => {
            assert!(
                t.starts_with("Script file 'script/invoiceHelper.groovy' could not be found"),
                "{t}"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn message_window_is_bounded_by_cache_rows() {
    let dir = tempfile::tempdir().unwrap();
    let paths = xdg_paths(dir.path());
    save_all(&paths, 3);
    let loaded = load_now(&paths, "acme-prod", URL, 3);
    let (_, batch) = loaded.messages.expect("messages");
    let guids: Vec<&str> = batch.guids().collect();
    // The three newest (fixture messages ended 1, 2 and 3 minutes ago).
    assert_eq!(
        guids,
        [
            "AGZ0aaaaaaaaaaaaaaaaaaaaaa01",
            "AGZ0aaaaaaaaaaaaaaaaaaaaaa02",
            "AGZ0aaaaaaaaaaaaaaaaaaaaaa03"
        ]
    );
    // Reading with a smaller limit (config changed) keeps only the newest.
    let loaded = load_now(&paths, "acme-prod", URL, 2);
    assert_eq!(loaded.messages.unwrap().1.len(), 2);
    // cache_rows = 0: messages are neither written nor read.
    let dir = tempfile::tempdir().unwrap();
    let paths = xdg_paths(dir.path());
    save_all(&paths, 0);
    assert!(
        !Cache::for_tenant(&paths, "acme-prod", URL)
            .file(MESSAGES)
            .exists()
    );
    assert!(load_now(&paths, "acme-prod", URL, 0).messages.is_none());
}

#[test]
fn corrupt_truncated_and_old_files_are_ignored_with_a_warning_and_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let paths = xdg_paths(dir.path());
    save_all(&paths, 1_000);
    let cache = Cache::for_tenant(&paths, "acme-prod", URL);
    std::fs::write(
        cache.file(ARTIFACTS),
        b"{\"format\":1,\"tenant\":\"acme-prod\",\"kind\":\"artifacts\",\"saved_at_ms\":1,\"data\":[{]}",
    )
    .unwrap();
    let text = std::fs::read(cache.file(QUEUES)).unwrap();
    std::fs::write(cache.file(QUEUES), &text[..text.len() / 2]).unwrap();
    let msgs = std::fs::read_to_string(cache.file(MESSAGES)).unwrap();
    std::fs::write(
        cache.file(MESSAGES),
        msgs.replacen("\"format\":1", "\"format\":0", 1),
    )
    .unwrap();

    let loaded = load_now(&paths, "acme-prod", URL, 1_000);
    assert!(loaded.artifacts.is_none() && loaded.queues.is_none() && loaded.messages.is_none());
    assert_eq!(loaded.warnings.len(), 3, "{:?}", loaded.warnings);
    assert!(
        loaded.warnings[0].contains("artifacts.json is corrupt"),
        "{}",
        loaded.warnings[0]
    );
    assert!(
        loaded.warnings[1].contains("queues.json is truncated"),
        "{}",
        loaded.warnings[1]
    );
    assert!(
        loaded.warnings[2].contains("has format version 0 (expected 1)"),
        "{}",
        loaded.warnings[2]
    );
    assert!(loaded.errors.is_some(), "the intact file still loads");
    for kind in [ARTIFACTS, QUEUES, MESSAGES] {
        assert!(!cache.file(kind).exists(), "unusable {kind} removed");
    }

    // The TUI shows the warning and carries on with nothing cached.
    let mut s = cached_state(1_000);
    apply(&mut s, [Msg::Cache(Box::new(loaded))]);
    let toast = &s.toast.as_ref().expect("warning shown").text;
    assert!(
        toast.contains("ignored") && toast.contains("(and 2 more in the log)"),
        "{toast}"
    );
    let b = screen(&s);
    assert!(row_text(&b, 0).contains("acme-prod"));
    assert!(s.artifacts.items.is_empty());

    // The next save rebuilds them.
    save_all(&paths, 1_000);
    let again = load_now(&paths, "acme-prod", URL, 1_000);
    assert!(again.warnings.is_empty());
    assert!(again.artifacts.is_some() && again.queues.is_some() && again.messages.is_some());
}

#[test]
fn a_damaged_message_dictionary_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let paths = xdg_paths(dir.path());
    save_all(&paths, 1_000);
    let cache = Cache::for_tenant(&paths, "acme-prod", URL);
    let text = std::fs::read_to_string(cache.file(MESSAGES)).unwrap();
    // Drop the dictionary: every code is then out of range.
    let start = text.find("\"strings\":[").unwrap() + "\"strings\":[".len();
    let end = start + text[start..].find(']').unwrap();
    std::fs::write(
        cache.file(MESSAGES),
        format!("{}{}", &text[..start], &text[end..]),
    )
    .unwrap();
    let loaded = load_now(&paths, "acme-prod", URL, 1_000);
    assert!(loaded.messages.is_none());
    assert!(
        loaded
            .warnings
            .iter()
            .any(|w| w.contains("cached messages") && w.contains("out of range")),
        "{:?}",
        loaded.warnings
    );
    assert!(!cache.file(MESSAGES).exists());
}

#[test]
fn the_runner_reads_and_writes_off_the_loop() {
    let dir = tempfile::tempdir().unwrap();
    let paths = xdg_paths(dir.path());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::channel(16);
        let conn = cpitop::cpi::conn::TenantConn {
            name: "acme-prod".into(),
            base_url: "http://127.0.0.1:9".into(),
            auth: cpitop::cpi::conn::Auth::Basic {
                username: "u".into(),
                password: cpitop::secret::Secret::new("p"),
            },
            limits: Default::default(),
            ca_bundle: None,
        };
        let mut runner = EffectRunner::new(cpitop::cpi::client::CpiClient::new(conn).unwrap(), tx);
        runner.set_tenants(Some(Arc::new(TenantConfig {
            paths: paths.clone(),
            config: Config::default(),
            force_read_only: false,
        })));
        let mut s = cached_state(1_000);
        let g = s.artifacts.load.generation;
        let fx = apply(
            &mut s,
            [Msg::Data(DataMsg::Artifacts {
                generation: g,
                at: NOW,
                result: Ok(artifacts()),
            })],
        );
        let mut sink = std::io::sink();
        for e in fx.into_iter().filter(|e| matches!(e, Effect::SaveCache(_))) {
            runner.run(e, &mut sink);
        }
        let file = Cache::for_tenant(&paths, "acme-prod", URL).file(ARTIFACTS);
        let mut waited = 0;
        while !file.exists() && waited < 100 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            waited += 1;
        }
        assert!(file.exists(), "written by a background task");
        runner.run(
            Effect::LoadCache {
                tenant: "acme-prod".into(),
                url: URL.into(),
                message_rows: 1_000,
            },
            &mut sink,
        );
        let msg = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("answered")
            .expect("open channel");
        match msg {
            Msg::Cache(c) => {
                let c: CacheLoaded = *c;
                assert_eq!(c.tenant, "acme-prod");
                assert_eq!(c.artifacts.map(|(_, a)| a), Some(artifacts()));
            }
            other => panic!("{other:?}"),
        }
        runner.pollers.stop_all();
    });
}
