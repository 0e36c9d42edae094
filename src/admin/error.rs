//! Errors of the admin REST API: JSON with a code, a message and, for validation, the field.

use crate::model::FieldError;
use crate::oauth::error::basic_challenge;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// An admin API error.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("no credentials or wrong credentials")]
    Unauthorized,
    #[error("this account may not do that")]
    Forbidden,
    #[error("{0} not found")]
    NotFound(String),
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error("the body is not valid: {0}")]
    BadBody(String),
    #[error("the body must be application/json")]
    UnsupportedMediaType,
    #[error("the body is larger than {0} bytes")]
    TooLarge(usize),
    #[error("{0}")]
    Conflict(String),
    #[error("too many failed sign-ins with these credentials; try again in {0} seconds")]
    Throttled(u64),
    #[error("internal error")]
    Internal,
}

impl From<crate::accounts::CheckError> for AdminError {
    fn from(e: crate::accounts::CheckError) -> Self {
        match e {
            crate::accounts::CheckError::Throttled(t) => AdminError::Throttled(t.retry_after),
            crate::accounts::CheckError::Storage(e) => AdminError::internal(e),
        }
    }
}

impl From<crate::secret::NoRandomness> for AdminError {
    fn from(e: crate::secret::NoRandomness) -> Self {
        AdminError::internal(e)
    }
}

impl AdminError {
    /// Logs the cause and returns the opaque variant.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "admin API internal error");
        AdminError::Internal
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            AdminError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            AdminError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            AdminError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            AdminError::Invalid(_) | AdminError::BadBody(_) => (StatusCode::BAD_REQUEST, "invalid"),
            AdminError::UnsupportedMediaType => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            AdminError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            AdminError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            AdminError::Throttled(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
            AdminError::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        let mut body = serde_json::json!({ "error": code, "message": self.to_string() });
        if let AdminError::Invalid(e) = &self {
            body["field"] = e.field.clone().into();
            body["message"] = e.message.clone().into();
        }
        let mut response = (status, Json(body)).into_response();
        if let AdminError::Throttled(seconds) = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if matches!(self, AdminError::Unauthorized)
            && let Ok(v) = HeaderValue::from_str(&basic_challenge())
        {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        response
    }
}
