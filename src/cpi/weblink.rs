//! The tenant's web UI, for links to its monitoring pages.
//!
//! A link is `<root>/shell/monitoring/<View>/<url-encoded JSON>`; what `<root>` is depends on the
//! tenant: `https://<sub>.integrationsuite.cfapps.<region>.hana.ondemand.com` on tenants with an
//! Integration Suite host, `https://<sub>.it-cpiNNN.cfapps.<region>.hana.ondemand.com/itspaces` on
//! older CF tenants (which have no Integration Suite host). The root cannot be told from the API
//! host alone, so it is learned from the tenant's own `AlternateWebLink` of a message
//! ([`root_of_link`], sampled with [`CpiClient::mpl_web_link_sample`]); `web_ui_url` in the
//! config ([`root_of_config`]) overrides it, and [`guess_root`] is the last resort.
//!
//! Tenants have been seen to send malformed ports (`…hana.ondemand.com:443:443/shell/…`), which
//! `url::Url` rejects outright: [`normalise`] repairs them first. Hand-written because no crate
//! repairs a URL that is not one; it only touches the authority and leaves the rest to `url`.

use super::client::CpiClient;
use super::error::CpiError;
use super::http::Req;
use super::model::MessageProcessingLog;
use super::odata::Collection;
use super::query::url;

/// Where every monitoring link of the web UI starts, below the root.
pub const MONITORING: &str = "/shell/monitoring/";

/// `link` as a valid URL: a port repeated in the authority (`:443:443`) collapsed into one, the
/// scheme's default port dropped. `None` when it is not an http(s) URL with a host, or when the
/// repeated ports disagree (`:443:8443`: which one is meant cannot be known).
pub fn normalise(link: &str) -> Option<String> {
    let link = link.trim();
    let (scheme, rest) = link.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    // IPv6 literals (`[::1]:443`) keep their colons.
    let host_end = if authority.starts_with('[') {
        authority.find(']').map_or(authority.len(), |i| i + 1)
    } else {
        authority.find(':').unwrap_or(authority.len())
    };
    let (host, ports) = authority.split_at(host_end);
    let mut port: Option<&str> = None;
    for p in ports.split(':').skip(1) {
        match port {
            Some(q) if q != p => return None,
            _ => port = Some(p),
        }
    }
    let fixed = match port {
        Some(p) => format!("{scheme}://{host}:{p}{tail}"),
        None => format!("{scheme}://{host}{tail}"),
    };
    let parsed = url::Url::parse(&fixed).ok()?;
    parsed.host_str()?;
    Some(parsed.to_string())
}

/// A tenant's own link, its malformed port (`:443:443`) repaired; kept as sent when it cannot be.
pub fn web_link(link: &str) -> String {
    normalise(link).unwrap_or_else(|| link.to_string())
}

/// The root of a web-UI monitoring link (`AlternateWebLink`): everything before
/// `/shell/monitoring/`, normalised. `None` when the link is not of that form.
pub fn root_of_link(link: &str) -> Option<String> {
    let link = normalise(link)?;
    let at = link.find(MONITORING)?;
    let root = link[..at].trim_end_matches('/');
    // Only the path may hold `/shell/monitoring/`: a root must still have its host.
    root.contains("://").then(|| root.to_string())
}

/// The root from a configured `web_ui_url`: any page of the web UI is accepted (the part from
/// `/shell/` on, a query and a fragment are dropped), ports repaired. The error says what is wrong.
pub fn root_of_config(value: &str) -> Result<String, String> {
    let fixed = normalise(value).ok_or_else(|| {
        format!("`{value}` is not an http(s) URL with a host (e.g. https://<sub>.integrationsuite.cfapps.<region>.hana.ondemand.com)")
    })?;
    let mut parsed = url::Url::parse(&fixed).map_err(|e| format!("`{value}` is not a URL ({e})"))?;
    parsed.set_query(None);
    parsed.set_fragment(None);
    let s = parsed.to_string();
    let root = match s.find("/shell/") {
        Some(at) => &s[..at],
        None => s.as_str(),
    };
    Ok(root.trim_end_matches('/').to_string())
}

/// A guess from the API host: `<sub>.it-cpiNNN[-rt].cfapps.<region>.hana.ondemand.com` →
/// `https://<sub>.integrationsuite.cfapps.<region>.hana.ondemand.com` (only right on tenants that
/// have an Integration Suite host). `None` when the host does not match.
pub fn guess_root(api_base: &str) -> Option<String> {
    let url = url::Url::parse(api_base).ok()?;
    let host = url.host_str()?;
    let (sub, rest) = host.split_once('.')?;
    let (first, tail) = rest.split_once('.')?;
    if !first.starts_with("it-cpi") || !tail.starts_with("cfapps.") {
        return None;
    }
    Some(format!("https://{sub}.integrationsuite.{tail}"))
}

impl CpiClient {
    /// The `AlternateWebLink` of one message of the tenant (any), to learn its web-UI root from;
    /// `None` when the tenant has no messages or sends no link. One small request.
    pub async fn mpl_web_link_sample(&self) -> Result<Option<String>, CpiError> {
        let t = self.t();
        let u = url(
            &t.root,
            "MessageProcessingLogs",
            &[
                ("$top", "1".into()),
                ("$select", "MessageGuid,AlternateWebLink".into()),
            ],
        );
        let page: Collection<MessageProcessingLog> = t.send(&Req::get(u)).await?.json()?;
        Ok(page
            .d
            .results
            .into_iter()
            .map(|m| m.alternate_web_link)
            .find(|l| !l.trim().is_empty()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IS: &str = "https://acme.integrationsuite.cfapps.eu10.hana.ondemand.com";

    #[test]
    fn repeated_ports_are_collapsed_and_default_ports_dropped() {
        let link = format!("{IS}:443:443/shell/monitoring/Messages/%7B%22identifier%22%3A%22AG%22%7D");
        assert_eq!(
            normalise(&link).as_deref(),
            Some(format!("{IS}/shell/monitoring/Messages/%7B%22identifier%22%3A%22AG%22%7D").as_str())
        );
        assert_eq!(
            normalise("https://h.example:8443:8443/x").as_deref(),
            Some("https://h.example:8443/x")
        );
        assert_eq!(normalise("https://h.example:443:8443/x"), None);
        assert_eq!(normalise("ftp://h.example/x"), None);
        assert_eq!(normalise("not a link"), None);
        assert_eq!(
            normalise("http://[::1]:80:80/a").as_deref(),
            Some("http://[::1]/a")
        );
    }

    #[test]
    fn roots_of_both_link_forms() {
        let enc = "%7B%22identifier%22%3A%22AGDY%22%7D";
        assert_eq!(
            root_of_link(&format!("{IS}:443/shell/monitoring/Messages/{enc}")).as_deref(),
            Some(IS)
        );
        assert_eq!(
            root_of_link(&format!("{IS}:443:443/shell/monitoring/Messages/{enc}")).as_deref(),
            Some(IS)
        );
        let api = "https://acme.it-cpi018.cfapps.eu10.hana.ondemand.com";
        assert_eq!(
            root_of_link(&format!("{api}/itspaces/shell/monitoring/Messages/{enc}")).as_deref(),
            Some(format!("{api}/itspaces").as_str())
        );
        assert_eq!(root_of_link(&format!("{api}/itspaces/shell/design")), None);
        assert_eq!(root_of_link(""), None);
    }

    #[test]
    fn configured_roots_accept_any_web_ui_page() {
        assert_eq!(root_of_config(&format!("{IS}/")).as_deref(), Ok(IS));
        assert_eq!(root_of_config(&format!("{IS}:443:443")).as_deref(), Ok(IS));
        assert_eq!(
            root_of_config(&format!("{IS}/shell/home?x=1#y")).as_deref(),
            Ok(IS)
        );
        let api = "https://acme.it-cpi018.cfapps.eu10.hana.ondemand.com";
        assert_eq!(
            root_of_config(&format!("{api}/itspaces/shell/monitoring/Messages/")).as_deref(),
            Ok(format!("{api}/itspaces").as_str())
        );
        let e = root_of_config("acme.integrationsuite").unwrap_err();
        assert!(e.contains("is not an http(s) URL"), "{e}");
    }

    #[test]
    fn guess_from_the_api_host() {
        assert_eq!(
            guess_root("https://acme.it-cpi018.cfapps.eu10.hana.ondemand.com").as_deref(),
            Some(IS)
        );
        assert_eq!(guess_root("http://127.0.0.1:4567"), None);
    }
}
