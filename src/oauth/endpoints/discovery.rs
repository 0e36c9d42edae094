//! Server metadata (RFC 8414, OpenID Connect Discovery) and the JWKS (RFC 7517).
//!
//! One document is served at both well-known paths. It advertises only what this server does,
//! and its URLs come from the same constants as the routes.

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
    let alg = state.signing_alg.as_str();
    json!({
        // RFC 8414 §2: "issuer REQUIRED. The authorization server's issuer identifier".
        "issuer": state.issuer,
        "authorization_endpoint": state.url(ep::AUTHORIZE),
        "token_endpoint": state.url(ep::TOKEN),
        "jwks_uri": state.url(ep::JWKS),
        "userinfo_endpoint": state.url(ep::USERINFO),
        "introspection_endpoint": state.url(ep::INTROSPECT),
        "revocation_endpoint": state.url(ep::REVOKE),
        // RFC 8414 §2 / RFC 7591: open to developers (initial access token or console session).
        "registration_endpoint": state.url(ep::REGISTER),
        // RFC 8628 §4.
        "device_authorization_endpoint": state.url(ep::DEVICE_AUTHORIZATION),
        "response_types_supported": ["code", "token"],
        "response_modes_supported": ["query", "fragment"],
        "grant_types_supported": ["authorization_code", "implicit", "client_credentials", "password", "refresh_token",
                                  crate::model::client::DEVICE_CODE_GRANT],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
        // RFC 8414 §2: "token_endpoint_auth_signing_alg_values_supported ... for the signature
        // on the JWT [JWT] used to authenticate the client at the token endpoint for the
        // "private_key_jwt" and "client_secret_jwt" authentication methods."
        "token_endpoint_auth_signing_alg_values_supported": crate::oauth::client_assertion::ALGORITHMS,
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
        // plain only for a client registered with allow_plain_pkce.
        "code_challenge_methods_supported": ["S256", "plain"],
        // RFC 9207 §3.
        "authorization_response_iss_parameter_supported": true,
        "scopes_supported": scopes,
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [alg],
        "access_token_signing_alg_values_supported": [alg],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "azp",
                             "name", "preferred_username", "email", "email_verified", "fhirUser"],
        "prompt_values_supported": ["none", "login", "consent"],
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
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
