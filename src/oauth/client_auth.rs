//! Client authentication at the token, introspection and revocation endpoints (RFC 6749 §2.3).
//!
//! The checks, in order: read what the client presented (a Basic header, or `client_id` and
//! `client_secret` in the body, or only `client_id` for a public client); refuse more than one
//! method; find the client; check the secret (argon2 once, then the verified-secret cache),
//! through the failure throttle. The demo API's Basic uses [`verify_client_secret`] too.

use super::error::OAuthError;
use super::params::Params;
use crate::checks::record;
use crate::model::client::{AuthMethod, Client};
use crate::secret::Secret;
use crate::security::throttle::{Subject, Throttled};
use crate::state::AppState;
use axum::http::{HeaderMap, header};
use base64::Engine;
use std::sync::Arc;

/// What the client presented.
#[derive(Debug, PartialEq, Eq)]
pub enum Presented {
    /// `Authorization: Basic` (client_secret_basic).
    Basic {
        client_id: String,
        secrets: Candidates,
    },
    /// `client_id` and `client_secret` in the body (client_secret_post).
    Post { client_id: String, secret: Secret },
    /// Only `client_id`: a public client (none).
    IdOnly { client_id: String },
    /// `client_assertion` (private_key_jwt, RFC 7523 §2.2): the client named by the body's
    /// `client_id`, else by the assertion's `sub`.
    Assertion {
        client_id: String,
        assertion: String,
    },
}

/// The secret a Basic header carries, as RFC 6749 §2.3.1 decodes it, and, when it differs, the
/// same text taken literally.
///
/// §2.3.1 form-decodes both halves of the header, so `+` means a space. Many clients (curl's
/// `-u` among them) send the secret as it is, and a secret with a `+` or a `%` then decodes to
/// something else. The server tries the §2.3.1 reading first and the literal one second: a
/// client that encodes is served exactly as the RFC says, and one that does not still works.
/// The second try costs an argon2 verification only when the first failed and the two differ.
#[derive(Debug, PartialEq, Eq)]
pub struct Candidates {
    pub decoded: Secret,
    pub literal: Option<Secret>,
}

impl Candidates {
    fn all(&self) -> impl Iterator<Item = &Secret> {
        std::iter::once(&self.decoded).chain(self.literal.as_ref())
    }
}

/// Splits an `Authorization: Basic` value into its user-id and password, undecoded
/// (RFC 7617 §2: `user-pass = user-id ":" password`, base64 encoded). `None` when malformed.
fn basic_pair(value: &str) -> Option<(String, String)> {
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (id, secret) = text.split_once(':')?;
    (!id.is_empty()).then(|| (id.to_owned(), secret.to_owned()))
}

/// Decodes `Authorization: Basic` as RFC 7617 defines it, for the demo API and the admin REST
/// API: the user-id and the password exactly as the client put them, so a password with `+` or
/// `%` works with `curl -u`.
pub fn decode_basic_rfc7617(value: &str) -> Option<(String, Secret)> {
    basic_pair(value).map(|(id, secret)| (id, Secret::new(secret)))
}

/// Decodes an `Authorization: Basic` value at the OAuth endpoints into client id and secret.
///
/// RFC 6749 §2.3.1: "The client identifier is encoded using the
/// "application/x-www-form-urlencoded" encoding algorithm […] and the encoded value is used as
/// the username; the client password is encoded using the same algorithm and used as the
/// password."
pub fn decode_basic(value: &str) -> Result<(String, Candidates), OAuthError> {
    let bad = || OAuthError::invalid_client("the Basic authorization header is malformed");
    let (id, secret) = basic_pair(value).ok_or_else(bad)?;
    let decode = |s: &str| -> String {
        let plus_as_space = s.replace('+', " ");
        percent_encoding::percent_decode_str(&plus_as_space)
            .decode_utf8_lossy()
            .into_owned()
    };
    let id = decode(&id);
    if id.is_empty() {
        return Err(bad());
    }
    let decoded = decode(&secret);
    let literal = (decoded != secret).then(|| Secret::new(secret));
    Ok((
        id,
        Candidates {
            decoded: Secret::new(decoded),
            literal,
        },
    ))
}

/// Reads the client's credentials, removing them from `params`.
pub fn presented(headers: &HeaderMap, params: &mut Params) -> Result<Presented, OAuthError> {
    let body_id = params.take("client_id");
    let body_secret = params.take("client_secret");
    let assertion_type = params.take("client_assertion_type");
    let assertion = params.take("client_assertion");
    let auth_headers: Vec<_> = headers.get_all(header::AUTHORIZATION).iter().collect();
    if auth_headers.len() > 1 {
        return Err(OAuthError::invalid_request(
            "more than one Authorization header",
        ));
    }
    if assertion.is_some() || assertion_type.is_some() {
        // RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each
        // request."
        if !auth_headers.is_empty() || body_secret.is_some() {
            return Err(OAuthError::invalid_request(
                "the client sent a client_assertion and a secret; use one method",
            ));
        }
        // RFC 7521 §4.2: "client_assertion_type REQUIRED" and "client_assertion REQUIRED".
        if assertion_type.as_deref() != Some(super::client_assertion::ASSERTION_TYPE) {
            return Err(OAuthError::invalid_request(format!(
                "client_assertion_type must be {}",
                super::client_assertion::ASSERTION_TYPE
            )));
        }
        let Some(assertion) = assertion else {
            return Err(OAuthError::invalid_request(
                "client_assertion_type was sent without client_assertion",
            ));
        };
        let claimed = super::client_assertion::claimed_client(&assertion);
        let client_id = match (body_id, claimed) {
            (Some(body), Some(claimed)) if body != claimed => {
                return Err(OAuthError::invalid_client(
                    "client_id differs from the client_assertion's sub",
                ));
            }
            (Some(id), _) | (None, Some(id)) => id,
            (None, None) => {
                return Err(OAuthError::invalid_client(
                    "the client_assertion names no client (sub)",
                ));
            }
        };
        return Ok(Presented::Assertion {
            client_id,
            assertion,
        });
    }
    if let Some(value) = auth_headers.first() {
        let value = value
            .to_str()
            .map_err(|_| OAuthError::invalid_client("the authorization header is malformed"))?;
        let (client_id, secrets) = decode_basic(value)?;
        // §2.3: "The client MUST NOT use more than one authentication method in each request."
        if body_secret.is_some() {
            return Err(OAuthError::invalid_request(
                "the client authenticated with both Basic and client_secret; use one method",
            ));
        }
        if body_id.as_deref().is_some_and(|b| b != client_id) {
            return Err(OAuthError::invalid_request(
                "client_id in the body differs from the one in the Basic header",
            ));
        }
        return Ok(Presented::Basic { client_id, secrets });
    }
    match (body_id, body_secret) {
        (Some(client_id), Some(secret)) => Ok(Presented::Post {
            client_id,
            secret: Secret::new(secret),
        }),
        (Some(client_id), None) => Ok(Presented::IdOnly { client_id }),
        (None, Some(_)) => Err(OAuthError::invalid_request(
            "client_secret was sent without client_id",
        )),
        (None, None) => Err(OAuthError::invalid_client(
            "no client authentication was included: use HTTP Basic, or client_id (and client_secret) in the body",
        )),
    }
}

/// Checks a client's secret through the failure throttle: `Ok(true)` when one of `secrets` is
/// the secret of `client`. An unknown client (`None`) costs the same argon2 time as a wrong
/// secret, so timing does not tell which client ids exist; a client without a secret (public)
/// never verifies. Every failure counts against the client id from `address`.
pub async fn verify_client_secret<'a>(
    state: &AppState,
    client_id: &str,
    client: Option<&Client>,
    secrets: impl IntoIterator<Item = &'a Secret>,
    address: &str,
) -> Result<bool, Throttled> {
    let subject = Subject::Client(client_id);
    state.throttle.check(subject, address)?;
    let mut verified = false;
    match client.and_then(|c| c.secret_hash.as_deref().map(|phc| (c, phc))) {
        Some((client, phc)) => {
            let key = format!("client:{}", client.client_id);
            for secret in secrets {
                if state.passwords.verify(&key, phc, secret).await {
                    verified = true;
                    break;
                }
            }
        }
        None => {
            if let Some(secret) = secrets.into_iter().next() {
                state.passwords.verify_unknown(secret).await;
            }
        }
    }
    if !verified {
        state.throttle.fail(subject, address).await;
    }
    Ok(verified)
}

/// Authenticates the client that made the request, from `address`.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    params: &mut Params,
    address: &str,
) -> Result<Arc<Client>, OAuthError> {
    let presented = presented(headers, params)?;
    let client_id = match &presented {
        Presented::Basic { client_id, .. }
        | Presented::Post { client_id, .. }
        | Presented::IdOnly { client_id }
        | Presented::Assertion { client_id, .. } => client_id.as_str(),
    };
    let client = state
        .cache
        .client(client_id)
        .await
        .map_err(OAuthError::internal)?;
    record(
        "the client is registered",
        "RFC 6749 §2.3",
        client.is_some(),
    );
    let secrets: Vec<&Secret> = match &presented {
        Presented::Basic { secrets, .. } => secrets.all().collect(),
        Presented::Post { secret, .. } => vec![secret],
        Presented::IdOnly { .. } | Presented::Assertion { .. } => vec![],
    };
    let Some(client) = client else {
        // An unknown client with a secret costs what a wrong secret costs.
        if !secrets.is_empty() {
            verify_client_secret(state, client_id, None, secrets, address).await?;
        }
        if matches!(presented, Presented::Assertion { .. }) {
            let subject = Subject::Client(client_id);
            state.throttle.check(subject, address)?;
            state.throttle.fail(subject, address).await;
        }
        return Err(OAuthError::invalid_client("unknown client or wrong secret"));
    };
    let by_key = client.auth_method == AuthMethod::PrivateKeyJwt;
    match (&presented, by_key) {
        (Presented::Assertion { assertion, .. }, true) => {
            return verify_assertion(state, client, assertion, address).await;
        }
        (Presented::Assertion { .. }, false) => {
            return Err(OAuthError::invalid_client(
                "this client is not registered for private_key_jwt: authenticate as it registered",
            ));
        }
        (_, true) => {
            return Err(OAuthError::invalid_client(
                "this client authenticates with private_key_jwt: send client_assertion_type and client_assertion (RFC 7523 section 2.2)",
            ));
        }
        _ => {}
    }
    match (&presented, &client.secret_hash) {
        (Presented::Assertion { .. }, _) => {
            Err(OAuthError::invalid_client("unknown client or wrong secret"))
        }
        (Presented::IdOnly { .. }, None) => Ok(client),
        (Presented::IdOnly { .. }, Some(_)) => Err(OAuthError::invalid_client(
            "this is a confidential client: authenticate with its secret",
        )),
        (Presented::Basic { .. } | Presented::Post { .. }, None) => {
            Err(OAuthError::invalid_client(
                "this is a public client: it has no secret; send only client_id",
            ))
        }
        (Presented::Basic { .. } | Presented::Post { .. }, Some(_)) => {
            let verified =
                verify_client_secret(state, client_id, Some(&client), secrets, address).await?;
            record(
                "the client secret matches its argon2 hash",
                "RFC 6749 §2.3.1",
                verified,
            );
            if verified {
                Ok(client)
            } else {
                Err(OAuthError::invalid_client("unknown client or wrong secret"))
            }
        }
    }
}

/// Checks a client assertion through the failure throttle, as a secret is checked.
async fn verify_assertion(
    state: &AppState,
    client: Arc<Client>,
    assertion: &str,
    address: &str,
) -> Result<Arc<Client>, OAuthError> {
    let subject = Subject::Client(&client.client_id);
    state.throttle.check(subject, address)?;
    match super::client_assertion::verify(state, &client, assertion).await {
        Ok(()) => {
            record(
                "the client assertion verifies (private_key_jwt)",
                "RFC 7523 §3",
                true,
            );
            Ok(client)
        }
        Err(super::client_assertion::Failure::Refused(why)) => {
            state.throttle.fail(subject, address).await;
            Err(OAuthError::invalid_client(why))
        }
        Err(super::client_assertion::Failure::Internal(e)) => Err(OAuthError::internal(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    #[test]
    fn basic_decoding_table() {
        let cases: &[(&str, Option<(&str, &str)>)] = &[
            ("Basic Y2xpZW50OnNlY3JldA==", Some(("client", "secret"))),
            ("basic Y2xpZW50OnNlY3JldA==", Some(("client", "secret"))),
            // percent- and plus-decoding (RFC 6749 §2.3.1)
            (
                &*Box::leak(format!("Basic {}", b64("my%3Aclient:p%40ss+word")).into_boxed_str()),
                Some(("my:client", "p@ss word")),
            ),
            // the secret may contain ':' after the first
            (
                &*Box::leak(format!("Basic {}", b64("c:a:b")).into_boxed_str()),
                Some(("c", "a:b")),
            ),
            (
                &*Box::leak(format!("Basic {}", b64("c:")).into_boxed_str()),
                Some(("c", "")),
            ),
            ("Basic !!!", None),
            ("Bearer abc", None),
            ("Basic", None),
            (
                &*Box::leak(format!("Basic {}", b64("no-colon")).into_boxed_str()),
                None,
            ),
            (
                &*Box::leak(format!("Basic {}", b64(":secret")).into_boxed_str()),
                None,
            ),
        ];
        for (header, want) in cases {
            let got = decode_basic(header)
                .ok()
                .map(|(id, s)| (id, s.decoded.expose().to_owned()));
            let want = want.map(|(a, b)| (a.to_owned(), b.to_owned()));
            assert_eq!(got, want, "{header}");
        }
    }

    #[test]
    fn a_raw_plus_or_percent_is_also_tried_literally() {
        let (id, s) = decode_basic(&format!("Basic {}", b64("c:a+b%2Fc"))).unwrap();
        assert_eq!(id, "c");
        assert_eq!(s.decoded.expose(), "a b/c");
        assert_eq!(s.literal.as_ref().map(Secret::expose), Some("a+b%2Fc"));
        let (_, s) = decode_basic(&format!("Basic {}", b64("c:plain"))).unwrap();
        assert_eq!(s.literal, None, "nothing to try twice");
        // RFC 7617 elsewhere: exactly what was sent.
        let (id, s) = decode_basic_rfc7617(&format!("Basic {}", b64("admin:p+ss%41"))).unwrap();
        assert_eq!((id.as_str(), s.expose()), ("admin", "p+ss%41"));
        assert!(decode_basic_rfc7617("Basic !!!").is_none());
        assert!(decode_basic_rfc7617(&format!("Basic {}", b64(":x"))).is_none());
    }

    #[test]
    fn one_method_only() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            format!("Basic {}", b64("c:s")).parse().unwrap(),
        );
        let mut params = Params::parse(b"client_secret=s").unwrap();
        assert!(matches!(
            presented(&headers, &mut params),
            Err(OAuthError::InvalidRequest(_))
        ));
        let mut params = Params::parse(b"client_id=other").unwrap();
        assert!(matches!(
            presented(&headers, &mut params),
            Err(OAuthError::InvalidRequest(_))
        ));
        let mut params = Params::parse(b"").unwrap();
        assert!(matches!(
            presented(&HeaderMap::new(), &mut params),
            Err(OAuthError::InvalidClient(_))
        ));
    }
}
