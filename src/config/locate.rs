//! Key paths ↔ source spans, from toml's spanned document tree. Used to turn serde errors (which
//! carry a byte span) into `tenants.acme.auth.client_id`-style key paths, and to find the line of a
//! key when a later validation step rejects its value.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// A parsed document with spans.
pub struct Doc<'i> {
    root: Spanned<DeTable<'i>>,
}

impl<'i> Doc<'i> {
    /// Parse for spans. A syntax error comes back as toml's error (message + span).
    pub fn parse(text: &'i str) -> Result<Self, toml::de::Error> {
        DeTable::parse(text).map(|root| Self { root })
    }

    /// The key path of the innermost key or value containing byte `offset`, and the span of that
    /// key (or of the array item). Header tables (`[tenants.x]`) do not span their body, so the
    /// whole tree is searched and the smallest containing span wins.
    pub fn path_at(&self, offset: usize) -> (Vec<String>, Option<Range<usize>>) {
        let mut best: Option<(usize, Vec<String>, Range<usize>)> = None;
        let mut path = Vec::new();
        walk_table(self.root.get_ref(), offset, &mut path, &mut best);
        match best {
            Some((_, p, s)) => (p, Some(s)),
            None => (Vec::new(), None),
        }
    }

    /// Span of the key at `path` (segments are table keys or `[i]` array indices).
    pub fn span_of(&self, path: &[&str]) -> Option<Range<usize>> {
        let mut table = self.root.get_ref();
        let mut value: Option<&Spanned<DeValue<'i>>> = None;
        let mut last_span = None;
        for seg in path {
            if let Some(idx) = seg.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
                let i: usize = idx.parse().ok()?;
                let arr = value?.get_ref().as_array()?;
                let item = arr.get(i)?;
                last_span = Some(item.span());
                value = Some(item);
            } else {
                if let Some(v) = value {
                    table = v.get_ref().as_table()?;
                }
                let (k, v) = table.iter().find(|(k, _)| &**k.get_ref() == *seg)?;
                last_span = Some(k.span());
                value = Some(v);
            }
        }
        last_span
    }

    /// Keys of the table at `path`, in file order.
    pub fn keys_in_order(&self, path: &[&str]) -> Vec<String> {
        let mut table = self.root.get_ref();
        for seg in path {
            match table
                .iter()
                .find(|(k, _)| &**k.get_ref() == *seg)
                .and_then(|(_, v)| v.get_ref().as_table())
            {
                Some(t) => table = t,
                None => return Vec::new(),
            }
        }
        let mut keys: Vec<_> = table
            .keys()
            .map(|k| (k.span().start, k.get_ref().to_string()))
            .collect();
        keys.sort();
        keys.into_iter().map(|(_, k)| k).collect()
    }
}

type Best = Option<(usize, Vec<String>, Range<usize>)>;

fn consider(best: &mut Best, path: &[String], hit: Range<usize>, key_span: Range<usize>) {
    let len = hit.end - hit.start;
    if best.as_ref().is_none_or(|(l, _, _)| len < *l) {
        *best = Some((len, path.to_vec(), key_span));
    }
}

fn walk_table(table: &DeTable<'_>, offset: usize, path: &mut Vec<String>, best: &mut Best) {
    for (k, v) in table.iter() {
        path.push(k.get_ref().to_string());
        if k.span().contains(&offset) {
            consider(best, path, k.span(), k.span());
        }
        if v.span().contains(&offset) {
            consider(best, path, v.span(), k.span());
        }
        walk_value(v.get_ref(), offset, path, best);
        path.pop();
    }
}

fn walk_value(value: &DeValue<'_>, offset: usize, path: &mut Vec<String>, best: &mut Best) {
    match value {
        DeValue::Table(t) => walk_table(t, offset, path, best),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(format!("[{i}]"));
                if item.span().contains(&offset) {
                    consider(best, path, item.span(), item.span());
                }
                walk_value(item.get_ref(), offset, path, best);
                path.pop();
            }
        }
        _ => {}
    }
}

/// `["tenants", "acme prod", "auth"]` → `tenants."acme prod".auth`; `[i]` segments attach directly.
pub fn join_path<S: AsRef<str>>(segments: &[S]) -> String {
    let mut out = String::new();
    for seg in segments {
        let seg = seg.as_ref();
        if seg.starts_with('[') {
            out.push_str(seg);
            continue;
        }
        if !out.is_empty() {
            out.push('.');
        }
        let bare = !seg.is_empty()
            && seg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if bare {
            out.push_str(seg);
        } else {
            out.push('"');
            out.push_str(&seg.replace('\\', "\\\\").replace('"', "\\\""));
            out.push('"');
        }
    }
    out
}
