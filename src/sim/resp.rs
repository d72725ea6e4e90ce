//! Responses of the sim: status, headers and a complete body (or an instruction to drop the
//! connection), plus the OData error shape of docs/cpi-api.md, "Conventions".

use bytes::Bytes;
use http::StatusCode;

use super::json::Json;

#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: Vec<(&'static str, String)>,
    pub body: Bytes,
    /// Close the connection without answering (fault injection, tenant down).
    pub drop_connection: bool,
}

impl Resp {
    pub fn new(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            headers: vec![("content-type", content_type.to_string())],
            body: body.into(),
            drop_connection: false,
        }
    }
    pub fn json(status: StatusCode, j: Json) -> Self {
        Self::new(status, "application/json", j.into_bytes())
    }
    pub fn json_ok(j: Json) -> Self {
        Self::json(StatusCode::OK, j)
    }
    pub fn text(status: StatusCode, text: impl Into<String>) -> Self {
        Self::new(status, "text/plain; charset=utf-8", text.into())
    }
    pub fn empty(status: StatusCode) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
            drop_connection: false,
        }
    }
    pub fn dropped() -> Self {
        Self {
            drop_connection: true,
            ..Self::empty(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// `{"error":{"code":"…","message":{"lang":"en","value":"…"}}}`
pub fn odata_error(status: StatusCode, code: &str, message: &str) -> Resp {
    let mut j = Json::with_capacity(128 + message.len());
    j.obj().key("error").obj();
    j.key("code").str(code);
    j.key("message")
        .obj()
        .key("lang")
        .str("en")
        .key("value")
        .str(message)
        .end_obj();
    j.end_obj().end_obj();
    Resp::json(status, j)
}

/// The shapes of error bodies real tenants (and proxies in front of them) send (docs/sim.md,
/// "Error replies"); `Wrapped` is the documented one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorShape {
    /// `{"error":{"code","message":{"lang","value"}}}`
    #[default]
    Wrapped,
    /// `{"code","message":{"lang","value"}}` (the 403 of real tenants, with `value: null`).
    Unwrapped,
    /// `{"error":{"code","message":{"@lang","#text"}}}`
    LangText,
    /// `<?xml …?><error xmlns="…metadata"><code/><message xml:lang="en"/></error>`
    Xml,
    /// The wrapped JSON after a UTF-8 byte-order mark.
    Bom,
    /// An Atom feed (the tenant ignored `Accept: application/json`).
    Atom,
    /// An HTML page.
    Html,
}

/// An error reply in `shape`; `message: None` sends `null` (or an empty element).
pub fn error_shaped(status: StatusCode, shape: ErrorShape, code: &str, message: Option<&str>) -> Resp {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let json = |wrapped: bool, text_key: &str, lang_key: &str| {
        let mut j = Json::with_capacity(128);
        j.obj();
        if wrapped {
            j.key("error").obj();
        }
        j.key("code").str(code);
        j.key("message").obj().key(lang_key).str("en").key(text_key);
        match message {
            Some(m) => j.str(m),
            None => j.null(),
        };
        j.end_obj();
        if wrapped {
            j.end_obj();
        }
        j.end_obj();
        j.into_bytes()
    };
    match shape {
        ErrorShape::Wrapped => Resp::new(status, "application/json", json(true, "value", "lang")),
        ErrorShape::Unwrapped => Resp::new(status, "application/json", json(false, "value", "lang")),
        ErrorShape::LangText => Resp::new(status, "application/json", json(true, "#text", "@lang")),
        ErrorShape::Bom => {
            let mut b = "\u{feff}".as_bytes().to_vec();
            b.extend_from_slice(&json(true, "value", "lang"));
            Resp::new(status, "application/json", b)
        }
        ErrorShape::Xml => Resp::new(
            status,
            "application/xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?><error xmlns=\"http://schemas.microsoft.com/ado/2007/08/dataservices/metadata\"><code>{}</code><message xml:lang=\"en\">{}</message></error>",
                esc(code),
                esc(message.unwrap_or(""))
            ),
        ),
        ErrorShape::Atom => Resp::new(
            status,
            "application/atom+xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title type=\"text\">{}</title><updated>2026-01-01T00:00:00Z</updated></feed>",
                esc(message.unwrap_or(code))
            ),
        ),
        ErrorShape::Html => Resp::new(
            status,
            "text/html; charset=utf-8",
            format!(
                "<!DOCTYPE html><html><head><title>{}</title></head><body><h1>{}</h1><p>{}</p></body></html>",
                esc(code),
                esc(code),
                esc(message.unwrap_or(""))
            ),
        ),
    }
}

pub fn bad_request(message: &str) -> Resp {
    odata_error(StatusCode::BAD_REQUEST, "Bad Request", message)
}

/// 404 with the text real tenants use (docs/cpi-api.md, "Conventions", from flashpipe).
pub fn not_found() -> Resp {
    odata_error(
        StatusCode::NOT_FOUND,
        "Not Found",
        "Requested entity could not be found.",
    )
}

pub fn method_not_allowed(method: &str, what: &str) -> Resp {
    odata_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method Not Allowed",
        &format!("The HTTP method {method} is not supported for {what}."),
    )
}
