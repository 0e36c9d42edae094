//! What the console shows and sends, as plain data that crosses between server and browser.

use serde::{Deserialize, Serialize};

/// The signed-in console account.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub username: String,
    pub is_admin: bool,
}

/// A learner workspace: the account the tutorial opened for this browser, or the developer
/// account signed in to the console.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Workspace {
    pub username: String,
    /// The account's password, in the one answer that set it (a new workspace, or a new
    /// password for it); the browser keeps it for the tutorial's admin requests.
    pub password: Option<String>,
    /// When the workspace and all it owns are deleted (RFC 3339, UTC); none for a lasting
    /// developer account.
    pub expires_at: Option<String>,
}

/// A client as the registration form edits it (SPEC "Client", RFC 7591 names).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientForm {
    pub client_id: String,
    pub client_name: String,
    /// `client_secret_basic`, `client_secret_post`, `private_key_jwt` or `none` (public).
    pub token_endpoint_auth_method: String,
    pub grant_types: Vec<String>,
    pub redirect_uris: Vec<String>,
    pub scope: String,
    pub first_party: bool,
    /// `jwt` or `opaque`.
    pub access_token_format: String,
    pub access_token_ttl: i64,
    pub refresh_token_ttl: i64,
    pub require_pkce: bool,
    pub allow_plain_pkce: bool,
    pub rotate_refresh_tokens: bool,
    /// For `private_key_jwt`: the client's public keys as JWK Set JSON, or empty.
    #[serde(default)]
    pub jwks: String,
    /// For `private_key_jwt`: where the client publishes its key set, or empty.
    #[serde(default)]
    pub jwks_uri: String,
    /// A SMART app's launch URL (EHR launch), or empty.
    #[serde(default)]
    pub launch_uri: String,
}

impl Default for ClientForm {
    fn default() -> Self {
        Self {
            client_id: String::new(),
            client_name: String::new(),
            token_endpoint_auth_method: "client_secret_basic".into(),
            grant_types: vec!["client_credentials".into()],
            redirect_uris: Vec::new(),
            scope: "patient.read".into(),
            first_party: false,
            access_token_format: "jwt".into(),
            access_token_ttl: 3600,
            refresh_token_ttl: 86_400,
            require_pkce: true,
            allow_plain_pkce: false,
            rotate_refresh_tokens: true,
            jwks: String::new(),
            jwks_uri: String::new(),
            launch_uri: String::new(),
        }
    }
}

impl ClientForm {
    /// A public client holds no secret.
    pub fn is_public(&self) -> bool {
        self.token_endpoint_auth_method == "none"
    }
}

/// A stored client, as its owner sees it: never the secret.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientSummary {
    pub form: ClientForm,
    pub has_secret: bool,
    pub owner: Option<String>,
    pub created_at: String,
}

/// What a save returns: the client, and the secret when one was generated, shown this once.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedClient {
    pub client: ClientSummary,
    pub secret: Option<String>,
}

/// A demo user as the form edits it; the password is write-only.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UserForm {
    pub username: String,
    /// Empty keeps the current password.
    pub password: String,
    pub name: String,
    pub email: String,
    /// The user's FHIR resource (SMART `fhirUser`): `Practitioner/prac-1`; empty for none.
    #[serde(default)]
    pub fhir_user: String,
}

/// A user as a list shows it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UserSummary {
    pub username: String,
    pub name: Option<String>,
    pub email: Option<String>,
    #[serde(default)]
    pub fhir_user: Option<String>,
    pub roles: Vec<String>,
    pub owner: Option<String>,
    pub disabled: bool,
}

/// An access policy as the editor edits it (SPEC "AccessPolicy"); empty fields are unset.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PolicyForm {
    pub id: String,
    pub description: String,
    pub methods: Vec<String>,
    pub path: String,
    pub client_ids: Vec<String>,
    pub usernames: Vec<String>,
    pub scopes: Vec<String>,
    /// `basic`, `bearer` or empty for either.
    pub auth: String,
    /// The outside issuers whose tokens it admits; empty: this server's own tokens only.
    #[serde(default)]
    pub issuers: Vec<String>,
}

/// An EHR launch the console asks for (`POST /Launch`): the app, the patient open in the EHR,
/// and optionally the encounter and the user's FHIR resource; empty fields are unset.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LaunchForm {
    pub client_id: String,
    pub patient: String,
    pub encounter: String,
    pub fhir_user: String,
}

/// A launch made: the app's launch URL with `iss` and `launch`, to open.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LaunchMade {
    pub launch_url: String,
    pub expires_in: i64,
}

/// A trusted issuer as the console edits it (SPEC "TrustedIssuer"); empty fields are unset.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TrustForm {
    pub id: String,
    pub description: String,
    pub issuer: String,
    pub audiences: Vec<String>,
    pub jwks_uri: String,
    /// An inline JWK Set, as JSON text.
    pub jwks: String,
    pub pem: String,
    /// Write-only: empty keeps the secret the trust has.
    pub secret: String,
    pub has_secret: bool,
    pub algorithms: Vec<String>,
    pub clock_skew_seconds: i64,
    pub cache_ttl_seconds: i64,
    pub user_claim: String,
    pub client_claim: String,
    pub scope_claim: String,
    /// RFC 7662, for the issuer's opaque tokens (an admin's trusts only).
    #[serde(default)]
    pub introspection_endpoint: String,
    #[serde(default)]
    pub introspection_client_id: String,
    /// Write-only: empty keeps the one the trust has.
    #[serde(default)]
    pub introspection_client_secret: String,
    #[serde(default)]
    pub has_introspection_secret: bool,
    #[serde(default)]
    pub introspection_cache_seconds: i64,
}

/// A request to test against the access policies.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DebugRequest {
    pub method: String,
    pub path: String,
    /// The whole Authorization header value: `Bearer …` or `Basic …`.
    pub authorization: String,
}

/// How one field of one policy compared with the request.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldLine {
    pub field: String,
    pub matched: bool,
    pub detail: String,
}

/// One policy's verdict.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PolicyVerdict {
    pub policy_id: String,
    pub allowed: bool,
    pub fields: Vec<FieldLine>,
}

/// What the resource server decided, and why.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DebugResult {
    /// The status the demo API would answer.
    pub status: u16,
    pub allowed: bool,
    /// One line: who was asking, and the verdict.
    pub summary: String,
    pub verdicts: Vec<PolicyVerdict>,
}

/// What the token preview is asked: the tokens one of the caller's clients would get through
/// `grant` for a user (none for `client_credentials`) and a scope.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PreviewRequest {
    pub client_id: String,
    /// A grant that issues tokens: `authorization_code`, the device code grant, `password`,
    /// `implicit` or `client_credentials`.
    pub grant: String,
    /// The resource owner; empty for `client_credentials`.
    pub username: String,
    /// The scope asked for; empty asks for the client's whole scope, as the server does.
    pub scope: String,
}

/// One token of a preview, decoded: a JWT's header and claims, and for every token what
/// introspection would answer about it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PreviewToken {
    pub is_jwt: bool,
    pub header: Vec<crate::sandbox::wire::ClaimLine>,
    pub claims: Vec<crate::sandbox::wire::ClaimLine>,
    /// Introspection's answer (RFC 7662 §2.2) to the client that holds it, as pretty JSON;
    /// empty for an ID token, which is never introspected.
    pub introspection: String,
}

/// What the server would issue, decoded, and what it checked first; nothing was issued.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TokenPreview {
    /// The grant, as its `grant_type` (or `implicit`).
    pub grant: String,
    /// The scope the tokens would carry.
    pub scope: String,
    /// The checks the server ran, in order, each with the RFC behind it.
    pub checks: Vec<crate::sandbox::wire::CheckLine>,
    /// Where and how the server would refuse, when a check failed: the status line and body
    /// of the token endpoint's answer, or the sign-in page's words. Nothing else is set then.
    pub refusal: Option<String>,
    /// The answer that would carry the tokens, as pretty JSON with each token's value left out.
    pub response: String,
    pub access_token: Option<PreviewToken>,
    pub refresh_token: Option<PreviewToken>,
    pub id_token: Option<PreviewToken>,
    /// The userinfo endpoint's answer to the access token: status line and body.
    pub userinfo: String,
    /// Why a token is missing, or what the preview could not know.
    pub notes: Vec<String>,
}

/// A console failure: the HTTP status it deserves, and a message that names the field at fault
/// when there is one. It is also the console's server functions' error type: it crosses as
/// JSON (`{"status":404,"message":…}`), so the page reads the status, never parses text.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Failure {
    pub status: u16,
    pub message: String,
}

impl Failure {
    /// A failure the request caused (400).
    pub fn bad(message: impl Into<String>) -> Self {
        Self {
            status: 400,
            message: message.into(),
        }
    }

    /// A failure of the server (500).
    pub fn server(message: impl Into<String>) -> Self {
        Self {
            status: 500,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl leptos::server_fn::error::FromServerFnError for Failure {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use crate::sandbox::error::SandboxError;
        // One mapping for every server function: the sandbox's error says which side failed.
        let sandbox = SandboxError::from_server_fn_error(value);
        let status = match &sandbox {
            SandboxError::Refused(_) => 400,
            SandboxError::Server(_) => 500,
            // In the browser: the call did not get through; no status was answered.
            SandboxError::Transport(_) => 0,
        };
        Self {
            status,
            message: sandbox.to_string(),
        }
    }
}

#[cfg(test)]
mod failure_tests {
    use super::Failure;
    use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};

    #[test]
    fn a_failure_crosses_as_its_status_and_message() {
        let f = Failure {
            status: 409,
            message: "client_id: is taken".into(),
        };
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(json, r#"{"status":409,"message":"client_id: is taken"}"#);
        assert_eq!(serde_json::from_str::<Failure>(&json).unwrap(), f);
        assert_eq!(f.to_string(), "client_id: is taken");
        // Arguments the server could not read are the caller's fault.
        let args = Failure::from_server_fn_error(ServerFnErrorErr::Args("bad".into()));
        assert_eq!(args.status, 400);
        let server = Failure::from_server_fn_error(ServerFnErrorErr::ServerError("x".into()));
        assert_eq!(server.status, 500);
    }
}
