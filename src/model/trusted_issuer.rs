//! The TrustedIssuer resource: an outside identity provider whose JWTs the demo API accepts.
//!
//! A trust names the exact `iss`, the audiences accepted, where the keys come from (a JWKS URL,
//! an inline JWK Set, a PEM public key or an HMAC secret), the algorithms allowed, the clock
//! skew, how long a fetched key set is kept, and which claims name the user, the client and the
//! scopes. The HMAC secret is write-only. An algorithm is only ever verified with a key of its
//! own family: an HMAC algorithm with the secret, never with a public key's bytes.

use super::key_set::{absolute_url, public_key_set};
use super::{FieldError, check_same_id, validate_id, validate_text};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::{Deserialize, Serialize};

/// The algorithms a trust may allow. `none` is never one of them.
pub const ALGORITHMS: [&str; 12] = [
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA", "HS256",
    "HS384", "HS512",
];

/// The default clock skew, in seconds.
pub const DEFAULT_SKEW: i64 = 60;
/// The default lifetime of a fetched JWKS, in seconds.
pub const DEFAULT_CACHE_TTL: i64 = 300;

/// A stored trusted issuer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrustedIssuer {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub issuer: String,
    pub audiences: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks: Option<JwkSet>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pem: Option<String>,
    /// The HMAC secret: never serialized.
    #[serde(skip)]
    pub secret: Option<String>,
    pub algorithms: Vec<String>,
    pub clock_skew_seconds: i64,
    pub cache_ttl_seconds: i64,
    pub user_claim: String,
    /// The claim naming the client; absent means `azp`, then `client_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_claim: Option<String>,
    /// The claim holding the scopes; absent means `scope` (a string), then `scp` (an array).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope_claim: Option<String>,
    /// RFC 7662: where the issuer's opaque tokens are introspected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_client_id: Option<String>,
    /// Never serialized.
    #[serde(skip)]
    pub introspection_client_secret: Option<String>,
    /// How long an introspection answer is kept, in seconds.
    pub introspection_cache_seconds: i64,
    #[serde(default)]
    pub owner: Option<String>,
}

/// What the admin API answers: the stored trust, with whether a secret is set.
#[derive(Clone, Debug, Serialize)]
pub struct TrustedIssuerView {
    #[serde(flatten)]
    pub trust: TrustedIssuer,
    /// True when an HMAC secret is set (the secret itself is never returned).
    pub has_secret: bool,
    /// True when an introspection client secret is set.
    pub has_introspection_secret: bool,
}

impl TrustedIssuer {
    /// The answer of the admin API.
    pub fn view(&self) -> TrustedIssuerView {
        TrustedIssuerView {
            trust: self.clone(),
            has_secret: self.secret.is_some(),
            has_introspection_secret: self.introspection_client_secret.is_some(),
        }
    }

    /// The allowed algorithms, parsed.
    pub fn allowed(&self) -> Vec<Algorithm> {
        self.algorithms
            .iter()
            .filter_map(|a| a.parse().ok())
            .collect()
    }
}

/// A trust as the admin API and the seed file accept it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedIssuerInput {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub issuer: String,
    pub audiences: Vec<String>,
    #[serde(default)]
    pub jwks_uri: Option<String>,
    #[serde(default)]
    pub jwks: Option<serde_json::Value>,
    #[serde(default)]
    pub pem: Option<String>,
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub algorithms: Option<Vec<String>>,
    #[serde(default)]
    pub clock_skew_seconds: Option<i64>,
    #[serde(default)]
    pub cache_ttl_seconds: Option<i64>,
    #[serde(default)]
    pub user_claim: Option<String>,
    #[serde(default)]
    pub client_claim: Option<String>,
    #[serde(default)]
    pub scope_claim: Option<String>,
    #[serde(default)]
    pub introspection_endpoint: Option<String>,
    #[serde(default)]
    pub introspection_client_id: Option<String>,
    #[serde(default)]
    pub introspection_client_secret: Option<String>,
    #[serde(default)]
    pub introspection_cache_seconds: Option<i64>,
    #[serde(default, rename = "has_secret")]
    _has_secret: Option<serde::de::IgnoredAny>,
    #[serde(default, rename = "has_introspection_secret")]
    _has_introspection_secret: Option<serde::de::IgnoredAny>,
    #[serde(default, rename = "owner")]
    _owner: Option<serde::de::IgnoredAny>,
}

/// The secrets a replaced trust keeps when the input sends none.
#[derive(Clone, Debug, Default)]
pub struct Kept {
    pub secret: Option<String>,
    pub introspection_client_secret: Option<String>,
}

/// The smallest HMAC key for an algorithm: RFC 7518 §3.2, "A key of the same size as the hash
/// output (for instance, 256 bits for "HS256") or larger MUST be used with this algorithm."
fn hmac_minimum(alg: Algorithm) -> Option<usize> {
    match alg {
        Algorithm::HS256 => Some(32),
        Algorithm::HS384 => Some(48),
        Algorithm::HS512 => Some(64),
        _ => None,
    }
}

/// Reads a PEM public key of any family this server verifies.
pub fn pem_key(pem: &str) -> Option<DecodingKey> {
    let bytes = pem.as_bytes();
    DecodingKey::from_rsa_pem(bytes)
        .or_else(|_| DecodingKey::from_ec_pem(bytes))
        .or_else(|_| DecodingKey::from_ed_pem(bytes))
        .ok()
}

fn claim_name(field: &str, value: Option<String>) -> Result<Option<String>, FieldError> {
    match value {
        Some(v) => {
            validate_text(field, &v, true)?;
            if v.len() > 128 || v.contains(char::is_whitespace) {
                return Err(FieldError::new(
                    field,
                    "must be one claim name: at most 128 characters, no spaces",
                ));
            }
            Ok(Some(v))
        }
        None => Ok(None),
    }
}

impl TrustedIssuerInput {
    /// Validates the input for the trust at `path_id`, on a server whose own issuer is
    /// `own_issuer`. `kept` holds the secrets of the trust being replaced, kept when the input
    /// sends none.
    pub fn validate(
        self,
        path_id: &str,
        own_issuer: &str,
        kept: Kept,
    ) -> Result<TrustedIssuer, FieldError> {
        check_same_id("id", path_id, self.id.as_deref())?;
        validate_id("id", path_id)?;
        if let Some(d) = &self.description {
            validate_text("description", d, false)?;
        }
        validate_text("issuer", &self.issuer, true)?;
        if self.issuer.contains(char::is_whitespace) {
            return Err(FieldError::new("issuer", "must not contain spaces"));
        }
        if self.issuer.trim_end_matches('/') == own_issuer.trim_end_matches('/') {
            return Err(FieldError::new(
                "issuer",
                "is this server's own issuer, whose tokens the API verifies without a trust",
            ));
        }
        if self.audiences.is_empty() {
            return Err(FieldError::new(
                "audiences",
                "must name at least one audience: without one, a token meant for any other API would be accepted here",
            ));
        }
        for (i, a) in self.audiences.iter().enumerate() {
            validate_text(&format!("audiences[{i}]"), a, true)?;
        }
        if let Some(u) = &self.jwks_uri {
            absolute_url("jwks_uri", u)?;
        }
        let jwks = self
            .jwks
            .map(|value| public_key_set("jwks", value))
            .transpose()?;
        if let Some(p) = &self.pem {
            validate_text("pem", p, true)?;
            if pem_key(p).is_none() {
                return Err(FieldError::new(
                    "pem",
                    "is not a PEM public key (RSA, EC or Ed25519, -----BEGIN PUBLIC KEY-----)",
                ));
            }
        }
        let secret = match self.secret {
            Some(s) => {
                validate_text("secret", &s, true)?;
                Some(s)
            }
            None => kept.secret,
        };
        let introspection = self.introspection_endpoint.is_some();
        if let Some(u) = &self.introspection_endpoint {
            absolute_url("introspection_endpoint", u)?;
        }
        let introspection_client_secret = self
            .introspection_client_secret
            .or(kept.introspection_client_secret);
        if introspection
            && (self.introspection_client_id.is_none() || introspection_client_secret.is_none())
        {
            return Err(FieldError::new(
                "introspection_client_id",
                "introspection needs this server's client_id and client_secret at the issuer (RFC 7662 section 2.1)",
            ));
        }
        if let Some(id) = &self.introspection_client_id {
            validate_text("introspection_client_id", id, true)?;
        }
        let introspection_cache_seconds = self.introspection_cache_seconds.unwrap_or(60);
        if !(0..=3600).contains(&introspection_cache_seconds) {
            return Err(FieldError::new(
                "introspection_cache_seconds",
                "must be between 0 and 3600",
            ));
        }
        let public = self.jwks_uri.is_some() || jwks.is_some() || self.pem.is_some();
        if !public && secret.is_none() && !introspection {
            return Err(FieldError::new(
                "jwks_uri",
                "a trust needs keys (a jwks_uri, an inline jwks, a pem public key or an HMAC secret) or an introspection_endpoint",
            ));
        }
        let algorithms = match self.algorithms {
            Some(list) => list,
            None if public => vec!["RS256".into(), "ES256".into()],
            None if secret.is_some() => vec!["HS256".into()],
            None => vec![],
        };
        if algorithms.is_empty() && (public || secret.is_some()) {
            return Err(FieldError::new(
                "algorithms",
                "must allow at least one algorithm",
            ));
        }
        for (i, a) in algorithms.iter().enumerate() {
            let field = format!("algorithms[{i}]");
            if a.eq_ignore_ascii_case("none") {
                return Err(FieldError::new(
                    field,
                    "\"none\" is never accepted: an unsigned token proves nothing",
                ));
            }
            if !ALGORITHMS.contains(&a.as_str()) {
                return Err(FieldError::new(
                    field,
                    format!("{a:?} is not one of {}", ALGORITHMS.join(", ")),
                ));
            }
            let alg: Algorithm = a
                .parse()
                .map_err(|_| FieldError::new(field.clone(), format!("{a:?} is not known")))?;
            match hmac_minimum(alg) {
                Some(min) => match &secret {
                    None => {
                        return Err(FieldError::new(
                            field,
                            format!("{a} needs an HMAC secret; a public key never doubles as one"),
                        ));
                    }
                    Some(s) if s.len() < min => {
                        return Err(FieldError::new(
                            "secret",
                            format!(
                                "is {} bytes; {a} needs at least {min} (RFC 7518 section 3.2)",
                                s.len()
                            ),
                        ));
                    }
                    Some(_) => {}
                },
                None if !public => {
                    return Err(FieldError::new(
                        field,
                        format!("{a} needs a public key: a jwks_uri, a jwks or a pem"),
                    ));
                }
                None => {}
            }
        }
        let clock_skew_seconds = self.clock_skew_seconds.unwrap_or(DEFAULT_SKEW);
        if !(0..=600).contains(&clock_skew_seconds) {
            return Err(FieldError::new(
                "clock_skew_seconds",
                "must be between 0 and 600",
            ));
        }
        let cache_ttl_seconds = self.cache_ttl_seconds.unwrap_or(DEFAULT_CACHE_TTL);
        if !(10..=86_400).contains(&cache_ttl_seconds) {
            return Err(FieldError::new(
                "cache_ttl_seconds",
                "must be between 10 and 86400",
            ));
        }
        let user_claim = claim_name("user_claim", self.user_claim)?.unwrap_or_else(|| "sub".into());
        Ok(TrustedIssuer {
            id: path_id.to_owned(),
            description: self.description,
            issuer: self.issuer,
            audiences: self.audiences,
            jwks_uri: self.jwks_uri,
            jwks,
            pem: self.pem,
            secret,
            algorithms,
            clock_skew_seconds,
            cache_ttl_seconds,
            user_claim,
            client_claim: claim_name("client_claim", self.client_claim)?,
            scope_claim: claim_name("scope_claim", self.scope_claim)?,
            introspection_endpoint: self.introspection_endpoint,
            introspection_client_id: self.introspection_client_id,
            introspection_client_secret,
            introspection_cache_seconds,
            owner: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(v: serde_json::Value) -> TrustedIssuerInput {
        serde_json::from_value(v).unwrap()
    }

    fn refused(v: serde_json::Value) -> FieldError {
        input(v)
            .validate("t", "http://own.test", Kept::default())
            .unwrap_err()
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn defaults_follow_the_keys() {
        let t = input(json!({"issuer": "https://idp.test", "audiences": ["api"], "jwks_uri": "https://idp.test/jwks"}))
            .validate("t", "http://own.test", Kept::default())
            .unwrap();
        assert_eq!(t.algorithms, ["RS256", "ES256"]);
        assert_eq!((t.clock_skew_seconds, t.cache_ttl_seconds), (60, 300));
        assert_eq!(t.user_claim, "sub");
        let t =
            input(json!({"issuer": "https://idp.test", "audiences": ["api"], "secret": SECRET}))
                .validate("t", "http://own.test", Kept::default())
                .unwrap();
        assert_eq!(t.algorithms, ["HS256"]);
        assert!(!serde_json::to_string(&t.view()).unwrap().contains(SECRET));
    }

    #[test]
    fn refusals_name_the_field() {
        let base = json!({"issuer": "https://idp.test", "audiences": ["api"], "jwks_uri": "https://idp.test/jwks"});
        let with = |k: &str, v: serde_json::Value| {
            let mut b = base.clone();
            b[k] = v;
            b
        };
        assert_eq!(
            refused(with("algorithms", json!(["none"]))).field,
            "algorithms[0]"
        );
        assert_eq!(
            refused(with("algorithms", json!(["HS256"]))).field,
            "algorithms[0]"
        );
        assert_eq!(refused(with("audiences", json!([]))).field, "audiences");
        assert_eq!(
            refused(with("issuer", json!("http://own.test/"))).field,
            "issuer"
        );
        assert_eq!(
            refused(with("jwks_uri", json!("idp.test/jwks"))).field,
            "jwks_uri"
        );
        assert_eq!(refused(with("pem", json!("not a key"))).field, "pem");
        assert_eq!(
            refused(with("clock_skew_seconds", json!(3600))).field,
            "clock_skew_seconds"
        );
        assert_eq!(refused(with("jwks", json!({"keys": []}))).field, "jwks");
        assert_eq!(
            refused(json!({"issuer": "https://idp.test", "audiences": ["api"], "secret": "short"}))
                .field,
            "secret"
        );
        assert_eq!(
            refused(json!({"issuer": "https://idp.test", "audiences": ["api"], "secret": SECRET, "algorithms": ["RS256"]})).field,
            "algorithms[0]"
        );
        assert_eq!(
            refused(json!({"issuer": "https://idp.test", "audiences": ["api"]})).field,
            "jwks_uri"
        );
    }

    #[test]
    fn a_kept_secret_survives_a_replace_without_one() {
        let t = input(
            json!({"issuer": "https://idp.test", "audiences": ["api"], "algorithms": ["HS256"]}),
        )
        .validate(
            "t",
            "http://own.test",
            Kept {
                secret: Some(SECRET.into()),
                ..Kept::default()
            },
        )
        .unwrap();
        assert_eq!(t.secret.as_deref(), Some(SECRET));
    }
}
