//! `/User`: list, read, create or replace, delete, for an admin or the owning developer; the
//! consents a user gave, for an admin. The password is write-only.

use super::auth::Admin;
use super::body::JsonBody;
use super::error::AdminError;
use crate::console::{Caller, users};
use crate::model::user::{User, UserInput, UserView};
use crate::state::AppState;
use crate::storage;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// `GET /User`: the caller's users (every user for an admin).
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<UserView>>, AdminError> {
    let list = users::list(&state, &caller).await?;
    Ok(Json(list.iter().map(User::view).collect()))
}

/// `GET /User/{id}`.
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<UserView>, AdminError> {
    Ok(Json(users::get(&state, &caller, &id).await?.view()))
}

/// `PUT /User/{id}`: 201 when created, 200 when replaced. A new user needs a password; a
/// replaced user keeps theirs when none is given.
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<UserInput>,
) -> Result<Response, AdminError> {
    let (user, created) = users::put(&state, &caller, &id, input).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(user.view())).into_response())
}

/// `DELETE /User/{id}`: the user's tokens are deleted with them.
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, AdminError> {
    users::delete(&state, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /User/{id}/Consent`: the consents the user gave.
pub async fn consents(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<Vec<serde_json::Value>>, AdminError> {
    if storage::users::get(&state.db, &id)
        .await
        .map_err(AdminError::internal)?
        .is_none()
    {
        return Err(AdminError::NotFound(format!("User/{id}")));
    }
    let rows = storage::sessions::list_consents(&state.db, &id)
        .await
        .map_err(AdminError::internal)?;
    Ok(Json(
        rows.into_iter()
            .map(|(client_id, scope, at)| {
                serde_json::json!({ "client_id": client_id, "scope": scope, "granted_at": crate::clock::rfc3339(at) })
            })
            .collect(),
    ))
}

/// `DELETE /User/{id}/Consent/{client_id}`: withdraw consent; the client must ask again.
pub async fn withdraw_consent(
    State(state): State<AppState>,
    _admin: Admin,
    Path((id, client_id)): Path<(String, String)>,
) -> Result<StatusCode, AdminError> {
    let withdrawn = storage::sessions::withdraw_consent(&state.db, &id, &client_id)
        .await
        .map_err(AdminError::internal)?;
    if withdrawn > 0 {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AdminError::NotFound(format!(
            "User/{id}/Consent/{client_id}"
        )))
    }
}
