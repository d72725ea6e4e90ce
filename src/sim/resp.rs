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
