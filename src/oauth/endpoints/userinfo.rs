//! `GET`/`POST /auth/userinfo` (OIDC Core §5.3): claims about the signed-in user, for an access
//! token that holds `openid`.

use crate::model::user::User;
use crate::oauth::error::{OAuthError, no_store};
use crate::oauth::tokens::lookup;
use crate::state::AppState;
use crate::storage;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The userinfo endpoint. The token comes in the `Authorization: Bearer` header (RFC 6750 §2.1).
pub async fn userinfo(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, OAuthError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split_once(' ')
                .filter(|(s, _)| s.eq_ignore_ascii_case("bearer"))
                .map(|(_, t)| t.trim())
        })
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            OAuthError::invalid_token("send the access token as Authorization: Bearer")
        })?;
    let known = lookup(&state, token)
        .await?
        .filter(|k| !k.record.is_refresh() && k.is_active(state.clock.now()))
        .ok_or_else(|| {
            OAuthError::invalid_token("the access token is invalid, expired or revoked")
        })?;
    let scope: Vec<&str> = known.record.scope.split(' ').collect();
    let username = known
        .record
        .username
        .as_deref()
        .filter(|_| scope.contains(&"openid"))
        .ok_or_else(|| {
            OAuthError::InsufficientScope(
                "the access token was not issued with the openid scope for a user".into(),
            )
        })?;
    let user = storage::users::get(&state.db, username)
        .await
        .map_err(OAuthError::internal)?
        .ok_or_else(|| OAuthError::invalid_token("the user no longer exists"))?;
    // SMART App Launch 2.x: the fhirUser scope names the user's FHIR resource.
    let context = crate::smart::context::LaunchContext::parse(known.record.context.as_deref());
    let claims = claims(&user, &scope, context.and_then(|c| c.fhir_user).as_deref());
    let mut response = Json(claims).into_response();
    no_store(response.headers_mut());
    Ok(response)
}

/// The claims userinfo tells about `user` for a token with `scope` (OIDC Core §5.4: `profile`
/// and `email` each ask for their own claims); `fhir_user` is the grant's launch context's, told
/// for the SMART `fhirUser` scope.
pub fn claims(user: &User, scope: &[&str], fhir_user: Option<&str>) -> serde_json::Value {
    let mut claims = json!({ "sub": user.username });
    if scope.contains(&"profile") {
        claims["preferred_username"] = json!(user.username);
        if let Some(name) = &user.name {
            claims["name"] = json!(name);
        }
    }
    if scope.contains(&"email")
        && let Some(email) = &user.email
    {
        claims["email"] = json!(email);
        claims["email_verified"] = json!(false);
    }
    if let Some(fhir_user) = fhir_user
        && scope.contains(&crate::model::smart_scope::FHIR_USER)
    {
        claims["fhirUser"] = json!(fhir_user);
    }
    claims
}
