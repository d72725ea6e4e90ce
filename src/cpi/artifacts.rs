//! Runtime artifacts (docs/cpi-api.md, "Runtime artifacts"): list, one, `$count`, error information, undeploy,
//! deploy/restart and the deploy task status.

use reqwest::{Method, StatusCode};

use super::client::CpiClient;
use super::error::CpiError;
use super::http::{BodyKind, Req};
use super::model::{ArtifactErrorInformation, BuildAndDeployStatus, RuntimeArtifact};
use super::paging::{get_all, get_count, get_one};
use super::query::{key, url};

/// `$select` for the artifact list.
pub const ARTIFACT_LIST_SELECT: &str = "Id,Version,Name,Type,DeployedBy,DeployedOn,Status";

impl CpiClient {
    /// Every deployed runtime artifact.
    pub async fn runtime_artifacts(&self) -> Result<Vec<RuntimeArtifact>, CpiError> {
        let t = self.t();
        get_all(
            t,
            url(
                &t.root,
                "IntegrationRuntimeArtifacts",
                &[("$select", ARTIFACT_LIST_SELECT.into())],
            ),
        )
        .await
    }

    /// One runtime artifact; `None` when it is not deployed (404).
    pub async fn runtime_artifact(&self, id: &str) -> Result<Option<RuntimeArtifact>, CpiError> {
        let t = self.t();
        let u = url(&t.root, &format!("IntegrationRuntimeArtifacts({})", key(id)), &[]);
        match get_one(t, u).await {
            Ok(a) => Ok(Some(a)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `IntegrationRuntimeArtifacts/$count`.
    pub async fn runtime_artifact_count(&self) -> Result<u64, CpiError> {
        let t = self.t();
        get_count(t, url(&t.root, "IntegrationRuntimeArtifacts/$count", &[])).await
    }

    /// `…('<Id>')/ErrorInformation/$value`: the deploy error, `None` on 204 (no error) or 404.
    /// Decoded by `artifact_error` (the `InstanceError` documents inside `parameter`), with the
    /// body kept as `raw`.
    /// Sent with `Accept: */*`: one tenant answered 406 to `application/json` here (§3, uncertain).
    pub async fn runtime_artifact_error(
        &self,
        id: &str,
    ) -> Result<Option<ArtifactErrorInformation>, CpiError> {
        let t = self.t();
        let u = url(
            &t.root,
            &format!("IntegrationRuntimeArtifacts({})/ErrorInformation/$value", key(id)),
            &[],
        );
        let reply = match t.send(&Req::get(u).accept("*/*").kind(BodyKind::Text)).await {
            Ok(r) => r,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        if reply.status == StatusCode::NO_CONTENT || reply.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        if super::http::looks_like_html(&reply.headers, &reply.body) {
            return Err(CpiError::HtmlPage {
                endpoint: reply.endpoint,
            });
        }
        let mut info: ArtifactErrorInformation = reply.json()?;
        info.raw = String::from_utf8_lossy(&reply.body).into_owned();
        Ok(Some(info))
    }

    /// Undeploy: `DELETE IntegrationRuntimeArtifacts('<Id>')` → 202.
    pub async fn undeploy_artifact(&self, id: &str) -> Result<(), CpiError> {
        let t = self.t();
        let u = url(&t.root, &format!("IntegrationRuntimeArtifacts({})", key(id)), &[]);
        t.send_write(&Req::write(Method::DELETE, u)).await?;
        Ok(())
    }

    /// Deploy (restart = deploy the `active` version again):
    /// `POST DeployIntegrationDesigntimeArtifact?Id='<id>'&Version='<v>'` → 202 with the task id.
    pub async fn deploy_artifact(&self, id: &str, version: &str) -> Result<String, CpiError> {
        let t = self.t();
        let u = format!(
            "{}/DeployIntegrationDesigntimeArtifact?Id={}&Version={}",
            t.root,
            key(id),
            key(version)
        );
        let reply = t.send_write(&Req::write(Method::POST, u)).await?;
        parse_task_id(&reply.body).ok_or_else(|| CpiError::Malformed {
            endpoint: reply.endpoint.clone(),
            detail: "the deploy reply carries no task id".into(),
        })
    }

    /// Restart an artifact: redeploy its active version. Returns the deploy task id.
    pub async fn restart_artifact(&self, id: &str) -> Result<String, CpiError> {
        self.deploy_artifact(id, "active").await
    }

    /// `BuildAndDeployStatus(TaskId='…')`: `SUCCESS` (C), `DEPLOYING`/`FAIL` (U).
    pub async fn build_and_deploy_status(&self, task_id: &str) -> Result<BuildAndDeployStatus, CpiError> {
        let t = self.t();
        get_one(
            t,
            url(
                &t.root,
                &format!("BuildAndDeployStatus(TaskId={})", key(task_id)),
                &[],
            ),
        )
        .await
    }
}

/// The task id of a deploy reply: the plain body (§3), tolerating quotes, `{"d":{"TaskId":…}}`
/// or `{"d":{"DeployIntegrationDesigntimeArtifact":…}}` (shape of the body U).
fn parse_task_id(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.starts_with('{') {
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        let d = v.get("d").unwrap_or(&v);
        for k in ["TaskId", "taskId", "DeployIntegrationDesigntimeArtifact", "Id"] {
            if let Some(s) = d.get(k).and_then(|x| x.as_str()) {
                return Some(s.to_string());
            }
        }
        return None;
    }
    let id = text.trim_matches('"');
    (!id.is_empty() && id.len() < 200).then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_id_forms() {
        assert_eq!(parse_task_id(b"abc-123").as_deref(), Some("abc-123"));
        assert_eq!(parse_task_id(b"\"abc-123\"\n").as_deref(), Some("abc-123"));
        assert_eq!(parse_task_id(br#"{"d":{"TaskId":"t9"}}"#).as_deref(), Some("t9"));
        assert_eq!(parse_task_id(b"  "), None);
    }
}
