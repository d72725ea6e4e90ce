//! `cpitop get keystore` and `cpitop get certificate ALIAS` as a script uses them: against
//! `--demo` (one expired and three expiring certificates), and against a simulated tenant through
//! a config whose `keystore.expiring` changes what counts as expiring; `config check` refusing a
//! bad `keystore.expiring` with its location.

use crate::fsx;
use fsx::{bin, demo, ok, text};
use std::process::Output;

use serde_json::Value;

fn json(out: &Output) -> Value {
    serde_json::from_str(&ok(out)).expect("stdout is JSON")
}

fn statuses(rows: &Value) -> Vec<String> {
    rows.as_array()
        .expect("an array")
        .iter()
        .map(|r| r["status"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn demo_keystore_expired_and_expiring_first_in_every_format() {
    let out = demo(&["keystore"]);
    let table = ok(&out);
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("STATUS") && lines[0].contains("ALIAS") && lines[0].contains("DAYS LEFT"),
        "{table}"
    );
    assert_eq!(lines.len(), 11, "a title and ten entries:\n{table}");
    assert!(
        lines[1].starts_with("EXPIRED ") && lines[1].contains(" old_partner_sftp "),
        "{table}"
    );
    assert!(lines[2..5].iter().all(|l| l.starts_with("EXPIRING")), "{table}");
    assert!(lines[5..].iter().all(|l| l.starts_with("VALID")), "{table}");
    assert!(
        text(&out.stderr).contains("10 keystore entries, 1 expired, 3 expiring within 30d · tenant demo"),
        "{}",
        text(&out.stderr)
    );

    let rows = json(&demo(&["keystore", "-o", "json"]));
    let first = &rows[0];
    assert_eq!(first["alias"], "old_partner_sftp");
    assert_eq!(first["status"], "EXPIRED");
    assert!(first["days_left"].as_i64().unwrap() < 0, "{first}");
    assert_eq!(first["type"], "Certificate");
    assert_eq!(first["key_type"], "RSA");
    assert_eq!(first["key_size"], 2048);
    assert!(
        first["valid_until"].as_str().unwrap().ends_with('Z'),
        "RFC 3339 UTC: {first}"
    );
    assert_eq!(first["owner"], "Tenant Administrator");
    assert_eq!(
        statuses(&rows)[..5],
        ["EXPIRED", "EXPIRING", "EXPIRING", "EXPIRING", "VALID"]
    );

    let csv = ok(&demo(&["keystore", "-o", "csv", "--sort", "alias"]));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("status,alias,type,key_type,key_size,valid_from,valid_until,days_left,owner")
    );
    assert!(lines.next().unwrap().contains(",ariba_network,"), "{csv}");
}

#[test]
fn demo_keystore_filters() {
    let due = json(&demo(&["keystore", "--expiring", "-o", "json"]));
    assert_eq!(statuses(&due), ["EXPIRED", "EXPIRING", "EXPIRING", "EXPIRING"]);
    // A week's horizon: only the certificate ending in 5 days is expiring.
    let week = json(&demo(&["keystore", "--expiring", "--within", "7d", "-o", "json"]));
    assert_eq!(statuses(&week), ["EXPIRED", "EXPIRING"]);
    assert_eq!(week[1]["alias"], "metro_edi_encryption");
    let grep = json(&demo(&["certs", "--grep", "partner", "-o", "json"]));
    let aliases: Vec<&str> = grep
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["alias"].as_str().unwrap())
        .collect();
    assert_eq!(aliases, ["old_partner_sftp", "partner_as2_signing"]);

    let out = demo(&["keystore", "--within", "30m"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("shorter than 1h"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn demo_certificate_in_every_format() {
    let doc = ok(&demo(&["certificate", "partner_as2_signing"]));
    for line in [
        "Alias         partner_as2_signing",
        "Validity      EXPIRING in 20d (within 30d)",
        "Type          Key Pair",
        "Key           RSA 4096",
        "Subject       CN=as2.acme.com, O=ACME, C=DE",
        "Issuer        CN=ACME Issuing CA, O=ACME, C=DE",
        "Signature     SHA256withRSA",
        "── Fingerprints",
    ] {
        assert!(doc.lines().any(|l| l.trim_end() == line), "{line:?} in\n{doc}");
    }
    let sha1 = doc
        .lines()
        .find_map(|l| l.strip_prefix("SHA-1         "))
        .expect("a SHA-1 fingerprint");
    assert_eq!(sha1.split(':').count(), 20, "{sha1}");

    let v = json(&demo(&["certificate", "partner_as2_signing", "-o", "json"]));
    assert_eq!(v["alias"], "partner_as2_signing");
    assert_eq!(v["status"], "EXPIRING");
    assert_eq!(v["subject"], "CN=as2.acme.com, O=ACME, C=DE");
    assert_eq!(v["fingerprint_sha1"], sha1);
    assert_eq!(v["fingerprint_sha256"].as_str().unwrap().split(':').count(), 32);

    // NDJSON: the same object on one line.
    let nd = ok(&demo(&["certificate", "partner_as2_signing", "-o", "ndjson"]));
    assert_eq!(nd.lines().count(), 1, "{nd}");
    let mut line: Value = serde_json::from_str(nd.trim_end()).expect("one JSON object");
    // The sim's dates are relative to its start: compare the two runs without them.
    let mut v_same = v.clone();
    for o in [&mut line, &mut v_same] {
        for k in ["valid_from", "valid_until", "last_modified"] {
            o.as_object_mut().unwrap().remove(k);
        }
    }
    assert_eq!(line, v_same);

    let csv = ok(&demo(&["cert", "metro_edi_encryption", "-o", "csv"]));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(
        lines[0].starts_with(
            "status,alias,type,key_type,key_size,valid_from,valid_until,days_left,owner,subject,issuer"
        ),
        "{csv}"
    );
    assert!(
        lines[1].starts_with("EXPIRING,metro_edi_encryption,Certificate,RSA,2048,"),
        "{csv}"
    );

    let out = demo(&["certificate", "no_such_alias"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert_eq!(
        err.trim_end(),
        "error: the tenant's keystore has no entry \"no_such_alias\" (list them with `cpitop get keystore`) (tenant demo)",
    );
    assert!(out.stdout.is_empty());
}

/// A configured tenant's `keystore.expiring` is what `get keystore` counts with; a bad one is
/// refused by `config check` with where it stands.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configured_expiring_horizon() {
    let sim = cpitop::sim::spawn(cpitop::sim::SimConfig {
        seed: 2,
        history: std::time::Duration::from_secs(60),
        history_messages: Some(10),
        ..cpitop::sim::SimConfig::default()
    })
    .await
    .expect("sim starts");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let cfg = fsx::config_for(&sim, &root);
    let base = std::fs::read_to_string(&cfg).unwrap();
    let run = |extra: &str, args: &[&str]| {
        std::fs::write(&cfg, format!("{base}\n{extra}")).unwrap();
        fsx::owner_only(&cfg);
        let (root, cfg, secret) = (root.clone(), cfg.clone(), sim.client_secret.clone());
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        tokio::task::spawn_blocking(move || {
            bin()
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("HOME", &root)
                .env("XDG_CACHE_HOME", root.join("cache"))
                .env("XDG_STATE_HOME", root.join("state"))
                .env("SIM_SECRET", &secret)
                .env("RUST_BACKTRACE", "0")
                .env("NO_COLOR", "1")
                .arg("--config")
                .arg(&cfg)
                .args(args)
                .output()
                .unwrap()
        })
    };
    let week = "[tenants.simt.keystore]\nexpiring = \"7d\"\n";
    let rows = json(
        &run(week, &["get", "keystore", "--expiring", "-o", "json"])
            .await
            .unwrap(),
    );
    assert_eq!(statuses(&rows), ["EXPIRED", "EXPIRING"], "{rows}");
    let doc = ok(&run(week, &["get", "certificate", "partner_as2_signing"])
        .await
        .unwrap());
    assert!(doc.contains("Validity      valid, expires in 20d"), "{doc}");
    // The defaults apply where the tenant says nothing; the tenant's own value wins.
    let two = "[defaults.keystore]\nexpiring = \"22d\"\n";
    let rows = json(
        &run(two, &["get", "keystore", "--expiring", "-o", "json"])
            .await
            .unwrap(),
    );
    assert_eq!(statuses(&rows), ["EXPIRED", "EXPIRING", "EXPIRING"], "{rows}");

    for (extra, at) in [
        (
            "[defaults.keystore]\nexpiring = \"10m\"\n",
            "defaults.keystore.expiring",
        ),
        ("[tenants.simt.keystore]\nexpiring = \"11y\"\n", ""),
        (
            "[tenants.simt.keystore]\nexpiring = \"4000d\"\n",
            "tenants.simt.keystore.expiring",
        ),
    ] {
        let out = run(extra, &["config", "check", "--offline"]).await.unwrap();
        let err = text(&out.stderr);
        assert!(!out.status.success(), "{extra} accepted:\n{err}");
        assert!(err.contains(at), "{extra}: {err}");
        assert!(err.contains("config.toml:"), "with the line: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    }
    let out = run(week, &["config", "check", "--offline"]).await.unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    sim.shutdown().await;
}
