//! Client benchmarks (issue 2 / issue 7):
//! - `mpl_decode/lean_page_1000`: decoding one 1000-record lean MPL page (the `$select` of
//!   `mpl_row`) with `mpl_row::decode_page`; throughput in records/s.
//! - `mpl_load/sim_100k` (added with the simulated tenant): the full load of 100,000 messages from
//!   the sim over loopback through `CpiClient::fetch_mpl_window`.

use std::hint::black_box;

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// A realistic lean page as the tenant sends it: `__metadata` with absolute URIs, nulls for empty
/// strings, the nested `IntegrationArtifact`.
fn lean_page(n: usize) -> Bytes {
    let host = "https://t1.it-cpi018.cfapps.eu10.hana.ondemand.com:443/api/v1";
    let statuses = [
        "COMPLETED",
        "COMPLETED",
        "COMPLETED",
        "FAILED",
        "RETRY",
        "PROCESSING",
    ];
    let mut rows = Vec::with_capacity(n);
    for i in 0..n {
        let guid = format!("AGZ0aBcDeFgHiJkLm{i:011}");
        let flow = format!("Orders_Inbound_{}", i % 40);
        let status = statuses[i % statuses.len()];
        let end = 1_718_000_000_000i64 + i as i64 * 37;
        rows.push(format!(
            r#"{{"__metadata":{{"id":"{host}/MessageProcessingLogs('{guid}')","uri":"{host}/MessageProcessingLogs('{guid}')","type":"com.sap.hci.api.MessageProcessingLog"}},"MessageGuid":"{guid}","CorrelationId":"AGZ0aBc1xYz2wVu3{i:012}","ApplicationMessageId":{app},"ApplicationMessageType":null,"LogStart":"/Date({start})/","LogEnd":"/Date({end})/","Sender":"S4HANA_{s}","Receiver":{recv},"IntegrationFlowName":"{flow}","Status":"{status}","CustomStatus":"{status}","IntegrationArtifact":{{"__metadata":{{"type":"com.sap.hci.api.IntegrationArtifact"}},"Id":"{flow}","Name":"Orders Inbound {f}","Type":"INTEGRATION_FLOW","PackageId":"SalesIntegration","PackageName":"Sales Integration"}}}}"#,
            app = if i % 3 == 0 { "null".to_string() } else { format!("\"PO-{i:08}\"") },
            start = end - 1234,
            s = i % 7,
            recv = if i % 5 == 0 { "null".to_string() } else { format!("\"SFTP_{}\"", i % 11) },
            f = i % 40,
        ));
    }
    Bytes::from(format!(
        r#"{{"d":{{"results":[{}],"__next":"{host}/MessageProcessingLogs?$skiptoken=1000"}}}}"#,
        rows.join(",")
    ))
}

fn bench_decode(c: &mut Criterion) {
    let page = lean_page(1000);
    let mut g = c.benchmark_group("mpl_decode");
    g.throughput(Throughput::Elements(1000));
    g.bench_function("lean_page_1000", |b| {
        b.iter(|| {
            let p = cpitop::cpi::mpl_row::decode_page(black_box(&page)).expect("decodes");
            assert_eq!(p.d.results.len(), 1000);
            black_box(p.d.results.len())
        })
    });
    g.bench_function("lean_page_1000_guid_page", |b| {
        b.iter(|| {
            let p = cpitop::cpi::decode_guid_page(black_box(page.clone())).expect("decodes");
            black_box(p.rows.len())
        })
    });
    g.finish();
}

criterion_group!(benches, bench_decode);
criterion_main!(benches);
