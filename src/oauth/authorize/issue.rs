//! Completing an authorization request: a code (RFC 6749 §4.1.2) or, for the implicit grant,
//! an access token in the fragment (§4.2.2).

use super::request::{AuthorizeRequest, ResponseType};
use super::respond::{Via, redirect, redirect_error};
use crate::model::scope::Scope;
use crate::oauth::error::OAuthError;
use crate::oauth::tokens::{Grant, Overrides, commit, mint_with, new_family};
use crate::secret::{digest, new_secret, ordered_id};
use crate::state::AppState;
use crate::storage::codes::{self, CodeRecord};
use axum::response::Response;

/// How long a code lives. RFC 6749 §4.1.2: "A maximum authorization code lifetime of 10
/// minutes is RECOMMENDED"; this server uses 60 seconds.
pub const CODE_TTL: i64 = 60;

/// Issues the code or the token for `request`, signed in as `username` at `auth_time`, and
/// redirects to the client.
pub async fn complete(
    state: &AppState,
    request: &AuthorizeRequest,
    username: &str,
    auth_time: i64,
    via: Via,
) -> Response {
    if request.response_type == ResponseType::Device {
        return super::device::decided(state, request, Some((username, auth_time))).await;
    }
    match issue(state, request, username, auth_time).await {
        Ok(params) => {
            let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            redirect(state, &request.target, &pairs, via)
        }
        Err(e) => redirect_error(state, &request.target, &e, via),
    }
}

async fn issue(
    state: &AppState,
    request: &AuthorizeRequest,
    username: &str,
    auth_time: i64,
) -> Result<Vec<(&'static str, String)>, OAuthError> {
    let now = state.clock.now();
    match request.response_type {
        ResponseType::Code => {
            let (handle, secret) = (ordered_id()?, new_secret()?);
            let context = match &request.smart {
                Some(smart) => Some(
                    crate::smart::request::grant_context(state, smart, &request.scope, username)
                        .await
                        .map_err(OAuthError::internal)?
                        .stored(),
                ),
                None => None,
            };
            let code = CodeRecord {
                handle: handle.clone(),
                secret_hash: digest(secret.expose()),
                client_id: request.client.client_id.clone(),
                username: username.to_owned(),
                redirect_uri: request.redirect_uri_sent.clone(),
                scope: request.scope.to_string(),
                code_challenge: request.challenge.as_ref().map(|(c, _)| c.clone()),
                code_challenge_method: request
                    .challenge
                    .as_ref()
                    .map(|(_, m)| m.as_str().to_owned()),
                nonce: request.nonce.clone(),
                auth_time,
                family_id: new_family()?,
                issued_at: now,
                expires_at: now + CODE_TTL,
                used_at: None,
                context,
                claims: request
                    .claims
                    .as_ref()
                    .map(|c| serde_json::Value::Object(c.clone()).to_string()),
            };
            codes::insert(&state.db, &code)
                .await
                .map_err(OAuthError::internal)?;
            Ok(vec![("code", format!("{handle}.{}", secret.expose()))])
        }
        ResponseType::Device => Err(OAuthError::internal(
            "a device verification issues nothing at the authorization endpoint",
        )),
        ResponseType::Token => {
            // §4.2.2: "The authorization server MUST NOT issue a refresh token."
            let scope: &Scope = &request.scope;
            let minted = mint_with(
                state,
                Grant {
                    client: &request.client,
                    username: Some(username),
                    scope,
                    granted: scope,
                    family_id: new_family()?,
                    refresh: None,
                    context: None,
                },
                Overrides {
                    ttl: None,
                    claims: request.claims.clone(),
                },
            )?;
            let response = commit(state, minted).await?;
            Ok(vec![
                ("access_token", response.access_token),
                ("token_type", "Bearer".to_owned()),
                ("expires_in", response.expires_in.to_string()),
                ("scope", response.scope),
            ])
        }
    }
}
