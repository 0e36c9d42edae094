//! Access policies, as an admin or a developer manages them. A developer's policy must name
//! only that developer's own clients, or admit only tokens of that developer's own trusted
//! issuers, so it can never open the API to anyone else's.

use super::Caller;
use crate::admin::error::AdminError;
use crate::model::FieldError;
use crate::model::policy::{AccessPolicy, PolicyInput};
use crate::state::AppState;
use crate::storage;

/// The policies the caller may see.
pub async fn list(state: &AppState, caller: &Caller) -> Result<Vec<AccessPolicy>, AdminError> {
    let all = storage::policies::list(&state.db)
        .await
        .map_err(AdminError::internal)?;
    Ok(all
        .into_iter()
        .filter(|p| caller.sees(p.owner.as_deref()))
        .collect())
}

/// One policy, if the caller may see it; otherwise 404.
pub async fn get(state: &AppState, caller: &Caller, id: &str) -> Result<AccessPolicy, AdminError> {
    storage::policies::get(&state.db, id)
        .await
        .map_err(AdminError::internal)?
        .filter(|p| caller.sees(p.owner.as_deref()))
        .ok_or_else(|| AdminError::NotFound(format!("AccessPolicy/{id}")))
}

/// Creates or replaces policy `id`. Returns the policy and whether it was created.
pub async fn put(
    state: &AppState,
    caller: &Caller,
    id: &str,
    input: PolicyInput,
) -> Result<(AccessPolicy, bool), AdminError> {
    let mut policy = input.validate(id)?;
    let existing = storage::policies::get(&state.db, id)
        .await
        .map_err(AdminError::internal)?;
    if let Some(e) = &existing
        && !caller.sees(e.owner.as_deref())
    {
        return Err(AdminError::NotFound(format!("AccessPolicy/{id}")));
    }
    if !caller.is_admin() {
        // An outside issuer the policy names must be one the developer trusts; a policy that
        // admits only outside tokens needs no client of this server.
        let issuers = policy.issuers.clone().unwrap_or_default();
        let trusted = super::trusted_issuers::list(state, caller).await?;
        for (i, iss) in issuers.iter().enumerate() {
            if iss != &state.issuer && !trusted.iter().any(|t| &t.issuer == iss) {
                return Err(FieldError::new(
                    format!("issuers[{i}]"),
                    format!("{iss:?} is not the issuer of one of your trusted issuers"),
                )
                .into());
            }
        }
        let own_tokens = policy.issuers.is_none() || issuers.contains(&state.issuer);
        if own_tokens {
            owns_every_client(state, caller, policy.client_ids.as_deref()).await?;
        }
    }
    policy.owner = match existing {
        Some(e) => e.owner,
        None => caller.owner_of_new(),
    };
    let created = storage::policies::upsert(&state.db, &policy, state.clock.now())
        .await
        .map_err(AdminError::internal)?;
    state.cache.forget_policies();
    Ok((policy, created))
}

/// Deletes policy `id`.
pub async fn delete(state: &AppState, caller: &Caller, id: &str) -> Result<(), AdminError> {
    get(state, caller, id).await?;
    storage::policies::delete(&state.db, id)
        .await
        .map_err(AdminError::internal)?;
    state.cache.forget_policies();
    Ok(())
}

/// A developer's policy that admits this server's own tokens must name clients, all the
/// developer's own.
async fn owns_every_client(
    state: &AppState,
    caller: &Caller,
    ids: Option<&[String]>,
) -> Result<(), AdminError> {
    let ids = ids.unwrap_or_default();
    if ids.is_empty() {
        return Err(FieldError::new(
            "client_ids",
            "a developer's policy must name the clients it is for",
        )
        .into());
    }
    for client_id in ids {
        let owned = storage::clients::get(&state.db, client_id)
            .await
            .map_err(AdminError::internal)?
            .is_some_and(|c| c.owner.as_deref() == Some(caller.name()));
        if !owned {
            return Err(FieldError::new(
                "client_ids",
                format!("{client_id:?} is not one of your clients"),
            )
            .into());
        }
    }
    Ok(())
}
