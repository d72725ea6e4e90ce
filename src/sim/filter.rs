//! `$filter` for the sim: the subset CPI clients use (docs/cpi-api.md, "Conventions", "Message processing logs"): `eq ne gt ge lt le`,
//! `and`, `or`, `not` is not supported, parentheses, string literals (`'it''s'`), `datetime'…'`
//! literals (UTC, no zone), integers, `true`/`false`/`null`, and field paths like
//! `IntegrationArtifact/Id`. Parsing yields field *names*; `bind` resolves them against an
//! entity set's filterable fields so an unknown field is a 400 naming it.

use std::borrow::Cow;

use crate::cpi::odata::parse_datetime_literal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Str(String),
    Date(i64),
    Int(i64),
    Bool(bool),
    Null,
}

/// A parsed filter over field type `F` (`String` before binding, an entity's field id after).
#[derive(Debug, Clone, PartialEq)]
pub enum Expr<F> {
    And(Box<Expr<F>>, Box<Expr<F>>),
    Or(Box<Expr<F>>, Box<Expr<F>>),
    Cmp(F, Op, Lit),
    /// `substringof('x',F)`, `startswith(F,'x')`, `endswith(F,'x')` (OData V2 string
    /// functions), optionally compared `eq true` / `eq false` (`want`).
    Text(F, TextFn, String, bool),
}

/// The OData V2 string functions the sim understands in `$filter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFn {
    SubstringOf,
    StartsWith,
    EndsWith,
}

/// The type a filterable field holds; literals must match it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Str,
    Date,
    Int,
    Bool,
}

/// A field value of one entity, as the evaluator sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Val<'a> {
    Str(Cow<'a, str>),
    Date(i64),
    Int(i64),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError(pub String);

impl std::fmt::Display for FilterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Lit(Lit),
    Op(Op),
    And,
    Or,
    LParen,
    RParen,
    Comma,
}

fn tokenize(s: &str) -> Result<Vec<Tok>, FilterError> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'(' {
            out.push(Tok::LParen);
            i += 1;
        } else if c == b')' {
            out.push(Tok::RParen);
            i += 1;
        } else if c == b',' {
            out.push(Tok::Comma);
            i += 1;
        } else if c == b'\'' {
            let (text, next) = read_quoted(s, i)?;
            out.push(Tok::Lit(Lit::Str(text)));
            i = next;
        } else if c.is_ascii_digit() || (c == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let start = i;
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let n: i64 = s[start..i]
                .parse()
                .map_err(|_| FilterError(format!("invalid number '{}' in $filter", &s[start..i])))?;
            if i < b.len() && (b[i] == b'L' || b[i] == b'l') {
                i += 1;
            }
            out.push(Tok::Lit(Lit::Int(n)));
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'/') {
                i += 1;
            }
            let word = &s[start..i];
            if word == "datetime" && b.get(i) == Some(&b'\'') {
                let (text, next) = read_quoted(s, i)?;
                let ms = parse_datetime_literal(&text).ok_or_else(|| {
                    FilterError(format!(
                        "invalid datetime literal datetime'{text}' in $filter (expected yyyy-MM-ddTHH:mm:ss[.fff], UTC, no zone)"
                    ))
                })?;
                out.push(Tok::Lit(Lit::Date(ms)));
                i = next;
                continue;
            }
            out.push(match word {
                "eq" => Tok::Op(Op::Eq),
                "ne" => Tok::Op(Op::Ne),
                "gt" => Tok::Op(Op::Gt),
                "ge" => Tok::Op(Op::Ge),
                "lt" => Tok::Op(Op::Lt),
                "le" => Tok::Op(Op::Le),
                "and" => Tok::And,
                "or" => Tok::Or,
                "true" => Tok::Lit(Lit::Bool(true)),
                "false" => Tok::Lit(Lit::Bool(false)),
                "null" => Tok::Lit(Lit::Null),
                _ => Tok::Ident(word.to_string()),
            });
        } else {
            return Err(FilterError(format!(
                "unexpected character '{}' at position {} in $filter",
                s[i..].chars().next().unwrap_or('?'),
                i
            )));
        }
    }
    Ok(out)
}

/// Read a `'…'` literal starting at the quote at `at`; `''` is an escaped quote.
fn read_quoted(s: &str, at: usize) -> Result<(String, usize), FilterError> {
    let b = s.as_bytes();
    let mut i = at + 1;
    let mut text = String::new();
    let mut seg = i;
    loop {
        match b.get(i) {
            None => {
                return Err(FilterError(format!(
                    "unterminated string literal starting at position {at} in $filter"
                )));
            }
            Some(b'\'') if b.get(i + 1) == Some(&b'\'') => {
                text.push_str(&s[seg..i + 1]);
                i += 2;
                seg = i;
            }
            Some(b'\'') => {
                text.push_str(&s[seg..i]);
                return Ok((text, i + 1));
            }
            Some(_) => i += 1,
        }
    }
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn or(&mut self) -> Result<Expr<String>, FilterError> {
        let mut left = self.and()?;
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }
    fn and(&mut self) -> Result<Expr<String>, FilterError> {
        let mut left = self.atom()?;
        while self.peek() == Some(&Tok::And) {
            self.pos += 1;
            let right = self.atom()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }
    fn atom(&mut self) -> Result<Expr<String>, FilterError> {
        match self.next() {
            Some(Tok::LParen) => {
                let e = self.or()?;
                match self.next() {
                    Some(Tok::RParen) => Ok(e),
                    _ => Err(FilterError("missing ')' in $filter".into())),
                }
            }
            Some(Tok::Ident(name)) if self.peek() == Some(&Tok::LParen) => self.text_fn(name),
            Some(Tok::Ident(field)) => {
                let op = match self.next() {
                    Some(Tok::Op(op)) => op,
                    other => {
                        return Err(FilterError(format!(
                            "expected a comparison operator (eq, ne, gt, ge, lt, le) after '{field}' in $filter, found {}",
                            describe(other.as_ref())
                        )));
                    }
                };
                match self.next() {
                    Some(Tok::Lit(l)) => Ok(Expr::Cmp(field, op, l)),
                    other => Err(FilterError(format!(
                        "expected a literal after '{field} {}' in $filter, found {}",
                        op_name(op),
                        describe(other.as_ref())
                    ))),
                }
            }
            other => Err(FilterError(format!(
                "expected a field name or '(' in $filter, found {}",
                describe(other.as_ref())
            ))),
        }
    }
}

impl Parser {
    /// `substringof('x',F)`, `startswith(F,'x')`, `endswith(F,'x')`, then an optional
    /// `eq true`/`eq false` (`ne` flips).
    fn text_fn(&mut self, name: String) -> Result<Expr<String>, FilterError> {
        let kind = match name.as_str() {
            "substringof" => TextFn::SubstringOf,
            "startswith" => TextFn::StartsWith,
            "endswith" => TextFn::EndsWith,
            _ => {
                return Err(FilterError(format!(
                    "unknown function '{name}' in $filter (supported: substringof, startswith, endswith)"
                )));
            }
        };
        self.pos += 1; // (
        let a = self.next();
        let comma = self.next();
        let b = self.next();
        let close = self.next();
        let args = match (kind, a, comma, b, close) {
            (
                TextFn::SubstringOf,
                Some(Tok::Lit(Lit::Str(v))),
                Some(Tok::Comma),
                Some(Tok::Ident(f)),
                Some(Tok::RParen),
            )
            | (_, Some(Tok::Ident(f)), Some(Tok::Comma), Some(Tok::Lit(Lit::Str(v))), Some(Tok::RParen)) => {
                Some((f, v))
            }
            _ => None,
        };
        let Some((field, value)) = args else {
            return Err(FilterError(format!(
                "malformed {name}(…) in $filter: expected substringof('text',Field), startswith(Field,'text') or endswith(Field,'text')"
            )));
        };
        let mut want = true;
        if let Some(Tok::Op(op @ (Op::Eq | Op::Ne))) = self.peek().cloned() {
            self.pos += 1;
            match self.next() {
                Some(Tok::Lit(Lit::Bool(b))) => want = if op == Op::Eq { b } else { !b },
                other => {
                    return Err(FilterError(format!(
                        "expected true or false after {name}(…) in $filter, found {}",
                        describe(other.as_ref())
                    )));
                }
            }
        }
        Ok(Expr::Text(field, kind, value, want))
    }
}

fn op_name(op: Op) -> &'static str {
    match op {
        Op::Eq => "eq",
        Op::Ne => "ne",
        Op::Gt => "gt",
        Op::Ge => "ge",
        Op::Lt => "lt",
        Op::Le => "le",
    }
}

fn describe(t: Option<&Tok>) -> String {
    match t {
        None => "the end of the expression".into(),
        Some(Tok::Ident(s)) => format!("'{s}'"),
        Some(Tok::Lit(l)) => format!("literal {l:?}"),
        Some(Tok::Op(o)) => format!("'{}'", op_name(*o)),
        Some(Tok::And) => "'and'".into(),
        Some(Tok::Or) => "'or'".into(),
        Some(Tok::LParen) => "'('".into(),
        Some(Tok::RParen) => "')'".into(),
        Some(Tok::Comma) => "','".into(),
    }
}

/// Parse a `$filter` expression (already URL-decoded).
pub fn parse(s: &str) -> Result<Expr<String>, FilterError> {
    let toks = tokenize(s)?;
    if toks.is_empty() {
        return Err(FilterError("empty $filter".into()));
    }
    let mut p = Parser { toks, pos: 0 };
    let e = p.or()?;
    if p.pos < p.toks.len() {
        return Err(FilterError(format!(
            "unexpected {} at the end of $filter",
            describe(p.peek())
        )));
    }
    Ok(e)
}

/// Resolve field names with `resolve` (name → id and type); unknown fields and literals of the
/// wrong type are errors naming the field.
pub fn bind<F: Copy>(
    e: Expr<String>,
    resolve: &dyn Fn(&str) -> Option<(F, FieldType)>,
) -> Result<Expr<F>, FilterError> {
    Ok(match e {
        Expr::And(a, b) => Expr::And(Box::new(bind(*a, resolve)?), Box::new(bind(*b, resolve)?)),
        Expr::Or(a, b) => Expr::Or(Box::new(bind(*a, resolve)?), Box::new(bind(*b, resolve)?)),
        Expr::Text(name, kind, value, want) => {
            let (id, ty) = resolve(&name).ok_or_else(|| {
                FilterError(format!("unknown or non-filterable property '{name}' in $filter"))
            })?;
            if ty != FieldType::Str {
                return Err(FilterError(format!(
                    "string function on property '{name}' ({ty:?}) in $filter"
                )));
            }
            Expr::Text(id, kind, value, want)
        }
        Expr::Cmp(name, op, lit) => {
            let (id, ty) = resolve(&name).ok_or_else(|| {
                FilterError(format!("unknown or non-filterable property '{name}' in $filter"))
            })?;
            let ok = matches!(
                (ty, &lit),
                (_, Lit::Null)
                    | (FieldType::Str, Lit::Str(_))
                    | (FieldType::Date, Lit::Date(_))
                    | (FieldType::Int, Lit::Int(_))
                    | (FieldType::Bool, Lit::Bool(_))
            );
            if !ok {
                return Err(FilterError(format!(
                    "literal {lit:?} does not fit the type of property '{name}' ({ty:?}) in $filter"
                )));
            }
            Expr::Cmp(id, op, lit)
        }
    })
}

/// Evaluate a bound filter; `get` yields a field's value for the row at hand.
pub fn eval<'v, F: Copy>(e: &Expr<F>, get: &mut dyn FnMut(F) -> Val<'v>) -> bool {
    match e {
        Expr::And(a, b) => eval(a, get) && eval(b, get),
        Expr::Or(a, b) => eval(a, get) || eval(b, get),
        Expr::Text(f, kind, value, want) => match get(*f) {
            Val::Str(v) => {
                let hit = match kind {
                    TextFn::SubstringOf => v.contains(value.as_str()),
                    TextFn::StartsWith => v.starts_with(value.as_str()),
                    TextFn::EndsWith => v.ends_with(value.as_str()),
                };
                hit == *want
            }
            // A function of null is null: no row matches, whichever value was wanted.
            _ => false,
        },
        Expr::Cmp(f, op, lit) => {
            let v = get(*f);
            let ord = match (&v, lit) {
                (Val::Null, Lit::Null) => Some(std::cmp::Ordering::Equal),
                (Val::Null, _) | (_, Lit::Null) => None,
                (Val::Str(a), Lit::Str(b)) => Some(a.as_ref().cmp(b.as_str())),
                (Val::Date(a), Lit::Date(b)) | (Val::Int(a), Lit::Int(b)) => Some(a.cmp(&b.clone())),
                (Val::Date(a), Lit::Int(b)) => Some(a.cmp(&b.clone())),
                (Val::Bool(a), Lit::Bool(b)) => Some(a.cmp(&b.clone())),
                _ => None,
            };
            use std::cmp::Ordering::*;
            match (op, ord) {
                (Op::Ne, None) => true,
                (_, None) => false,
                (Op::Eq, Some(o)) => o == Equal,
                (Op::Ne, Some(o)) => o != Equal,
                (Op::Gt, Some(o)) => o == Greater,
                (Op::Ge, Some(o)) => o != Less,
                (Op::Lt, Some(o)) => o == Less,
                (Op::Le, Some(o)) => o != Greater,
            }
        }
    }
}

/// Bounds on field `f` implied by the top-level `and` chain of `e`: `(lower, upper)` as
/// half-open `[lo, hi)` in the field's integer domain (dates in ms). Used to narrow a scan to an
/// index range; the full expression is still evaluated on each candidate.
pub fn int_bounds<F: Copy + PartialEq>(e: &Expr<F>, f: F) -> (Option<i64>, Option<i64>) {
    let mut lo: Option<i64> = None;
    let mut hi: Option<i64> = None;
    fn walk<F: Copy + PartialEq>(e: &Expr<F>, f: F, lo: &mut Option<i64>, hi: &mut Option<i64>) {
        match e {
            Expr::And(a, b) => {
                walk(a, f, lo, hi);
                walk(b, f, lo, hi);
            }
            Expr::Cmp(g, op, Lit::Date(v) | Lit::Int(v)) if *g == f => {
                let (l, h) = match op {
                    Op::Eq => (Some(*v), Some(*v + 1)),
                    Op::Gt => (Some(*v + 1), None),
                    Op::Ge => (Some(*v), None),
                    Op::Lt => (None, Some(*v)),
                    Op::Le => (None, Some(*v + 1)),
                    Op::Ne => (None, None),
                };
                if let Some(l) = l {
                    *lo = Some(lo.map_or(l, |x| x.max(l)));
                }
                if let Some(h) = h {
                    *hi = Some(hi.map_or(h, |x| x.min(h)));
                }
            }
            _ => {}
        }
    }
    walk(e, f, &mut lo, &mut hi);
    (lo, hi)
}

/// An `or` in the top-level `and` chain of `e` whose every branch is a lower bound on `int_field`
/// (`ge`/`gt`) or `str_field eq '…'`: the loosest lower bound (`None` if no branch bounds) and the
/// strings. A scan can then start at the bound and add the strings by key lookup — what a
/// database does with `(LogEnd ge … or MessageGuid eq … or …)` (a delta fetching late messages
/// by id, `cpi::mpl_follow`).
pub fn or_of_lower_bound_and_keys<F: Copy + PartialEq>(
    e: &Expr<F>,
    int_field: F,
    str_field: F,
) -> Option<(Option<i64>, Vec<&str>)> {
    fn branches<'e, F: Copy + PartialEq>(
        e: &'e Expr<F>,
        int_field: F,
        str_field: F,
        lo: &mut Option<Option<i64>>,
        keys: &mut Vec<&'e str>,
    ) -> bool {
        match e {
            Expr::Or(a, b) => {
                branches(a, int_field, str_field, lo, keys) && branches(b, int_field, str_field, lo, keys)
            }
            Expr::Cmp(g, op @ (Op::Ge | Op::Gt), Lit::Date(v) | Lit::Int(v)) if *g == int_field => {
                let l = if *op == Op::Gt { *v + 1 } else { *v };
                *lo = Some(Some(lo.flatten().map_or(l, |x| x.min(l))));
                true
            }
            Expr::Cmp(g, Op::Eq, Lit::Str(s)) if *g == str_field => {
                keys.push(s);
                true
            }
            _ => false,
        }
    }
    match e {
        Expr::And(a, b) => or_of_lower_bound_and_keys(a, int_field, str_field)
            .or_else(|| or_of_lower_bound_and_keys(b, int_field, str_field)),
        Expr::Or(..) => {
            let (mut lo, mut keys) = (None, Vec::new());
            branches(e, int_field, str_field, &mut lo, &mut keys).then(|| (lo.flatten(), keys))
        }
        _ => None,
    }
}

/// The string literal `e` requires field `f` to equal through its top-level `and` chain, if any
/// (used for key lookups such as `MessageGuid eq '…'`).
pub fn eq_str<F: Copy + PartialEq>(e: &Expr<F>, f: F) -> Option<&str> {
    match e {
        Expr::And(a, b) => eq_str(a, f).or_else(|| eq_str(b, f)),
        Expr::Cmp(g, Op::Eq, Lit::Str(s)) if *g == f => Some(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(name: &str) -> Option<(u8, FieldType)> {
        match name {
            "Status" => Some((0, FieldType::Str)),
            "LogEnd" => Some((1, FieldType::Date)),
            "IntegrationArtifact/Id" => Some((2, FieldType::Str)),
            _ => None,
        }
    }

    fn run(f: &str, status: &str, log_end: i64, id: &str) -> bool {
        let e = bind(parse(f).expect("parses"), &resolve).expect("binds");
        eval(&e, &mut |fld| match fld {
            0 => Val::Str(Cow::Owned(status.to_string())),
            1 => Val::Date(log_end),
            _ => Val::Str(Cow::Owned(id.to_string())),
        })
    }

    #[test]
    fn a_lower_bound_or_keys_is_recognised_in_the_and_chain() {
        let fields = |name: &str| match name {
            "Status" => Some((0u8, FieldType::Str)),
            "LogEnd" => Some((1, FieldType::Date)),
            "MessageGuid" => Some((3, FieldType::Str)),
            _ => None,
        };
        let of = |f: &str| {
            let e = bind(parse(f).expect("parses"), &fields).expect("binds");
            or_of_lower_bound_and_keys(&e, 1, 3).map(|(lo, keys)| (lo, keys.join(",")))
        };
        let (t1, t2) = (
            "datetime'2024-01-01T00:00:00.100'",
            "datetime'2024-01-01T00:00:00.050'",
        );
        let base = 1_704_067_200_000;
        assert_eq!(
            of(&format!(
                "Status eq 'FAILED' and (LogEnd ge {t1} or MessageGuid eq 'A' or LogEnd gt {t2} or MessageGuid eq 'B')"
            )),
            Some((Some(base + 51), "A,B".to_owned()))
        );
        assert_eq!(
            of("MessageGuid eq 'A' or MessageGuid eq 'B'"),
            Some((None, "A,B".to_owned()))
        );
        for other in [
            "Status eq 'X' or MessageGuid eq 'A'".to_owned(),
            format!("LogEnd lt {t1} or MessageGuid eq 'A'"),
            format!("LogEnd ge {t1}"),
        ] {
            assert_eq!(of(&other), None, "{other}");
        }
    }

    #[test]
    fn precedence_parentheses_and_operators() {
        let f = "Status eq 'FAILED' or Status eq 'RETRY' and LogEnd gt datetime'2024-01-01T00:00:00'";
        // and binds tighter than or
        assert!(run(f, "FAILED", 0, "x"));
        assert!(!run(f, "RETRY", 0, "x"));
        assert!(run(f, "RETRY", 1_704_067_200_001, "x"));
        let g = "(Status eq 'FAILED' or Status eq 'RETRY') and LogEnd ge datetime'2024-01-01T00:00:00'";
        assert!(!run(g, "FAILED", 0, "x"));
        assert!(run(g, "FAILED", 1_704_067_200_000, "x"));
        assert!(run("Status ne 'COMPLETED'", "FAILED", 0, ""));
        assert!(run(
            "LogEnd lt datetime'2024-01-01T00:00:00.5'",
            "",
            1_704_067_200_499,
            ""
        ));
        assert!(run(
            "LogEnd le datetime'2024-01-01T00:00:00'",
            "",
            1_704_067_200_000,
            ""
        ));
        assert!(run("IntegrationArtifact/Id eq 'it''s'", "", 0, "it's"));
    }

    #[test]
    fn errors_name_the_problem() {
        let e = parse("Status eq").unwrap_err();
        assert!(e.0.contains("expected a literal"), "{e}");
        let e = parse("Status eq 'x").unwrap_err();
        assert!(e.0.contains("unterminated"), "{e}");
        let e = parse("(Status eq 'x'").unwrap_err();
        assert!(e.0.contains("missing ')'"), "{e}");
        let e = parse("LogEnd gt datetime'2024-01-01T00:00:00Z'").unwrap_err();
        assert!(e.0.contains("invalid datetime"), "{e}");
        let e = bind(parse("Bogus eq 'x'").expect("parses"), &resolve).unwrap_err();
        assert!(e.0.contains("'Bogus'"), "{e}");
        let e = bind(parse("LogEnd eq 'x'").expect("parses"), &resolve).unwrap_err();
        assert!(e.0.contains("LogEnd"), "{e}");
        assert!(parse("Status eq 'a' 'b'").is_err());
        assert!(parse("Status ~ 'a'").is_err());
    }

    #[test]
    fn string_functions() {
        assert!(run("substringof('AIL',Status)", "FAILED", 0, ""));
        assert!(!run("substringof('X',Status)", "FAILED", 0, ""));
        assert!(run("substringof('X',Status) eq false", "FAILED", 0, ""));
        assert!(run(
            "startswith(Status,'FA') and endswith(Status,'ED')",
            "FAILED",
            0,
            ""
        ));
        assert!(run(
            "Status eq 'B' or substringof('B',IntegrationArtifact/Id) eq true",
            "A",
            0,
            "A,B"
        ));
        let e = parse("substringof(Status)").unwrap_err();
        assert!(e.0.contains("malformed substringof"), "{e}");
        let e = parse("lower(Status) eq 'x'").unwrap_err();
        assert!(e.0.contains("unknown function 'lower'"), "{e}");
        let e = bind(parse("substringof('1',LogEnd)").expect("parses"), &resolve).unwrap_err();
        assert!(e.0.contains("LogEnd"), "{e}");
    }

    #[test]
    fn bounds_and_key_lookup() {
        let e = bind(
            parse("LogEnd ge datetime'2024-01-01T00:00:00' and LogEnd lt datetime'2024-01-02T00:00:00' and Status eq 'X'")
                .expect("parses"),
            &resolve,
        )
        .expect("binds");
        assert_eq!(
            int_bounds(&e, 1),
            (Some(1_704_067_200_000), Some(1_704_153_600_000))
        );
        assert_eq!(eq_str(&e, 0), Some("X"));
        let o = bind(
            parse("LogEnd gt datetime'2024-01-01T00:00:00' or Status eq 'X'").expect("p"),
            &resolve,
        )
        .expect("b");
        assert_eq!(int_bounds(&o, 1), (None, None));
    }
}
