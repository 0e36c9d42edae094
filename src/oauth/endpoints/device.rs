//! `POST /auth/device`, the device authorization endpoint (RFC 8628 §3.1, §3.2): a client on a
//! device without a browser (a TV, a command line) asks for a device code, which it polls the
//! token endpoint with, and a user code, which the person types on another device at the
//! verification URI.

use crate::oauth::client_auth;
use crate::oauth::error::OAuthError;
use crate::oauth::grants::{TokenGrant, require_grant, resolve_scope};
use crate::oauth::params::FormRequest;
use crate::oauth::tokens::new_family;
use crate::secret::{digest, fill_random, new_secret, ordered_id};
use crate::state::AppState;
use crate::storage::device_codes::{self, DeviceCode};
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// How long a device code lives. §3.2 leaves it to the server; RFC 8628's own example is 1800
/// seconds. Ten minutes is long enough to find a phone.
pub const DEVICE_CODE_TTL: i64 = 600;
/// §3.2 interval: "If no value is provided, clients MUST use 5 as the default."
pub const INTERVAL: i64 = 5;

/// §6.1: user codes from 20 consonants, "BCDFGHJKLMNPQRSTVWXZ": no vowels, so no words; no
/// digits, so no 0/O or 1/I to confuse. Eight of them are 20^8, about 34.5 bits, which the
/// verification page's throttle keeps far out of a guesser's reach (§5.1).
pub const USER_CODE_ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";
pub const USER_CODE_LEN: usize = 8;

/// A fresh user code, as stored (eight letters); shown as `WDJB-MJHT`.
pub fn new_user_code() -> Result<String, OAuthError> {
    let mut out = String::with_capacity(USER_CODE_LEN);
    while out.len() < USER_CODE_LEN {
        let mut byte = [0u8; 1];
        fill_random(&mut byte).map_err(OAuthError::internal)?;
        // Rejection sampling: 240 is the largest multiple of 20 below 256, so each letter is
        // equally likely.
        if byte[0] < 240 {
            out.push(char::from(USER_CODE_ALPHABET[usize::from(byte[0] % 20)]));
        }
    }
    Ok(out)
}

/// The user code as a person reads it: two groups of four.
pub fn display_user_code(code: &str) -> String {
    match code.len() {
        USER_CODE_LEN => format!("{}-{}", &code[..4], &code[4..]),
        _ => code.to_owned(),
    }
}

/// §6.1: "the characters entered [...] should be case insensitive" and punctuation such as the
/// dash ignored: what a person typed, as stored. `None` when it cannot be a user code.
pub fn normalize_user_code(typed: &str) -> Option<String> {
    let letters: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\t'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (letters.len() == USER_CODE_LEN && letters.bytes().all(|b| USER_CODE_ALPHABET.contains(&b)))
        .then_some(letters)
}

/// §3.2: the device authorization response.
#[derive(Debug, Serialize)]
pub struct DeviceAuthorization {
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: String,
    pub expires_in: i64,
    pub interval: i64,
}

impl IntoResponse for DeviceAuthorization {
    /// The device code is a credential: like a token response, never cached.
    fn into_response(self) -> Response {
        let mut response = Json(self).into_response();
        crate::oauth::error::no_store(response.headers_mut());
        response
    }
}

/// The endpoint. §3.1: "The client makes a device authorization request [...] by including
/// the following parameters using the "application/x-www-form-urlencoded" format": client_id
/// (REQUIRED when the client does not authenticate) and scope (OPTIONAL); a confidential client
/// authenticates as at the token endpoint.
pub async fn device_authorization(
    State(state): State<AppState>,
    request: Result<FormRequest, OAuthError>,
) -> Result<DeviceAuthorization, OAuthError> {
    let FormRequest {
        headers,
        mut params,
        address,
        ..
    } = request?;
    let client = client_auth::authenticate(&state, &headers, &mut params, &address).await?;
    require_grant(&client, TokenGrant::DeviceCode)?;
    let scope = resolve_scope(params.get("scope"), &client.scope)?;
    // Each code is a row for ten minutes: one address may not fill the table.
    state.throttle.new_device_code(&address).await?;
    let now = state.clock.now();
    let (handle, secret) = (ordered_id()?, new_secret()?);
    let family_id = new_family()?;
    // A user code is unique among the codes kept; a clash draws another.
    for _ in 0..8 {
        let user_code = new_user_code()?;
        let record = DeviceCode {
            handle: handle.clone(),
            secret_hash: digest(secret.expose()),
            user_code: user_code.clone(),
            client_id: client.client_id.clone(),
            scope: scope.to_string(),
            issued_at: now,
            expires_at: now + DEVICE_CODE_TTL,
            poll_interval: INTERVAL,
            last_poll_at: None,
            status: "pending".into(),
            username: None,
            auth_time: None,
            family_id: family_id.clone(),
        };
        if device_codes::insert(&state.db, &record)
            .await
            .map_err(OAuthError::internal)?
        {
            let shown = display_user_code(&user_code);
            let verification_uri = state.url(app::endpoints::DEVICE_VERIFY);
            let complete = format!(
                "{verification_uri}?{}",
                form_urlencoded::Serializer::new(String::new())
                    .append_pair("user_code", &shown)
                    .finish()
            );
            return Ok(DeviceAuthorization {
                device_code: format!("{handle}.{}", secret.expose()),
                user_code: shown,
                verification_uri,
                verification_uri_complete: complete,
                expires_in: DEVICE_CODE_TTL,
                interval: INTERVAL,
            });
        }
    }
    Err(OAuthError::internal("no free user code after eight draws"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_are_eight_unambiguous_consonants() {
        for _ in 0..200 {
            let c = new_user_code().unwrap();
            assert_eq!(c.len(), 8);
            assert!(c.bytes().all(|b| USER_CODE_ALPHABET.contains(&b)), "{c}");
            assert_eq!(
                normalize_user_code(&display_user_code(&c)).as_deref(),
                Some(c.as_str())
            );
        }
        assert_eq!(
            normalize_user_code("wdjb-mjht").as_deref(),
            Some("WDJBMJHT")
        );
        assert_eq!(
            normalize_user_code(" WDJB MJHT ").as_deref(),
            Some("WDJBMJHT")
        );
        assert_eq!(normalize_user_code("WDJB-MJH0"), None, "no digits");
        assert_eq!(normalize_user_code("AEIOUBCD"), None, "no vowels");
        assert_eq!(normalize_user_code("WDJB"), None);
    }
}
