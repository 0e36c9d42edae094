//! The sandbox's built-in test issuer: a stand-in for an outside identity provider, so the JWT
//! Auth page works with nothing outside.
//!
//! Its `iss` is `{issuer}/sandbox/test-issuer`, its RSA key lives in memory (made on first
//! use, new at every start) and its key set is served at its own path. It signs whatever claims
//! it is sent, for anyone: that is what it is for, and why a trust in it should only ever back
//! a policy of one's own in the sandbox. It can also sign badly on purpose, for the lessons:
//! unsigned (`alg: none`), naming a key id its set lacks, or with HS256 keyed by its own public
//! key (the HMAC/RSA confusion).

use crate::oauth::keys::{SigningAlg, SigningKey};
use crate::state::AppState;
use app::endpoints as ep;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// How long a minted token lives unless the claims say otherwise, in seconds.
const DEFAULT_LIFETIME: i64 = 300;

/// The key, made once.
#[derive(Debug, Default)]
pub struct TestIssuer {
    key: tokio::sync::OnceCell<SigningKey>,
}

impl TestIssuer {
    /// The signing key, made on first use.
    pub async fn key(&self) -> Result<&SigningKey, String> {
        self.key
            .get_or_try_init(|| async {
                tokio::task::spawn_blocking(|| SigningKey::generate(SigningAlg::Rs256, 0))
                    .await
                    .map_err(|e| e.to_string())?
                    .map_err(|e| e.to_string())
            })
            .await
    }

    /// Its public key set, once the key exists.
    pub fn published(&self) -> Option<JwkSet> {
        self.key.get().map(key_set)
    }
}

/// The public key set of `key`.
pub fn key_set(key: &SigningKey) -> JwkSet {
    JwkSet {
        keys: vec![key.jwk.clone()],
    }
}

/// How the test issuer signs.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Signing {
    /// RS256 with its published key: a good token.
    #[default]
    Rs256,
    /// No signature at all (`alg: none`, RFC 7519 §6).
    None,
    /// RS256 with its key, but a `kid` its key set does not hold.
    UnknownKid,
    /// HS256 keyed by the text of its own public key: the HMAC/RSA confusion.
    Hs256PublicKey,
}

/// What `POST /sandbox/test-issuer/token` accepts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MintRequest {
    #[serde(default)]
    pub claims: Map<String, Value>,
    #[serde(default)]
    pub signing: Signing,
    /// Seconds from now to `exp` when the claims carry none (negative: already expired).
    #[serde(default)]
    pub expires_in: Option<i64>,
}

fn refuse(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": "invalid_request", "error_description": message })),
    )
        .into_response()
}

/// `GET /sandbox/test-issuer/jwks.json`.
pub async fn jwks(State(state): State<AppState>) -> Response {
    match state.test_issuer.key().await {
        Ok(key) => Json(key_set(key)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "the test issuer's key");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `POST /sandbox/test-issuer/token`: signs the claims sent, filling in `iss`, `iat`, `exp`
/// and `jti` when they are missing. Answers the token, its header and its claims.
pub async fn mint(
    State(state): State<AppState>,
    crate::admin::body::JsonBody(request): crate::admin::body::JsonBody<MintRequest>,
) -> Response {
    let key = match state.test_issuer.key().await {
        Ok(k) => k,
        Err(e) => {
            tracing::error!(error = %e, "the test issuer's key");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let now = state.clock.now();
    if request
        .expires_in
        .is_some_and(|e| !(-86_400..=86_400).contains(&e))
    {
        return refuse("expires_in must be within a day of now");
    }
    let mut claims = request.claims;
    claims
        .entry("iss")
        .or_insert_with(|| state.url(ep::TEST_ISSUER).into());
    claims.entry("iat").or_insert_with(|| now.into());
    claims
        .entry("exp")
        .or_insert_with(|| (now + request.expires_in.unwrap_or(DEFAULT_LIFETIME)).into());
    if !claims.contains_key("jti") {
        match crate::secret::ordered_id() {
            Ok(id) => {
                claims.insert("jti".into(), id.into());
            }
            Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    }
    if serde_json::to_vec(&claims).map_or(0, |v| v.len()) > 8 * 1024 {
        return refuse("the claims are larger than 8 KiB");
    }
    let mut header = Header::new(Algorithm::RS256);
    header.typ = Some("JWT".into());
    let signed = match request.signing {
        Signing::Rs256 => key.sign(header, &claims),
        Signing::UnknownKid => key.sign_as(header, &claims, "a-key-nobody-published"),
        Signing::None => unsigned(&claims),
        Signing::Hs256PublicKey => match key.public_pem() {
            Some(pem) => {
                let mut header = Header::new(Algorithm::HS256);
                header.kid = Some(key.kid.clone());
                header.typ = Some("JWT".into());
                jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(pem.as_bytes()))
                    .map_err(|e| e.to_string())
            }
            None => Err("the test issuer's key is not RSA".into()),
        },
    };
    let token = match signed {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "the test issuer could not sign");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let header = token
        .split('.')
        .next()
        .and_then(|h| URL_SAFE_NO_PAD.decode(h).ok())
        .and_then(|h| serde_json::from_slice::<Value>(&h).ok())
        .unwrap_or_default();
    let mut response = Json(json!({
        "access_token": token,
        "token_type": "Bearer",
        "header": header,
        "claims": claims,
    }))
    .into_response();
    crate::oauth::error::no_store(response.headers_mut());
    response
}

/// An unsecured JWS (RFC 7515 Appendix A.5): header `{"alg":"none"}`, an empty signature.
fn unsigned(claims: &Map<String, Value>) -> Result<String, String> {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = serde_json::to_vec(claims).map_err(|e| e.to_string())?;
    Ok(format!("{header}.{}.", URL_SAFE_NO_PAD.encode(payload)))
}
