//! Checking a username and password, for every place that signs a person in: the login page,
//! the console's sign-in, the password grant and HTTP Basic at the admin API.
//!
//! Every check goes through the one failure throttle ([`crate::security::throttle`]) under the
//! account's name, so a wrong password counts the same wherever it was tried. An unknown
//! username costs the same argon2 time as a wrong password, so the answer's timing does not
//! tell which usernames exist (rauthy's "equalised timing").

use crate::model::user::User;
use crate::secret::Secret;
use crate::security::throttle::{Subject, Throttled};
use crate::state::AppState;
use crate::storage::{self, StorageError};

/// Why a credential could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// Too many failures: the caller must wait before the credential is even looked at.
    #[error(transparent)]
    Throttled(#[from] Throttled),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The user, when `password` is theirs; `None` for an unknown user, a wrong password or a
/// disabled account. `address` is the peer the attempt came from.
pub async fn authenticate(
    state: &AppState,
    username: &str,
    password: &Secret,
    address: &str,
) -> Result<Option<User>, CheckError> {
    let subject = Subject::Account(username);
    state.throttle.check(subject, address)?;
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
    let user = user.filter(|u| verified && !u.disabled);
    if user.is_none() {
        state.throttle.fail(subject, address).await;
    }
    Ok(user)
}

/// The verified-secret cache key of a user's password.
pub fn cache_key(username: &str) -> String {
    format!("user:{username}")
}
