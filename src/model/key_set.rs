//! Public key sets and URLs as the resources accept them: a trusted issuer's keys and a
//! `private_key_jwt` client's keys (RFC 7517 §5, RFC 7591 §2 `jwks`).

use super::{FieldError, validate_text};
use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use serde_json::Value;

/// Checks that `value` is an absolute http or https URL.
pub fn absolute_url(field: &str, value: &str) -> Result<(), FieldError> {
    validate_text(field, value, true)?;
    match url::Url::parse(value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(()),
        _ => Err(FieldError::new(
            field,
            format!("{value:?} is not an absolute http or https URL"),
        )),
    }
}

/// The private members of RSA (RFC 7518 §6.3.2) and EC (§6.2.2) keys.
const PRIVATE_MEMBERS: [&str; 6] = ["d", "p", "q", "dp", "dq", "qi"];

/// Reads `value` as a JWK Set of public keys: at least one key, each usable to verify, none
/// symmetric and none carrying a private part.
pub fn public_key_set(field: &str, value: Value) -> Result<JwkSet, FieldError> {
    if let Some(keys) = value.get("keys").and_then(Value::as_array) {
        for (i, key) in keys.iter().enumerate() {
            if PRIVATE_MEMBERS.iter().any(|m| key.get(m).is_some()) {
                return Err(FieldError::new(
                    format!("{field}.keys[{i}]"),
                    "holds a private key; publish only the public part",
                ));
            }
        }
    }
    let set: JwkSet = serde_json::from_value(value).map_err(|e| {
        FieldError::new(field, format!("is not a JWK Set (RFC 7517 section 5): {e}"))
    })?;
    if set.keys.is_empty() {
        return Err(FieldError::new(field, "holds no keys"));
    }
    for (i, k) in set.keys.iter().enumerate() {
        if matches!(k.algorithm, AlgorithmParameters::OctetKey(_)) {
            return Err(FieldError::new(
                format!("{field}.keys[{i}]"),
                "is a symmetric key; an HMAC secret goes in secret, never in a key set",
            ));
        }
        DecodingKey::from_jwk(k).map_err(|e| {
            FieldError::new(
                format!("{field}.keys[{i}]"),
                format!("is not a usable public key: {e}"),
            )
        })?;
    }
    Ok(set)
}
