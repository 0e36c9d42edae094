//! The one RFC error enum.
//!
//! RFC 6749 §5.2: "The authorization server responds with an HTTP 400 (Bad Request) status code
//! (unless specified otherwise) and includes the following parameters with the response:
//! error […] error_description […]". Every variant carries its code, status and headers, and
//! every response carries `Cache-Control: no-store` (§5.1). The resource server's errors
//! (RFC 6750 §3.1) live here too, so that there is one vocabulary of protocol errors.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::borrow::Cow;

/// The realm named in `WWW-Authenticate` challenges.
pub const REALM: &str = "oauth-sandbox";

type Text = Cow<'static, str>;

/// A protocol error, as RFC 6749 §5.2, RFC 7009 §2.2.1 and RFC 6750 §3.1 define them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthError {
    /// §5.2 `invalid_request`: missing, repeated or malformed parameter.
    #[error("invalid_request: {0}")]
    InvalidRequest(Text),
    /// §5.2 `invalid_client`: client authentication failed. 401 with a Basic challenge.
    #[error("invalid_client: {0}")]
    InvalidClient(Text),
    /// §5.2 `invalid_grant`: the grant or refresh token is invalid, expired or revoked.
    #[error("invalid_grant: {0}")]
    InvalidGrant(Text),
    /// §5.2 `unauthorized_client`: the client may not use this grant type.
    #[error("unauthorized_client: {0}")]
    UnauthorizedClient(Text),
    /// §5.2 `unsupported_grant_type`.
    #[error("unsupported_grant_type: {0}")]
    UnsupportedGrantType(Text),
    /// §5.2 `invalid_scope`.
    #[error("invalid_scope: {0}")]
    InvalidScope(Text),
    /// §4.1.2.1 `access_denied`: the resource owner or the server denied the request.
    #[error("access_denied: {0}")]
    AccessDenied(Text),
    /// §4.1.2.1 `unsupported_response_type`.
    #[error("unsupported_response_type: {0}")]
    UnsupportedResponseType(Text),
    /// OIDC Core §3.1.2.6 `login_required`: `prompt=none` but nobody is signed in.
    #[error("login_required: {0}")]
    LoginRequired(Text),
    /// OIDC Core §3.1.2.6 `consent_required`: `prompt=none` but consent is needed.
    #[error("consent_required: {0}")]
    ConsentRequired(Text),
    /// RFC 7009 §2.2.1 `unsupported_token_type`.
    #[error("unsupported_token_type: {0}")]
    UnsupportedTokenType(Text),
    /// RFC 7591 §3.2.2 `invalid_redirect_uri`: a redirect URI of a registration is not valid.
    #[error("invalid_redirect_uri: {0}")]
    InvalidRedirectUri(Text),
    /// RFC 7591 §3.2.2 `invalid_client_metadata`: a metadata field of a registration is not
    /// valid.
    #[error("invalid_client_metadata: {0}")]
    InvalidClientMetadata(Text),
    /// The body is larger than the endpoint accepts: 413 with an `invalid_request` body.
    #[error("request body too large")]
    PayloadTooLarge,
    /// RFC 6750 §3.1 `invalid_token` at the resource server: 401 with a Bearer challenge.
    #[error("invalid_token: {0}")]
    InvalidToken(Text),
    /// RFC 6750 §3.1 `insufficient_scope`: 403 with a Bearer challenge.
    #[error("insufficient_scope: {0}")]
    InsufficientScope(Text),
    /// §5.2 has no 5xx code; RFC 6749 §4.1.2.1 names `server_error`. The detail is logged,
    /// never sent.
    #[error("server_error")]
    ServerError,
}

impl OAuthError {
    /// The error code on the wire.
    pub fn code(&self) -> &'static str {
        match self {
            OAuthError::InvalidRequest(_) | OAuthError::PayloadTooLarge => "invalid_request",
            OAuthError::InvalidClient(_) => "invalid_client",
            OAuthError::InvalidGrant(_) => "invalid_grant",
            OAuthError::UnauthorizedClient(_) => "unauthorized_client",
            OAuthError::UnsupportedGrantType(_) => "unsupported_grant_type",
            OAuthError::InvalidScope(_) => "invalid_scope",
            OAuthError::UnsupportedTokenType(_) => "unsupported_token_type",
            OAuthError::AccessDenied(_) => "access_denied",
            OAuthError::UnsupportedResponseType(_) => "unsupported_response_type",
            OAuthError::LoginRequired(_) => "login_required",
            OAuthError::ConsentRequired(_) => "consent_required",
            OAuthError::InvalidToken(_) => "invalid_token",
            OAuthError::InsufficientScope(_) => "insufficient_scope",
            OAuthError::InvalidRedirectUri(_) => "invalid_redirect_uri",
            OAuthError::InvalidClientMetadata(_) => "invalid_client_metadata",
            OAuthError::ServerError => "server_error",
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            OAuthError::InvalidClient(_) | OAuthError::InvalidToken(_) => StatusCode::UNAUTHORIZED,
            OAuthError::InsufficientScope(_) => StatusCode::FORBIDDEN,
            OAuthError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            OAuthError::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// The human-readable description.
    pub fn description(&self) -> &str {
        match self {
            OAuthError::InvalidRequest(d)
            | OAuthError::InvalidClient(d)
            | OAuthError::InvalidGrant(d)
            | OAuthError::UnauthorizedClient(d)
            | OAuthError::UnsupportedGrantType(d)
            | OAuthError::InvalidScope(d)
            | OAuthError::UnsupportedTokenType(d)
            | OAuthError::AccessDenied(d)
            | OAuthError::UnsupportedResponseType(d)
            | OAuthError::LoginRequired(d)
            | OAuthError::ConsentRequired(d)
            | OAuthError::InvalidToken(d)
            | OAuthError::InsufficientScope(d)
            | OAuthError::InvalidRedirectUri(d)
            | OAuthError::InvalidClientMetadata(d) => d,
            OAuthError::PayloadTooLarge => "the request body is too large",
            OAuthError::ServerError => "the server could not complete the request",
        }
    }

    /// Shorthand constructors.
    pub fn invalid_request(d: impl Into<Text>) -> Self {
        OAuthError::InvalidRequest(d.into())
    }
    pub fn invalid_client(d: impl Into<Text>) -> Self {
        OAuthError::InvalidClient(d.into())
    }
    pub fn invalid_grant(d: impl Into<Text>) -> Self {
        OAuthError::InvalidGrant(d.into())
    }
    pub fn invalid_scope(d: impl Into<Text>) -> Self {
        OAuthError::InvalidScope(d.into())
    }
    pub fn unauthorized_client(d: impl Into<Text>) -> Self {
        OAuthError::UnauthorizedClient(d.into())
    }
    pub fn invalid_token(d: impl Into<Text>) -> Self {
        OAuthError::InvalidToken(d.into())
    }

    /// Logs the internal cause of a server error and returns the opaque variant.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        OAuthError::ServerError
    }
}

/// Quotes a value for an auth-param (RFC 9110 §11.2 quoted-string): `"` and `\` escaped,
/// control characters dropped.
fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars().filter(|c| !c.is_control()) {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The `WWW-Authenticate: Bearer …` value for a resource-server error (RFC 6750 §3).
pub fn bearer_challenge(error: Option<&OAuthError>) -> String {
    let mut value = format!("Bearer realm={}", quote(REALM));
    if let Some(e) = error {
        value.push_str(&format!(
            ", error={}, error_description={}",
            quote(e.code()),
            quote(e.description())
        ));
    }
    value
}

/// The `WWW-Authenticate: Basic …` value (RFC 7617 §2).
pub fn basic_challenge() -> String {
    format!("Basic realm={}, charset=\"UTF-8\"", quote(REALM))
}

/// Headers every token-endpoint-style response carries (RFC 6749 §5.1).
pub fn no_store(headers: &mut HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": self.code(),
            "error_description": self.description(),
        });
        let mut response = (self.status(), axum::Json(body)).into_response();
        let headers = response.headers_mut();
        no_store(headers);
        let challenge = match &self {
            // §5.2: "If the client attempted to authenticate via the "Authorization" request
            // header field, the authorization server MUST respond with an HTTP 401
            // (Unauthorized) status code and include the "WWW-Authenticate" response header
            // field matching the authentication scheme used by the client." Basic is the only
            // header scheme the token endpoint accepts, and a 401 always names one.
            OAuthError::InvalidClient(_) => Some(basic_challenge()),
            OAuthError::InvalidToken(_) | OAuthError::InsufficientScope(_) => {
                Some(bearer_challenge(Some(&self)))
            }
            _ => None,
        };
        if let Some(value) = challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_table() {
        let cases = [
            (OAuthError::invalid_request("x"), 400, "invalid_request"),
            (OAuthError::invalid_client("x"), 401, "invalid_client"),
            (OAuthError::invalid_grant("x"), 400, "invalid_grant"),
            (
                OAuthError::unauthorized_client("x"),
                400,
                "unauthorized_client",
            ),
            (
                OAuthError::UnsupportedGrantType("x".into()),
                400,
                "unsupported_grant_type",
            ),
            (OAuthError::invalid_scope("x"), 400, "invalid_scope"),
            (
                OAuthError::UnsupportedTokenType("x".into()),
                400,
                "unsupported_token_type",
            ),
            (OAuthError::PayloadTooLarge, 413, "invalid_request"),
            (OAuthError::invalid_token("x"), 401, "invalid_token"),
            (
                OAuthError::InsufficientScope("x".into()),
                403,
                "insufficient_scope",
            ),
        ];
        for (e, status, code) in cases {
            assert_eq!(e.status().as_u16(), status, "{e:?}");
            assert_eq!(e.code(), code);
        }
    }

    #[test]
    fn challenge_quotes_safely() {
        let e = OAuthError::invalid_token("bad \"token\"\n");
        assert_eq!(
            bearer_challenge(Some(&e)),
            r#"Bearer realm="oauth-sandbox", error="invalid_token", error_description="bad \"token\"""#
        );
    }
}
