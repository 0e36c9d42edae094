//! `/TrustedIssuer`: list, read, create or replace, delete, for an admin or the owning
//! developer. The HMAC secret is write-only: answers say only `has_secret`.

use super::body::JsonBody;
use super::error::AdminError;
use crate::console::{Caller, trusted_issuers};
use crate::model::trusted_issuer::{TrustedIssuerInput, TrustedIssuerView};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// `GET /TrustedIssuer`.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<TrustedIssuerView>>, AdminError> {
    let list = trusted_issuers::list(&state, &caller).await?;
    Ok(Json(list.iter().map(|t| t.view()).collect()))
}

/// `GET /TrustedIssuer/{id}`.
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<TrustedIssuerView>, AdminError> {
    Ok(Json(
        trusted_issuers::get(&state, &caller, &id).await?.view(),
    ))
}

/// `PUT /TrustedIssuer/{id}`: 201 when created, 200 when replaced.
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<TrustedIssuerInput>,
) -> Result<Response, AdminError> {
    let (trust, created) = trusted_issuers::put(&state, &caller, &id, input).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(trust.view())).into_response())
}

/// `DELETE /TrustedIssuer/{id}`.
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, AdminError> {
    trusted_issuers::delete(&state, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
