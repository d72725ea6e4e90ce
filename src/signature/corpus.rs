//! A corpus of realistic Cloud Integration error texts, written for these tests in the forms the
//! runtime reports (adapter exceptions with their receiver, Groovy and mapping errors, timeouts,
//! SFTP, OData, IDoc, JMS, TLS): each family's variants differ only in ids, numbers, hosts,
//! paths and names and must share one signature; different families must not.

use super::{Signer, group};

const MPL: &str = "The MPL ID for the failed message is : ";

/// (family, variants)
fn corpus() -> Vec<(&'static str, Vec<String>)> {
    let ids = [
        "AGDYGl0jWASpFC3iiCnMvFyITFcs",
        "AGDYGg7L4RPeTD1DyPIbR9NKvlIz",
        "AGDYGa5RVttBbmCsVwWNLf2eSzQg",
    ];
    let with_mpl = |text: String, i: usize| format!("{text}\n{MPL}{}", ids[i % 3]);
    vec![
        (
            "http 401",
            (0..3)
                .map(|i| {
                    with_mpl(
                        format!(
                            "com.sap.it.rt.adapter.http.api.exception.HttpResponseException: An internal server error occured: HTTP 401 Unauthorized. The error occured with the receiver: https://api{i}.partner{i}.com/v{i}/orders/{} .",
                            4700 + i
                        ),
                        i,
                    )
                })
                .collect(),
        ),
        (
            "http 500",
            (0..3)
                .map(|i| {
                    with_mpl(
                        format!(
                            "com.sap.it.rt.adapter.http.api.exception.HttpResponseException: An internal server error occured: HTTP 500 Internal Server Error. The error occured with the receiver: https://erp.acme.com:44{i}00/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder('{}') .",
                            10_000 + i * 7
                        ),
                        i,
                    )
                })
                .collect(),
        ),
        (
            "soap fault",
            (0..3)
                .map(|i| {
                    format!(
                        "org.apache.cxf.binding.soap.SoapFault: Server was unable to process request. ---> Order {} of customer {} is locked by user BATCH{}",
                        500_000 + i * 13,
                        9_000 + i,
                        i
                    )
                })
                .collect(),
        ),
        (
            "groovy property",
            ["orderId", "customerNumber", "netAmount"]
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    with_mpl(
                        format!(
                            "javax.script.ScriptException: java.lang.Exception: groovy.lang.MissingPropertyException: No such property: {p} for class: Script{}\n\tat com.sap.gateway.ip.core.customdev.processor.IGWScriptProcessor.evaluate(IGWScriptProcessor.java:{})",
                            i + 3,
                            200 + i
                        ),
                        i,
                    )
                })
                .collect(),
        ),
        (
            "groovy null",
            (0..3)
                .map(|i| {
                    format!(
                        "java.lang.NullPointerException: Cannot invoke method trim() on null object, cause: Script{}.groovy:{}",
                        i + 1,
                        40 + i * 3
                    )
                })
                .collect(),
        ),
        (
            "mapping",
            ["E1EDK01", "E1EDP19", "E1EDKA1"]
                .iter()
                .enumerate()
                .map(|(i, seg)| {
                    format!(
                        "com.sap.xi.mapping.camel.MappingException: Mapping failed: Cannot produce target element /ns0:ORDERS05/IDOC/{seg}/BELNR. Check whether the source structure matches the message in line {} column {}",
                        i + 1,
                        17 * (i + 1)
                    )
                })
                .collect(),
        ),
        (
            "xslt",
            (0..3)
                .map(|i| {
                    format!(
                        "net.sf.saxon.trans.XPathException: Required item type of first argument of xs:date() is xs:anyAtomicType; supplied value has item type element(), at line {} of /xsl/transform{}.xsl",
                        10 + i,
                        i
                    )
                })
                .collect(),
        ),
        (
            "timeout",
            (0..3)
                .map(|i| {
                    with_mpl(
                        format!(
                            "java.net.SocketTimeoutException: Read timed out after {} ms while calling 10.{i}.{}.{}:8443",
                            30_000 + i * 500,
                            i * 2,
                            i * 3
                        ),
                        i,
                    )
                })
                .collect(),
        ),
        (
            "sftp auth",
            (0..3)
                .map(|i| {
                    format!(
                        "com.sap.it.rt.adapter.sftp.SftpException: Error while connecting to sftp{i}.supplier{i}.de:22 with user 'edi_user{i}': Auth fail"
                    )
                })
                .collect(),
        ),
        (
            "sftp file",
            (0..3)
                .map(|i| {
                    format!(
                        "org.apache.camel.component.file.GenericFileOperationFailedException: Cannot change directory to: /out/invoices/{}/2026-12-0{}",
                        1000 + i,
                        i + 1
                    )
                })
                .collect(),
        ),
        (
            "odata",
            (0..3)
                .map(|i| {
                    format!(
                        "com.sap.gateway.core.ip.component.odata.exception.OsciException: Bad Request : 400 : HTTP/1.1 , Property 'SalesOrderItem' at offset '{}' has invalid value '{}'",
                        120 + i,
                        i * 10
                    )
                })
                .collect(),
        ),
        (
            "idoc",
            (0..3)
                .map(|i| {
                    format!(
                        "com.sap.it.rt.adapter.idoc.IDocException: IDoc {} with control record MESTYP ORDERS, partner LS_CRM{} could not be posted: status 51",
                        100_000_000 + i * 77,
                        i
                    )
                })
                .collect(),
        ),
        (
            "jms retry",
            (0..3)
                .map(|i| {
                    format!(
                        "Message retry limit of {} reached for JMS message ID:10.1.{i}.3a1b2c3d4e5f:{} in queue DLQ_ORDERS_IN; message moved to the dead-letter queue",
                        5,
                        17 + i
                    )
                })
                .collect(),
        ),
        (
            "tls",
            (0..3)
                .map(|i| {
                    format!(
                        "javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target (host: gw{i}.bank{i}.com, serial 0x{:X})",
                        0x1F00 + i
                    )
                })
                .collect(),
        ),
        (
            "tls expired",
            (0..3)
                .map(|i| {
                    format!(
                        "java.security.cert.CertificateExpiredException: NotAfter: Sun Nov 0{} 12:00:00 UTC 2026 for alias partner_as2_{i}",
                        i + 1
                    )
                })
                .collect(),
        ),
    ]
}

#[test]
fn variants_of_one_problem_share_a_signature_and_problems_differ() {
    let signer = Signer::default();
    let mut families = Vec::new();
    for (family, variants) in corpus() {
        let keys: Vec<_> = variants.iter().map(|v| signer.sign(v, None)).collect();
        for k in &keys[1..] {
            assert_eq!(
                k.template, keys[0].template,
                "{family}: variants differ:\n{:#?}",
                variants
            );
            assert_eq!(k.key, keys[0].key, "{family}");
        }
        families.push((family, keys[0].key, keys[0].template.clone()));
    }
    for (i, a) in families.iter().enumerate() {
        for b in &families[i + 1..] {
            assert_ne!(a.1, b.1, "{} and {} share a signature: {}", a.0, b.0, a.2);
        }
    }
    // Templates say what the problem is: a few spelled out.
    let t = |f: &str| {
        families
            .iter()
            .find(|x| x.0 == f)
            .map(|x| x.2.clone())
            .unwrap_or_default()
    };
    assert!(
        t("http 401").contains("HTTP 401 Unauthorized") && t("http 401").contains("<url>"),
        "{}",
        t("http 401")
    );
    assert!(
        t("groovy property").ends_with("No such property: <name> for class: Script<n>"),
        "{}",
        t("groovy property")
    );
    assert!(
        t("sftp auth").contains("<host>") && t("sftp auth").ends_with("Auth fail"),
        "{}",
        t("sftp auth")
    );
    assert!(
        t("idoc").contains("status 51"),
        "status codes stay: {}",
        t("idoc")
    );
}

#[test]
fn grouping_the_corpus_with_every_family_across_iflows() {
    let corpus = corpus();
    let texts: Vec<(usize, &String)> = corpus
        .iter()
        .enumerate()
        .flat_map(|(f, (_, vs))| vs.iter().map(move |v| (f, v)))
        .collect();
    let ids: Vec<String> = (0..texts.len()).map(|i| format!("m{i}")).collect();
    let iflows = ["Orders_Inbound", "Invoice_Outbound_EDI", "Carrier_Label_Request"];
    let failures: Vec<super::Failure> = texts
        .iter()
        .enumerate()
        .map(|(i, (_, text))| super::Failure {
            message_id: &ids[i],
            iflow: iflows[i % 3],
            status: "FAILED",
            at_ms: i as i64,
            error: super::ErrorText::Known {
                text,
                error_type: None,
            },
        })
        .collect();
    let opts = super::GroupOptions {
        per_iflow: false,
        from_ms: 0,
        to_ms: 100,
        buckets: 10,
    };
    let groups = group(
        &failures,
        &Signer::default(),
        &super::SeenSignatures::default(),
        &opts,
    );
    assert_eq!(
        groups.len(),
        corpus.len(),
        "{:#?}",
        groups.iter().map(|g| &g.template).collect::<Vec<_>>()
    );
    assert!(
        groups
            .iter()
            .all(|g| g.count == 3 && g.iflows.len() == 3 && g.new)
    );
}
