//! The lean, borrowed form of an MPL list row: what the message list needs and nothing more, decoded
//! without allocating for strings that need no unescaping. The `$select` below is what the client
//! asks for; a field added here must be added there.

use std::borrow::Cow;

use serde::Deserialize;

/// `$select` for message lists (docs/cpi-api.md, "Message processing logs"). The full record (~2.5 KB) is fetched only
/// for the detail view.
pub const MPL_LIST_SELECT: &str = "MessageGuid,CorrelationId,ApplicationMessageId,ApplicationMessageType,\
LogStart,LogEnd,Sender,Receiver,IntegrationFlowName,Status,CustomStatus,IntegrationArtifact";

/// One lean row. Every field is tolerant (docs/cpi-api.md, "Message processing logs"): real
/// tenants send `null` for most of them on messages in flight, older tenants leave properties
/// out, and a value of an unexpected JSON type (a number where text is expected, an object) is
/// read as text or as absent — never as an error that would fail the whole page. A row without
/// a `MessageGuid` decodes with an empty one; the page decoders keep such rows aside.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct MplRow<'a> {
    #[serde(rename = "MessageGuid", borrow, default, deserialize_with = "de_key")]
    pub message_guid: Cow<'a, str>,
    #[serde(rename = "CorrelationId", borrow, default, deserialize_with = "de_text")]
    pub correlation_id: Option<Cow<'a, str>>,
    #[serde(
        rename = "ApplicationMessageId",
        borrow,
        default,
        deserialize_with = "de_text"
    )]
    pub application_message_id: Option<Cow<'a, str>>,
    #[serde(
        rename = "ApplicationMessageType",
        borrow,
        default,
        deserialize_with = "de_text"
    )]
    pub application_message_type: Option<Cow<'a, str>>,
    /// `/Date(ms)/` text; parse with `odata::parse_date`. `null` on messages in flight.
    #[serde(rename = "LogStart", borrow, default, deserialize_with = "de_text")]
    pub log_start: Option<Cow<'a, str>>,
    /// `null` on messages in flight (PROCESSING, some RETRY): `Nullable="true"` in `$metadata`.
    #[serde(rename = "LogEnd", borrow, default, deserialize_with = "de_text")]
    pub log_end: Option<Cow<'a, str>>,
    #[serde(rename = "Sender", borrow, default, deserialize_with = "de_text")]
    pub sender: Option<Cow<'a, str>>,
    /// Can be several names, comma-joined (`"A_SOAP,B_SOAP"`): see `receiver_matches`.
    #[serde(rename = "Receiver", borrow, default, deserialize_with = "de_text")]
    pub receiver: Option<Cow<'a, str>>,
    #[serde(rename = "IntegrationFlowName", borrow, default, deserialize_with = "de_text")]
    pub integration_flow_name: Option<Cow<'a, str>>,
    #[serde(rename = "Status", borrow, default, deserialize_with = "de_text")]
    pub status: Option<Cow<'a, str>>,
    #[serde(rename = "CustomStatus", borrow, default, deserialize_with = "de_text")]
    pub custom_status: Option<Cow<'a, str>>,
    #[serde(
        rename = "IntegrationArtifact",
        borrow,
        default,
        deserialize_with = "de_artifact"
    )]
    pub integration_artifact: Option<MplArtifactRow<'a>>,
}

/// The complex property `IntegrationArtifact`; on messages in flight every field is `null`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct MplArtifactRow<'a> {
    #[serde(rename = "Id", borrow, default, deserialize_with = "de_text")]
    pub id: Option<Cow<'a, str>>,
    #[serde(rename = "Name", borrow, default, deserialize_with = "de_text")]
    pub name: Option<Cow<'a, str>>,
    #[serde(rename = "Type", borrow, default, deserialize_with = "de_text")]
    pub kind: Option<Cow<'a, str>>,
    #[serde(rename = "PackageId", borrow, default, deserialize_with = "de_text")]
    pub package_id: Option<Cow<'a, str>>,
    #[serde(rename = "PackageName", borrow, default, deserialize_with = "de_text")]
    pub package_name: Option<Cow<'a, str>>,
}

/// A text field of a row, whatever JSON the tenant sent: a string (borrowed when it needs no
/// unescaping), a number or boolean as its text, `null`, an object or an array as absent.
fn de_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Cow<'de, str>>, D::Error> {
    d.deserialize_any(TextVisitor)
}

/// `MessageGuid`: like [`de_text`], absent as `""` (the row is then kept aside by its page's
/// decoder).
fn de_key<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Cow<'de, str>, D::Error> {
    Ok(d.deserialize_any(TextVisitor)?.unwrap_or(Cow::Borrowed("")))
}

struct TextVisitor;

impl<'de> serde::de::Visitor<'de> for TextVisitor {
    type Value = Option<Cow<'de, str>>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a text value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_string())))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_string())))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_string())))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(Cow::Borrowed(if v { "true" } else { "false" })))
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map
            .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
            .is_some()
        {}
        Ok(None)
    }
}

/// `IntegrationArtifact`: an object, else (null, or a value of another type) absent.
fn de_artifact<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<MplArtifactRow<'de>>, D::Error> {
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Option<MplArtifactRow<'de>>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an IntegrationArtifact object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            MplArtifactRow::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Some)
        }
        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            TextVisitor.visit_seq(seq).map(|_| None)
        }
        fn visit_borrowed_str<E>(self, _: &'de str) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(V)
}

/// One page of MPL rows: `{"d":{"results":[…],"__count":"N","__next":"…"}}`.
#[derive(Debug, Deserialize)]
pub struct MplRowPage<'a> {
    #[serde(borrow)]
    pub d: MplRowPageBody<'a>,
}

#[derive(Debug, Deserialize)]
pub struct MplRowPageBody<'a> {
    /// An element that is not an object (`null`, a number) decodes as a row without
    /// `MessageGuid`, which the page decoders keep aside.
    #[serde(borrow, deserialize_with = "de_rows")]
    pub results: Vec<MplRow<'a>>,
    #[serde(rename = "__count", borrow, default, deserialize_with = "de_text")]
    pub count: Option<Cow<'a, str>>,
    #[serde(rename = "__next", borrow, default, deserialize_with = "de_text")]
    pub next: Option<Cow<'a, str>>,
}

fn de_rows<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<MplRow<'de>>, D::Error> {
    struct Slot<'a>(MplRow<'a>);
    impl<'de> Deserialize<'de> for Slot<'de> {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = MplRow<'de>;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("a message processing log")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                    MplRow::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                }
                fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                    TextVisitor.visit_seq(seq).map(|_| MplRow::default())
                }
                fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                    d.deserialize_any(self)
                }
                fn visit_none<E>(self) -> Result<Self::Value, E> {
                    Ok(MplRow::default())
                }
                fn visit_unit<E>(self) -> Result<Self::Value, E> {
                    Ok(MplRow::default())
                }
                fn visit_borrowed_str<E>(self, _: &'de str) -> Result<Self::Value, E> {
                    Ok(MplRow::default())
                }
                fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                    Ok(MplRow::default())
                }
                fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                    Ok(MplRow::default())
                }
                fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                    Ok(MplRow::default())
                }
                fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                    Ok(MplRow::default())
                }
                fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                    Ok(MplRow::default())
                }
            }
            d.deserialize_any(V).map(Slot)
        }
    }
    let slots: Vec<Slot<'de>> = Vec::deserialize(d)?;
    Ok(slots.into_iter().map(|s| s.0).collect())
}

impl<'a> MplRow<'a> {
    /// The iFlow id: `IntegrationArtifact/Id`, else the deprecated `IntegrationFlowName`.
    pub fn iflow_id(&self) -> &str {
        self.integration_artifact
            .as_ref()
            .and_then(|a| a.id.as_deref())
            .or(self.integration_flow_name.as_deref())
            .unwrap_or("")
    }
}

/// Whether `name` is one of the names of a `Sender`/`Receiver` value, which real tenants send
/// comma-joined when a message went to several (`"A_SOAP,B_SOAP"`): exact membership, spaces
/// around the names ignored. What the server-side `substringof` is re-checked with.
pub fn list_contains(list: &str, name: &str) -> bool {
    let name = name.trim();
    !name.is_empty() && list.split(',').any(|p| p.trim() == name)
}

/// Decode one MPL list page, borrowing from `bytes`.
pub fn decode_page(bytes: &[u8]) -> Result<MplRowPage<'_>, serde_json::Error> {
    serde_json::from_slice(bytes)
}

/// What the MPL fetcher needs to know of a page it had decoded by the caller's decoder (the store's
/// columnar batch, or a plain `Vec` in tests): how many rows, and the newest `LogEnd` among them,
/// which is where keyset paging continues.
pub trait DecodedMplPage: Send + 'static {
    fn row_count(&self) -> usize;
    fn max_log_end(&self) -> Option<crate::cpi::odata::EpochMs>;
    /// Each row's `MessageGuid` and `LogEnd` (what a delta's check compares; `mpl_follow`).
    /// Rows without a `LogEnd` are left out.
    fn for_each_key(&self, f: &mut dyn FnMut(&str, crate::cpi::odata::EpochMs));
    /// Called by the fetcher before the page goes to the sink: the page was requested at server
    /// time `at`, and whether it lists the messages in flight (`mpl_window`, "In-flight
    /// messages"). Pages that hold only what they decoded ignore it.
    fn observed(&mut self, _at: crate::cpi::odata::EpochMs, _in_flight: InFlightPage) {}
}

/// What a page of messages is, for the messages in flight (`mpl_window`, "In-flight messages").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum InFlightPage {
    /// A page of a window load or a delta.
    #[default]
    No,
    /// The in-flight listing, but not all of it (more than one page were in flight).
    Partial,
    /// Every message in flight within the query's filters: one held as in flight but not
    /// listed has left that state.
    Complete,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receivers_in_a_comma_joined_list() {
        assert!(list_contains("A_SOAP,B_SOAP", "B_SOAP"));
        assert!(list_contains("A_SOAP, B_SOAP", " B_SOAP"));
        assert!(list_contains("A_SOAP", "A_SOAP"));
        assert!(!list_contains("A_SOAP,B_SOAP", "SOAP"));
        assert!(!list_contains("A_SOAP,B_SOAP", ""));
    }

    #[test]
    fn a_row_decodes_whatever_the_types_and_a_page_never_fails_on_one_row() {
        let body = br#"{"d":{"__count":3,"results":[
 {"MessageGuid":"A","LogStart":null,"LogEnd":null,"CorrelationId":null,"IntegrationFlowName":null,"LogLevel":null,
  "TransactionId":null,"Status":"PROCESSING","IntegrationArtifact":{"Id":null,"Name":null,"Type":null,"PackageId":null,"PackageName":null}},
 {"MessageGuid":"B","ApplicationMessageId":4711,"Sender":true,"Receiver":["x"],"Status":{"v":1},"IntegrationArtifact":"odd"},
 null, 17, {"Status":"FAILED"}]}}"#;
        let page = decode_page(body).expect("decodes");
        assert_eq!(page.d.results.len(), 5);
        assert_eq!(page.d.count.as_deref(), Some("3"));
        let a = &page.d.results[0];
        assert_eq!((a.log_end.as_deref(), a.iflow_id()), (None, ""));
        assert_eq!(
            a.integration_artifact.as_ref().and_then(|x| x.id.as_deref()),
            None
        );
        let b = &page.d.results[1];
        assert_eq!(b.application_message_id.as_deref(), Some("4711"));
        assert_eq!((b.sender.as_deref(), b.receiver.as_deref()), (Some("true"), None));
        assert_eq!(
            (b.status.as_deref(), b.integration_artifact.as_ref()),
            (None, None)
        );
        // Not objects, or without a MessageGuid: rows without a key, for the decoders to set aside.
        assert!(page.d.results[2..].iter().all(|r| r.message_guid.is_empty()));
    }

    #[test]
    fn decodes_borrowed_with_nulls_and_escapes() {
        let body = br#"{"d":{"__count":"2","results":[
 {"__metadata":{"id":"u","uri":"u","type":"com.sap.hci.api.MessageProcessingLog"},"MessageGuid":"AGZ0aBcDeFgHiJkLmNoPqRsTuVwX",
  "CorrelationId":"AGZ0aBc1xYz2wVu3tSr4qPo5nMl6","ApplicationMessageId":null,"LogStart":"\/Date(1718000000000)\/",
  "LogEnd":"/Date(1718000002345)/","Sender":"S4\"HANA","Receiver":null,"IntegrationFlowName":"Orders_Inbound","Status":"FAILED",
  "IntegrationArtifact":{"__metadata":{"type":"com.sap.hci.api.IntegrationArtifact"},"Id":"Orders_Inbound","Name":"Orders Inbound",
  "Type":"INTEGRATION_FLOW","PackageId":"SalesIntegration","PackageName":"Sales Integration"}}],
 "__next":"https://t1/api/v1/MessageProcessingLogs?$skiptoken=1000"}}"#;
        let page = decode_page(body).expect("decodes");
        assert_eq!(page.d.count.as_deref(), Some("2"));
        let row = &page.d.results[0];
        assert!(matches!(row.message_guid, Cow::Borrowed(_)));
        assert_eq!(row.sender.as_deref(), Some("S4\"HANA"));
        assert_eq!(row.iflow_id(), "Orders_Inbound");
        assert_eq!(
            row.log_start.as_deref().and_then(crate::cpi::odata::parse_date),
            Some(1_718_000_000_000)
        );
    }
}
