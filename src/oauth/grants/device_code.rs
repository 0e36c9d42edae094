//! The device authorization grant at the token endpoint (RFC 8628 §3.4, §3.5): the device
//! polls with its device code until the person has approved or denied it on another device.

use super::{TokenGrant, require_grant};
use crate::checks::check;
use crate::model::client::{Client, GrantType};
use crate::model::scope::Scope;
use crate::oauth::error::OAuthError;
use crate::oauth::id_token::{self, IdFacts};
use crate::oauth::params::Params;
use crate::oauth::tokens::{Grant, TokenResponse, mint};
use crate::secret::secret_matches;
use crate::state::AppState;
use crate::storage::device_codes::{self, DeviceCode};

/// RFC 8628 §3.5: on `slow_down` "the interval MUST be increased by 5 seconds for this and all
/// subsequent requests."
pub const SLOW_DOWN_STEP: i64 = 5;

async fn find(state: &AppState, value: &str) -> Result<Option<DeviceCode>, OAuthError> {
    let Some((handle, secret)) = value.split_once('.') else {
        return Ok(None);
    };
    let record = device_codes::find(&state.db, handle)
        .await
        .map_err(OAuthError::internal)?;
    Ok(record.filter(|c| secret_matches(&c.secret_hash, secret)))
}

/// §3.4: grant_type `urn:ietf:params:oauth:grant-type:device_code`, device_code REQUIRED,
/// client_id REQUIRED for a client that does not authenticate.
pub async fn handle(
    state: &AppState,
    client: &Client,
    params: &Params,
) -> Result<TokenResponse, OAuthError> {
    require_grant(client, TokenGrant::DeviceCode)?;
    let value = params.require("device_code")?;
    let found = find(state, value)
        .await?
        .filter(|c| c.client_id == client.client_id);
    check(
        "the device_code is one this server issued to this client",
        "RFC 8628 §3.4",
        found.is_some(),
    );
    let Some(code) = found else {
        return Err(OAuthError::invalid_grant(
            "the device_code is not one this server issued to this client",
        ));
    };
    let now = state.clock.now();
    // §3.5 expired_token: "The "device_code" has expired, and the device authorization
    // session has concluded. The client MAY commence a new device authorization request".
    if !check(
        "the device_code has not expired",
        "RFC 8628 §3.5 expired_token",
        code.expires_at > now,
    ) {
        return Err(OAuthError::ExpiredToken(
            "the device_code expired; start a new device authorization request".into(),
        ));
    }
    match code.status.as_str() {
        "pending" => poll_pending(state, &code, now).await,
        // §3.5 access_denied: "The authorization request was denied."
        "denied" => Err(OAuthError::AccessDenied(
            "the person denied the request on the verification page".into(),
        )),
        "approved" => redeem(state, client, &code, now).await,
        _ => Err(OAuthError::invalid_grant(
            "the device_code was already used: it yields tokens once",
        )),
    }
}

/// §3.5: a poll before the person answered is `authorization_pending`, or `slow_down` when it
/// came sooner than the interval allows.
async fn poll_pending(
    state: &AppState,
    code: &DeviceCode,
    now: i64,
) -> Result<TokenResponse, OAuthError> {
    let too_soon = code
        .last_poll_at
        .is_some_and(|last| now - last < code.poll_interval);
    let interval = if too_soon {
        code.poll_interval + SLOW_DOWN_STEP
    } else {
        code.poll_interval
    };
    device_codes::polled(&state.db, &code.handle, now, interval)
        .await
        .map_err(OAuthError::internal)?;
    if !check(
        "the client waited the interval since its last poll",
        "RFC 8628 §3.5 slow_down",
        !too_soon,
    ) {
        return Err(OAuthError::SlowDown(
            format!("polled sooner than the interval; wait {interval} s between polls from now on")
                .into(),
        ));
    }
    check(
        "the person has answered on the verification page",
        "RFC 8628 §3.5 authorization_pending",
        false,
    );
    Err(OAuthError::AuthorizationPending(
        "the person has not answered on the verification page yet".into(),
    ))
}

/// The person approved: tokens once, the device code marked used in the same transaction.
async fn redeem(
    state: &AppState,
    client: &Client,
    code: &DeviceCode,
    now: i64,
) -> Result<TokenResponse, OAuthError> {
    check(
        "the person approved the request on the verification page",
        "RFC 8628 §3.3",
        true,
    );
    let username = code
        .username
        .as_deref()
        .ok_or_else(|| OAuthError::internal("approved without a user"))?;
    let scope = Scope::parse(&code.scope).map_err(OAuthError::internal)?;
    let refresh = client.allows(GrantType::RefreshToken).then_some(None);
    let mut minted = mint(
        state,
        Grant {
            client,
            username: Some(username),
            scope: &scope,
            granted: &scope,
            family_id: code.family_id.clone(),
            refresh,
            context: None,
        },
    )?;
    if scope.contains("openid") {
        minted.response.id_token = Some(id_token::sign(
            state,
            IdFacts {
                client_id: &client.client_id,
                username,
                auth_time: code.auth_time.unwrap_or(now),
                nonce: None,
                access_token: Some(&minted.response.access_token),
                ttl: client.access_token_ttl,
                fhir_user: None,
                claims: None,
            },
        )?);
    }
    if !device_codes::redeem(&state.db, &code.handle, now, &minted.rows)
        .await
        .map_err(OAuthError::internal)?
    {
        return Err(OAuthError::invalid_grant(
            "the device_code was already used: it yields tokens once",
        ));
    }
    Ok(minted.response)
}
