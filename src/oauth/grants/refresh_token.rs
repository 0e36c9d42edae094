//! The refresh token grant (RFC 6749 §6), with rotation and reuse detection (RFC 9700 §4.14).

use super::{TokenGrant, require_grant, resolve_scope};
use crate::model::client::Client;
use crate::model::scope::Scope;
use crate::oauth::error::OAuthError;
use crate::oauth::params::Params;
use crate::oauth::tokens::{Grant, Overrides, TokenResponse, commit, find_opaque, mint_with};
use crate::smart::context::LaunchContext;
use crate::state::AppState;
use crate::storage::tokens::{self, TokenRecord};

/// What to do with a presented refresh token, decided without touching storage.
#[derive(Debug, PartialEq, Eq)]
pub enum RefreshDecision {
    /// Issue; rotate the refresh token when `rotate`.
    Issue { rotate: bool },
    /// A rotated-away refresh token came back: revoke the whole grant.
    ReuseDetected,
    /// Refuse with `invalid_grant` for this reason.
    Refuse(&'static str),
}

/// The refresh rules, pure so they can be tested with any clock.
///
/// - §6: the token must have been issued to the authenticated client;
/// - expired or revoked tokens are refused;
/// - RFC 9700 §4.14.2: "If a refresh token is compromised and subsequently used by both the
///   attacker and the legitimate client, one of them will present an invalidated refresh token,
///   which will inform the authorization server of the breach. The authorization server cannot
///   determine which party submitted the invalid refresh token, but it will revoke the active
///   refresh token."
pub fn decide(record: &TokenRecord, client: &Client, now: i64) -> RefreshDecision {
    if !record.is_refresh() || record.client_id != client.client_id {
        return RefreshDecision::Refuse(
            "the refresh token is invalid or was issued to another client",
        );
    }
    if record.revoked_at.is_some() {
        return RefreshDecision::Refuse("the refresh token has been revoked");
    }
    if record.used_at.is_some() {
        return RefreshDecision::ReuseDetected;
    }
    if now >= record.expires_at {
        return RefreshDecision::Refuse("the refresh token has expired");
    }
    RefreshDecision::Issue {
        rotate: client.rotate_refresh_tokens || client.is_public(),
    }
}

/// §6: grant_type "refresh_token", refresh_token REQUIRED, scope OPTIONAL — "The requested scope
/// MUST NOT include any scope not originally granted by the resource owner, and if omitted is
/// treated as equal to the scope originally granted by the resource owner."
pub async fn handle(
    state: &AppState,
    client: &Client,
    params: &Params,
) -> Result<TokenResponse, OAuthError> {
    require_grant(client, TokenGrant::RefreshToken)?;
    let presented = params.require("refresh_token")?;
    let now = state.clock.now();
    let record = find_opaque(state, presented)
        .await?
        .ok_or_else(|| OAuthError::invalid_grant("the refresh token is invalid"))?;
    let decision = decide(&record, client, now);
    crate::checks::record(
        "the refresh token is this client's, active and not reused",
        "RFC 6749 §6, RFC 9700 §4.14.2",
        matches!(decision, RefreshDecision::Issue { .. }),
    );
    let rotate = match decision {
        RefreshDecision::Issue { rotate } => rotate,
        RefreshDecision::Refuse(why) => return Err(OAuthError::invalid_grant(why)),
        RefreshDecision::ReuseDetected => {
            let revoked = tokens::revoke_family(&state.db, &record.family_id, now)
                .await
                .map_err(OAuthError::internal)?;
            tracing::warn!(client_id = %client.client_id, revoked, "refresh token reuse detected; grant revoked");
            return Err(OAuthError::invalid_grant(
                "the refresh token was already used; the whole grant has been revoked",
            ));
        }
    };
    let granted = Scope::parse(&record.scope).map_err(OAuthError::internal)?;
    let scope = resolve_scope(params.get("scope"), &granted)?;
    // SMART App Launch 2.x §2.0.10 (refresh): the new tokens keep the grant's launch context.
    let context = LaunchContext::parse(record.context.as_deref());
    // A token minted with extra claims (mock mode) hands them on to its successors.
    let overrides = Overrides {
        ttl: None,
        claims: record
            .claims
            .as_deref()
            .and_then(|c| serde_json::from_str(c).ok()),
    };
    let minted = mint_with(
        state,
        Grant {
            client,
            username: record.username.as_deref(),
            scope: &scope,
            granted: &granted,
            family_id: record.family_id.clone(),
            refresh: Some(if rotate {
                None
            } else {
                Some(presented.to_owned())
            }),
            context: context.as_ref(),
        },
        overrides,
    )?;
    if rotate {
        let won = tokens::rotate(&state.db, &record.handle, now, &minted.rows)
            .await
            .map_err(OAuthError::internal)?;
        if !won {
            // A concurrent request rotated it first: the same as reuse.
            tokens::revoke_family(&state.db, &record.family_id, now)
                .await
                .map_err(OAuthError::internal)?;
            return Err(OAuthError::invalid_grant(
                "the refresh token was already used; the whole grant has been revoked",
            ));
        }
        Ok(minted.response)
    } else {
        commit(state, minted).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::client::{AuthMethod, GrantType, TokenFormat};

    fn client(public: bool, rotate: bool) -> Client {
        Client {
            client_id: "c".into(),
            client_name: "c".into(),
            secret_hash: (!public).then(|| "phc".into()),
            auth_method: if public {
                AuthMethod::None
            } else {
                AuthMethod::ClientSecretBasic
            },
            grant_types: vec![GrantType::Password, GrantType::RefreshToken],
            redirect_uris: vec![],
            scope: Scope::parse("a b").unwrap(),
            first_party: false,
            access_token_format: TokenFormat::Opaque,
            access_token_ttl: 60,
            refresh_token_ttl: 600,
            require_pkce: public,
            allow_plain_pkce: false,
            rotate_refresh_tokens: rotate,
            jwks: None,
            jwks_uri: None,
            launch_uri: None,
            owner: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    fn record(client_id: &str, used: Option<i64>, revoked: Option<i64>) -> TokenRecord {
        TokenRecord {
            handle: "r".into(),
            kind: "refresh".into(),
            format: "opaque".into(),
            secret_hash: Some("digest".into()),
            client_id: client_id.into(),
            username: Some("alice".into()),
            scope: "a b".into(),
            family_id: "f".into(),
            issued_at: 1000,
            expires_at: 1600,
            used_at: used,
            revoked_at: revoked,
            context: None,
            claims: None,
        }
    }

    #[test]
    fn refresh_rules_table() {
        let cases = [
            // (client public, rotate, record, now, expected)
            (
                false,
                false,
                record("c", None, None),
                1100,
                RefreshDecision::Issue { rotate: false },
            ),
            (
                false,
                true,
                record("c", None, None),
                1100,
                RefreshDecision::Issue { rotate: true },
            ),
            (
                true,
                false,
                record("c", None, None),
                1100,
                RefreshDecision::Issue { rotate: true },
            ),
            (
                true,
                true,
                record("c", Some(1050), None),
                1100,
                RefreshDecision::ReuseDetected,
            ),
            (
                false,
                false,
                record("c", None, Some(1050)),
                1100,
                RefreshDecision::Refuse("the refresh token has been revoked"),
            ),
            (
                false,
                false,
                record("c", None, None),
                1600,
                RefreshDecision::Refuse("the refresh token has expired"),
            ),
            (
                false,
                false,
                record("c", None, None),
                1599,
                RefreshDecision::Issue { rotate: false },
            ),
            (
                false,
                false,
                record("other", None, None),
                1100,
                RefreshDecision::Refuse(
                    "the refresh token is invalid or was issued to another client",
                ),
            ),
        ];
        for (public, rotate, rec, now, want) in cases {
            assert_eq!(
                decide(&rec, &client(public, rotate), now),
                want,
                "{public} {rotate} {rec:?} {now}"
            );
        }
    }
}
