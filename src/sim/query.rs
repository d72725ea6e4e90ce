//! System query options of an OData v2 request: `$top $skip $skiptoken $filter $orderby $select
//! $expand $inlinecount $format` plus custom parameters. `+` in the query means a space (form
//! encoding, as reqwest writes it); `%20` works too.

use super::filter::{self, Expr};

/// Rows per response page (docs/cpi-api.md, "Conventions": max 1000, then `__next` with `$skiptoken`).
pub const PAGE_SIZE: usize = 1000;

#[derive(Debug, Default, Clone)]
pub struct Query {
    pub top: Option<usize>,
    pub skip: usize,
    pub skiptoken: usize,
    pub filter: Option<Expr<String>>,
    /// `(field, descending)`
    pub orderby: Vec<(String, bool)>,
    pub select: Option<Vec<String>>,
    pub expand: Vec<String>,
    pub inlinecount: bool,
    /// `$format` given: `Some(true)` for json, `Some(false)` for anything else.
    pub format_json: Option<bool>,
    /// Non-`$` parameters (function-import arguments, `keystoreName`, `operation`, ...).
    pub params: Vec<(String, String)>,
    /// The raw pairs, to rebuild a `__next` link.
    pub raw: Vec<(String, String)>,
}

impl Query {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn selects(&self, field: &str) -> bool {
        self.select.as_ref().is_none_or(|s| {
            s.iter()
                .any(|f| f == field || f == "*" || f.starts_with(&format!("{field}/")))
        })
    }
    pub fn expands(&self, nav: &str) -> bool {
        self.expand.iter().any(|e| e == nav)
    }
}

/// Parse a raw query string. Errors are 400 messages.
pub fn parse(raw: Option<&str>) -> Result<Query, String> {
    let mut q = Query::default();
    let Some(raw) = raw else { return Ok(q) };
    for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
        let (k, v) = (k.into_owned(), v.into_owned());
        q.raw.push((k.clone(), v.clone()));
        match k.as_str() {
            "$top" => q.top = Some(num(&k, &v)?),
            "$skip" => q.skip = num(&k, &v)?,
            "$skiptoken" => q.skiptoken = num(&k, &v)?,
            "$filter" => q.filter = Some(filter::parse(&v).map_err(|e| e.0)?),
            "$orderby" => {
                for part in v.split(',') {
                    let mut it = part.split_whitespace();
                    let Some(field) = it.next() else {
                        return Err(format!("empty item in $orderby '{v}'"));
                    };
                    let desc = match it.next() {
                        None | Some("asc") => false,
                        Some("desc") => true,
                        Some(other) => {
                            return Err(format!(
                                "invalid sort direction '{other}' in $orderby (asc or desc)"
                            ));
                        }
                    };
                    q.orderby.push((field.to_string(), desc));
                }
            }
            "$select" => {
                q.select = Some(
                    v.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect(),
                )
            }
            "$expand" => q.expand = v.split(',').map(|s| s.trim().to_string()).collect(),
            "$inlinecount" => match v.as_str() {
                "allpages" => q.inlinecount = true,
                "none" => q.inlinecount = false,
                _ => return Err(format!("invalid $inlinecount '{v}' (allpages or none)")),
            },
            "$format" => q.format_json = Some(v == "json"),
            _ if k.starts_with('$') => {
                return Err(format!("unsupported system query option '{k}'"));
            }
            _ => q.params.push((k, v)),
        }
    }
    Ok(q)
}

fn num(k: &str, v: &str) -> Result<usize, String> {
    v.trim()
        .parse()
        .map_err(|_| format!("invalid value '{v}' for {k}: expected a non-negative integer"))
}

/// The `__next` link for a page that stopped at `PAGE_SIZE` rows: the same request with
/// `$skiptoken` advanced by the rows delivered (`$top` stays; `window` counts it against
/// `$skiptoken`).
pub fn next_link(base: &str, path: &str, q: &Query, delivered: usize) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &q.raw {
        match k.as_str() {
            "$skiptoken" => {}
            _ => {
                ser.append_pair(k, v);
            }
        }
    }
    ser.append_pair("$skiptoken", &(q.skiptoken + delivered).to_string());
    format!("{base}{path}?{}", ser.finish())
}

/// What a collection request selects from `total` ordered rows: `(offset, count, more)`.
/// `$skip` and `$skiptoken` add up; a page holds at most `PAGE_SIZE` rows.
pub fn window(q: &Query, total: usize) -> (usize, usize, bool) {
    let offset = q.skip.saturating_add(q.skiptoken).min(total);
    let want = q.top.map_or(usize::MAX, |t| t.saturating_sub(q.skiptoken));
    let avail = total - offset;
    let n = want.min(avail).min(PAGE_SIZE);
    let more = n == PAGE_SIZE && want > PAGE_SIZE && avail > PAGE_SIZE;
    (offset, n, more)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_options_and_builds_next_links() {
        let q = parse(Some(
            "$top=2500&$skip=10&$filter=Status+eq+'FAILED'&$orderby=Status,LogEnd%20desc&$select=MessageGuid,LogEnd&$inlinecount=allpages&$format=json&keystoreName=system",
        ))
        .expect("parses");
        assert_eq!(q.top, Some(2500));
        assert_eq!(q.skip, 10);
        assert_eq!(q.orderby, vec![("Status".into(), false), ("LogEnd".into(), true)]);
        assert!(q.selects("LogEnd") && !q.selects("Sender"));
        assert!(q.inlinecount);
        assert_eq!(q.format_json, Some(true));
        assert_eq!(q.param("keystoreName"), Some("system"));
        assert_eq!(window(&q, 5000), (10, 1000, true));
        let next = next_link("http://h/api/v1", "/MessageProcessingLogs", &q, 1000);
        assert!(
            next.contains("%24top=2500") && next.contains("%24skiptoken=1000"),
            "{next}"
        );
        let q2 = parse(Some(next.split_once('?').map(|x| x.1).unwrap_or(""))).expect("parses");
        assert_eq!((q2.skiptoken, q2.top, q2.skip), (1000, Some(2500), 10));
        assert_eq!(window(&q2, 5000), (1010, 1000, true));
        assert!(parse(Some("$top=x")).is_err());
        assert!(parse(Some("$orderby=LogEnd sideways")).is_err());
        assert!(parse(Some("$bogus=1")).is_err());
    }

    #[test]
    fn window_edges() {
        let q = parse(Some("$top=1000")).expect("parses");
        assert_eq!(window(&q, 5000), (0, 1000, false));
        let q = parse(None).expect("parses");
        assert_eq!(window(&q, 1000), (0, 1000, false));
        assert_eq!(window(&q, 1001), (0, 1000, true));
        let q = parse(Some("$skip=5000")).expect("parses");
        assert_eq!(window(&q, 10), (10, 0, false));
    }
}
