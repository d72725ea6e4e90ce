//! Building OData URLs: key predicates, string literals for `$filter`, and query strings, with
//! the percent-encoding CPI expects (keys URL-encoded: `ID:` → `ID%3A`, docs/cpi-api.md, "JMS queues").

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but unreserved characters: for key values inside `('…')`.
const KEY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Query option values: keep the characters OData expressions use readable, encode the rest.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b',')
    .remove(b'(')
    .remove(b')')
    .remove(b'\'')
    .remove(b':')
    .remove(b'/')
    .remove(b'$')
    .remove(b'*');

/// A quoted, URL-encoded key value: `'Orders%20Inbound'` (inner `'` doubled first).
pub(crate) fn key(value: &str) -> String {
    format!("'{}'", utf8_percent_encode(&value.replace('\'', "''"), KEY))
}

/// An OData string literal for `$filter` (not yet URL-encoded): `'O''Brien'`.
pub(crate) fn lit(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// URL-encode one query option value.
pub(crate) fn enc(value: &str) -> String {
    utf8_percent_encode(value, QUERY).to_string()
}

/// `root/path?$a=..&$b=..` with encoded values.
pub(crate) fn url(root: &str, path: &str, options: &[(&str, String)]) -> String {
    let mut u = format!("{root}/{path}");
    for (i, (k, v)) in options.iter().enumerate() {
        u.push(if i == 0 { '?' } else { '&' });
        u.push_str(k);
        u.push('=');
        u.push_str(&enc(v));
    }
    u
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_literals() {
        assert_eq!(key("ID:10.1.2.3:17"), "'ID%3A10.1.2.3%3A17'");
        assert_eq!(key("O'Brien flow"), "'O%27%27Brien%20flow'");
        assert_eq!(lit("O'Brien"), "'O''Brien'");
        assert_eq!(
            url(
                "https://t/api/v1",
                "MessageProcessingLogs",
                &[
                    (
                        "$filter",
                        "Status eq 'FAILED' and LogEnd ge datetime'2024-01-01T00:00:00.000'".into()
                    ),
                    ("$top", "1000".into())
                ]
            ),
            "https://t/api/v1/MessageProcessingLogs?$filter=Status%20eq%20'FAILED'%20and%20LogEnd%20ge%20datetime'2024-01-01T00:00:00.000'&$top=1000"
        );
        assert_eq!(enc("a&b=c+d#"), "a%26b%3Dc%2Bd%23");
    }
}
