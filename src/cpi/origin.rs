//! Where the client may send its credentials: only to the tenant it was configured for.
//!
//! A reply can name URLs — `__next` (followed by `paging`), and `__metadata.uri`, `__deferred`
//! navigation links and media links (`__metadata.media_src`/`edit_media`), which are not followed
//! today. Every such URL must pass [`ServiceRoot::check`] (through `Transport::reply_link`) before
//! a request goes there: same scheme, same host, same port (the default port normalised, so
//! `https://h:443/…` is `https://h/…`) and a path under the service root (`/api/v1`). Anything
//! else is refused with `CpiError::ForeignLink` and nothing is sent — a page naming another host
//! (or `http://` on an `https` tenant) would otherwise hand that host the bearer token.
//!
//! Redirects follow the same idea ([`redirect_policy`]): a redirect to another origin than the
//! request's own is refused (reported as `CpiError::Redirected` naming the target), for API calls
//! and for the OAuth token endpoint alike (the token URL lives on another host than the API; its
//! redirects are judged against the token URL's origin). Same-origin redirects are followed, at
//! most [`MAX_REDIRECTS`] times: reqwest keeps `Authorization` only within an origin, and a
//! same-origin target is a host the credentials go to anyway (a login page there is then reported
//! as `CpiError::HtmlPage`).

use url::Url;

/// Same-origin redirects followed before giving up.
pub(crate) const MAX_REDIRECTS: usize = 5;

/// Longest rendering of a refused link in an error (a hostile reply may send megabytes).
const MAX_LINK_SHOWN: usize = 200;

/// The tenant's origin and service root path, as configured.
#[derive(Debug, Clone)]
pub(crate) struct ServiceRoot {
    base: Url,
    /// The root path with a trailing slash, e.g. `/api/v1/`.
    prefix: String,
}

/// Scheme, host and port (the scheme's default port filled in): what "same origin" compares.
fn origin_of(u: &Url) -> (String, Option<String>, Option<u16>) {
    (
        u.scheme().to_ascii_lowercase(),
        u.host_str().map(str::to_ascii_lowercase),
        u.port_or_known_default(),
    )
}

/// Whether two URLs share scheme, host and (normalised) port.
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    origin_of(a) == origin_of(b)
}

impl ServiceRoot {
    /// From the service root URL (`…/api/v1`, without a trailing slash).
    pub(crate) fn new(root: &str) -> Result<Self, url::ParseError> {
        let base = Url::parse(&format!("{}/", root.trim_end_matches('/')))?;
        let prefix = base.path().to_string();
        Ok(Self { base, prefix })
    }

    /// Resolve `link` (absolute, or relative to the service root) and accept it only within the
    /// tenant's origin and under the service root. `Err` carries a one-line, bounded rendering of
    /// the refused link for the error message.
    pub(crate) fn check(&self, link: &str) -> Result<String, String> {
        let link = link.trim();
        // `join` also resolves scheme-relative (`//evil/…`) and `..` forms: the result, not the
        // text, is what is judged.
        let url = self.base.join(link).map_err(|_| shown(link))?;
        let path = url.path();
        let under_root = path == self.prefix.trim_end_matches('/') || path.starts_with(&self.prefix);
        if !same_origin(&url, &self.base) || !under_root || url.username() != "" || url.password().is_some()
        {
            return Err(shown(url.as_str()));
        }
        Ok(url.into())
    }
}

/// A link as named in an error: control characters replaced, cut to `MAX_LINK_SHOWN` characters.
pub(crate) fn shown(link: &str) -> String {
    let mut out: String = link
        .chars()
        .take(MAX_LINK_SHOWN)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    if link.chars().nth(MAX_LINK_SHOWN).is_some() {
        out.push('…');
    }
    out
}

/// Why a redirect was not followed (the source of the reqwest error; `http` maps it to
/// `CpiError::Redirected`).
#[derive(Debug)]
pub(crate) struct RefusedRedirect {
    pub(crate) target: String,
    pub(crate) reason: &'static str,
}

impl std::fmt::Display for RefusedRedirect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "redirect to {} refused: {}", self.target, self.reason)
    }
}

impl std::error::Error for RefusedRedirect {}

/// The client's redirect policy (see the module doc): same-origin only, at most `MAX_REDIRECTS`.
/// Judged against the first URL of the chain, i.e. the request's own origin.
pub(crate) fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let target = shown(attempt.url().as_str());
        let Some(first) = attempt.previous().first() else {
            return attempt.stop();
        };
        if !same_origin(first, attempt.url()) {
            return attempt.error(RefusedRedirect {
                target,
                reason: "another origin than the request's",
            });
        }
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error(RefusedRedirect {
                target,
                reason: "too many redirects",
            });
        }
        attempt.follow()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> ServiceRoot {
        ServiceRoot::new("https://t1.example.com/api/v1").expect("root")
    }

    #[test]
    fn links_within_the_service_root_are_accepted() {
        let r = root();
        assert_eq!(
            r.check("https://t1.example.com:443/api/v1/MessageProcessingLogs?$skiptoken=1000")
                .as_deref(),
            Ok("https://t1.example.com/api/v1/MessageProcessingLogs?$skiptoken=1000")
        );
        assert_eq!(
            r.check("MessageProcessingLogs?$skiptoken=1000").as_deref(),
            Ok("https://t1.example.com/api/v1/MessageProcessingLogs?$skiptoken=1000")
        );
        assert_eq!(
            r.check("/api/v1/Queues?$skiptoken=2000").as_deref(),
            Ok("https://t1.example.com/api/v1/Queues?$skiptoken=2000")
        );
        assert!(r.check("HTTPS://T1.EXAMPLE.COM/api/v1/X").is_ok());
        let plain = ServiceRoot::new("http://127.0.0.1:8080/api/v1").expect("root");
        assert!(plain.check("http://127.0.0.1:8080/api/v1/X").is_ok());
    }

    #[test]
    fn links_elsewhere_are_refused() {
        let r = root();
        for bad in [
            "https://evil.example.com/api/v1/MessageProcessingLogs",
            "http://t1.example.com/api/v1/MessageProcessingLogs",
            "https://t1.example.com:8443/api/v1/MessageProcessingLogs",
            "//evil.example.com/api/v1/X",
            "/other/X",
            "/api/v1x/X",
            "../../X",
            "/api/v1/%2e%2e/%2e%2e/X",
            "https://user:pw@t1.example.com/api/v1/X",
            "https://t1.example.com.evil.example/api/v1/X",
        ] {
            assert!(r.check(bad).is_err(), "{bad} must be refused");
        }
        let plain = ServiceRoot::new("http://127.0.0.1:8080/api/v1").expect("root");
        assert!(plain.check("https://127.0.0.1:8080/api/v1/X").is_err());
        assert!(plain.check("http://localhost:8080/api/v1/X").is_err());
        assert!(plain.check("http://127.0.0.1/api/v1/X").is_err());
    }

    #[test]
    fn refused_links_are_shown_bounded_on_one_line() {
        let long = format!("https://evil.example.com/{}\n", "a".repeat(5000));
        let e = root().check(&long).expect_err("foreign");
        assert!(e.chars().count() <= MAX_LINK_SHOWN + 1, "{}", e.len());
        assert!(!e.contains('\n'));
        assert_eq!(shown("a\u{1b}[2Jb"), "a\u{FFFD}[2Jb");
    }
}
