//! Signing keys a seed file carries, so that a CI run publishes the same JWKS every time: each a
//! private JWK (RFC 7517 §4, RFC 7518 §6.2.2 for EC and §6.3.2 for RSA) with its `kid` and
//! `alg`, turned into the PKCS#8 document the key ring stores.
//!
//! RSA keys come as `n`, `e`, `d`, `p`, `q`, `dp`, `dq`, `qi` and are signed with RS256; EC keys
//! are P-256 (`crv`, `x`, `y`, `d`) and signed with ES256: the algorithms this server signs with.
//! A key whose parts do not agree (a public half that is not the private key's) is refused.

use super::keys::SigningAlg;
use aws_lc_rs::encoding::AsDer;
use base64::Engine;
use serde_json::Value;

/// A seeded key, ready for the key ring.
#[derive(Clone)]
pub struct SeedKey {
    pub kid: String,
    pub alg: SigningAlg,
    /// The private key as PKCS#8 v1 DER.
    pub pkcs8: Vec<u8>,
}

impl std::fmt::Debug for SeedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeedKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// The JWK member `name`, base64url-decoded (RFC 7518 §6: no padding).
fn part(jwk: &Value, name: &str) -> Result<Vec<u8>, String> {
    let text = jwk
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{name}: is required for a private key"))?;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|_| format!("{name}: is not base64url"))
}

fn text<'a>(jwk: &'a Value, name: &str) -> Result<&'a str, String> {
    jwk.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{name}: is required"))
}

/// Reads one private JWK of a seed file.
pub fn from_private_jwk(jwk: &Value) -> Result<SeedKey, String> {
    let kid = text(jwk, "kid")?;
    if kid.is_empty() || kid.len() > 200 {
        return Err("kid: must be 1 to 200 characters".into());
    }
    let alg = text(jwk, "alg")?;
    let kty = text(jwk, "kty")?;
    let (alg, pkcs8) = match (kty, alg) {
        ("RSA", "RS256") => (SigningAlg::Rs256, rsa_pkcs8(jwk)?),
        ("EC", "ES256") => (SigningAlg::Es256, ec_pkcs8(jwk)?),
        ("RSA" | "EC", other) => {
            return Err(format!(
                "alg: {other:?} is not one this server signs with for kty {kty} (RS256 for RSA, ES256 for EC)"
            ));
        }
        (other, _) => return Err(format!("kty: {other:?} is not RSA or EC")),
    };
    Ok(SeedKey {
        kid: kid.to_owned(),
        alg,
        pkcs8,
    })
}

/// RFC 8017 `RSAPrivateKey` from the JWK's parts, then PKCS#8.
fn rsa_pkcs8(jwk: &Value) -> Result<Vec<u8>, String> {
    use pkcs1::der::Encode;
    let names = ["n", "e", "d", "p", "q", "dp", "dq", "qi"];
    let parts = names
        .iter()
        .map(|n| part(jwk, n))
        .collect::<Result<Vec<_>, _>>()?;
    let uint = |i: usize| pkcs1::UintRef::new(&parts[i]).map_err(|e| format!("{}: {e}", names[i]));
    let key = pkcs1::RsaPrivateKey {
        modulus: uint(0)?,
        public_exponent: uint(1)?,
        private_exponent: uint(2)?,
        prime1: uint(3)?,
        prime2: uint(4)?,
        exponent1: uint(5)?,
        exponent2: uint(6)?,
        coefficient: uint(7)?,
        other_prime_infos: None,
    };
    let der = key.to_der().map_err(|e| format!("the RSA key: {e}"))?;
    let pair = aws_lc_rs::rsa::KeyPair::from_der(&der)
        .map_err(|e| format!("the RSA key is not valid: {e}"))?;
    if pair.public_modulus_len() < 256 {
        return Err("n: an RSA key must have at least 2048 bits".into());
    }
    let pkcs8: aws_lc_rs::encoding::Pkcs8V1Der = pair
        .as_der()
        .map_err(|_| "the RSA key could not be encoded".to_owned())?;
    Ok(pkcs8.as_ref().to_vec())
}

/// A P-256 key from `d` and the point (`x`, `y`), checked to agree, then PKCS#8.
fn ec_pkcs8(jwk: &Value) -> Result<Vec<u8>, String> {
    let crv = text(jwk, "crv")?;
    if crv != "P-256" {
        return Err(format!("crv: {crv:?} is not P-256, which ES256 uses"));
    }
    let (x, y, d) = (part(jwk, "x")?, part(jwk, "y")?, part(jwk, "d")?);
    if x.len() != 32 || y.len() != 32 || d.len() != 32 {
        return Err("x, y and d: must be 32 bytes each for P-256".into());
    }
    // SEC 1 §2.3.3: the uncompressed point, 0x04 || x || y.
    let mut point = vec![4u8];
    point.extend_from_slice(&x);
    point.extend_from_slice(&y);
    let pair = aws_lc_rs::signature::EcdsaKeyPair::from_private_key_and_public_key(
        &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        &d,
        &point,
    )
    .map_err(|e| format!("the EC key's d, x and y do not make one key: {e}"))?;
    let pkcs8 = pair
        .to_pkcs8v1()
        .map_err(|_| "the EC key could not be encoded".to_owned())?;
    Ok(pkcs8.as_ref().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    #[test]
    fn refusals_name_the_member() {
        let e = from_private_jwk(&json!({"kty": "oct", "kid": "k", "alg": "HS256"})).unwrap_err();
        assert!(e.starts_with("kty:"), "{e}");
        let e = from_private_jwk(&json!({"kty": "RSA", "kid": "k", "alg": "RS512"})).unwrap_err();
        assert!(e.starts_with("alg:"), "{e}");
        let e = from_private_jwk(&json!({"kty": "RSA", "alg": "RS256"})).unwrap_err();
        assert!(e.starts_with("kid:"), "{e}");
        let e = from_private_jwk(&json!({"kty": "RSA", "kid": "k", "alg": "RS256", "n": "AQAB"}))
            .unwrap_err();
        assert!(e.starts_with("e:"), "{e}");
        let e = from_private_jwk(&json!({
            "kty": "EC", "kid": "k", "alg": "ES256", "crv": "P-384",
        }))
        .unwrap_err();
        assert!(e.starts_with("crv:"), "{e}");
    }

    #[test]
    fn an_ec_key_whose_point_is_not_its_own_is_refused() {
        let e = from_private_jwk(&json!({
            "kty": "EC", "kid": "k", "alg": "ES256", "crv": "P-256",
            "x": b64(&[1; 32]), "y": b64(&[2; 32]), "d": b64(&[3; 32]),
        }))
        .unwrap_err();
        assert!(e.contains("do not make one key"), "{e}");
    }
}
