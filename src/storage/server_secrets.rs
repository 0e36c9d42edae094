//! Keys the nodes of one issuer share: the first node to start makes each one, every node
//! reads the same (migration 0013).
//!
//! Invariant: a secret, once stored, never changes; a second node's fresh candidate is
//! discarded in favour of the stored one.

use super::{Db, StorageResult};

/// The secret `name`: the stored one, or `fresh`, stored now, when there is none yet.
pub async fn get_or_create(db: &Db, name: &str, fresh: &[u8], now: i64) -> StorageResult<Vec<u8>> {
    sqlx::query(
        "INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(fresh)
    .bind(now)
    .execute(db.pool())
    .await?;
    let (value,): (Vec<u8>,) = sqlx::query_as("SELECT value FROM server_secrets WHERE name = $1")
        .bind(name)
        .fetch_one(db.pool())
        .await?;
    Ok(value)
}
