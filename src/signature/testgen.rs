//! Generated error texts for the signature benchmark and the tests that pin its output: 16
//! problems in the forms the Cloud Integration runtime reports them (adapter exceptions with their
//! receiver, Groovy and mapping errors, timeouts, SFTP, OData, IDoc, JMS, TLS), each occurrence
//! with its own ids, numbers, hosts and paths and the trailing MPL-ID sentence, so that every text
//! is unique as on a real tenant. Deterministic (xorshift, no dependency): the same `n` gives the
//! same texts on every machine.

/// Problems the texts are drawn from (`r % PROBLEMS` picks one).
pub const PROBLEMS: u64 = 16;

/// `n` error texts, each one unique.
pub fn error_texts(n: usize) -> Vec<String> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let id = |r: u64| format!("AGDY{:024x}", r as u128 * 0x1_0000_0001)[..28].to_string();
    (0..n)
        .map(|_| {
            let r = next();
            let a = r % 10_000;
            let host = r % 97;
            let text = match r % PROBLEMS {
                0 => format!("com.sap.it.rt.adapter.http.api.exception.HttpResponseException: An internal server error occured: HTTP 401 Unauthorized. The error occured with the receiver: https://api{host}.partner.com/v1/orders/{a} ."),
                1 => format!("com.sap.it.rt.adapter.http.api.exception.HttpResponseException: An internal server error occured: HTTP 503 Service Unavailable. The error occured with the receiver: https://erp.acme.com:44300/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder('{a}') ."),
                2 => format!("javax.script.ScriptException: java.lang.Exception: groovy.lang.MissingPropertyException: No such property: field{a} for class: Script{}\n\tat com.sap.gateway.ip.core.customdev.processor.IGWScriptProcessor.evaluate(IGWScriptProcessor.java:{a})", a % 20),
                3 => format!("java.net.SocketTimeoutException: Read timed out after {a} ms while calling 10.1.{}.{}:8443", host, a % 255),
                4 => format!("com.sap.it.rt.adapter.sftp.SftpException: Error while connecting to sftp{host}.supplier.de:22 with user 'edi_{a}': Auth fail"),
                5 => format!("org.apache.camel.component.file.GenericFileOperationFailedException: Cannot change directory to: /out/invoices/{a}/2026-12-07"),
                6 => format!("com.sap.gateway.core.ip.component.odata.exception.OsciException: Bad Request : 400 : HTTP/1.1 , Property 'Item{a}' at offset '{host}' has invalid value '{a}'"),
                7 => format!("com.sap.it.rt.adapter.idoc.IDocException: IDoc {} with control record MESTYP ORDERS, partner LS_CRM{host} could not be posted: status 51", 100_000_000 + a),
                8 => format!("Message retry limit of 5 reached for JMS message ID:10.1.{host}.3a1b2c3d4e5f:{a} in queue DLQ_ORDERS_IN; message moved to the dead-letter queue"),
                9 => format!("javax.net.ssl.SSLHandshakeException: PKIX path building failed: unable to find valid certification path to requested target (host: gw{host}.bank.com, serial 0x{a:X})"),
                10 => format!("com.sap.xi.mapping.camel.MappingException: Mapping failed: Cannot produce target element /ns0:ORDERS05/IDOC/E1EDK{a}/BELNR in line {host} column {a}"),
                11 => format!("org.apache.cxf.binding.soap.SoapFault: Server was unable to process request. ---> Order {a} of customer {host} is locked by user BATCH{}", a % 9),
                12 => format!("net.sf.saxon.trans.XPathException: Required item type of first argument of xs:date() is xs:anyAtomicType, at line {a} of /xsl/t{host}.xsl"),
                13 => format!("java.lang.NullPointerException: Cannot invoke method trim() on null object, cause: Script{host}.groovy:{a}"),
                14 => format!("java.security.cert.CertificateExpiredException: NotAfter: Sun Nov 0{} 12:00:00 UTC 2026 for alias partner_as2_{host}", a % 9 + 1),
                _ => format!("Error in Flow_{host}: receiver down since 2026-12-07T01:{:02}:00Z", a % 60),
            };
            format!("{text}\nThe MPL ID for the failed message is : {}", id(next()))
        })
        .collect()
}
