//! BTP service keys (docs/cpi-api.md, "Authentication and rate limits"): the JSON an admin downloads for a Process Integration
//! Runtime instance of plan `api`. The OAuth fields are nested under `oauth` (the usual form) or
//! flat at the top level; both are accepted. Certificate-based keys (`certificate`, `key`) are
//! recognised and refused with a clear message, since cpitop authenticates with client secrets.

use serde::Deserialize;

use super::conn::{Auth, Limits, TenantConn};
use super::error::CpiError;
use crate::secret::Secret;

#[derive(Deserialize, Default)]
struct Fields {
    clientid: Option<String>,
    clientsecret: Option<String>,
    tokenurl: Option<String>,
    url: Option<String>,
    certificate: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct Key {
    oauth: Option<Fields>,
    #[serde(flatten)]
    flat: Fields,
}

/// Parse a service key into a `TenantConn` named `name` with default limits.
pub fn tenant_from_service_key(name: &str, json: &str) -> Result<TenantConn, CpiError> {
    let key: Key = serde_json::from_str(json).map_err(|e| {
        CpiError::Config(format!(
            "the service key is not valid JSON ({}); paste the whole key as downloaded from the BTP cockpit",
            e
        ))
    })?;
    let nested = key.oauth.unwrap_or_default();
    let flat = key.flat;
    let pick = |a: Option<String>, b: Option<String>| a.or(b).filter(|s| !s.trim().is_empty());
    let has_cert = nested.certificate.is_some() || flat.certificate.is_some();
    let url = pick(nested.url, flat.url);
    let tokenurl = pick(nested.tokenurl, flat.tokenurl);
    let clientid = pick(nested.clientid, flat.clientid);
    let clientsecret = pick(nested.clientsecret, flat.clientsecret);
    let missing: Vec<&str> = [
        ("url", url.is_none()),
        ("tokenurl", tokenurl.is_none()),
        ("clientid", clientid.is_none()),
        ("clientsecret", clientsecret.is_none()),
    ]
    .into_iter()
    .filter(|(_, m)| *m)
    .map(|(n, _)| n)
    .collect();
    if !missing.is_empty() {
        let hint = if has_cert && clientsecret.is_none() {
            "; this is a certificate-based key — create a key with ClientId/Secret instead"
        } else {
            "; expected oauth.{clientid,clientsecret,tokenurl,url} of a Process Integration Runtime key (plan api)"
        };
        return Err(CpiError::Config(format!(
            "the service key lacks {}{hint}",
            missing.join(", ")
        )));
    }
    let (Some(url), Some(token_url), Some(client_id), Some(secret)) = (url, tokenurl, clientid, clientsecret)
    else {
        return Err(CpiError::Config("the service key is incomplete".into()));
    };
    Ok(TenantConn {
        name: name.to_string(),
        base_url: url.trim().trim_end_matches('/').to_string(),
        auth: Auth::OAuth {
            token_url: token_url.trim().to_string(),
            client_id: client_id.trim().to_string(),
            client_secret: Secret::new(secret),
        },
        limits: Limits::default(),
        ca_bundle: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_and_flat_keys() {
        let nested = r#"{"oauth":{"clientid":"sb-0f1e!b1|it!b9","clientsecret":"11111111-2222$AbC=",
          "url":"https://mysub.it-cpi018.cfapps.eu10-003.hana.ondemand.com/",
          "tokenurl":"https://mysub.authentication.eu10.hana.ondemand.com/oauth/token"},"createdate":"x"}"#;
        let c = tenant_from_service_key("prod", nested).expect("nested key");
        assert_eq!(
            c.base_url,
            "https://mysub.it-cpi018.cfapps.eu10-003.hana.ondemand.com"
        );
        match &c.auth {
            Auth::OAuth {
                client_id,
                client_secret,
                token_url,
            } => {
                assert_eq!(client_id, "sb-0f1e!b1|it!b9");
                assert_eq!(client_secret.expose(), "11111111-2222$AbC=");
                assert!(token_url.ends_with("/oauth/token"));
            }
            Auth::Basic { .. } => panic!("expected OAuth"),
        }
        let flat =
            r#"{"clientid":"a","clientsecret":"b","url":"https://t","tokenurl":"https://x/oauth/token"}"#;
        assert!(tenant_from_service_key("t", flat).is_ok());
    }

    #[test]
    fn incomplete_and_cert_keys_are_explained_without_secrets() {
        let e = tenant_from_service_key(
            "t",
            r#"{"oauth":{"clientid":"a","clientsecret":"topsecret-1","url":"https://t"}}"#,
        )
        .expect_err("missing tokenurl");
        let text = e.to_string();
        assert!(text.contains("tokenurl"), "{text}");
        assert!(!text.contains("topsecret-1"));
        let cert = r#"{"oauth":{"clientid":"a","certificate":"-----BEGIN","key":"k","url":"https://t","tokenurl":"https://x"}}"#;
        assert!(
            tenant_from_service_key("t", cert)
                .expect_err("cert")
                .to_string()
                .contains("certificate-based")
        );
        assert!(tenant_from_service_key("t", "not json").is_err());
    }
}
