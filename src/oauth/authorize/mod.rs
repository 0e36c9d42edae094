//! The authorization endpoint (RFC 6749 §3.1, §4.1, §4.2) with its login and consent pages.
//!
//! `GET`/`POST /auth/authorize` checks the request ([`request`]); a signed-in browser (the
//! session cookie) goes straight on, anyone else gets the login page. `POST /auth/login` signs
//! in; `GET`/`POST /auth/consent` asks for and records consent; then a code or an implicit token
//! goes back to the client ([`issue`]). `GET /auth/logout` asks, and its form's `POST` (with the
//! browser's CSRF token) ends the session. Sessions, CSRF and the failure throttle live in
//! [`crate::security`].

pub mod device;
pub mod issue;
pub mod pending;
pub mod picker;
pub mod request;
pub mod respond;

use crate::accounts::{self, CheckError};
use crate::oauth::error::OAuthError;
use crate::oauth::params::{MAX_FORM_BYTES, Params};
use crate::sandbox::recorder::Trace;
use crate::secret::Secret;
use crate::security::{csrf, session};
use crate::state::AppState;
use crate::storage::sessions;
use app::auth_pages::{ConsentView, ErrorView, LoginView, SandboxBanner};
use app::sandbox::catalogue::ArrowId;
use axum::Extension;
use axum::body::Body;
use axum::extract::{RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pending::Pending;
use request::{AuthorizeRequest, Rejection, group};
use respond::{
    Via, consent_page, error_page, html, login_page, redirect_error, redirect_error_unseen,
    server_error_page,
};
use std::collections::HashMap;

/// What a person is told about a form whose request is gone: expired, or completed already
/// (perhaps on another node).
const ALREADY_COMPLETED: &str = "This sign-in request has expired or was already completed. Go back to the application and start again.";

/// `GET /auth/authorize`: the parameters are in the query.
pub async fn authorize_get(
    State(state): State<AppState>,
    trace: Option<Extension<Trace>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    let pairs = form_urlencoded::parse(query.as_bytes()).into_owned();
    let trace = trace.map(|Extension(t)| t);
    start(&state, &headers, group(pairs), Via::Get, trace).await
}

/// `POST /auth/authorize`: the parameters are in a form body (RFC 6749 §3.1 allows POST).
pub async fn authorize_post(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let trace = parts.extensions.get::<Trace>().cloned();
    match read_form(&parts.headers, body).await {
        Ok(bytes) => {
            let pairs = form_urlencoded::parse(&bytes).into_owned();
            start(&state, &parts.headers, group(pairs), Via::Post, trace).await
        }
        Err(response) => response,
    }
}

/// Reads a form body for the pages, or answers with an error page.
async fn read_form(headers: &HeaderMap, body: Body) -> Result<Vec<u8>, Response> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    if !is_form {
        return Err(bad_request(
            "The form must be sent as application/x-www-form-urlencoded.",
        ));
    }
    axum::body::to_bytes(body, MAX_FORM_BYTES)
        .await
        .map(|b| b.to_vec())
        .map_err(|_| {
            error_page(
                StatusCode::PAYLOAD_TOO_LARGE,
                error_view("The form is too large."),
            )
        })
}

fn error_view(message: &str) -> ErrorView {
    ErrorView {
        title: "This request cannot continue".into(),
        message: message.into(),
        ..ErrorView::default()
    }
}

pub fn bad_request(message: &str) -> Response {
    message_page(StatusCode::BAD_REQUEST, message)
}

/// The error page with `status` and `message`.
pub fn message_page(status: StatusCode, message: &str) -> Response {
    error_page(status, error_view(message))
}

/// The first value of parameter `name` in a query string.
fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn with_cookies(mut response: Response, cookies: &[String]) -> Response {
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

async fn start(
    state: &AppState,
    headers: &HeaderMap,
    params: HashMap<String, Vec<String>>,
    via: Via,
    trace: Option<Trace>,
) -> Response {
    let mut request = match request::parse(state, params).await {
        Ok(r) => r,
        Err(Rejection::Page {
            message,
            field,
            registered,
        }) => {
            return error_page(
                StatusCode::BAD_REQUEST,
                ErrorView {
                    title: "This authorization request cannot continue".into(),
                    message,
                    field,
                    registered,
                },
            );
        }
        Err(Rejection::Redirect {
            target,
            error,
            client,
        }) => {
            return redirect_error_unseen(state, &client, &target, &error, via);
        }
    };
    request.sandbox = trace;
    proceed(state, headers, request, via).await
}

/// A checked request: on with the signed-in person, or to the login page.
async fn proceed(
    state: &AppState,
    headers: &HeaderMap,
    request: AuthorizeRequest,
    via: Via,
) -> Response {
    let now = state.clock.now();
    let Ok(session) = session::current(state, headers).await else {
        return server_error_page();
    };
    // OIDC Core §3.1.2.1: prompt=login forces a fresh sign-in; max_age bounds the age of the
    // last one.
    let signed_in = session.filter(|s| {
        !request.prompt.login && request.max_age.is_none_or(|m| now - s.auth_time <= m)
    });
    match signed_in {
        Some(s) => {
            after_login(
                state,
                headers,
                request,
                &s.username,
                s.auth_time,
                None,
                via,
                &[],
            )
            .await
        }
        None if request.prompt.none => redirect_error_unseen(
            state,
            &request.client,
            &request.target,
            &OAuthError::LoginRequired("prompt=none was sent, but nobody is signed in".into()),
            via,
        ),
        None => {
            let hint = request.login_hint.clone().unwrap_or_default();
            let client_name = request.client.client_name.clone();
            let banner = banner(&request, ArrowId::SignIn);
            let pending = Pending {
                request,
                created_at: now,
                user: None,
            };
            let Ok(id) = state.pending.insert(state, pending).await else {
                return server_error_page();
            };
            show_login(state, headers, &id, client_name, hint, None, banner).await
        }
    }
}

/// The sandbox banner of `page` (sign-in or consent), when a sandbox run sent the request.
fn banner(request: &AuthorizeRequest, page: ArrowId) -> Option<SandboxBanner> {
    request
        .sandbox
        .as_ref()
        .map(|t| app::sandbox::front_channel::banner(t.flow, page, &t.page.path(t.flow), &t.run_id))
}

async fn show_login(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    client_name: String,
    username: String,
    error: Option<String>,
    sandbox: Option<SandboxBanner>,
) -> Response {
    let Ok((browser, set)) = csrf::browser_cookie(state, headers) else {
        return server_error_page();
    };
    let csrf = state.csrf.token(&browser, id);
    let cookies: Vec<String> = set.into_iter().collect();
    // Mock mode: the test sign-in, next to the password form.
    let mock = match &state.mock {
        Some(_) => match state.pending.get(state, id).await {
            Some(pending) => Some(crate::mock::sign_in::view(state, &pending.request).await),
            None => None,
        },
        None => None,
    };
    login_page(
        LoginView {
            client_name,
            request_id: id.to_owned(),
            csrf,
            username,
            error,
            sandbox,
            mock,
        },
        &cookies,
    )
}

/// Signed in: ask for consent when needed, otherwise complete.
#[allow(clippy::too_many_arguments)]
async fn after_login(
    state: &AppState,
    headers: &HeaderMap,
    request: AuthorizeRequest,
    username: &str,
    auth_time: i64,
    pending_id: Option<String>,
    via: Via,
    cookies: &[String],
) -> Response {
    if picker::waits_for_patient(&request) {
        if request.prompt.none {
            let error = OAuthError::InteractionRequired(
                "prompt=none was sent, but the person must choose the patient for launch/patient"
                    .into(),
            );
            let response =
                redirect_error_unseen(state, &request.client, &request.target, &error, via);
            return with_cookies(response, cookies);
        }
        let Ok(id) = keep_pending(state, pending_id, &request, username, auth_time).await else {
            return server_error_page();
        };
        return picker::ask(state, headers, &id, &request, username, via, cookies).await;
    }
    let remembered = match sessions::has_consent(
        &state.db,
        username,
        &request.client.client_id,
        &request.scope,
    )
    .await
    {
        Ok(r) => r,
        Err(_) => return server_error_page(),
    };
    // RFC 8628 §5.4: a device's request is always shown, so that a person tricked into typing
    // someone else's code sees what they would grant.
    let needs_consent = request.device.is_some()
        || (!request.client.first_party && (request.prompt.consent || !remembered));
    if !needs_consent {
        if let Some(id) = &pending_id {
            match state.pending.take(state, id).await {
                Ok(true) => {}
                Ok(false) => return bad_request(ALREADY_COMPLETED),
                Err(_) => return server_error_page(),
            }
        }
        return with_cookies(
            issue::complete(state, &request, username, auth_time, via).await,
            cookies,
        );
    }
    if request.prompt.none {
        let error = OAuthError::ConsentRequired(
            "prompt=none was sent, but the user has not consented".into(),
        );
        let response = redirect_error_unseen(state, &request.client, &request.target, &error, via);
        return with_cookies(response, cookies);
    }
    let Ok(id) = keep_pending(state, pending_id, &request, username, auth_time).await else {
        return server_error_page();
    };
    match via {
        // After the login form: 303 to the consent page, so a reload does not resend the password.
        Via::Post => see_other(app::endpoints::CONSENT, &id, cookies),
        Via::Get => with_cookies(
            show_consent(state, headers, &id, &request, username),
            cookies,
        ),
    }
}

/// The id of the pending request for `request`: `pending_id`, or a new one for `username`, who
/// signed in at `auth_time`.
async fn keep_pending(
    state: &AppState,
    pending_id: Option<String>,
    request: &AuthorizeRequest,
    username: &str,
    auth_time: i64,
) -> Result<String, crate::storage::StorageError> {
    match pending_id {
        Some(id) => Ok(id),
        None => {
            let now = state.clock.now();
            let pending = Pending {
                request: request.clone(),
                created_at: now,
                user: Some((username.to_owned(), auth_time)),
            };
            state.pending.insert(state, pending).await
        }
    }
}

/// A 303 to the page `path` of pending request `id`: after a form post, so that a reload does
/// not post it again.
fn see_other(path: &str, id: &str, cookies: &[String]) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("{path}?request={id}")) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    with_cookies(response, cookies)
}

/// The pending request that the query's `request` names, with who signed in for it.
async fn signed_in_pending(
    state: &AppState,
    query: Option<&str>,
) -> Option<(String, AuthorizeRequest, String)> {
    let id = query_param(query, "request")?;
    match state.pending.get(state, &id).await? {
        Pending {
            request,
            user: Some((username, _)),
            ..
        } => Some((id, request, username)),
        Pending { user: None, .. } => None,
    }
}

fn show_consent(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    request: &AuthorizeRequest,
    username: &str,
) -> Response {
    let Ok((browser, set)) = csrf::browser_cookie(state, headers) else {
        return server_error_page();
    };
    let view = ConsentView {
        client_name: request.client.client_name.clone(),
        client_id: request.client.client_id.clone(),
        username: username.to_owned(),
        request_id: id.to_owned(),
        csrf: state.csrf.token(&browser, id),
        scopes: request
            .scope
            .iter()
            .map(|s| respond::describe_scope_in(s, request.smart.as_ref()))
            .collect(),
        sandbox: banner(request, ArrowId::Consent),
        device_code: request.device.as_ref().map(|d| d.user_code.clone()),
    };
    consent_page(view, &set.into_iter().collect::<Vec<_>>())
}

/// A posted page form: its fields, the caller's address and the request headers.
pub struct PostedForm {
    pub params: Params,
    pub address: String,
    pub headers: HeaderMap,
}

/// Reads a form posted by one of the server's own pages.
pub async fn posted_form(request: Request) -> Result<PostedForm, Response> {
    let address = crate::security::PeerAddress::of(request.extensions()).0;
    let (parts, body) = request.into_parts();
    let bytes = read_form(&parts.headers, body).await?;
    let params = Params::parse(&bytes).map_err(|e| bad_request(e.description()))?;
    Ok(PostedForm {
        params,
        address,
        headers: parts.headers,
    })
}

/// True when the form's `csrf` field is this browser's token for `purpose`.
pub fn csrf_ok(state: &AppState, form: &PostedForm, purpose: &str) -> bool {
    let token = form.params.get("csrf").unwrap_or_default();
    csrf::form_ok(state, &form.headers, purpose, token)
}

/// Reads a page form: its fields, the pending request it names, and a verified CSRF token.
async fn page_form(
    state: &AppState,
    request: Request,
) -> Result<(Params, Pending, String, String, HeaderMap), Response> {
    let form = posted_form(request).await?;
    let id = form
        .params
        .require("request")
        .map_err(|_| bad_request("The form does not say which request it answers."))?
        .to_owned();
    let pending = state
        .pending
        .get(state, &id)
        .await
        .ok_or_else(|| bad_request(ALREADY_COMPLETED))?;
    if !csrf_ok(state, &form, &id) {
        return Err(error_page(
            StatusCode::FORBIDDEN,
            error_view(
                "The form's security token does not match this browser. Reload the page and try again.",
            ),
        ));
    }
    Ok((form.params, pending, id, form.address, form.headers))
}

/// `POST /auth/login`: check the username and password, start the session, go on.
pub async fn login(State(state): State<AppState>, request: Request) -> Response {
    let (params, pending, id, address, headers) = match page_form(&state, request).await {
        Ok(parts) => parts,
        Err(response) => return response,
    };
    if state.mock.is_some()
        && (params.get("mock_user").is_some() || params.get("mock_subject").is_some())
    {
        return mock_login(&state, &params, pending, id, headers).await;
    }
    let now = state.clock.now();
    let username = params.get("username").unwrap_or_default().to_owned();
    let client_name = pending.request.client.client_name.clone();
    let sign_in_banner = banner(&pending.request, ArrowId::SignIn);
    let password = Secret::new(params.get("password").unwrap_or_default());
    let user = match accounts::authenticate(&state, &username, &password, &address).await {
        Ok(user) => user,
        Err(CheckError::Throttled(t)) => {
            let message = format!(
                "Too many failed sign-ins. Try again in {} seconds.",
                t.retry_after
            );
            let mut response = show_login(
                &state,
                &headers,
                &id,
                client_name,
                username,
                Some(message),
                sign_in_banner,
            )
            .await;
            *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(t.retry_after));
            return response;
        }
        Err(CheckError::Storage(_)) => return server_error_page(),
    };
    let Some(user) = user else {
        let message = "The username or password is wrong.".to_owned();
        return show_login(
            &state,
            &headers,
            &id,
            client_name,
            username,
            Some(message),
            sign_in_banner,
        )
        .await;
    };
    signed_in(&state, &headers, pending.request, &user.username, id, now).await
}

/// Mock mode's test sign-in (`mock_user`, or `mock_subject` with `mock_claims`): no password.
async fn mock_login(
    state: &AppState,
    params: &Params,
    mut pending: pending::Pending,
    id: String,
    headers: HeaderMap,
) -> Response {
    use crate::mock::sign_in;
    let now = state.clock.now();
    let client_name = pending.request.client.client_name.clone();
    let sign_in_banner = banner(&pending.request, ArrowId::SignIn);
    let subject = params.get("mock_subject");
    let checked = match sign_in::parse_claims(params.get("mock_claims").unwrap_or_default()) {
        Ok(claims) => sign_in::user_for(state, params.get("mock_user"), subject)
            .await
            .map(|user| (user, claims)),
        Err(message) => Err(message),
    };
    let (user, claims) = match checked {
        Ok(found) => found,
        Err(message) => {
            let typed = subject.unwrap_or_default().to_owned();
            return show_login(
                state,
                &headers,
                &id,
                client_name,
                typed,
                Some(message),
                sign_in_banner,
            )
            .await;
        }
    };
    pending.request.claims = claims;
    if state
        .pending
        .replace(state, &id, &pending.request)
        .await
        .is_err()
    {
        return server_error_page();
    }
    signed_in(state, &headers, pending.request, &user.username, id, now).await
}

/// Signed in as `username`: start the session, then consent or completion.
async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
    request: AuthorizeRequest,
    username: &str,
    id: String,
    now: i64,
) -> Response {
    let cookie = match session::start(state, username).await {
        Ok(c) => c,
        Err(_) => return server_error_page(),
    };
    if state
        .pending
        .sign_in(state, &id, username, now)
        .await
        .is_err()
    {
        return server_error_page();
    }
    after_login(
        state,
        headers,
        request,
        username,
        now,
        Some(id),
        Via::Post,
        &[cookie],
    )
    .await
}

/// `GET /auth/consent?request=…`: the consent page for a signed-in pending request.
pub async fn consent_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    match signed_in_pending(&state, query.as_deref()).await {
        Some((id, request, username)) => show_consent(&state, &headers, &id, &request, &username),
        None => bad_request(
            "This consent request has expired or was already answered. Go back to the application and start again.",
        ),
    }
}

/// `POST /auth/consent`: approve or deny.
pub async fn consent_post(State(state): State<AppState>, request: Request) -> Response {
    let (params, pending, id, _, _) = match page_form(&state, request).await {
        Ok(parts) => parts,
        Err(response) => return response,
    };
    let now = state.clock.now();
    let Some((username, auth_time)) = pending.user.clone() else {
        return bad_request("Sign in first.");
    };
    // A request is answered once, whichever node the answer reaches.
    match state.pending.take(&state, &id).await {
        Ok(true) => {}
        Ok(false) => return bad_request(ALREADY_COMPLETED),
        Err(_) => return server_error_page(),
    }
    let request = pending.request;
    match params.get("decision") {
        Some("approve") => {
            let remembered = sessions::remember_consent(
                &state.db,
                &username,
                &request.client.client_id,
                &request.scope.to_string(),
                now,
            )
            .await;
            if remembered.is_err() {
                return server_error_page();
            }
            issue::complete(&state, &request, &username, auth_time, Via::Post).await
        }
        _ if request.response_type == request::ResponseType::Device => {
            device::decided(&state, &request, None).await
        }
        // RFC 6749 §4.1.2.1 access_denied: "The resource owner or authorization server denied
        // the request."
        _ => redirect_error(
            &state,
            &request.target,
            &OAuthError::AccessDenied("the user denied the request".into()),
            Via::Post,
        ),
    }
}

/// What the sign-out form's CSRF token is bound to, besides the browser.
const LOGOUT_PURPOSE: &str = "logout";

/// `GET /auth/logout`: a page that asks; only its form signs out. A link or an image on any
/// other site can no longer end a person's session.
pub async fn logout_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let return_to = query_param(query.as_deref(), "return_to");
    let Ok(session) = session::current(&state, &headers).await else {
        return server_error_page();
    };
    let Ok((browser, set)) = csrf::browser_cookie(&state, &headers) else {
        return server_error_page();
    };
    let view = app::auth_pages::LogoutView {
        username: session.map(|s| s.username),
        csrf: state.csrf.token(&browser, LOGOUT_PURPOSE),
        return_to: local_page(return_to.as_deref()).to_owned(),
    };
    html(
        StatusCode::OK,
        "Sign out",
        leptos::prelude::view! { <app::auth_pages::LogoutPage view /> },
        &set.into_iter().collect::<Vec<_>>(),
    )
}

/// `POST /auth/logout`: with this browser's CSRF token, end the session and go to the start
/// page; without it, 403.
pub async fn logout(State(state): State<AppState>, request: Request) -> Response {
    let form = match posted_form(request).await {
        Ok(form) => form,
        Err(response) => return response,
    };
    if !csrf_ok(&state, &form, LOGOUT_PURPOSE) {
        return error_page(
            StatusCode::FORBIDDEN,
            error_view(
                "Sign out from the sign-out page: this request did not carry its security token.",
            ),
        );
    }
    let Ok(cookie) = session::end(&state, &form.headers).await else {
        return server_error_page();
    };
    let mut response = StatusCode::SEE_OTHER.into_response();
    let back = local_page(form.params.get("return_to"));
    if let Ok(v) = HeaderValue::from_str(back) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    with_cookies(response, &[cookie])
}

/// `path` when it is one of this site's sandbox or tutorial pages, else `/`: the sign-out page
/// never sends the browser anywhere else (no open redirect).
fn local_page(path: Option<&str>) -> &str {
    match path {
        Some(p)
            if (p.starts_with("/sandbox/") || p == "/tutorial" || p.starts_with("/tutorial/"))
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"/-_?=&".contains(&b)) =>
        {
            p
        }
        _ => "/",
    }
}
