//! Clients, as their owner or an admin manages them: list, read, create or replace, delete, and
//! a new secret. The secret is generated server-side, shown once and stored only as argon2.

use super::Caller;
use crate::admin::error::AdminError;
use crate::model::FieldError;
use crate::model::client::{Client, ClientInput};
use crate::secret::new_secret;
use crate::state::AppState;
use crate::storage;

/// The clients the caller may see.
pub async fn list(state: &AppState, caller: &Caller) -> Result<Vec<Client>, AdminError> {
    storage::clients::list(&state.db, caller.list_filter())
        .await
        .map_err(AdminError::internal)
}

/// One client, if the caller may see it; otherwise 404, as if it did not exist.
pub async fn get(state: &AppState, caller: &Caller, id: &str) -> Result<Client, AdminError> {
    storage::clients::get(&state.db, id)
        .await
        .map_err(AdminError::internal)?
        .filter(|c| caller.sees(c.owner.as_deref()))
        .ok_or_else(|| AdminError::NotFound(format!("Client/{id}")))
}

/// Whether a write may replace an existing client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Write {
    /// `PUT`: create or replace.
    Upsert,
    /// A registration form: the id must be new.
    Create,
}

/// What a write stored.
#[derive(Debug)]
pub struct Saved {
    pub client: Client,
    /// The generated secret, shown this once.
    pub secret: Option<String>,
    pub created: bool,
}

/// Creates or replaces client `id` from `input`.
pub async fn put(
    state: &AppState,
    caller: &Caller,
    id: &str,
    input: ClientInput,
    write: Write,
) -> Result<Saved, AdminError> {
    let valid = input.validate(id, state.clock.now(), &state.issuer)?;
    let existing = storage::clients::get(&state.db, id)
        .await
        .map_err(AdminError::internal)?;
    match (&existing, write) {
        (Some(_), Write::Create) => {
            return Err(FieldError::new(
                "client_id",
                format!("{id:?} is already taken; choose another"),
            )
            .into());
        }
        (Some(e), Write::Upsert) if !caller.sees(e.owner.as_deref()) => {
            return Err(AdminError::NotFound(format!("Client/{id}")));
        }
        _ => {}
    }
    let mut client = valid.client;
    // First party skips the consent page, and consent is what protects a developer's users
    // from that developer's client (RFC 6749 §10.2, RFC 9700 §4.11). Only an admin decides it;
    // a developer may keep what an admin set, never set it.
    let already = existing.as_ref().is_some_and(|e| e.first_party);
    if client.first_party && !caller.is_admin() && !already {
        return Err(FieldError::new(
            "first_party",
            "only an admin may mark a client first party: first-party clients skip the consent page",
        )
        .into());
    }
    // The sandbox's test issuer signs for anyone: a client keyed by it could be impersonated
    // by any visitor. Only the system's demo client may use it.
    if client.jwks_uri.as_deref() == Some(state.url(app::endpoints::TEST_ISSUER_JWKS).as_str())
        && !caller.is_admin()
    {
        return Err(FieldError::new(
            "jwks_uri",
            "is the sandbox test issuer's key set, which signs for anyone; register your own keys",
        )
        .into());
    }
    client.owner = match &existing {
        Some(e) => e.owner.clone(),
        None => caller.owner_of_new(),
    };
    let mut shown_once = None;
    if client.holds_secret() {
        let secret = match valid.secret {
            Some(given) => Some(given),
            None => match existing.as_ref().and_then(|e| e.secret_hash.clone()) {
                Some(kept) => {
                    client.secret_hash = Some(kept);
                    None
                }
                None => {
                    let generated = new_secret()?;
                    shown_once = Some(generated.expose().to_owned());
                    Some(generated)
                }
            },
        };
        if let Some(secret) = secret {
            client.secret_hash = Some(hash(state, &secret).await?);
        }
    }
    let created = storage::clients::upsert(&state.db, &client, false)
        .await
        .map_err(AdminError::internal)?;
    forget(state, id);
    Ok(Saved {
        client,
        secret: shown_once,
        created,
    })
}

/// Deletes client `id`; its tokens go with it and stop working at once.
pub async fn delete(state: &AppState, caller: &Caller, id: &str) -> Result<(), AdminError> {
    get(state, caller, id).await?;
    storage::clients::delete(&state.db, id)
        .await
        .map_err(AdminError::internal)?;
    forget(state, id);
    Ok(())
}

/// Gives client `id` a new generated secret and returns it, this once. The old secret stops
/// working at once, caches included.
pub async fn regenerate_secret(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<String, AdminError> {
    let mut client = get(state, caller, id).await?;
    if !client.holds_secret() {
        return Err(FieldError::new(
            "token_endpoint_auth_method",
            "only a client that authenticates with a secret has one to regenerate",
        )
        .into());
    }
    let secret = new_secret()?;
    client.secret_hash = Some(hash(state, &secret).await?);
    client.updated_at = state.clock.now();
    storage::clients::upsert(&state.db, &client, false)
        .await
        .map_err(AdminError::internal)?;
    forget(state, id);
    Ok(secret.expose().to_owned())
}

async fn hash(state: &AppState, secret: &crate::secret::Secret) -> Result<String, AdminError> {
    state
        .passwords
        .hash(secret)
        .await
        .map_err(AdminError::internal)
}

/// Drops every cached view of client `id`: its row and its verified secret.
fn forget(state: &AppState, id: &str) {
    state.cache.forget_client(id);
    state.passwords.forget(&format!("client:{id}"));
}
