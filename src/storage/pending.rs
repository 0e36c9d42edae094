//! Authorization requests waiting for the person (migration 0013), shared by every node.
//!
//! Invariants: a request is read only while younger than the caller's lifetime; completing it
//! deletes its row, and only the caller whose delete removed the row completes it, so a request
//! completes once even when two nodes race.

use super::{Db, StorageResult};

/// A stored pending request: the request as JSON, and who signed in for it, when.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PendingRow {
    pub request: String,
    pub created_at: i64,
    pub username: Option<String>,
    pub auth_time: Option<i64>,
}

/// Stores a new pending request.
pub async fn insert(db: &Db, id: &str, row: &PendingRow) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO pending_requests (id, request, created_at, username, auth_time) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(&row.request)
    .bind(row.created_at)
    .bind(&row.username)
    .bind(row.auth_time)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The pending request `id`, if it was created after `born_after`.
pub async fn get(db: &Db, id: &str, born_after: i64) -> StorageResult<Option<PendingRow>> {
    Ok(sqlx::query_as(
        "SELECT request, created_at, username, auth_time FROM pending_requests \
         WHERE id = $1 AND created_at > $2",
    )
    .bind(id)
    .bind(born_after)
    .fetch_optional(db.pool())
    .await?)
}

/// Records who signed in for request `id`, and when.
pub async fn sign_in(db: &Db, id: &str, username: &str, auth_time: i64) -> StorageResult<()> {
    sqlx::query("UPDATE pending_requests SET username = $1, auth_time = $2 WHERE id = $3")
        .bind(username)
        .bind(auth_time)
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Replaces the request of `id`, if it was created after `born_after`.
pub async fn replace(db: &Db, id: &str, request: &str, born_after: i64) -> StorageResult<()> {
    sqlx::query("UPDATE pending_requests SET request = $1 WHERE id = $2 AND created_at > $3")
        .bind(request)
        .bind(id)
        .bind(born_after)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Deletes request `id`; true for the one caller whose delete removed a live row.
pub async fn take(db: &Db, id: &str, born_after: i64) -> StorageResult<bool> {
    let done = sqlx::query("DELETE FROM pending_requests WHERE id = $1 AND created_at > $2")
        .bind(id)
        .bind(born_after)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}
