//! `GET /fhir/.well-known/smart-configuration` (SMART App Launch 2.x §2.0.3 "SMART on FHIR
//! Well-Known Endpoint") and the style document that `smart_style_url` names.
//!
//! The configuration names the same endpoints as the RFC 8414 metadata, from the same
//! constants, and lists in `capabilities` only what this server does.

use crate::oauth::client_assertion::ALGORITHMS;
use crate::state::AppState;
use app::endpoints as ep;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// §8 "Capability Sets": the capabilities implemented here, each of them end to end.
pub const CAPABILITIES: [&str; 17] = [
    // Launch modes: an EHR launch (POST /Launch, the launch parameter) and a standalone one.
    "launch-ehr",
    "launch-standalone",
    // §8.1.2 "authorize-post": the authorization endpoint takes a form POST too.
    "authorize-post",
    // Client types: public, a secret, a key (private_key_jwt).
    "client-public",
    "client-confidential-symmetric",
    "client-confidential-asymmetric",
    // Single sign-on: openid and fhirUser in the ID token.
    "sso-openid-connect",
    // Launch context: patient and encounter from an EHR launch; a patient picker when
    // launch/patient is asked standalone; need_patient_banner and smart_style_url.
    "context-ehr-patient",
    "context-ehr-encounter",
    "context-standalone-patient",
    "context-banner",
    "context-style",
    // Permissions: offline_access refresh tokens; patient/ and user/ scopes; v1 and v2 syntax.
    "permission-offline",
    "permission-patient",
    "permission-user",
    "permission-v1",
    "permission-v2",
];

/// `GET /fhir/.well-known/smart-configuration`. Public and cross-origin: an app reads it first.
pub async fn configuration(State(state): State<AppState>) -> Response {
    let mut scopes = state.scopes_supported().await;
    for s in [
        "openid",
        "fhirUser",
        "profile",
        "launch",
        "launch/patient",
        "launch/encounter",
        "offline_access",
        "patient/*.rs",
        "user/*.rs",
        "system/*.rs",
        "patient/*.read",
        "user/*.read",
        "system/*.read",
    ] {
        if !scopes.iter().any(|x| x == s) {
            scopes.push(s.to_owned());
        }
    }
    Json(json!({
        // §2.0.3: "issuer: String conveying this system's OpenID Connect Issuer URL. Required if
        // the server's capabilities include sso-openid-connect".
        "issuer": state.issuer,
        "jwks_uri": state.url(ep::JWKS),
        "authorization_endpoint": state.url(ep::AUTHORIZE),
        "token_endpoint": state.url(ep::TOKEN),
        "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
        "token_endpoint_auth_methods_supported":
            ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
        "token_endpoint_auth_signing_alg_values_supported": ALGORITHMS,
        "registration_endpoint": state.url(ep::REGISTER),
        "scopes_supported": scopes,
        "response_types_supported": ["code"],
        "introspection_endpoint": state.url(ep::INTROSPECT),
        "revocation_endpoint": state.url(ep::REVOKE),
        "userinfo_endpoint": state.url(ep::USERINFO),
        "capabilities": CAPABILITIES,
        // §2.0.3: "code_challenge_methods_supported: REQUIRED, array of strings ... SHALL
        // include S256, and SHALL NOT include plain."
        "code_challenge_methods_supported": ["S256"],
    }))
    .into_response()
}

/// `GET /fhir/smart-style.json`: the style parameters of §2.0.10, for an app that wants to look
/// like the sandbox.
pub async fn style() -> Response {
    Json(json!({
        "color_background": "#f7f8fa",
        "color_error": "#b3261e",
        "color_highlight": "#1f5fbf",
        "color_modal_backdrop": "rgba(0, 0, 0, 0.4)",
        "color_success": "#1e7a3c",
        "color_text": "#1b1f24",
        "dim_border_radius": "6px",
        "dim_font_size": "16px",
        "dim_spacing_size": "16px",
        "font_family_body": "system-ui, sans-serif",
        "font_family_heading": "system-ui, sans-serif",
    }))
    .into_response()
}
