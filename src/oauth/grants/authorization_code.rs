//! The authorization code grant at the token endpoint (RFC 6749 §4.1.3), with PKCE
//! (RFC 7636 §4.5, §4.6) and, for the `openid` scope, an ID token.

use super::{TokenGrant, require_grant};
use crate::checks::{check, record};
use crate::model::client::{Client, GrantType};
use crate::model::scope::Scope;
use crate::oauth::error::OAuthError;
use crate::oauth::id_token::{self, IdFacts};
use crate::oauth::params::Params;
use crate::oauth::pkce;
use crate::oauth::tokens::{Grant, Overrides, TokenResponse, mint_with};
use crate::secret::secret_matches;
use crate::smart::context::LaunchContext;
use crate::state::AppState;
use crate::storage::codes::{self, CodeRecord};
use crate::storage::tokens;

async fn find_code(state: &AppState, value: &str) -> Result<Option<CodeRecord>, OAuthError> {
    let Some((handle, secret)) = value.split_once('.') else {
        return Ok(None);
    };
    let record = codes::find(&state.db, handle)
        .await
        .map_err(OAuthError::internal)?;
    Ok(record.filter(|c| secret_matches(&c.secret_hash, secret)))
}

/// RFC 6749 §10.5: "If an authorization code is used more than once, the authorization server
/// MUST deny the request and SHOULD revoke (when possible) all tokens previously issued based on
/// that authorization code."
async fn replayed(state: &AppState, code: &CodeRecord) -> OAuthError {
    if let Err(e) = tokens::revoke_family(&state.db, &code.family_id, state.clock.now()).await {
        return OAuthError::internal(e);
    }
    tracing::warn!(client_id = %code.client_id, "authorization code replayed; its tokens were revoked");
    OAuthError::invalid_grant(
        "the code was already used; every token issued from it has been revoked",
    )
}

/// RFC 7636 §4.6, and the downgrade defence of RFC 9700 §2.1.1: "authorization servers MUST
/// […] ensure that if there was no code_challenge in the authorization request, a request to
/// the token endpoint containing a code_verifier is rejected."
fn check_pkce(code: &CodeRecord, verifier: Option<&str>) -> Result<(), OAuthError> {
    match (&code.code_challenge, verifier) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(OAuthError::invalid_grant(
            "a code_verifier was sent, but the authorization request had no code_challenge",
        )),
        (Some(_), None) => Err(OAuthError::invalid_grant(
            "the code was issued with PKCE: send its code_verifier",
        )),
        (Some(challenge), Some(verifier)) => {
            if !pkce::is_well_formed(verifier) {
                return Err(OAuthError::invalid_request(
                    "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)",
                ));
            }
            let method = pkce::Method::parse(code.code_challenge_method.as_deref())
                .unwrap_or(pkce::Method::S256);
            if pkce::verify(method, challenge, verifier) {
                Ok(())
            } else {
                Err(OAuthError::invalid_grant(
                    "the code_verifier does not match the code_challenge",
                ))
            }
        }
    }
}

/// §4.1.3: grant_type "authorization_code", code REQUIRED, redirect_uri REQUIRED "if the
/// "redirect_uri" parameter was included in the authorization request […] and their values
/// MUST be identical", client_id REQUIRED for a client that does not authenticate.
pub async fn handle(
    state: &AppState,
    client: &Client,
    params: &Params,
) -> Result<TokenResponse, OAuthError> {
    require_grant(client, TokenGrant::AuthorizationCode)?;
    let value = params.require("code")?;
    let code = find_code(state, value).await?;
    record(
        "the code exists and its secret matches",
        "RFC 6749 §4.1.3",
        code.is_some(),
    );
    let code = code.ok_or_else(|| OAuthError::invalid_grant("the code is invalid"))?;
    // §4.1.3: "ensure that the authorization code was issued to the authenticated confidential
    // client, or if the client is public, ensure that the code was issued to "client_id""
    if !check(
        "the code was issued to this client",
        "RFC 6749 §4.1.3",
        code.client_id == client.client_id,
    ) {
        return Err(OAuthError::invalid_grant(
            "the code was issued to another client",
        ));
    }
    if !check(
        "the code has not been used before",
        "RFC 6749 §10.5",
        code.used_at.is_none(),
    ) {
        return Err(replayed(state, &code).await);
    }
    let now = state.clock.now();
    if !check(
        "the code has not expired (60 s)",
        "RFC 6749 §4.1.2",
        now < code.expires_at,
    ) {
        return Err(OAuthError::invalid_grant(
            "the code has expired (codes live 60 seconds)",
        ));
    }
    match (&code.redirect_uri, params.get("redirect_uri")) {
        (Some(sent), Some(now_sent)) if sent == now_sent => {}
        (Some(_), Some(_)) => {
            return Err(OAuthError::invalid_grant(
                "redirect_uri differs from the one sent to the authorization endpoint",
            ));
        }
        (Some(_), None) => {
            return Err(OAuthError::invalid_request(
                "redirect_uri is required: it was sent to the authorization endpoint (RFC 6749 §4.1.3)",
            ));
        }
        (None, Some(extra)) if !client.redirect_uris.iter().any(|r| r == extra) => {
            return Err(OAuthError::invalid_grant(
                "redirect_uri is not registered for this client",
            ));
        }
        (None, _) => {}
    }
    let pkce = check_pkce(&code, params.get("code_verifier"));
    record(
        "PKCE: SHA-256 of the code_verifier is the code_challenge",
        "RFC 7636 §4.6",
        pkce.is_ok(),
    );
    pkce?;

    let scope = Scope::parse(&code.scope).map_err(OAuthError::internal)?;
    let refresh = client.allows(GrantType::RefreshToken).then_some(None);
    let context = LaunchContext::parse(code.context.as_deref());
    // A mock-mode test sign-in's claims go into every token of the grant.
    let claims: Option<serde_json::Map<String, serde_json::Value>> = code
        .claims
        .as_deref()
        .and_then(|c| serde_json::from_str(c).ok());
    let mut minted = mint_with(
        state,
        Grant {
            client,
            username: Some(&code.username),
            scope: &scope,
            granted: &scope,
            family_id: code.family_id.clone(),
            refresh,
            context: context.as_ref(),
        },
        Overrides {
            ttl: None,
            claims: claims.clone(),
        },
    )?;
    if scope.contains("openid") {
        let id_token = id_token::sign(
            state,
            IdFacts {
                client_id: &client.client_id,
                username: &code.username,
                auth_time: code.auth_time,
                nonce: code.nonce.as_deref(),
                access_token: Some(&minted.response.access_token),
                ttl: client.access_token_ttl,
                fhir_user: context.as_ref().and_then(|c| c.fhir_user.as_deref()),
                claims,
            },
        )?;
        minted.response.id_token = Some(id_token);
    }
    if !codes::redeem(&state.db, &code.handle, now, &minted.rows)
        .await
        .map_err(OAuthError::internal)?
    {
        // Another request redeemed it a moment ago: that is a replay too.
        return Err(replayed(state, &code).await);
    }
    Ok(minted.response)
}
