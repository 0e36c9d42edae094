//! `/AccessPolicy`: list, read, create or replace, delete.

use super::auth::Admin;
use super::body::JsonBody;
use super::error::AdminError;
use crate::model::policy::{AccessPolicy, PolicyInput};
use crate::state::AppState;
use crate::storage;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// `GET /AccessPolicy`.
pub async fn list(
    State(state): State<AppState>,
    _admin: Admin,
) -> Result<Json<Vec<AccessPolicy>>, AdminError> {
    Ok(Json(
        storage::policies::list(&state.db)
            .await
            .map_err(AdminError::internal)?,
    ))
}

/// `GET /AccessPolicy/{id}`.
pub async fn read(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<AccessPolicy>, AdminError> {
    storage::policies::get(&state.db, &id)
        .await
        .map_err(AdminError::internal)?
        .map(Json)
        .ok_or_else(|| AdminError::NotFound(format!("AccessPolicy/{id}")))
}

/// `PUT /AccessPolicy/{id}`: 201 when created, 200 when replaced.
pub async fn put(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<PolicyInput>,
) -> Result<Response, AdminError> {
    let mut policy = input.validate(&id)?;
    let existing = storage::policies::get(&state.db, &id)
        .await
        .map_err(AdminError::internal)?;
    policy.owner = existing.and_then(|p| p.owner);
    let created = storage::policies::upsert(&state.db, &policy, state.clock.now())
        .await
        .map_err(AdminError::internal)?;
    state.cache.forget_policies();
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
    _admin: Admin,
    Path(id): Path<String>,
) -> Result<StatusCode, AdminError> {
    let deleted = storage::policies::delete(&state.db, &id)
        .await
        .map_err(AdminError::internal)?;
    state.cache.forget_policies();
    if deleted {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AdminError::NotFound(format!("AccessPolicy/{id}")))
    }
}
