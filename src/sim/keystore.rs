//! `KeystoreEntries` (docs/cpi-api.md, "Other entity sets"): a tenant keystore with some certificates expiring
//! within 30 days and one expired.

use super::filter::{FieldType, Val};
use super::json::Json;
use super::resp::{Resp, method_not_allowed, not_found};
use super::routing::{Ctx, FieldTable, Seg, collection, filter_sort, metadata, s, single};
use super::world::World;

pub use super::state::{Cert, Keystore};

const DAY: i64 = 86_400_000;

impl Keystore {
    pub fn new(t0: i64) -> Self {
        // (alias, type, key type, size, days valid from now, owner, subject)
        let raw: &[(&str, &str, &str, i64, i64, &str, &str)] = &[
            (
                "sap_cloudintegrationcertificate",
                "Key Pair",
                "RSA",
                2048,
                300,
                "SAP",
                "CN=sim.it-cpi018.cfapps.eu10.hana.ondemand.com, O=SAP SE, C=DE",
            ),
            (
                "partner_as2_signing",
                "Key Pair",
                "RSA",
                4096,
                21,
                "Tenant Administrator",
                "CN=as2.acme.com, O=ACME, C=DE",
            ),
            (
                "metro_edi_encryption",
                "Certificate",
                "RSA",
                2048,
                5,
                "Tenant Administrator",
                "CN=edi.metro.example, O=Metro AG, C=DE",
            ),
            (
                "old_partner_sftp",
                "Certificate",
                "RSA",
                2048,
                -3,
                "Tenant Administrator",
                "CN=sftp.oldpartner.example, O=Old Partner, C=NL",
            ),
            (
                "ariba_network",
                "Certificate",
                "RSA",
                2048,
                410,
                "Tenant Administrator",
                "CN=service.ariba.com, O=SAP Ariba, C=US",
            ),
            (
                "bank_ebics_auth",
                "Key Pair",
                "RSA",
                3072,
                27,
                "Tenant Administrator",
                "CN=ebics.acme.com, O=ACME, C=DE",
            ),
            (
                "digicert_global_root_g2",
                "Certificate",
                "RSA",
                2048,
                4200,
                "SAP",
                "CN=DigiCert Global Root G2, OU=www.digicert.com, O=DigiCert Inc, C=US",
            ),
            (
                "s4hana_prd_client",
                "Key Pair",
                "EC",
                256,
                190,
                "Tenant Administrator",
                "CN=cpi-client.acme.com, O=ACME, C=DE",
            ),
            (
                "successfactors_oauth",
                "Key Pair",
                "RSA",
                2048,
                95,
                "Tenant Administrator",
                "CN=sf-oauth.acme.com, O=ACME, C=DE",
            ),
            (
                "dhl_3pl_tls",
                "Certificate",
                "RSA",
                2048,
                61,
                "Tenant Administrator",
                "CN=api.dhl.example, O=DHL, C=DE",
            ),
        ];
        let certs = raw
            .iter()
            .map(|&(alias, kind, kt, size, days, owner, subject)| Cert {
                alias: alias.into(),
                kind,
                key_type: kt,
                key_size: size,
                not_before: t0 - 365 * DAY,
                not_after: t0 + days * DAY,
                subject: subject.into(),
                issuer: if owner == "SAP" {
                    "CN=SAP Cloud Root CA, O=SAP SE, C=DE"
                } else {
                    "CN=ACME Issuing CA, O=ACME, C=DE"
                },
                owner,
            })
            .collect();
        Self { certs }
    }
}

pub fn hex(alias: &str) -> String {
    alias.bytes().map(|b| format!("{b:02x}")).collect()
}

fn fields() -> FieldTable<Cert> {
    &[
        ("Alias", FieldType::Str, |c| s(&c.alias)),
        ("Type", FieldType::Str, |c| s(c.kind)),
        ("Owner", FieldType::Str, |c| s(c.owner)),
        ("ValidNotAfter", FieldType::Date, |c| Val::Date(c.not_after)),
        ("KeyType", FieldType::Str, |c| s(c.key_type)),
    ]
}

fn write(j: &mut Json, ctx: &Ctx, c: &Cert) {
    let hx = hex(&c.alias);
    let key = format!("/KeystoreEntries('{hx}')");
    let fp = |n: usize| -> String {
        (0..n)
            .map(|k| {
                format!(
                    "{:02X}",
                    (c.alias.len() * 31 + k * 17) as u8 ^ c.alias.as_bytes()[k % c.alias.len()]
                )
            })
            .collect::<Vec<_>>()
            .join(":")
    };
    j.obj();
    metadata(j, &[ctx.api, &key], "com.sap.hci.api.KeystoreEntry", None);
    j.key("Hexalias")
        .str(&hx)
        .key("Alias")
        .str(&c.alias)
        .key("KeyType")
        .str(c.key_type);
    j.key("KeySize")
        .int(c.key_size)
        .key("ValidNotBefore")
        .date(c.not_before)
        .key("ValidNotAfter")
        .date(c.not_after);
    j.key("SerialNumber")
        .str(&format!("0x{:X}", c.alias.len() * 4099 + 65537));
    j.key("SignatureAlgorithm").str(if c.key_type == "EC" {
        "SHA256withECDSA"
    } else {
        "SHA256withRSA"
    });
    j.key("EllipticCurve")
        .opt_str((c.key_type == "EC").then_some("secp256r1"));
    j.key("Validity")
        .null()
        .key("SubjectDN")
        .str(&c.subject)
        .key("IssuerDN")
        .str(c.issuer)
        .key("Version")
        .int(3);
    j.key("FingerprintSha1")
        .str(&fp(20))
        .key("FingerprintSha256")
        .str(&fp(32))
        .key("FingerprintSha512")
        .str(&fp(64));
    j.key("Type").str(c.kind).key("Owner").str(c.owner);
    j.key("LastModifiedBy")
        .str("ops.user@acme.com")
        .key("LastModifiedTime")
        .date(c.not_before);
    j.key("CreatedBy")
        .str("ops.user@acme.com")
        .key("CreatedTime")
        .date(c.not_before)
        .key("Status")
        .str("unchanged");
    j.key("Certificate").deferred(&[ctx.api, &key, "/Certificate"]);
    j.key("ChainCertificates")
        .deferred(&[ctx.api, &key, "/ChainCertificates"]);
    j.end_obj();
}

pub fn route(ctx: &Ctx, w: &mut World, segs: &[Seg]) -> Resp {
    if ctx.method.as_str() != "GET" {
        return method_not_allowed(ctx.method.as_str(), "KeystoreEntries");
    }
    let certs = &w.keys.certs;
    match (&segs[0].key, segs.len()) {
        (None, 1) => {
            // `keystoreName=system|backup_admin_system|KeyRenewal`: only `system` has entries here.
            if ctx.q.param("keystoreName").is_some_and(|k| k != "system") {
                return collection(ctx, &Vec::<Cert>::new(), |j, c| write(j, ctx, c));
            }
            match filter_sort(&ctx.q, certs, fields()) {
                Ok(rows) => collection(ctx, &rows, |j, c| write(j, ctx, c)),
                Err(e) => e,
            }
        }
        (Some(_), 1) => {
            let hx = segs[0].single_key().unwrap_or_default();
            match certs.iter().find(|c| hex(&c.alias) == hx) {
                Some(c) => single(|j| write(j, ctx, c)),
                None => not_found(),
            }
        }
        _ => not_found(),
    }
}
