//! `/Key`: the signing keys' public parts, rotation and retirement.

use super::auth::Admin;
use super::error::AdminError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

/// `GET /Key`: every live key, newest first; never a private part.
pub async fn list(State(state): State<AppState>, _admin: Admin) -> Json<Vec<Value>> {
    let keys = state.keys.current();
    Json(
        keys.all
            .iter()
            .map(|k| {
                json!({
                    "kid": k.kid,
                    "alg": k.alg.as_str(),
                    "active": k.kid == keys.active.kid,
                    "created_at": crate::clock::rfc3339(k.created_at),
                })
            })
            .collect(),
    )
}

/// `POST /Key/$rotate`: a new key signs from now on; the old ones still verify.
pub async fn rotate(
    State(state): State<AppState>,
    _admin: Admin,
) -> Result<(StatusCode, Json<Value>), AdminError> {
    let kid = state
        .keys
        .rotate(&state.db, state.signing_alg, state.clock.now())
        .await
        .map_err(AdminError::internal)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "kid": kid, "alg": state.signing_alg.as_str(), "active": true })),
    ))
}

/// `DELETE /Key/{kid}`: retire a key that no longer signs; tokens it signed stop verifying.
pub async fn retire(
    State(state): State<AppState>,
    _admin: Admin,
    Path(kid): Path<String>,
) -> Result<StatusCode, AdminError> {
    if state.keys.current().active.kid == kid {
        return Err(AdminError::Conflict(
            "the active key cannot be retired; rotate first".into(),
        ));
    }
    let retired = state
        .keys
        .retire(&state.db, &kid, state.clock.now())
        .await
        .map_err(AdminError::internal)?;
    if retired {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AdminError::NotFound(format!("Key/{kid}")))
    }
}
