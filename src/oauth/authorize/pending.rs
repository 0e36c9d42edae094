//! Authorization requests waiting for the person to sign in, pick a patient or consent.
//!
//! They live in the database for ten minutes (`storage::pending`), keyed by a random id that
//! the login and consent forms carry, so that any node of the issuer can serve the next page of
//! a flow another node started, and a restart loses nothing. Each form also carries a CSRF token
//! for that id ([`crate::security::csrf`]), so a form only works in the browser it was shown in.
//!
//! The request is stored as JSON with its client's id, not the client: a node reads the client
//! again, so a client deleted or changed meanwhile is seen as it is now.

use super::request::{AuthorizeRequest, DeviceRequest, Prompt, ResponseType, Target};
use crate::model::scope::Scope;
use crate::oauth::pkce;
use crate::secret::random_token;
use crate::state::AppState;
use crate::storage::pending::{self, PendingRow};
use crate::storage::{self, StorageError};
use serde::{Deserialize, Serialize};

/// How long a pending request lives, in seconds.
pub const PENDING_TTL: i64 = 600;

/// A request in progress.
#[derive(Clone, Debug)]
pub struct Pending {
    pub request: AuthorizeRequest,
    pub created_at: i64,
    /// Who signed in for it, and when they authenticated.
    pub user: Option<(String, i64)>,
}

/// A request as stored: every field but the client, which is named.
#[derive(Serialize, Deserialize)]
struct Stored {
    client_id: String,
    response_type: ResponseType,
    target: Target,
    redirect_uri_sent: Option<String>,
    scope: Scope,
    nonce: Option<String>,
    challenge: Option<(String, pkce::Method)>,
    prompt: Prompt,
    max_age: Option<i64>,
    login_hint: Option<String>,
    sandbox: Option<crate::sandbox::recorder::Trace>,
    device: Option<DeviceRequest>,
    smart: Option<crate::smart::request::SmartRequest>,
    claims: Option<serde_json::Map<String, serde_json::Value>>,
}

fn encode(r: &AuthorizeRequest) -> Result<String, StorageError> {
    let stored = Stored {
        client_id: r.client.client_id.clone(),
        response_type: r.response_type,
        target: r.target.clone(),
        redirect_uri_sent: r.redirect_uri_sent.clone(),
        scope: r.scope.clone(),
        nonce: r.nonce.clone(),
        challenge: r.challenge.clone(),
        prompt: r.prompt,
        max_age: r.max_age,
        login_hint: r.login_hint.clone(),
        sandbox: r.sandbox.clone(),
        device: r.device.clone(),
        smart: r.smart.clone(),
        claims: r.claims.clone(),
    };
    serde_json::to_string(&stored).map_err(|e| StorageError::Corrupt(format!("pending: {e}")))
}

/// The request a row holds, with its client as it is now; `None` when the client is gone.
async fn decode(state: &AppState, row: PendingRow) -> Result<Option<Pending>, StorageError> {
    let s: Stored = serde_json::from_str(&row.request)
        .map_err(|e| StorageError::Corrupt(format!("pending: {e}")))?;
    let Some(client) = state.cache.client(&s.client_id).await? else {
        return Ok(None);
    };
    Ok(Some(Pending {
        request: AuthorizeRequest {
            client,
            response_type: s.response_type,
            target: s.target,
            redirect_uri_sent: s.redirect_uri_sent,
            scope: s.scope,
            nonce: s.nonce,
            challenge: s.challenge,
            prompt: s.prompt,
            max_age: s.max_age,
            login_hint: s.login_hint,
            sandbox: s.sandbox,
            device: s.device,
            smart: s.smart,
            claims: s.claims,
        },
        created_at: row.created_at,
        user: row.username.zip(row.auth_time),
    }))
}

/// The pending requests, in the shared database.
#[derive(Debug, Default)]
pub struct PendingStore;

impl PendingStore {
    /// Keeps `pending`; returns its id.
    pub async fn insert(&self, state: &AppState, p: Pending) -> Result<String, StorageError> {
        let id = random_token(24).map_err(|e| StorageError::Corrupt(e.to_string()))?;
        let row = PendingRow {
            request: encode(&p.request)?,
            created_at: p.created_at,
            username: p.user.as_ref().map(|(u, _)| u.clone()),
            auth_time: p.user.as_ref().map(|(_, t)| *t),
        };
        pending::insert(&state.db, &id, &row).await?;
        Ok(id)
    }

    /// The pending request `id`, if it has not expired; `None` too when the database fails
    /// (logged): the person is asked to start again.
    pub async fn get(&self, state: &AppState, id: &str) -> Option<Pending> {
        let born_after = state.clock.now() - PENDING_TTL;
        let found = async {
            match pending::get(&state.db, id, born_after).await? {
                Some(row) => decode(state, row).await,
                None => Ok(None),
            }
        };
        found.await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "reading a pending authorization request");
            None
        })
    }

    /// Records who signed in for request `id`.
    pub async fn sign_in(
        &self,
        state: &AppState,
        id: &str,
        username: &str,
        auth_time: i64,
    ) -> Result<(), StorageError> {
        pending::sign_in(&state.db, id, username, auth_time).await
    }

    /// Replaces the request of pending `id` (the patient picker fills in the launch context,
    /// a mock-mode sign-in its claims).
    pub async fn replace(
        &self,
        state: &AppState,
        id: &str,
        request: &AuthorizeRequest,
    ) -> Result<(), StorageError> {
        let born_after = state.clock.now() - PENDING_TTL;
        pending::replace(&state.db, id, &encode(request)?, born_after).await
    }

    /// Removes request `id`; true for the one caller that completes it (a request completes
    /// once, whichever node is asked).
    pub async fn take(&self, state: &AppState, id: &str) -> Result<bool, StorageError> {
        let born_after = state.clock.now() - PENDING_TTL;
        storage::pending::take(&state.db, id, born_after).await
    }
}
