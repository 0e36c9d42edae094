//! Trusted issuers, as an admin or a developer manages them. A developer's trust admits its
//! tokens only to that developer's own policies (see `model::policy`), so trusting an issuer
//! never opens anything of anyone else's.

use super::Caller;
use crate::admin::error::AdminError;
use crate::model::FieldError;
use crate::model::trusted_issuer::{Kept, TrustedIssuer, TrustedIssuerInput};
use crate::state::AppState;
use crate::storage;

/// The most trusted issuers one developer may keep: each may make the server fetch a key set.
pub const MAX_PER_DEVELOPER: usize = 20;

/// The trusts the caller may see.
pub async fn list(state: &AppState, caller: &Caller) -> Result<Vec<TrustedIssuer>, AdminError> {
    storage::trusted_issuers::list(&state.db, caller.list_filter())
        .await
        .map_err(AdminError::internal)
}

/// One trust, if the caller may see it; otherwise 404.
pub async fn get(state: &AppState, caller: &Caller, id: &str) -> Result<TrustedIssuer, AdminError> {
    storage::trusted_issuers::get(&state.db, id)
        .await
        .map_err(AdminError::internal)?
        .filter(|t| caller.sees(t.owner.as_deref()))
        .ok_or_else(|| AdminError::NotFound(format!("TrustedIssuer/{id}")))
}

/// Creates or replaces trust `id`. Returns the trust and whether it was created.
pub async fn put(
    state: &AppState,
    caller: &Caller,
    id: &str,
    input: TrustedIssuerInput,
) -> Result<(TrustedIssuer, bool), AdminError> {
    let existing = storage::trusted_issuers::get(&state.db, id)
        .await
        .map_err(AdminError::internal)?;
    if let Some(e) = &existing
        && !caller.sees(e.owner.as_deref())
    {
        return Err(AdminError::NotFound(format!("TrustedIssuer/{id}")));
    }
    let kept = Kept {
        secret: existing.as_ref().and_then(|e| e.secret.clone()),
        introspection_client_secret: existing
            .as_ref()
            .and_then(|e| e.introspection_client_secret.clone()),
    };
    let mut trust = input.validate(id, &state.issuer, kept)?;
    // An opaque token names no issuer, so every unknown one would be sent to every
    // introspection endpoint: only an admin's trust may have one, or a developer could collect
    // other people's tokens at their own endpoint.
    if trust.introspection_endpoint.is_some() && !caller.is_admin() {
        return Err(FieldError::new(
            "introspection_endpoint",
            "only an admin may set one: an opaque token names no issuer, so the API would send every token it does not know to it",
        )
        .into());
    }
    if existing.is_none() && !caller.is_admin() {
        let owned = list(state, caller).await?.len();
        if owned >= MAX_PER_DEVELOPER {
            return Err(FieldError::new(
                "id",
                format!("you already keep {owned} trusted issuers, the most one developer may; delete one first"),
            )
            .into());
        }
    }
    trust.owner = match &existing {
        Some(e) => e.owner.clone(),
        None => caller.owner_of_new(),
    };
    let created = storage::trusted_issuers::upsert(&state.db, &trust, state.clock.now())
        .await
        .map_err(AdminError::internal)?;
    forget(state, existing.as_ref(), &trust);
    Ok((trust, created))
}

/// Deletes trust `id`: its tokens stop working at once.
pub async fn delete(state: &AppState, caller: &Caller, id: &str) -> Result<(), AdminError> {
    let trust = get(state, caller, id).await?;
    storage::trusted_issuers::delete(&state.db, id)
        .await
        .map_err(AdminError::internal)?;
    forget(state, None, &trust);
    Ok(())
}

fn forget(state: &AppState, before: Option<&TrustedIssuer>, after: &TrustedIssuer) {
    state.cache.forget_trusts();
    state.introspected.forget_all();
    for url in before
        .into_iter()
        .chain([after])
        .filter_map(|t| t.jwks_uri.as_deref())
    {
        state.trust_keys.forget(url);
    }
}
