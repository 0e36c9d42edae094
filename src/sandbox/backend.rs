//! The server's side of the sandbox ([`app::sandbox::backend::SandboxBackend`]): it sends the
//! sandbox's requests through the protocol router in process and records what crossed, it
//! decodes tokens and checks their signatures against the published keys, and it keeps each
//! run for its owner alone ([`super::visitor`]).

use super::claims::claim_lines;
use super::recorder::{OwnerKey, Trace};
use super::visitor::Viewer;
use crate::state::AppState;
use app::sandbox::backend::{BoxFuture, FrontChannelWatch, SandboxBackend};
use app::sandbox::catalogue::{Channel, Flow};
use app::sandbox::flow::Page;
use app::sandbox::wire::{
    CheckLine, Exchange, HttpMessage, Outgoing, RunStep, SavedRun, TokenInspection,
};
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderName, HeaderValue, Method, Request};
use std::net::SocketAddr;
use std::time::Instant;
use tower::ServiceExt;

/// The largest response body the sandbox records.
const MAX_RECORDED: usize = 1024 * 1024;

/// The in-process sandbox backend.
pub struct InProcess {
    state: AppState,
    /// The protocol routes only: the sandbox never calls its own pages.
    router: Router,
}

impl InProcess {
    /// A backend over `state` that sends through `router`.
    pub fn new(state: AppState, router: Router) -> Self {
        Self { state, router }
    }

    async fn exchange(
        &self,
        from: axum::http::Extensions,
        out: Outgoing,
    ) -> Result<Exchange, String> {
        let method = Method::from_bytes(out.method.as_bytes()).map_err(|e| e.to_string())?;
        let host = url::Url::parse(&self.state.issuer)
            .ok()
            .and_then(|u| {
                u.host_str().map(|h| match u.port() {
                    Some(p) => format!("{h}:{p}"),
                    None => h.to_owned(),
                })
            })
            .unwrap_or_else(|| "localhost".into());
        let mut headers = vec![("host".to_owned(), host)];
        // The server sets these two from what it sends; an edited card's own are dropped.
        headers.extend(
            out.headers
                .iter()
                .filter(|(k, _)| {
                    !k.eq_ignore_ascii_case("host") && !k.eq_ignore_ascii_case("content-length")
                })
                .cloned(),
        );
        if !out.body.is_empty() {
            headers.push(("content-length".into(), out.body.len().to_string()));
        }
        let mut builder = Request::builder().method(method.clone()).uri(&out.path);
        for (k, v) in &headers {
            let name = HeaderName::from_bytes(k.as_bytes()).map_err(|e| e.to_string())?;
            let value = HeaderValue::from_str(v).map_err(|e| e.to_string())?;
            builder = builder.header(name, value);
        }
        let mut request = builder
            .body(Body::from(out.body.clone()))
            .map_err(|e| e.to_string())?;
        // The browser's address, for the throttle: a sandbox user's failures are their own.
        if let Some(peer) = from.get::<ConnectInfo<SocketAddr>>() {
            request.extensions_mut().insert(*peer);
        }
        let started = Instant::now();
        let (response, checks) = crate::checks::traced(self.router.clone().oneshot(request)).await;
        let response = response.map_err(|e| e.to_string())?;
        let status = response.status();
        let response_headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let bytes = axum::body::to_bytes(response.into_body(), MAX_RECORDED)
            .await
            .map_err(|e| e.to_string())?;
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(Exchange {
            request: HttpMessage {
                start_line: format!("{method} {} HTTP/1.1", out.path),
                headers,
                body: out.body.clone(),
            },
            response: HttpMessage {
                start_line: status_line(status),
                headers: response_headers,
                body: String::from_utf8_lossy(&bytes).into_owned(),
            },
            status: status.as_u16(),
            elapsed_ms,
            curl: curl(&self.state.issuer, &out),
            checks: checks.into_iter().map(CheckLine::from).collect(),
            url: String::new(),
        })
    }

    /// Sends `out`, whose path is an absolute URL, to another server through the outbound
    /// client, and records what crossed. Each address may relay only so many requests.
    async fn relay(
        &self,
        from: &axum::http::Extensions,
        out: Outgoing,
    ) -> Result<Exchange, String> {
        let address = crate::security::PeerAddress::of(from);
        if let Err(t) = self.state.throttle.relay(&address.0).await {
            return Err(format!(
                "this address relayed many requests lately; try again in {} seconds",
                t.retry_after
            ));
        }
        let request = crate::outbound::Request {
            method: out.method.clone(),
            url: out.path.clone(),
            headers: out.headers.clone(),
            body: out.body.clone(),
        };
        let sent = self
            .state
            .outbound
            .send(&request)
            .await
            .map_err(|e| e.to_string())?;
        let status = axum::http::StatusCode::from_u16(sent.status)
            .map_or_else(|_| format!("HTTP/1.1 {}", sent.status), status_line);
        Ok(Exchange {
            request: HttpMessage {
                start_line: format!("{} {} HTTP/1.1", out.method, sent.target),
                headers: sent.headers,
                body: out.body.clone(),
            },
            response: HttpMessage {
                start_line: status,
                headers: sent.response_headers,
                body: String::from_utf8_lossy(&sent.body).into_owned(),
            },
            status: sent.status,
            elapsed_ms: sent.elapsed_ms,
            curl: curl("", &out),
            checks: Vec::new(),
            url: out.path,
        })
    }

    fn inspect_token(&self, token: &str, key: Option<&str>) -> TokenInspection {
        let now = self.state.clock.now();
        let Some((header, claims)) = super::claims::decode_jwt(token) else {
            return TokenInspection {
                is_jwt: false,
                now,
                token: token.to_owned(),
                ..TokenInspection::default()
            };
        };
        let kid = header
            .get("kid")
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        let alg = header
            .get("alg")
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        let keys = self.state.keys.current();
        let pasted = key.map(str::trim).filter(|k| !k.is_empty());
        // A token of the sandbox's test issuer is checked against that issuer's key set.
        let test_issuer = claims.get("iss").and_then(|v| v.as_str())
            == Some(self.state.url(app::endpoints::TEST_ISSUER).as_str());
        let test_keys = test_issuer
            .then(|| self.state.test_issuer.published())
            .flatten()
            .map(|set| serde_json::to_string(&set).unwrap_or_default());
        let (signature_valid, signature_note) =
            match (pasted, kid.as_deref().and_then(|k| keys.find(k))) {
                (None, _) if let Some(set) = &test_keys => {
                    let (valid, note) =
                        super::verify_key::verify(token, alg.as_deref(), kid.as_deref(), set);
                    (
                        valid,
                        format!(
                            "{note} Checked against the test issuer's key set, {}.",
                            app::endpoints::TEST_ISSUER_JWKS
                        ),
                    )
                }
                (Some(key), _) => {
                    super::verify_key::verify(token, alg.as_deref(), kid.as_deref(), key)
                }
                (None, found) => match found {
                    None => (false, "No published key has this kid.".to_owned()),
                    Some(key) if alg.as_deref() != Some(key.alg.as_str()) => (
                        false,
                        format!(
                            "The header names {alg:?}, but that key is {}.",
                            key.alg.as_str()
                        ),
                    ),
                    Some(key) => {
                        let mut v = jsonwebtoken::Validation::new(key.algorithm());
                        v.validate_exp = false;
                        v.validate_aud = false;
                        v.required_spec_claims.clear();
                        match jsonwebtoken::decode::<serde_json::Value>(token, &key.decoding, &v) {
                            Ok(_) => (
                                true,
                                "Checked against the key of that kid in /.well-known/jwks.json."
                                    .to_owned(),
                            ),
                            Err(e) => (false, format!("The signature does not verify: {e}.")),
                        }
                    }
                },
            };
        TokenInspection {
            is_jwt: true,
            header: claim_lines(&header),
            exp: claims.get("exp").and_then(|v| v.as_i64()),
            claims: claim_lines(&claims),
            kid,
            alg,
            signature_valid,
            signature_note,
            now,
            token: token.to_owned(),
            introspection: None,
        }
    }
}

impl SandboxBackend for InProcess {
    fn may_use(&self, headers: axum::http::HeaderMap, client_id: String) -> BoxFuture<'_, bool> {
        Box::pin(async move {
            let Ok(client) = crate::storage::clients::get(&self.state.db, &client_id).await else {
                return false;
            };
            // An unknown client is the server's to refuse, for real, as a lesson.
            let Some(owner) = client.and_then(|c| c.owner) else {
                return true;
            };
            matches!(
                crate::console::caller::from_console(&self.state, &headers).await,
                Ok(Some(caller)) if caller.sees(Some(&owner))
            )
        })
    }

    fn send(
        &self,
        from: axum::http::Extensions,
        request: Outgoing,
    ) -> BoxFuture<'_, Result<Exchange, String>> {
        Box::pin(async move {
            match request.path.starts_with('/') {
                true => self.exchange(from, request).await,
                false => self.relay(&from, request).await,
            }
        })
    }

    fn inspect(&self, token: String) -> BoxFuture<'_, TokenInspection> {
        Box::pin(async move { self.inspect_token(&token, None) })
    }

    fn inspect_with(&self, token: String, key: String) -> BoxFuture<'_, TokenInspection> {
        Box::pin(async move { self.inspect_token(&token, Some(&key)) })
    }

    fn introspect_own(&self, token: String) -> BoxFuture<'_, String> {
        Box::pin(async move {
            let facts = crate::oauth::endpoints::introspect::facts(&self.state, &token)
                .await
                .ok()
                .flatten()
                .unwrap_or_default();
            serde_json::to_string_pretty(&facts).unwrap_or_default()
        })
    }

    fn issuer(&self) -> String {
        self.state.issuer.clone()
    }

    fn save_run(
        &self,
        headers: axum::http::HeaderMap,
        id: Option<String>,
        flow: Flow,
        steps: Vec<RunStep>,
    ) -> BoxFuture<'_, Result<String, String>> {
        Box::pin(async move {
            let viewer = Viewer::of(&self.state, &headers).await;
            save_run(&self.state, &viewer, id, flow, &steps).await
        })
    }

    fn watch_front_channel(
        &self,
        headers: axum::http::HeaderMap,
        id: Option<String>,
        flow: Flow,
        watch: FrontChannelWatch,
    ) -> BoxFuture<'_, Result<String, String>> {
        Box::pin(async move {
            let viewer = Viewer::of(&self.state, &headers).await;
            let owner = OwnerKey::of(&viewer)
                .ok_or("this browser sent no cookies, so its front channel cannot be recorded")?;
            // The caller's own run is watched as it is; anything else gets a new, empty run.
            let existing = match &id {
                Some(id) => crate::storage::runs::get(&self.state.db, id, owner.owner())
                    .await
                    .map_err(|e| e.to_string())?,
                None => None,
            };
            // A run that set up its own client through the admin API is a tutorial chapter's.
            let page = match &existing {
                Some(row) if tutorial_run(&row.steps) => Page::Tutorial,
                _ => Page::Flow,
            };
            let run_id = match existing {
                Some(row) => row.id,
                None => save_run(&self.state, &viewer, None, flow, &[]).await?,
            };
            let trace = Trace {
                run_id: run_id.clone(),
                page,
                flow,
                number: watch.number,
            };
            let now = self.state.clock.now();
            self.state
                .watches
                .insert(owner, &watch.client_id, &watch.state, trace, now)
                .await
                .map_err(|e| e.to_string())?;
            Ok(run_id)
        })
    }

    fn watched_run(
        &self,
        headers: axum::http::HeaderMap,
        flow: Flow,
        state: String,
    ) -> BoxFuture<'_, Result<Option<SavedRun>, String>> {
        Box::pin(async move {
            let viewer = Viewer::of(&self.state, &headers).await;
            let Some(owner) = OwnerKey::of(&viewer) else {
                return Ok(None);
            };
            let now = self.state.clock.now();
            let Some(trace) = self.state.watches.by_state(&owner, flow, &state, now).await else {
                return Ok(None);
            };
            visible_run(&self.state, &headers, &trace.run_id).await
        })
    }

    fn runs(&self, headers: axum::http::HeaderMap) -> BoxFuture<'_, Result<Vec<SavedRun>, String>> {
        Box::pin(async move {
            let viewer = Viewer::of(&self.state, &headers).await;
            let Some(owner) = viewer.owner() else {
                return Ok(Vec::new());
            };
            let rows = crate::storage::runs::list(&self.state.db, 100, owner)
                .await
                .map_err(|e| e.to_string())?;
            let retention = self.state.run_retention;
            Ok(rows.into_iter().map(|r| saved(r, retention)).collect())
        })
    }

    fn run(
        &self,
        headers: axum::http::HeaderMap,
        id: String,
    ) -> BoxFuture<'_, Result<Option<SavedRun>, String>> {
        Box::pin(async move { visible_run(&self.state, &headers, &id).await })
    }

    fn delete_run(
        &self,
        headers: axum::http::HeaderMap,
        id: String,
    ) -> BoxFuture<'_, Result<bool, String>> {
        Box::pin(async move { delete_run(&self.state, &headers, &id).await })
    }
}

/// True when the stored steps (JSON) hold a setup step through the admin REST API.
fn tutorial_run(steps: &str) -> bool {
    serde_json::from_str::<Vec<RunStep>>(steps)
        .is_ok_and(|steps| steps.iter().any(|s| s.channel == Channel::Admin))
}

/// Stores `steps` as run `id` of `viewer` (a new run when `None`, or when `id` is someone
/// else's: never a write into theirs); returns the run's id.
async fn save_run(
    state: &AppState,
    viewer: &Viewer,
    id: Option<String>,
    flow: Flow,
    steps: &[RunStep],
) -> Result<String, String> {
    let Some(owner) = viewer.owner() else {
        return Err("this browser sent no cookies, so a run cannot be kept for it".into());
    };
    let json = serde_json::to_string(steps).map_err(|e| e.to_string())?;
    let now = state.clock.now();
    let given = id.filter(|i| i.len() == 32 && i.bytes().all(|b| b.is_ascii_hexdigit()));
    if let Some(id) = given {
        let saved = crate::storage::runs::save(&state.db, &id, flow.slug(), &json, now, owner)
            .await
            .map_err(|e| e.to_string())?;
        if saved {
            return Ok(id);
        }
    }
    let id = crate::secret::ordered_id().map_err(|e| e.to_string())?;
    crate::storage::runs::save(&state.db, &id, flow.slug(), &json, now, owner)
        .await
        .map_err(|e| e.to_string())?;
    Ok(id)
}

/// Run `id`, if it belongs to the browser (or the developer) that sent `headers`; anyone
/// else's does not exist.
pub async fn visible_run(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    id: &str,
) -> Result<Option<SavedRun>, String> {
    let viewer = Viewer::of(state, headers).await;
    let Some(owner) = viewer.owner() else {
        return Ok(None);
    };
    let row = crate::storage::runs::get(&state.db, id, owner)
        .await
        .map_err(|e| e.to_string())?;
    Ok(row.map(|r| saved(r, state.run_retention)))
}

/// Deletes run `id` if it belongs to the sender of `headers`; false when there is no such run
/// of theirs.
pub async fn delete_run(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    id: &str,
) -> Result<bool, String> {
    let viewer = Viewer::of(state, headers).await;
    let Some(owner) = viewer.owner() else {
        return Ok(false);
    };
    crate::storage::runs::delete(&state.db, id, owner)
        .await
        .map_err(|e| e.to_string())
}

/// A stored row as the UI sees it; it is deleted `retention` seconds after its last step.
pub fn saved(row: crate::storage::runs::RunRow, retention: i64) -> SavedRun {
    SavedRun {
        id: row.id,
        flow: Flow::from_slug(&row.flow),
        created_at: crate::clock::rfc3339(row.created_at),
        expires_at: crate::clock::rfc3339(row.updated_at + retention),
        steps: serde_json::from_str(&row.steps).unwrap_or_default(),
    }
}

/// A response's status line as HTTP/1.1 writes it.
pub fn status_line(status: axum::http::StatusCode) -> String {
    format!(
        "HTTP/1.1 {} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    )
}

/// The equivalent curl command.
fn curl(issuer: &str, out: &Outgoing) -> String {
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let mut parts = vec!["curl -si".to_owned()];
    if out.method != "GET" {
        parts.push(format!("-X {}", out.method));
    }
    for (k, v) in &out.headers {
        parts.push(format!("-H {}", quote(&format!("{k}: {v}"))));
    }
    if !out.body.is_empty() {
        parts.push(format!("--data-raw {}", quote(&out.body)));
    }
    parts.push(quote(&format!(
        "{}{}",
        issuer.trim_end_matches('/'),
        out.path
    )));
    parts.join(" \\\n  ")
}
