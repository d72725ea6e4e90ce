//! Cache: round trip, age, corrupt / truncated / old-version / foreign files, clearing, and a
//! bounded message window.

use std::time::{Duration, SystemTime};

use cpitop::config::cache::{CACHE_FORMAT, clear_all};
use cpitop::config::{Cache, CacheLoad, Paths, WarningKind};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Row {
    guid: String,
    iflow: String,
    status: String,
    log_end_ms: i64,
}

fn rows(n: usize) -> Vec<Row> {
    (0..n)
        .map(|i| Row {
            guid: format!("AGZ{i:024}"),
            iflow: format!("iflow_{}", i % 37),
            status: if i % 10 == 0 {
                "FAILED".into()
            } else {
                "COMPLETED".into()
            },
            log_end_ms: 1_718_000_000_000 + i as i64,
        })
        .collect()
}

/// The API URL of the tests' tenants (with the name, it keys the cache).
const URL: &str = "https://acme.it-cpi018.cfapps.eu10.hana.ondemand.com";

fn setup() -> (tempfile::TempDir, Paths) {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::under(dir.path());
    (dir, paths)
}

#[test]
fn round_trip_with_age() {
    let (_d, paths) = setup();
    let cache = Cache::for_tenant(&paths, "acme-prod", URL);
    assert!(matches!(cache.load::<Vec<Row>>("messages"), CacheLoad::Missing));
    let data = rows(10);
    let saved = SystemTime::now() - Duration::from_secs(125);
    cache.save_at("messages", &data, saved).unwrap();
    let loaded = cache.load::<Vec<Row>>("messages");
    let age = loaded.age(SystemTime::now()).unwrap();
    assert!((125..130).contains(&age.as_secs()), "{age:?}");
    match loaded {
        CacheLoad::Found { value, saved_at } => {
            assert_eq!(value, data);
            let diff = saved.duration_since(saved_at).unwrap_or_else(|e| e.duration());
            assert!(
                diff < Duration::from_millis(1),
                "saved time kept to the millisecond"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        cache
            .file("messages")
            .starts_with(paths.cache_dir.join("tenants").join("acme-prod"))
    );
    // The envelope carries the format version and the tenant.
    let text = std::fs::read_to_string(cache.file("messages")).unwrap();
    assert!(
        text.starts_with(&format!(
            "{{\"format\":{CACHE_FORMAT},\"tenant\":\"acme-prod\",\"kind\":\"messages\""
        )),
        "{text}"
    );
}

fn expect_ignored<T: std::fmt::Debug>(l: CacheLoad<T>, needle: &str) {
    match l {
        CacheLoad::Ignored(w) => {
            assert_eq!(w.kind, WarningKind::Cache);
            assert!(w.message.contains(needle), "{}", w.message);
            assert!(w.message.contains("it will be rebuilt"), "{}", w.message);
        }
        other => panic!("expected Ignored({needle}), got {other:?}"),
    }
}

#[test]
fn corrupt_file_is_ignored_and_rebuilt() {
    let (_d, paths) = setup();
    let cache = Cache::for_tenant(&paths, "t", URL);
    cache.save("artifacts", &rows(3)).unwrap();
    std::fs::write(
        cache.file("artifacts"),
        b"{\"format\":1,\"tenant\":\"t\",garbage!!",
    )
    .unwrap();
    expect_ignored(
        cache.load::<Vec<Row>>("artifacts"),
        "is corrupt (invalid JSON at line 1",
    );
    assert!(!cache.file("artifacts").exists(), "removed");
    assert!(matches!(cache.load::<Vec<Row>>("artifacts"), CacheLoad::Missing));
    cache.save("artifacts", &rows(2)).unwrap();
    assert_eq!(cache.load::<Vec<Row>>("artifacts").into_value().unwrap().len(), 2);
    // Binary junk too.
    std::fs::write(cache.file("artifacts"), [0xff, 0x00, 0x13, 0x37]).unwrap();
    expect_ignored(cache.load::<Vec<Row>>("artifacts"), "is corrupt");
}

#[test]
fn truncated_file_is_ignored() {
    let (_d, paths) = setup();
    let cache = Cache::for_tenant(&paths, "t", URL);
    cache.save("messages", &rows(100)).unwrap();
    let full = std::fs::read(cache.file("messages")).unwrap();
    for cut in [1, full.len() / 2, full.len() - 3] {
        std::fs::write(cache.file("messages"), &full[..cut]).unwrap();
        expect_ignored(cache.load::<Vec<Row>>("messages"), "is truncated");
    }
    std::fs::write(cache.file("messages"), b"").unwrap();
    expect_ignored(cache.load::<Vec<Row>>("messages"), "is truncated");
}

#[test]
fn old_version_and_foreign_files_are_ignored() {
    let (_d, paths) = setup();
    let cache = Cache::for_tenant(&paths, "t", URL);
    std::fs::create_dir_all(cache.dir()).unwrap();
    // Old format with a different data shape.
    std::fs::write(
        cache.file("queues"),
        br#"{"format":0,"tenant":"t","kind":"queues","saved_at_ms":1,"data":{"old":true}}"#,
    )
    .unwrap();
    expect_ignored(
        cache.load::<Vec<Row>>("queues"),
        "has format version 0 (expected 1)",
    );
    // Old format whose data happens to still parse.
    std::fs::write(
        cache.file("queues"),
        br#"{"format":0,"tenant":"t","kind":"queues","saved_at_ms":1,"data":[]}"#,
    )
    .unwrap();
    expect_ignored(cache.load::<Vec<Row>>("queues"), "has format version 0");
    // A file copied from another tenant.
    std::fs::write(
        cache.file("queues"),
        br#"{"format":1,"tenant":"other","kind":"queues","saved_at_ms":1,"data":[]}"#,
    )
    .unwrap();
    expect_ignored(cache.load::<Vec<Row>>("queues"), "belongs to tenant `other`");
    // Right envelope, wrong data shape (a type changed without a version bump).
    std::fs::write(
        cache.file("queues"),
        br#"{"format":1,"tenant":"t","kind":"queues","saved_at_ms":1,"data":{"x":1}}"#,
    )
    .unwrap();
    expect_ignored(cache.load::<Vec<Row>>("queues"), "is corrupt (unexpected data");
}

#[test]
fn clear_one_tenant_or_all() {
    let (_d, paths) = setup();
    let a = Cache::for_tenant(&paths, "a", URL);
    let b = Cache::for_tenant(&paths, "b", URL);
    a.save("artifacts", &rows(1)).unwrap();
    b.save("artifacts", &rows(1)).unwrap();
    assert!(a.clear().unwrap());
    assert!(!a.clear().unwrap(), "nothing left");
    assert!(matches!(a.load::<Vec<Row>>("artifacts"), CacheLoad::Missing));
    assert!(b.load::<Vec<Row>>("artifacts").into_value().is_some());
    assert!(clear_all(&paths).unwrap());
    assert!(matches!(b.load::<Vec<Row>>("artifacts"), CacheLoad::Missing));
    assert!(paths.cache_dir.exists(), "only the tenants/ dir is removed");
}

#[test]
fn a_bounded_message_window_round_trips() {
    let (_d, paths) = setup();
    let cache = Cache::for_tenant(&paths, "big", URL);
    let data = rows(50_000);
    cache.save("messages", &data).unwrap();
    let back = cache.load::<Vec<Row>>("messages").into_value().unwrap();
    assert_eq!(back.len(), 50_000);
    assert_eq!(back[49_999], data[49_999]);
    let leftovers: Vec<_> = std::fs::read_dir(cache.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn unusual_tenant_names_stay_inside_the_cache_dir() {
    let (_d, paths) = setup();
    let cache = Cache::for_tenant(&paths, "../../etc", URL);
    assert!(cache.dir().starts_with(paths.tenant_cache_root()));
    // `tenants/<name>/<url key>`: the name is one level below the root.
    assert_eq!(
        cache.dir().parent().and_then(|p| p.parent()).unwrap(),
        paths.tenant_cache_root()
    );
    cache.save("x", &1u32).unwrap();
    assert_eq!(cache.load::<u32>("x").into_value(), Some(1));
}
