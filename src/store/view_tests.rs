//! Filter, sort and view tests against naive reference implementations over generated data.

use std::cmp::Ordering;

use super::testgen::MplPageGen;
use super::tests::{wire_page, wire_row};
use super::*;
use crate::cpi::model::MplStatus;

fn store_of(pages: usize, seed: u64) -> (MessageStore, MplPageGen) {
    let mut g = MplPageGen::with_shape(seed, 1_700_000_000_000, 40, 12);
    g.update_per_mille = 100;
    let mut store = MessageStore::new(StoreLimits {
        max_messages: None,
        max_age: None,
    });
    for _ in 0..pages {
        store.merge(MplBatch::decode(&g.page(500)).expect("decodes"));
    }
    (store, g)
}

fn naive_match(m: &MessageRef<'_>, q: &Query) -> bool {
    if !q.statuses.admits(m.status)
        || q.iflow.as_deref().is_some_and(|f| f != m.iflow_id)
        || q.from.is_some_and(|f| m.log_end < f)
        || q.to.is_some_and(|t| m.log_end > t)
    {
        return false;
    }
    // The filter language (`grammar::filter`): one word is a case-insensitive substring.
    crate::grammar::filter::Filter::parse(&q.text).matches_cells(&text_cells(m))
}

fn naive_filter(store: &MessageStore, q: &Query) -> Vec<RowId> {
    (0..store.len() as RowId)
        .filter(|&r| naive_match(&store.row(r), q))
        .collect()
}

fn naive_cmp(store: &MessageStore, key: SortKey, a: RowId, b: RowId) -> Ordering {
    let (x, y) = (store.row(a), store.row(b));
    let rev = |o: Ordering| if key.descending { o.reverse() } else { o };
    let text = |s: &str, t: &str| s.to_lowercase().cmp(&t.to_lowercase()).then_with(|| s.cmp(t));
    let newest_then_row = || y.log_end.cmp(&x.log_end).then(a.cmp(&b));
    let start = |m: &MessageRef<'_>| m.log_start.unwrap_or(i64::MIN);
    let dur = |m: &MessageRef<'_>| m.duration_ms().unwrap_or(i64::MIN);
    match key.column {
        SortColumn::Time => rev(x.log_end.cmp(&y.log_end)).then(a.cmp(&b)),
        SortColumn::LogStart => rev(start(&x).cmp(&start(&y))).then(a.cmp(&b)),
        SortColumn::Duration => rev(dur(&x).cmp(&dur(&y))).then(a.cmp(&b)),
        SortColumn::Status => rev(x.status.as_str().cmp(y.status.as_str())).then_with(newest_then_row),
        SortColumn::CustomStatus => rev(text(x.custom_status, y.custom_status)).then_with(newest_then_row),
        SortColumn::IflowId => rev(text(x.iflow_id, y.iflow_id)).then_with(newest_then_row),
        SortColumn::IflowName => rev(text(x.iflow_name, y.iflow_name)).then_with(newest_then_row),
        SortColumn::Package => rev(text(x.package_name, y.package_name)).then_with(newest_then_row),
        SortColumn::Sender => rev(text(x.sender, y.sender)).then_with(newest_then_row),
        SortColumn::Receiver => rev(text(x.receiver, y.receiver)).then_with(newest_then_row),
        SortColumn::AppMessageType => {
            rev(text(x.application_message_type, y.application_message_type)).then_with(newest_then_row)
        }
        SortColumn::AppMessageId => {
            rev(x.application_message_id.cmp(y.application_message_id)).then_with(newest_then_row)
        }
        SortColumn::CorrelationId => rev(x.correlation_id.cmp(y.correlation_id)).then_with(newest_then_row),
        SortColumn::MessageGuid => rev(x.guid.cmp(y.guid)).then_with(newest_then_row),
    }
}

fn random_query(rng: &mut fastrand::Rng, store: &MessageStore) -> Query {
    let mut q = Query::default();
    if rng.u8(..4) == 0 {
        q.statuses = StatusSet::of(&[MplStatus::Failed, MplStatus::Retry]);
    }
    if rng.u8(..6) == 0 {
        q.iflow = Some(store.row(rng.u32(..store.len() as u32)).iflow_id.to_string());
    }
    if rng.u8(..4) == 0 {
        let t = store.row(rng.u32(..store.len() as u32)).log_end;
        q.from = Some(t - 60_000);
        q.to = Some(t + 60_000);
    }
    // Text: a piece of a random cell, in random case, or a random short string.
    let m = store.row(rng.u32(..store.len() as u32));
    let cells = [
        m.guid,
        m.correlation_id,
        m.sender,
        m.iflow_name,
        m.status.as_str(),
        m.application_message_id,
    ];
    let cell = cells[rng.usize(..cells.len())];
    q.text = if cell.len() > 2 && rng.bool() {
        let a = rng.usize(..cell.len() - 1);
        let b = (a + rng.usize(1..5)).min(cell.len());
        let piece = cell.get(a..b).unwrap_or("x");
        piece
            .chars()
            .map(|c| {
                if rng.bool() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    } else {
        (0..rng.usize(1..3)).map(|_| rng.alphanumeric()).collect()
    };
    q
}

#[test]
fn filter_equals_naive_over_random_queries() {
    let (store, _) = store_of(20, 11);
    let mut rng = fastrand::Rng::with_seed(5);
    let all: Vec<RowId> = (0..store.len() as RowId).collect();
    for _ in 0..150 {
        let q = random_query(&mut rng, &store);
        assert_eq!(
            filter_rows(&store, &all, &q),
            naive_filter(&store, &q),
            "query {q:?}"
        );
    }
}

/// The cells the text filter looks at, for the naive reference.
fn text_cells<'a>(m: &MessageRef<'a>) -> [&'a str; 10] {
    [
        m.guid,
        m.correlation_id,
        m.application_message_id,
        m.application_message_type,
        m.iflow_id,
        m.iflow_name,
        m.sender,
        m.receiver,
        m.status.as_str(),
        m.custom_status,
    ]
}

/// Several words, negations and regular expressions (`grammar::filter`) decide exactly as the
/// language says, with and without the structural filters, from any candidates.
#[test]
fn compound_filters_equal_naive() {
    let (store, _) = store_of(20, 12);
    let mut rng = fastrand::Rng::with_seed(9);
    let all: Vec<RowId> = (0..store.len() as RowId).collect();
    for i in 0..120 {
        let mut q = random_query(&mut rng, &store);
        let terms: Vec<String> = (0..rng.usize(1..4))
            .map(|_| {
                let piece = random_query(&mut rng, &store).text;
                let piece: String = piece.chars().filter(|c| c.is_alphanumeric()).collect();
                let piece = if piece.is_empty() { "a".to_string() } else { piece };
                let bang = if rng.u8(..3) == 0 { "!" } else { "" };
                match rng.u8(..4) {
                    0 => format!("{bang}~^{piece}"),
                    1 => format!("{bang}~{piece}.?$"),
                    _ => format!("{bang}{piece}"),
                }
            })
            .collect();
        q.text = terms.join(" ");
        let f = crate::grammar::filter::Filter::parse(&q.text);
        let structural = Query {
            text: String::new(),
            ..q.clone()
        };
        let naive: Vec<RowId> = (0..store.len() as RowId)
            .filter(|&r| {
                let m = store.row(r);
                naive_match(&m, &structural) && f.matches_cells(&text_cells(&m))
            })
            .collect();
        assert_eq!(filter_rows(&store, &all, &q), naive, "query {q:?}");
        // From a subset of candidates (a refinement), order kept.
        let some: Vec<RowId> = all.iter().copied().filter(|r| (r + i) % 3 != 0).collect();
        let expect: Vec<RowId> = naive.iter().copied().filter(|r| (r + i) % 3 != 0).collect();
        assert_eq!(
            filter_rows(&store, &some, &q),
            expect,
            "query {q:?} over a subset"
        );
    }
}

#[test]
fn each_text_column_is_searched_case_insensitively() {
    let mut store = MessageStore::default();
    let row = wire_row(
        "AGaBcD",
        "RETRY",
        1000,
        r#","IntegrationArtifact":{"Id":"Flow_X","Name":"Nice Name"}"#,
    )
    .replace(
        "\"ApplicationMessageId\":null",
        "\"ApplicationMessageId\":\"PO-77xy\"",
    )
    .replace(
        "\"ApplicationMessageType\":null",
        "\"ApplicationMessageType\":\"INVOIC02\"",
    )
    .replace("\"Receiver\":null", "\"Receiver\":\"Bank_Zed\"")
    .replace(
        "\"CustomStatus\":\"RETRY\"",
        "\"CustomStatus\":\"Waiting for Ack\"",
    );
    let other = wire_row("ZZZZ", "COMPLETED", 900, "").replace("\"Sender\":\"ERP\"", "\"Sender\":null");
    store.merge(MplBatch::decode(&wire_page(&[row, other])).expect("decodes"));
    let all: Vec<RowId> = (0..2).collect();
    let hit = |t: &str| {
        filter_rows(
            &store,
            &all,
            &Query {
                text: t.into(),
                ..Query::default()
            },
        )
    };
    let g = store.find("AGaBcD").expect("found");
    for t in [
        "agabcd",
        "CAGA",
        "po-77XY",
        "invoic",
        "flow_x",
        "\"NICE n\"",
        "erp",
        "BANK_zed",
        "retry",
        "ACK",
        "nice flow",
        "~^flow_.$",
        "!completed",
        "bank !zzzz",
    ] {
        assert_eq!(hit(t), vec![g], "text {t}");
    }
    assert_eq!(hit("completed").len(), 1);
    assert!(hit("nothing-like-this").is_empty());
    // A match may not span two ids (guid "…BcD" + correlation "CAG…").
    assert!(hit("bcdcag").is_empty());
    assert_eq!(hit("").len(), 2);
}

#[test]
fn sort_equals_naive_for_every_column_and_direction() {
    let (store, _) = store_of(8, 21);
    for column in SortColumn::ALL {
        for descending in [false, true] {
            let key = SortKey { column, descending };
            let mut got: Vec<RowId> = (0..store.len() as RowId).collect();
            sort_rows(&store, &mut got, key);
            let mut want: Vec<RowId> = (0..store.len() as RowId).collect();
            want.sort_by(|&a, &b| naive_cmp(&store, key, a, b));
            assert_eq!(got, want, "{key:?}");
        }
    }
}

#[test]
fn refinement_equals_full_pass_and_view_tracks_merges() {
    let (mut store, mut g) = store_of(10, 31);
    let mut rng = fastrand::Rng::with_seed(9);
    for round in 0..30 {
        let key = SortKey {
            column: SortColumn::ALL[round % 14],
            descending: round % 3 == 0,
        };
        let q = random_query(&mut rng, &store);
        let mut view = MessageView::new(
            key,
            Query {
                text: String::new(),
                ..q.clone()
            },
        );
        view.refresh(&store);
        // Type the text one character at a time: each step refines the previous result.
        let mut typed = String::new();
        for ch in q.text.chars() {
            typed.push(ch);
            view.set_query(
                &store,
                Query {
                    text: typed.clone(),
                    ..q.clone()
                },
            );
            let mut want = naive_filter(&store, view.query());
            want.sort_by(|&a, &b| naive_cmp(&store, key, a, b));
            assert_eq!(view.rows(), &want[..], "round {round}, text {typed:?}");
        }
        // New messages (and updates of known ones) arrive: the patched order equals a fresh one.
        store.merge(MplBatch::decode(&g.page(300)).expect("decodes"));
        assert!(view.refresh(&store));
        let mut fresh = MessageView::new(key, view.query().clone());
        fresh.refresh(&store);
        assert_eq!(view.rows(), fresh.rows(), "round {round} after merge");
    }
}

#[test]
fn selection_stays_on_its_message_across_merges_and_evictions() {
    let (mut store, mut g) = store_of(4, 41);
    let mut view = MessageView::new(SortKey::default(), Query::default());
    view.refresh(&store);
    let picked = view.get(100).expect("row");
    let guid = store.row(picked).guid.to_string();
    for _ in 0..3 {
        store.merge(MplBatch::decode(&g.page(500)).expect("decodes"));
    }
    store.set_limits(StoreLimits {
        max_messages: Some(3000),
        max_age: None,
    });
    view.refresh(&store);
    let row = store.find(&guid).expect("still held");
    let pos = view.position(row).expect("still shown");
    assert_eq!(store.row(view.get(pos).expect("row")).guid, guid);
    // Newest first: everything newer arrived above it.
    let above = (0..store.len() as RowId)
        .filter(|&r| naive_cmp(&store, SortKey::default(), r, row).is_lt())
        .count();
    assert!(pos > 100 && pos == above, "{pos} {above}");
}

#[test]
fn empty_store_and_unknown_iflow() {
    let store = MessageStore::default();
    let mut v = MessageView::new(
        SortKey::default(),
        Query {
            text: "x".into(),
            ..Query::default()
        },
    );
    v.refresh(&store);
    assert!(v.is_empty());
    let (store, _) = store_of(1, 1);
    v.set_query(
        &store,
        Query {
            iflow: Some("no such flow".into()),
            ..Query::default()
        },
    );
    assert!(v.is_empty());
    v.set_query(&store, Query::default());
    assert_eq!(v.len(), store.len());
}

/// Both id-search strategies (the row-order pass over the arena and the per-row copies) and the
/// character-set shortcut give the naive answer, for candidate sets of every density in any
/// order, over a store whose arena is out of row order (updates whose ids grew).
#[test]
fn filter_strategies_agree_for_any_candidates_and_needle() {
    let grow = |store: &mut MessageStore, row: RowId| {
        let guid = store.row(row).guid.to_string();
        let grown = wire_row(&guid, "COMPLETED", 1_800_000_000_000, "").replace(
            "\"ApplicationMessageId\":null",
            "\"ApplicationMessageId\":\"Ünïcode-PO?4711-#long-application-id\"",
        );
        store.merge(MplBatch::decode(&wire_page(&[grown])).expect("decodes"));
    };
    let in_order = |store: &MessageStore| store.cols.id_start.windows(2).all(|w| w[0] <= w[1]);
    // Ids in row order, back to back, as after a compaction: one run per stretch of rows.
    let compacted = || {
        let (mut store, _) = store_of(12, 77);
        let all = vec![true; store.len()];
        store.cols.retain(&all);
        store
    };
    let plain = compacted();
    assert!(in_order(&plain));
    // The last row's ids grew: still in order, with the old bytes left as a gap before them.
    let mut gap = compacted();
    let last = gap.len() as RowId - 1;
    grow(&mut gap, last);
    assert!(in_order(&gap) && gap.cols.id_start[last as usize] > gap.cols.id_start[last as usize - 1] + 60);
    // The first row's ids grew and moved to the arena's end: out of row order (runs break there).
    let mut moved = compacted();
    grow(&mut moved, 0);
    assert!(!in_order(&moved), "the test needs ids out of row order");
    for (name, store) in [("in order", &plain), ("gap", &gap), ("out of order", &moved)] {
        strategies_agree(store, name);
    }
}

fn strategies_agree(store: &MessageStore, name: &str) {
    let n = store.len() as RowId;
    let mut rng = fastrand::Rng::with_seed(3);
    let fixed = [
        "x", "7", "-", "?", "ü", "Ü", "#", "po?47", "ÜNÏ", "4711-#L", "ag", "agk", "zzzzzz",
    ];
    for round in 0..120 {
        let mut q = random_query(&mut rng, store);
        if round < fixed.len() {
            q.text = fixed[round].to_string();
        }
        // Candidates: all rows, about a half, a tenth, or a handful, shuffled.
        let mut cand: Vec<RowId> = match round % 4 {
            0 => (0..n).collect(),
            1 => (0..n).filter(|_| rng.bool()).collect(),
            2 => (0..n).filter(|_| rng.u8(..10) == 0).collect(),
            _ => (0..5).map(|_| rng.u32(..n)).collect(),
        };
        cand.sort_unstable();
        cand.dedup();
        rng.shuffle(&mut cand);
        let want: Vec<RowId> = cand
            .iter()
            .copied()
            .filter(|&r| naive_match(&store.row(r), &q))
            .collect();
        assert_eq!(
            filter_rows(store, &cand, &q),
            want,
            "{name}: round {round}, {q:?}"
        );
    }
}

/// The in-place time sort (rows nearly in time order, either way round) gives the general sort's
/// order, and declines rows in no particular order.
#[test]
fn nearly_sorted_time_sort_equals_naive() {
    let mut g = MplPageGen::with_shape(5, 1_700_000_000_000, 40, 12);
    g.update_per_mille = 10;
    let mut store = MessageStore::default();
    for _ in 0..6 {
        store.merge(MplBatch::decode(&g.page(500)).expect("decodes"));
    }
    let n = store.len() as RowId;
    for descending in [false, true] {
        let key = SortKey {
            column: SortColumn::Time,
            descending,
        };
        let mut want: Vec<RowId> = (0..n).collect();
        want.sort_by(|&a, &b| naive_cmp(&store, key, a, b));
        for start in [(0..n).collect::<Vec<_>>(), (0..n).rev().collect()] {
            let mut got = start.clone();
            assert!(super::sort::sort_nearly_sorted_by_time(
                &store, &mut got, descending
            ));
            assert_eq!(got, want, "{key:?}");
            let mut general = start;
            sort_rows(&store, &mut general, key);
            assert_eq!(general, want, "{key:?}");
        }
        let mut shuffled: Vec<RowId> = (0..n).collect();
        fastrand::Rng::with_seed(1).shuffle(&mut shuffled);
        let mut untouched = shuffled.clone();
        assert!(!super::sort::sort_nearly_sorted_by_time(
            &store,
            &mut untouched,
            descending
        ));
        assert_eq!(untouched, shuffled);
        sort_rows(&store, &mut shuffled, key);
        assert_eq!(shuffled, want, "{key:?} from a shuffle");
    }
}
