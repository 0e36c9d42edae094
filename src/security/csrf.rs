//! CSRF protection for the server-rendered forms (login, consent, sign-out, the console's
//! account pages).
//!
//! Each browser holds a random `sandbox_csrf` cookie; a form carries the HMAC of that cookie and
//! the form's purpose (a pending request id, `logout`, `signout`). A page on another origin can
//! neither read the cookie nor compute the HMAC, so it cannot forge the form (RFC 6749 §10.12).

use super::session::{SESSION_TTL, read_cookie, set_cookie};
use crate::secret::{NoRandomness, constant_time_eq, fill_random, new_secret};
use crate::state::AppState;
use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The CSRF cookie's name.
pub const CSRF_COOKIE: &str = "sandbox_csrf";

/// The key the form tokens are made with.
pub struct CsrfKey(aws_lc_rs::hmac::Key);

impl std::fmt::Debug for CsrfKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfKey(***)")
    }
}

impl CsrfKey {
    /// A new random key; start-up fails without randomness.
    pub fn generate() -> Result<Self, NoRandomness> {
        let mut key = [0u8; 32];
        fill_random(&mut key)?;
        Ok(Self::from_secret(&key))
    }

    /// The key made from `secret`: every node of one issuer holds the same one
    /// (`storage::server_secrets`), so a form shown by one node is accepted by any.
    pub fn from_secret(secret: &[u8]) -> Self {
        Self(aws_lc_rs::hmac::Key::new(
            aws_lc_rs::hmac::HMAC_SHA256,
            secret,
        ))
    }

    /// The token for `purpose` in the browser holding `browser_cookie`.
    pub fn token(&self, browser_cookie: &str, purpose: &str) -> String {
        let tag = aws_lc_rs::hmac::sign(&self.0, format!("{browser_cookie}|{purpose}").as_bytes());
        URL_SAFE_NO_PAD.encode(tag.as_ref())
    }

    /// True when `token` is this browser's token for `purpose`.
    pub fn verify(&self, browser_cookie: &str, purpose: &str, token: &str) -> bool {
        !browser_cookie.is_empty()
            && constant_time_eq(
                self.token(browser_cookie, purpose).as_bytes(),
                token.as_bytes(),
            )
    }
}

/// This browser's CSRF cookie value, and the `Set-Cookie` to send when it is new.
pub fn browser_cookie(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(String, Option<String>), NoRandomness> {
    match read_cookie(headers, CSRF_COOKIE).filter(|v| v.len() >= 32) {
        Some(v) => Ok((v, None)),
        None => {
            let v = new_secret()?.expose().to_owned();
            let set = set_cookie(state, CSRF_COOKIE, &v, SESSION_TTL);
            Ok((v, Some(set)))
        }
    }
}

/// True when the form field `token` is the token for `purpose` of the browser that sent
/// `headers`.
pub fn form_ok(state: &AppState, headers: &HeaderMap, purpose: &str, token: &str) -> bool {
    let browser = read_cookie(headers, CSRF_COOKIE).unwrap_or_default();
    state.csrf.verify(&browser, purpose, token)
}
