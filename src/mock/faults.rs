//! Fault injection: the next N requests to an endpoint answer a chosen OAuth error or status,
//! or wait first (`POST /mock/faults`, listed by `GET`, cleared by `DELETE`).

use super::{MockError, MockJson, mock_of};
use crate::admin::auth::Admin;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

/// The most faults kept at once.
const MAX_FAULTS: usize = 100;
/// The longest injected delay, in milliseconds.
const MAX_DELAY_MS: u64 = 30_000;
/// The header on an injected answer: the fault's id.
pub const FAULT_HEADER: &str = "x-mock-fault";

/// A fault as the control API is asked for one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRequest {
    pub endpoint: String,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub error_description: Option<String>,
    pub count: Option<u32>,
    pub delay_ms: Option<u64>,
}

/// A fault waiting for its requests.
#[derive(Debug, Clone, Serialize)]
pub struct Fault {
    pub id: u64,
    pub endpoint: String,
    /// The status answered; `None` for a delay alone (the request then goes on as usual).
    pub status: Option<u16>,
    pub error: Option<String>,
    pub error_description: Option<String>,
    /// How many more requests it answers.
    pub count: u32,
    pub delay_ms: u64,
}

/// The faults in force.
#[derive(Debug, Default)]
pub struct Faults {
    inner: Mutex<(u64, Vec<Fault>)>,
}

/// RFC 6749 §5.2: "Values for the "error" parameter MUST NOT include characters outside the
/// set %x20-21 / %x23-5B / %x5D-7E." The same holds for "error_description".
fn in_error_charset(s: &str) -> bool {
    s.chars().all(crate::oauth::error::allowed_in_error_text)
}

/// The status an OAuth error is answered with when none is given (RFC 6749 §5.2: 400, or 401
/// for `invalid_client`; §4.1.2.1's `server_error` and `temporarily_unavailable` as 500 and
/// 503).
fn default_status(error: &str) -> u16 {
    match error {
        "invalid_client" => 401,
        "server_error" => 500,
        "temporarily_unavailable" => 503,
        _ => 400,
    }
}

impl FaultRequest {
    /// Checks the request and makes the fault, naming the field that is wrong.
    fn into_fault(self, id: u64) -> Result<Fault, MockError> {
        let bad = |m: &str| Err(MockError::invalid(m));
        if !self.endpoint.starts_with('/') || self.endpoint.len() > 200 {
            return bad("endpoint: a path of this server, such as /auth/token");
        }
        if self.endpoint.contains(['?', '#']) {
            return bad("endpoint: a path alone, with no query or fragment");
        }
        if self.endpoint.starts_with(super::PREFIX) {
            return bad("endpoint: the control API itself cannot fail");
        }
        if let Some(e) = &self.error
            && (e.is_empty() || e.len() > 64 || !in_error_charset(e) || e.contains(' '))
        {
            return bad("error: an OAuth error code such as temporarily_unavailable");
        }
        if let Some(d) = &self.error_description
            && (d.len() > 500 || !in_error_charset(d))
        {
            return bad("error_description: at most 500 characters of RFC 6749 section 5.2's set");
        }
        if self.error_description.is_some() && self.error.is_none() {
            return bad("error_description: needs an error");
        }
        let status = self
            .status
            .or_else(|| self.error.as_deref().map(default_status));
        if let Some(s) = status
            && !(400..=599).contains(&s)
        {
            return bad("status: must be 400 to 599");
        }
        let delay_ms = self.delay_ms.unwrap_or(0);
        if delay_ms > MAX_DELAY_MS {
            return bad("delay_ms: at most 30000");
        }
        if status.is_none() && delay_ms == 0 {
            return bad("a fault needs a status, an error or a delay_ms");
        }
        let count = self.count.unwrap_or(1);
        if !(1..=10_000).contains(&count) {
            return bad("count: 1 to 10000");
        }
        Ok(Fault {
            id,
            endpoint: self.endpoint,
            status,
            error: self.error,
            error_description: self.error_description,
            count,
            delay_ms,
        })
    }
}

impl Faults {
    fn lock(&self) -> std::sync::MutexGuard<'_, (u64, Vec<Fault>)> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a fault after those already waiting for the same endpoint.
    pub fn add(&self, request: FaultRequest) -> Result<Fault, MockError> {
        let mut inner = self.lock();
        if inner.1.len() >= MAX_FAULTS {
            return Err(MockError::invalid(
                "at most 100 faults at once; DELETE /mock/faults clears them",
            ));
        }
        let fault = request.into_fault(inner.0 + 1)?;
        inner.0 += 1;
        inner.1.push(fault.clone());
        Ok(fault)
    }

    /// The faults in force, oldest first.
    pub fn list(&self) -> Vec<Fault> {
        self.lock().1.clone()
    }

    /// Removes every fault.
    pub fn clear(&self) {
        self.lock().1.clear();
    }

    /// The oldest fault for `path`, counted down by one request (and gone at zero).
    pub fn take(&self, path: &str) -> Option<Fault> {
        let mut inner = self.lock();
        let at = inner.1.iter().position(|f| f.endpoint == path)?;
        let fault = inner.1[at].clone();
        inner.1[at].count -= 1;
        if inner.1[at].count == 0 {
            inner.1.remove(at);
        }
        Some(fault)
    }
}

/// The middleware: a request that meets a fault waits its delay, then gets the fault's
/// answer (or goes on, for a delay alone).
pub async fn inject(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(mock) = state.mock.as_ref() else {
        return next.run(request).await;
    };
    let Some(fault) = mock.faults.take(request.uri().path()) else {
        return next.run(request).await;
    };
    if fault.delay_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(fault.delay_ms)).await;
    }
    let Some(status) = fault.status.and_then(|s| StatusCode::from_u16(s).ok()) else {
        return next.run(request).await;
    };
    let mut response = match &fault.error {
        Some(error) => {
            let mut body = serde_json::json!({ "error": error });
            let description = fault
                .error_description
                .as_deref()
                .unwrap_or("injected by POST /mock/faults");
            body["error_description"] = serde_json::json!(description);
            (status, Json(body)).into_response()
        }
        None => status.into_response(),
    };
    let headers = response.headers_mut();
    crate::oauth::error::no_store(headers);
    headers.insert(FAULT_HEADER, HeaderValue::from(fault.id));
    if status == StatusCode::UNAUTHORIZED {
        headers.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"oauth-sandbox\""),
        );
    }
    response
}

/// `POST /mock/faults`.
pub async fn add(
    _admin: Admin,
    State(state): State<AppState>,
    MockJson(request): MockJson<FaultRequest>,
) -> Result<Response, MockError> {
    let fault = mock_of(&state)?.faults.add(request)?;
    Ok((StatusCode::CREATED, Json(fault)).into_response())
}

/// `GET /mock/faults`.
pub async fn list(_admin: Admin, State(state): State<AppState>) -> Result<Response, MockError> {
    let faults = mock_of(&state)?.faults.list();
    Ok(Json(serde_json::json!({ "faults": faults })).into_response())
}

/// `DELETE /mock/faults`.
pub async fn clear(_admin: Admin, State(state): State<AppState>) -> Result<Response, MockError> {
    mock_of(&state)?.faults.clear();
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(json: &str) -> FaultRequest {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_fault_counts_down_and_goes() {
        let faults = Faults::default();
        let f = faults
            .add(request(
                r#"{"endpoint":"/auth/token","error":"temporarily_unavailable","count":2}"#,
            ))
            .unwrap();
        assert_eq!(f.status, Some(503));
        assert!(faults.take("/auth/introspect").is_none());
        assert_eq!(faults.take("/auth/token").unwrap().id, f.id);
        assert_eq!(faults.list()[0].count, 1);
        assert!(faults.take("/auth/token").is_some());
        assert!(faults.take("/auth/token").is_none());
    }

    #[test]
    fn bad_faults_name_their_field() {
        let faults = Faults::default();
        for (json, field) in [
            (r#"{"endpoint":"auth/token","status":500}"#, "endpoint"),
            (r#"{"endpoint":"/mock/token","status":500}"#, "endpoint"),
            (r#"{"endpoint":"/auth/token","status":200}"#, "status"),
            (
                r#"{"endpoint":"/auth/token","error":"bad\"quote"}"#,
                "error",
            ),
            (
                r#"{"endpoint":"/auth/token","delay_ms":999999}"#,
                "delay_ms",
            ),
            (
                r#"{"endpoint":"/auth/token","status":503,"count":0}"#,
                "count",
            ),
            (r#"{"endpoint":"/auth/token"}"#, "a fault needs"),
        ] {
            let e = faults.add(request(json)).unwrap_err();
            assert!(
                e.description().starts_with(field),
                "{json}: {}",
                e.description()
            );
        }
        assert!(faults.list().is_empty());
    }
}
