//! `/Client`: list, read, create or replace, delete, for an admin or the owning developer. The
//! secret is write-only: a generated secret appears once, in the response that created it.

use super::body::JsonBody;
use super::error::AdminError;
use crate::console::{Caller, clients};
use crate::model::client::{ClientInput, ClientView};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// `GET /Client`: the caller's clients (every client for an admin).
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ClientView>>, AdminError> {
    let list = clients::list(&state, &caller).await?;
    Ok(Json(list.iter().map(|c| c.view()).collect()))
}

/// `GET /Client/{id}`.
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ClientView>, AdminError> {
    Ok(Json(clients::get(&state, &caller, &id).await?.view()))
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
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<ClientInput>,
) -> Result<Response, AdminError> {
    let saved = clients::put(&state, &caller, &id, input, clients::Write::Upsert).await?;
    let body = Created {
        client: saved.client.view(),
        client_secret: saved.secret,
    };
    let status = if saved.created {
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
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, AdminError> {
    clients::delete(&state, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /Client/{id}/$secret`: a new generated secret, shown this once; the old one stops
/// working at once.
pub async fn regenerate_secret(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AdminError> {
    let secret = clients::regenerate_secret(&state, &caller, &id).await?;
    let body = serde_json::json!({ "client_id": id, "client_secret": secret });
    let mut response = Json(body).into_response();
    crate::oauth::error::no_store(response.headers_mut());
    Ok(response)
}
