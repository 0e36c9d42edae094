//! The resources of SPEC "Resources": clients, users, access policies and trusted issuers.
//!
//! Each resource has a wire shape for input (what the admin REST API and the seed file accept,
//! validated field by field) and a stored shape. Validation errors name the field, so a bad seed
//! file or a bad `PUT` tells the person exactly what to fix.

pub mod client;
pub mod key_set;
pub mod policy;
pub mod scope;
pub mod smart_scope;
pub mod trusted_issuer;
pub mod user;

use serde::Serialize;

/// A validation failure that names the field and says what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// The field, as named in the wire format (e.g. `redirect_uris[1]`).
    pub field: String,
    /// What is wrong, in plain words.
    pub message: String,
}

impl FieldError {
    /// A new error for `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The longest text any single field may hold; longer input is refused, not truncated.
pub const MAX_FIELD_LEN: usize = 2048;

/// Checks an identifier used in URLs: 1–128 characters from `A–Z a–z 0–9 - . _ ~ @`.
pub fn validate_id(field: &str, id: &str) -> Result<(), FieldError> {
    if id.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    if id.len() > 128 {
        return Err(FieldError::new(field, "must be at most 128 characters"));
    }
    if let Some(bad) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~' | '@')))
    {
        return Err(FieldError::new(
            field,
            format!("may hold only letters, digits and - . _ ~ @ (found {bad:?})"),
        ));
    }
    Ok(())
}

/// Checks a free-text field: not blank when required, and not longer than [`MAX_FIELD_LEN`].
pub fn validate_text(field: &str, value: &str, required: bool) -> Result<(), FieldError> {
    if required && value.trim().is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    if value.len() > MAX_FIELD_LEN {
        return Err(FieldError::new(
            field,
            format!("must be at most {MAX_FIELD_LEN} bytes"),
        ));
    }
    Ok(())
}

/// The body `id` must equal the path `id` when both are given.
pub fn check_same_id(field: &str, path_id: &str, body_id: Option<&str>) -> Result<(), FieldError> {
    match body_id {
        Some(body) if body != path_id => Err(FieldError::new(
            field,
            format!("is {body:?} in the body but {path_id:?} in the path"),
        )),
        _ => Ok(()),
    }
}
