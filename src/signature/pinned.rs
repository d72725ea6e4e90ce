//! What the benchmark's corpus ([`super::testgen`]) signs and groups to, pinned: a change of the
//! masking, the mining or the keys — an optimisation that changes output — fails here. When the
//! output is meant to change, bump [`super::VERSION`] and pin the new figures.

use super::testgen::error_texts;
use super::{ErrorText, Failure, GroupOptions, SeenSignatures, Signer, group};

/// FNV-1a over bytes (the pin's digest, independent of `SigKey`'s own hashing).
fn digest(h: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(h, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3))
}

const SEED: u64 = 0xcbf2_9ce4_8422_2325;

#[test]
fn the_bench_corpus_signs_as_pinned() {
    let texts = error_texts(4_000);
    let signer = Signer::default();
    // One text of each problem, spelled out.
    let mut firsts: Vec<(String, String)> = Vec::new();
    let mut all = SEED;
    for t in &texts {
        let s = signer.sign(t, None);
        all = digest(all, s.key.to_string().as_bytes());
        all = digest(all, s.template.as_bytes());
        if !firsts.iter().any(|(_, tpl)| *tpl == s.template) {
            firsts.push((s.key.to_string(), s.template));
        }
    }
    let want: [(&str, &str); 16] = [
        (
            "739ee2290eefed5f",
            "java.lang.NullPointerException: Cannot invoke method trim() on null object, cause: Script<n>.groovy:<n>",
        ),
        (
            "8403e757623bfbb3",
            "com.sap.gateway.core.ip.component.odata.exception.OsciException: Bad Request : <n> : HTTP/1.1 , Property '<*>' at offset '<*>' has invalid value '<*>'",
        ),
        (
            "36561ad178c4305f",
            "net.sf.saxon.trans.XPathException: Required item type of first argument of xs:date() is xs:anyAtomicType, at line <n> of <path>",
        ),
        ("e53c33d900b6efae", "Error in Flow_<n>: receiver down since <ts>"),
        (
            "d6f913c66a5dd766",
            "org.apache.cxf.binding.soap.SoapFault: Server was unable to process request. ---> Order <n> of customer <n> is locked by user BATCH<n>",
        ),
        (
            "9477cf7f6f4f6757",
            "org.apache.camel.component.file.GenericFileOperationFailedException: Cannot change directory to: <path>",
        ),
        (
            "046a805ce7c09938",
            "Message retry limit of <n> reached for JMS message <id> in queue DLQ_ORDERS_IN; message moved to the dead-letter queue",
        ),
        (
            "a490a9f932ef58e2",
            "com.sap.xi.mapping.camel.MappingException: Mapping failed: Cannot produce target element <path> in line <n> column <n>",
        ),
        (
            "ba046b96335a30eb",
            "java.net.SocketTimeoutException: Read timed out after <n> ms while calling <ip>",
        ),
        (
            "5beda533f8010cec",
            "com.sap.it.rt.adapter.idoc.IDocException: IDoc <n> with control record MESTYP ORDERS, partner LS_CRM<n> could not be posted: status 51",
        ),
        (
            "19f32180c3202db1",
            "java.security.cert.CertificateExpiredException: NotAfter: Sun Nov <n> <time> UTC <n> for alias partner_as<n>_<n>",
        ),
        (
            "edf8f9b956a554d6",
            "javax.net.ssl.SSLHandshakeException: PKIX path building failed: unable to find valid certification path to requested target (host: <host>, serial <n>)",
        ),
        (
            "98f8675090751ac8",
            "com.sap.it.rt.adapter.http.api.exception.HttpResponseException: An internal server error occured: HTTP 401 Unauthorized. The error occured with the receiver: <url>",
        ),
        (
            "3bd996adba7adf18",
            "javax.script.ScriptException: java.lang.Exception: groovy.lang.MissingPropertyException: No such property: <name> for class: Script<n>",
        ),
        (
            "6c68a7fd44166434",
            "com.sap.it.rt.adapter.http.api.exception.HttpResponseException: An internal server error occured: HTTP 503 Service Unavailable. The error occured with the receiver: <url>",
        ),
        (
            "aa60d3e699daaf87",
            "com.sap.it.rt.adapter.sftp.SftpException: Error while connecting to <host> with user '<*>': Auth fail",
        ),
    ];
    let got: Vec<(&str, &str)> = firsts.iter().map(|(k, t)| (k.as_str(), t.as_str())).collect();
    assert_eq!(got, want);
    assert_eq!(
        all, 0x8da8f3f3c7d5334f,
        "the key or template of some text changed"
    );
}

#[test]
fn the_bench_corpus_groups_as_pinned() {
    let texts = error_texts(20_000);
    let ids: Vec<String> = (0..texts.len()).map(|i| format!("AGm{i:025}")).collect();
    let iflows: Vec<String> = (0..40).map(|i| format!("Flow_{i:02}")).collect();
    let failures: Vec<Failure> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| Failure {
            message_id: &ids[i],
            iflow: &iflows[i % iflows.len()],
            status: "FAILED",
            at_ms: i as i64 * 36,
            error: ErrorText::Known {
                text,
                error_type: None,
            },
        })
        .collect();
    let opts = GroupOptions {
        per_iflow: false,
        from_ms: 0,
        to_ms: texts.len() as i64 * 36,
        buckets: 24,
    };
    let groups = group(&failures, &Signer::default(), &SeenSignatures::default(), &opts);
    let want: [(&str, &str, usize, usize); 16] = [
        (
            "0fed57c7bd6076ff",
            "javax.net.ssl.SSLHandshakeException: PKIX path building failed: unable to find valid certification path to requested target (host: <host>, serial <n>)",
            1324,
            1,
        ),
        (
            "957fda27d1a484d9",
            "com.sap.it.rt.adapter.http.api.exception.HttpResponseException: An internal server error occured: HTTP 503 Service Unavailable. The error occured with the receiver: <url>",
            1298,
            1,
        ),
        (
            "20acd04a7290a8bc",
            "com.sap.it.rt.adapter.sftp.SftpException: Error while connecting to <host> with user '<*>': Auth fail",
            1281,
            1,
        ),
        (
            "ec0c60c175a67c45",
            "Error in Flow_<n>: receiver down since <ts>",
            1274,
            1,
        ),
        (
            "0a6a77b8e304e9cc",
            "org.apache.camel.component.file.GenericFileOperationFailedException: Cannot change directory to: <path>",
            1270,
            1,
        ),
        (
            "69e13d5b11a01a25",
            "javax.script.ScriptException: java.lang.Exception: groovy.lang.MissingPropertyException: No such property: <name> for class: Script<n>",
            1267,
            1,
        ),
        (
            "0a9f4f9f72a2c89f",
            "com.sap.it.rt.adapter.http.api.exception.HttpResponseException: An internal server error occured: HTTP 401 Unauthorized. The error occured with the receiver: <url>",
            1253,
            1,
        ),
        (
            "bc7d7318cfc5ab68",
            "java.lang.NullPointerException: Cannot invoke method trim() on null object, cause: Script<n>.groovy:<n>",
            1252,
            1,
        ),
        (
            "52fef5b79b5ba124",
            "net.sf.saxon.trans.XPathException: Required item type of first argument of xs:date() is xs:anyAtomicType, at line <n> of <path>",
            1250,
            1,
        ),
        (
            "9d74c62e46558329",
            "com.sap.it.rt.adapter.idoc.IDocException: IDoc <n> with control record MESTYP ORDERS, partner LS_CRM<n> could not be posted: status 51",
            1241,
            1,
        ),
        (
            "ade564545f8f89cb",
            "com.sap.xi.mapping.camel.MappingException: Mapping failed: Cannot produce target element <path> in line <n> column <n>",
            1239,
            1,
        ),
        (
            "381bb68820291074",
            "java.security.cert.CertificateExpiredException: NotAfter: Sun Nov <n> <time> UTC <n> for alias partner_as<n>_<n>",
            1237,
            1,
        ),
        (
            "fb5cacbcb68dd6d0",
            "java.net.SocketTimeoutException: Read timed out after <n> ms while calling <ip>",
            1230,
            1,
        ),
        (
            "72caebe44b224f61",
            "Message retry limit of <n> reached for JMS message <id> in queue DLQ_ORDERS_IN; message moved to the dead-letter queue",
            1199,
            1,
        ),
        (
            "0871710991ca0033",
            "org.apache.cxf.binding.soap.SoapFault: Server was unable to process request. ---> Order <n> of customer <n> is locked by user BATCH<n>",
            1197,
            1,
        ),
        (
            "e947d70e3825ae06",
            "com.sap.gateway.core.ip.component.odata.exception.OsciException: Bad Request : <n> : HTTP/1.1 , Property '<*>' at offset '<*>' has invalid value '<*>'",
            1188,
            1,
        ),
    ];
    let keys: Vec<String> = groups.iter().map(|g| g.key.to_string()).collect();
    let got: Vec<(&str, &str, usize, usize)> = groups
        .iter()
        .zip(&keys)
        .map(|(g, k)| (k.as_str(), g.template.as_str(), g.count, g.keys.len()))
        .collect();
    assert_eq!(got, want);
    // Everything else of the groups (members and their order, iFlows, trend, times, new-ness).
    let all = groups
        .iter()
        .fold(SEED, |h, g| digest(h, format!("{g:?}").as_bytes()));
    assert_eq!(all, 0x8d2cdc6ff5a152ea, "the groups changed");
}
