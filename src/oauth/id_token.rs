//! The OpenID Connect ID token (OIDC Core §2, §3.1.3.6).

use super::error::OAuthError;
use crate::state::AppState;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::Header;
use serde::Serialize;

/// The claims of an ID token.
#[derive(Debug, Serialize)]
pub struct IdClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub auth_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_hash: Option<String>,
    /// OIDC Core §2: "azp […] the party to which the ID Token was issued".
    pub azp: String,
    /// SMART App Launch 2.x §2.0.9 (fhirUser scope): the user's FHIR resource, an absolute URL.
    #[serde(rename = "fhirUser", skip_serializing_if = "Option::is_none")]
    pub fhir_user: Option<String>,
    /// A minted mock token's own claims, and `"mock": true` in mock mode.
    #[serde(flatten, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// OIDC Core §3.1.3.6: "at_hash: Access Token hash value. Its value is the base64url encoding
/// of the left-most half of the hash of the octets of the ASCII representation of the
/// access_token value, where the hash algorithm used is the hash algorithm used in the alg
/// Header Parameter of the ID Token's JOSE Header." Both RS256 and ES256 use SHA-256.
pub fn at_hash(access_token: &str) -> String {
    let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&hash.as_ref()[..16])
}

/// What an ID token says.
#[derive(Debug)]
pub struct IdFacts<'a> {
    pub client_id: &'a str,
    pub username: &'a str,
    pub auth_time: i64,
    pub nonce: Option<&'a str>,
    /// The access token issued with it; `None` for an ID token minted alone (mock mode).
    pub access_token: Option<&'a str>,
    pub ttl: i64,
    /// For a SMART grant with the fhirUser scope.
    pub fhir_user: Option<&'a str>,
    /// Extra claims (mock mode's `POST /mock/token`).
    pub claims: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Signs an ID token with the active key.
pub fn sign(state: &AppState, facts: IdFacts<'_>) -> Result<String, OAuthError> {
    let now = state.clock.now();
    let claims = IdClaims {
        iss: state.issuer.clone(),
        sub: facts.username.to_owned(),
        aud: facts.client_id.to_owned(),
        exp: now + facts.ttl,
        iat: now,
        auth_time: facts.auth_time,
        nonce: facts.nonce.map(str::to_owned),
        at_hash: facts.access_token.map(at_hash),
        azp: facts.client_id.to_owned(),
        fhir_user: facts.fhir_user.map(str::to_owned),
        extra: crate::oauth::tokens::token_claims(state, facts.claims),
    };
    let keys = state.keys.current();
    let header = Header {
        typ: Some("JWT".into()),
        ..Header::default()
    };
    keys.active
        .sign(header, &claims)
        .map_err(OAuthError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_hash_is_left_half_of_sha256() {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223 b00361a396177a9cb410ff61f20015ad
        assert_eq!(
            at_hash("abc"),
            URL_SAFE_NO_PAD.encode([
                0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae,
                0x22, 0x23
            ])
        );
    }
}
