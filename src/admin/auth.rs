//! Who is calling the admin API: HTTP Basic with an account that holds the `admin` role, or,
//! for clients, users and policies, the `developer` role (acting on their own only).

use super::error::AdminError;
use crate::accounts;
use crate::console::Caller;
use crate::model::user::{Role, User};
use crate::oauth::client_auth::decode_basic_rfc7617;
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
        let user = basic_user(parts, state).await?;
        if user.has_role(Role::Admin) {
            Ok(Admin { user })
        } else {
            Err(AdminError::Forbidden)
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AdminError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Caller::new(basic_user(parts, state).await?)
    }
}

/// The account whose HTTP Basic credentials (RFC 7617: the password exactly as sent, so `+`
/// and `%` are themselves) the request carries, through the failure throttle.
async fn basic_user(parts: &Parts, state: &AppState) -> Result<User, AdminError> {
    let value = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(AdminError::Unauthorized)?;
    let (username, password) = decode_basic_rfc7617(value).ok_or(AdminError::Unauthorized)?;
    let address = crate::security::PeerAddress::of(&parts.extensions);
    accounts::authenticate(state, &username, &password, &address.0)
        .await?
        .ok_or(AdminError::Unauthorized)
}
