//! `/User`: list, read, create or replace, delete. The password is write-only.

use super::auth::Admin;
use super::body::JsonBody;
use super::error::AdminError;
use crate::model::FieldError;
use crate::model::user::{User, UserInput, UserView};
use crate::state::AppState;
use crate::storage;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// `GET /User`.
pub async fn list(
    State(state): State<AppState>,
    _admin: Admin,
) -> Result<Json<Vec<UserView>>, AdminError> {
    let users = storage::users::list(&state.db, None)
        .await
        .map_err(AdminError::internal)?;
    Ok(Json(users.iter().map(User::view).collect()))
}

/// `GET /User/{id}`.
pub async fn read(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<UserView>, AdminError> {
    storage::users::get(&state.db, &id)
        .await
        .map_err(AdminError::internal)?
        .map(|u| Json(u.view()))
        .ok_or_else(|| AdminError::NotFound(format!("User/{id}")))
}

/// `PUT /User/{id}`: 201 when created, 200 when replaced. A new user needs a password; a
/// replaced user keeps theirs when none is given.
pub async fn put(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<UserInput>,
) -> Result<Response, AdminError> {
    let now = state.clock.now();
    let valid = input.validate(&id)?;
    let existing = storage::users::get(&state.db, &id)
        .await
        .map_err(AdminError::internal)?;
    if admin.user.username == id && !valid.roles.contains(&crate::model::user::Role::Admin) {
        return Err(FieldError::new("roles", "an admin cannot remove their own admin role").into());
    }
    let password_hash = match (&valid.password, &existing) {
        (Some(p), _) => state
            .passwords
            .hash(p)
            .await
            .map_err(AdminError::internal)?,
        (None, Some(u)) => u.password_hash.clone(),
        (None, None) => {
            return Err(FieldError::new("password", "is required for a new user").into());
        }
    };
    let user = User {
        username: valid.username,
        password_hash,
        name: valid.name,
        email: valid.email,
        roles: valid.roles,
        owner: existing.as_ref().and_then(|u| u.owner.clone()),
        created_at: existing.as_ref().map_or(now, |u| u.created_at),
        updated_at: now,
    };
    let created = storage::users::upsert(&state.db, &user)
        .await
        .map_err(AdminError::internal)?;
    state.passwords.forget(&crate::accounts::cache_key(&id));
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
    admin: Admin,
    Path(id): Path<String>,
) -> Result<StatusCode, AdminError> {
    if admin.user.username == id {
        return Err(AdminError::Conflict(
            "an admin cannot delete their own account".into(),
        ));
    }
    let deleted = storage::users::delete(&state.db, &id)
        .await
        .map_err(AdminError::internal)?;
    state.passwords.forget(&crate::accounts::cache_key(&id));
    if deleted {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AdminError::NotFound(format!("User/{id}")))
    }
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
