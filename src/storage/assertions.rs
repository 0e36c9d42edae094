//! The `jti` values of client assertions already accepted (RFC 7523 §3: "The authorization
//! server MAY ensure that JWTs are not replayed by maintaining the set of used "jti" values for
//! the length of time for which the JWT would be considered valid based on the applicable "exp"
//! instant").
//!
//! Invariant: one row per client and `jti`, kept until the assertion's expiry (the collector
//! sweeps them after); the primary key makes the first use win and every other fail, across
//! requests and nodes.

use super::{Db, StorageResult};

/// Remembers `jti` of `client_id` until `expires_at`. False when it was already used.
pub async fn first_use(
    db: &Db,
    client_id: &str,
    jti: &str,
    expires_at: i64,
) -> StorageResult<bool> {
    let id = format!("{client_id}\n{jti}");
    let done = sqlx::query(
        "INSERT INTO client_assertions (id, expires_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(expires_at)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}
