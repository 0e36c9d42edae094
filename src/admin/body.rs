//! Reading a JSON body: size-limited, content-type checked, and parse errors that name the
//! field (never axum's 422).

use super::error::AdminError;
use axum::body::Body;
use axum::extract::FromRequest;
use axum::http::{Request, header};
use serde::de::DeserializeOwned;

/// The largest admin body accepted.
pub const MAX_JSON_BYTES: usize = 256 * 1024;

/// A JSON body of type `T`.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = AdminError;

    async fn from_request(req: Request<Body>, _state: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| {
                let m = m.trim().to_ascii_lowercase();
                m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
            });
        if !json {
            return Err(AdminError::UnsupportedMediaType);
        }
        let bytes = axum::body::to_bytes(req.into_body(), MAX_JSON_BYTES)
            .await
            .map_err(|_| AdminError::TooLarge(MAX_JSON_BYTES))?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de)
            .map(JsonBody)
            .map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                if path == "." {
                    AdminError::BadBody(inner.to_string())
                } else {
                    AdminError::BadBody(format!("{path}: {inner}"))
                }
            })
    }
}
