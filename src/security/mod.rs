//! What guards the browser-facing and credential-checking parts of the server, in one place
//! below every endpoint: the login and console sessions, CSRF tokens for the forms, and the one
//! failure throttle every credential check goes through.

pub mod csrf;
pub mod session;
pub mod throttle;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use std::convert::Infallible;
use std::net::SocketAddr;

/// The address of the peer that sent the request, as the throttle keys it. Requests that did
/// not come over a socket (tests; the sandbox's in-process calls carry their browser's) are
/// `in-process`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerAddress(pub String);

impl PeerAddress {
    /// The peer address recorded in a request's extensions.
    pub fn of(extensions: &axum::http::Extensions) -> Self {
        Self(
            extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "in-process".into()),
        )
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PeerAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::of(&parts.extensions))
    }
}

/// False when a browser says the request came from a page of another origin: its `Origin`
/// header (sent with every cross-origin POST, and `null` from opaque origins) names a host that
/// is not the one the request was sent to. A request without `Origin` comes from no other page
/// (a same-origin navigation in an older browser, or a program) and passes; with SameSite=Lax
/// cookies this keeps other sites from acting in a signed-in person's name.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .is_some_and(|(_, rest)| !host.is_empty() && rest.eq_ignore_ascii_case(host))
}
