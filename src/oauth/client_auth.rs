//! Client authentication at the token, introspection and revocation endpoints (RFC 6749 §2.3).
//!
//! The checks, in order: read what the client presented (a Basic header, or `client_id` and
//! `client_secret` in the body, or only `client_id` for a public client); refuse more than one
//! method; find the client; check the secret (argon2 once, then the verified-secret cache).

use super::error::OAuthError;
use super::params::Params;
use crate::checks::record;
use crate::model::client::Client;
use crate::secret::Secret;
use crate::state::AppState;
use axum::http::{HeaderMap, header};
use base64::Engine;
use std::sync::Arc;

/// What the client presented.
#[derive(Debug, PartialEq, Eq)]
pub enum Presented {
    /// `Authorization: Basic` (client_secret_basic).
    Basic { client_id: String, secret: Secret },
    /// `client_id` and `client_secret` in the body (client_secret_post).
    Post { client_id: String, secret: Secret },
    /// Only `client_id`: a public client (none).
    IdOnly { client_id: String },
}

/// Decodes an `Authorization: Basic` value into client id and secret.
///
/// RFC 6749 §2.3.1: "The client identifier is encoded using the
/// "application/x-www-form-urlencoded" encoding algorithm […] and the encoded value is used as
/// the username; the client password is encoded using the same algorithm and used as the
/// password."
pub fn decode_basic(value: &str) -> Result<(String, Secret), OAuthError> {
    let bad = || OAuthError::invalid_client("the Basic authorization header is malformed");
    let (scheme, encoded) = value.trim().split_once(' ').ok_or_else(bad)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(bad());
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let (id, secret) = text.split_once(':').ok_or_else(bad)?;
    let decode = |s: &str| -> String {
        let plus_as_space = s.replace('+', " ");
        percent_encoding::percent_decode_str(&plus_as_space)
            .decode_utf8_lossy()
            .into_owned()
    };
    let (id, secret) = (decode(id), decode(secret));
    if id.is_empty() {
        return Err(bad());
    }
    Ok((id, Secret::new(secret)))
}

/// Reads the client's credentials, removing them from `params`.
pub fn presented(headers: &HeaderMap, params: &mut Params) -> Result<Presented, OAuthError> {
    let body_id = params.take("client_id");
    let body_secret = params.take("client_secret");
    let auth_headers: Vec<_> = headers.get_all(header::AUTHORIZATION).iter().collect();
    if auth_headers.len() > 1 {
        return Err(OAuthError::invalid_request(
            "more than one Authorization header",
        ));
    }
    if let Some(value) = auth_headers.first() {
        let value = value
            .to_str()
            .map_err(|_| OAuthError::invalid_client("the authorization header is malformed"))?;
        let (client_id, secret) = decode_basic(value)?;
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
        return Ok(Presented::Basic { client_id, secret });
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

/// Authenticates the client that made the request.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    params: &mut Params,
) -> Result<Arc<Client>, OAuthError> {
    let presented = presented(headers, params)?;
    let client_id = match &presented {
        Presented::Basic { client_id, .. }
        | Presented::Post { client_id, .. }
        | Presented::IdOnly { client_id } => client_id.as_str(),
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
    let client = client.ok_or_else(|| OAuthError::invalid_client("unknown client"))?;
    match (&presented, &client.secret_hash) {
        (Presented::IdOnly { .. }, None) => Ok(client),
        (Presented::IdOnly { .. }, Some(_)) => Err(OAuthError::invalid_client(
            "this is a confidential client: authenticate with its secret",
        )),
        (Presented::Basic { .. } | Presented::Post { .. }, None) => {
            Err(OAuthError::invalid_client(
                "this is a public client: it has no secret; send only client_id",
            ))
        }
        (Presented::Basic { secret, .. } | Presented::Post { secret, .. }, Some(phc)) => {
            let key = format!("client:{}", client.client_id);
            let verified = state.passwords.verify(&key, phc, secret).await;
            record(
                "the client secret matches its argon2 hash",
                "RFC 6749 §2.3.1",
                verified,
            );
            if verified {
                Ok(client)
            } else {
                Err(OAuthError::invalid_client("client authentication failed"))
            }
        }
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
                .map(|(id, s)| (id, s.expose().to_owned()));
            let want = want.map(|(a, b)| (a.to_owned(), b.to_owned()));
            assert_eq!(got, want, "{header}");
        }
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
