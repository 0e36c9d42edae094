//! Keys that sign JWTs in tests: an outside issuer's, or a `private_key_jwt` client's. Each
//! shows its public half as a JWK and a PEM.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::pem;
use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

/// An HMAC secret long enough for HS512.
pub const HMAC_SECRET: &str = "a-shared-secret-of-at-least-sixty-four-bytes-for-hs512-0123456789";

/// A key of an outside issuer: signs, and shows its public half as a JWK and a PEM.
pub struct Signer {
    pub alg: Algorithm,
    pub key: EncodingKey,
    pub jwk: Option<Jwk>,
    pub pem: Option<String>,
}

impl Signer {
    pub fn rsa(alg: Algorithm) -> Self {
        let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        let pkcs8: aws_lc_rs::encoding::Pkcs8V1Der = pair.as_der().unwrap();
        let info = pkcs8::PrivateKeyInfo::try_from(pkcs8.as_ref()).unwrap();
        let key = EncodingKey::from_rsa_der(info.private_key);
        let spki: PublicKeyX509Der = pair.public_key().as_der().unwrap();
        Self::finish(alg, key, pem("PUBLIC KEY", spki.as_ref()))
    }

    pub fn ec(alg: Algorithm) -> Self {
        let signing = match alg {
            Algorithm::ES256 => &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            _ => &aws_lc_rs::signature::ECDSA_P384_SHA384_FIXED_SIGNING,
        };
        let pair = aws_lc_rs::signature::EcdsaKeyPair::generate(signing).unwrap();
        let pkcs8 = pair.to_pkcs8v1().unwrap();
        let key = EncodingKey::from_ec_der(pkcs8.as_ref());
        let spki: PublicKeyX509Der = pair.public_key().as_der().unwrap();
        Self::finish(alg, key, pem("PUBLIC KEY", spki.as_ref()))
    }

    pub fn ed() -> Self {
        let pair = aws_lc_rs::signature::Ed25519KeyPair::generate().unwrap();
        let pkcs8 = pair.to_pkcs8().unwrap();
        let key = EncodingKey::from_ed_der(pkcs8.as_ref());
        let spki: PublicKeyX509Der = pair.public_key().as_der().unwrap();
        let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(pair.public_key().as_ref());
        let jwk = serde_json::from_value(
            json!({"kty": "OKP", "crv": "Ed25519", "x": x, "kid": "EdDSA-key"}),
        )
        .unwrap();
        Self {
            alg: Algorithm::EdDSA,
            key,
            jwk: Some(jwk),
            pem: Some(pem("PUBLIC KEY", spki.as_ref())),
        }
    }

    pub fn hmac(alg: Algorithm) -> Self {
        Self {
            alg,
            key: EncodingKey::from_secret(HMAC_SECRET.as_bytes()),
            jwk: None,
            pem: None,
        }
    }

    pub fn finish(alg: Algorithm, key: EncodingKey, pem: String) -> Self {
        let mut jwk = Jwk::from_encoding_key(&key, alg).unwrap();
        jwk.common.key_id = Some(format!("{alg:?}-key"));
        Self {
            alg,
            key,
            jwk: Some(jwk),
            pem: Some(pem),
        }
    }

    pub fn kid(&self) -> Option<String> {
        self.jwk.as_ref().and_then(|j| j.common.key_id.clone())
    }

    pub fn sign(&self, claims: &Value) -> String {
        self.sign_as(claims, self.kid().as_deref())
    }

    pub fn sign_as(&self, claims: &Value, kid: Option<&str>) -> String {
        let mut header = Header::new(self.alg);
        header.kid = kid.map(str::to_owned);
        jsonwebtoken::encode(&header, claims, &self.key).unwrap()
    }
}
