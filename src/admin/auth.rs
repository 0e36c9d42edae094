//! Who is calling the admin API: HTTP Basic with an account that holds the `admin` role.

use super::error::AdminError;
use crate::accounts;
use crate::model::user::{Role, User};
use crate::oauth::client_auth::decode_basic;
use crate::state::AppState;
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
        let user = accounts::authenticate(state, &username, &password)
            .await
            .map_err(AdminError::internal)?
            .ok_or(AdminError::Unauthorized)?;
        if user.has_role(Role::Admin) {
            Ok(Admin { user })
        } else {
            Err(AdminError::Forbidden)
        }
    }
}
