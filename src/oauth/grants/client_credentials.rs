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
    // §4.4: "The client credentials grant type MUST only be used by confidential clients."
    if client.is_public() {
        return Err(OAuthError::unauthorized_client(
            "the client_credentials grant is only for confidential clients",
        ));
    }
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
