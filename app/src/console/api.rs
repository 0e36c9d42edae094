//! Server functions the console pages call. Each acts as the account signed in to the console
//! in this browser, through the backend the server provided as context.

use super::wire::*;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The backend and this request's headers (the console session cookie travels in them).
#[cfg(feature = "ssr")]
fn ctx() -> Result<(super::backend::Console, http::HeaderMap), Failure> {
    let console = use_context::<super::backend::Console>()
        .ok_or_else(|| Failure::server("no console backend"))?;
    let headers = use_context::<http::request::Parts>()
        .map(|p| p.headers)
        .unwrap_or_default();
    Ok((console, headers))
}

/// Turns a backend failure into the error the page shows, answered with its own status when
/// the function was called over HTTP (a page rendering on the server keeps its own status).
#[cfg(feature = "ssr")]
fn fail(failure: Failure) -> Failure {
    let over_http =
        use_context::<http::request::Parts>().is_some_and(|p| p.uri.path().starts_with("/api/"));
    if let (true, Some(options), Ok(status)) = (
        over_http,
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(failure.status),
    ) {
        options.set_status(status);
    }
    failure
}

/// The signed-in account, if any.
#[server(endpoint = "console/me")]
pub async fn whoami() -> Result<Option<Me>, Failure> {
    let (c, h) = ctx()?;
    Ok(c.me(h).await)
}

/// The caller's clients.
#[server(endpoint = "console/clients")]
pub async fn list_clients() -> Result<Vec<ClientSummary>, Failure> {
    let (c, h) = ctx()?;
    c.clients(h).await.map_err(fail)
}

/// The clients a flow page may offer besides the demo set: the signed-in developer's own, or
/// none for a visitor (not an error: the question is harmless).
#[server(endpoint = "console/usable-clients")]
pub async fn usable_clients() -> Result<Vec<ClientSummary>, Failure> {
    let (c, h) = ctx()?;
    match c.clients(h).await {
        Err(f) if f.status == 401 => Ok(Vec::new()),
        other => other.map_err(fail),
    }
}

/// One of the caller's clients.
#[server(endpoint = "console/client")]
pub async fn get_client(id: String) -> Result<ClientSummary, Failure> {
    let (c, h) = ctx()?;
    c.client(h, id).await.map_err(fail)
}

/// Creates (`create`) or changes a client.
#[server(endpoint = "console/save-client", input = Json)]
pub async fn save_client(form: ClientForm, create: bool) -> Result<SavedClient, Failure> {
    let (c, h) = ctx()?;
    c.save_client(h, form, create).await.map_err(fail)
}

/// Deletes a client; its tokens stop working.
#[server(endpoint = "console/delete-client")]
pub async fn delete_client(id: String) -> Result<(), Failure> {
    let (c, h) = ctx()?;
    c.delete_client(h, id).await.map_err(fail)
}

/// A new secret for a client, shown this once.
#[server(endpoint = "console/regenerate-secret")]
pub async fn regenerate_secret(id: String) -> Result<String, Failure> {
    let (c, h) = ctx()?;
    c.regenerate_secret(h, id).await.map_err(fail)
}

/// The caller's users (every account for an admin).
#[server(endpoint = "console/users")]
pub async fn list_users() -> Result<Vec<UserSummary>, Failure> {
    let (c, h) = ctx()?;
    c.users(h).await.map_err(fail)
}

/// Creates or changes a demo user.
#[server(endpoint = "console/save-user", input = Json)]
pub async fn save_user(form: UserForm) -> Result<UserSummary, Failure> {
    let (c, h) = ctx()?;
    c.save_user(h, form).await.map_err(fail)
}

/// Deletes a user.
#[server(endpoint = "console/delete-user")]
pub async fn delete_user(username: String) -> Result<(), Failure> {
    let (c, h) = ctx()?;
    c.delete_user(h, username).await.map_err(fail)
}

/// An admin changes an account.
#[server(endpoint = "console/set-account")]
pub async fn set_account(
    username: String,
    admin: bool,
    disabled: bool,
) -> Result<UserSummary, Failure> {
    let (c, h) = ctx()?;
    c.set_account(h, username, admin, disabled)
        .await
        .map_err(fail)
}

/// The caller's access policies.
#[server(endpoint = "console/policies")]
pub async fn list_policies() -> Result<Vec<PolicyForm>, Failure> {
    let (c, h) = ctx()?;
    c.policies(h).await.map_err(fail)
}

/// Creates or changes an access policy.
#[server(endpoint = "console/save-policy", input = Json)]
pub async fn save_policy(form: PolicyForm) -> Result<PolicyForm, Failure> {
    let (c, h) = ctx()?;
    c.save_policy(h, form).await.map_err(fail)
}

/// Deletes an access policy.
#[server(endpoint = "console/delete-policy")]
pub async fn delete_policy(id: String) -> Result<(), Failure> {
    let (c, h) = ctx()?;
    c.delete_policy(h, id).await.map_err(fail)
}

/// The trusted issuers the signed-in account may see.
#[server(endpoint = "console/trusts")]
pub async fn list_trusts() -> Result<Vec<TrustForm>, Failure> {
    let (c, h) = ctx()?;
    c.trusts(h).await.map_err(fail)
}

/// Creates or changes a trusted issuer.
#[server(endpoint = "console/save-trust", input = Json)]
pub async fn save_trust(form: TrustForm) -> Result<TrustForm, Failure> {
    let (c, h) = ctx()?;
    c.save_trust(h, form).await.map_err(fail)
}

/// Launches one of the caller's SMART apps as an EHR would: the answer is the app's launch URL
/// with `iss` and a `launch` that works once.
#[server(endpoint = "console/test-launch", input = Json)]
pub async fn test_launch(form: LaunchForm) -> Result<LaunchMade, Failure> {
    let (c, h) = ctx()?;
    c.test_launch(h, form).await.map_err(fail)
}

/// Deletes a trusted issuer.
#[server(endpoint = "console/delete-trust")]
pub async fn delete_trust(id: String) -> Result<(), Failure> {
    let (c, h) = ctx()?;
    c.delete_trust(h, id).await.map_err(fail)
}

/// Asks the access policies about a request.
#[server(endpoint = "console/debug", input = Json)]
pub async fn test_request(request: DebugRequest) -> Result<DebugResult, Failure> {
    let (c, h) = ctx()?;
    c.debug(h, request).await.map_err(fail)
}

/// The tokens a client would get for a user and a scope, decoded, without issuing any.
#[server(endpoint = "console/preview", input = Json)]
pub async fn preview_tokens(request: PreviewRequest) -> Result<TokenPreview, Failure> {
    let (c, h) = ctx()?;
    c.preview(h, request).await.map_err(fail)
}

/// A new initial access token, shown this once.
#[server(endpoint = "console/initial-token")]
pub async fn new_initial_token() -> Result<String, Failure> {
    let (c, h) = ctx()?;
    c.initial_token(h).await.map_err(fail)
}

/// This browser's workspace; with `start`, a new learner workspace when it has none (the
/// tutorial's first visit). With `new_password`, a learner workspace's password is replaced and
/// returned (the browser lost the one it kept).
#[server(endpoint = "console/workspace")]
pub async fn open_workspace(start: bool, new_password: bool) -> Result<Option<Workspace>, Failure> {
    let console = use_context::<super::backend::Console>()
        .ok_or_else(|| Failure::server("no console backend"))?;
    let parts =
        use_context::<http::request::Parts>().ok_or_else(|| Failure::server("no request"))?;
    let (found, cookie) = console
        .workspace(parts, start, new_password)
        .await
        .map_err(fail)?;
    if let (Some(cookie), Some(options)) = (cookie, use_context::<leptos_axum::ResponseOptions>())
        && let Ok(value) = http::HeaderValue::from_str(&cookie)
    {
        options.append_header(http::header::SET_COOKIE, value);
    }
    Ok(found)
}

/// Keeps this browser's learner workspace as a lasting developer account with the name and
/// password the learner chose.
#[server(endpoint = "console/keep-workspace")]
pub async fn keep_workspace(username: String, password: String) -> Result<Workspace, Failure> {
    let (c, h) = ctx()?;
    c.keep_workspace(h, username, password).await.map_err(fail)
}
