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

/// Error text as it may cross the wire.
///
/// RFC 6749 §5.2, of `error_description`: "Values for the "error_description" parameter MUST
/// NOT include characters outside the set %x20-21 / %x23-5B / %x5D-7E." The same set binds
/// `error` and `error_uri`, the error parameters of authorization redirects (§4.1.2.1), and the
/// `error` and `error_description` attributes of a Bearer challenge (RFC 6750 §3). The text is
/// cleaned when it is built, so no error can carry a `"`, a `\` or anything outside ASCII:
/// `§` becomes `section `, a double quote becomes a single one, a backslash a slash, common
/// typographic marks their ASCII twins, and anything else outside the set a `?`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text(Cow<'static, str>);

/// True for a character RFC 6749 §5.2 allows in error text.
pub fn allowed_in_error_text(c: char) -> bool {
    matches!(c, '\x20'..='\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e')
}

impl Text {
    fn clean(text: Cow<'static, str>) -> Self {
        if text.chars().all(allowed_in_error_text) {
            return Self(text);
        }
        let mut out = String::with_capacity(text.len() + 8);
        for c in text.chars() {
            match c {
                c if allowed_in_error_text(c) => out.push(c),
                '§' => out.push_str("section "),
                '"' | '“' | '”' | '‘' | '’' => out.push('\''),
                '\\' => out.push('/'),
                '–' | '—' => out.push('-'),
                '…' => out.push_str("..."),
                '→' => out.push_str("->"),
                '•' => out.push('*'),
                c if c.is_whitespace() || c.is_control() => out.push(' '),
                _ => out.push('?'),
            }
        }
        // "section " before a space or at the end would leave a double or trailing space.
        let out = out.replace("section  ", "section ");
        Self(Cow::Owned(out.trim_end().to_owned()))
    }

    /// The cleaned text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&'static str> for Text {
    fn from(s: &'static str) -> Self {
        Self::clean(Cow::Borrowed(s))
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Self::clean(Cow::Owned(s))
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

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
    /// OIDC Core §3.1.2.6 `interaction_required`: `prompt=none` but the person must choose
    /// something (here: the patient of a standalone SMART launch).
    #[error("interaction_required: {0}")]
    InteractionRequired(Text),
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
    /// RFC 8628 §3.5 `authorization_pending`: the person has not answered yet; poll again.
    #[error("authorization_pending: {0}")]
    AuthorizationPending(Text),
    /// RFC 8628 §3.5 `slow_down`: polling too fast; the interval grew by five seconds.
    #[error("slow_down: {0}")]
    SlowDown(Text),
    /// RFC 8628 §3.5 `expired_token`: the device code expired; start again.
    #[error("expired_token: {0}")]
    ExpiredToken(Text),
    /// The body is larger than the endpoint accepts: 413 with an `invalid_request` body.
    #[error("request body too large")]
    PayloadTooLarge,
    /// RFC 6750 §3.1 `invalid_token` at the resource server: 401 with a Bearer challenge.
    #[error("invalid_token: {0}")]
    InvalidToken(Text),
    /// RFC 6750 §3.1 `insufficient_scope`: 403 with a Bearer challenge.
    #[error("insufficient_scope: {0}")]
    InsufficientScope(Text),
    /// Too many failed credential checks: 429 with `Retry-After` (RFC 6585 §4). §5.2 has no
    /// code for it; `temporarily_unavailable` (RFC 6749 §4.1.2.1, in the IANA OAuth Extensions
    /// Error Registry) says what a client should do: wait and retry.
    #[error("temporarily_unavailable: too many failed attempts")]
    Throttled { retry_after: u64 },
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
            OAuthError::InteractionRequired(_) => "interaction_required",
            OAuthError::InvalidToken(_) => "invalid_token",
            OAuthError::InsufficientScope(_) => "insufficient_scope",
            OAuthError::InvalidRedirectUri(_) => "invalid_redirect_uri",
            OAuthError::InvalidClientMetadata(_) => "invalid_client_metadata",
            OAuthError::AuthorizationPending(_) => "authorization_pending",
            OAuthError::SlowDown(_) => "slow_down",
            OAuthError::ExpiredToken(_) => "expired_token",
            OAuthError::Throttled { .. } => "temporarily_unavailable",
            OAuthError::ServerError => "server_error",
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            OAuthError::InvalidClient(_) | OAuthError::InvalidToken(_) => StatusCode::UNAUTHORIZED,
            OAuthError::InsufficientScope(_) => StatusCode::FORBIDDEN,
            OAuthError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            OAuthError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
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
            | OAuthError::InteractionRequired(d)
            | OAuthError::InvalidToken(d)
            | OAuthError::InsufficientScope(d)
            | OAuthError::InvalidRedirectUri(d)
            | OAuthError::InvalidClientMetadata(d)
            | OAuthError::AuthorizationPending(d)
            | OAuthError::SlowDown(d)
            | OAuthError::ExpiredToken(d) => d.as_str(),
            OAuthError::PayloadTooLarge => "the request body is too large",
            OAuthError::Throttled { .. } => {
                "too many failed attempts with these credentials; wait as Retry-After says"
            }
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

/// Quotes a value for an auth-param (RFC 9110 §11.2 quoted-string). Error text is already
/// free of `"` and `\` ([`Text`]); the realm and codes are constants.
fn quote(value: &str) -> String {
    format!("\"{}\"", Text::from(value.to_owned()))
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

impl From<crate::security::throttle::Throttled> for OAuthError {
    fn from(t: crate::security::throttle::Throttled) -> Self {
        OAuthError::Throttled {
            retry_after: t.retry_after,
        }
    }
}

impl From<crate::accounts::CheckError> for OAuthError {
    fn from(e: crate::accounts::CheckError) -> Self {
        match e {
            crate::accounts::CheckError::Throttled(t) => t.into(),
            crate::accounts::CheckError::Storage(e) => OAuthError::internal(e),
        }
    }
}

impl From<crate::security::session::SessionError> for OAuthError {
    fn from(e: crate::security::session::SessionError) -> Self {
        OAuthError::internal(e)
    }
}

impl From<crate::secret::NoRandomness> for OAuthError {
    fn from(e: crate::secret::NoRandomness) -> Self {
        OAuthError::internal(e)
    }
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
        if let OAuthError::Throttled { retry_after } = self {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
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
            (
                OAuthError::Throttled { retry_after: 5 },
                429,
                "temporarily_unavailable",
            ),
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
    fn challenge_carries_only_the_section_5_2_set() {
        let e = OAuthError::invalid_token("bad \"token\"\n");
        assert_eq!(
            bearer_challenge(Some(&e)),
            r#"Bearer realm="oauth-sandbox", error="invalid_token", error_description="bad 'token'""#
        );
    }

    #[test]
    fn error_text_is_cleaned_when_built() {
        let cases = [
            ("plain text stays", "plain text stays"),
            (
                "the \"grant_type\" parameter is missing",
                "the 'grant_type' parameter is missing",
            ),
            ("RFC 6749 §3.1", "RFC 6749 section 3.1"),
            ("a\\b", "a/b"),
            ("caf\u{e9} \u{1f600}", "caf? ?"),
            ("one\ttwo\r\nthree", "one two  three"),
            ("wait \u{2014} really\u{2026}", "wait - really..."),
        ];
        for (given, want) in cases {
            let text = Text::from(given);
            assert_eq!(text.as_str(), want, "{given:?}");
            assert!(text.chars().all(allowed_in_error_text), "{given:?}");
        }
        // Every byte outside the set, alone.
        for b in 0u8..=255 {
            let c = b as char;
            let text = Text::from(format!("x{c}y"));
            assert!(text.chars().all(allowed_in_error_text), "{b:#x}");
        }
    }
}
