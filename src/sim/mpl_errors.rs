//! Error texts of the sim's failed messages, as `ErrorInformation/$value` shows them on a real
//! tenant: a handful of problems, each failing many messages, and every occurrence different in
//! its ids, hosts, ports, numbers and quoted values (and ending with "The MPL ID for the failed
//! message is : AG…"). So the Errors pane shows a few groups out of many failures.
//!
//! A failing message's problem depends on its iFlow: each [`ErrorKind`] fits some iFlows (by
//! receiver and adapter) and a message picks among the kinds that fit its iFlow, weighted. Some
//! kinds fit several iFlows (the S/4HANA receiver refusing connections through the Cloud
//! Connector fails every iFlow that sends to it: one problem across iFlows), others one kind of
//! adapter. What varies is drawn from the message's own hash: the same seed gives the same
//! texts.

use super::catalog::Flow;

/// One kind of failure: the model step that fails, which iFlows it can happen in, how often
/// relative to the other kinds that fit, and its text.
pub struct ErrorKind {
    /// `LastErrorModelStepId`, and the failing step of the run.
    pub step: &'static str,
    /// Relative frequency among the kinds that fit an iFlow.
    pub weight: u32,
    pub fits: fn(&Flow) -> bool,
    /// The text without the trailing MPL-ID sentence; `v` draws what varies.
    pub text: fn(&Flow, &mut Vary) -> String,
}

/// What varies between occurrences, drawn from a message's hash (splitmix steps).
pub struct Vary(u64);

impl Vary {
    pub fn new(h: u64) -> Self {
        Vary(h)
    }
    /// A number in `0..n` (`n` ≥ 1).
    pub fn below(&mut self, n: u64) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n.max(1)
    }
    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }
    /// `n` lowercase hex digits.
    pub fn hex(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b"0123456789abcdef"[self.below(16) as usize]))
            .collect()
    }
}

/// `S4HANA_PRD` → `s4hana-prd.example.com`: a receiver's host.
fn host(name: &str) -> String {
    format!("{}.example.com", name.to_ascii_lowercase().replace('_', "-"))
}

fn to_s4(f: &Flow) -> bool {
    f.receiver == "S4HANA_PRD" && matches!(f.receiver_adapter, "SOAP" | "IDOC" | "OData")
}

/// The kinds of failure, in a fixed order (a message's choice is an index into it).
pub const ERROR_KINDS: &[ErrorKind] = &[
    // The S/4HANA system behind the Cloud Connector refuses connections: every iFlow sending to
    // it fails the same way.
    ErrorKind {
        step: "CallActivity_12",
        weight: 40,
        fits: to_s4,
        text: |_, v| {
            format!(
                "org.apache.camel.CamelExchangeException: Connection refused (Connection refused) while connecting to s4hana-prd.internal:{} via Cloud Connector location 'PRD' after {} ms (attempt {} of 3)",
                [44300, 44301, 8443][v.below(3) as usize],
                v.range(2, 30_000),
                v.range(1, 3)
            )
        },
    },
    ErrorKind {
        step: "CallActivity_12",
        weight: 30,
        fits: |f| f.receiver == "WebShop" && f.receiver_adapter == "HTTP",
        text: |f, v| {
            format!(
                "org.apache.camel.component.ahc.AhcOperationFailedException: HTTP operation failed invoking https://api.{}:443/v1/{}/{} with statusCode: 401",
                host(f.receiver),
                f.msg_type.to_ascii_lowercase(),
                v.range(100_000, 999_999)
            )
        },
    },
    ErrorKind {
        step: "CallActivity_12",
        weight: 20,
        fits: |f| f.receiver == "S4HANA_PRD" && f.receiver_adapter == "OData",
        text: |_, v| {
            format!(
                "org.apache.camel.component.ahc.AhcOperationFailedException: HTTP operation failed invoking https://s4hana-prd.internal:44300/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder('{}') with statusCode: 500",
                v.range(10_000_000, 19_999_999)
            )
        },
    },
    ErrorKind {
        step: "MessageMapping_3",
        weight: 12,
        fits: |f| f.receiver_adapter == "IDOC",
        text: |_, v| {
            format!(
                "com.sap.xi.mapping.camel.XiMappingException: com.sap.aii.mappingtool.tf7.IllegalInstanceException: Cannot create target element /ns0:Order/Item[{}]/Material. Values missing in queue context. Target XSD requires a value for this element, but the target-field mapping does not create one.",
                v.range(1, 40) * 10
            )
        },
    },
    ErrorKind {
        step: "CallActivity_7",
        weight: 12,
        fits: |f| f.receiver_adapter == "SOAP",
        text: |f, v| {
            format!(
                "org.apache.cxf.binding.soap.SoapFault: Server was unable to process request. ---> Document {} from {} rejected by the receiver: duplicate document number",
                v.range(4_500_000_000, 4_599_999_999),
                f.sender
            )
        },
    },
    ErrorKind {
        step: "CallActivity_12",
        weight: 8,
        fits: |f| matches!(f.receiver_adapter, "HTTP" | "SOAP"),
        text: |f, v| {
            format!(
                "java.net.SocketTimeoutException: Read timed out after {} ms while calling {}:{}",
                v.range(60_000, 65_000),
                host(f.receiver),
                [443, 8443][v.below(2) as usize]
            )
        },
    },
    ErrorKind {
        step: "ExceptionSubprocess_1",
        weight: 10,
        fits: |f| f.jms,
        text: |f, v| {
            format!(
                "com.sap.it.rt.adapter.jms.exceptions.JmsRetryExhaustedException: Maximum number of retries (5) reached for message ID:10.{}.{}.{}{}:{} in queue JMS_{}; message moved to DLQ_{}",
                v.range(0, 255),
                v.range(0, 255),
                v.range(0, 255),
                v.hex(12),
                v.range(1, 99_999),
                f.id,
                f.id
            )
        },
    },
    ErrorKind {
        step: "ScriptTask_4",
        weight: 3,
        fits: |_| true,
        text: |_, v| {
            format!(
                "javax.script.ScriptException: java.lang.NullPointerException: Cannot get property 'Header' on null object, cause: NullPointerException in script{}.groovy at line {}",
                v.range(1, 3),
                v.range(38, 46)
            )
        },
    },
    ErrorKind {
        step: "CallActivity_12",
        weight: 8,
        fits: |f| f.receiver_adapter == "OData",
        text: |_, v| {
            format!(
                "com.sap.gateway.core.ip.component.odata.exception.OsciException: Bad Request : 400 : HTTP/1.1 , cause: Property 'NetAmount' has invalid value '-{}.{:02}'",
                v.range(0, 9_999),
                v.below(100)
            )
        },
    },
    ErrorKind {
        step: "ContentModifier_5",
        weight: 1,
        fits: |_| true,
        text: |_, v| {
            format!(
                "com.sap.it.op.agent.mpl.MplException: The message size of {} bytes exceeds the limit of 40 MB",
                v.range(41_943_041, 90_000_000)
            )
        },
    },
    ErrorKind {
        step: "CallActivity_12",
        weight: 25,
        fits: |f| f.receiver_adapter == "SFTP",
        text: |f, v| {
            format!(
                "com.sap.it.rt.adapter.sftp.SftpException: Error while connecting to sftp.{}:22 with user 'cpi_{}': Auth fail",
                host(f.receiver),
                v.range(100, 999)
            )
        },
    },
    ErrorKind {
        step: "CallActivity_12",
        weight: 25,
        fits: |f| f.receiver_adapter == "AS2",
        text: |f, v| {
            format!(
                "javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target (host: as2.{}, port {})",
                host(f.receiver),
                [443, 4080][v.below(2) as usize]
            )
        },
    },
    ErrorKind {
        step: "CallActivity_12",
        weight: 25,
        fits: |f| f.receiver_adapter == "Mail",
        text: |f, v| {
            format!(
                "javax.mail.MessagingException: Could not connect to SMTP host: smtp.{}, port: 587; nested exception is: java.net.ConnectException: Connection timed out after {} ms",
                host(f.receiver),
                v.range(30_000, 31_000)
            )
        },
    },
    // What fits no other kind (Ariba, AMQP, ProcessDirect receivers): the receiver answering 503.
    ErrorKind {
        step: "CallActivity_12",
        weight: 2,
        fits: |_| true,
        text: |f, v| {
            format!(
                "com.sap.it.rt.adapter.http.api.exception.HttpResponseException: An internal server error occured: HTTP 503 Service Unavailable. The error occured with the receiver: https://{}/{}/{} .",
                host(f.receiver),
                f.receiver_adapter.to_ascii_lowercase(),
                v.range(1, 999_999)
            )
        },
    },
];

/// The kind of failure of a message of `flow`, from its hash `h`: weighted among the kinds that
/// fit the iFlow.
pub fn kind_for(flow: &Flow, h: u64) -> u8 {
    let total: u64 = ERROR_KINDS
        .iter()
        .filter(|k| (k.fits)(flow))
        .map(|k| u64::from(k.weight))
        .sum();
    let mut pick = h % total.max(1);
    for (i, k) in ERROR_KINDS.iter().enumerate() {
        if !(k.fits)(flow) {
            continue;
        }
        let w = u64::from(k.weight);
        if pick < w {
            return i as u8;
        }
        pick -= w;
    }
    (ERROR_KINDS.len() - 1) as u8
}

/// The whole text of one failure: the kind's text with what `h` varies, then the MPL-ID
/// sentence real tenants append.
pub fn text(kind: u8, flow: &Flow, h: u64, guid: &str) -> String {
    let k = &ERROR_KINDS[kind as usize % ERROR_KINDS.len()];
    let mut v = Vary::new(h);
    format!(
        "{}\nThe MPL ID for the failed message is : {guid}",
        (k.text)(flow, &mut v)
    )
}

/// The failing model step of a kind.
pub fn step(kind: u8) -> &'static str {
    ERROR_KINDS[kind as usize % ERROR_KINDS.len()].step
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::catalog::FLOWS;

    #[test]
    fn every_iflow_has_a_kind_and_picks_only_kinds_that_fit() {
        for f in FLOWS {
            for h in 0..200u64 {
                let k = kind_for(f, crate::sim::mpl_gen::mix(h));
                assert!((ERROR_KINDS[k as usize].fits)(f), "{} got kind {k}", f.id);
            }
        }
    }

    #[test]
    fn occurrences_vary_and_the_same_hash_gives_the_same_text() {
        let f = FLOWS.iter().find(|f| to_s4(f)).expect("an iFlow to S/4HANA");
        let a = text(0, f, 1, "AG1");
        let b = text(0, f, 2, "AG2");
        assert_ne!(a, b);
        assert_eq!(a, text(0, f, 1, "AG1"));
        assert!(a.ends_with("\nThe MPL ID for the failed message is : AG1"), "{a}");
    }
}
