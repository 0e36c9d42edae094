//! The banner on every page in mock mode: each HTML answer (the Leptos pages and the
//! authorization server's own sign-in and consent pages alike) gets it before `</body>`, after
//! the app's own nodes, so hydration meets the page it rendered.

use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The banner's markup.
pub const BANNER: &str = "<div class=\"mock-banner\" role=\"status\"><strong>Mock mode.</strong> \
    This server mints tokens on request, injects faults and moves its clock through its control \
    API under <code>/mock/</code>; every token it issues says <code>\"mock\": true</code>. \
    Never use it for real.</div>";

/// The largest page the banner is added to; a larger one passes as it is.
const MAX_PAGE: usize = 8 * 1024 * 1024;

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"))
}

/// The middleware.
pub async fn mark_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if state.mock.is_none() || !is_html(&response) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_PAGE).await else {
        return axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let page = String::from_utf8_lossy(&bytes);
    let marked = match page.rfind("</body>") {
        Some(at) => format!("{}{BANNER}{}", &page[..at], &page[at..]),
        None => page.into_owned(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(marked))
}
