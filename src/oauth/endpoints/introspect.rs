//! `POST /auth/introspect` (RFC 7662).
//!
//! §2.1: "To prevent token scanning attacks, the endpoint MUST also require some form of
//! authorization to access this endpoint". Here the caller is an authenticated confidential
//! client, and it learns about its own tokens only; any other token is `{"active": false}`.

use crate::oauth::client_auth;
use crate::oauth::error::{OAuthError, no_store};
use crate::oauth::params::FormRequest;
use crate::oauth::tokens::lookup;
use crate::state::AppState;
use crate::storage::tokens::TokenRecord;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The introspection response (§2.2).
#[derive(Debug, Serialize, Default)]
pub struct Introspection {
    pub active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// SMART App Launch 2.x "Token Introspection": a SMART grant's launch context (`patient`,
    /// `encounter`, `fhirContext`, `fhirUser`, ...).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub context: Option<crate::smart::context::LaunchContext>,
    /// A minted mock token's extra claims, and `"mock": true` in mock mode.
    #[serde(flatten, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl IntoResponse for Introspection {
    fn into_response(self) -> Response {
        let mut response = Json(self).into_response();
        no_store(response.headers_mut());
        response
    }
}

/// The introspection endpoint.
pub async fn introspect(
    State(state): State<AppState>,
    request: Result<FormRequest, OAuthError>,
) -> Result<Introspection, OAuthError> {
    let FormRequest {
        headers,
        mut params,
        address,
        ..
    } = request?;
    let client = client_auth::authenticate(&state, &headers, &mut params, &address).await?;
    if client.is_public() {
        return Err(OAuthError::invalid_client(
            "introspection needs client authentication; a public client cannot authenticate",
        ));
    }
    // §2.1: "token REQUIRED".
    let token = params.require("token")?;
    Ok(facts(&state, token)
        .await?
        .filter(|f| f.client_id.as_deref() == Some(client.client_id.as_str()))
        .unwrap_or_default())
}

/// What the server knows of `token`, as introspection tells its own client; `None` when it is
/// not active or not known here. The caller decides who may learn it.
pub async fn facts(state: &AppState, token: &str) -> Result<Option<Introspection>, OAuthError> {
    let now = state.clock.now();
    let Some(known) = lookup(state, token).await? else {
        // §2.2: "If the introspection call is properly authorized but the token is not active,
        // does not exist on this server, or the protected resource is not allowed to introspect
        // this particular token, then the authorization server MUST return an introspection
        // response with the "active" field set to "false"."
        return Ok(None);
    };
    if !known.is_active(now) {
        return Ok(None);
    }
    Ok(Some(answer(
        state,
        known.record,
        known.claims.map(|c| c.jti),
    )))
}

/// The active answer (§2.2) for a token of `record`; `jti` is a JWT's own id.
pub fn answer(state: &AppState, r: TokenRecord, jti: Option<String>) -> Introspection {
    let refresh = r.is_refresh();
    Introspection {
        active: true,
        sub: Some(r.username.clone().unwrap_or_else(|| r.client_id.clone())),
        scope: Some(r.scope),
        client_id: Some(r.client_id),
        username: r.username,
        token_type: Some(if refresh { "refresh_token" } else { "Bearer" }),
        exp: Some(r.expires_at),
        iat: Some(r.issued_at),
        aud: if refresh {
            None
        } else {
            Some(crate::oauth::tokens::audience(state))
        },
        iss: Some(state.issuer.clone()),
        jti,
        context: crate::smart::context::LaunchContext::parse(r.context.as_deref()),
        extra: crate::oauth::tokens::token_claims(
            state,
            r.claims
                .as_deref()
                .and_then(|c| serde_json::from_str(c).ok()),
        ),
    }
}
