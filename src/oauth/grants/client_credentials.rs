//! The client credentials grant (RFC 6749 §4.4).

use super::{TokenGrant, require_grant, resolve_scope};
use crate::model::client::Client;
use crate::oauth::error::OAuthError;
use crate::oauth::params::Params;
use crate::oauth::tokens::{Grant, TokenResponse, issue, new_family};
use crate::state::AppState;

/// §4.4.2: grant_type "client_credentials", scope OPTIONAL; §4.4.3: "A refresh token SHOULD NOT
/// be included."
pub async fn handle(
    state: &AppState,
    client: &Client,
    params: &Params,
) -> Result<TokenResponse, OAuthError> {
    require_grant(client, TokenGrant::ClientCredentials)?;
    require_confidential(client)?;
    let scope = resolve_scope(params.get("scope"), &client.scope)?;
    issue(
        state,
        Grant {
            client,
            username: None,
            scope: &scope,
            granted: &scope,
            family_id: new_family()?,
            refresh: None,
            context: None,
        },
    )
    .await
}

/// §4.4: "The client credentials grant type MUST only be used by confidential clients."
pub fn require_confidential(client: &Client) -> Result<(), OAuthError> {
    if crate::checks::check(
        "the client is confidential",
        "RFC 6749 §4.4",
        !client.is_public(),
    ) {
        Ok(())
    } else {
        Err(OAuthError::unauthorized_client(
            "the client_credentials grant is only for confidential clients",
        ))
    }
}
