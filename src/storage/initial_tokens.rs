//! Initial access tokens (RFC 7591 §3): a developer's standing permission to register clients.
//!
//! Invariant: stored by handle with only the digest of the secret, like opaque tokens.

use super::{Db, StorageResult};

/// A stored initial access token.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct InitialToken {
    pub handle: String,
    pub secret_hash: String,
    pub owner: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// Stores a new token.
pub async fn insert(db: &Db, t: &InitialToken) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO initial_access_tokens (handle, secret_hash, owner, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&t.handle)
    .bind(&t.secret_hash)
    .bind(&t.owner)
    .bind(t.created_at)
    .bind(t.expires_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Finds a token by handle.
pub async fn find(db: &Db, handle: &str) -> StorageResult<Option<InitialToken>> {
    Ok(sqlx::query_as(
        "SELECT handle, secret_hash, owner, created_at, expires_at FROM initial_access_tokens \
         WHERE handle = $1",
    )
    .bind(handle)
    .fetch_optional(db.pool())
    .await?)
}
