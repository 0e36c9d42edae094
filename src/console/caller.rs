//! The caller of a management operation: an admin, or a developer acting on their own things.

use crate::admin::error::AdminError;
use crate::model::user::{Role, User};
use crate::secret::{digest, new_secret, ordered_id, secret_matches};
use crate::security::session::{self, Kind};
use crate::state::AppState;
use crate::storage;
use axum::http::HeaderMap;

/// An authenticated account that may manage clients, users and policies.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user: User,
}

impl Caller {
    /// The caller for `user`, who must be an admin or a developer.
    pub fn new(user: User) -> Result<Self, AdminError> {
        if user.has_role(Role::Admin) || user.has_role(Role::Developer) {
            Ok(Self { user })
        } else {
            Err(AdminError::Forbidden)
        }
    }

    /// The caller's username.
    pub fn name(&self) -> &str {
        &self.user.username
    }

    /// True for an admin, who sees and manages everything.
    pub fn is_admin(&self) -> bool {
        self.user.has_role(Role::Admin)
    }

    /// True when the caller may see a thing owned by `owner` (`None`: the system's own).
    pub fn sees(&self, owner: Option<&str>) -> bool {
        self.is_admin() || owner == Some(self.name())
    }

    /// The owner of a thing this caller creates: the developer, or the system for an admin.
    pub fn owner_of_new(&self) -> Option<String> {
        (!self.is_admin()).then(|| self.name().to_owned())
    }

    /// The owner to filter lists by: none for an admin.
    pub fn list_filter(&self) -> Option<&str> {
        (!self.is_admin()).then(|| self.name())
    }
}

/// How long an initial access token lasts: 30 days.
const INITIAL_TOKEN_TTL: i64 = 30 * 86_400;

/// The developer (or admin) signed in to the console in this browser, if any.
pub async fn from_console(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Caller>, AdminError> {
    let session = session::current_of(state, headers, Kind::Console)
        .await
        .map_err(AdminError::internal)?;
    let Some(session) = session else {
        return Ok(None);
    };
    active(state, &session.username).await
}

/// The developer an initial access token (`<handle>.<secret>`) stands for, if it is valid.
pub async fn from_initial_token(
    state: &AppState,
    token: &str,
) -> Result<Option<Caller>, AdminError> {
    let Some((handle, secret)) = token.split_once('.') else {
        return Ok(None);
    };
    let found = storage::initial_tokens::find(&state.db, handle)
        .await
        .map_err(AdminError::internal)?;
    let now = state.clock.now();
    match found {
        Some(t) if now < t.expires_at && secret_matches(&t.secret_hash, secret) => {
            active(state, &t.owner).await
        }
        _ => Ok(None),
    }
}

/// A new initial access token for the caller, shown this once.
pub async fn issue_initial_token(state: &AppState, caller: &Caller) -> Result<String, AdminError> {
    let now = state.clock.now();
    let (handle, secret) = (ordered_id()?, new_secret()?);
    storage::initial_tokens::insert(
        &state.db,
        &storage::initial_tokens::InitialToken {
            handle: handle.clone(),
            secret_hash: digest(secret.expose()),
            owner: caller.name().to_owned(),
            created_at: now,
            expires_at: now + INITIAL_TOKEN_TTL,
        },
    )
    .await
    .map_err(AdminError::internal)?;
    Ok(format!("{handle}.{}", secret.expose()))
}

/// The caller for `username`, unless the account is gone, disabled or holds no role.
async fn active(state: &AppState, username: &str) -> Result<Option<Caller>, AdminError> {
    let user = storage::users::get(&state.db, username)
        .await
        .map_err(AdminError::internal)?;
    Ok(user
        .filter(|u| !u.disabled)
        .and_then(|u| Caller::new(u).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, roles: Vec<Role>) -> User {
        User {
            username: name.into(),
            password_hash: String::new(),
            name: None,
            email: None,
            fhir_user: None,
            roles,
            owner: None,
            disabled: false,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn developers_see_only_their_own_and_admins_everything() {
        let dev = Caller::new(user("dev", vec![Role::Developer])).unwrap();
        assert!(dev.sees(Some("dev")));
        assert!(!dev.sees(Some("other")) && !dev.sees(None));
        let admin = Caller::new(user("root", vec![Role::Admin])).unwrap();
        assert!(admin.sees(Some("dev")) && admin.sees(None));
        assert!(matches!(
            Caller::new(user("alice", vec![])),
            Err(AdminError::Forbidden)
        ));
    }
}
