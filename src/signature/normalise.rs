//! Error text → template: what varies between occurrences of the same problem is masked, what
//! names the problem is kept.
//!
//! Hand-written single pass over the words instead of a list of regular expressions: grouping
//! 100k failed messages has to stay well under 100 ms, and a dozen regex passes over every text
//! cost ~20× that. Each word is classified by its shape (URL, e-mail, message id, UUID, time,
//! IP, host, path, number, random token, word with digits); quoted values are masked before.
//!
//! What is masked (and as what):
//! - `<url>` URLs, `<email>` e-mail addresses, `<id>` CPI message ids (`AG…`, 28 characters) and
//!   JMS ids (`ID:…`), `<uuid>` UUIDs/GUIDs and 32-hex ids, `<ts>` ISO timestamps and dates,
//!   `<time>` clock times, `<ip>` IPv4/IPv6 addresses, `<host>` host names (`api.partner.com`,
//!   `sftp.acme.de:22`; Java package names such as `com.sap.it.rt…` are kept), `<path>` file
//!   paths, `'<*>'` quoted values, `<n>` numbers (HTTP status codes after `HTTP`/`status`/`code`
//!   are kept: they tell problems apart), `<*>` long random tokens, and digit runs inside words
//!   (`Script12` → `Script<n>`, `CallActivity_7` → `CallActivity_<n>`).
//! - `<name>` the name after `No such property:` / `No signature of method:` (Groovy).
//! - Cut: the trailing "The MPL ID for the failed message is : …" sentence, Java stack frames
//!   (`\n\tat …`), and everything after [`MAX_TOKENS`] words.

/// Words of a template at most; the rest of a long text (response bodies, traces) is dropped.
pub const MAX_TOKENS: usize = 48;

/// Top-level domains that end a host name (and never start a Java package name).
const TLDS: &[&str] = &[
    "com",
    "net",
    "org",
    "io",
    "de",
    "fr",
    "uk",
    "eu",
    "ch",
    "at",
    "nl",
    "be",
    "it",
    "es",
    "pl",
    "se",
    "no",
    "dk",
    "fi",
    "us",
    "ca",
    "jp",
    "cn",
    "in",
    "br",
    "au",
    "ru",
    "info",
    "biz",
    "cloud",
    "local",
    "internal",
    "corp",
    "lan",
    "app",
    "dev",
    "intra",
    "localdomain",
    "ondemand",
    "sap",
];

/// First segments of Java/Groovy names: a dotted word starting with one is a class, not a host.
const CODE_ROOTS: &[&str] = &[
    "com", "org", "net", "java", "javax", "jakarta", "sun", "jdk", "io", "groovy", "scala",
];

/// Words whose digits are part of the name, not a value.
const KEEP_DIGITS: &[&str] = &[
    "utf-8",
    "utf-16",
    "utf8",
    "iso-8859-1",
    "base64",
    "sha1",
    "sha256",
    "sha512",
    "md5",
    "x509",
    "x.509",
    "http/1.1",
    "http/1.0",
    "http/2",
    "tlsv1.2",
    "tlsv1.3",
    "tls1.2",
    "tls1.3",
    "oauth2",
    "s4hana",
    "as2",
    "edifact",
    "iso8601",
    "ipv4",
    "ipv6",
    "v1",
    "v2",
    "v3",
    "v4",
    "odata.v2",
    "odata.v4",
    "pkcs12",
    "pkcs7",
    "rsa2048",
];

/// The template of an error text.
pub fn normalise(text: &str) -> String {
    let text = head(text);
    let quoted = mask_quotes(text);
    let mut out = String::with_capacity(quoted.len().min(512));
    let mut prev = "";
    for (n, word) in words(&quoted).enumerate() {
        if n == MAX_TOKENS {
            out.push_str(" …");
            break;
        }
        if n > 0 {
            out.push(' ');
        }
        push_word(word, prev, &mut out);
        prev = word;
    }
    // A sentence's full stop is not part of the problem ("Unavailable." = "Unavailable").
    let end = out.trim_end_matches(['.', ' ']).len();
    out.truncate(end);
    out
}

/// The words of `text`, as `str::split_whitespace` cuts them. Most error texts are ASCII: then
/// splitting at ASCII whitespace cuts the same (but at U+000B, which only `char::is_whitespace`
/// counts, hence the check) without decoding characters.
fn words(text: &str) -> impl Iterator<Item = &str> {
    let ascii = text.is_ascii() && memchr::memchr(0x0b, text.as_bytes()).is_none();
    let (fast, slow) = if ascii {
        (Some(text.split_ascii_whitespace()), None)
    } else {
        (None, Some(text.split_whitespace()))
    };
    fast.into_iter().flatten().chain(slow.into_iter().flatten())
}

/// The part of the text that names the problem: without the trailing "The MPL ID for the failed
/// message is : …" sentence and Java stack frames. Texts equal here have the same template.
pub fn head(text: &str) -> &str {
    static MPL_SENTENCE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new("MPL ID for the failed message is"));
    let mut end = text.len();
    if let Some(i) = MPL_SENTENCE.find(text.as_bytes()) {
        // Back to the start of "The " when it is there.
        end = text[..i].strip_suffix("The ").map_or(i, str::len);
    }
    // Java stack frames: a line that starts with whitespace and `at `.
    for nl in memchr::memchr_iter(b'\n', &text.as_bytes()[..end]) {
        let line = &text[nl + 1..end];
        let t = line.trim_start();
        if line.len() != t.len() && t.starts_with("at ") {
            end = nl;
            break;
        }
    }
    text[..end].trim_end()
}

/// `'…'` and `"…"` values become `'<*>'`: an opening quote after a space, `(`, `[`, `=` or `:` (so
/// the apostrophe of "can't" is not one) with its closing quote on the same line within 200 bytes.
fn mask_quotes(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    if memchr::memchr2(b'\'', b'"', bytes).is_none() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        let q = bytes[i];
        let opens = (q == b'\'' || q == b'"')
            && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'(' | b'[' | b'=' | b':' | b'\n'))
            && !in_url(text, i);
        if opens {
            let limit = (i + 201).min(bytes.len());
            let close = bytes[i + 1..limit]
                .iter()
                .position(|&b| b == q || b == b'\n')
                .map(|p| i + 1 + p)
                .filter(|&j| bytes[j] == q);
            if let Some(j) = close {
                let after_ok = j + 1 == bytes.len() || !bytes[j + 1].is_ascii_alphanumeric();
                if after_ok && j > i + 1 {
                    out.push_str(&text[copied..i]);
                    out.push(q as char);
                    out.push_str("<*>");
                    out.push(q as char);
                    i = j + 1;
                    copied = i;
                    continue;
                }
            }
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    std::borrow::Cow::Owned(out)
}

/// Whether byte `i` lies in a word that is a URL (its quotes are part of it: `A_Order('42')`).
fn in_url(text: &str, i: usize) -> bool {
    let start = text[..i].rfind(char::is_whitespace).map_or(0, |p| p + 1);
    scheme_at(&text[start..i]).is_some()
}

fn push_word(word: &str, prev: &str, out: &mut String) {
    // A URL is one value whatever it contains; only sentence punctuation after it stays.
    if let Some(at) = scheme_at(word) {
        let lead_end = word[..at]
            .rfind(['(', '[', '{', '<', '"', '\''])
            .map_or(0, |p| p + 1);
        let mut body_end = word.trim_end_matches(['.', ',', ';', ':']).len();
        // `(https://…)`: the closing parenthesis belongs to the sentence, not the URL.
        if word[..lead_end].ends_with('(') && word[..body_end].ends_with(')') {
            body_end -= 1;
        }
        out.push_str(&word[..lead_end]);
        out.push_str("<url>");
        out.push_str(&word[body_end..]);
        return;
    }
    // Leading and trailing punctuation stays as it is; the core is classified. (ASCII bytes
    // only, so the cuts are char boundaries.)
    let b = word.as_bytes();
    let start = b
        .iter()
        .position(|c| !matches!(c, b'(' | b'[' | b'{' | b'<' | b'"' | b'\''))
        .unwrap_or(b.len());
    let core_end = b
        .iter()
        .rposition(|c| {
            !matches!(
                c,
                b')' | b']' | b'}' | b'>' | b'"' | b'\'' | b',' | b';' | b':' | b'.' | b'!' | b'?'
            )
        })
        .map_or(start, |i| i + 1)
        .max(start);
    let (lead, core, trail) = (&word[..start], &word[start..core_end], &word[core_end..]);
    out.push_str(lead);
    if core == "<*>" {
        out.push_str(core);
    } else if prev.eq_ignore_ascii_case("property:") || prev.eq_ignore_ascii_case("method:") {
        out.push_str("<name>");
    } else {
        classify(core, prev, out);
    }
    out.push_str(trail);
}

fn classify(core: &str, prev: &str, out: &mut String) {
    if core.is_empty() {
        return;
    }
    // Most words are plain words: one pass decides that, without the shape checks.
    let (mut has_digit, mut has_mark) = (false, false);
    for b in core.bytes() {
        has_digit |= b.is_ascii_digit();
        has_mark |= matches!(b, b'.' | b'@' | b'/' | b':' | b'\\');
    }
    if !(has_digit || has_mark || core.len() == 28 && core.starts_with("AG")) {
        out.push_str(core);
        return;
    }
    let mask = if scheme_at(core).is_some() {
        Some("<url>")
    } else if is_email(core) {
        Some("<email>")
    } else if is_message_id(core) {
        Some("<id>")
    } else if !has_digit {
        if is_host(core) {
            Some("<host>")
        } else if is_path(core) {
            Some("<path>")
        } else {
            None
        }
    } else if is_uuid(core) {
        Some("<uuid>")
    } else if is_timestamp(core) {
        Some("<ts>")
    } else if is_time(core) {
        Some("<time>")
    } else if is_ipv4(core) || is_ipv6(core) {
        Some("<ip>")
    } else if is_host(core) {
        Some("<host>")
    } else if is_path(core) {
        Some("<path>")
    } else if is_number(core) {
        if keeps_number(prev, core) {
            None
        } else {
            Some("<n>")
        }
    } else if KEEP_DIGITS.iter().any(|k| core.eq_ignore_ascii_case(k)) || is_error_code(core) {
        None
    } else if is_random(core) {
        Some("<*>")
    } else {
        // A word with digits in it: each digit run is a number.
        let mut in_digits = false;
        for c in core.chars() {
            if c.is_ascii_digit() {
                if !in_digits {
                    out.push_str("<n>");
                }
                in_digits = true;
            } else {
                in_digits = false;
                out.push(c);
            }
        }
        return;
    };
    out.push_str(mask.unwrap_or(core));
}

/// Where `://` is in a word (cheaper than `str::find` with a pattern for short words).
fn scheme_at(word: &str) -> Option<usize> {
    let b = word.as_bytes();
    (0..b.len().saturating_sub(2)).find(|&i| b[i] == b':' && b[i + 1] == b'/' && b[i + 2] == b'/')
}

fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((user, domain)) => !user.is_empty() && domain.contains('.') && !domain.contains('@'),
        None => false,
    }
}

/// CPI message ids (`AG` + 26 characters of base64url) and JMS message ids (`ID:…`).
fn is_message_id(s: &str) -> bool {
    let b = s.as_bytes();
    (b.len() == 28
        && s.starts_with("AG")
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-'))
        || (s.starts_with("ID:") && s.len() > 8)
}

/// `3fa85f64-5717-4562-b3fc-2c963f66afa6` and the same 32 hex digits without hyphens.
fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    match b.len() {
        36 => b.iter().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        }),
        32 => b.iter().all(u8::is_ascii_hexdigit),
        _ => false,
    }
}

/// `2026-12-07`, `2026-12-07T01:17:45.123Z`, `2026-12-07T01:17:45+01:00`.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

/// `01:17`, `01:17:45`, `01:17:45.123`.
fn is_time(s: &str) -> bool {
    let parts = s.split(':').count();
    (2..=3).contains(&parts)
        && s.len() <= 15
        && s.split(':')
            .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit() || c == b'.'))
        && s.split(':').next().is_some_and(|h| h.len() <= 2)
}

/// `10.1.2.3`, `10.1.2.3:8443`.
fn is_ipv4(s: &str) -> bool {
    let addr = s.rsplit_once(':').map_or(s, |(a, port)| {
        if port.bytes().all(|c| c.is_ascii_digit()) {
            a
        } else {
            s
        }
    });
    addr.split('.').count() == 4
        && addr
            .split('.')
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|c| c.is_ascii_digit()))
}

fn is_ipv6(s: &str) -> bool {
    let s = s.trim_start_matches('[').trim_end_matches(']');
    s.matches(':').count() >= 2
        && s.bytes().all(|c| c.is_ascii_hexdigit() || c == b':' || c == b'.')
        && s.bytes().any(|c| c.is_ascii_hexdigit())
}

/// `api.partner.com`, `sftp.acme.de:22`, `my-host.internal`; not `com.sap.it.rt.Foo` (code) nor
/// `Script1.groovy` (a file). One pass over the bytes: this runs for every dotted word.
fn is_host(s: &str) -> bool {
    let b = s.as_bytes();
    let name = match b.iter().rposition(|&c| c == b':') {
        Some(p) if p + 1 < b.len() && b[p + 1..].iter().all(u8::is_ascii_digit) => &b[..p],
        Some(_) => return false,
        None => b,
    };
    let mut first: Option<&[u8]> = None;
    let mut label_start = 0;
    for (i, &c) in name.iter().enumerate() {
        if c == b'.' {
            if i == label_start {
                return false;
            }
            first.get_or_insert(&name[..i]);
            label_start = i + 1;
        } else if !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-') {
            return false;
        }
    }
    let last = &name[label_start..];
    let is = |set: &[&str], w: &[u8]| set.iter().any(|s| s.as_bytes() == w);
    match first {
        Some(first) => !last.is_empty() && is(TLDS, last) && !is(CODE_ROOTS, first) && !is(TLDS, first),
        None => false,
    }
}

/// `/sftp/in/orders_4711.xml`, `./x/y`, `C:\data\x`.
fn is_path(s: &str) -> bool {
    (s.starts_with('/') && s[1..].contains('/'))
        || s.starts_with("./")
        || s.starts_with("../")
        || (s.len() > 3 && s.as_bytes()[1] == b':' && s.as_bytes()[2] == b'\\')
}

/// `42`, `-3`, `1,234`, `12.5`, `0x1F`.
fn is_number(s: &str) -> bool {
    let t = s.strip_prefix(['-', '+']).unwrap_or(s);
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return !hex.is_empty() && hex.bytes().all(|c| c.is_ascii_hexdigit());
    }
    !t.is_empty()
        && t.bytes().all(|c| c.is_ascii_digit() || c == b'.' || c == b',')
        && t.as_bytes()[0].is_ascii_digit()
}

/// Status codes name the problem: `HTTP 401`, `status 503`, `code: 404`, IDoc `status 51`.
fn keeps_number(prev: &str, n: &str) -> bool {
    const BEFORE_CODES: [&str; 8] = [
        "http",
        "status",
        "code",
        "statuscode",
        "http/1.1",
        "http/2",
        "response",
        "returned",
    ];
    let prev = prev.trim_end_matches([':', '=', ',']);
    n.len() <= 3
        && n.bytes().all(|c| c.is_ascii_digit())
        && BEFORE_CODES.iter().any(|k| prev.eq_ignore_ascii_case(k))
}

/// `ORA-00942`, `SQLSTATE-42000`, `IDOC-51`: letters, a hyphen, digits.
fn is_error_code(s: &str) -> bool {
    match s.split_once('-') {
        Some((a, b)) => {
            a.len() >= 2
                && a.bytes().all(|c| c.is_ascii_uppercase())
                && !b.is_empty()
                && b.bytes().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// Session ids, tokens, base64: long, letters and at least three digits mixed, nothing but
/// letters, digits and `+/=_-` (`Script1.groovy:40` is a file and a line, not a token).
fn is_random(s: &str) -> bool {
    s.len() >= 16
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=' | b'_' | b'-'))
        && s.bytes().filter(u8::is_ascii_digit).count() >= 3
        && s.bytes().any(|c| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_what_varies_and_keeps_what_names_the_problem() {
        let cases = [
            (
                "HTTP 401 from https://api.partner.com/v1/orders?id=4711: Unauthorized",
                "HTTP 401 from <url>: Unauthorized",
            ),
            (
                "groovy.lang.MissingPropertyException: No such property: orderId for class: Script12",
                "groovy.lang.MissingPropertyException: No such property: <name> for class: Script<n>",
            ),
            (
                "Connection to sftp.acme.de:22 refused",
                "Connection to <host> refused",
            ),
            (
                "Connection to 10.20.30.40:8443 timed out after 30000 ms",
                "Connection to <ip> timed out after <n> ms",
            ),
            (
                "com.sap.it.rt.adapter.http.api.exception.HttpResponseException: status 503",
                "com.sap.it.rt.adapter.http.api.exception.HttpResponseException: status 503",
            ),
            ("File '/in/orders_4711.xml' not found", "File '<*>' not found"),
            ("Cannot write /sftp/out/inv_2026-12-07.csv", "Cannot write <path>"),
            (
                "Message AGDYGl0jWASpFC3iiCnMvFyITFcs failed",
                "Message <id> failed",
            ),
            (
                "Entry 3fa85f64-5717-4562-b3fc-2c963f66afa6 exists",
                "Entry <uuid> exists",
            ),
            (
                "Expired at 2026-12-07T01:17:45.123Z for ops@acme.com",
                "Expired at <ts> for <email>",
            ),
            (
                "ORA-00942: table or view does not exist",
                "ORA-00942: table or view does not exist",
            ),
            ("encoding UTF-8 not supported", "encoding UTF-8 not supported"),
            ("Step CallActivity_7 failed", "Step CallActivity_<n> failed"),
            ("at Script1.groovy:40", "at Script<n>.groovy:<n>"),
            (
                "receiver: https://erp.acme.com:44300/sap/opu/odata/sap/API/A_SalesOrder('10000') .",
                "receiver: <url>",
            ),
            ("see (https://x.example.com/a).", "see (<url>)"),
            (
                "token eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9x123 rejected",
                "token <*> rejected",
            ),
            ("can't parse \"4711\" as number", "can't parse \"<*>\" as number"),
        ];
        for (text, want) in cases {
            assert_eq!(normalise(text), want, "{text}");
        }
    }

    #[test]
    fn the_mpl_id_sentence_and_stack_frames_are_cut() {
        let text = "java.net.SocketTimeoutException: Read timed out\n\tat java.net.SocketInputStream.read(SocketInputStream.java:171)\n\tat x.y(Z.java:3)\nThe MPL ID for the failed message is : AGDYGl0jWASpFC3iiCnMvFyITFcs";
        assert_eq!(normalise(text), "java.net.SocketTimeoutException: Read timed out");
        let text = "Mapping failed. The MPL ID for the failed message is : AGDYGl0jWASpFC3iiCnMvFyITFcs";
        assert_eq!(normalise(text), "Mapping failed");
    }

    #[test]
    fn long_texts_are_cut_after_the_token_limit() {
        let text = "word ".repeat(200);
        let t = normalise(&text);
        assert_eq!(t.split(' ').count(), MAX_TOKENS + 1);
        assert!(t.ends_with('…'));
    }

    #[test]
    fn words_are_cut_as_split_whitespace_cuts_them() {
        for text in [
            "a b\tc\nd\re\x0cf",
            "  lead and trail  ",
            "vertical\x0btab",
            "no\u{a0}break space",
            "em\u{2003}space and ünïcode",
            "",
        ] {
            let want: Vec<&str> = text.split_whitespace().collect();
            assert_eq!(words(text).collect::<Vec<_>>(), want, "{text:?}");
        }
    }

    #[test]
    fn odd_input_is_safe() {
        for text in [
            "",
            "   ",
            "'",
            "\"\"",
            "'unclosed",
            "((((",
            "é'ü'ß 12ä",
            "a:b:c:d",
            "::1 fe80::1",
        ] {
            let _ = normalise(text);
        }
        assert_eq!(
            normalise("peer ::1 and fe80::1ff:fe23:4567:890a"),
            "peer <ip> and <ip>"
        );
    }
}
