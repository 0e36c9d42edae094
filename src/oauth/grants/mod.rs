//! One handler per grant. Each reads top to bottom: the client holds the grant → the request's
//! own parameters are valid → the scope is allowed → tokens are issued and committed.

pub mod authorization_code;
pub mod client_credentials;
pub mod device_code;
pub mod password;
pub mod refresh_token;

use super::error::OAuthError;
use crate::model::client::{Client, GrantType};
use crate::model::scope::Scope;

/// The grant types the token endpoint serves (RFC 6749 §4.1, §4.3, §4.4, §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenGrant {
    AuthorizationCode,
    ClientCredentials,
    Password,
    RefreshToken,
    /// RFC 8628 §3.4.
    DeviceCode,
}

impl TokenGrant {
    /// The values this server accepts for `grant_type`, for discovery.
    pub const SUPPORTED: [&'static str; 5] = [
        "authorization_code",
        "client_credentials",
        "password",
        "refresh_token",
        crate::model::client::DEVICE_CODE_GRANT,
    ];

    /// Parses `grant_type`.
    ///
    /// §5.2 `unsupported_grant_type`: "The authorization grant type is not supported by the
    /// authorization server."
    pub fn parse(value: &str) -> Result<Self, OAuthError> {
        match value {
            "authorization_code" => Ok(TokenGrant::AuthorizationCode),
            "client_credentials" => Ok(TokenGrant::ClientCredentials),
            "password" => Ok(TokenGrant::Password),
            "refresh_token" => Ok(TokenGrant::RefreshToken),
            crate::model::client::DEVICE_CODE_GRANT => Ok(TokenGrant::DeviceCode),
            other => Err(OAuthError::UnsupportedGrantType(
                format!(
                    "grant_type {other:?} is not supported; use one of {:?}",
                    Self::SUPPORTED
                )
                .into(),
            )),
        }
    }

    fn grant_type(self) -> GrantType {
        match self {
            TokenGrant::AuthorizationCode => GrantType::AuthorizationCode,
            TokenGrant::ClientCredentials => GrantType::ClientCredentials,
            TokenGrant::Password => GrantType::Password,
            TokenGrant::RefreshToken => GrantType::RefreshToken,
            TokenGrant::DeviceCode => GrantType::DeviceCode,
        }
    }
}

/// §5.2 `unauthorized_client`: "The authenticated client is not authorized to use this
/// authorization grant type."
pub fn require_grant(client: &Client, grant: TokenGrant) -> Result<(), OAuthError> {
    require_grant_type(client, grant.grant_type())
}

/// [`require_grant`] for any grant type, the implicit grant's too.
pub fn require_grant_type(client: &Client, grant_type: GrantType) -> Result<(), OAuthError> {
    if crate::checks::check(
        "the client is registered for this grant",
        "RFC 6749 §5.2 unauthorized_client",
        client.allows(grant_type),
    ) {
        Ok(())
    } else {
        Err(OAuthError::unauthorized_client(format!(
            "client {:?} is not registered for the {} grant",
            client.client_id,
            grant_type.as_str()
        )))
    }
}

/// Resolves the scope of a request against what `allowed`.
///
/// RFC 6749 §3.3: "If the client omits the scope parameter when requesting authorization, the
/// authorization server MUST either process the request using a pre-defined default value or
/// fail the request indicating an invalid scope." The default here is everything allowed.
pub fn resolve_scope(requested: Option<&str>, allowed: &Scope) -> Result<Scope, OAuthError> {
    let Some(raw) = requested else {
        return Ok(allowed.clone());
    };
    let scope = Scope::parse(raw).map_err(OAuthError::invalid_scope)?;
    if scope.is_empty() {
        return Ok(allowed.clone());
    }
    let missing = scope.missing_from(allowed);
    if crate::checks::check(
        "the scope lies within what the client may ask for",
        "RFC 6749 §3.3",
        missing.is_empty(),
    ) {
        Ok(scope)
    } else {
        Err(OAuthError::invalid_scope(format!(
            "not allowed: {}; allowed: {}",
            missing.join(" "),
            if allowed.is_empty() {
                "(none)".to_owned()
            } else {
                allowed.to_string()
            }
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_resolution_table() {
        let allowed = Scope::parse("a b c").unwrap();
        let cases: &[(Option<&str>, Result<&str, &str>)] = &[
            (None, Ok("a b c")),
            (Some("   "), Ok("a b c")),
            (Some("b"), Ok("b")),
            (Some("c a"), Ok("a c")),
            (Some("a d"), Err("invalid_scope")),
            (Some("a\"b"), Err("invalid_scope")),
        ];
        for (req, want) in cases {
            let got = resolve_scope(*req, &allowed)
                .map(|s| s.to_string())
                .map_err(|e| e.code());
            assert_eq!(got, want.map(str::to_owned), "{req:?}");
        }
    }

    #[test]
    fn unknown_grant_is_unsupported() {
        assert_eq!(
            TokenGrant::parse("urn:x").unwrap_err().code(),
            "unsupported_grant_type"
        );
    }
}
