//! Reading protocol parameters from a form body.
//!
//! RFC 6749 §3.1: "Parameters sent without a value MUST be treated as if they were omitted from
//! the request. The authorization server MUST ignore unrecognized request parameters. Request
//! and response parameters MUST NOT be included more than once."
//!
//! RFC 6749 §3.2: the client uses "the "application/x-www-form-urlencoded" format".

use super::error::OAuthError;
use axum::body::Body;
use axum::extract::FromRequest;
use axum::http::{HeaderMap, Request, header};
use std::collections::HashMap;

/// The largest body a protocol endpoint reads.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// Parsed form parameters: each name at most once, empty values dropped.
#[derive(Debug, Default)]
pub struct Params(HashMap<String, String>);

impl Params {
    /// Parses `application/x-www-form-urlencoded` bytes.
    pub fn parse(body: &[u8]) -> Result<Self, OAuthError> {
        let mut map = HashMap::new();
        for (name, value) in form_urlencoded::parse(body) {
            if value.is_empty() {
                continue;
            }
            if map.insert(name.to_string(), value.into_owned()).is_some() {
                return Err(OAuthError::invalid_request(format!(
                    "parameter {name:?} is repeated; RFC 6749 §3.1 allows each at most once"
                )));
            }
        }
        Ok(Self(map))
    }

    /// The value of `name`, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The value of `name`, or `invalid_request` naming it.
    pub fn require(&self, name: &str) -> Result<&str, OAuthError> {
        self.get(name).ok_or_else(|| {
            OAuthError::invalid_request(format!("the {name:?} parameter is missing"))
        })
    }

    /// Removes and returns `name`.
    pub fn take(&mut self, name: &str) -> Option<String> {
        self.0.remove(name)
    }
}

/// True when the `Content-Type` is `application/x-www-form-urlencoded` (parameters allowed).
fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| {
            m.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// The request a protocol endpoint sees: its headers, its form parameters and its query.
#[derive(Debug)]
pub struct FormRequest {
    pub headers: HeaderMap,
    pub params: Params,
    pub query: Option<String>,
    /// The peer the request came from, for the failure throttle.
    pub address: String,
}

impl<S: Send + Sync> FromRequest<S> for FormRequest {
    type Rejection = OAuthError;

    async fn from_request(req: Request<Body>, _state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        if !crate::checks::check(
            "the body is application/x-www-form-urlencoded",
            "RFC 6749 §3.2",
            is_form(&parts.headers),
        ) {
            return Err(OAuthError::invalid_request(
                "the body must be application/x-www-form-urlencoded (RFC 6749 §3.2)",
            ));
        }
        let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
            .await
            .map_err(|_| OAuthError::PayloadTooLarge)?;
        let params = Params::parse(&bytes);
        crate::checks::record(
            "no parameter is sent twice",
            "RFC 6749 §3.1",
            params.is_ok(),
        );
        Ok(Self {
            address: crate::security::PeerAddress::of(&parts.extensions).0,
            headers: parts.headers,
            params: params?,
            query: parts.uri.query().map(str::to_owned),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_refused_and_empty_values_dropped() {
        assert!(Params::parse(b"a=1&a=2").is_err());
        let p = Params::parse(b"a=&a=2&b=x+y%26").unwrap();
        assert_eq!(p.get("a"), Some("2"));
        assert_eq!(p.get("b"), Some("x y&"));
        assert!(p.require("c").is_err());
    }
}
