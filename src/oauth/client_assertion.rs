//! Client authentication with a signed JWT: `private_key_jwt` (RFC 7523 §2.2 and §3, OpenID
//! Connect Core §9, SMART App Launch 2.x "Backend Services").
//!
//! The client sends `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`
//! and `client_assertion`, a JWT it signed with its private key. The server verifies it with
//! the public keys the client registered (`jwks` inline, or `jwks_uri` fetched and cached like
//! a trusted issuer's), then checks, in order: the algorithm, the key, the signature, `iss` and
//! `sub`, `aud`, `exp` (and its five-minute bound), and that its `jti` was never used before.
//! The first check that fails is the reason in the `invalid_client` answer, and every failure
//! counts against the client in the credential throttle, as a wrong secret does.

use crate::checks::{check, record};
use crate::model::client::Client;
use crate::state::AppState;
use crate::storage::assertions;
use crate::trust::{audiences, segment, signed_claims};
use app::endpoints as ep;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;

/// RFC 7523 §2.2: the `client_assertion_type` of a JWT client assertion.
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The signing algorithms accepted, asymmetric only: SMART Backend Services requires RS384 and
/// ES384 ("the EHR SHALL support RS384 and ES384").
pub const ALGORITHMS: [&str; 5] = ["RS256", "RS384", "RS512", "ES256", "ES384"];

/// SMART Backend Services, `exp`: "This time SHALL be no more than five minutes in the future."
pub const MAX_LIFETIME: i64 = 300;

/// The clock difference tolerated between client and server, in seconds.
pub const SKEW: i64 = 5;

/// How long a client's fetched `jwks_uri` key set is kept, in seconds.
const KEYS_TTL: i64 = 300;

const RFC: &str = "RFC 7523 §3";

/// The client an assertion claims to come from (its `sub`, else its `iss`), unverified: only
/// to find the keys that will verify it.
pub fn claimed_client(assertion: &str) -> Option<String> {
    let payload = segment(assertion.split('.').nth(1)?)?;
    payload
        .get("sub")
        .or_else(|| payload.get("iss"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The client's keys that may verify an assertion of `alg` naming `kid`.
async fn keys(
    state: &AppState,
    client: &Client,
    alg: Algorithm,
    kid: Option<&str>,
) -> Result<Vec<DecodingKey>, String> {
    let set: Vec<Jwk> = match (&client.jwks, &client.jwks_uri) {
        (Some(set), _) => set.keys.clone(),
        (None, Some(url)) => state
            .trust_keys
            .keys(state, url, KEYS_TTL, kid)
            .await?
            .set
            .keys
            .clone(),
        (None, None) => return Err("the client registered no public keys".into()),
    };
    let named: Vec<&Jwk> = set
        .iter()
        .filter(|j| kid.is_none_or(|k| j.common.key_id.as_deref() == Some(k)))
        .collect();
    if !check(
        "the assertion's kid is in the client's key set",
        "RFC 7515 §4.1.4",
        !named.is_empty(),
    ) {
        return Err(format!(
            "kid {:?} is not in the client's registered key set",
            kid.unwrap_or_default()
        ));
    }
    let keys: Vec<DecodingKey> = named
        .into_iter()
        .filter(|j| crate::trust::fits(j, alg))
        .filter_map(|j| DecodingKey::from_jwk(j).ok())
        .collect();
    if keys.is_empty() {
        return Err(format!("the client's key set holds no key for alg {alg:?}"));
    }
    Ok(keys)
}

/// Why an assertion was not accepted.
#[derive(Debug)]
pub enum Failure {
    /// A check failed: the reason, for the `invalid_client` answer.
    Refused(String),
    /// The server could not remember the `jti`.
    Internal(crate::storage::StorageError),
}

/// Verifies `assertion` as `client`'s authentication, and spends its `jti`.
pub async fn verify(state: &AppState, client: &Client, assertion: &str) -> Result<(), Failure> {
    let (jti, exp) = checks(state, client, assertion)
        .await
        .map_err(Failure::Refused)?;
    let first = assertions::first_use(&state.db, &client.client_id, &jti, exp + SKEW)
        .await
        .map_err(Failure::Internal)?;
    if !check("the assertion's jti was never used before", RFC, first) {
        return Err(Failure::Refused(format!(
            "the assertion's jti {jti:?} was already used: an assertion works once"
        )));
    }
    Ok(())
}

/// Every check of `assertion` but the `jti`'s first use. Returns its `jti` and `exp`, or which
/// check failed.
async fn checks(
    state: &AppState,
    client: &Client,
    assertion: &str,
) -> Result<(String, i64), String> {
    let header = assertion
        .split('.')
        .next()
        .and_then(segment)
        .ok_or("the client assertion is not a JWT (RFC 7519)")?;
    let alg_name = header
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or_default();
    // RFC 8725 §3.1; SMART Backend Services: asymmetric algorithms only.
    if !check(
        "the assertion is signed with an asymmetric algorithm this server accepts",
        "RFC 8725 §3.1",
        ALGORITHMS.contains(&alg_name),
    ) {
        return Err(format!(
            "alg {alg_name:?} is not accepted for a client assertion; use one of {}",
            ALGORITHMS.join(", ")
        ));
    }
    let alg: Algorithm = alg_name
        .parse()
        .map_err(|_| format!("alg {alg_name:?} is not known"))?;
    let kid = header.get("kid").and_then(Value::as_str);
    let candidates = keys(state, client, alg, kid).await?;
    let Some(claims) = signed_claims(assertion, alg, &candidates) else {
        record(
            "the assertion's signature verifies with the client's key",
            "RFC 7515 §5.2",
            false,
        );
        return Err("the signature does not verify with the client's registered key".into());
    };
    record(
        "the assertion's signature verifies with the client's key",
        "RFC 7515 §5.2",
        true,
    );
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    // RFC 7523 §3: "1. The JWT MUST contain an "iss" (issuer) claim that contains a unique
    // identifier for the entity that issued the JWT." §2.2: "For client authentication, the
    // subject MUST be the "client_id" of the OAuth client."
    let id = client.client_id.as_str();
    if !check(
        "iss and sub are both the client_id",
        RFC,
        text("iss") == Some(id) && text("sub") == Some(id),
    ) {
        return Err(format!(
            "iss and sub must both be the client_id {id:?} (iss {:?}, sub {:?})",
            text("iss").unwrap_or_default(),
            text("sub").unwrap_or_default()
        ));
    }
    // §3: "3. The JWT MUST contain an "aud" (audience) claim containing a value that identifies
    // the authorization server as an intended audience. The token endpoint URL of the
    // authorization server MAY be used as a value for an "aud" element".
    let token_endpoint = state.url(ep::TOKEN);
    let accepted = [token_endpoint.clone(), state.issuer.clone()];
    if !check(
        "aud names this server's token endpoint",
        RFC,
        audiences(&claims)
            .iter()
            .any(|a| accepted.iter().any(|w| w == a)),
    ) {
        return Err(format!(
            "aud must be the token endpoint {token_endpoint}; the assertion names {}",
            claims
                .get("aud")
                .map(Value::to_string)
                .unwrap_or("no audience".into())
        ));
    }
    // §3: "4. The JWT MUST contain an "exp" (expiration time) claim that limits the time window
    // during which the JWT can be used."
    let now = state.clock.now();
    let exp = claims.get("exp").and_then(Value::as_i64);
    let Some(exp) = exp.filter(|exp| now < exp + SKEW) else {
        check("the assertion has not expired", RFC, false);
        return Err(match exp {
            Some(exp) => format!("the assertion expired {} s ago", now - exp),
            None => "the assertion has no exp claim".into(),
        });
    };
    let issued = claims.get("iat").and_then(Value::as_i64).unwrap_or(now);
    if !check(
        "the assertion lives at most five minutes",
        "SMART Backend Services",
        exp <= now + MAX_LIFETIME + SKEW && exp - issued <= MAX_LIFETIME + SKEW,
    ) {
        return Err(format!(
            "the assertion's exp is {} s away; at most {MAX_LIFETIME} s are accepted",
            exp - now
        ));
    }
    if let Some(nbf) = claims.get("nbf").and_then(Value::as_i64)
        && !check(
            "the assertion is already valid (nbf)",
            RFC,
            nbf <= now + SKEW,
        )
    {
        return Err(format!("the assertion is not valid before {nbf} (nbf)"));
    }
    // §3: "7. The JWT MAY contain a "jti" (JWT ID) claim that provides a unique identifier for
    // the token. The authorization server MAY ensure that JWTs are not replayed". SMART Backend
    // Services makes jti required.
    let Some(jti) = text("jti").filter(|j| !j.is_empty() && j.len() <= 256 && !j.contains('\n'))
    else {
        check(
            "the assertion carries a jti",
            "SMART Backend Services",
            false,
        );
        return Err("the assertion has no jti (at most 256 characters)".into());
    };
    Ok((jti.to_owned(), exp))
}
