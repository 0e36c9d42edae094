//! The Client resource (SPEC "Client"; field names from RFC 7591 §2).

use super::key_set::{absolute_url, public_key_set};
use super::scope::Scope;
use super::{FieldError, check_same_id, validate_id, validate_text};
use jsonwebtoken::jwk::JwkSet;
use serde::{Deserialize, Serialize};

/// How a client may obtain tokens. `basic` is this product's name for HTTP Basic straight to the
/// demo API; `implicit` means `response_type=token`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    /// HTTP Basic with `client_id:client_secret` straight to the demo API.
    Basic,
    /// RFC 6749 §4.4.
    ClientCredentials,
    /// RFC 6749 §4.3 (legacy: RFC 9700 §2.4 says it MUST NOT be used).
    Password,
    /// RFC 6749 §4.1.
    AuthorizationCode,
    /// RFC 6749 §4.2 (legacy: RFC 9700 §2.1.2).
    Implicit,
    /// RFC 6749 §6.
    RefreshToken,
    /// RFC 8628: the device authorization grant.
    #[serde(rename = "urn:ietf:params:oauth:grant-type:device_code")]
    DeviceCode,
}

impl GrantType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            GrantType::Basic => "basic",
            GrantType::ClientCredentials => "client_credentials",
            GrantType::Password => "password",
            GrantType::AuthorizationCode => "authorization_code",
            GrantType::Implicit => "implicit",
            GrantType::RefreshToken => "refresh_token",
            GrantType::DeviceCode => DEVICE_CODE_GRANT,
        }
    }
}

/// RFC 8628 §3.4: the `grant_type` of a device access token request.
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// How the client authenticates at the token endpoint (RFC 7591 §2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// HTTP Basic (RFC 6749 §2.3.1). A secret client may also use `client_secret_post`.
    #[default]
    ClientSecretBasic,
    /// Credentials in the form body. A secret client may also use Basic.
    ClientSecretPost,
    /// A public client: no secret.
    None,
    /// RFC 7523 §2.2 (SMART Backend Services): a JWT signed with the client's private key,
    /// verified with the public keys it registered (`jwks` or `jwks_uri`). No secret.
    PrivateKeyJwt,
}

impl AuthMethod {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::None => "none",
            AuthMethod::PrivateKeyJwt => "private_key_jwt",
        }
    }
}

/// The format of the access tokens a client receives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenFormat {
    /// RFC 9068 JWT (`typ: at+jwt`), signed with the server's active key.
    #[default]
    Jwt,
    /// A random reference, stored hashed; introspection tells what it means.
    Opaque,
}

impl TokenFormat {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenFormat::Jwt => "jwt",
            TokenFormat::Opaque => "opaque",
        }
    }
}

/// A stored client.
#[derive(Clone, Debug, PartialEq)]
pub struct Client {
    /// The identifier (RFC 6749 §2.2).
    pub client_id: String,
    /// A name people read.
    pub client_name: String,
    /// The argon2 PHC string of the secret; `None` for public clients.
    pub secret_hash: Option<String>,
    /// The token endpoint authentication method.
    pub auth_method: AuthMethod,
    /// What the client may do.
    pub grant_types: Vec<GrantType>,
    /// Registered redirect URIs, matched exactly.
    pub redirect_uris: Vec<String>,
    /// The scopes the client may ask for.
    pub scope: Scope,
    /// Skips the consent page.
    pub first_party: bool,
    /// JWT or opaque access tokens.
    pub access_token_format: TokenFormat,
    /// Access token lifetime, seconds.
    pub access_token_ttl: i64,
    /// Refresh token lifetime, seconds.
    pub refresh_token_ttl: i64,
    /// PKCE is required (always for public clients).
    pub require_pkce: bool,
    /// PKCE `plain` is accepted (otherwise only S256).
    pub allow_plain_pkce: bool,
    /// Each refresh returns a new refresh token (always for public clients).
    pub rotate_refresh_tokens: bool,
    /// For `private_key_jwt`: the client's public keys, inline (RFC 7591 §2 `jwks`)…
    pub jwks: Option<JwkSet>,
    /// …or at a URL (`jwks_uri`).
    pub jwks_uri: Option<String>,
    /// The app's launch URL for an EHR launch (SMART App Launch §2.0.1).
    pub launch_uri: Option<String>,
    /// The developer who owns it; `None` for clients of the system (demo data, seed).
    pub owner: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
}

impl Client {
    /// A public client holds no secret (RFC 6749 §2.1).
    pub fn is_public(&self) -> bool {
        self.auth_method == AuthMethod::None
    }

    /// True for a client that authenticates with a secret (Basic or in the body).
    pub fn holds_secret(&self) -> bool {
        matches!(
            self.auth_method,
            AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost
        )
    }

    /// True when the client holds `grant`.
    pub fn allows(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }

    /// The public view of the client, as the admin API returns it: never the secret.
    pub fn view(&self) -> ClientView {
        ClientView {
            client_id: self.client_id.clone(),
            client_name: self.client_name.clone(),
            token_endpoint_auth_method: self.auth_method,
            grant_types: self.grant_types.clone(),
            redirect_uris: self.redirect_uris.clone(),
            scope: self.scope.to_string(),
            first_party: self.first_party,
            access_token_format: self.access_token_format,
            access_token_ttl: self.access_token_ttl,
            refresh_token_ttl: self.refresh_token_ttl,
            require_pkce: self.require_pkce,
            allow_plain_pkce: self.allow_plain_pkce,
            rotate_refresh_tokens: self.rotate_refresh_tokens,
            has_secret: self.secret_hash.is_some(),
            jwks: self.jwks.clone(),
            jwks_uri: self.jwks_uri.clone(),
            launch_uri: self.launch_uri.clone(),
            owner: self.owner.clone(),
            created_at: crate::clock::rfc3339(self.created_at),
            updated_at: crate::clock::rfc3339(self.updated_at),
        }
    }
}

/// The client as the admin REST API shows it. The secret is write-only and never appears.
#[derive(Clone, Debug, Serialize)]
pub struct ClientView {
    pub client_id: String,
    pub client_name: String,
    pub token_endpoint_auth_method: AuthMethod,
    pub grant_types: Vec<GrantType>,
    pub redirect_uris: Vec<String>,
    pub scope: String,
    pub first_party: bool,
    pub access_token_format: TokenFormat,
    pub access_token_ttl: i64,
    pub refresh_token_ttl: i64,
    pub require_pkce: bool,
    pub allow_plain_pkce: bool,
    pub rotate_refresh_tokens: bool,
    pub has_secret: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks: Option<JwkSet>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub launch_uri: Option<String>,
    pub owner: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// The client as the admin REST API and the seed file accept it.
///
/// Unknown fields are refused so that a typo is reported, not ignored; the read-only fields of
/// [`ClientView`] are accepted and ignored, so a `GET` body can be edited and `PUT` back.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientInput {
    #[serde(default)]
    pub client_id: Option<String>,
    pub client_name: String,
    /// Write-only. When omitted on creation of a confidential client, one is generated and shown
    /// once in the response.
    #[serde(default)]
    pub client_secret: Option<String>,
    #[serde(default)]
    pub token_endpoint_auth_method: AuthMethod,
    pub grant_types: Vec<GrantType>,
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub first_party: bool,
    #[serde(default)]
    pub access_token_format: TokenFormat,
    #[serde(default = "default_access_ttl")]
    pub access_token_ttl: i64,
    #[serde(default = "default_refresh_ttl")]
    pub refresh_token_ttl: i64,
    #[serde(default)]
    pub require_pkce: Option<bool>,
    #[serde(default)]
    pub allow_plain_pkce: bool,
    #[serde(default)]
    pub rotate_refresh_tokens: Option<bool>,
    /// For `private_key_jwt`: a JWK Set of public keys, or…
    #[serde(default)]
    pub jwks: Option<serde_json::Value>,
    /// …the URL that serves it.
    #[serde(default)]
    pub jwks_uri: Option<String>,
    /// The app's SMART launch URL.
    #[serde(default)]
    pub launch_uri: Option<String>,
    // Read-only fields of the view, ignored on input.
    #[serde(default, rename = "has_secret")]
    _has_secret: Option<serde::de::IgnoredAny>,
    #[serde(default, rename = "owner")]
    _owner: Option<serde::de::IgnoredAny>,
    #[serde(default, rename = "created_at")]
    _created_at: Option<serde::de::IgnoredAny>,
    #[serde(default, rename = "updated_at")]
    _updated_at: Option<serde::de::IgnoredAny>,
}

fn default_access_ttl() -> i64 {
    3600
}

fn default_refresh_ttl() -> i64 {
    86_400
}

/// A client that passed validation, ready to store. The secret is still plain text here; the
/// caller hashes it off the async workers.
#[derive(Clone, Debug)]
pub struct ValidClient {
    /// Everything but the secret hash (`secret_hash` is `None` here).
    pub client: Client,
    /// The plain secret given in the input, if any.
    pub secret: Option<crate::secret::Secret>,
}

/// Longest lifetime a token may be given: one year.
const MAX_TTL: i64 = 366 * 86_400;

impl ClientInput {
    /// Validates the input for the client at `path_id`, at time `now`.
    /// `issuer` is the server's own issuer: its origin may be plain http (see
    /// [`validate_redirect_uri`]).
    pub fn validate(
        self,
        path_id: &str,
        now: i64,
        issuer: &str,
    ) -> Result<ValidClient, FieldError> {
        check_same_id("client_id", path_id, self.client_id.as_deref())?;
        validate_id("client_id", path_id)?;
        validate_text("client_name", &self.client_name, true)?;
        if self.grant_types.is_empty() {
            return Err(FieldError::new(
                "grant_types",
                "must name at least one grant type",
            ));
        }
        let public = self.token_endpoint_auth_method == AuthMethod::None;
        match (&self.client_secret, public) {
            (Some(_), true) => {
                return Err(FieldError::new(
                    "client_secret",
                    "a public client (token_endpoint_auth_method \"none\") holds no secret",
                ));
            }
            (Some(s), false) => {
                validate_text("client_secret", s, true)?;
                if s.len() < 8 {
                    return Err(FieldError::new(
                        "client_secret",
                        "must be at least 8 characters",
                    ));
                }
            }
            _ => {}
        }
        let by_key = self.token_endpoint_auth_method == AuthMethod::PrivateKeyJwt;
        if by_key && self.client_secret.is_some() {
            return Err(FieldError::new(
                "client_secret",
                "a private_key_jwt client authenticates with its key and holds no secret",
            ));
        }
        let jwks = self
            .jwks
            .map(|value| public_key_set("jwks", value))
            .transpose()?;
        if let Some(uri) = &self.jwks_uri {
            absolute_url("jwks_uri", uri)?;
        }
        match (by_key, jwks.is_some(), self.jwks_uri.is_some()) {
            (true, false, false) => {
                return Err(FieldError::new(
                    "jwks",
                    "a private_key_jwt client needs its public keys: jwks or jwks_uri (RFC 7591 section 2)",
                ));
            }
            (_, true, true) => {
                return Err(FieldError::new(
                    "jwks_uri",
                    "send jwks or jwks_uri, not both (RFC 7591 section 2)",
                ));
            }
            (false, true, _) | (false, _, true) => {
                return Err(FieldError::new(
                    "token_endpoint_auth_method",
                    "keys (jwks, jwks_uri) are used only with private_key_jwt",
                ));
            }
            _ => {}
        }
        if let Some(uri) = &self.launch_uri {
            absolute_url("launch_uri", uri)?;
        }
        if by_key && self.grant_types.contains(&GrantType::Basic) {
            return Err(FieldError::new(
                "grant_types",
                "\"basic\" needs a client secret; a private_key_jwt client has none",
            ));
        }
        if public && self.grant_types.contains(&GrantType::Basic) {
            return Err(FieldError::new(
                "grant_types",
                "\"basic\" needs a client secret; a public client has none",
            ));
        }
        if public && self.grant_types.contains(&GrantType::ClientCredentials) {
            return Err(FieldError::new(
                "grant_types",
                "\"client_credentials\" needs a client secret; a public client has none",
            ));
        }
        if public && self.require_pkce == Some(false) {
            return Err(FieldError::new(
                "require_pkce",
                "is always true for a public client",
            ));
        }
        if public && self.rotate_refresh_tokens == Some(false) {
            return Err(FieldError::new(
                "rotate_refresh_tokens",
                "is always true for a public client (RFC 9700 §4.14.2)",
            ));
        }
        for (i, uri) in self.redirect_uris.iter().enumerate() {
            validate_redirect_uri(uri, issuer)
                .map_err(|m| FieldError::new(format!("redirect_uris[{i}]"), m))?;
        }
        let needs_redirect = self
            .grant_types
            .iter()
            .any(|g| matches!(g, GrantType::AuthorizationCode | GrantType::Implicit));
        if needs_redirect && self.redirect_uris.is_empty() {
            return Err(FieldError::new(
                "redirect_uris",
                "authorization_code and implicit need at least one redirect URI",
            ));
        }
        validate_text("scope", &self.scope, false)?;
        let scope = Scope::parse(&self.scope).map_err(|m| FieldError::new("scope", m))?;
        for (field, ttl) in [
            ("access_token_ttl", self.access_token_ttl),
            ("refresh_token_ttl", self.refresh_token_ttl),
        ] {
            if !(1..=MAX_TTL).contains(&ttl) {
                return Err(FieldError::new(
                    field,
                    format!("must be between 1 and {MAX_TTL} seconds"),
                ));
            }
        }
        let mut grant_types = self.grant_types;
        grant_types.dedup();
        Ok(ValidClient {
            client: Client {
                client_id: path_id.to_owned(),
                client_name: self.client_name.trim().to_owned(),
                secret_hash: None,
                auth_method: self.token_endpoint_auth_method,
                grant_types,
                redirect_uris: self.redirect_uris,
                scope,
                first_party: self.first_party,
                access_token_format: self.access_token_format,
                access_token_ttl: self.access_token_ttl,
                refresh_token_ttl: self.refresh_token_ttl,
                require_pkce: public || self.require_pkce.unwrap_or(true),
                allow_plain_pkce: self.allow_plain_pkce,
                rotate_refresh_tokens: public || self.rotate_refresh_tokens.unwrap_or(false),
                jwks,
                jwks_uri: self.jwks_uri,
                launch_uri: self.launch_uri,
                owner: None,
                created_at: now,
                updated_at: now,
            },
            secret: self.client_secret.map(crate::secret::Secret::new),
        })
    }
}

/// RFC 6749 §3.1.2: "The redirection endpoint URI MUST be an absolute URI […] The endpoint URI
/// MUST NOT include a fragment component." RFC 9700 §2.6 adds that plain `http` is only for
/// loopback addresses. One more origin may use plain http: the server's own (`issuer`), so the
/// sandbox's callback works when the sandbox itself is served over http.
pub fn validate_redirect_uri(raw: &str, issuer: &str) -> Result<(), String> {
    if raw.len() > super::MAX_FIELD_LEN {
        return Err(format!("must be at most {} bytes", super::MAX_FIELD_LEN));
    }
    let url = url::Url::parse(raw).map_err(|e| format!("{raw:?} is not an absolute URI ({e})"))?;
    if raw.contains('#') {
        return Err(format!(
            "{raw:?} has a fragment, which RFC 6749 §3.1.2 forbids"
        ));
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&url) || same_origin(&url, issuer) => Ok(()),
        "http" => Err(format!(
            "{raw:?} uses plain http on a host that is not loopback; use https (RFC 9700 §2.6)"
        )),
        "javascript" | "data" | "file" | "vbscript" => Err(format!(
            "{raw:?} uses a scheme that is never a redirect target"
        )),
        _ => Ok(()), // a private-use scheme for a native app (RFC 8252 §7.1)
    }
}

fn same_origin(url: &url::Url, issuer: &str) -> bool {
    url::Url::parse(issuer).is_ok_and(|i| i.origin() == url.origin())
}

/// True for `localhost`, `127.0.0.0/8` and `[::1]` (RFC 8252 §7.3, §8.3).
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: serde_json::Value) -> ClientInput {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn redirect_uri_table() {
        let cases = [
            ("https://app.example/cb", true),
            ("http://127.0.0.1:8080/cb", true),
            ("http://localhost/cb", true),
            ("http://[::1]:9000/cb", true),
            ("com.example.app:/cb", true),
            ("/relative/cb", false),
            ("https://app.example/cb#frag", false),
            ("https://app.example/cb#", false),
            ("http://app.example/cb", false),
            ("http://sandbox.internal:3000/sandbox/callback", true),
            ("http://sandbox.internal:3001/sandbox/callback", false),
            ("javascript:alert(1)", false),
            ("not a uri", false),
        ];
        for (uri, ok) in cases {
            assert_eq!(
                validate_redirect_uri(uri, "http://sandbox.internal:3000").is_ok(),
                ok,
                "{uri}"
            );
        }
    }

    #[test]
    fn public_client_forces_pkce_and_rotation() {
        let v = input(serde_json::json!({
            "client_name": "SPA", "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"],
            "redirect_uris": ["http://127.0.0.1/cb"]
        }))
        .validate("spa", 0, "http://127.0.0.1:3000")
        .unwrap();
        assert!(v.client.require_pkce);
        assert!(v.client.rotate_refresh_tokens);
        assert!(v.client.is_public());
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (
                serde_json::json!({"client_name": " ", "grant_types": ["password"]}),
                "client_name",
            ),
            (
                serde_json::json!({"client_name": "x", "grant_types": []}),
                "grant_types",
            ),
            (
                serde_json::json!({"client_name": "x", "grant_types": ["authorization_code"], "redirect_uris": ["https://a/cb", "cb"]}),
                "redirect_uris[1]",
            ),
            (
                serde_json::json!({"client_name": "x", "grant_types": ["password"], "scope": "a\"b"}),
                "scope",
            ),
            (
                serde_json::json!({"client_name": "x", "grant_types": ["password"], "access_token_ttl": 0}),
                "access_token_ttl",
            ),
            (
                serde_json::json!({"client_name": "x", "grant_types": ["client_credentials"], "token_endpoint_auth_method": "none"}),
                "grant_types",
            ),
            (
                serde_json::json!({"client_id": "other", "client_name": "x", "grant_types": ["password"]}),
                "client_id",
            ),
        ];
        for (json, field) in cases {
            let err = input(json.clone())
                .validate("id", 0, "http://127.0.0.1:3000")
                .unwrap_err();
            assert_eq!(err.field, field, "{json}");
        }
    }

    #[test]
    fn unknown_fields_are_refused_but_view_fields_accepted() {
        let bad: Result<ClientInput, _> =
            serde_json::from_value(serde_json::json!({"client_name": "x", "grant_typs": []}));
        assert!(bad.is_err());
        let ok: Result<ClientInput, _> = serde_json::from_value(serde_json::json!({
            "client_name": "x", "grant_types": ["password"], "has_secret": true,
            "owner": null, "created_at": "2026-01-01T00:00:00Z"
        }));
        assert!(ok.is_ok());
    }
}
