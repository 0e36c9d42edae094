//! `POST /mock/reset`: back to the state the server started in: every client, user, policy,
//! trusted issuer, token, code, session, consent and run goes, the demo data and the seed file
//! are applied again (their keys too, when the seed carries keys), and the faults, the journal
//! and the clock start over. The admin account stays.

use super::{MockError, mock_of};
use crate::admin::auth::Admin;
use crate::state::AppState;
use crate::storage;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The tables emptied, children before parents.
const TABLES: &[&str] = &[
    "tokens",
    "auth_codes",
    "client_assertions",
    "consents",
    "device_codes",
    "initial_access_tokens",
    "launches",
    "sandbox_runs",
    "front_channel_watches",
    "pending_requests",
    "sessions",
    "access_policies",
    "trusted_issuers",
    "clients",
];

/// Empties what the seed did not make, in one transaction.
async fn empty(state: &AppState, with_keys: bool) -> Result<(), storage::StorageError> {
    let mut tx = state.db.begin_write().await?;
    for table in TABLES {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("DELETE FROM users WHERE username <> $1")
        .bind(crate::seed::ADMIN_USERNAME)
        .execute(&mut *tx)
        .await?;
    if with_keys {
        sqlx::query("DELETE FROM signing_keys")
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `POST /mock/reset`.
pub async fn reset(_admin: Admin, State(state): State<AppState>) -> Result<Response, MockError> {
    let mock = mock_of(&state)?;
    // One reset at a time: two would interleave their deletes and seeds.
    let _one = mock.resetting.lock().await;
    mock.clock.reset();
    let now = state.clock.now();
    empty(&state, mock.seed_has_keys)
        .await
        .map_err(MockError::internal)?;
    let mut seeded = Vec::new();
    for (name, text) in &mock.seeds {
        let applied =
            crate::seed::load(&state.db, &state.passwords, name, text, now, &state.issuer)
                .await
                .map_err(MockError::internal)?;
        seeded.push(json!({
            "source": name,
            "clients": applied.clients,
            "users": applied.users,
            "policies": applied.policies,
            "trusted_issuers": applied.trusted_issuers,
            "keys": applied.keys,
        }));
    }
    state
        .keys
        .reload(&state.db)
        .await
        .map_err(MockError::internal)?;
    state.cache.forget_all();
    mock.faults.clear();
    mock.journal.clear();
    Ok(Json(json!({ "reset": true, "seeded": seeded })).into_response())
}
