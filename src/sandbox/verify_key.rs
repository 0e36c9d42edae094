//! The token inspector's signature check with a key the person pasted: a JWK Set, one JWK, a
//! PEM public key, or an HMAC secret. The token's own header says which algorithm it claims;
//! the key must agree, and the combinations that are attacks are refused with the reason
//! (RFC 8725, JSON Web Token Best Current Practices).

use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, JwkSet};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, Validation};
use std::str::FromStr;

/// Whether `token` (whose header names `alg` and `kid`) verifies with `key`, and why, in words
/// that name the key and the algorithm used.
pub fn verify(token: &str, alg: Option<&str>, kid: Option<&str>, key: &str) -> (bool, String) {
    match check(token, alg, kid, key.trim()) {
        Ok(used) => (true, format!("Verified: {used}.")),
        Err(reason) => (false, reason),
    }
}

fn check(token: &str, alg: Option<&str>, kid: Option<&str>, key: &str) -> Result<String, String> {
    let alg = alg.ok_or("Refused: the header names no alg.")?;
    // RFC 8725 §3.1: "libraries MUST enable the caller to specify a supported set of
    // algorithms and MUST NOT use any other algorithms". `none` is no signature at all.
    if alg.eq_ignore_ascii_case("none") {
        return Err(
            "Refused: alg none means the token is not signed at all, and anyone could have written it (RFC 8725 section 3.1)."
                .into(),
        );
    }
    let algorithm = Algorithm::from_str(alg)
        .map_err(|_| format!("Refused: {alg} is not an algorithm this inspector verifies."))?;
    let hmac = algorithm.family() == AlgorithmFamily::Hmac;
    let (decoding, used) = if key.starts_with('{') {
        let jwk = pick_jwk(key, kid)?;
        let name = jwk.common.key_id.clone().map_or_else(
            || "the JWK".to_owned(),
            |k| format!("the JWK with kid {k:?}"),
        );
        let oct = matches!(jwk.algorithm, AlgorithmParameters::OctetKey(_));
        if hmac && !oct {
            return Err(confusion(alg));
        }
        if !hmac && oct {
            return Err(format!(
                "Refused: a {alg} token needs a public key, and this JWK is a shared secret."
            ));
        }
        if let Some(key_alg) = jwk.common.key_algorithm
            && key_alg.to_string() != alg
        {
            return Err(format!(
                "Refused: {name} is for {key_alg}, and the token says {alg}."
            ));
        }
        let decoding = DecodingKey::from_jwk(&jwk)
            .map_err(|e| format!("The JWK cannot be used as a key: {e}."))?;
        (decoding, name)
    } else if key.starts_with("-----BEGIN") {
        if hmac {
            return Err(confusion(alg));
        }
        let pem = key.as_bytes();
        let decoding = match algorithm.family() {
            AlgorithmFamily::Rsa => DecodingKey::from_rsa_pem(pem),
            AlgorithmFamily::Ec => DecodingKey::from_ec_pem(pem),
            _ => DecodingKey::from_ed_pem(pem),
        }
        .map_err(|e| format!("The PEM is not a {alg} public key: {e}."))?;
        (decoding, "the PEM public key".to_owned())
    } else {
        if !hmac {
            return Err(format!(
                "Refused: a {alg} token is verified with a public key (a PEM, a JWK or a JWK Set), not a secret."
            ));
        }
        (
            DecodingKey::from_secret(key.as_bytes()),
            "the shared secret".to_owned(),
        )
    };
    let mut validation = Validation::new(algorithm);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<serde_json::Value>(token, &decoding, &validation)
        .map(|_| format!("{used}, {alg}"))
        .map_err(|e| format!("The signature does not verify with {used} ({alg}): {e}."))
}

/// RFC 8725 §2.1: an HMAC token checked with a public key as its "secret" lets anyone who
/// knows the public key forge tokens.
fn confusion(alg: &str) -> String {
    format!(
        "Refused: a {alg} token checked with a public key as its secret is the algorithm-confusion attack: anyone who knows the public key could have signed it (RFC 8725 section 2.1)."
    )
}

/// The JWK to use: the one given, or the one of a JWK Set whose `kid` the token names.
fn pick_jwk(text: &str, kid: Option<&str>) -> Result<Jwk, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("The key is not JSON: {e}."))?;
    if value.get("keys").is_none() {
        return serde_json::from_value(value).map_err(|e| format!("The JWK is not valid: {e}."));
    }
    let set: JwkSet =
        serde_json::from_value(value).map_err(|e| format!("The JWK Set is not valid: {e}."))?;
    match kid {
        Some(kid) => set
            .find(kid)
            .cloned()
            .ok_or_else(|| format!("Refused: no key in the set has the token's kid {kid:?}.")),
        None if set.keys.len() == 1 => Ok(set.keys[0].clone()),
        None => Err(format!(
            "Refused: the token names no kid, and the set holds {} keys.",
            set.keys.len()
        )),
    }
}
