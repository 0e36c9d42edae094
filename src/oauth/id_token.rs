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
    pub at_hash: String,
    /// OIDC Core §2: "azp […] the party to which the ID Token was issued".
    pub azp: String,
    /// SMART App Launch 2.x §2.0.9 (fhirUser scope): the user's FHIR resource, an absolute URL.
    #[serde(rename = "fhirUser", skip_serializing_if = "Option::is_none")]
    pub fhir_user: Option<String>,
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
    pub access_token: &'a str,
    pub ttl: i64,
    /// For a SMART grant with the fhirUser scope.
    pub fhir_user: Option<&'a str>,
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
        at_hash: at_hash(facts.access_token),
        azp: facts.client_id.to_owned(),
        fhir_user: facts.fhir_user.map(str::to_owned),
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
