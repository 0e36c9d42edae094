//! `POST /auth/register`: dynamic client registration (RFC 7591).
//!
//! RFC 7591 §3: "The client or developer sends an HTTP POST to the client registration
//! endpoint with a content type of "application/json"." Registration here is open to a
//! developer only: their initial access token as a Bearer token (§3), or their console session.
//! The client belongs to that developer, exactly as if made in the console.

use crate::admin::error::AdminError;
use crate::console::{Caller, caller, clients};
use crate::model::client::{AuthMethod, Client, ClientInput, GrantType};
use crate::oauth::OAuthError;
use crate::oauth::error::no_store;
use crate::secret::random_token;
use crate::security::throttle::Subject;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

/// The largest registration request accepted.
const MAX_BODY: usize = 64 * 1024;

/// The client metadata this server understands (RFC 7591 §2). "The authorization server MUST
/// ignore any client metadata sent by the client that it does not understand", so unknown
/// fields are not an error.
#[derive(Debug, Deserialize)]
struct Metadata {
    #[serde(default)]
    redirect_uris: Vec<String>,
    #[serde(default)]
    token_endpoint_auth_method: Option<String>,
    #[serde(default)]
    grant_types: Option<Vec<String>>,
    #[serde(default)]
    response_types: Option<Vec<String>>,
    #[serde(default)]
    client_name: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    /// §2: "jwks: Client's JSON Web Key Set [RFC7517] document value, which contains the
    /// client's public keys." For private_key_jwt.
    #[serde(default)]
    jwks: Option<Value>,
    /// §2: "jwks_uri: URL string referencing the client's JSON Web Key (JWK) Set".
    #[serde(default)]
    jwks_uri: Option<String>,
    /// A SMART app's launch URL, for an EHR launch.
    #[serde(default)]
    launch_uri: Option<String>,
    /// This server's own field: passed on so that the one rule (only an admin may mark a
    /// client first party) refuses it by name, rather than dropping it unseen.
    #[serde(default)]
    first_party: bool,
}

/// The handler.
pub async fn register(
    State(state): State<AppState>,
    address: crate::security::PeerAddress,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match handle(&state, &headers, &body, &address.0).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

async fn handle(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
    address: &str,
) -> Result<Response, OAuthError> {
    let caller = authenticate(state, headers, address).await?;
    if body.len() > MAX_BODY {
        return Err(OAuthError::PayloadTooLarge);
    }
    let json_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json_type {
        return Err(metadata_error(
            "the body must be JSON (Content-Type: application/json)",
        ));
    }
    let metadata: Metadata = serde_json::from_slice(body)
        .map_err(|e| metadata_error(format!("the body is not valid client metadata: {e}")))?;
    let input = to_input(metadata)?;
    let client_id = format!("dcr-{}", random_token(12)?);
    let saved = clients::put(state, &caller, &client_id, input, clients::Write::Create)
        .await
        .map_err(|e| match e {
            // §3.2.2: "invalid_redirect_uri: The value of one or more redirection URIs is
            // invalid." Every other field error is "invalid_client_metadata".
            AdminError::Invalid(f) if f.field.starts_with("redirect_uris") => {
                OAuthError::InvalidRedirectUri(format!("{}: {}", f.field, f.message).into())
            }
            AdminError::Invalid(f) => metadata_error(format!("{}: {}", f.field, f.message)),
            other => OAuthError::internal(other),
        })?;
    let mut response = (
        StatusCode::CREATED,
        Json(registration(&saved.client, saved.secret)),
    )
        .into_response();
    no_store(response.headers_mut());
    response
        .headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(response)
}

/// RFC 7591 §3: the developer behind an initial access token, or behind the console session.
/// The developer an initial access token or console session stands for. A wrong initial access
/// token counts against its handle from this address in the one failure throttle.
async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    address: &str,
) -> Result<Caller, OAuthError> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split_once(' ')
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        })
        .map(|(_, token)| token.trim());
    let found = match bearer {
        Some(token) => {
            let subject = Subject::Token(token.split('.').next().unwrap_or_default());
            state.throttle.check(subject, address)?;
            let found = caller::from_initial_token(state, token)
                .await
                .map_err(OAuthError::internal)?;
            if found.is_none() {
                state.throttle.fail(subject, address).await;
            }
            found
        }
        None => caller::from_console(state, headers)
            .await
            .map_err(OAuthError::internal)?,
    };
    found.ok_or_else(|| {
        OAuthError::invalid_token(
            "registration needs a developer's initial access token (Authorization: Bearer) or console session",
        )
    })
}

fn metadata_error(message: impl Into<String>) -> OAuthError {
    OAuthError::InvalidClientMetadata(message.into().into())
}

/// The metadata as the admin API's client input. §2: grant_types defaults to
/// "authorization_code", response_types to "code", token_endpoint_auth_method to
/// "client_secret_basic".
fn to_input(m: Metadata) -> Result<ClientInput, OAuthError> {
    let grants = m
        .grant_types
        .unwrap_or_else(|| vec!["authorization_code".into()]);
    for g in &grants {
        if serde_json::from_value::<GrantType>(Value::String(g.clone())).is_err() {
            return Err(metadata_error(format!(
                "grant_types: {g:?} is not supported; this server supports authorization_code, implicit, client_credentials, password, refresh_token and basic"
            )));
        }
    }
    // The default "code" belongs to the default grant; a client that registers only, say,
    // client_credentials has no response type at all.
    let responses = m.response_types.unwrap_or_else(|| {
        if grants.iter().any(|g| g == "authorization_code") {
            vec!["code".into()]
        } else {
            Vec::new()
        }
    });
    // §2.1: the grant types and response types must agree.
    for r in &responses {
        let needs = match r.as_str() {
            "code" => "authorization_code",
            "token" => "implicit",
            other => {
                return Err(metadata_error(format!(
                    "response_types: {other:?} is not supported; use \"code\" or \"token\""
                )));
            }
        };
        if !grants.iter().any(|g| g == needs) {
            return Err(metadata_error(format!(
                "response_types: {r:?} needs the grant type {needs:?} in grant_types"
            )));
        }
    }
    let method = m
        .token_endpoint_auth_method
        .unwrap_or_else(|| "client_secret_basic".into());
    if serde_json::from_value::<AuthMethod>(Value::String(method.clone())).is_err() {
        return Err(metadata_error(format!(
            "token_endpoint_auth_method: {method:?} is not supported; use client_secret_basic, client_secret_post, private_key_jwt or none"
        )));
    }
    let name = m.client_name.unwrap_or_else(|| "Registered client".into());
    let input = json!({
        "client_name": name,
        "token_endpoint_auth_method": method,
        "grant_types": grants,
        "redirect_uris": m.redirect_uris,
        "scope": m.scope.unwrap_or_default(),
        "first_party": m.first_party,
        "jwks": m.jwks,
        "jwks_uri": m.jwks_uri,
        "launch_uri": m.launch_uri,
    });
    serde_json::from_value(input).map_err(|e| metadata_error(e.to_string()))
}

/// RFC 7591 §3.2.1: the client information response.
fn registration(client: &Client, secret: Option<String>) -> Value {
    let grants: Vec<&str> = client.grant_types.iter().map(|g| g.as_str()).collect();
    let mut response_types = Vec::new();
    if client.allows(GrantType::AuthorizationCode) {
        response_types.push("code");
    }
    if client.allows(GrantType::Implicit) {
        response_types.push("token");
    }
    let mut body = json!({
        "client_id": client.client_id,
        "client_id_issued_at": client.created_at,
        "client_name": client.client_name,
        "redirect_uris": client.redirect_uris,
        "grant_types": grants,
        "response_types": response_types,
        "token_endpoint_auth_method": client.auth_method.as_str(),
        "scope": client.scope.to_string(),
    });
    if let Some(jwks) = &client.jwks {
        body["jwks"] = serde_json::to_value(jwks).unwrap_or_default();
    }
    if let Some(uri) = &client.jwks_uri {
        body["jwks_uri"] = uri.as_str().into();
    }
    if let Some(uri) = &client.launch_uri {
        body["launch_uri"] = uri.as_str().into();
    }
    if let Some(secret) = secret {
        body["client_secret"] = secret.into();
        // §3.2.1: "client_secret_expires_at REQUIRED if "client_secret" is issued. […] 0 if it
        // will not expire."
        body["client_secret_expires_at"] = 0.into();
    }
    body
}
