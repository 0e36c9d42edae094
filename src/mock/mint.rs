//! `POST /mock/token`: a token without a browser. An access or refresh token is stored like
//! any other, so introspection, revocation and the demo API treat it as real; an ID token is
//! signed alone (nothing of it is stored, as for any ID token).

use super::{MockError, MockJson, mock_of};
use crate::admin::auth::Admin;
use crate::model::scope::Scope;
use crate::oauth::id_token::{self, IdFacts};
use crate::oauth::tokens::{self, Grant, Overrides, RefreshFacts};
use crate::state::AppState;
use crate::storage;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// Claims a caller may not set: the registered ones this server sets itself, and the SMART
/// launch context, which only a launch gives.
const RESERVED: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "exp",
    "nbf",
    "iat",
    "jti",
    "client_id",
    "scope",
    "azp",
    "auth_time",
    "at_hash",
    "active",
    "token_type",
    "username",
    tokens::MOCK_CLAIM,
    "patient",
    "encounter",
    "fhirContext",
    "fhirUser",
    "need_patient_banner",
    "smart_style_url",
];
/// The longest lifetime a minted token may have: a year.
const MAX_TTL: i64 = 365 * 24 * 3600;

/// What to mint.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MintRequest {
    pub client_id: String,
    /// A user of this server; none for a token of the client itself.
    pub sub: Option<String>,
    /// Default: the client's registered scope.
    pub scope: Option<String>,
    pub claims: Option<Map<String, Value>>,
    /// Seconds; default: the client's lifetime for this kind.
    pub expires_in: Option<i64>,
    /// `access` (default), `refresh` or `id`.
    pub kind: Option<String>,
    /// For an ID token.
    pub nonce: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Access,
    Refresh,
    Id,
}

fn kind_of(raw: Option<&str>) -> Result<Kind, MockError> {
    match raw.unwrap_or("access") {
        "access" | "access_token" => Ok(Kind::Access),
        "refresh" | "refresh_token" => Ok(Kind::Refresh),
        "id" | "id_token" => Ok(Kind::Id),
        _ => Err(MockError::invalid("kind: access, refresh or id")),
    }
}

pub fn check_claims(claims: &Option<Map<String, Value>>) -> Result<(), MockError> {
    let Some(claims) = claims else { return Ok(()) };
    if let Some(name) = claims.keys().find(|k| RESERVED.contains(&k.as_str())) {
        return Err(MockError::invalid(&format!(
            "claims: {name} is set by the server; use the field of its own (sub, scope, expires_in) or another name"
        )));
    }
    if claims.len() > 50 || Value::Object(claims.clone()).to_string().len() > 8192 {
        return Err(MockError::invalid(
            "claims: at most 50 claims and 8 KiB in all",
        ));
    }
    Ok(())
}

/// `POST /mock/token`.
pub async fn mint(
    _admin: Admin,
    State(state): State<AppState>,
    MockJson(request): MockJson<MintRequest>,
) -> Result<Response, MockError> {
    mock_of(&state)?;
    let kind = kind_of(request.kind.as_deref())?;
    check_claims(&request.claims)?;
    let client = state
        .cache
        .client(&request.client_id)
        .await
        .map_err(MockError::internal)?
        .ok_or_else(|| {
            MockError::invalid(&format!("client_id: no client {}", request.client_id))
        })?;
    let scope = match &request.scope {
        Some(raw) => Scope::parse(raw).map_err(|e| MockError::invalid(&format!("scope: {e}")))?,
        None => client.scope.clone(),
    };
    if let Some(ttl) = request.expires_in
        && !(1..=MAX_TTL).contains(&ttl)
    {
        return Err(MockError::invalid("expires_in: 1 to 31536000 seconds"));
    }
    let now = state.clock.now();
    // A stored token names a user of this server; an ID token, stored nowhere, any subject.
    if kind != Kind::Id
        && let Some(sub) = &request.sub
        && storage::users::get(&state.db, sub)
            .await
            .map_err(MockError::internal)?
            .is_none()
    {
        return Err(MockError::invalid(&format!(
            "sub: no user {sub}; add one to the seed file or with PUT /User/{sub}"
        )));
    }
    let username = request.sub.as_deref();
    let (token, expires_in) = match kind {
        Kind::Access => {
            let minted = tokens::mint_with(
                &state,
                Grant {
                    client: &client,
                    username,
                    scope: &scope,
                    granted: &scope,
                    family_id: tokens::new_family()?,
                    refresh: None,
                    context: None,
                },
                Overrides {
                    ttl: request.expires_in,
                    claims: request.claims.clone(),
                },
            )?;
            let response = tokens::commit(&state, minted).await?;
            (response.access_token, response.expires_in)
        }
        Kind::Refresh => {
            let ttl = request.expires_in.unwrap_or(client.refresh_token_ttl);
            let (value, row) = tokens::new_refresh(RefreshFacts {
                client_id: &client.client_id,
                username,
                scope: scope.to_string(),
                family_id: tokens::new_family()?,
                issued_at: now,
                expires_at: now + ttl,
                context: None,
                claims: request
                    .claims
                    .clone()
                    .filter(|c| !c.is_empty())
                    .map(|c| Value::Object(c).to_string()),
            })?;
            state
                .writer
                .insert(vec![row])
                .await
                .map_err(MockError::internal)?;
            (value, ttl)
        }
        Kind::Id => {
            let sub =
                username.ok_or_else(|| MockError::invalid("sub: an ID token needs a subject"))?;
            let ttl = request.expires_in.unwrap_or(client.access_token_ttl);
            let value = id_token::sign(
                &state,
                IdFacts {
                    client_id: &client.client_id,
                    username: sub,
                    auth_time: now,
                    nonce: request.nonce.as_deref(),
                    access_token: None,
                    ttl,
                    fhir_user: None,
                    claims: request.claims.clone(),
                },
            )?;
            (value, ttl)
        }
    };
    let name = match kind {
        Kind::Access => "access_token",
        Kind::Refresh => "refresh_token",
        Kind::Id => "id_token",
    };
    let mut body = json!({
        "kind": name.trim_end_matches("_token"),
        "token": token,
        name: token,
        "client_id": client.client_id,
        "sub": username.unwrap_or(&client.client_id),
        "scope": scope.to_string(),
        "expires_in": expires_in,
        "expires_at": now + expires_in,
    });
    if kind == Kind::Access {
        body["token_type"] = json!("Bearer");
    }
    let mut response = Json(body).into_response();
    crate::oauth::error::no_store(response.headers_mut());
    Ok(response)
}
