//! Checking a username and password, for every place that logs a person in (the password grant,
//! the admin API).
//!
//! An unknown username costs the same argon2 time as a wrong password, so the answer's timing
//! does not tell which usernames exist (rauthy's "equalised timing").

use crate::model::user::User;
use crate::secret::Secret;
use crate::state::AppState;
use crate::storage::{self, StorageResult};

/// The user, when `password` is theirs; `None` for an unknown user or a wrong password.
pub async fn authenticate(
    state: &AppState,
    username: &str,
    password: &Secret,
) -> StorageResult<Option<User>> {
    let user = storage::users::get(&state.db, username).await?;
    let verified = match &user {
        Some(u) => {
            state
                .passwords
                .verify(&cache_key(&u.username), &u.password_hash, password)
                .await
        }
        None => state.passwords.verify_unknown(password).await,
    };
    // A disabled account is refused after the same work, so its answer looks like any other.
    Ok(user.filter(|u| verified && !u.disabled))
}

/// The verified-secret cache key of a user's password.
pub fn cache_key(username: &str) -> String {
    format!("user:{username}")
}
