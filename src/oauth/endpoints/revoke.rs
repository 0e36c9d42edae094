//! `POST /auth/revoke` (RFC 7009).

use crate::oauth::client_auth;
use crate::oauth::error::{OAuthError, no_store};
use crate::oauth::params::FormRequest;
use crate::oauth::tokens::lookup;
use crate::state::AppState;
use crate::storage::tokens;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// The revocation endpoint.
///
/// §2.1: "The authorization server first validates the client credentials (in case of a
/// confidential client) and then verifies whether the token was issued to the client making the
/// revocation request. If this validation fails, the request is refused and the client is
/// informed of the error by the authorization server as described below."
pub async fn revoke(
    State(state): State<AppState>,
    request: Result<FormRequest, OAuthError>,
) -> Result<Response, OAuthError> {
    let FormRequest {
        headers,
        mut params,
        address,
        ..
    } = request?;
    let client = client_auth::authenticate(&state, &headers, &mut params, &address).await?;
    let token = params.require("token")?;
    // §2.1: "An invalid token type hint value is ignored by the authorization server" — and the
    // server looks the token up across all types anyway.
    let now = state.clock.now();
    if let Some(known) = lookup(&state, token).await? {
        if known.record.client_id != client.client_id {
            return Err(OAuthError::invalid_request(
                "the token was not issued to this client",
            ));
        }
        if known.record.is_refresh() {
            // §2.1: "If the token passed to the request is a refresh token and the
            // authorization server supports the revocation of access tokens, then the
            // authorization server SHOULD also invalidate all access tokens based on the same
            // authorization grant".
            tokens::revoke_family(&state.db, &known.record.family_id, now).await
        } else {
            tokens::revoke_one(&state.db, &known.record.handle, now)
                .await
                .map(|_| 0)
        }
        .map_err(OAuthError::internal)?;
    }
    // §2.2: "The authorization server responds with HTTP status code 200 if the token has been
    // revoked successfully or if the client submitted an invalid token."
    let mut response = StatusCode::OK.into_response();
    no_store(response.headers_mut());
    Ok(response)
}
