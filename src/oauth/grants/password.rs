//! The resource owner password credentials grant (RFC 6749 §4.3).
//!
//! Legacy: RFC 9700 §2.4 says it "MUST NOT be used". It is here so that it can be shown and
//! explained; the sandbox marks it as such.

use super::{TokenGrant, require_grant, resolve_scope};
use crate::accounts;
use crate::model::client::{Client, GrantType};
use crate::oauth::error::OAuthError;
use crate::oauth::params::Params;
use crate::oauth::tokens::{Grant, TokenResponse, issue, new_family};
use crate::secret::Secret;
use crate::state::AppState;

/// §4.3.2: grant_type "password", username REQUIRED, password REQUIRED, scope OPTIONAL.
pub async fn handle(
    state: &AppState,
    client: &Client,
    params: &Params,
    address: &str,
) -> Result<TokenResponse, OAuthError> {
    require_grant(client, TokenGrant::Password)?;
    let username = params.require("username")?;
    let password = Secret::new(params.require("password")?);
    let scope = resolve_scope(params.get("scope"), &client.scope)?;
    // §4.3.2: "the authorization server MUST protect the endpoint against brute force attacks
    // (e.g., using rate-limitation or generating alerts)": the account's failures are throttled
    // here as at every other sign-in.
    // §5.2 invalid_grant: "The provided authorization grant (e.g., […] resource owner
    // credentials) […] is invalid".
    let user = accounts::authenticate(state, username, &password, address)
        .await?
        .ok_or_else(|| OAuthError::invalid_grant("the username or password is wrong"))?;
    let refresh = client.allows(GrantType::RefreshToken).then_some(None);
    issue(
        state,
        Grant {
            client,
            username: Some(&user.username),
            scope: &scope,
            granted: &scope,
            family_id: new_family()?,
            refresh,
            context: None,
        },
    )
    .await
}
