//! Runtime and design-time artifacts, packages, deploy/undeploy (docs/cpi-api.md, "Runtime artifacts", "Other entity sets").

use std::collections::HashSet;

use http::StatusCode;

use super::catalog::{DEPLOY_ERRORS, DeployErrorDef, FLOWS, OTHER_ARTIFACTS, PACKAGES, STOPPED_ERROR};
use super::filter::{FieldType, Val};
use super::json::Json;
use super::mpl_gen::mix;
use super::resp::{Resp, bad_request, method_not_allowed, not_found, odata_error};
use super::routing::{
    Ctx, FieldTable, Seg, collection, collection_q, count, filter_sort, metadata, s, single,
};
use super::world::World;

use super::state::Task;
pub use super::state::{Artifact, Artifacts};

/// Seconds a deploy takes in sim time (STARTING → STARTED/ERROR).
pub const DEPLOY_MS: i64 = 4_000;

impl Artifacts {
    pub fn new(seed: u64, t0: i64) -> Self {
        let day = 86_400_000i64;
        let mut list = Vec::new();
        for (fi, f) in FLOWS.iter().enumerate() {
            let h = mix(seed ^ fi as u64);
            list.push(Artifact {
                id: f.id,
                name: f.name,
                kind: "INTEGRATION_FLOW",
                package: f.package,
                version: format!("1.{}.{}", h % 4, (h >> 8) % 15),
                deployed_by: [
                    "ops.user@acme.com",
                    "integration.dev@acme.com",
                    "sb-cicd-pipeline!b12",
                ][(h >> 16) as usize % 3]
                    .into(),
                deployed_on: t0 - day * (2 + (h >> 24) as i64 % 120) - (h >> 40) as i64 % day,
                status: "STARTED",
                error: None,
                deployed: true,
                pending: None,
                flow: Some(fi as u16),
                broken: false,
                created_at: t0 - day * (200 + (h >> 32) as i64 % 500),
            });
        }
        for (k, (id, name, kind, pkg)) in OTHER_ARTIFACTS.iter().enumerate() {
            let h = mix(seed ^ 0xA000 ^ k as u64);
            list.push(Artifact {
                id,
                name,
                kind,
                package: *pkg,
                version: format!("1.0.{}", h % 9),
                deployed_by: "integration.dev@acme.com".into(),
                deployed_on: t0 - day * (10 + (h >> 8) as i64 % 300),
                status: "STARTED",
                error: None,
                deployed: true,
                pending: None,
                flow: None,
                broken: false,
                created_at: t0 - day * 400,
            });
        }
        let mut a = Self {
            list,
            tasks: Vec::new(),
            seed,
        };
        // The scenario: a few artifacts in ERROR, one STARTING, one never deployed.
        a.set_error("Orders_Legacy_Inbound", 2);
        a.set_error("Payroll_Export", 1);
        a.set_error("Contract_Sync", 0);
        if let Some(x) = a.find_mut("Contract_Sync") {
            x.broken = true;
        }
        if let Some(x) = a.find_mut("Vendor_Onboarding") {
            x.status = "STARTING";
            x.pending = Some((t0 + 20_000, true));
        }
        if let Some(x) = a.find_mut("Inventory_Snapshot") {
            x.deployed = false;
        }
        a
    }

    /// Apply one change of `SimConfig::artifact_changes` (an unknown id changes nothing).
    pub fn change(&mut self, c: &super::config::ArtifactChange, t0: i64) {
        use super::config::Change;
        match &c.change {
            Change::Stopped => {
                self.set_running(&c.id, false);
                return;
            }
            Change::Undeployed => {
                if let Some(a) = self.find_mut(&c.id) {
                    a.deployed = false;
                    a.pending = None;
                }
                return;
            }
            Change::Version(_) | Change::Behind => {}
        }
        let Some(a) = self.find_mut(&c.id) else { return };
        a.version = match &c.change {
            Change::Version(v) => v.clone(),
            _ => version_behind(&a.version),
        };
        if c.change == Change::Behind {
            a.deployed_on = a.deployed_on.min(t0) - 7 * 86_400_000;
        }
    }

    /// Deploy `version` of an artifact now (its `DeployedOn` is now): a change promoted to this
    /// tenant. `false` when there is no such artifact.
    pub fn deploy_version(&mut self, id: &str, version: &str, now: i64) -> bool {
        let Some(a) = self.find_mut(id) else { return false };
        a.version = version.to_string();
        a.deployed = true;
        a.deployed_on = now;
        a.deployed_by = "sb-cpitop-sim!b1|it!b2".into();
        true
    }

    fn set_error(&mut self, id: &str, err: usize) {
        if let Some(x) = self.find_mut(id) {
            x.status = "ERROR";
            x.error = Some(deploy_error(&DEPLOY_ERRORS[err]));
        }
    }

    pub fn find_mut(&mut self, id: &str) -> Option<&mut Artifact> {
        self.list.iter_mut().find(|a| a.id == id)
    }
    pub fn find(&self, id: &str) -> Option<&Artifact> {
        self.list.iter().find(|a| a.id == id)
    }

    /// Finish deploys that are due; true if any status changed.
    pub fn advance(&mut self, now: i64) -> bool {
        let mut changed = false;
        for a in &mut self.list {
            if let Some((at, ok)) = a.pending
                && at <= now
            {
                a.pending = None;
                changed = true;
                if ok {
                    a.status = "STARTED";
                    a.error = None;
                } else {
                    a.status = "ERROR";
                    a.error = Some(deploy_error(&DEPLOY_ERRORS[0]));
                }
            }
        }
        changed
    }

    /// iFlows that produce no messages now (not deployed or not STARTED).
    pub fn stopped_flows(&self) -> HashSet<u16> {
        self.list
            .iter()
            .filter(|a| !a.deployed || a.status != "STARTED")
            .filter_map(|a| a.flow)
            .collect()
    }

    /// Deploy the active version: STARTING now, STARTED (or ERROR if broken) after `DEPLOY_MS`.
    /// Returns the task id.
    pub fn deploy(&mut self, id: &str, now: i64) -> Option<String> {
        let n = self.tasks.len() as u64;
        let seed = self.seed;
        let a = self.find_mut(id)?;
        a.deployed = true;
        a.status = "STARTING";
        a.error = None;
        a.deployed_on = now;
        a.deployed_by = "sb-cpitop-sim!b1|it!b2".into();
        let ok = !a.broken;
        a.pending = Some((now + DEPLOY_MS, ok));
        let h = mix(seed ^ 0x7A5C ^ n);
        let task = format!("{:016x}{:016x}", h, mix(h));
        self.tasks.push(Task {
            id: task.clone(),
            done_at: now + DEPLOY_MS,
            ok,
        });
        Some(task)
    }

    /// Admin: stop (ERROR with an error text) or start (STARTED) an artifact.
    pub fn set_running(&mut self, id: &str, running: bool) -> bool {
        let Some(a) = self.find_mut(id) else { return false };
        a.deployed = true;
        a.pending = None;
        if running {
            a.status = "STARTED";
            a.error = None;
        } else {
            a.status = "ERROR";
            let levels: Vec<(&str, Vec<String>)> = STOPPED_ERROR
                .iter()
                .map(|(mid, ps)| (*mid, ps.iter().map(|p| p.replace("{id}", id)).collect()))
                .collect();
            a.error = Some(("InstanceError".into(), instance_error(&levels)));
        }
        true
    }
}

/// The version before `v`: `1.2.5` → `1.2.4`, `1.3.0` → `1.2.9`, `2.0.0` → `1.9.9`; a version
/// not of that form gets `-prev` appended.
pub fn version_behind(v: &str) -> String {
    let parts: Vec<Option<u64>> = v.split('.').map(|p| p.parse().ok()).collect();
    let nums: Option<Vec<u64>> = parts.into_iter().collect();
    let Some(mut n) = nums.filter(|n| !n.is_empty() && n.iter().any(|x| *x > 0)) else {
        return format!("{v}-prev");
    };
    // Borrow from the left like a counter in base 10.
    let mut i = n.len() - 1;
    loop {
        if n[i] > 0 {
            n[i] -= 1;
            break;
        }
        n[i] = 9;
        if i == 0 {
            break;
        }
        i -= 1;
    }
    n.iter().map(u64::to_string).collect::<Vec<_>>().join(".")
}

/// `(messageId, parameter)` of a catalog deploy error.
fn deploy_error(d: &DeployErrorDef) -> (String, String) {
    if d.levels.is_empty() {
        return (d.message_id.into(), d.text.into());
    }
    let levels: Vec<(&str, Vec<String>)> = d
        .levels
        .iter()
        .map(|(mid, ps)| (*mid, ps.iter().map(|p| p.to_string()).collect()))
        .collect();
    (d.message_id.into(), instance_error(&levels))
}

/// The JSON document an `InstanceError` carries as a string in `parameter`: the first level
/// with each next one nested as its only `childMessageInstances` entry.
fn instance_error(levels: &[(&str, Vec<String>)]) -> String {
    let mut doc = serde_json::Value::Array(vec![]);
    for (mid, params) in levels.iter().rev() {
        doc = serde_json::json!({
            "messageId": mid,
            "parameters": params,
            "childMessageInstances": doc,
        });
    }
    doc.to_string()
}

fn runtime_fields() -> FieldTable<Artifact> {
    &[
        ("Id", FieldType::Str, |a| s(a.id)),
        ("Name", FieldType::Str, |a| s(a.name)),
        ("Type", FieldType::Str, |a| s(a.kind)),
        ("Status", FieldType::Str, |a| s(a.status)),
        ("Version", FieldType::Str, |a| s(&a.version)),
        ("DeployedBy", FieldType::Str, |a| s(&a.deployed_by)),
        ("DeployedOn", FieldType::Date, |a| Val::Date(a.deployed_on)),
    ]
}

fn write_runtime(j: &mut Json, ctx: &Ctx, a: &Artifact) {
    let key = format!("/IntegrationRuntimeArtifacts('{}')", a.id);
    let q = &ctx.q;
    j.obj();
    metadata(
        j,
        &[ctx.api, &key],
        "com.sap.hci.api.IntegrationRuntimeArtifact",
        Some("application/octet-stream"),
    );
    if q.selects("Id") {
        j.key("Id").str(a.id);
    }
    if q.selects("Version") {
        j.key("Version").str(&a.version);
    }
    if q.selects("Name") {
        j.key("Name").str(display_name(ctx, a));
    }
    if q.selects("Type") {
        j.key("Type").str(a.kind);
    }
    if q.selects("DeployedBy") {
        j.key("DeployedBy").opt_str(Some(&a.deployed_by));
    }
    if q.selects("DeployedOn") {
        // Real CF tenants send an ISO local time without offset (CF runs on UTC), SAP's examples
        // `/Date(ms)/`, a DateTimeOffset `/Date(ms+0060)/` (docs/sim.md, "Dates").
        match (ctx.cfg.clean, fastrand_of(a.id) % 3) {
            (false, 0) => {
                let iso = chrono::DateTime::from_timestamp_millis(a.deployed_on)
                    .map(|d| d.format("%Y-%m-%dT%H:%M:%S%.3f").to_string())
                    .unwrap_or_default();
                j.key("DeployedOn").str(&iso);
            }
            (false, 1) => {
                j.key("DeployedOn")
                    .str(&format!("/Date({}+0060)/", a.deployed_on));
            }
            _ => {
                j.key("DeployedOn").date(a.deployed_on);
            }
        }
    }
    if q.selects("Status") {
        j.key("Status").str(a.status);
    }
    if q.selects("ErrorInformation") {
        j.key("ErrorInformation")
            .deferred(&[ctx.api, &key, "/ErrorInformation"]);
    }
    j.end_obj();
}

fn pkg_fields() -> FieldTable<usize> {
    &[
        ("Id", FieldType::Str, |p| s(PACKAGES[*p].0)),
        ("Name", FieldType::Str, |p| s(PACKAGES[*p].1)),
    ]
}

fn write_package(j: &mut Json, ctx: &Ctx, p: usize, t0: i64) {
    let (id, name, desc) = PACKAGES[p];
    let key = format!("/IntegrationPackages('{id}')");
    j.obj();
    metadata(j, &[ctx.api, &key], "com.sap.hci.api.IntegrationPackage", None);
    j.key("Id")
        .str(id)
        .key("Name")
        .str(name)
        .key("ResourceId")
        .str(&format!("{:032x}", mix(p as u64) as u128));
    j.key("Description")
        .str(desc)
        .key("ShortText")
        .str(desc)
        .key("Version")
        .str("1.0.3");
    j.key("Vendor")
        .str("ACME")
        .key("PartnerContent")
        .bool(false)
        .key("UpdateAvailable")
        .bool(false);
    j.key("Mode")
        .str("EDIT_ALLOWED")
        .key("SupportedPlatform")
        .str("SAP Cloud Integration");
    j.key("ModifiedBy")
        .str("integration.dev@acme.com")
        .key("CreationDate")
        .int_str(t0 - 400 * 86_400_000);
    j.key("ModifiedDate")
        .int_str(t0 - 9 * 86_400_000)
        .key("CreatedBy")
        .str("integration.dev@acme.com");
    j.key("Products")
        .str("[]")
        .key("Keywords")
        .str("[]")
        .key("Countries")
        .str("[]");
    j.key("Industries").str("[]").key("LineOfBusiness").str("[]");
    j.key("IntegrationDesigntimeArtifacts")
        .deferred(&[ctx.api, &key, "/IntegrationDesigntimeArtifacts"]);
    j.key("CustomTags").deferred(&[ctx.api, &key, "/CustomTags"]);
    j.end_obj();
}

fn write_designtime(j: &mut Json, ctx: &Ctx, a: &Artifact) {
    let f = a.flow.map(|fi| &FLOWS[fi as usize]);
    let key = format!(
        "/IntegrationDesigntimeArtifacts(Id='{}',Version='{}')",
        a.id, a.version
    );
    j.obj();
    metadata(
        j,
        &[ctx.api, &key],
        "com.sap.hci.api.IntegrationDesigntimeArtifact",
        Some("application/octet-stream"),
    );
    j.key("Id")
        .str(a.id)
        .key("Version")
        .str(&a.version)
        .key("PackageId")
        .str(PACKAGES[a.package].0);
    j.key("Name").str(display_name(ctx, a)).key("Description").null();
    j.key("Sender")
        .opt_str(f.map(|f| f.sender))
        .key("Receiver")
        .opt_str(f.map(|f| f.receiver));
    j.key("CreatedBy")
        .str("integration.dev@acme.com")
        .key("CreatedAt")
        .int_str(a.created_at);
    j.key("ModifiedBy")
        .str(&a.deployed_by)
        .key("ModifiedAt")
        .int_str(a.deployed_on);
    j.key("ArtifactContent").null();
    j.key("Configurations")
        .deferred(&[ctx.api, &key, "/Configurations"]);
    j.key("Resources").deferred(&[ctx.api, &key, "/Resources"]);
    j.end_obj();
}

pub fn route(ctx: &Ctx, w: &mut World, segs: &[Seg]) -> Resp {
    let arts = &mut w.arts;
    let first = &segs[0];
    let nav: Vec<&str> = segs[1..].iter().map(|s| s.name.as_str()).collect();
    match (
        first.name.as_str(),
        &first.key,
        nav.as_slice(),
        ctx.method.as_str(),
    ) {
        ("IntegrationRuntimeArtifacts", None, [], "GET")
        | ("IntegrationRuntimeArtifacts", None, ["$count"], "GET") => {
            let deployed: Vec<Artifact> = arts.list.iter().filter(|a| a.deployed).cloned().collect();
            let rows = match filter_sort(&ctx.q, &deployed, runtime_fields()) {
                Ok(r) => r,
                Err(e) => return e,
            };
            if nav == ["$count"] {
                return count(rows.len());
            }
            collection(ctx, &rows, |j, a| write_runtime(j, ctx, a))
        }
        ("IntegrationRuntimeArtifacts", Some(_), rest, m) => {
            let id = first.single_key().unwrap_or_default();
            let Some(a) = arts.find(&id).filter(|a| a.deployed) else {
                return not_found();
            };
            match (rest, m) {
                ([], "GET") => single(|j| write_runtime(j, ctx, a)),
                ([], "DELETE") => {
                    if let Some(a) = arts.find_mut(&id) {
                        a.deployed = false;
                        a.pending = None;
                    }
                    w.mpl.stopped = arts.stopped_flows();
                    Resp::empty(StatusCode::ACCEPTED)
                }
                (["ErrorInformation", "$value"], "GET") => match &a.error {
                    None => Resp::empty(StatusCode::NO_CONTENT),
                    Some((mid, text)) => {
                        // As recorded from tenants: both names misspelled (sic), an empty
                        // messageText, `additionalText` beside `parameter`.
                        let (sub, part) = if mid == "InstanceError" {
                            ("IntegrationRuntime", "RuntimeArtifactDeployment")
                        } else {
                            ("CONTENT", "CONTENT_DEPLOY")
                        };
                        let mut j = Json::default();
                        j.obj().key("message").obj();
                        j.key("subsytemName").str(sub);
                        j.key("subsytemPartName").str(part);
                        j.key("messageId").str(mid).key("messageText").str("");
                        j.end_obj().key("parameter").arr().str(text).end_arr();
                        j.key("additionalText").null().end_obj();
                        Resp::json_ok(j)
                    }
                },
                (["ErrorInformation"], "GET") => match &a.error {
                    None => Resp::empty(StatusCode::NO_CONTENT),
                    Some(_) => {
                        let key = format!("/IntegrationRuntimeArtifacts('{}')/ErrorInformation", a.id);
                        single(|j| {
                            j.obj();
                            metadata(
                                j,
                                &[ctx.api, &key],
                                "com.sap.hci.api.RuntimeArtifactErrorInformation",
                                Some("application/json"),
                            );
                            j.key("Id").str(a.id).end_obj();
                        })
                    }
                },
                ([], m) => method_not_allowed(m, "IntegrationRuntimeArtifacts('<Id>')"),
                _ => not_found(),
            }
        }
        ("IntegrationRuntimeArtifacts", None, [], "POST") => odata_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "Method Not Allowed",
            "POST on IntegrationRuntimeArtifacts is not supported on Cloud Foundry; use DeployIntegrationDesigntimeArtifact.",
        ),
        ("DeployIntegrationDesigntimeArtifact", None, [], "POST") => {
            let id = ctx.q.param("Id").map(super::routing::unquote).unwrap_or_default();
            let ver = ctx
                .q
                .param("Version")
                .map(super::routing::unquote)
                .unwrap_or_default();
            if id.is_empty() || ver.is_empty() {
                return bad_request(
                    "DeployIntegrationDesigntimeArtifact needs the parameters Id='<id>' and Version='<version>|active'",
                );
            }
            if ver != "active" && arts.find(&id).is_some_and(|a| a.version != ver) {
                return not_found();
            }
            match arts.deploy(&id, ctx.now) {
                Some(task) => {
                    w.mpl.stopped = arts.stopped_flows();
                    Resp::text(StatusCode::ACCEPTED, task)
                }
                None => not_found(),
            }
        }
        ("BuildAndDeployStatus", Some(_), [], "GET") => {
            let task = first
                .named_key("TaskId")
                .or_else(|| first.single_key())
                .unwrap_or_default();
            let Some(t) = arts.tasks.iter().find(|t| t.id == task) else {
                return not_found();
            };
            // `DEPLOYING` and `FAIL` are uncertain names (docs/cpi-api.md, "Runtime artifacts").
            let status = if t.done_at > ctx.now {
                "DEPLOYING"
            } else if t.ok {
                "SUCCESS"
            } else {
                "FAIL"
            };
            let key = format!("/BuildAndDeployStatus(TaskId='{}')", t.id);
            single(|j| {
                j.obj();
                metadata(j, &[ctx.api, &key], "com.sap.hci.api.BuildAndDeployStatus", None);
                j.key("TaskId").str(&t.id).key("Status").str(status).end_obj();
            })
        }
        // Real tenants support neither `$filter` nor `$select` on IntegrationPackages (docs/sim.md,
        // "Error replies"): 501 in an XML error document. Off with `SimConfig::clean`.
        ("IntegrationPackages", _, _, "GET") if !ctx.cfg.clean && ctx.q.select.is_some() => {
            super::resp::error_shaped(
                StatusCode::NOT_IMPLEMENTED,
                super::resp::ErrorShape::Xml,
                "Not Implemented",
                Some("$select is not supported"),
            )
        }
        ("IntegrationPackages", None, [], "GET") => {
            if ctx.q.inlinecount {
                // docs/cpi-api.md, "Conventions": `$inlinecount` gives 501 on IntegrationPackages (uncertain).
                return odata_error(
                    StatusCode::NOT_IMPLEMENTED,
                    "Not Implemented",
                    "$inlinecount is not supported for IntegrationPackages.",
                );
            }
            let all: Vec<usize> = (0..PACKAGES.len()).collect();
            let rows = match filter_sort(&ctx.q, &all, pkg_fields()) {
                Ok(r) => r,
                Err(e) => return e,
            };
            let t0 = w.mpl.mg.t0;
            collection(ctx, &rows, |j, p| write_package(j, ctx, *p, t0))
        }
        ("IntegrationPackages", Some(_), rest, "GET") => {
            let id = first.single_key().unwrap_or_default();
            let Some(p) = PACKAGES.iter().position(|p| p.0 == id) else {
                return not_found();
            };
            match rest {
                [] => {
                    let t0 = w.mpl.mg.t0;
                    single(|j| write_package(j, ctx, p, t0))
                }
                ["IntegrationDesigntimeArtifacts"] => {
                    let rows: Vec<Artifact> = arts
                        .list
                        .iter()
                        .filter(|a| a.package == p && a.flow.is_some())
                        .cloned()
                        .collect();
                    // `$skip` is ignored on package navigations (docs/cpi-api.md, "Conventions", uncertain).
                    let mut q = ctx.q.clone();
                    q.skip = 0;
                    collection_q(ctx, &q, &rows, |j, a| write_designtime(j, ctx, a))
                }
                _ => not_found(),
            }
        }
        ("IntegrationDesigntimeArtifacts", None, [], "GET") => {
            let flows: Vec<Artifact> = arts.list.iter().filter(|a| a.flow.is_some()).cloned().collect();
            let rows = match filter_sort(&ctx.q, &flows, runtime_fields()) {
                Ok(r) => r,
                Err(e) => return e,
            };
            collection(ctx, &rows, |j, a| write_designtime(j, ctx, a))
        }
        ("IntegrationDesigntimeArtifacts", Some(_), [], "GET") => {
            let id = first.named_key("Id").unwrap_or_default();
            let ver = first.named_key("Version").unwrap_or_default();
            match arts
                .find(&id)
                .filter(|a| a.flow.is_some() && (ver == "active" || ver == a.version))
            {
                Some(a) => single(|j| write_designtime(j, ctx, a)),
                None => not_found(),
            }
        }
        (_, _, _, m) if m != "GET" => method_not_allowed(m, &first.name),
        _ => not_found(),
    }
}

/// A stable small hash of an artifact id (which date form it is sent in).
fn fastrand_of(id: &str) -> u64 {
    super::mpl_gen::mix(
        id.bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))),
    )
}

/// An artifact's name as the tenant shows it: an iFlow's odd real-world name
/// (`catalog::ODD_NAMES`) unless the sim is clean.
fn display_name(ctx: &Ctx, a: &Artifact) -> &'static str {
    match a.flow {
        Some(fi) => super::catalog::display_name(&FLOWS[fi as usize], !ctx.cfg.clean),
        None => a.name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::config::{ArtifactChange, Change, SimConfig, Stage};

    #[test]
    fn a_version_behind() {
        assert_eq!(version_behind("1.2.5"), "1.2.4");
        assert_eq!(version_behind("1.3.0"), "1.2.9");
        assert_eq!(version_behind("2.0.0"), "1.9.9");
        assert_eq!(version_behind("0.0.0"), "0.0.0-prev");
        assert_eq!(version_behind("active"), "active-prev");
    }

    #[test]
    fn landscape_stages_share_artifacts_and_drift_as_documented() {
        let t0 = 1_718_000_000_000;
        let build = |cfg: &SimConfig| {
            let mut a = Artifacts::new(cfg.artifact_seed.unwrap_or(cfg.seed), t0);
            for c in &cfg.artifact_changes {
                a.change(c, t0);
            }
            a
        };
        let dev = build(&SimConfig::landscape_stage(7, Stage::Dev));
        let test = build(&SimConfig::landscape_stage(7, Stage::Test));
        let prod = build(&SimConfig::landscape_stage(7, Stage::Prod));
        assert_eq!(SimConfig::landscape_stage(7, Stage::Prod).seed, 9, "own messages");
        let v = |a: &Artifacts, id: &str| a.find(id).map(|x| x.version.clone()).unwrap();
        let differing = |a: &Artifacts| -> Vec<&str> {
            dev.list
                .iter()
                .filter(|d| a.find(d.id).is_some_and(|x| x.version != d.version))
                .map(|d| d.id)
                .collect()
        };
        assert_eq!(differing(&test), ["Orders_Inbound", "Quote_Request_CRM"]);
        assert_eq!(
            differing(&prod),
            [
                "Orders_Inbound",
                "Invoice_Outbound_EDI",
                "SupplierInvoice_Inbound"
            ]
        );
        assert_eq!(
            v(&prod, "Orders_Inbound"),
            version_behind(&v(&dev, "Orders_Inbound"))
        );
        assert!(!prod.find("Returns_Inbound").unwrap().deployed);
        assert_eq!(prod.find("PriceList_Sync").unwrap().status, "ERROR");
        assert_eq!(dev.find("PriceList_Sync").unwrap().status, "STARTED");
        // An explicit version, and an unknown id changes nothing.
        let mut a = build(&SimConfig::default());
        a.change(
            &ArtifactChange::new("Orders_Inbound", Change::Version("9.9.9".into())),
            t0,
        );
        a.change(&ArtifactChange::new("Nope", Change::Undeployed), t0);
        assert_eq!(v(&a, "Orders_Inbound"), "9.9.9");
        assert!(a.deploy_version("Orders_Inbound", "10.0.0", t0 + 5));
        assert_eq!(a.find("Orders_Inbound").unwrap().deployed_on, t0 + 5);
        assert!(!a.deploy_version("Nope", "1", t0));
    }
}
