//! `/AccessPolicy`: list, read, create or replace, delete, for an admin or the owning developer.

use super::body::JsonBody;
use super::error::AdminError;
use crate::console::{Caller, policies};
use crate::model::policy::{AccessPolicy, PolicyInput};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// `GET /AccessPolicy`.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<AccessPolicy>>, AdminError> {
    Ok(Json(policies::list(&state, &caller).await?))
}

/// `GET /AccessPolicy/{id}`.
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<AccessPolicy>, AdminError> {
    Ok(Json(policies::get(&state, &caller, &id).await?))
}

/// `PUT /AccessPolicy/{id}`: 201 when created, 200 when replaced.
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<PolicyInput>,
) -> Result<Response, AdminError> {
    let (policy, created) = policies::put(&state, &caller, &id, input).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(policy)).into_response())
}

/// `DELETE /AccessPolicy/{id}`.
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, AdminError> {
    policies::delete(&state, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
