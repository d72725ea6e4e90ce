//! A small hand-written JSON writer for the sim's responses. Pages of 1000 MPL rows are written
//! straight into one `Vec<u8>` (no `serde_json::Value` tree): numbers through `itoa`, strings with
//! a scan for the few bytes that need escaping.

/// Appends JSON to `buf`, inserting commas itself. Call `key` before each member value inside an
/// object; values inside arrays need no key.
pub struct Json {
    pub buf: Vec<u8>,
    first: bool,
    after_key: bool,
}

impl Default for Json {
    fn default() -> Self {
        Self::with_capacity(1024)
    }
}

impl Json {
    pub fn with_capacity(n: usize) -> Self {
        Self {
            buf: Vec::with_capacity(n),
            first: true,
            after_key: false,
        }
    }

    fn sep(&mut self) {
        if self.after_key {
            self.after_key = false;
        } else if !self.first {
            self.buf.push(b',');
        }
        self.first = false;
    }

    pub fn obj(&mut self) -> &mut Self {
        self.sep();
        self.buf.push(b'{');
        self.first = true;
        self
    }
    pub fn end_obj(&mut self) -> &mut Self {
        self.buf.push(b'}');
        self.first = false;
        self
    }
    pub fn arr(&mut self) -> &mut Self {
        self.sep();
        self.buf.push(b'[');
        self.first = true;
        self
    }
    pub fn end_arr(&mut self) -> &mut Self {
        self.buf.push(b']');
        self.first = false;
        self
    }

    /// A member name; the next value written belongs to it. Keys are our own constants and
    /// never need escaping.
    pub fn key(&mut self, k: &str) -> &mut Self {
        self.sep();
        self.buf.push(b'"');
        self.buf.extend_from_slice(k.as_bytes());
        self.buf.extend_from_slice(b"\":");
        self.after_key = true;
        self
    }

    pub fn str(&mut self, s: &str) -> &mut Self {
        self.sep();
        write_escaped(&mut self.buf, s);
        self
    }
    /// CPI sends `null` for empty strings.
    pub fn opt_str(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(v) if !v.is_empty() => self.str(v),
            _ => self.null(),
        }
    }
    pub fn null(&mut self) -> &mut Self {
        self.sep();
        self.buf.extend_from_slice(b"null");
        self
    }
    pub fn bool(&mut self, b: bool) -> &mut Self {
        self.sep();
        self.buf.extend_from_slice(if b { b"true" } else { b"false" });
        self
    }
    /// A JSON number (Edm.Int32).
    pub fn int(&mut self, v: i64) -> &mut Self {
        self.sep();
        self.buf
            .extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
        self
    }
    /// An Edm.Int64 (and the epoch-ms strings of design-time and queue entities): a JSON string.
    pub fn int_str(&mut self, v: i64) -> &mut Self {
        self.sep();
        self.buf.push(b'"');
        self.buf
            .extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
        self.buf.push(b'"');
        self
    }
    /// Edm.DateTime: `"/Date(ms)/"`.
    pub fn date(&mut self, ms: i64) -> &mut Self {
        self.sep();
        self.buf.extend_from_slice(b"\"/Date(");
        self.buf
            .extend_from_slice(itoa::Buffer::new().format(ms).as_bytes());
        self.buf.extend_from_slice(b")/\"");
        self
    }
    pub fn opt_date(&mut self, ms: Option<i64>) -> &mut Self {
        match ms {
            Some(v) => self.date(v),
            None => self.null(),
        }
    }
    /// A string made of pieces (e.g. a base URI plus a path), escaped as one.
    pub fn str_parts(&mut self, parts: &[&str]) -> &mut Self {
        self.sep();
        self.buf.push(b'"');
        for p in parts {
            escape_into(&mut self.buf, p);
        }
        self.buf.push(b'"');
        self
    }
    /// `{"__deferred":{"uri":"<parts…>"}}`
    pub fn deferred(&mut self, parts: &[&str]) -> &mut Self {
        self.obj()
            .key("__deferred")
            .obj()
            .key("uri")
            .str_parts(parts)
            .end_obj()
            .end_obj()
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

fn write_escaped(buf: &mut Vec<u8>, s: &str) {
    buf.push(b'"');
    escape_into(buf, s);
    buf.push(b'"');
}

fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Escape `s` per RFC 8259 into `buf` (without quotes).
pub fn escape_into(buf: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !needs_escape(b) {
            continue;
        }
        buf.extend_from_slice(&bytes[start..i]);
        match b {
            b'"' => buf.extend_from_slice(b"\\\""),
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                buf.extend_from_slice(b"\\u00");
                buf.push(HEX[(b >> 4) as usize]);
                buf.push(HEX[(b & 0xf) as usize]);
            }
        }
        start = i + 1;
    }
    buf.extend_from_slice(&bytes[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_valid_json_with_escapes_and_odata_types() {
        let mut j = Json::default();
        j.obj().key("d").obj();
        j.key("a").str("x\"y\\z\n\u{1}é");
        j.key("n").opt_str(Some(""));
        j.key("i")
            .int(-5)
            .key("s")
            .int_str(794_616_135)
            .key("t")
            .date(1_718_000_000_000);
        j.key("l").arr().int(1).str("b").bool(false).end_arr();
        j.key("r").deferred(&["http://h/api/v1", "/X('1')", "/Nav"]);
        j.end_obj().end_obj();
        let v: serde_json::Value = serde_json::from_slice(&j.buf).expect("valid json");
        assert_eq!(v["d"]["a"], "x\"y\\z\n\u{1}é");
        assert!(v["d"]["n"].is_null());
        assert_eq!(v["d"]["s"], "794616135");
        assert_eq!(v["d"]["t"], "/Date(1718000000000)/");
        assert_eq!(v["d"]["l"][1], "b");
        assert_eq!(v["d"]["r"]["__deferred"]["uri"], "http://h/api/v1/X('1')/Nav");
    }
}
