//! Minting and reading access and refresh tokens.
//!
//! Access tokens are JWTs (RFC 9068) or opaque, as the client is registered; refresh tokens are
//! always opaque. An opaque value is `<handle>.<secret>`: the time-ordered handle finds the row,
//! and the 256-bit random secret is stored only as its SHA-256 digest and compared in constant
//! time. A JWT is stored by its `jti` (its handle) so it can be revoked and introspected.

use super::error::OAuthError;
use crate::model::client::{Client, TokenFormat};
use crate::model::scope::Scope;
use crate::secret::{digest, new_secret, ordered_id, secret_matches};
use crate::smart::context::{LaunchContext, ResponseContext};
use crate::state::AppState;
use crate::storage::tokens::{NewToken, TokenKind, TokenRecord, find};
use axum::Json;
use axum::response::{IntoResponse, Response};
use jsonwebtoken::{Header, Validation};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The claims of a JWT access token (RFC 9068 §2.2).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub client_id: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub scope: String,
    /// Claims beyond these: a minted mock token's own, and `"mock": true` in mock mode.
    #[serde(flatten, default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The claim every token carries in mock mode, so that nobody takes it for a real one.
pub const MOCK_CLAIM: &str = "mock";

/// What a token minted through the mock control API sets beyond a grant.
#[derive(Debug, Default)]
pub struct Overrides {
    /// The access token's lifetime in seconds, instead of the client's.
    pub ttl: Option<i64>,
    /// Extra claims, none of them a registered one (the caller checks).
    pub claims: Option<serde_json::Map<String, serde_json::Value>>,
}

/// The successful token response (RFC 6749 §5.1).
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub scope: String,
    /// OIDC Core §3.1.3.3: for the `openid` scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// SMART App Launch 2.x §2.0.9: `patient`, `encounter`, `fhirContext`,
    /// `need_patient_banner`, `smart_style_url` of a SMART grant.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub context: Option<ResponseContext>,
}

impl IntoResponse for TokenResponse {
    /// §5.1: "The authorization server MUST include the HTTP "Cache-Control" response header
    /// field [RFC2616] with a value of "no-store" in any response containing tokens,
    /// credentials, or other sensitive information".
    fn into_response(self) -> Response {
        let mut response = Json(self).into_response();
        super::error::no_store(response.headers_mut());
        response
    }
}

/// Who the tokens are for and what they allow.
#[derive(Debug)]
pub struct Grant<'a> {
    pub client: &'a Client,
    pub username: Option<&'a str>,
    pub scope: &'a Scope,
    /// The scope the resource owner granted; a refresh token keeps it even when this access
    /// token asked for less (RFC 6749 §6).
    pub granted: &'a Scope,
    /// The grant's family: new for a fresh grant, inherited on refresh.
    pub family_id: String,
    /// The refresh token to hand out: `None` for no refresh token, `Some(None)` to mint one,
    /// `Some(Some(value))` to hand back the one presented (no rotation).
    pub refresh: Option<Option<String>>,
    /// A SMART grant's launch context: every token of the grant carries it.
    pub context: Option<&'a LaunchContext>,
}

/// Tokens minted but not yet stored: the response, and the rows that must be committed first.
#[derive(Debug)]
pub struct Minted {
    pub response: TokenResponse,
    pub rows: Vec<NewToken>,
}

/// The audience of access tokens: the demo resource server.
pub fn audience(state: &AppState) -> String {
    state
        .url(app::endpoints::PATIENTS)
        .trim_end_matches("/Patient")
        .to_owned()
}

/// Mints an access token (and perhaps a refresh token) for `grant`.
pub fn mint(state: &AppState, grant: Grant<'_>) -> Result<Minted, OAuthError> {
    mint_with(state, grant, Overrides::default())
}

/// Mints like [`mint`], with a lifetime and extra claims of the caller's.
pub fn mint_with(
    state: &AppState,
    grant: Grant<'_>,
    overrides: Overrides,
) -> Result<Minted, OAuthError> {
    let now = state.clock.now();
    let client = grant.client;
    let scope = grant.scope.to_string();
    let ttl = overrides.ttl.unwrap_or(client.access_token_ttl);
    let expires_at = now + ttl;
    let stored_claims = overrides
        .claims
        .as_ref()
        .filter(|c| !c.is_empty())
        .map(|c| serde_json::Value::Object(c.clone()).to_string());
    let handle = ordered_id()?;
    let context = grant.context.filter(|c| !c.is_empty());
    let stored_context = context.map(LaunchContext::stored);
    let (access_token, secret_hash) = match client.access_token_format {
        TokenFormat::Opaque => {
            let (value, hash) = opaque_value(&handle)?;
            (value, Some(hash))
        }
        TokenFormat::Jwt => {
            let keys = state.keys.current();
            let key = &keys.active;
            let mut header = Header::new(key.algorithm());
            // RFC 9068 §2.1: "Resource servers MUST verify that the "typ" header value is
            // "at+jwt" or "application/at+jwt" and reject tokens carrying any other value."
            header.typ = Some("at+jwt".into());
            let claims = AccessClaims {
                iss: state.issuer.clone(),
                sub: grant.username.unwrap_or(&client.client_id).to_owned(),
                aud: audience(state),
                client_id: client.client_id.clone(),
                iat: now,
                exp: expires_at,
                jti: handle.clone(),
                scope: scope.clone(),
                extra: token_claims(state, overrides.claims.clone()),
            };
            let jwt = key.sign(header, &claims).map_err(OAuthError::internal)?;
            (jwt, None)
        }
    };
    let mut rows = vec![NewToken {
        handle,
        kind: TokenKind::Access,
        format: client.access_token_format,
        secret_hash,
        client_id: client.client_id.clone(),
        username: grant.username.map(str::to_owned),
        scope: scope.clone(),
        family_id: grant.family_id.clone(),
        issued_at: now,
        expires_at,
        context: stored_context.clone(),
        claims: stored_claims.clone(),
    }];
    let refresh_token = match grant.refresh {
        None => None,
        Some(Some(kept)) => Some(kept),
        Some(None) => {
            let (value, row) = new_refresh(RefreshFacts {
                client_id: &client.client_id,
                username: grant.username,
                scope: grant.granted.to_string(),
                family_id: grant.family_id,
                issued_at: now,
                expires_at: now + client.refresh_token_ttl,
                context: stored_context,
                claims: stored_claims,
            })?;
            rows.push(row);
            Some(value)
        }
    };
    Ok(Minted {
        response: TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in: ttl,
            refresh_token,
            scope,
            id_token: None,
            context: context.map(LaunchContext::response),
        },
        rows,
    })
}

/// The extra claims of a signed token: the caller's, and [`MOCK_CLAIM`] in mock mode.
pub fn token_claims(
    state: &AppState,
    claims: Option<serde_json::Map<String, serde_json::Value>>,
) -> serde_json::Map<String, serde_json::Value> {
    let mut extra = claims.unwrap_or_default();
    if state.mock.is_some() {
        extra.insert(MOCK_CLAIM.into(), serde_json::Value::Bool(true));
    }
    extra
}

/// Mints tokens for a fresh grant and commits them before returning the response.
pub async fn issue(state: &AppState, grant: Grant<'_>) -> Result<TokenResponse, OAuthError> {
    commit(state, mint(state, grant)?).await
}

/// Commits minted tokens (through the group-commit writer) and returns the response.
pub async fn commit(state: &AppState, minted: Minted) -> Result<TokenResponse, OAuthError> {
    state
        .writer
        .insert(minted.rows)
        .await
        .map_err(OAuthError::internal)?;
    Ok(minted.response)
}

/// What a new refresh token is for.
#[derive(Debug)]
pub struct RefreshFacts<'a> {
    pub client_id: &'a str,
    pub username: Option<&'a str>,
    pub scope: String,
    pub family_id: String,
    pub issued_at: i64,
    pub expires_at: i64,
    pub context: Option<String>,
    pub claims: Option<String>,
}

/// A new opaque refresh token: its value, and the row to store.
pub fn new_refresh(facts: RefreshFacts<'_>) -> Result<(String, NewToken), OAuthError> {
    let handle = ordered_id()?;
    let (value, hash) = opaque_value(&handle)?;
    Ok((
        value,
        NewToken {
            handle,
            kind: TokenKind::Refresh,
            format: TokenFormat::Opaque,
            secret_hash: Some(hash),
            client_id: facts.client_id.to_owned(),
            username: facts.username.map(str::to_owned),
            scope: facts.scope,
            family_id: facts.family_id,
            issued_at: facts.issued_at,
            expires_at: facts.expires_at,
            context: facts.context,
            claims: facts.claims,
        },
    ))
}

/// A new family id for a fresh grant.
pub fn new_family() -> Result<String, OAuthError> {
    Ok(ordered_id()?)
}

/// A new opaque value for `handle`, and the digest of its secret part to store.
fn opaque_value(handle: &str) -> Result<(String, String), OAuthError> {
    let secret = new_secret()?;
    Ok((
        format!("{handle}.{}", secret.expose()),
        digest(secret.expose()),
    ))
}

/// Finds the row of an opaque value (`<handle>.<secret>`) and checks its secret in constant
/// time. `None` when the value is malformed, unknown, or its secret does not match.
pub async fn find_opaque(state: &AppState, value: &str) -> Result<Option<TokenRecord>, OAuthError> {
    let Some((handle, secret)) = value.split_once('.') else {
        return Ok(None);
    };
    if handle.len() != 32 || secret.is_empty() || secret.contains('.') {
        return Ok(None);
    }
    let record = find(&state.db, handle)
        .await
        .map_err(OAuthError::internal)?;
    Ok(record.filter(|r| {
        r.secret_hash
            .as_deref()
            .is_some_and(|stored| secret_matches(stored, secret))
    }))
}

/// What is known about a presented token.
#[derive(Debug, Clone)]
pub struct KnownToken {
    pub record: TokenRecord,
    /// The verified claims, for a JWT.
    pub claims: Option<AccessClaims>,
}

impl KnownToken {
    /// Active at `now`: not revoked and not expired.
    pub fn is_active(&self, now: i64) -> bool {
        self.record.is_active(now)
    }
}

/// True when the value has the shape of a JWS compact serialization.
fn looks_like_jwt(token: &str) -> bool {
    token.bytes().filter(|b| *b == b'.').count() == 2
}

/// Verifies a JWT access token's signature and claims against the live keys.
///
/// RFC 9068 §4: the resource server "MUST validate the signature […] using the algorithm
/// specified in the JWT "alg" header parameter" — but only an algorithm of a key we published,
/// chosen by `kid`, never one the token names for itself.
pub fn verify_jwt(state: &AppState, token: &str) -> Option<AccessClaims> {
    let header = jsonwebtoken::decode_header(token).ok()?;
    if !matches!(header.typ.as_deref(), Some("at+jwt" | "application/at+jwt")) {
        return None;
    }
    let keys = state.keys.current();
    let key = keys.find(header.kid.as_deref()?)?;
    let mut validation = Validation::new(key.algorithm());
    validation.set_issuer(&[state.issuer.as_str()]);
    validation.set_audience(&[audience(state)]);
    // Expiry is checked against the server's clock by the caller, not the wall clock here.
    validation.validate_exp = false;
    validation.required_spec_claims = HashSet::from([
        "exp".to_owned(),
        "iss".to_owned(),
        "aud".to_owned(),
        "sub".to_owned(),
    ]);
    jsonwebtoken::decode::<AccessClaims>(token, &key.decoding, &validation)
        .ok()
        .map(|data| data.claims)
}

/// Finds a presented token, JWT or opaque, access or refresh. `None` when it is unknown,
/// malformed or carries a bad signature.
pub async fn lookup(state: &AppState, token: &str) -> Result<Option<KnownToken>, OAuthError> {
    if token.len() > 8192 {
        return Ok(None);
    }
    if looks_like_jwt(token) {
        let claims = match verify_jwt(state, token) {
            Some(claims) => Some(claims),
            // A key another node made a moment ago: read the keys again if they changed.
            None if state.keys.refresh(&state.db).await.unwrap_or(false) => {
                verify_jwt(state, token)
            }
            None => None,
        };
        let Some(claims) = claims else {
            return Ok(None);
        };
        let record = find(&state.db, &claims.jti)
            .await
            .map_err(OAuthError::internal)?;
        return Ok(record
            .filter(|r| {
                !r.is_refresh() && r.secret_hash.is_none() && r.client_id == claims.client_id
            })
            .map(|record| KnownToken {
                record,
                claims: Some(claims),
            }));
    }
    let record = find_opaque(state, token).await?;
    Ok(record.map(|record| KnownToken {
        record,
        claims: None,
    }))
}
