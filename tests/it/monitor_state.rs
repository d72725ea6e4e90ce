//! Acknowledgements, silences and history on disk (temp dirs).

use cpitop::monitor::eval::{Evaluation, Evidence, Status};
use cpitop::monitor::{AlertControls, History, MonitorSpec, MonitorState, Rule, Scope, Transition};

fn spec(key: &str) -> MonitorSpec {
    MonitorSpec {
        key: key.into(),
        name: key.to_uppercase(),
        active: true,
        scope: Scope::All,
        rules: vec![Rule::NotStarted {
            for_at_least: None,
            severity: None,
        }],
    }
}

fn ev(status: Status) -> Evaluation {
    Evaluation {
        status,
        text: format!("is {status}"),
        evidence: vec![Evidence::Artifact { id: "A".into() }],
    }
}

fn transition(i: i64) -> Transition {
    Transition {
        tenant: "prod".into(),
        monitor: format!("m{i}"),
        name: "M".into(),
        from: Status::Ok,
        to: Status::Error,
        text: format!("event {i}"),
        evidence: vec![],
        at: i,
        from_since: Some(0),
    }
}

#[test]
fn acknowledgements_and_silences_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (spec("a"), spec("b"));
    let mut state = MonitorState::new("prod");
    state.apply(&[(&a, ev(Status::Error)), (&b, ev(Status::Ok))], 1_000);

    let mut c = AlertControls::load(dir.path(), "prod").unwrap();
    assert_eq!(c, AlertControls::default(), "nothing saved yet");
    assert!(c.acknowledge(state.get("a").unwrap(), 2_000, "on it"));
    assert!(
        !c.acknowledge(state.get("b").unwrap(), 2_000, ""),
        "ok cannot be acknowledged"
    );
    c.silence("b", 10_000, 2_000, "maintenance");
    c.save(dir.path(), "prod").unwrap();
    state.save(dir.path()).unwrap();

    // "Restart": load both from disk.
    let c = AlertControls::load(dir.path(), "prod").unwrap();
    let mut state = MonitorState::load(dir.path(), "prod").unwrap();
    state.apply(&[(&a, ev(Status::Error)), (&b, ev(Status::Ok))], 3_000);
    assert!(c.is_acknowledged(state.get("a").unwrap()));
    assert_eq!(c.acks["a"].note, "on it");
    assert!(c.is_silenced("b", 9_999));
    assert!(!c.is_silenced("b", 10_000), "silence ends at `until`");
    assert!(!c.is_silenced("a", 3_000));

    // The acknowledgement lapses at the next transition; prune drops it and the expired silence.
    let mut c = c;
    state.apply(&[(&a, ev(Status::Warning)), (&b, ev(Status::Ok))], 4_000);
    assert!(!c.is_acknowledged(state.get("a").unwrap()));
    assert!(c.prune(&state, 20_000));
    assert!(c.acks.is_empty() && c.silences.is_empty());
    assert!(!c.prune(&state, 20_000), "nothing more to prune");
    // Other tenants have their own file.
    assert_eq!(
        AlertControls::load(dir.path(), "dev").unwrap(),
        AlertControls::default()
    );
}

#[test]
fn corrupt_controls_file_is_reported_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(AlertControls::path(dir.path(), "prod"), b"not json").unwrap();
    let e = AlertControls::load(dir.path(), "prod").unwrap_err().to_string();
    assert!(e.contains("alert-controls-prod.json"), "{e}");
    assert!(e.contains("fix or delete"), "{e}");
}

#[test]
fn history_is_append_only_and_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = History::open(dir.path(), "prod", 8).unwrap();
    assert!(h.recent(10).unwrap().is_empty());
    for i in 0..20 {
        h.append(&[transition(i)]).unwrap();
        let lines = std::fs::read_to_string(h.path()).unwrap().lines().count();
        assert!(lines <= 8, "after {i}: {lines} lines");
    }
    let all = h.recent(100).unwrap();
    assert_eq!(all.last().map(|t| t.at), Some(19), "newest kept");
    let ats: Vec<i64> = all.iter().map(|t| t.at).collect();
    let mut sorted = ats.clone();
    sorted.sort();
    assert_eq!(ats, sorted, "oldest first, in order");
    assert!(all.len() >= 6, "trimmed to three quarters, not emptied: {ats:?}");

    // A batch larger than the limit still ends within it.
    h.append(&(100..120).map(transition).collect::<Vec<_>>()).unwrap();
    let after = h.recent(100).unwrap();
    assert!(after.len() <= 8);
    assert_eq!(after.last().map(|t| t.at), Some(119));

    // Reopening counts the existing lines; a damaged line is skipped, not fatal.
    let mut f = std::fs::OpenOptions::new().append(true).open(h.path()).unwrap();
    std::io::Write::write_all(&mut f, b"{broken\n").unwrap();
    let mut h = History::open(dir.path(), "prod", 8).unwrap();
    h.append(&[transition(200)]).unwrap();
    let last = h.recent(2).unwrap();
    assert_eq!(last.iter().map(|t| t.at).collect::<Vec<_>>(), [119, 200]);
    assert_eq!(last[1], transition(200), "round-trips exactly");
}
