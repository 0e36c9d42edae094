//! Tokens of trusted outside issuers, as the demo API verifies them.
//!
//! A Bearer JWT whose `iss` is not this server's is looked up among the trusted issuers. Each
//! trust of that `iss` then checks, in order: the algorithm (never `none`, and only one the
//! trust allows), a key of that algorithm's own family (an HMAC algorithm only with the
//! trust's secret, never with a public key's bytes), the signature, `exp` and `nbf` against
//! the server's clock with the trust's skew, and `aud` against its audiences. The first check
//! that fails is the reason the API gives. The claims the trust maps then name the user, the
//! client and the scopes the access policies see.

pub mod introspection;
pub mod jwks;
pub mod test_issuer;

use crate::checks::{check, record};
use crate::model::trusted_issuer::{TrustedIssuer, pem_key};
use crate::state::AppState;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, KeyAlgorithm};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, Validation};
use serde_json::{Map, Value};

/// A verified outside token, as the policies see it.
#[derive(Clone, Debug)]
pub struct Outside {
    pub issuer: String,
    pub username: Option<String>,
    pub client_id: String,
    pub scopes: Vec<String>,
    /// The owners of the trusts that verified it.
    pub trusted_by: Vec<Option<String>>,
}

/// What the trusted issuers say about a Bearer token.
#[derive(Debug)]
pub enum Verdict {
    /// Not a JWT of an outside issuer: this server's own, or opaque.
    NotOutside,
    Verified(Outside),
    /// An outside JWT that no trust accepts, and why.
    Refused(String),
}

/// The JSON of one base64url segment of a compact JWS.
pub(crate) fn segment(part: &str) -> Option<Map<String, Value>> {
    let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
    serde_json::from_slice(&bytes).ok()
}

const RFC_JWT: &str = "RFC 7519 §7.2";

/// Verifies `token` against the trusted issuers.
pub async fn verify(state: &AppState, token: &str) -> Verdict {
    let parts: Vec<&str> = token.split('.').collect();
    let [header_part, payload_part, _] = parts[..] else {
        return Verdict::NotOutside;
    };
    let (Some(header), Some(payload)) = (segment(header_part), segment(payload_part)) else {
        return Verdict::NotOutside;
    };
    let Some(iss) = payload.get("iss").and_then(Value::as_str) else {
        return Verdict::NotOutside;
    };
    if iss == state.issuer {
        return Verdict::NotOutside;
    }
    let trusts = match state.cache.trusts().await {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "reading trusted issuers");
            return Verdict::Refused("the trusted issuers could not be read".into());
        }
    };
    let of_iss: Vec<&TrustedIssuer> = trusts.iter().filter(|t| t.issuer == iss).collect();
    if !check(
        "the token's iss is this server or a trusted issuer",
        RFC_JWT,
        !of_iss.is_empty(),
    ) {
        return Verdict::Refused(format!(
            "the token's issuer {iss:?} is neither this server nor a trusted issuer"
        ));
    }
    // RFC 7518 §3.6 / RFC 8725 §3.1: an unsecured JWS must never be accepted where a signed one
    // is expected.
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !check(
        "the token is signed (alg is not none)",
        "RFC 8725 §3.1",
        !alg.eq_ignore_ascii_case("none") && !alg.is_empty(),
    ) {
        return Verdict::Refused(
            "alg none is never accepted: an unsigned token proves nothing".into(),
        );
    }
    let Ok(alg) = alg.parse::<Algorithm>() else {
        record("the token's alg is one this server knows", RFC_JWT, false);
        return Verdict::Refused(format!("alg {alg:?} is not an algorithm this server knows"));
    };
    let kid = header.get("kid").and_then(Value::as_str);
    let mut verified: Option<(Map<String, Value>, &TrustedIssuer)> = None;
    let mut trusted_by = Vec::new();
    let mut first_reason = None;
    for trust in &of_iss {
        match verify_with(state, trust, token, alg, kid).await {
            Ok(claims) => {
                trusted_by.push(trust.owner.clone());
                verified.get_or_insert((claims, trust));
            }
            Err(reason) => {
                first_reason.get_or_insert(reason);
            }
        }
    }
    let Some((claims, trust)) = verified else {
        let reason = first_reason.unwrap_or_else(|| "no trust accepted the token".into());
        return Verdict::Refused(reason);
    };
    let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_owned);
    let client_id = match &trust.client_claim {
        Some(c) => text(c),
        None => text("azp").or_else(|| text("client_id")),
    }
    .unwrap_or_default();
    Verdict::Verified(Outside {
        issuer: iss.to_owned(),
        username: text(&trust.user_claim),
        client_id,
        scopes: scopes_of(&claims, trust.scope_claim.as_deref()),
        trusted_by,
    })
}

/// The scopes a token carries: a space-separated string (`scope`, RFC 8693 §4.2) or an array
/// (`scp`), in the claim the trust names or in either.
pub(crate) fn scopes_of(claims: &Map<String, Value>, named: Option<&str>) -> Vec<String> {
    let read = |v: &Value| -> Vec<String> {
        match v {
            Value::String(s) => s
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            Value::Array(items) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => vec![],
        }
    };
    match named {
        Some(name) => claims.get(name).map(read).unwrap_or_default(),
        None => claims
            .get("scope")
            .or_else(|| claims.get("scp"))
            .map(read)
            .unwrap_or_default(),
    }
}

/// The claims of `token` when its signature verifies with one of `keys` under `alg`. Times and
/// audience are not checked here: each caller checks them against the server's clock, with
/// reasons of its own.
pub(crate) fn signed_claims(
    token: &str,
    alg: Algorithm,
    keys: &[DecodingKey],
) -> Option<Map<String, Value>> {
    let mut validation = Validation::new(alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    keys.iter().find_map(|key| {
        jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation)
            .ok()
            .map(|d| d.claims)
    })
}

/// The `aud` of `claims` (RFC 7519 §4.1.3: a string or an array of strings).
pub(crate) fn audiences(claims: &Map<String, Value>) -> Vec<&str> {
    match claims.get("aud") {
        Some(Value::String(a)) => vec![a.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

/// True when `jwk` is a key of `alg`'s family (and, when it names one, for `alg` itself).
pub(crate) fn fits(jwk: &Jwk, alg: Algorithm) -> bool {
    let family = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => AlgorithmFamily::Rsa,
        AlgorithmParameters::EllipticCurve(_) => AlgorithmFamily::Ec,
        AlgorithmParameters::OctetKeyPair(_) => AlgorithmFamily::Ed,
        _ => return false,
    };
    alg.family() == family
        && jwk
            .common
            .key_algorithm
            .is_none_or(|k| k == KeyAlgorithm::from(alg))
}

/// The keys of `trust` that may verify a token of `alg` naming `kid`.
async fn candidates(
    state: &AppState,
    trust: &TrustedIssuer,
    alg: Algorithm,
    kid: Option<&str>,
) -> Result<Vec<DecodingKey>, String> {
    if alg.family() == AlgorithmFamily::Hmac {
        // RFC 8725 §3.1: the key type must match the algorithm. A public key's bytes are
        // public; used as an HMAC secret they would let anyone sign.
        let secret = trust.secret.as_deref();
        if !check(
            "an HMAC algorithm is verified with the trust's secret, never with a public key",
            "RFC 8725 §3.1",
            secret.is_some(),
        ) {
            return Err(format!(
                "alg {alg:?} needs the trust's HMAC secret and it has none; a public key is never used as an HMAC secret"
            ));
        }
        return Ok(secret
            .map(|s| DecodingKey::from_secret(s.as_bytes()))
            .into_iter()
            .collect());
    }
    let mut set: Vec<Jwk> = trust.jwks.iter().flat_map(|s| s.keys.clone()).collect();
    let has = |set: &[Jwk], k: &str| set.iter().any(|j| j.common.key_id.as_deref() == Some(k));
    let fetch_error = match &trust.jwks_uri {
        Some(url) if kid.is_none_or(|k| !has(&set, k)) => {
            match state
                .trust_keys
                .keys(state, url, trust.cache_ttl_seconds, kid)
                .await
            {
                Ok(fetched) => {
                    set.extend(fetched.set.keys.iter().cloned());
                    None
                }
                Err(e) => Some(e),
            }
        }
        _ => None,
    };
    let pem = trust.pem.as_deref().and_then(pem_key);
    let named: Vec<&Jwk> = match kid {
        Some(k) => set
            .iter()
            .filter(|j| j.common.key_id.as_deref() == Some(k))
            .collect(),
        None => set.iter().collect(),
    };
    // A token naming a kid is verified with that key of the set; a PEM key has no id, so it
    // stands in when the set holds no key of that name.
    if let Some(k) = kid
        && !check(
            "the token's kid is in the issuer's key set",
            "RFC 7515 §4.1.4",
            !named.is_empty() || pem.is_some(),
        )
    {
        return Err(match (fetch_error, &trust.jwks_uri) {
            (Some(e), _) => e,
            (None, Some(_)) => format!(
                "kid {k:?} is not in the issuer's key set, fetched again to be sure (at most once every {} s)",
                jwks::REFETCH_EVERY
            ),
            (None, None) => format!("kid {k:?} is not in the trust's key set"),
        });
    }
    let mut keys: Vec<DecodingKey> = named
        .into_iter()
        .filter(|j| fits(j, alg))
        .filter_map(|j| DecodingKey::from_jwk(j).ok())
        .collect();
    if let Some(pem) = pem
        && pem.family() == alg.family()
    {
        keys.push(pem);
    }
    if keys.is_empty() {
        return Err(
            fetch_error.unwrap_or_else(|| format!("the issuer's keys hold none for alg {alg:?}"))
        );
    }
    Ok(keys)
}

/// Verifies `token` with one trust: the algorithm, the key, the signature, the times and the
/// audience. Returns the claims, or the reason it was refused.
async fn verify_with(
    state: &AppState,
    trust: &TrustedIssuer,
    token: &str,
    alg: Algorithm,
    kid: Option<&str>,
) -> Result<Map<String, Value>, String> {
    let allowed = trust.allowed();
    if !check(
        "the token's alg is one the trust allows",
        "RFC 8725 §3.1",
        allowed.contains(&alg),
    ) {
        return Err(format!(
            "alg {alg:?} is not one this trust allows ({})",
            trust.algorithms.join(", ")
        ));
    }
    let keys = candidates(state, trust, alg, kid).await?;
    let Some(claims) = signed_claims(token, alg, &keys) else {
        record(
            "the signature verifies with the issuer's key",
            "RFC 7515 §5.2",
            false,
        );
        return Err("the signature does not verify with the issuer's key".into());
    };
    record(
        "the signature verifies with the issuer's key",
        "RFC 7515 §5.2",
        true,
    );
    let now = state.clock.now();
    let skew = trust.clock_skew_seconds;
    // RFC 7519 §4.1.4: "The processing of the "exp" claim requires that the current date/time
    // MUST be before the expiration date/time listed in the "exp" claim." A token without it
    // would never end, so it is refused.
    let exp = claims.get("exp").and_then(Value::as_i64);
    let live = exp.is_some_and(|exp| now < exp + skew);
    if !check(
        "the token has not expired (exp, with the trust's skew)",
        "RFC 7519 §4.1.4",
        live,
    ) {
        return Err(match exp {
            Some(exp) => format!(
                "the token expired {} s ago (exp {exp}; {skew} s of clock skew allowed)",
                now - exp
            ),
            None => "the token has no exp claim; a token that never ends is refused".into(),
        });
    }
    // §4.1.5: "the current date/time MUST be after or equal to the not-before date/time".
    if let Some(nbf) = claims.get("nbf").and_then(Value::as_i64)
        && !check(
            "the token is already valid (nbf, with the trust's skew)",
            "RFC 7519 §4.1.5",
            now + skew >= nbf,
        )
    {
        return Err(format!(
            "the token is not valid for another {} s (nbf {nbf}; {skew} s of clock skew allowed)",
            nbf - now
        ));
    }
    // §4.1.3: "If the principal processing the claim does not identify itself with a value in
    // the "aud" claim when this claim is present, then the JWT MUST be rejected."
    let auds = audiences(&claims);
    if !check(
        "the token's aud is an audience the trust accepts",
        "RFC 7519 §4.1.3",
        auds.iter().any(|a| trust.audiences.iter().any(|t| t == a)),
    ) {
        return Err(match auds.is_empty() {
            true => "the token has no aud claim; this API accepts only tokens meant for it".into(),
            false => format!(
                "the token's aud {auds:?} is not an audience this API accepts from its issuer"
            ),
        });
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scopes_come_from_a_string_or_an_array() {
        let claims = |v: Value| v.as_object().cloned().unwrap();
        assert_eq!(
            scopes_of(&claims(json!({"scope": "a b"})), None),
            ["a", "b"]
        );
        assert_eq!(
            scopes_of(&claims(json!({"scp": ["a", "b"]})), None),
            ["a", "b"]
        );
        assert_eq!(
            scopes_of(&claims(json!({"roles": ["r"]})), Some("roles")),
            ["r"]
        );
        assert!(scopes_of(&claims(json!({"scope": 3})), None).is_empty());
    }
}
