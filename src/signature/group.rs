//! Failed messages → groups by signature, with count, iFlows, first/last seen, a trend over the
//! window, the newest member and whether the signature is new.
//!
//! Signing is the costly part (one pass over each text); texts equal after the cut of the MPL-ID
//! sentence are signed once, and large inputs are signed on two threads.

use std::collections::HashMap;

use super::mine::mine;
use super::seen::SeenSignatures;
use super::{SigKey, Signed, Signer};

/// What is known of a failed message's error text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorText<'a> {
    /// Not read yet: the message is grouped provisionally by iFlow and status.
    Pending,
    /// The tenant has none (DISCARDED messages, an empty `ErrorInformation`).
    None,
    /// The text, with `ErrorInformation.Type` where the tenant gives it.
    Known {
        text: &'a str,
        error_type: Option<&'a str>,
    },
}

/// One failed message (or one with an error `CustomStatus`).
#[derive(Debug, Clone, Copy)]
pub struct Failure<'a> {
    pub message_id: &'a str,
    pub iflow: &'a str,
    pub status: &'a str,
    /// When it failed (`LogEnd`, else `LogStart`), epoch ms.
    pub at_ms: i64,
    pub error: ErrorText<'a>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupOptions {
    /// One group per signature and iFlow instead of one per signature.
    pub per_iflow: bool,
    /// The window: new-ness and the trend are relative to it.
    pub from_ms: i64,
    pub to_ms: i64,
    /// Trend buckets over the window.
    pub buckets: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupKind {
    /// Grouped by the error text; `rule` names the user rule that made it.
    Signature { rule: Option<String> },
    /// Texts not read yet: grouped by iFlow and status until they arrive.
    Pending,
    /// Messages without error information.
    NoText,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub key: SigKey,
    pub template: String,
    pub kind: GroupKind,
    pub count: usize,
    /// iFlows with their member counts, most first.
    pub iflows: Vec<(String, usize)>,
    pub first_ms: i64,
    pub last_ms: i64,
    /// Members per bucket of the window, oldest first.
    pub trend: Vec<u32>,
    /// Indexes into the input, newest first.
    pub members: Vec<usize>,
    /// The signatures (before mining) of the members with their first and last time in this
    /// input: what is remembered across restarts.
    pub keys: Vec<KeySeen>,
    /// First seen in this window: none of its signatures was seen before the window began.
    pub new: bool,
}

/// One signature of a group and when its members failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct KeySeen {
    pub key: SigKey,
    pub first_ms: i64,
    pub last_ms: i64,
    /// The latest absence of more than `seen::RETURN_GAP_MS` between two of its members: the
    /// sightings before and after it.
    pub gap: Option<(i64, i64)>,
}

impl Group {
    /// The newest member's index into the input.
    pub fn newest(&self) -> Option<usize> {
        self.members.first().copied()
    }
}

/// Remembering groups lives here, beside the groups (the memory itself, `seen`, knows no group:
/// `group` reads it, nothing reads back).
impl SeenSignatures {
    /// Remember the signatures of `groups` as of `now` (provisional groups have none worth
    /// remembering): each one's first sighting, the sightings around its latest absence within
    /// the input, and its last.
    pub fn observe_groups(&mut self, groups: &[Group], now: i64) {
        self.begin(now);
        for g in groups
            .iter()
            .filter(|g| matches!(g.kind, GroupKind::Signature { .. }))
        {
            for k in &g.keys {
                self.observe(k.key, k.first_ms);
                if let Some((before, after)) = k.gap {
                    self.observe(k.key, before);
                    self.observe(k.key, after);
                }
                self.observe(k.key, k.last_ms);
            }
        }
    }
}

/// Inputs from which signing runs on two threads.
const PARALLEL_FROM: usize = 4_096;

/// Group failures; signature groups first, then provisional ones, then those without error
/// information, each by count, then most recent.
pub fn group(
    failures: &[Failure<'_>],
    signer: &Signer,
    seen: &SeenSignatures,
    opts: &GroupOptions,
) -> Vec<Group> {
    let signed = sign_all(failures, signer);
    let signature_of = |i: usize| signed.of[i].map(|s| &signed.distinct[s as usize]);

    // Stage 1: by signature (or provisional key), before mining.
    struct Acc {
        template: String,
        kind: GroupKind,
        members: Vec<usize>,
    }
    let mut by_key: FnvMap<SigKey, Acc> = FnvMap::default();
    let mut order: Vec<SigKey> = Vec::new();
    for (i, f) in failures.iter().enumerate() {
        let signature = signature_of(i);
        let key = match (signature, f.error) {
            (Some(s), _) if opts.per_iflow => SigKey::of(&[&s.key.to_string(), f.iflow]),
            (Some(s), _) => s.key,
            (None, ErrorText::Pending) => SigKey::of(&["pending", f.iflow, f.status]),
            (None, _) => SigKey::of(&["none", f.status]),
        };
        by_key
            .entry(key)
            .or_insert_with(|| {
                order.push(key);
                let (template, kind) = match (signature, f.error) {
                    (Some(s), _) => (
                        s.template.clone(),
                        GroupKind::Signature {
                            rule: s.rule.and_then(|r| signer.rules.get(r)).map(|r| r.name.clone()),
                        },
                    ),
                    (None, ErrorText::Pending) => (
                        format!("{} in {} (error text not read yet)", f.status, f.iflow),
                        GroupKind::Pending,
                    ),
                    (None, _) => (
                        format!("{} without error information", f.status),
                        GroupKind::NoText,
                    ),
                };
                Acc {
                    template,
                    kind,
                    members: Vec::new(),
                }
            })
            .members
            .push(i);
    }

    // Stage 2: mine the rule-made templates (not user rules, not provisional groups).
    let minable: Vec<SigKey> = order
        .iter()
        .copied()
        .filter(|k| matches!(&by_key[k].kind, GroupKind::Signature { rule: None }))
        .collect();
    let mut merged_into: FnvMap<SigKey, (SigKey, String)> = FnvMap::default();
    if !minable.is_empty() {
        // Per-iFlow groups mine within their iFlow only: the iFlow is part of the text mined.
        let texts: Vec<String> = minable
            .iter()
            .map(|k| {
                let acc = &by_key[k];
                if opts.per_iflow {
                    format!("{} {}", failures[acc.members[0]].iflow, acc.template)
                } else {
                    acc.template.clone()
                }
            })
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let mined = mine(&refs);
        for (k, &m) in minable.iter().zip(&mined.of) {
            let template = &mined.templates[m];
            let template = if opts.per_iflow {
                template
                    .split_once(' ')
                    .map_or(template.as_str(), |(_, t)| t)
                    .to_string()
            } else {
                template.clone()
            };
            let gkey = SigKey::of(&["mined", super::VERSION_TEXT, &mined.templates[m]]);
            merged_into.insert(*k, (gkey, template));
        }
    }

    // Stage 3: final groups.
    let mut scratch: Vec<i64> = Vec::new();
    let mut groups: FnvMap<SigKey, Group> = FnvMap::default();
    let mut group_order: Vec<SigKey> = Vec::new();
    for key in order {
        let Some(acc) = by_key.remove(&key) else { continue };
        let (gkey, template) = merged_into.remove(&key).unwrap_or((key, acc.template));
        let g = groups.entry(gkey).or_insert_with(|| {
            group_order.push(gkey);
            Group {
                key: gkey,
                template,
                kind: acc.kind.clone(),
                count: 0,
                iflows: Vec::new(),
                first_ms: i64::MAX,
                last_ms: i64::MIN,
                trend: vec![0; opts.buckets.max(1)],
                members: Vec::new(),
                keys: Vec::new(),
                new: false,
            }
        });
        g.keys.push(key_seen(key, &acc.members, failures, &mut scratch));
        g.members.extend(acc.members);
    }
    let span = (opts.to_ms - opts.from_ms).max(1);
    let mut out: Vec<Group> = group_order
        .into_iter()
        .filter_map(|k| groups.remove(&k))
        .collect();
    for g in &mut out {
        let mut iflows: FnvMap<&str, usize> = FnvMap::default();
        for &i in &g.members {
            let f = &failures[i];
            *iflows.entry(f.iflow).or_default() += 1;
            g.first_ms = g.first_ms.min(f.at_ms);
            g.last_ms = g.last_ms.max(f.at_ms);
            if (opts.from_ms..opts.to_ms).contains(&f.at_ms) {
                let n = g.trend.len();
                let b = ((f.at_ms - opts.from_ms) as i128 * n as i128 / span as i128) as usize;
                g.trend[b.min(n - 1)] += 1;
            }
        }
        g.count = g.members.len();
        g.members.sort_by(|&a, &b| {
            failures[b]
                .at_ms
                .cmp(&failures[a].at_ms)
                .then_with(|| failures[a].message_id.cmp(failures[b].message_id))
        });
        let mut flows: Vec<(String, usize)> = iflows.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        flows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        g.iflows = flows;
        g.keys.sort_unstable();
        g.new = matches!(g.kind, GroupKind::Signature { .. })
            && g.keys
                .iter()
                .all(|k| seen.first_seen(k.key).is_none_or(|first| first >= opts.from_ms));
    }
    // Signatures first (what is known), then the provisional groups, then those without text.
    let rank = |k: &GroupKind| match k {
        GroupKind::Signature { .. } => 0,
        GroupKind::Pending => 1,
        GroupKind::NoText => 2,
    };
    out.sort_by(|a, b| {
        rank(&a.kind)
            .cmp(&rank(&b.kind))
            .then(b.count.cmp(&a.count))
            .then(b.last_ms.cmp(&a.last_ms))
            .then_with(|| a.template.cmp(&b.template))
    });
    out
}

/// A signature's first and last time among `members`, and its latest absence between two of
/// them. Inputs usually come newest (or oldest) first: then the times need no sort.
fn key_seen(key: SigKey, members: &[usize], failures: &[Failure<'_>], scratch: &mut Vec<i64>) -> KeySeen {
    scratch.clear();
    scratch.extend(members.iter().map(|&i| failures[i].at_ms));
    let ascending = scratch.windows(2).all(|w| w[0] <= w[1]);
    if !ascending {
        if scratch.windows(2).all(|w| w[0] >= w[1]) {
            scratch.reverse();
        } else {
            scratch.sort_unstable();
        }
    }
    let gap = scratch
        .windows(2)
        .rev()
        .find(|w| w[1] - w[0] > super::seen::RETURN_GAP_MS)
        .map(|w| (w[0], w[1]));
    KeySeen {
        key,
        first_ms: scratch.first().copied().unwrap_or(0),
        last_ms: scratch.last().copied().unwrap_or(0),
        gap,
    }
}

/// Signed texts: the distinct signatures and, per failure, the index of its own (`None`: no
/// text to sign).
struct SignedAll {
    distinct: Vec<Signed>,
    of: Vec<Option<u32>>,
}

/// A cheap hash for the cache of texts (FNV-1a): the keys are cpitop's own reads, and SipHash's
/// DoS resistance is not worth ~3× the time over 100k texts.
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FnvMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

/// Sign every text once (equal texts share the work), on two threads for large inputs.
fn sign_all(failures: &[Failure<'_>], signer: &Signer) -> SignedAll {
    fn run(chunk: &[Failure<'_>], signer: &Signer) -> SignedAll {
        let mut cache: FnvMap<(&str, Option<&str>), u32> =
            FnvMap::with_capacity_and_hasher(chunk.len() / 2, Default::default());
        let mut distinct = Vec::new();
        let of = chunk
            .iter()
            .map(|f| match f.error {
                ErrorText::Known { text, error_type } => {
                    let head = super::normalise::head(text);
                    Some(*cache.entry((head, error_type)).or_insert_with(|| {
                        distinct.push(signer.sign(head, error_type));
                        (distinct.len() - 1) as u32
                    }))
                }
                _ => None,
            })
            .collect();
        SignedAll { distinct, of }
    }
    if failures.len() < PARALLEL_FROM {
        return run(failures, signer);
    }
    let (a, b) = failures.split_at(failures.len() / 2);
    std::thread::scope(|s| {
        let other = s.spawn(|| run(b, signer));
        let mut out = run(a, signer);
        // The worker only runs `run`; should it ever panic, sign its half here instead.
        let rest = other.join().unwrap_or_else(|_| run(b, signer));
        // Renumber the second half's signatures into the first's list.
        let mut at: FnvMap<SigKey, u32> = out
            .distinct
            .iter()
            .enumerate()
            .map(|(i, s)| (s.key, i as u32))
            .collect();
        let remap: Vec<u32> = rest
            .distinct
            .into_iter()
            .map(|s| {
                *at.entry(s.key).or_insert_with(|| {
                    out.distinct.push(s);
                    (out.distinct.len() - 1) as u32
                })
            })
            .collect();
        out.of
            .extend(rest.of.into_iter().map(|o| o.map(|i| remap[i as usize])));
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(text: &str) -> ErrorText<'_> {
        ErrorText::Known {
            text,
            error_type: None,
        }
    }

    fn opts() -> GroupOptions {
        GroupOptions {
            per_iflow: false,
            from_ms: 0,
            to_ms: 1_000,
            buckets: 4,
        }
    }

    fn f<'a>(id: &'a str, iflow: &'a str, at: i64, error: ErrorText<'a>) -> Failure<'a> {
        Failure {
            message_id: id,
            iflow,
            status: "FAILED",
            at_ms: at,
            error,
        }
    }

    #[test]
    fn one_receiver_failing_several_iflows_is_one_group() {
        let input = [
            f(
                "m1",
                "A",
                100,
                known(
                    "HTTP 503 from https://erp.acme.com/a: Service Unavailable. The MPL ID for the failed message is : AGDYGl0jWASpFC3iiCnMvFyITFc1",
                ),
            ),
            f(
                "m2",
                "B",
                900,
                known(
                    "HTTP 503 from https://erp.acme.com/b/c: Service Unavailable. The MPL ID for the failed message is : AGDYGl0jWASpFC3iiCnMvFyITFc2",
                ),
            ),
            f(
                "m3",
                "A",
                500,
                known("HTTP 503 from https://erp.acme.com/d: Service Unavailable"),
            ),
            f(
                "m4",
                "C",
                600,
                known("java.net.SocketTimeoutException: Read timed out"),
            ),
            f("m5", "C", 700, ErrorText::Pending),
            f("m6", "D", 800, ErrorText::None),
        ];
        let groups = group(&input, &Signer::default(), &SeenSignatures::default(), &opts());
        assert_eq!(groups.len(), 4);
        let g = &groups[0];
        assert_eq!(g.template, "HTTP 503 from <url>: Service Unavailable");
        assert_eq!(g.count, 3);
        assert_eq!(g.iflows, [("A".to_string(), 2), ("B".to_string(), 1)]);
        assert_eq!((g.first_ms, g.last_ms), (100, 900));
        assert_eq!(g.trend, [1, 0, 1, 1]);
        assert_eq!(g.members, [1, 2, 0], "newest first");
        assert_eq!(g.newest(), Some(1));
        assert!(g.new);
        let pending = groups.iter().find(|g| g.kind == GroupKind::Pending).unwrap();
        assert_eq!(pending.template, "FAILED in C (error text not read yet)");
        assert!(!pending.new, "a provisional group is never new");
        assert!(groups.iter().any(|g| g.kind == GroupKind::NoText));
    }

    #[test]
    fn per_iflow_splits_and_mining_merges_value_words() {
        let input = [
            f("m1", "A", 1, known("Mapping of field Order_4 failed")),
            f("m2", "B", 2, known("Mapping of field Customer_Id failed")),
        ];
        let merged = group(&input, &Signer::default(), &SeenSignatures::default(), &opts());
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].template, "Mapping of field <*> failed");
        assert_eq!(merged[0].keys.len(), 2);
        let split = group(
            &input,
            &Signer::default(),
            &SeenSignatures::default(),
            &GroupOptions {
                per_iflow: true,
                ..opts()
            },
        );
        assert_eq!(split.len(), 2);
    }

    #[test]
    fn a_signature_seen_before_the_window_is_not_new() {
        let input = [f("m1", "A", 500, known("Read timed out"))];
        let signer = Signer::default();
        let mut seen = SeenSignatures::default();
        let key = signer.sign("Read timed out", None).key;
        seen.observe(key, -5_000);
        let groups = group(&input, &signer, &seen, &opts());
        assert!(!groups[0].new);
        let mut later = SeenSignatures::default();
        later.observe(key, 200);
        assert!(
            group(&input, &signer, &later, &opts())[0].new,
            "first seen inside the window"
        );
    }

    #[test]
    fn two_threads_give_the_same_groups_as_one() {
        let texts: Vec<String> = (0..PARALLEL_FROM * 2)
            .map(|i| format!("Error {} at host{}.acme.com in step Step_{}", i % 7, i % 3, i % 5))
            .collect();
        let ids: Vec<String> = (0..texts.len()).map(|i| format!("m{i}")).collect();
        let input: Vec<Failure> = texts
            .iter()
            .zip(&ids)
            .enumerate()
            .map(|(i, (t, id))| f(id, if i % 2 == 0 { "A" } else { "B" }, i as i64 % 1000, known(t)))
            .collect();
        let signer = Signer::default();
        let all = group(&input, &signer, &SeenSignatures::default(), &opts());
        let serial: Vec<Option<Signed>> = input
            .iter()
            .map(|x| match x.error {
                ErrorText::Known { text, error_type } => {
                    Some(signer.sign(super::super::normalise::head(text), error_type))
                }
                _ => None,
            })
            .collect();
        let both = sign_all(&input, &signer);
        let parallel: Vec<Option<Signed>> = both
            .of
            .iter()
            .map(|o| o.map(|i| both.distinct[i as usize].clone()))
            .collect();
        assert_eq!(parallel, serial);
        assert_eq!(all.iter().map(|g| g.count).sum::<usize>(), input.len());
    }
}
