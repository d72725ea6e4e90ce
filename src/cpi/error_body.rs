//! The body of an error reply, in whatever shape the tenant (or a proxy in front of it) sent it,
//! read into a code and a message (docs/cpi-api.md, "Errors"). Real tenants send, besides the
//! documented `{"error":{"code":…,"message":{"lang":…,"value":…}}}`:
//! - the same without the `error` wrapper, often with `"value": null` (403);
//! - the message as `{"@lang":…,"#text":…}` (a JSON rendering of the XML form);
//! - an XML error document `<error><code/><message xml:lang="en">…</message></error>`;
//! - any of these after a UTF-8 byte-order mark;
//! - an Atom feed (the tenant ignored `Accept: application/json`), an HTML page (a proxy, a
//!   login page, a maintenance page), or plain text.
//!
//! One function, [`parse`]; every form becomes [`ErrorBody`] with a `shape` saying which it was
//! (shown when the message alone does not tell what happened). Never fails: an unknown form is
//! its first line of text.

/// What an error reply said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorBody {
    /// The error code (`Forbidden`, `Not Implemented`, …), if the body carries one.
    pub code: Option<String>,
    /// The message, if the body carries one that is not empty.
    pub message: Option<String>,
    /// What the body was, when it was not an OData error (`an HTML page`, `an Atom feed`).
    pub shape: Option<&'static str>,
}

/// Read an error reply's body. `html` is whether its content type says HTML.
pub fn parse(body: &[u8], html: bool) -> ErrorBody {
    let text = String::from_utf8_lossy(body);
    let t = text.trim_start_matches('\u{feff}').trim();
    if t.is_empty() {
        return ErrorBody::default();
    }
    if t.starts_with('{') {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(t) {
            return from_json(&v);
        }
        // Cut off or broken: what can be read of it, never the bare `{`.
        return ErrorBody {
            code: quoted_after(t, "\"code\""),
            message: quoted_after(t, "\"value\"")
                .or_else(|| quoted_after(t, "\"#text\""))
                .or_else(|| quoted_after(t, "\"message\"")),
            shape: Some("a malformed JSON body"),
        };
    }
    let head = t.get(..t.len().min(200)).unwrap_or("").to_ascii_lowercase();
    let html = html || head.starts_with("<!doctype html") || head.contains("<html");
    if html {
        return ErrorBody {
            code: None,
            message: tag_text(t, "title").or_else(|| tag_text(t, "h1")),
            shape: Some("an HTML page"),
        };
    }
    if t.starts_with('<') {
        if head.contains("<feed") || head.contains("<entry") {
            let message = tag_text(t, "summary")
                .or_else(|| tag_text(t, "title"))
                .filter(|m| !m.is_empty());
            return ErrorBody {
                code: None,
                message,
                shape: Some("an Atom feed instead of JSON"),
            };
        }
        let code = tag_text(t, "code");
        let message = tag_text(t, "message");
        if code.is_some() || message.is_some() {
            return ErrorBody {
                code,
                message,
                shape: None,
            };
        }
        return ErrorBody {
            code: None,
            message: None,
            shape: Some("an XML document"),
        };
    }
    ErrorBody {
        code: None,
        message: Some(t.to_owned()),
        shape: None,
    }
}

/// `{"error":{…}}`, `{"code","message"}`, OAuth's `{"error":"…","error_description":"…"}`,
/// or a bare `{"message":…}`.
fn from_json(v: &serde_json::Value) -> ErrorBody {
    let inner = match v.get("error") {
        Some(e) if e.is_object() => e,
        Some(serde_json::Value::String(code)) => {
            return ErrorBody {
                code: some(code),
                message: v.get("error_description").and_then(message_text),
                shape: None,
            };
        }
        _ => v,
    };
    let code = inner.get("code").and_then(|c| match c {
        serde_json::Value::String(s) => some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    let message = inner.get("message").and_then(message_text);
    if code.is_none() && message.is_none() {
        return ErrorBody {
            code: None,
            message: None,
            shape: Some("JSON without an error message"),
        };
    }
    ErrorBody {
        code,
        message,
        shape: None,
    }
}

/// A message: a string, `{"lang","value"}` or `{"@lang","#text"}` (`value` may be null).
fn message_text(m: &serde_json::Value) -> Option<String> {
    match m {
        serde_json::Value::String(s) => some(s),
        serde_json::Value::Object(o) => o
            .get("value")
            .or_else(|| o.get("#text"))
            .and_then(serde_json::Value::as_str)
            .and_then(some),
        _ => None,
    }
}

/// The string value after `"key"` in broken JSON (`"key":"text"`), escapes not decoded.
fn quoted_after(t: &str, key: &str) -> Option<String> {
    let at = t.find(key)? + key.len();
    let rest = t[at..]
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    let mut end = None;
    let mut escaped = false;
    for (i, c) in rest.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => {
                end = Some(i);
                break;
            }
            _ => escaped = false,
        }
    }
    some(&rest[..end.unwrap_or(rest.len())])
}

fn some(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// The text of the first element named `name` (any namespace prefix, any attributes), entities
/// decoded; `None` when absent or empty.
fn tag_text(doc: &str, name: &str) -> Option<String> {
    let lower = doc.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find('<') {
        let start = from + i + 1;
        let rest = &lower[start..];
        let end_name = rest
            .find(|c: char| c == '>' || c == '/' || c.is_whitespace())
            .unwrap_or(rest.len());
        let tag = &rest[..end_name];
        let local = tag.rsplit(':').next().unwrap_or(tag);
        if local == name && !tag.starts_with('/') {
            let open_end = start + rest.find('>')? + 1;
            if lower[..open_end].ends_with("/>") {
                return None;
            }
            let close = lower[open_end..].find("</")? + open_end;
            return some(&decode_entities(&doc[open_end..close]));
        }
        from = start;
    }
    None
}

fn decode_entities(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(body: &str) -> (Option<String>, Option<String>, Option<&'static str>) {
        let e = parse(body.as_bytes(), false);
        (e.code, e.message, e.shape)
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_owned())
    }

    #[test]
    fn every_shape_real_tenants_send() {
        // The documented wrapper.
        assert_eq!(
            p(
                r#"{"error":{"code":"Not Found","message":{"lang":"en","value":"Requested entity could not be found."}}}"#
            ),
            (s("Not Found"), s("Requested entity could not be found."), None)
        );
        // Without the wrapper, value null (403).
        assert_eq!(
            p(r#"{"code":"Forbidden","message":{"lang":"en","value":null}}"#),
            (s("Forbidden"), None, None)
        );
        // @lang/#text.
        assert_eq!(
            p(r##"{"error":{"code":"400","message":{"@lang":"en","#text":"Invalid filter"}}}"##),
            (s("400"), s("Invalid filter"), None)
        );
        // A byte-order mark before JSON.
        assert_eq!(
            p(
                "\u{feff}{\"error\":{\"code\":\"Not Implemented\",\"message\":{\"lang\":\"en\",\"value\":\"x\"}}}"
            ),
            (s("Not Implemented"), s("x"), None)
        );
        // An XML error document, namespaced, with entities.
        assert_eq!(
            p(
                r#"<?xml version="1.0" encoding="utf-8"?><m:error xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><m:code>Not Implemented</m:code><m:message xml:lang="en">$select is not supported &amp; never was</m:message></m:error>"#
            ),
            (
                s("Not Implemented"),
                s("$select is not supported & never was"),
                None
            )
        );
        assert_eq!(
            p("<error><code/><message>boom</message></error>"),
            (None, s("boom"), None)
        );
        // An Atom feed, an HTML page, plain text.
        assert_eq!(
            p(
                r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title type="text">MessageProcessingLogs</title></feed>"#
            ),
            (
                None,
                s("MessageProcessingLogs"),
                Some("an Atom feed instead of JSON")
            )
        );
        assert_eq!(
            p("<!DOCTYPE html><html><head><title>Service Unavailable</title></head></html>"),
            (None, s("Service Unavailable"), Some("an HTML page"))
        );
        assert_eq!(
            p("  upstream connect error  "),
            (None, s("upstream connect error"), None)
        );
        assert_eq!(p(""), (None, None, None));
        // Broken JSON: what can be read, never the bare `{`.
        assert_eq!(p("{"), (None, None, Some("a malformed JSON body")));
        assert_eq!(
            p(
                "{\n  \"error\": {\n    \"code\": \"500\",\n    \"message\": {\"lang\": \"en\", \"value\": \"Connection pool exhausted"
            ),
            (
                s("500"),
                s("Connection pool exhausted"),
                Some("a malformed JSON body")
            )
        );
        // OAuth's form.
        assert_eq!(
            p(r#"{"error":"invalid_client","error_description":"Bad credentials"}"#),
            (s("invalid_client"), s("Bad credentials"), None)
        );
        assert_eq!(
            p(r#"{"d":{}}"#),
            (None, None, Some("JSON without an error message"))
        );
    }
}
