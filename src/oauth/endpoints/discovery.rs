//! Server metadata (RFC 8414, OpenID Connect Discovery) and the JWKS (RFC 7517).
//!
//! One document is served at both well-known paths. It advertises only what this server does,
//! and its URLs come from the same constants as the routes.

use crate::oauth::grants::TokenGrant;
use crate::state::AppState;
use app::endpoints as ep;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Builds the metadata document.
pub async fn metadata(state: &AppState) -> Value {
    let scopes = state.scopes_supported().await;
    json!({
        // RFC 8414 §2: "issuer REQUIRED. The authorization server's issuer identifier".
        "issuer": state.issuer,
        "token_endpoint": state.url(ep::TOKEN),
        "jwks_uri": state.url(ep::JWKS),
        "introspection_endpoint": state.url(ep::INTROSPECT),
        "revocation_endpoint": state.url(ep::REVOKE),
        // No grant that uses the authorization endpoint is served yet, so none is named.
        "response_types_supported": [],
        "grant_types_supported": TokenGrant::SUPPORTED,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "scopes_supported": scopes,
        "access_token_signing_alg_values_supported": [state.signing_alg.as_str()],
    })
}

/// `GET` either well-known metadata path.
pub async fn discovery(State(state): State<AppState>) -> Response {
    with_cache(
        Json(metadata(&state).await).into_response(),
        "public, max-age=60",
    )
}

/// `GET /.well-known/jwks.json`: the public keys only.
pub async fn jwks(State(state): State<AppState>) -> Response {
    with_cache(
        Json(state.keys.current().jwks()).into_response(),
        "public, max-age=60",
    )
}

fn with_cache(mut response: Response, value: &'static str) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}
