//! `/Client`: list, read, create or replace, delete. The secret is write-only: a generated
//! secret appears once, in the response that created it, and never again.

use super::auth::Admin;
use super::body::JsonBody;
use super::error::AdminError;
use crate::model::client::{ClientInput, ClientView};
use crate::secret::new_secret;
use crate::state::AppState;
use crate::storage;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// `GET /Client`.
pub async fn list(
    State(state): State<AppState>,
    _admin: Admin,
) -> Result<Json<Vec<ClientView>>, AdminError> {
    let clients = storage::clients::list(&state.db, None)
        .await
        .map_err(AdminError::internal)?;
    Ok(Json(clients.iter().map(|c| c.view()).collect()))
}

/// `GET /Client/{id}`.
pub async fn read(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<ClientView>, AdminError> {
    storage::clients::get(&state.db, &id)
        .await
        .map_err(AdminError::internal)?
        .map(|c| Json(c.view()))
        .ok_or_else(|| AdminError::NotFound(format!("Client/{id}")))
}

#[derive(Serialize)]
struct Created {
    #[serde(flatten)]
    client: ClientView,
    /// Shown once, when the server generated it.
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<String>,
}

/// `PUT /Client/{id}`: 201 when created, 200 when replaced.
pub async fn put(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<ClientInput>,
) -> Result<Response, AdminError> {
    let now = state.clock.now();
    let valid = input.validate(&id, now, &state.issuer)?;
    let existing = storage::clients::get(&state.db, &id)
        .await
        .map_err(AdminError::internal)?;
    let mut client = valid.client;
    client.owner = existing.as_ref().and_then(|e| e.owner.clone());
    let mut shown_once = None;
    if !client.is_public() {
        let secret = match valid.secret {
            Some(given) => Some(given),
            None => match existing.as_ref().and_then(|e| e.secret_hash.clone()) {
                Some(kept) => {
                    client.secret_hash = Some(kept);
                    None
                }
                None => {
                    let generated = new_secret();
                    shown_once = Some(generated.expose().to_owned());
                    Some(generated)
                }
            },
        };
        if let Some(secret) = secret {
            client.secret_hash = Some(
                state
                    .passwords
                    .hash(&secret)
                    .await
                    .map_err(AdminError::internal)?,
            );
        }
    }
    let created = storage::clients::upsert(&state.db, &client, false)
        .await
        .map_err(AdminError::internal)?;
    state.cache.forget_client(&id);
    state.passwords.forget(&format!("client:{id}"));
    let body = Created {
        client: client.view(),
        client_secret: shown_once,
    };
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut response = (status, Json(body)).into_response();
    crate::oauth::error::no_store(response.headers_mut());
    Ok(response)
}

/// `DELETE /Client/{id}`: its tokens stop working at once.
pub async fn remove(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
) -> Result<StatusCode, AdminError> {
    let deleted = storage::clients::delete(&state.db, &id)
        .await
        .map_err(AdminError::internal)?;
    state.cache.forget_client(&id);
    state.passwords.forget(&format!("client:{id}"));
    if deleted {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AdminError::NotFound(format!("Client/{id}")))
    }
}
