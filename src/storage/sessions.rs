//! Login sessions (single sign-on) and remembered consent.
//!
//! Invariant: a session is stored by handle with only the digest of its secret.

use super::{Db, StorageResult};

/// A stored login session.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionRecord {
    pub handle: String,
    pub secret_hash: String,
    pub username: String,
    pub auth_time: i64,
    pub expires_at: i64,
    /// `login` (the authorization server's single sign-on) or `console` (a developer).
    pub kind: String,
}

/// Stores a new session.
pub async fn insert(db: &Db, s: &SessionRecord) -> StorageResult<()> {
    sqlx::query("INSERT INTO sessions (handle, secret_hash, username, auth_time, expires_at, kind) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&s.handle)
        .bind(&s.secret_hash)
        .bind(&s.username)
        .bind(s.auth_time)
        .bind(s.expires_at)
        .bind(&s.kind)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Finds a session by handle.
pub async fn find(db: &Db, handle: &str) -> StorageResult<Option<SessionRecord>> {
    Ok(sqlx::query_as("SELECT handle, secret_hash, username, auth_time, expires_at, kind FROM sessions WHERE handle = $1")
        .bind(handle)
        .fetch_optional(db.pool())
        .await?)
}

/// Ends a session.
pub async fn delete(db: &Db, handle: &str) -> StorageResult<()> {
    sqlx::query("DELETE FROM sessions WHERE handle = $1")
        .bind(handle)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// True when `username` consented to `client_id` for a scope set that holds every token of
/// `scope`.
pub async fn has_consent(
    db: &Db,
    username: &str,
    client_id: &str,
    scope: &crate::model::scope::Scope,
) -> StorageResult<bool> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT scope FROM consents WHERE username = $1 AND client_id = $2")
            .bind(username)
            .bind(client_id)
            .fetch_all(db.pool())
            .await?;
    Ok(rows.iter().any(|(granted,)| {
        crate::model::scope::Scope::parse(granted).is_ok_and(|granted| scope.is_subset(&granted))
    }))
}

/// Remembers consent.
pub async fn remember_consent(
    db: &Db,
    username: &str,
    client_id: &str,
    scope: &str,
    now: i64,
) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO consents (username, client_id, scope, granted_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (username, client_id, scope) DO UPDATE SET granted_at = excluded.granted_at",
    )
    .bind(username)
    .bind(client_id)
    .bind(scope)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Every consent `username` gave: (client_id, scope, granted_at), by client.
pub async fn list_consents(db: &Db, username: &str) -> StorageResult<Vec<(String, String, i64)>> {
    Ok(sqlx::query_as("SELECT client_id, scope, granted_at FROM consents WHERE username = $1 ORDER BY client_id, scope")
        .bind(username)
        .fetch_all(db.pool())
        .await?)
}

/// Withdraws every consent `username` gave `client_id`. Returns how many were withdrawn.
pub async fn withdraw_consent(db: &Db, username: &str, client_id: &str) -> StorageResult<u64> {
    let done = sqlx::query("DELETE FROM consents WHERE username = $1 AND client_id = $2")
        .bind(username)
        .bind(client_id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}
