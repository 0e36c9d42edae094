//! The login session cookie (single sign-on) and the developer console's session cookie.
//!
//! Cookies are HttpOnly and SameSite=Lax, and Secure when the issuer is https. A session cookie
//! holds `<handle>.<secret>`; the server stores only the digest of the secret.

use crate::secret::{NoRandomness, digest, new_secret, ordered_id, secret_matches};
use crate::state::AppState;
use crate::storage::StorageError;
use crate::storage::sessions::{self, SessionRecord};
use axum::http::{HeaderMap, header};
use cookie::{Cookie, SameSite};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "sandbox_session";
/// How long a login session lasts, in seconds.
pub const SESSION_TTL: i64 = 8 * 3600;

/// Why a session could not be read, started or ended.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    NoRandomness(#[from] NoRandomness),
}

/// The value of cookie `name` in the request.
pub fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// A `Set-Cookie` value; `max_age` of 0 deletes the cookie.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: i64) -> String {
    let mut c = Cookie::new(name.to_owned(), value.to_owned());
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_path("/");
    c.set_secure(state.issuer.starts_with("https://"));
    c.set_max_age(cookie::time::Duration::seconds(max_age));
    c.to_string()
}

/// The console session cookie's name: a developer signed in to manage their clients.
pub const CONSOLE_COOKIE: &str = "sandbox_console";

/// Which session: the authorization server's login, or the developer console. They live in
/// separate cookies and a session of one kind never opens the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Login,
    Console,
}

impl Kind {
    fn cookie(self) -> &'static str {
        match self {
            Kind::Login => SESSION_COOKIE,
            Kind::Console => CONSOLE_COOKIE,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Login => "login",
            Kind::Console => "console",
        }
    }
}

/// The signed-in session of this browser, if any and still valid.
pub async fn current(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<SessionRecord>, SessionError> {
    current_of(state, headers, Kind::Login).await
}

/// The signed-in session of `kind` of this browser, if any and still valid.
pub async fn current_of(
    state: &AppState,
    headers: &HeaderMap,
    kind: Kind,
) -> Result<Option<SessionRecord>, SessionError> {
    let Some(value) = read_cookie(headers, kind.cookie()) else {
        return Ok(None);
    };
    let Some((handle, secret)) = value.split_once('.') else {
        return Ok(None);
    };
    let record = sessions::find(&state.db, handle).await?;
    let now = state.clock.now();
    Ok(record.filter(|r| {
        r.kind == kind.name() && now < r.expires_at && secret_matches(&r.secret_hash, secret)
    }))
}

/// Starts a login session for `username`; returns the `Set-Cookie` value.
pub async fn start(state: &AppState, username: &str) -> Result<String, SessionError> {
    start_of(state, username, Kind::Login).await
}

/// Starts a session of `kind` for `username`; returns the `Set-Cookie` value.
pub async fn start_of(
    state: &AppState,
    username: &str,
    kind: Kind,
) -> Result<String, SessionError> {
    start_for(state, username, kind, SESSION_TTL).await
}

/// Starts a session of `kind` for `username` that lasts `ttl` seconds; returns the
/// `Set-Cookie` value.
pub async fn start_for(
    state: &AppState,
    username: &str,
    kind: Kind,
    ttl: i64,
) -> Result<String, SessionError> {
    let now = state.clock.now();
    let (handle, secret) = (ordered_id()?, new_secret()?);
    let record = SessionRecord {
        handle: handle.clone(),
        secret_hash: digest(secret.expose()),
        username: username.to_owned(),
        auth_time: now,
        expires_at: now + ttl,
        kind: kind.name().to_owned(),
    };
    sessions::insert(&state.db, &record).await?;
    Ok(set_cookie(
        state,
        kind.cookie(),
        &format!("{handle}.{}", secret.expose()),
        ttl,
    ))
}

/// Ends this browser's login session, if any; returns the `Set-Cookie` value that deletes it.
pub async fn end(state: &AppState, headers: &HeaderMap) -> Result<String, SessionError> {
    end_of(state, headers, Kind::Login).await
}

/// Ends this browser's session of `kind`, if any; returns the `Set-Cookie` that deletes it.
pub async fn end_of(
    state: &AppState,
    headers: &HeaderMap,
    kind: Kind,
) -> Result<String, SessionError> {
    if let Some(record) = current_of(state, headers, kind).await? {
        sessions::delete(&state.db, &record.handle).await?;
    }
    Ok(set_cookie(state, kind.cookie(), "", 0))
}
