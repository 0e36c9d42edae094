//! `POST /auth/token` (RFC 6749 §3.2): an ordered list of checks, then one handler per grant.

use crate::oauth::client_auth;
use crate::oauth::error::OAuthError;
use crate::oauth::grants::{self, TokenGrant};
use crate::oauth::params::{FormRequest, Params};
use crate::oauth::tokens::TokenResponse;
use crate::state::AppState;
use axum::extract::State;

/// RFC 6749 §2.3.1: "The parameters can only be transmitted in the request-body and MUST NOT be
/// included in the request URI."
fn reject_credentials_in_query(query: Option<&str>) -> Result<(), OAuthError> {
    let Some(query) = query else { return Ok(()) };
    let sensitive = [
        "client_secret",
        "password",
        "refresh_token",
        "code",
        "code_verifier",
    ];
    match form_urlencoded::parse(query.as_bytes()).find(|(k, _)| sensitive.contains(&k.as_ref())) {
        Some((name, _)) => Err(OAuthError::invalid_request(format!(
            "{name} must be sent in the request body, never in the URL"
        ))),
        None => Ok(()),
    }
}

/// The token endpoint.
pub async fn token(
    State(state): State<AppState>,
    request: Result<FormRequest, OAuthError>,
) -> Result<TokenResponse, OAuthError> {
    let FormRequest {
        headers,
        mut params,
        query,
        address,
    } = request?;
    reject_credentials_in_query(query.as_deref())?;
    let grant = TokenGrant::parse(params.require("grant_type")?)?;
    let client = client_auth::authenticate(&state, &headers, &mut params, &address).await?;
    dispatch(&state, grant, &client, &params, &address).await
}

async fn dispatch(
    state: &AppState,
    grant: TokenGrant,
    client: &crate::model::client::Client,
    params: &Params,
    address: &str,
) -> Result<TokenResponse, OAuthError> {
    match grant {
        TokenGrant::AuthorizationCode => {
            grants::authorization_code::handle(state, client, params).await
        }
        TokenGrant::ClientCredentials => {
            grants::client_credentials::handle(state, client, params).await
        }
        TokenGrant::Password => grants::password::handle(state, client, params, address).await,
        TokenGrant::RefreshToken => grants::refresh_token::handle(state, client, params).await,
        TokenGrant::DeviceCode => grants::device_code::handle(state, client, params).await,
    }
}
