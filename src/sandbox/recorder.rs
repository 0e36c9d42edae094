//! The front channel, recorded as it crossed.
//!
//! Before a flow page sends the browser to the authorization endpoint, it asks the server to
//! watch for that browser's request as `client_id` with `state` ([`Watches`]). The middleware
//! [`record`] sits on the authorization endpoint and its sign-in and consent pages. For a
//! request of a watched browser (its run owner: the visitor cookie, or the developer signed in
//! to the console) that carries the watched `client_id` and `state`, or the id of a pending
//! request that does, it records the request and the response exactly as they crossed, with the
//! checks the server ran, and adds them to the run. Credentials never reach storage: the
//! sign-in password and every cookie value are masked as they are recorded. A request of any
//! other browser, or of a real client, passes untouched.
//!
//! The handlers see the watch as a [`Trace`] extension and put the sandbox banner on the
//! sign-in and consent pages.

use super::visitor::Viewer;
use crate::state::AppState;
use crate::storage::runs::RunOwner;
use app::sandbox::catalogue::{ArrowId, Channel, Flow};
use app::sandbox::credentials::MASK;
use app::sandbox::front_channel::{Outcome, describe, explain_param};
use app::sandbox::wire::{CheckLine, Exchange, HttpMessage, ParamLine, RunStep};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

/// How long a watch waits for the browser, in seconds: long enough to sign in.
pub const WATCH_TTL: i64 = 1800;
/// The largest body recorded; larger ones are passed on unrecorded.
const MAX_BODY: usize = 256 * 1024;

/// Who a run belongs to, owned, as a key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OwnerKey {
    Developer(String),
    Visitor(String),
}

impl OwnerKey {
    /// The key of the viewer, if they may own runs.
    pub fn of(viewer: &Viewer) -> Option<Self> {
        Some(match viewer.owner()? {
            RunOwner::Developer(name) => OwnerKey::Developer(name.to_owned()),
            RunOwner::Visitor(digest) => OwnerKey::Visitor(digest.to_owned()),
        })
    }

    /// The owner, for storage calls.
    pub fn owner(&self) -> RunOwner<'_> {
        match self {
            OwnerKey::Developer(name) => RunOwner::Developer(name),
            OwnerKey::Visitor(digest) => RunOwner::Visitor(digest),
        }
    }
}

/// A front channel being recorded: which run its exchanges join, as which step.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Trace {
    pub run_id: String,
    /// The page the run lives on: a flow's, or a tutorial chapter's.
    pub page: app::sandbox::flow::Page,
    pub flow: Flow,
    pub number: u32,
}

impl OwnerKey {
    /// The owner as the watches table keys it.
    fn column(&self) -> String {
        match self {
            OwnerKey::Developer(name) => format!("developer:{name}"),
            OwnerKey::Visitor(digest) => format!("visitor:{digest}"),
        }
    }
}

/// The front channels being watched, in the database (`storage::watches`), so that a page
/// reaching any node of the issuer joins its run. Watches live [`WATCH_TTL`] seconds; the
/// collector deletes older ones.
#[derive(Debug)]
pub struct Watches {
    db: crate::storage::Db,
}

impl Watches {
    /// The watches kept in `db`.
    pub fn new(db: crate::storage::Db) -> Self {
        Self { db }
    }

    /// Watches for `owner`'s browser as `client_id` with `state`.
    pub async fn insert(
        &self,
        owner: OwnerKey,
        client_id: &str,
        state: &str,
        trace: Trace,
        now: i64,
    ) -> Result<(), crate::storage::StorageError> {
        let trace = serde_json::to_string(&trace)
            .map_err(|e| crate::storage::StorageError::Corrupt(e.to_string()))?;
        crate::storage::watches::upsert(&self.db, &owner.column(), client_id, state, &trace, now)
            .await
    }

    /// The watch of `owner` for `client_id` and `state`, if it has not expired.
    pub async fn find(
        &self,
        owner: &OwnerKey,
        client_id: &str,
        state: &str,
        now: i64,
    ) -> Option<Trace> {
        let found = crate::storage::watches::find(
            &self.db,
            &owner.column(),
            client_id,
            state,
            now - WATCH_TTL,
        )
        .await
        .ok()??;
        serde_json::from_str(&found).ok()
    }

    /// The newest watch of `owner` in `flow` with `state`, whatever the client: the callback
    /// page finds its run by the `state` that came back. The flows that come back with a code
    /// share the callback, so asking for one of them finds a run of any.
    pub async fn by_state(
        &self,
        owner: &OwnerKey,
        flow: Flow,
        state: &str,
        now: i64,
    ) -> Option<Trace> {
        let traces =
            crate::storage::watches::by_state(&self.db, &owner.column(), state, now - WATCH_TTL)
                .await
                .ok()?;
        traces
            .iter()
            .filter_map(|t| serde_json::from_str::<Trace>(t).ok())
            .find(|t| t.flow == flow || (flow.returns_code() && t.flow.returns_code()))
    }

    /// True when nothing is watched: every request passes untouched.
    pub async fn is_empty(&self, now: i64) -> bool {
        !crate::storage::watches::any(&self.db, now - WATCH_TTL)
            .await
            .unwrap_or(false)
    }
}

/// Which page of the authorization server a request is for.
fn arrow_of(path: &str) -> Option<ArrowId> {
    use app::endpoints as ep;
    match path {
        p if p == ep::AUTHORIZE => Some(ArrowId::Authorize),
        p if p == ep::LOGIN => Some(ArrowId::SignIn),
        p if p == ep::CONSENT => Some(ArrowId::Consent),
        p if p == ep::PATIENT_PICKER => Some(ArrowId::PickPatient),
        _ => None,
    }
}

/// The parameters of a request: its query and, for a form post, its body.
fn params_of(query: &str, body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .chain(form_urlencoded::parse(body))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn first<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The `(client_id, state)` a request belongs to: its own parameters for the authorization
/// endpoint, the pending request it names for the sign-in and consent pages.
async fn belongs_to(
    state: &AppState,
    arrow: ArrowId,
    params: &[(String, String)],
) -> Option<(String, String)> {
    if arrow == ArrowId::Authorize {
        return Some((
            first(params, "client_id")?.to_owned(),
            first(params, "state")?.to_owned(),
        ));
    }
    let pending = state.pending.get(state, first(params, "request")?).await?;
    Some((
        pending.request.client.client_id.clone(),
        pending.request.target.state.clone()?,
    ))
}

/// The middleware: records the exchange when it belongs to a watched front channel.
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(arrow) = arrow_of(request.uri().path()) else {
        return next.run(request).await;
    };
    if state.watches.is_empty(state.clock.now()).await {
        return next.run(request).await;
    }
    let viewer = Viewer::of(&state, request.headers()).await;
    let Some(owner) = OwnerKey::of(&viewer) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return crate::oauth::authorize::message_page(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "The form is too large.",
        );
    };
    let query = parts.uri.query().unwrap_or_default().to_owned();
    let params = params_of(&query, &bytes);
    let now = state.clock.now();
    let trace = match belongs_to(&state, arrow, &params).await {
        Some((client_id, s)) => state.watches.find(&owner, &client_id, &s, now).await,
        None => None,
    };
    let mut request = Request::from_parts(parts, Body::from(bytes.clone()));
    let Some(trace) = trace else {
        return next.run(request).await;
    };
    request.extensions_mut().insert(trace.clone());
    let sent = recorded_request(&request, &bytes);
    let redirect_uri = first(&params, "redirect_uri").map(str::to_owned);
    let started = Instant::now();
    let (response, checks) = crate::checks::traced(next.run(request)).await;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    let (response_parts, body) = response.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        return crate::oauth::authorize::respond::server_error_page();
    };
    let location = response_parts
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let outcome = outcome_of(
        &response_parts,
        location.as_deref(),
        redirect_uri.as_deref(),
    );
    let (title, lesson) = describe(arrow, outcome);
    let mut arrows = vec![arrow];
    if matches!(outcome, Outcome::Back { .. }) {
        arrows.push(ArrowId::RedirectBack);
    }
    let exchange = Exchange {
        request: sent,
        response: recorded_response(&response_parts, &body),
        status: response_parts.status.as_u16(),
        elapsed_ms,
        curl: String::new(),
        checks: checks.into_iter().map(CheckLine::from).collect(),
        url: String::new(),
    };
    let explained = if arrow == ArrowId::Authorize {
        params
            .iter()
            .map(|(name, value)| ParamLine {
                name: name.clone(),
                value: value.clone(),
                meaning: explain_param(name).to_owned(),
            })
            .collect()
    } else {
        Vec::new()
    };
    if let Err(e) = append(
        &state, &owner, &trace, title, lesson, arrows, explained, exchange,
    )
    .await
    {
        tracing::warn!(error = %e, "a front-channel exchange could not be recorded");
    }
    Response::from_parts(response_parts, Body::from(body))
}

/// Which page a handler answered with, set on the response by the sign-in and consent pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageShown(pub ArrowId);

/// How the server answered.
fn outcome_of(
    parts: &axum::http::response::Parts,
    location: Option<&str>,
    redirect_uri: Option<&str>,
) -> Outcome {
    match (parts.extensions.get::<PageShown>(), location) {
        (Some(PageShown(ArrowId::SignIn)), _) => Outcome::SignInPage,
        (Some(PageShown(ArrowId::PickPatient)), _) => Outcome::PatientPage,
        (Some(PageShown(_)), _) => Outcome::ConsentPage,
        (None, Some(l)) if leaves_server(l, redirect_uri) => {
            let (before, fragment) = l.split_once('#').unwrap_or((l, ""));
            let answer = if fragment.is_empty() {
                before.split_once('?').map(|(_, q)| q).unwrap_or("")
            } else {
                fragment
            };
            Outcome::Back {
                fragment: !fragment.is_empty(),
                error: form_urlencoded::parse(answer.as_bytes()).any(|(k, _)| k == "error"),
            }
        }
        (None, Some(_)) => Outcome::Onward,
        (None, None) => Outcome::Refused,
    }
}

/// True when `location` leaves the authorization server for the client: the redirect URI the
/// request named, or any absolute URL other than this server's pages.
fn leaves_server(location: &str, redirect_uri: Option<&str>) -> bool {
    match redirect_uri {
        Some(r) if location.starts_with(r) => true,
        _ => !location.starts_with('/'),
    }
}

/// Adds one recorded exchange to the run, as the next part of step `trace.number`.
#[allow(clippy::too_many_arguments)]
async fn append(
    state: &AppState,
    owner: &OwnerKey,
    trace: &Trace,
    title: &str,
    lesson: &str,
    arrows: Vec<ArrowId>,
    params: Vec<ParamLine>,
    exchange: Exchange,
) -> Result<(), String> {
    let row = crate::storage::runs::get(&state.db, &trace.run_id, owner.owner())
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the run is gone")?;
    let mut steps: Vec<RunStep> = serde_json::from_str(&row.steps).map_err(|e| e.to_string())?;
    let part = steps.iter().filter(|s| s.number == trace.number).count() + 1;
    steps.push(RunStep {
        number: trace.number,
        title: format!("{}.{part} {title}", trace.number),
        lesson: lesson.to_owned(),
        arrows,
        channel: Channel::Front,
        params,
        exchange,
    });
    let json = serde_json::to_string(&steps).map_err(|e| e.to_string())?;
    crate::storage::runs::save(
        &state.db,
        &trace.run_id,
        trace.flow.slug(),
        &json,
        state.clock.now(),
        owner.owner(),
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(())
}

/// Header values that are credentials of the browser: recorded masked.
fn masked_header(name: &str, value: &str) -> String {
    match name {
        "cookie" => value
            .split(';')
            .map(|c| match c.trim().split_once('=') {
                Some((k, _)) => format!("{k}={MASK}"),
                None => c.trim().to_owned(),
            })
            .collect::<Vec<_>>()
            .join("; "),
        "set-cookie" => match value.split_once('=') {
            Some((k, rest)) => {
                let attributes = rest.split_once(';').map(|(_, a)| a).unwrap_or_default();
                format!("{k}={MASK};{attributes}")
            }
            None => value.to_owned(),
        },
        _ => value.to_owned(),
    }
}

fn header_lines(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            let value = String::from_utf8_lossy(v.as_bytes());
            (k.as_str().to_owned(), masked_header(k.as_str(), &value))
        })
        .collect()
}

/// The request as it crossed, byte for byte, but for the value of every `password` field
/// (however its name was encoded, however short the password).
fn recorded_request(request: &Request, body: &[u8]) -> HttpMessage {
    let body = String::from_utf8_lossy(body)
        .split('&')
        .map(
            |pair| match form_urlencoded::parse(pair.as_bytes()).next() {
                Some((name, _)) if name == "password" => {
                    let raw_name = pair.split_once('=').map_or(pair, |(k, _)| k);
                    format!("{raw_name}={MASK}")
                }
                _ => pair.to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join("&");
    HttpMessage {
        start_line: format!("{} {} HTTP/1.1", request.method(), request.uri()),
        headers: header_lines(request.headers()),
        body,
    }
}

/// The response as it crossed; an HTML page is named, not copied.
fn recorded_response(parts: &axum::http::response::Parts, body: &[u8]) -> HttpMessage {
    let is_html = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let body = match is_html {
        true => format!(
            "<!-- {} bytes of HTML: the page the person sees -->",
            body.len()
        ),
        false => String::from_utf8_lossy(body).into_owned(),
    };
    HttpMessage {
        start_line: super::backend::status_line(parts.status),
        headers: header_lines(&parts.headers),
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_masked_and_the_rest_kept_byte_for_byte() {
        let request = Request::post("/auth/login").body(Body::empty()).unwrap();
        let sent = recorded_request(
            &request,
            b"request=r%2B1&username=al+ice&pass%77ord=abc&csrf=x",
        );
        assert_eq!(
            sent.body,
            format!("request=r%2B1&username=al+ice&pass%77ord={MASK}&csrf=x")
        );
    }

    #[test]
    fn cookies_are_recorded_masked() {
        assert_eq!(
            masked_header("cookie", "a=1; sandbox_visitor=secret"),
            format!("a={MASK}; sandbox_visitor={MASK}")
        );
        let set = masked_header("set-cookie", "oauth_session=abc; HttpOnly; Path=/");
        assert_eq!(set, format!("oauth_session={MASK}; HttpOnly; Path=/"));
        assert_eq!(masked_header("location", "/x?code=1"), "/x?code=1");
    }

    #[tokio::test]
    async fn a_watch_is_found_by_its_owner_client_and_state_only() {
        let db = crate::storage::Db::open("sqlite::memory:").await.unwrap();
        let w = Watches::new(db);
        assert!(w.is_empty(100).await);
        let me = OwnerKey::Visitor("me".into());
        let trace = Trace {
            run_id: "r".into(),
            page: app::sandbox::flow::Page::Flow,
            flow: Flow::AuthorizationCode,
            number: 1,
        };
        w.insert(me.clone(), "web-client", "s1", trace.clone(), 100)
            .await
            .unwrap();
        assert!(!w.is_empty(101).await);
        assert_eq!(
            w.find(&me, "web-client", "s1", 101).await,
            Some(trace.clone())
        );
        assert_eq!(w.find(&me, "other", "s1", 101).await, None);
        let you = OwnerKey::Visitor("you".into());
        assert_eq!(w.find(&you, "web-client", "s1", 101).await, None);
        // A developer named like a visitor's digest is someone else.
        let dev = OwnerKey::Developer("me".into());
        assert_eq!(w.find(&dev, "web-client", "s1", 101).await, None);
        assert_eq!(w.find(&me, "web-client", "s1", 100 + WATCH_TTL).await, None);
        assert_eq!(
            w.by_state(&me, Flow::AuthorizationCode, "s1", 101).await,
            Some(trace)
        );
        assert_eq!(w.by_state(&me, Flow::Implicit, "s1", 101).await, None);
        // The flows that come back with a code share the callback page.
        assert_eq!(
            w.by_state(&me, Flow::SmartStandalone, "s1", 101)
                .await
                .map(|t| t.flow),
            Some(Flow::AuthorizationCode)
        );
    }

    #[test]
    fn only_a_redirect_away_from_the_server_goes_back_to_the_client() {
        assert!(leaves_server(
            "http://localhost/sandbox/callback?code=x",
            Some("http://localhost/sandbox/callback")
        ));
        assert!(!leaves_server("/auth/consent?request=x", None));
        assert!(leaves_server("https://app.example/cb#access_token=x", None));
    }
}
