//! Who is calling the admin API: HTTP Basic with an account that holds the `admin` role.

use super::error::AdminError;
use crate::model::user::{Role, User};
use crate::oauth::client_auth::decode_basic;
use crate::state::AppState;
use crate::storage;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};

/// An authenticated administrator.
#[derive(Debug, Clone)]
pub struct Admin {
    pub user: User,
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = AdminError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(AdminError::Unauthorized)?;
        let (username, password) = decode_basic(value).map_err(|_| AdminError::Unauthorized)?;
        let user = storage::users::get(&state.db, &username)
            .await
            .map_err(AdminError::internal)?;
        let verified = match &user {
            Some(u) => {
                state
                    .passwords
                    .verify(&format!("user:{}", u.username), &u.password_hash, &password)
                    .await
            }
            None => state.passwords.verify_unknown(&password).await,
        };
        match user {
            Some(user) if verified && user.has_role(Role::Admin) => Ok(Admin { user }),
            Some(_) if verified => Err(AdminError::Forbidden),
            _ => Err(AdminError::Unauthorized),
        }
    }
}
