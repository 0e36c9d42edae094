//! Users, as an admin or a developer manages them. Developers create demo resource owners for
//! their own testing; only an admin grants roles or manages accounts. Passwords are write-only.

use super::Caller;
use crate::accounts::cache_key;
use crate::admin::error::AdminError;
use crate::model::FieldError;
use crate::model::user::{Role, User, UserInput};
use crate::state::AppState;
use crate::storage;

/// The users the caller may see.
pub async fn list(state: &AppState, caller: &Caller) -> Result<Vec<User>, AdminError> {
    storage::users::list(&state.db, caller.list_filter())
        .await
        .map_err(AdminError::internal)
}

/// One user, if the caller may see it; otherwise 404.
pub async fn get(state: &AppState, caller: &Caller, username: &str) -> Result<User, AdminError> {
    storage::users::get(&state.db, username)
        .await
        .map_err(AdminError::internal)?
        .filter(|u| caller.sees(u.owner.as_deref()))
        .ok_or_else(|| AdminError::NotFound(format!("User/{username}")))
}

/// Creates or replaces user `id`. Returns the user and whether it was created.
pub async fn put(
    state: &AppState,
    caller: &Caller,
    id: &str,
    input: UserInput,
) -> Result<(User, bool), AdminError> {
    let now = state.clock.now();
    let valid = input.validate(id)?;
    let existing = storage::users::get(&state.db, id)
        .await
        .map_err(AdminError::internal)?;
    if let Some(e) = &existing
        && !caller.sees(e.owner.as_deref())
    {
        return Err(AdminError::NotFound(format!("User/{id}")));
    }
    if !caller.is_admin() && !valid.roles.is_empty() {
        return Err(FieldError::new(
            "roles",
            "a developer's users are resource owners; only an admin grants roles",
        )
        .into());
    }
    if caller.name() == id && (!valid.roles.contains(&Role::Admin) || valid.disabled) {
        return Err(FieldError::new(
            "roles",
            "an admin cannot remove their own admin role or disable their own account",
        )
        .into());
    }
    let password_hash = match (&valid.password, &existing) {
        (Some(p), _) => state
            .passwords
            .hash(p)
            .await
            .map_err(AdminError::internal)?,
        (None, Some(u)) => u.password_hash.clone(),
        (None, None) => {
            return Err(FieldError::new("password", "is required for a new user").into());
        }
    };
    let user = User {
        username: valid.username,
        password_hash,
        name: valid.name,
        email: valid.email,
        fhir_user: valid.fhir_user,
        roles: valid.roles,
        owner: match &existing {
            Some(e) => e.owner.clone(),
            None => caller.owner_of_new(),
        },
        disabled: valid.disabled,
        created_at: existing.as_ref().map_or(now, |u| u.created_at),
        updated_at: now,
    };
    let created = storage::users::upsert(&state.db, &user)
        .await
        .map_err(AdminError::internal)?;
    state.passwords.forget(&cache_key(id));
    Ok((user, created))
}

/// Deletes user `id` and, with them, the tokens issued for them.
pub async fn delete(state: &AppState, caller: &Caller, id: &str) -> Result<(), AdminError> {
    if caller.name() == id {
        return Err(AdminError::Conflict(
            "an account cannot delete itself".into(),
        ));
    }
    get(state, caller, id).await?;
    storage::users::delete(&state.db, id)
        .await
        .map_err(AdminError::internal)?;
    state.passwords.forget(&cache_key(id));
    Ok(())
}

/// An admin changes an account's roles or disables it; the password is kept.
pub async fn set_account(
    state: &AppState,
    caller: &Caller,
    username: &str,
    roles: Vec<Role>,
    disabled: bool,
) -> Result<User, AdminError> {
    if !caller.is_admin() {
        return Err(AdminError::Forbidden);
    }
    let user = get(state, caller, username).await?;
    let input = serde_json::json!({
        "name": user.name,
        "email": user.email,
        "fhirUser": user.fhir_user,
        "roles": roles,
        "disabled": disabled,
    });
    let input: UserInput = serde_json::from_value(input).map_err(AdminError::internal)?;
    Ok(put(state, caller, username, input).await?.0)
}
