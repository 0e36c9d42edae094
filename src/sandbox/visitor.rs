//! Who owns a sandbox run.
//!
//! Every browser that opens a page gets a random `sandbox_visitor` cookie (HttpOnly,
//! SameSite=Lax, 256 bits). A run made without a console session belongs to that browser: the
//! database keeps only the cookie's digest. A run made with a console session belongs to the
//! developer. Nobody else lists, opens, continues, exports or deletes it.

use crate::console::Caller;
use crate::secret::{digest, new_secret};
use crate::security::session::set_cookie;
use crate::state::AppState;
use crate::storage::runs::RunOwner;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The visitor cookie's name.
pub const VISITOR_COOKIE: &str = "sandbox_visitor";
/// How long a browser keeps its visitor cookie: 30 days.
const VISITOR_TTL: i64 = 30 * 86_400;

/// The first well-formed visitor cookie the request carries (256 bits, base64url).
fn visitor_value(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .filter(|c| c.name() == VISITOR_COOKIE)
        .map(|c| c.value().to_owned())
        .find(|v| v.len() >= 32)
}

/// Gives a browser that has none a visitor cookie, on its first page or server-function call:
/// the cookie is set on the response and added to the request, so the handler already sees it.
pub async fn ensure_cookie(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if visitor_value(request.headers()).is_some() {
        return next.run(request).await;
    }
    let Ok(value) = new_secret() else {
        return crate::oauth::OAuthError::ServerError.into_response();
    };
    let pair = format!("{VISITOR_COOKIE}={}", value.expose());
    if let Ok(v) = HeaderValue::from_str(&pair) {
        request.headers_mut().append(header::COOKIE, v);
    }
    let mut response = next.run(request).await;
    let set = set_cookie(&state, VISITOR_COOKIE, value.expose(), VISITOR_TTL);
    if let Ok(v) = HeaderValue::from_str(&set) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// Who the browser that sent `headers` is, for runs.
#[derive(Clone, Debug)]
pub enum Viewer {
    /// Signed in to the console.
    Developer(Caller),
    /// A browser without a console session, by the digest of its visitor cookie.
    Visitor(String),
    /// A request with neither (no cookies at all): it owns nothing.
    Nobody,
}

impl Viewer {
    /// Who sent `headers`.
    pub async fn of(state: &AppState, headers: &HeaderMap) -> Self {
        if let Ok(Some(caller)) = crate::console::caller::from_console(state, headers).await {
            return Viewer::Developer(caller);
        }
        match visitor_value(headers) {
            Some(value) => Viewer::Visitor(digest(&value)),
            None => Viewer::Nobody,
        }
    }

    /// The owner of the runs this viewer makes and sees.
    pub fn owner(&self) -> Option<RunOwner<'_>> {
        match self {
            Viewer::Developer(caller) => Some(RunOwner::Developer(caller.name())),
            Viewer::Visitor(digest) => Some(RunOwner::Visitor(digest)),
            Viewer::Nobody => None,
        }
    }

    /// The console account, if signed in.
    pub fn developer(&self) -> Option<&Caller> {
        match self {
            Viewer::Developer(caller) => Some(caller),
            _ => None,
        }
    }
}
