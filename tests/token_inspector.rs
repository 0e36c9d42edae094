//! The token inspector's signature check: RS256, ES256, EdDSA and HS256 tokens, each verified
//! with what a person pastes (a JWK, a JWK Set, a PEM public key, or a shared secret), and the
//! refusals: `alg: none`, an HMAC token offered a public key as its secret, a `kid` the set
//! lacks, a key of another algorithm.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::browser::Browser;
use common::*;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use oauth_sandbox::sandbox::verify_key::verify;
use serde_json::{Value, json};

fn sign(alg: Algorithm, kid: Option<&str>, key: &EncodingKey) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(
        &header,
        &json!({"sub": "pat", "exp": 4_000_000_000_i64}),
        key,
    )
    .unwrap()
}

fn parts(token: &str) -> (Option<String>, Option<String>) {
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    (
        header["alg"].as_str().map(str::to_owned),
        header["kid"].as_str().map(str::to_owned),
    )
}

fn check(token: &str, key: &str) -> (bool, String) {
    let (alg, kid) = parts(token);
    verify(token, alg.as_deref(), kid.as_deref(), key)
}

fn assert_ok(token: &str, key: &str, names: &str) {
    let (ok, note) = check(token, key);
    assert!(ok, "{note}");
    assert!(note.contains(names), "{note}");
}

fn assert_refused(token: &str, key: &str, because: &str) {
    let (ok, note) = check(token, key);
    assert!(!ok, "accepted: {note}");
    assert!(note.contains(because), "{note}");
}

#[test]
fn an_ed25519_token_verifies_with_its_jwk_its_set_and_its_pem() {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    let raw = pair.public_key().as_ref().to_vec();
    let token = sign(
        Algorithm::EdDSA,
        Some("ed-1"),
        &EncodingKey::from_ed_der(pkcs8.as_ref()),
    );
    let jwk =
        json!({"kty": "OKP", "crv": "Ed25519", "kid": "ed-1", "x": URL_SAFE_NO_PAD.encode(&raw)});
    let mut spki = hex("302a300506032b6570032100");
    spki.extend(&raw);
    assert_ok(&token, &jwk.to_string(), "kid \"ed-1\", EdDSA");
    assert_ok(&token, &json!({"keys": [jwk]}).to_string(), "EdDSA");
    assert_ok(
        &token,
        &pem("PUBLIC KEY", &spki),
        "the PEM public key, EdDSA",
    );
    // A set without the token's kid is refused by name.
    let other = json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "ed-2", "x": URL_SAFE_NO_PAD.encode(&raw)}]});
    assert_refused(
        &token,
        &other.to_string(),
        "no key in the set has the token's kid \"ed-1\"",
    );
}

#[test]
fn an_es256_token_verifies_with_its_pem_and_refuses_an_rsa_jwk() {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).unwrap();
    let point = pair.public_key().as_ref().to_vec();
    let token = sign(
        Algorithm::ES256,
        None,
        &EncodingKey::from_ec_der(pkcs8.as_ref()),
    );
    let mut spki = hex("3059301306072a8648ce3d020106082a8648ce3d030107034200");
    spki.extend(&point);
    assert_ok(
        &token,
        &pem("PUBLIC KEY", &spki),
        "the PEM public key, ES256",
    );
    let jwk = json!({
        "kty": "EC", "crv": "P-256",
        "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
        "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
    });
    assert_ok(&token, &jwk.to_string(), "the JWK, ES256");
    assert_ok(&token, &json!({"keys": [jwk]}).to_string(), "ES256");
    // A key that is not this one does not verify.
    let other = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let other = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, other.as_ref()).unwrap();
    let mut other_spki = hex("3059301306072a8648ce3d020106082a8648ce3d030107034200");
    other_spki.extend(other.public_key().as_ref());
    assert_refused(&token, &pem("PUBLIC KEY", &other_spki), "does not verify");
}

#[test]
fn an_rs256_token_verifies_with_its_pem_and_an_hmac_token_never_takes_a_public_key() {
    use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
    let generated = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let pkcs8: Pkcs8V1Der<'static> = generated.as_der().unwrap();
    let pair = RsaKeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    let public_der = pair.public_key().as_ref().to_vec();
    let token = sign(
        Algorithm::RS256,
        None,
        &EncodingKey::from_rsa_pem(pem("PRIVATE KEY", pkcs8.as_ref()).as_bytes()).unwrap(),
    );
    let public_pem = pem("RSA PUBLIC KEY", &public_der);
    assert_ok(&token, &public_pem, "the PEM public key, RS256");
    // A secret is no key for RS256.
    assert_refused(&token, "some-secret", "not a secret");

    // HS256 with its secret verifies; with the RSA public key as its "secret" it is the
    // algorithm-confusion attack, refused whatever the bytes.
    let hs = sign(
        Algorithm::HS256,
        None,
        &EncodingKey::from_secret(b"a-shared-secret"),
    );
    assert_ok(&hs, "a-shared-secret", "the shared secret, HS256");
    assert_refused(&hs, "another-secret", "does not verify");
    assert_refused(&hs, &public_pem, "algorithm-confusion");
    let oct = json!({"kty": "oct", "k": URL_SAFE_NO_PAD.encode(b"a-shared-secret")});
    assert_ok(&hs, &oct.to_string(), "the JWK, HS256");
    let rsa_jwk = json!({"kty": "RSA", "n": "AQAB", "e": "AQAB"});
    assert_refused(&hs, &rsa_jwk.to_string(), "algorithm-confusion");
    // A JWK that says it is for another algorithm is refused.
    let es_only =
        json!({"kty": "oct", "alg": "HS512", "k": URL_SAFE_NO_PAD.encode(b"a-shared-secret")});
    assert_refused(&hs, &es_only.to_string(), "is for HS512");
}

#[test]
fn alg_none_is_refused_whatever_the_key() {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let claims = URL_SAFE_NO_PAD.encode(br#"{"sub":"admin"}"#);
    let token = format!("{header}.{claims}.");
    for key in ["", "secret", r#"{"kty":"oct","k":"c2VjcmV0"}"#] {
        assert_refused(&token, key, "not signed at all");
    }
}

#[tokio::test]
async fn the_inspector_checks_this_servers_tokens_with_its_jwks_or_a_pasted_set() {
    for alg in ["RS256", "ES256"] {
        let h = harness_with(&["--signing-alg", alg]).await;
        let token = h.service_token().await;
        let jwks = h.get("/.well-known/jwks.json", None).await.text();
        let mut b = Browser::new(&h);
        for key in ["", jwks.as_str()] {
            let r = b
                .call_form("/api/tools/inspect", &[("token", &token), ("key", key)])
                .await;
            assert_eq!(r.status, 200, "{}", r.text());
            let i = r.json();
            assert_eq!(
                i["signature_valid"], true,
                "{alg} {key:?}: {}",
                i["signature_note"]
            );
            assert_eq!(i["alg"], alg);
        }
        // A set that is not the server's does not verify the server's token.
        let r = b
            .call_form(
                "/api/tools/inspect",
                &[("token", &token), ("key", r#"{"keys":[]}"#)],
            )
            .await;
        assert_eq!(r.json()["signature_valid"], false);
        let r = b
            .call_form("/api/tools/inspect", &[("token", " "), ("key", "")])
            .await;
        assert_eq!(r.status, 400, "{}", r.text());
    }
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}
