//! OData resource paths → handlers, plus the helpers every entity set shares (collections with
//! paging, `$count`, `$filter`/`$orderby` over small in-memory sets).

use std::borrow::Cow;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};

use super::SimConfig;
use super::filter::{self, FieldType, Val};
use super::json::Json;
use super::query::{self, Query};
use super::resp::{Resp, bad_request};

/// One path segment: `Name` or `Name(<key>)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Seg {
    pub name: String,
    pub key: Option<String>,
}

impl Seg {
    /// A single key `'x'` (quotes removed, `''` unescaped) or a bare one (`123L`, `x`).
    pub fn single_key(&self) -> Option<String> {
        self.key.as_deref().map(unquote)
    }
    /// Named keys `A='x',B=true`.
    pub fn named_key(&self, name: &str) -> Option<String> {
        let raw = self.key.as_deref()?;
        split_top(raw, ',').into_iter().find_map(|part| {
            let (k, v) = part.split_once('=')?;
            (k.trim() == name).then(|| unquote(v))
        })
    }
}

pub fn unquote(v: &str) -> String {
    let v = v.trim();
    match v.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')) {
        Some(inner) => inner.replace("''", "'"),
        None => v.to_string(),
    }
}

/// Split on `sep` outside of `'…'`.
fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut in_q = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if c == '\'' {
            in_q = !in_q;
        } else if c == sep && !in_q {
            out.push(&s[start..i]);
            start = i + c.len_utf8();
        }
    }
    out.push(&s[start..]);
    out
}

/// Parse the resource path after `/api/v1/` (already percent-decoded).
pub fn parse_path(p: &str) -> Result<Vec<Seg>, String> {
    let mut segs = Vec::new();
    for part in split_top(p, '/') {
        if part.is_empty() {
            continue;
        }
        match part.find('(') {
            Some(open) => {
                let Some(inner) = part[open + 1..].strip_suffix(')') else {
                    return Err(format!("malformed key predicate in segment '{part}'"));
                };
                segs.push(Seg {
                    name: part[..open].to_string(),
                    key: Some(inner.to_string()),
                });
            }
            None => segs.push(Seg {
                name: part.to_string(),
                key: None,
            }),
        }
    }
    Ok(segs)
}

/// What a handler gets.
pub struct Ctx<'a> {
    /// `http://127.0.0.1:PORT/api/v1`
    pub api: &'a str,
    /// Path below `/api/v1` as requested (for `__next` links), e.g. `/MessageProcessingLogs`.
    pub path: String,
    pub method: Method,
    pub headers: &'a HeaderMap,
    pub q: Query,
    pub body: &'a Bytes,
    pub now: i64,
    pub cfg: &'a SimConfig,
}

/// `__metadata` of an entity: `{"id":uri,"uri":uri,"type":"com.sap.hci.api.<T>"}` plus media
/// fields when `media` is set.
pub fn metadata(j: &mut Json, uri: &[&str], ty: &str, media: Option<&str>) {
    j.key("__metadata").obj();
    j.key("id").str_parts(uri);
    j.key("uri").str_parts(uri);
    j.key("type").str(ty);
    if let Some(ct) = media {
        let mut v: Vec<&str> = uri.to_vec();
        v.push("/$value");
        j.key("content_type").str(ct);
        j.key("media_src").str_parts(&v);
        j.key("edit_media").str_parts(&v);
    }
    j.end_obj();
}

/// Write a collection page of `rows` (already filtered and ordered): `$skip`, `$skiptoken`,
/// `$top`, 1000-row pages with `__next`, `$inlinecount`.
pub fn collection<T>(ctx: &Ctx, rows: &[T], write: impl FnMut(&mut Json, &T)) -> Resp {
    collection_q(ctx, &ctx.q, rows, write)
}

/// `collection` with a query other than the request's.
pub fn collection_q<T>(ctx: &Ctx, q: &Query, rows: &[T], mut write: impl FnMut(&mut Json, &T)) -> Resp {
    let (off, n, more) = query::window(q, rows.len());
    let mut j = Json::with_capacity(512 * n + 256);
    j.obj().key("d").obj();
    if q.inlinecount {
        j.key("__count").int_str(rows.len() as i64);
    }
    j.key("results").arr();
    for r in &rows[off..off + n] {
        write(&mut j, r);
    }
    j.end_arr();
    if more {
        j.key("__next").str(&query::next_link(ctx.api, &ctx.path, q, n));
    }
    j.end_obj().end_obj();
    Resp::json_ok(j)
}

/// `{"d":{…}}` around one entity.
pub fn single(write: impl FnOnce(&mut Json)) -> Resp {
    let mut j = Json::default();
    j.obj().key("d");
    write(&mut j);
    j.end_obj();
    Resp::json_ok(j)
}

/// `/$count`: a plain integer (content type text/plain; uncertain, docs/cpi-api.md, "Message processing logs").
pub fn count(n: usize) -> Resp {
    Resp::text(StatusCode::OK, n.to_string())
}

/// A small entity set's field table: `(name, type, getter)`.
pub type FieldTable<T> = &'static [(&'static str, FieldType, fn(&T) -> Val<'_>)];

/// Apply `$filter` and `$orderby` to a small in-memory set.
pub fn filter_sort<T: Clone>(q: &Query, rows: &[T], fields: FieldTable<T>) -> Result<Vec<T>, Resp> {
    let resolve = |name: &str| fields.iter().position(|f| f.0 == name).map(|i| (i, fields[i].1));
    let mut out: Vec<T> = match &q.filter {
        Some(f) => {
            let bound = filter::bind(f.clone(), &resolve).map_err(|e| bad_request(&e.0))?;
            rows.iter()
                .filter(|r| filter::eval(&bound, &mut |fi| (fields[fi].2)(r)))
                .cloned()
                .collect()
        }
        None => rows.to_vec(),
    };
    let mut keys = Vec::new();
    for (name, desc) in &q.orderby {
        let (i, _) =
            resolve(name).ok_or_else(|| bad_request(&format!("unknown property '{name}' in $orderby")))?;
        keys.push((i, *desc));
    }
    if !keys.is_empty() {
        out.sort_by(|a, b| {
            for &(i, desc) in &keys {
                let o = cmp_val(&(fields[i].2)(a), &(fields[i].2)(b));
                let o = if desc { o.reverse() } else { o };
                if o.is_ne() {
                    return o;
                }
            }
            std::cmp::Ordering::Equal
        });
    }
    Ok(out)
}

pub fn cmp_val(a: &Val, b: &Val) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match (a, b) {
        (Val::Str(x), Val::Str(y)) => x.cmp(y),
        (Val::Date(x), Val::Date(y)) | (Val::Int(x), Val::Int(y)) => x.cmp(y),
        (Val::Bool(x), Val::Bool(y)) => x.cmp(y),
        (Val::Null, Val::Null) => Equal,
        (Val::Null, _) => Less,
        (_, Val::Null) => Greater,
        _ => Equal,
    }
}

pub fn s(v: &str) -> Val<'_> {
    Val::Str(Cow::Borrowed(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_with_key_predicates() {
        let segs =
            parse_path("/JmsMessages(Msgid='ID:10.1/2',Name='Q''s',Failed=true)/$value").expect("parses");
        assert_eq!(segs.len(), 2);
        assert_eq!(segs[0].named_key("Msgid").as_deref(), Some("ID:10.1/2"));
        assert_eq!(segs[0].named_key("Name").as_deref(), Some("Q's"));
        assert_eq!(segs[0].named_key("Failed").as_deref(), Some("true"));
        assert_eq!(segs[1].name, "$value");
        let s = parse_path("MessageProcessingLogs('AG1')/ErrorInformation/$value").expect("parses");
        assert_eq!(s[0].single_key().as_deref(), Some("AG1"));
        assert_eq!(s.len(), 3);
        assert!(parse_path("X('a'").is_err());
    }
}
